/**
 * The AWS topology for every tier, asserted on the inputs the program gives
 * its resources under Pulumi's mocks; then the cost choices (cpuArchitecture,
 * natGateways, edgeKind, sessionStore) overridden one at a time.
 */
import * as assert from "node:assert/strict";
import { floorBasis } from "../pricing/targets";
import * as lib from "../lib";
import { CATALOG, estimateCost } from "../pricing";
import { HOURS_PER_MONTH, price } from "../pricing/catalog";
import { readStackFile, runProgram, runStack, ProgramRun } from "../scripts/harness";
import { declared } from "../scripts/plan";
import { ConfigError, TIERS, TierName, TierSpec } from "../sizing";
import { awsSizing, HTTP_API_MAX_TIMEOUT_MS, HTTP_API_THROTTLE } from "../sizing/aws";
import { HTTP_API_ROUTES, MANAGED_RULE_GROUPS } from "../components/aws/edge";
import { all, containers, idOf, named } from "./util";

const T = {
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    nat: "aws:ec2/natGateway:NatGateway",
    eip: "aws:ec2/eip:Eip",
    rt: "aws:ec2/routeTable:RouteTable",
    endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    rds: "aws:rds/instance:Instance",
    params: "aws:rds/parameterGroup:ParameterGroup",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup",
    task: "aws:ecs/taskDefinition:TaskDefinition",
    service: "aws:ecs/service:Service",
    target: "aws:appautoscaling/target:Target",
    policy: "aws:appautoscaling/policy:Policy",
    logs: "aws:cloudwatch/logGroup:LogGroup",
    alb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    tg: "aws:lb/targetGroup:TargetGroup",
    waf: "aws:wafv2/webAcl:WebAcl",
    wafAssoc: "aws:wafv2/webAclAssociation:WebAclAssociation",
    cert: "aws:acm/certificate:Certificate",
    record: "aws:route53/record:Record",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    password: "random:index/randomPassword:RandomPassword",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    image: "docker:index/image:Image",
    api: "aws:apigatewayv2/api:Api",
    stage: "aws:apigatewayv2/stage:Stage",
    route: "aws:apigatewayv2/route:Route",
    integration: "aws:apigatewayv2/integration:Integration",
    vpcLink: "aws:apigatewayv2/vpcLink:VpcLink",
    domain: "aws:apigatewayv2/domainName:DomainName",
    mapping: "aws:apigatewayv2/apiMapping:ApiMapping",
    namespace: "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace",
    discovery: "aws:servicediscovery/service:Service",
};

/** The ARN the mocks give a resource (see scripts/mocks/aws.ts). */
const arnOf = (type: string, name: string) => `arn:aws:mock:us-east-1:123456789012:${type.split(":").pop()}/${name}`;
const subnetIds = (run: ProgramRun, tier: "public" | "private") =>
    all(run, T.subnet)
        .filter((s) => s.inputs.tags?.tier === tier)
        .map(idOf)
        .sort();
const env = (run: ProgramRun) =>
    Object.fromEntries(containers(named(run, T.task, "mcp-server-task"))[0].environment.map((e: any) => [e.name, e.value]));
const withConfig = (stack: string, extra: Record<string, string>) => runProgram(stack, { ...readStackFile(stack), ...extra });

const runs: Partial<Record<TierName, ProgramRun>> = {};

before(async () => {
    for (const tier of ["dev", "prod", "enterprise"] as const) runs[tier] = await runStack(`${tier}-aws`);
});

