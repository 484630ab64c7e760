/** Mocked GCP provider behaviour for the harness (random and docker are answered by the AWS module). */

export const MOCK_PROJECT = "mcp-infra-demo";
export const MOCK_REGION = "us-central1";
/** The mock project's number (Cloud Run's deterministic URLs and Secret Manager names carry it). */
export const MOCK_PROJECT_NUMBER = "123456789012";

/** A resource's last path segment as GCP would name it: `<pulumi name>-1a2b3c` unless the inputs fix it. */
function nameOf(name: string, inputs: Record<string, any>): string {
    return inputs.name ?? `${name}-1a2b3c`;
}

/** Fake outputs a provider would compute, per resource type, so the program's applies can run. */
export function computedOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, any> | undefined {
    if (!type.startsWith("gcp:")) return undefined;
    const project = inputs.project ?? MOCK_PROJECT;
    const region = inputs.region ?? inputs.location ?? MOCK_REGION;
    const n = nameOf(name, inputs);
    const selfLink = (collection: string, scope = "global") =>
        `https://www.googleapis.com/compute/v1/projects/${project}/${scope}/${collection}/${n}`;
    switch (type) {
        case "gcp:compute/network:Network":
            return { name: n, selfLink: selfLink("networks") };
        case "gcp:compute/subnetwork:Subnetwork":
            return { name: n, selfLink: selfLink("subnetworks", `regions/${region}`), gatewayAddress: "10.0.0.1" };
        case "gcp:compute/globalAddress:GlobalAddress":
            return inputs.purpose === "VPC_PEERING"
                ? { name: n, address: "10.64.0.0", selfLink: selfLink("addresses") }
                : { name: n, address: "34.120.45.67", selfLink: selfLink("addresses") };
        case "gcp:servicenetworking/connection:Connection":
            return { peering: "servicenetworking-googleapis-com" };
        case "gcp:sql/databaseInstance:DatabaseInstance":
            return {
                name: n,
                connectionName: `${project}:${region}:${n}`,
                privateIpAddress: inputs.masterInstanceName ? "10.64.0.6" : "10.64.0.5",
                publicIpAddress: "",
                // Private services access: the singular dnsName (Private Service Connect's) stays empty; the instance's
                // own name is in dnsNames, `INSTANCE_UID.PROJECT_DNS_LABEL.REGION.sql-psa.goog.`.
                dnsName: "",
                dnsNames: [
                    {
                        name: `${inputs.masterInstanceName ? "2b3c4d5e6f70" : "1a2b3c4d5e6f"}.0a1b2c3d4e5f.${region}.sql-psa.goog.`,
                        connectionType: "PRIVATE_SERVICES_ACCESS",
                        dnsScope: "INSTANCE",
                    },
                ],
                serverCaCerts: [
                    { cert: "-----BEGIN CERTIFICATE-----\nMOCK-CLOUD-SQL-CA\n-----END CERTIFICATE-----\n", sha1Fingerprint: "00" },
                ],
                selfLink: `https://sqladmin.googleapis.com/sql/v1beta4/projects/${project}/instances/${n}`,
            };
        case "gcp:redis/instance:Instance":
            return {
                name: n,
                host: "10.64.1.4",
                port: inputs.transitEncryptionMode === "SERVER_AUTHENTICATION" ? 6378 : 6379,
                authString: inputs.authEnabled ? "mock-redis-auth-string-0123456789" : "",
                readEndpoint: inputs.readReplicasMode === "READ_REPLICAS_ENABLED" ? "10.64.1.5" : "",
                serverCaCerts:
                    inputs.transitEncryptionMode === "SERVER_AUTHENTICATION"
                        ? [{ cert: "-----BEGIN CERTIFICATE-----\nMOCK\n-----END CERTIFICATE-----\n", serialNumber: "1" }]
                        : [],
            };
        case "gcp:secretmanager/secret:Secret": {
            const secretId = inputs.secretId ?? `${name}-1a2b3c`;
            return { secretId, name: `projects/${MOCK_PROJECT_NUMBER}/secrets/${secretId}` };
        }
        case "gcp:secretmanager/secretVersion:SecretVersion":
            return { name: `${inputs.secret}/versions/1`, version: "1" };
        case "gcp:serviceaccount/account:Account":
            return {
                email: `${inputs.accountId}@${project}.iam.gserviceaccount.com`,
                uniqueId: "112233445566778899",
                member: `serviceAccount:${inputs.accountId}@${project}.iam.gserviceaccount.com`,
            };
        case "gcp:artifactregistry/repository:Repository":
            return { name: inputs.repositoryId, registryUri: `${region}-docker.pkg.dev/${project}/${inputs.repositoryId}` };
        case "gcp:cloudrunv2/service:Service":
            // Cloud Run gives a hash-based URL (uri) and, when the name fits a DNS label, the deterministic one.
            return {
                name: n,
                uri: `https://${n}-abcdefghij-uc.a.run.app`,
                urls: [
                    `https://${n}-abcdefghij-uc.a.run.app`,
                    ...(`${n}-${MOCK_PROJECT_NUMBER}`.length <= 63 ? [`https://${n}-${MOCK_PROJECT_NUMBER}.${region}.run.app`] : []),
                ],
            };
        case "gcp:compute/managedSslCertificate:ManagedSslCertificate":
            return { name: n, selfLink: selfLink("sslCertificates"), subjectAlternativeNames: inputs.managed?.domains ?? [] };
        case "gcp:logging/projectBucketConfig:ProjectBucketConfig":
            return { name: `projects/${project}/locations/${inputs.location}/buckets/${inputs.bucketId}` };
        case "gcp:logging/projectSink:ProjectSink":
            return { name: n, writerIdentity: "serviceAccount:service-123456789012@gcp-sa-logging.iam.gserviceaccount.com" };
        default:
            return type.startsWith("gcp:compute/")
                ? { name: n, selfLink: selfLink(type.split(":").pop()!.toLowerCase() + "s") }
                : { name: n };
    }
}

