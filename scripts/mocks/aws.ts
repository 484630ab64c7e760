/** Mocked AWS (and shared random/docker) provider behaviour for the harness. */

export const MOCK_REGION = "us-east-1";

/** Fake outputs a provider would compute, per resource type, so the program's applies can run. */
export function computedOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, any> | undefined {
    const arn = `arn:aws:mock:${MOCK_REGION}:123456789012:${type.split(":").pop()}/${name}`;
    switch (type) {
        case "aws:lb/loadBalancer:LoadBalancer":
            return { arn, dnsName: `${name}-1234567890.${MOCK_REGION}.elb.amazonaws.com`, zoneId: "Z35SXDOTRQ7X7K" };
        case "aws:rds/instance:Instance":
            return {
                arn,
                identifier: `${name}-id`,
                address: `${name}.abcdefghijkl.${MOCK_REGION}.rds.amazonaws.com`,
                endpoint: `${name}.abcdefghijkl.${MOCK_REGION}.rds.amazonaws.com:5432`,
            };
        case "aws:elasticache/replicationGroup:ReplicationGroup":
            return { arn, primaryEndpointAddress: `master.${name}.abcdef.use1.cache.amazonaws.com` };
        case "random:index/randomPassword:RandomPassword":
            return { result: `mock-secret-${name}-${"x".repeat(Math.max(0, Number(inputs.length ?? 16) - 20))}` };
        case "random:index/randomId:RandomId":
            return { hex: "0a1b2c3d", b64Url: "ChssPQ" };
        case "docker:index/image:Image":
            return { repoDigest: `${String(inputs.imageName).split(":")[0]}@sha256:${"ab".repeat(32)}` };
        case "aws:ecr/repository:Repository":
            return { arn, registryId: "123456789012", repositoryUrl: `123456789012.dkr.ecr.${MOCK_REGION}.amazonaws.com/${name}` };
        case "aws:ecs/service:Service":
        case "aws:ecs/cluster:Cluster":
            return { arn, name: `${name}-1a2b3c` };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { arn, name: `${name}-1a2b3c` };
        case "aws:acm/certificate:Certificate":
            return {
                arn,
                domainValidationOptions: [
                    {
                        domainName: inputs.domainName,
                        resourceRecordName: `_abc.${inputs.domainName}.`,
                        resourceRecordType: "CNAME",
                        resourceRecordValue: "_xyz.acm-validations.aws.",
                    },
                ],
            };
        case "aws:acm/certificateValidation:CertificateValidation":
            return { certificateArn: inputs.certificateArn };
        case "aws:route53/record:Record":
            return { fqdn: String(inputs.name).replace(/\.$/, "") };
        case "aws:appautoscaling/target:Target":
            return { arn };
        case "aws:apigatewayv2/api:Api": {
            const id = `${name.replace(/[^a-z0-9]/g, "").slice(-10)}`;
            return {
                arn,
                apiEndpoint: `https://${id}.execute-api.${MOCK_REGION}.amazonaws.com`,
                executionArn: `arn:aws:execute-api:${MOCK_REGION}:123456789012:${id}`,
            };
        }
        case "aws:apigatewayv2/domainName:DomainName":
            return {
                arn,
                domainNameConfiguration: {
                    ...inputs.domainNameConfiguration,
                    targetDomainName: `d-abcdef1234.execute-api.${MOCK_REGION}.amazonaws.com`,
                    hostedZoneId: "Z1UJRXOUMOOFQ8",
                },
            };
        case "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace":
            return { arn, name: inputs.name, hostedZone: "Z0MOCKPRIVATEZONE" };
        default:
            return type.startsWith("aws:") ? { arn, name: inputs.name ?? `${name}-1a2b3c` } : undefined;
    }
}

/** Answers for the invokes the program makes; any other invoke is an error. */
export function invokeResult(token: string, inputs: Record<string, any>): Record<string, any> | undefined {
    switch (token) {
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return {
                names: ["a", "b", "c", "d"].map((z) => `${MOCK_REGION}${z}`),
                zoneIds: ["use1-az1", "use1-az2", "use1-az4", "use1-az6"],
                id: MOCK_REGION,
                region: MOCK_REGION,
            };
        case "aws:index/getRegion:getRegion":
            return {
                name: MOCK_REGION,
                region: MOCK_REGION,
                id: MOCK_REGION,
                endpoint: `ec2.${MOCK_REGION}.amazonaws.com`,
                description: "US East (N. Virginia)",
            };
        case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return {
                userName: "AWS",
                password: "mock-ecr-token",
                authorizationToken: "bW9jaw==",
                proxyEndpoint: "https://123456789012.dkr.ecr.us-east-1.amazonaws.com",
                expiresAt: "2099-01-01T00:00:00Z",
                id: "mock",
                region: MOCK_REGION,
            };
        case "aws:route53/getZone:getZone":
            return { zoneId: "Z0123456789MOCKZONE", name: inputs.name, id: "Z0123456789MOCKZONE", privateZone: false };
        default:
            return undefined;
    }
}