/** Assertions on the HTTP API edge (payPerRequest), shared by the dev stack and the overrides below. */
function assertHttpApiEdge(run: ProgramRun) {
    const api = named(run, T.api, "mcp-edge-api");
    assert.equal(api.inputs.protocolType, "HTTP");
    const stage = named(run, T.stage, "mcp-edge-stage");
    assert.deepEqual([stage.inputs.apiId, stage.inputs.name, stage.inputs.autoDeploy], [idOf(api), "$default", true]);
    assert.deepEqual(stage.inputs.defaultRouteSettings, {
        throttlingRateLimit: HTTP_API_THROTTLE.rateLimitPerSecond,
        throttlingBurstLimit: HTTP_API_THROTTLE.burstLimit,
    });

    const integration = named(run, T.integration, "mcp-edge-integration");
    const vpcLink = named(run, T.vpcLink, "mcp-edge-vpc-link");
    assert.deepEqual(
        [
            integration.inputs.integrationType,
            integration.inputs.connectionType,
            integration.inputs.integrationMethod,
            integration.inputs.payloadFormatVersion,
        ],
        ["HTTP_PROXY", "VPC_LINK", "ANY", "1.0"],
    );
    assert.equal(
        integration.inputs.integrationUri,
        arnOf(T.discovery, "mcp-edge-discovery"),
        "the integration discovers the tasks in Cloud Map",
    );
    assert.equal(integration.inputs.connectionId, idOf(vpcLink));
    assert.equal(integration.inputs.timeoutMilliseconds, HTTP_API_MAX_TIMEOUT_MS);
    assert.equal(HTTP_API_MAX_TIMEOUT_MS, 30_000, "API Gateway's ceiling for HTTP APIs");
    assert.deepEqual(
        integration.inputs.requestParameters,
        { "overwrite:header.host": "$context.domainName" },
        "the server sees the host the client called",
    );

    const routes = all(run, T.route);
    const expected = [
        "ANY /mcp",
        "GET /.well-known/oauth-protected-resource",
        "GET /.well-known/oauth-protected-resource/mcp",
        "GET /health",
    ];
    assert.deepEqual(routes.map((r) => r.inputs.routeKey).sort(), expected, "only /mcp, /health and the OAuth metadata are forwarded");
    assert.deepEqual([...HTTP_API_ROUTES].sort(), expected);
    for (const r of routes) {
        assert.equal(r.inputs.target, `integrations/${idOf(integration)}`);
        assert.equal(r.inputs.apiId, idOf(api));
        assert.doesNotMatch(r.inputs.routeKey, /metrics|ready|\$default|\{proxy/);
    }

    // The VPC link sits in the private subnets with its own group, which reaches only the service's port.
    const edgeSg = idOf(named(run, T.sg, "mcp-edge-sg"));
    const serviceSg = idOf(named(run, T.sg, "mcp-server-sg"));
    assert.deepEqual([...vpcLink.inputs.subnetIds].sort(), subnetIds(run, "private"));
    assert.deepEqual(vpcLink.inputs.securityGroupIds, [edgeSg]);
    assert.deepEqual(
        all(run, T.ingress).filter((r) => r.inputs.securityGroupId === edgeSg),
        [],
        "nothing may connect to the VPC link",
    );
    const out = all(run, T.egress).filter((r) => r.inputs.securityGroupId === edgeSg);
    assert.deepEqual(
        out.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4]),
        [[serviceSg, "tcp", 8080, 8080, undefined]],
    );
    const into = all(run, T.ingress).filter((r) => r.inputs.securityGroupId === serviceSg);
    assert.deepEqual(
        into.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4]),
        [[edgeSg, 8080, 8080, undefined]],
    );

    // Cloud Map: a private DNS namespace in the VPC, an SRV service (port for API Gateway), health from ECS.
    const ns = named(run, T.namespace, "mcp-edge-namespace");
    assert.equal(ns.inputs.vpc, idOf(named(run, T.vpc, "mcp-network-vpc")));
    const discovery = named(run, T.discovery, "mcp-edge-discovery");
    assert.equal(discovery.inputs.dnsConfig.namespaceId, idOf(ns));
    assert.deepEqual(
        discovery.inputs.dnsConfig.dnsRecords.map((d: any) => d.type),
        ["SRV"],
    );
    assert.ok(discovery.inputs.healthCheckCustomConfig, "ECS reports the container health check to Cloud Map");

    // The ECS service registers its tasks there (container name and port for the SRV record) and nowhere else.
    const svc = named(run, T.service, "mcp-server-service");
    assert.deepEqual(svc.inputs.serviceRegistries, {
        registryArn: arnOf(T.discovery, "mcp-edge-discovery"),
        containerName: "mcp-server",
        containerPort: 8080,
    });
    assert.equal(svc.inputs.loadBalancers, undefined);
    assert.equal(svc.inputs.healthCheckGracePeriodSeconds, undefined, "ECS allows a grace period only with a load balancer");

    // No load balancer, no WAF.
    for (const t of [T.alb, T.tg, T.listener, T.waf, T.wafAssoc]) assert.equal(all(run, t).length, 0, t);
    const s = run.outputs.summary.edge;
    assert.deepEqual(
        [s.kind, s.tls, s.httpRedirect, s.waf, s.rateLimitPerMinute, s.idleTimeoutSeconds, s.healthPath],
        ["payPerRequest", "modern", true, false, null, 30, "/health"],
    );
}