/** Answers for the invokes the program makes on GCP; any other invoke is an error. */
export function invokeResult(token: string, inputs: Record<string, any>): Record<string, any> | undefined {
    switch (token) {
        case "gcp:organizations/getProject:getProject":
            return {
                projectId: inputs.projectId ?? MOCK_PROJECT,
                number: MOCK_PROJECT_NUMBER,
                name: inputs.projectId ?? MOCK_PROJECT,
                id: `projects/${inputs.projectId ?? MOCK_PROJECT}`,
                orgId: "",
                folderId: "",
                billingAccount: "",
                labels: {},
                effectiveLabels: {},
                autoCreateNetwork: true,
            };
        case "gcp:organizations/getClientConfig:getClientConfig":
            return {
                accessToken: "ya29.mock-access-token",
                project: MOCK_PROJECT,
                region: MOCK_REGION,
                zone: `${MOCK_REGION}-a`,
                id: "mock",
                defaultLabels: {},
            };
        case "gcp:dns/getManagedZones:getManagedZones":
            return {
                id: `projects/${inputs.project ?? MOCK_PROJECT}`,
                project: inputs.project ?? MOCK_PROJECT,
                managedZones: [
                    {
                        name: "example-com",
                        dnsName: "example.com.",
                        visibility: "public",
                        managedZoneId: 1234567890,
                        project: MOCK_PROJECT,
                        description: "",
                        id: "example-com",
                        nameServers: ["ns-cloud-a1.googledomains.com."],
                    },
                    {
                        name: "example-com-private",
                        dnsName: "example.com.",
                        visibility: "private",
                        managedZoneId: 1234567891,
                        project: MOCK_PROJECT,
                        description: "",
                        id: "example-com-private",
                        nameServers: [],
                    },
                ],
            };
        default:
            return undefined;
    }
}