for (const tier of ["dev", "prod", "enterprise"] as const) {
    const spec: TierSpec = TIERS[tier];
    const managedCache = spec.cache.store === "managed";
    describe(`AWS ${tier}`, () => {
        const run = () => runs[tier]!;
        const azCount = tier === "enterprise" ? 3 : 2;

        describe("network", () => {
            it(`spans ${azCount} availability zones with public and private subnets`, () => {
                const subnets = all(run(), T.subnet);
                const priv = subnets.filter((s) => s.inputs.tags?.tier === "private");
                const pub = subnets.filter((s) => s.inputs.tags?.tier === "public");
                assert.equal(priv.length, azCount);
                assert.equal(pub.length, azCount);
                assert.equal(new Set(priv.map((s) => s.inputs.availabilityZone)).size, azCount);
                assert.ok(
                    subnets.every((s) => s.inputs.mapPublicIpOnLaunch === false),
                    "no subnet hands out public IPs",
                );
            });
            if (spec.nat === "none") {
                it("has no NAT gateway and no Elastic IP; the private subnets have no route out", () => {
                    assert.equal(all(run(), T.nat).length, 0);
                    assert.equal(all(run(), T.eip).length, 0);
                    const privateRts = all(run(), T.rt).filter((r) => /private-\d+-rt$/.test(r.name));
                    assert.equal(privateRts.length, azCount);
                    for (const rt of privateRts) assert.deepEqual(rt.inputs.routes, []);
                });
            } else {
                it("has NAT as the tier needs it and routes private subnets through it", () => {
                    const nats = all(run(), T.nat);
                    assert.equal(nats.length, spec.nat === "perZone" ? azCount : 1);
                    const privateRts = all(run(), T.rt).filter((r) => /private-\d+-rt$/.test(r.name));
                    assert.equal(privateRts.length, azCount);
                    for (const rt of privateRts) {
                        assert.ok(
                            rt.inputs.routes.some((r: any) => r.cidrBlock === "0.0.0.0/0" && nats.map(idOf).includes(r.natGatewayId)),
                        );
                    }
                });
            }
        });

        describe("McpCluster (ECS Fargate)", () => {
            if (spec.nat === "none") {
                it("runs in the public subnets with a public IPv4 per task (no NAT), admitting only the edge", () => {
                    const svc = named(run(), T.service, "mcp-server-service");
                    assert.equal(svc.inputs.networkConfiguration.assignPublicIp, true);
                    assert.deepEqual([...svc.inputs.networkConfiguration.subnets].sort(), subnetIds(run(), "public"));
                    const serviceSg = idOf(named(run(), T.sg, "mcp-server-sg"));
                    const into = all(run(), T.ingress).filter((r) => r.inputs.securityGroupId === serviceSg);
                    assert.deepEqual(
                        into.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.cidrIpv4]),
                        [[idOf(named(run(), T.sg, "mcp-edge-sg")), 8080, undefined]],
                    );
                    const s3 = named(run(), T.endpoint, "mcp-network-s3-endpoint");
                    assert.ok(
                        s3.inputs.routeTableIds.includes(idOf(named(run(), T.rt, "mcp-network-public-rt"))),
                        "image layers stay on the S3 endpoint",
                    );
                });
            } else {
                it("runs in private subnets with no public IP", () => {
                    const svc = named(run(), T.service, "mcp-server-service");
                    assert.equal(svc.inputs.networkConfiguration.assignPublicIp, false);
                    assert.deepEqual([...svc.inputs.networkConfiguration.subnets].sort(), subnetIds(run(), "private"));
                });
            }
            if (spec.edge.kind === "loadBalancer") {
                it("registers its tasks in the edge's target group", () => {
                    const svc = named(run(), T.service, "mcp-server-service");
                    assert.equal(svc.inputs.launchType, "FARGATE");
                    assert.equal(svc.inputs.loadBalancers[0].targetGroupArn, arnOf(T.tg, "mcp-edge-targets"));
                    assert.equal(svc.inputs.loadBalancers[0].containerPort, 8080);
                    assert.equal(svc.inputs.serviceRegistries, undefined);
                    assert.equal(svc.inputs.desiredCount, spec.service.minReplicas);
                });
            } else {
                it("registers its tasks in the edge's Cloud Map service", () => {
                    const svc = named(run(), T.service, "mcp-server-service");
                    assert.equal(svc.inputs.launchType, "FARGATE");
                    assert.equal(svc.inputs.serviceRegistries.registryArn, arnOf(T.discovery, "mcp-edge-discovery"));
                    assert.equal(svc.inputs.desiredCount, spec.service.minReplicas);
                });
            }
            it("sizes the task per tier, runs it on ARM64 (Graviton) from an arm64 image, with a health check on /health", () => {
                const task = named(run(), T.task, "mcp-server-task");
                assert.equal(task.inputs.cpu, String(Math.round((spec.service.milliCpu * 1024) / 1000)));
                assert.equal(task.inputs.memory, String(spec.service.memoryMiB));
                assert.deepEqual(task.inputs.requiresCompatibilities, ["FARGATE"]);
                assert.deepEqual(task.inputs.runtimePlatform, { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" });
                assert.equal(named(run(), T.image, "mcp-image-image").inputs.build.platform, "linux/arm64");
                const [c] = containers(task);
                assert.equal(c.healthCheck.command[0], "CMD");
                assert.match(c.healthCheck.command.join(" "), /127\.0\.0\.1:8080\/health/);
                assert.equal(c.logConfiguration.logDriver, "awslogs");
                assert.equal(c.readonlyRootFilesystem, true);
            });
            it("keeps logs for the tier's retention", () => {
                assert.equal(named(run(), T.logs, "mcp-server-logs").inputs.retentionInDays, spec.logRetentionDays);
            });
            it("autoscales between the tier's min and max on CPU", () => {
                const target = named(run(), T.target, "mcp-server-scaling-target");
                assert.equal(target.inputs.minCapacity, spec.service.minReplicas);
                assert.equal(target.inputs.maxCapacity, spec.service.maxReplicas);
                const policy = named(run(), T.policy, "mcp-server-scaling-policy");
                assert.equal(policy.inputs.policyType, "TargetTrackingScaling");
                assert.equal(policy.inputs.targetTrackingScalingPolicyConfiguration.targetValue, spec.service.targetCpuPercent);
            });
            it(`injects every secret from ${spec.secretStore === "managed" ? "Secrets Manager" : "Parameter Store"} (${managedCache ? "with" : "no"} REDIS_URL) and none as plain environment`, () => {
                const [c] = containers(named(run(), T.task, "mcp-server-task"));
                const secretNames = c.secrets.map((s: any) => s.name).sort();
                assert.deepEqual(
                    secretNames,
                    managedCache ? ["DATABASE_URL", "MCP_API_KEYS", "REDIS_URL"] : ["DATABASE_URL", "MCP_API_KEYS"],
                );
                for (const s of c.secrets)
                    assert.match(
                        s.valueFrom,
                        spec.secretStore === "managed"
                            ? /^arn:aws:mock:.*:Secret\/.*:(url|keys)::$/
                            : /^arn:aws:mock:.*:Parameter\/.*-(url|keys)$/,
                    );
                const generated = all(run(), T.password).map((p) => p.name);
                const plain = JSON.stringify(c.environment);
                for (const name of generated) assert.ok(!plain.includes(`mock-secret-${name}`), `${name} leaks into the environment`);
                assert.ok(!c.environment.some((e: any) => /PASSWORD|TOKEN|SECRET|DATABASE_URL|REDIS_URL|API_KEY/.test(e.name)));
            });
            it("accepts the edge's public host name on /mcp", () => {
                const host = new URL(run().outputs.mcpUrl).host;
                assert.deepEqual(env(run()).MCP_ALLOWED_HOSTS.split(","), [host]);
            });
            it(
                spec.secretStore === "managed"
                    ? "stores generated credentials only in Secrets Manager"
                    : "stores generated credentials only in Parameter Store SecureString parameters (secretStore platform)",
                () => {
                    const secrets = managedCache ? 3 : 2;
                    if (spec.secretStore === "managed") {
                        const versions = all(run(), T.secretVersion);
                        // + the append-only server role's secret (issue 11): the master secret is the migrate step's only.
                        assert.equal(versions.length, secrets + 1);
                        for (const v of versions)
                            assert.ok(v.secretInputs.includes("secretString"), `${v.name} is stored as a Pulumi secret`);
                        assert.equal(all(run(), "aws:ssm/parameter:Parameter").length, 0);
                    } else {
                        assert.equal(all(run(), T.secret).length, 0, "no Secrets Manager secret");
                        // Each document and each value the task reads (DATABASE_URL, MCP_API_KEYS) is a SecureString parameter.
                        const params = all(run(), "aws:ssm/parameter:Parameter");
                        // + the server role's document, its url and its password (read by audit:migrate) (issue 11).
                        assert.equal(params.length, secrets * 2 + 3);
                        for (const p of params) {
                            assert.equal(p.inputs.type, "SecureString");
                            assert.equal(p.inputs.tier, "Standard", "standard parameters carry no charge");
                            assert.ok(p.secretInputs.includes("value"), `${p.name} is stored as a Pulumi secret`);
                        }
                        const [c] = containers(named(run(), T.task, "mcp-server-task"));
                        const reads = Object.fromEntries(c.secrets.map((x: any) => [x.name, x.valueFrom]));
                        assert.deepEqual(Object.keys(reads).sort(), ["DATABASE_URL", "MCP_API_KEYS"]);
                        assert.match(
                            reads.DATABASE_URL,
                            /Parameter\/mcp-audit-server-credentials-url$/,
                            "the server role's URL parameter, whole",
                        );
                        assert.match(reads.MCP_API_KEYS, /Parameter\/mcp-server-api-keys-keys$/);
                    }
                    // A serverless cache's user group also holds a switched-off default user with a password of its own.
                    const offUser = managedCache && awsSizing(spec).cacheMode === "serverless" ? 1 : 0;
                    assert.equal(
                        all(run(), T.password).length,
                        secrets + 1 + offUser,
                        managedCache
                            ? "database master and server passwords, cache token and API key"
                            : "database master and server passwords and API key",
                    );
                },
            );
            it("gives the execution role only what it needs and the task role only its audit checkpoints", () => {
                const policy = JSON.parse(named(run(), T.rolePolicy, "mcp-server-execution-policy").inputs.policy);
                for (const st of policy.Statement) {
                    const wildcard = [st.Resource].flat().includes("*");
                    if (wildcard) assert.deepEqual(st.Action, ["ecr:GetAuthorizationToken"], "only GetAuthorizationToken needs Resource *");
                    assert.ok(!st.Action.some((a: string) => a.endsWith(":*")), `no wildcard action in ${JSON.stringify(st)}`);
                }
                const secretsSt = policy.Statement.find((s: any) =>
                    s.Action.includes(spec.secretStore === "managed" ? "secretsmanager:GetSecretValue" : "ssm:GetParameters"),
                );
                // The server's secrets and audit:migrate's (master URL, server role password): issue 11.
                // (Secrets Manager: one ARN per document; Parameter Store: one parameter per value read.)
                assert.equal(secretsSt.Resource.length, (managedCache ? 1 : 0) + (spec.secretStore === "managed" ? 3 : 4));
                assert.equal(
                    policy.Statement.filter((s: any) => s.Action.some((a: string) => /^(secretsmanager|ssm):/.test(a))).length,
                    1,
                    "one store only",
                );
                // The monitor's flow-log role (prod, enterprise) has its own; the service's roles: only the execution role.
                assert.deepEqual(
                    all(run(), T.rolePolicy)
                        .filter((p) => p.name.startsWith("mcp-server-"))
                        .map((p) => p.name)
                        .sort(),
                    ["mcp-server-execution-policy", "mcp-server-task-policy"],
                    "the execution role, and the task role for its checkpoints (test/aws-audit.test.ts)",
                );
                assert.equal(all(run(), T.attachment).length, 0, "no broad managed policies attached");
            });
        });

        if (spec.edge.kind === "payPerRequest") {
            describe("EdgeLB (API Gateway HTTP API)", () => {
                it("routes /mcp and /health only, through a VPC link and Cloud Map to the service port, with no load balancer", () =>
                    assertHttpApiEdge(run()));
                it("serves HTTPS on the API's own execute-api name", () => {
                    const api = named(run(), T.api, "mcp-edge-api");
                    assert.equal(api.inputs.disableExecuteApiEndpoint, false);
                    assert.match(run().outputs.mcpUrl, /^https:\/\/[a-z0-9]+\.execute-api\.us-east-1\.amazonaws\.com\/mcp$/);
                    assert.equal(all(run(), T.domain).length, 0);
                    assert.equal(all(run(), T.cert).length, 0);
                });
            });
        } else {
            describe("EdgeLB (ALB)", () => {
                it("is internet-facing in the public subnets with an idle timeout for streamed responses", () => {
                    const alb = named(run(), T.alb, "mcp-edge-alb");
                    assert.equal(alb.inputs.internal, false);
                    assert.deepEqual([...alb.inputs.subnets].sort(), subnetIds(run(), "public"));
                    assert.ok(alb.inputs.idleTimeout >= 300);
                    assert.equal(alb.inputs.dropInvalidHeaderFields, true);
                    for (const t of [T.api, T.vpcLink, T.discovery, T.namespace]) assert.equal(all(run(), t).length, 0, t);
                });
                it("health-checks targets on the server's health path", () => {
                    const tg = named(run(), T.tg, "mcp-edge-targets");
                    assert.equal(tg.inputs.healthCheck.path, "/health");
                    assert.equal(tg.inputs.targetType, "ip");
                });
                // Issue 14: prod and enterprise serve HTTPS only (the shipped stacks carry a placeholder domain).
                {
                    it("serves HTTPS with a modern TLS policy and an ACM certificate, and redirects HTTP", () => {
                        const https = named(run(), T.listener, "mcp-edge-https");
                        assert.equal(https.inputs.protocol, "HTTPS");
                        assert.match(https.inputs.sslPolicy, /^ELBSecurityPolicy-TLS13-1-2/);
                        assert.ok(https.inputs.certificateArn);
                        assert.equal(named(run(), T.cert, "mcp-edge-certificate").inputs.domainName, "mcp.example.com");
                        const http = named(run(), T.listener, "mcp-edge-http");
                        assert.deepEqual(http.inputs.defaultActions[0].redirect, {
                            protocol: "HTTPS",
                            port: "443",
                            statusCode: "HTTP_301",
                        });
                        assert.equal(run().outputs.mcpUrl, "https://mcp.example.com/mcp");
                    });
                }
                it("has a WAF with AWS managed rules and a per-client-IP rate limit, attached to the ALB", () => {
                    const waf = named(run(), T.waf, "mcp-edge-waf");
                    assert.equal(waf.inputs.scope, "REGIONAL");
                    const managed = waf.inputs.rules
                        .filter((r: any) => r.statement.managedRuleGroupStatement)
                        .map((r: any) => r.statement.managedRuleGroupStatement.name);
                    // Issue 15: wafRules compact (prod) keeps the core rule set only; separate (enterprise) every group.
                    assert.deepEqual(
                        managed,
                        spec.edge.wafRules === "compact"
                            ? MANAGED_RULE_GROUPS[spec.edge.waf].slice(0, 1)
                            : MANAGED_RULE_GROUPS[spec.edge.waf],
                    );
                    assert.equal(managed[0], "AWSManagedRulesCommonRuleSet");
                    const rate = waf.inputs.rules.find((r: any) => r.statement.rateBasedStatement);
                    assert.equal(rate.statement.rateBasedStatement.aggregateKeyType, "IP");
                    assert.equal(rate.statement.rateBasedStatement.limit, spec.edge.rateLimitPerMinute);
                    assert.equal(rate.statement.rateBasedStatement.evaluationWindowSec, 60);
                    assert.ok("block" in rate.action);
                    assert.equal(all(run(), T.wafAssoc).length, 1);
                });
            });
        }

        describe("AuditDatabase (RDS PostgreSQL)", () => {
            const primary = () => named(run(), T.rds, "mcp-audit-instance");
            it("is encrypted, private and forces SSL", () => {
                assert.equal(primary().inputs.storageEncrypted, true);
                assert.equal(primary().inputs.publiclyAccessible, false);
                const params = named(run(), T.params, "mcp-audit-params");
                assert.ok(params.inputs.parameters.some((p: any) => p.name === "rds.force_ssl" && p.value === "1"));
                assert.equal(primary().inputs.parameterGroupName, "mcp-audit-params-1a2b3c");
            });
            it(`is ${spec.database.highAvailability ? "" : "not "}Multi-AZ with ${spec.database.backupRetentionDays}-day backups`, () => {
                assert.equal(primary().inputs.multiAz, spec.database.highAvailability);
                assert.equal(primary().inputs.backupRetentionPeriod, spec.database.backupRetentionDays);
            });
            it(`${spec.database.deletionProtection ? "has" : "has no"} deletion protection and final snapshot`, () => {
                assert.equal(primary().inputs.deletionProtection, spec.database.deletionProtection);
                assert.equal(primary().inputs.skipFinalSnapshot, !spec.database.deletionProtection);
                if (spec.database.deletionProtection) assert.match(primary().inputs.finalSnapshotIdentifier, /^mcp-audit-final-/);
            });
            it(`has ${spec.database.readReplicas} read replica(s)`, () => {
                const replicas = all(run(), T.rds).filter((r) => r.inputs.replicateSourceDb);
                assert.equal(replicas.length, spec.database.readReplicas);
                for (const r of replicas) {
                    assert.equal(r.inputs.replicateSourceDb, primary().inputs.identifier ?? "mcp-audit-instance-id");
                    assert.equal(r.inputs.publiclyAccessible, false);
                    assert.equal(r.inputs.storageEncrypted, true);
                }
            });
        });

        if (managedCache) {
            if (awsSizing(spec).cacheMode === "serverless")
                describe("SessionCache (ElastiCache Serverless for Valkey, issue 15)", () => {
                    const cache = () => named(run(), "aws:elasticache/serverlessCache:ServerlessCache", "mcp-cache-serverless");
                    it("is serverless Valkey in the private subnets of both zones, capped at the tier's memory, behind a user group", () => {
                        assert.equal(all(run(), T.redis).length, 0, "no cache nodes");
                        assert.equal(cache().inputs.engine, "valkey");
                        assert.equal(cache().inputs.subnetIds.length, 2);
                        assert.deepEqual(cache().inputs.cacheUsageLimits.dataStorage, { maximum: 1, unit: "GB" });
                        const group = named(run(), "aws:elasticache/userGroup:UserGroup", "mcp-cache-user-group");
                        assert.equal(group.inputs.engine, "valkey");
                        assert.equal(cache().inputs.userGroupId, group.inputs.userGroupId);
                        const app = named(run(), "aws:elasticache/user:User", "mcp-cache-app-user");
                        assert.match(app.inputs.accessString, /^on /);
                        assert.ok(app.secretInputs.includes("authenticationMode"), "the password is a Pulumi secret");
                        assert.match(
                            named(run(), "aws:elasticache/user:User", "mcp-cache-default-user").inputs.accessString,
                            /^off /,
                            "the default user is switched off",
                        );
                    });
                    it("tells the server to speak cluster mode, and its summary keeps the tier's HA promise", async () => {
                        const task = named(run(), T.task, "mcp-server-task");
                        const env = JSON.parse(task.inputs.containerDefinitions)[0].environment;
                        assert.deepEqual(
                            env.find((e: any) => e.name === "REDIS_CLUSTER"),
                            { name: "REDIS_CLUSTER", value: "true" },
                        );
                        const c = run().outputs.summary.cache;
                        assert.deepEqual(
                            [c.highAvailability, c.replicas, c.tls, c.encryptedAtRest, c.authRequired, c.publicAccess],
                            [true, 1, true, true, true, false],
                        );
                    });
                });
            else
                describe("SessionCache (ElastiCache)", () => {
                    const group = () => named(run(), T.redis, "mcp-cache-replication-group");
                    it("encrypts at rest and in transit and requires an auth token", () => {
                        assert.equal(group().inputs.atRestEncryptionEnabled, true);
                        assert.equal(group().inputs.transitEncryptionEnabled, true);
                        assert.ok(String(group().inputs.authToken).length >= 32);
                        assert.ok(group().secretInputs.includes("authToken"), "the token is a Pulumi secret");
                    });
                    it(`${spec.cache.highAvailability ? "fails over automatically across AZs" : "is a single node"}`, () => {
                        assert.equal(group().inputs.automaticFailoverEnabled, spec.cache.highAvailability);
                        assert.equal(group().inputs.multiAzEnabled, spec.cache.highAvailability);
                        assert.equal(group().inputs.numCacheClusters, 1 + spec.cache.replicas);
                    });
                });
        } else {
            describe("SessionCache", () => {
                it("is not created: the single replica keeps its state in memory", () => {
                    assert.equal(all(run(), T.redis).length, 0);
                    assert.ok(!run().resources.some((r) => r.name.startsWith("mcp-cache")));
                    assert.equal(run().outputs.summary.cache, null);
                });
            });
        }

        describe("security groups", () => {
            const sgId = (name: string) => idOf(named(run(), T.sg, name));
            it(
                spec.edge.kind === "loadBalancer"
                    ? "open nothing to the internet but the edge's listeners"
                    : "open nothing to the internet at all",
                () => {
                    const open = all(run(), T.ingress).filter((r) => r.inputs.cidrIpv4 || r.inputs.cidrIpv6);
                    if (spec.edge.kind === "payPerRequest")
                        assert.deepEqual(open, [], "API Gateway is the public endpoint; no security group is world-open");
                    else assert.ok(open.length > 0);
                    for (const r of open) {
                        assert.equal(r.inputs.securityGroupId, sgId("mcp-edge-sg"), `${r.name} opens a non-edge group`);
                        assert.ok([80, 443].includes(r.inputs.fromPort) && r.inputs.fromPort === r.inputs.toPort);
                    }
                    for (const sg of all(run(), T.sg)) assert.equal(sg.inputs.ingress, undefined, `${sg.name} has no inline rules`);
                },
            );
            it(`let the service in only from the edge, and the database${managedCache ? " and cache" : ""} only from the service`, () => {
                const into = (group: string) => all(run(), T.ingress).filter((r) => r.inputs.securityGroupId === sgId(group));
                assert.deepEqual(
                    into("mcp-server-sg").map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort]),
                    [[sgId("mcp-edge-sg"), 8080]],
                );
                assert.deepEqual(
                    into("mcp-audit-sg").map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort]),
                    [[sgId("mcp-server-sg"), 5432]],
                );
                if (managedCache)
                    assert.deepEqual(
                        into("mcp-cache-sg").map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort]),
                        [[sgId("mcp-server-sg"), 6379]],
                    );
            });
        });

        describe("components", () => {
            it("report summaries that meet the tier table", () => {
                const s = run().outputs.summary;
                assert.deepEqual(
                    [
                        s.cluster.minReplicas,
                        s.cluster.maxReplicas,
                        s.cluster.milliCpu,
                        s.cluster.memoryMiB,
                        s.cluster.zones,
                        s.cluster.publicIp,
                        s.cluster.scalesToZero,
                        s.cluster.cpuArchitecture,
                    ],
                    [
                        spec.service.minReplicas,
                        spec.service.maxReplicas,
                        spec.service.milliCpu,
                        spec.service.memoryMiB,
                        spec.zones,
                        spec.nat === "none",
                        false,
                        "arm64",
                    ],
                );
                assert.ok(s.database.vcpu >= spec.database.vcpu && s.database.memoryGiB >= spec.database.memoryGiB);
                assert.deepEqual(
                    [
                        s.database.storageGiB,
                        s.database.highAvailability,
                        s.database.backupRetentionDays,
                        s.database.readReplicas,
                        s.database.tlsRequired,
                        s.database.publicAccess,
                    ],
                    [
                        spec.database.storageGiB,
                        spec.database.highAvailability,
                        spec.database.backupRetentionDays,
                        spec.database.readReplicas,
                        true,
                        false,
                    ],
                );
                if (managedCache) {
                    assert.ok(s.cache.memoryMiB >= spec.cache.memoryMiB);
                    assert.deepEqual(
                        [s.cache.highAvailability, s.cache.replicas, s.cache.tls],
                        [spec.cache.highAvailability, spec.cache.replicas, true],
                    );
                } else {
                    assert.equal(s.cache, null);
                }
                assert.deepEqual(
                    [s.edge.kind, s.edge.waf, s.edge.rateLimitPerMinute],
                    [spec.edge.kind, spec.edge.waf !== "none", spec.edge.rateLimitPerMinute],
                );
            });
            it("name every child after its component", () => {
                const components = [
                    "mcp-network",
                    "mcp-image",
                    "mcp-audit",
                    ...(managedCache ? ["mcp-cache"] : []),
                    "mcp-edge",
                    "mcp-server",
                    "mcp-monitor",
                ];
                const custom = run().resources.filter((r) => r.custom);
                for (const r of custom)
                    assert.ok(
                        components.some((c) => r.name.startsWith(`${c}-`)),
                        `${r.name} is not named under a component`,
                    );
                const types = run()
                    .resources.filter((r) => !r.custom)
                    .map((r) => r.type)
                    .sort();
                const names = [
                    "AuditDatabase",
                    "EdgeLB",
                    "McpCluster",
                    "McpDeployment",
                    "McpMonitor",
                    "Network",
                    "ServerImage",
                    ...(managedCache ? ["SessionCache"] : []),
                ];
                assert.deepEqual(
                    types,
                    names.sort().map((n) => `mcp-infra:index:${n}`),
                );
            });
        });
    });
}

describe("AWS cost choices, overridden in stack config", () => {
    it("cpuArchitecture x86_64 runs X86_64 tasks from a linux/amd64 image, and the estimate prices x86 Fargate", async () => {
        const run = await withConfig("prod-aws", { "mcp-infra:cpuArchitecture": "x86_64" });
        assert.deepEqual(named(run, T.task, "mcp-server-task").inputs.runtimePlatform, {
            operatingSystemFamily: "LINUX",
            cpuArchitecture: "X86_64",
        });
        assert.equal(named(run, T.image, "mcp-image-image").inputs.build.platform, "linux/amd64");
        assert.equal(run.outputs.summary.cluster.cpuArchitecture, "x86_64");
        const fargate = estimateCost(declared(run)).lines.filter(
            (l) => l.resource === "mcp-server-service" && l.priceId.startsWith("aws.fargate."),
        );
        assert.deepEqual(fargate.map((l) => l.priceId).sort(), ["aws.fargate.x86.gb", "aws.fargate.x86.vcpu"]);
        const arm = estimateCost(declared(runs.prod!)).lines.filter(
            (l) => l.resource === "mcp-server-service" && l.priceId.startsWith("aws.fargate."),
        );
        assert.deepEqual(arm.map((l) => l.priceId).sort(), ["aws.fargate.arm.gb", "aws.fargate.arm.vcpu"]);
        const sum = (ls: typeof arm) => ls.reduce((s, l) => s + l.monthlyUsd, 0);
        assert.ok(sum(arm) < sum(fargate), `Graviton is cheaper: ${sum(arm)} vs ${sum(fargate)}`);
    });

    it("natGateways single on dev: one NAT, tasks back in the private subnets without a public IP", async () => {
        const run = await withConfig("dev-aws", { "mcp-infra:natGateways": "single" });
        const nats = all(run, T.nat);
        assert.equal(nats.length, 1);
        for (const rt of all(run, T.rt).filter((r) => /private-\d+-rt$/.test(r.name))) {
            assert.deepEqual(rt.inputs.routes, [{ cidrBlock: "0.0.0.0/0", natGatewayId: idOf(nats[0]) }]);
        }
        const svc = named(run, T.service, "mcp-server-service");
        assert.equal(svc.inputs.networkConfiguration.assignPublicIp, false);
        assert.deepEqual([...svc.inputs.networkConfiguration.subnets].sort(), subnetIds(run, "private"));
        const s3 = named(run, T.endpoint, "mcp-network-s3-endpoint");
        assert.ok(!s3.inputs.routeTableIds.includes(idOf(named(run, T.rt, "mcp-network-public-rt"))));
        assert.equal(run.outputs.summary.cluster.publicIp, false);
        const e = estimateCost(declared(run));
        assert.ok(e.lines.some((l) => l.priceId === "aws.nat.hour"));
        assert.ok(!e.lines.some((l) => l.resource === "mcp-server-service" && l.priceId === "aws.ipv4.hour"), "no task IPv4 behind NAT");
    });

    it("natGateways none on prod: no NAT, tasks in the public subnets with a public IPv4 each, still reachable only from the ALB", async () => {
        const run = await withConfig("prod-aws", { "mcp-infra:natGateways": "none" });
        assert.equal(all(run, T.nat).length, 0);
        assert.equal(all(run, T.eip).length, 0);
        const svc = named(run, T.service, "mcp-server-service");
        assert.equal(svc.inputs.networkConfiguration.assignPublicIp, true);
        assert.deepEqual([...svc.inputs.networkConfiguration.subnets].sort(), subnetIds(run, "public"));
        const serviceSg = idOf(named(run, T.sg, "mcp-server-sg"));
        const into = all(run, T.ingress).filter((r) => r.inputs.securityGroupId === serviceSg);
        assert.deepEqual(
            into.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.cidrIpv4]),
            [[idOf(named(run, T.sg, "mcp-edge-sg")), 8080, undefined]],
        );
        assert.equal(run.outputs.summary.cluster.publicIp, true);
        // Issue 14, finding 5: the summary says what the public address admits.
        assert.equal(run.outputs.summary.cluster.publicIpInbound, "tcp 8080 from the edge's security group only");
        const ipv4 = estimateCost(declared(run)).lines.find((l) => l.resource === "mcp-server-service" && l.priceId === "aws.ipv4.hour")!;
        assert.equal(ipv4.quantity, TIERS.prod.service.minReplicas * HOURS_PER_MONTH, "one public IPv4 per always-running task");
    });

    it("edgeKind loadBalancer on dev brings back the ALB (no WAF: dev has none) and the target group registration", async () => {
        const run = await withConfig("dev-aws", { "mcp-infra:edgeKind": "loadBalancer" });
        assert.equal(named(run, T.alb, "mcp-edge-alb").inputs.internal, false);
        const svc = named(run, T.service, "mcp-server-service");
        assert.equal(svc.inputs.loadBalancers[0].targetGroupArn, arnOf(T.tg, "mcp-edge-targets"));
        assert.equal(svc.inputs.serviceRegistries, undefined);
        for (const t of [T.api, T.stage, T.route, T.integration, T.vpcLink, T.namespace, T.discovery, T.waf])
            assert.equal(all(run, t).length, 0, t);
        assert.match(run.outputs.mcpUrl, /^http:\/\/.*elb\.amazonaws\.com\/mcp$/);
        assert.deepEqual(
            [run.outputs.summary.edge.kind, run.outputs.summary.edge.tls, run.outputs.summary.edge.httpRedirect],
            ["loadBalancer", "none", false],
        );
        // Still no NAT in dev: the tasks keep their public IPv4 and admit only the ALB's group.
        assert.equal(svc.inputs.networkConfiguration.assignPublicIp, true);
    });

    it("cacheMode nodes on prod brings back the two-node replication group, without cluster mode", async () => {
        const run = await withConfig("prod-aws", { "mcp-infra:cacheMode": "nodes" });
        const group = named(run, T.redis, "mcp-cache-replication-group");
        assert.equal(group.inputs.numCacheClusters, 2);
        assert.equal(group.inputs.multiAzEnabled, true);
        assert.equal(all(run, "aws:elasticache/serverlessCache:ServerlessCache").length, 0);
        const env = JSON.parse(named(run, T.task, "mcp-server-task").inputs.containerDefinitions)[0].environment;
        assert.ok(!env.some((e: any) => e.name === "REDIS_CLUSTER"));
    });

    it("containerInsights and wafRules undo their prod defaults: Container Insights on, every managed rule group", async () => {
        const run = await withConfig("prod-aws", { "mcp-infra:containerInsights": "true", "mcp-infra:wafRules": "separate" });
        assert.deepEqual(named(run, "aws:ecs/cluster:Cluster", "mcp-server-cluster").inputs.settings, [
            { name: "containerInsights", value: "enabled" },
        ]);
        const managed = named(run, T.waf, "mcp-edge-waf").inputs.rules.filter((r: any) => r.statement.managedRuleGroupStatement);
        assert.equal(managed.length, MANAGED_RULE_GROUPS.baseline.length);
        assert.deepEqual(
            named(runs.prod!, "aws:ecs/cluster:Cluster", "mcp-server-cluster").inputs.settings,
            [{ name: "containerInsights", value: "disabled" }],
            "off by default in prod",
        );
    });

    it("sessionStore managed with maxReplicas 2 on dev brings back ElastiCache and REDIS_URL", async () => {
        const run = await withConfig("dev-aws", {
            "mcp-infra:sessionStore": "managed",
            "mcp-infra:maxReplicas": "2",
            "mcp-infra:cacheMode": "nodes",
        });
        const group = named(run, T.redis, "mcp-cache-replication-group");
        assert.equal(group.inputs.transitEncryptionEnabled, true);
        assert.equal(group.inputs.numCacheClusters, 1);
        const [c] = containers(named(run, T.task, "mcp-server-task"));
        assert.ok(c.secrets.some((s: any) => s.name === "REDIS_URL"));
        assert.equal(named(run, T.target, "mcp-server-scaling-target").inputs.maxCapacity, 2);
        const cacheSg = idOf(named(run, T.sg, "mcp-cache-sg"));
        const into = all(run, T.ingress).filter((r) => r.inputs.securityGroupId === cacheSg);
        assert.deepEqual(
            into.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort]),
            [[idOf(named(run, T.sg, "mcp-server-sg")), 6379]],
        );
        assert.ok(run.outputs.summary.cache);
    });

    it("payPerRequest with a domain: a TLS_1_2 custom domain, its API mapping and alias, and the execute-api endpoint off", async () => {
        const run = await withConfig("dev-aws", { "mcp-infra:domain": "mcp.example.com" });
        assertHttpApiEdge(run);
        const api = named(run, T.api, "mcp-edge-api");
        assert.equal(api.inputs.disableExecuteApiEndpoint, true, "the domain is the only way in");
        const domain = named(run, T.domain, "mcp-edge-domain");
        assert.equal(domain.inputs.domainName, "mcp.example.com");
        assert.deepEqual(
            [
                domain.inputs.domainNameConfiguration.endpointType,
                domain.inputs.domainNameConfiguration.securityPolicy,
                domain.inputs.domainNameConfiguration.certificateArn,
            ],
            ["REGIONAL", "TLS_1_2", arnOf(T.cert, "mcp-edge-certificate")],
        );
        const mapping = named(run, T.mapping, "mcp-edge-api-mapping");
        assert.deepEqual([mapping.inputs.apiId, mapping.inputs.domainName, mapping.inputs.stage], [idOf(api), idOf(domain), "$default"]);
        const alias = named(run, T.record, "mcp-edge-alias");
        assert.equal(alias.inputs.name, "mcp.example.com");
        assert.equal(alias.inputs.type, "A");
        assert.match(alias.inputs.aliases[0].name, /execute-api\.us-east-1\.amazonaws\.com$/);
        assert.equal(run.outputs.mcpUrl, "https://mcp.example.com/mcp");
        assert.equal(env(run).MCP_ALLOWED_HOSTS, "mcp.example.com");
    });

    it("refuses arm64 tasks on an image built for x86_64 when the Network and the McpCluster disagree", async () => {
        const build = () =>
            runProgram("lib-aws", { "aws:region": "eu-west-1" }, () => {
                const network = new lib.Network("n", { cloud: "aws", tier: "dev", overrides: { cpuArchitecture: "x86_64" } });
                const image = new lib.ServerImage("img", { network });
                const database = new lib.AuditDatabase("db", { network });
                const edge = new lib.EdgeLB("lb", { network });
                new lib.McpCluster("svc", { network, image, database, edge });
                return {};
            });
        await assert.rejects(
            build(),
            (e: unknown) =>
                e instanceof ConfigError && e.key === "mcp-infra:cpuArchitecture" && /built for x86_64.*asks for arm64/.test(e.message),
        );
    });

    it("refuses a payPerRequest edge for a restricted TLS profile (HTTP APIs offer only TLS_1_2)", () => {
        const spec = structuredClone(TIERS.enterprise) as TierSpec;
        spec.edge = { ...spec.edge, kind: "payPerRequest", waf: "none", rateLimitPerMinute: null };
        assert.throws(
            () => awsSizing(spec),
            (e: unknown) => e instanceof ConfigError && e.key === "mcp-infra:edgeKind" && /TLS_1_2/.test(e.message),
        );
        assert.equal(awsSizing(TIERS.dev).httpApiTlsPolicy, "TLS_1_2");
        assert.equal(awsSizing(TIERS.prod).httpApiTlsPolicy, undefined, "no HTTP API in prod");
    });
});

describe("AWS cost against the issue-5 targets (list prices, default usage)", () => {
    const estimate = (tier: TierName) => estimateCost(declared(runs[tier]!));
    it("prices every new billable type: the task's public IPv4, HTTP API requests, Cloud Map instances, discovery calls and hosted zone", () => {
        const e = estimate("dev");
        assert.deepEqual(e.unpriced, []);
        const line = (priceId: string) => {
            const found = e.lines.filter((l) => l.priceId === priceId);
            assert.equal(found.length, 1, priceId);
            return found[0];
        };
        for (const id of ["aws.apigw.http.requests", "aws.cloudmap.instance", "aws.cloudmap.discover", "aws.route53.zone"])
            assert.ok(CATALOG.has(id), id);
        assert.equal(line("aws.apigw.http.requests").quantity, e.assumptions.monthlyRequests / 1e6);
        assert.equal(line("aws.cloudmap.instance").quantity, TIERS.dev.service.minReplicas);
        assert.equal(line("aws.route53.zone").resource, "mcp-edge-namespace");
        const ipv4 = line("aws.ipv4.hour");
        assert.deepEqual([ipv4.resource, ipv4.quantity], ["mcp-server-service", HOURS_PER_MONTH]);
        assert.equal(ipv4.monthlyUsd, Math.round(HOURS_PER_MONTH * price("aws.ipv4.hour")!.usd * 100) / 100);
        for (const gone of ["aws.nat.hour", "aws.alb.hour"])
            assert.ok(!e.lines.some((l) => l.priceId === gone), `${gone} is gone from dev`);
        assert.ok(!e.lines.some((l) => l.priceId.startsWith("aws.elasticache.")), "no ElastiCache in dev");
        assert.ok(
            e.free.some((f) => f.type === T.vpcLink),
            "the VPC link is free",
        );
    });
    it("dev stays at or under its $28.50 floor and prod under its $170 floor (issue 15)", () => {
        // The floors are for the tier's topology; the monitor (issue 13) is priced beside them (pricing/targets.ts).
        const dev = floorBasis(estimate("dev")).basisUsd;
        const prod = floorBasis(estimate("prod")).basisUsd;
        assert.ok(dev <= 28.5, `dev-aws is $${dev} before monitoring`);
        assert.ok(prod <= 170, `prod-aws is $${prod} before monitoring`);
    });
});
