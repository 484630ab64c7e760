/**
 * The AWS topology for every tier, asserted on the inputs the program gives
 * its resources under Pulumi's mocks.
 */
import * as assert from "node:assert/strict";
import { runStack, ProgramRun } from "../scripts/harness";
import { TIERS, TierName } from "../sizing";
import { MANAGED_RULE_GROUPS } from "../components/aws/edge";
import { all, containers, idOf, named } from "./util";

const T = {
    vpc: "aws:ec2/vpc:Vpc", subnet: "aws:ec2/subnet:Subnet", nat: "aws:ec2/natGateway:NatGateway", rt: "aws:ec2/routeTable:RouteTable",
    sg: "aws:ec2/securityGroup:SecurityGroup", ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    rds: "aws:rds/instance:Instance", params: "aws:rds/parameterGroup:ParameterGroup",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup", task: "aws:ecs/taskDefinition:TaskDefinition",
    service: "aws:ecs/service:Service", target: "aws:appautoscaling/target:Target", policy: "aws:appautoscaling/policy:Policy",
    logs: "aws:cloudwatch/logGroup:LogGroup", alb: "aws:lb/loadBalancer:LoadBalancer", listener: "aws:lb/listener:Listener",
    tg: "aws:lb/targetGroup:TargetGroup", waf: "aws:wafv2/webAcl:WebAcl", wafAssoc: "aws:wafv2/webAclAssociation:WebAclAssociation",
    cert: "aws:acm/certificate:Certificate", secret: "aws:secretsmanager/secret:Secret", secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    password: "random:index/randomPassword:RandomPassword", role: "aws:iam/role:Role", rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
};

const runs: Partial<Record<TierName, ProgramRun>> = {};

before(async () => {
    for (const tier of ["dev", "prod", "enterprise"] as const) runs[tier] = await runStack(`${tier}-aws`);
});

for (const tier of ["dev", "prod", "enterprise"] as const) {
    const spec = TIERS[tier];
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
                assert.ok(subnets.every((s) => s.inputs.mapPublicIpOnLaunch === false), "no subnet hands out public IPs");
            });
            it("has NAT as the tier needs it and routes private subnets through it", () => {
                const nats = all(run(), T.nat);
                assert.equal(nats.length, spec.nat === "perZone" ? azCount : 1);
                const privateRts = all(run(), T.rt).filter((r) => /private-\d+-rt$/.test(r.name));
                assert.equal(privateRts.length, azCount);
                for (const rt of privateRts) {
                    assert.ok(rt.inputs.routes.some((r: any) => r.cidrBlock === "0.0.0.0/0" && nats.map(idOf).includes(r.natGatewayId)));
                }
            });
        });

        describe("McpCluster (ECS Fargate)", () => {
            it("runs in private subnets with no public IP, behind the edge's target group", () => {
                const svc = named(run(), T.service, "mcp-server-service");
                const privIds = all(run(), T.subnet).filter((s) => s.inputs.tags?.tier === "private").map(idOf);
                assert.equal(svc.inputs.launchType, "FARGATE");
                assert.equal(svc.inputs.networkConfiguration.assignPublicIp, false);
                assert.deepEqual([...svc.inputs.networkConfiguration.subnets].sort(), privIds.sort());
                assert.equal(svc.inputs.loadBalancers[0].targetGroupArn, `arn:aws:mock:us-east-1:123456789012:TargetGroup/mcp-edge-targets`);
                assert.equal(svc.inputs.loadBalancers[0].containerPort, 8080);
                assert.equal(svc.inputs.desiredCount, spec.service.minReplicas);
            });
            it("sizes the task per tier and has a container health check on /health", () => {
                const task = named(run(), T.task, "mcp-server-task");
                assert.equal(task.inputs.cpu, String(Math.round((spec.service.milliCpu * 1024) / 1000)));
                assert.equal(task.inputs.memory, String(spec.service.memoryMiB));
                assert.deepEqual(task.inputs.requiresCompatibilities, ["FARGATE"]);
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
            it("injects every secret from Secrets Manager and none as plain environment", () => {
                const [c] = containers(named(run(), T.task, "mcp-server-task"));
                const secretNames = c.secrets.map((s: any) => s.name).sort();
                assert.deepEqual(secretNames, ["DATABASE_URL", "MCP_API_KEYS", "REDIS_URL"]);
                for (const s of c.secrets) assert.match(s.valueFrom, /^arn:aws:mock:.*:Secret\/.*:(url|keys)::$/);
                const generated = all(run(), T.password).map((p) => p.name);
                const env = JSON.stringify(c.environment);
                for (const name of generated) assert.ok(!env.includes(`mock-secret-${name}`), `${name} leaks into the environment`);
                assert.ok(!c.environment.some((e: any) => /PASSWORD|TOKEN|SECRET|DATABASE_URL|REDIS_URL|API_KEY/.test(e.name)));
            });
            it("stores generated credentials only in Secrets Manager", () => {
                const versions = all(run(), T.secretVersion);
                assert.equal(versions.length, 3);
                for (const v of versions) assert.ok(v.secretInputs.includes("secretString"), `${v.name} is stored as a Pulumi secret`);
                assert.equal(all(run(), T.password).length, 3, "database password, cache token and API key are generated");
            });
            it("gives the execution role only what it needs and the task role nothing", () => {
                const policy = JSON.parse(named(run(), T.rolePolicy, "mcp-server-execution-policy").inputs.policy);
                for (const st of policy.Statement) {
                    const wildcard = [st.Resource].flat().includes("*");
                    if (wildcard) assert.deepEqual(st.Action, ["ecr:GetAuthorizationToken"], "only GetAuthorizationToken needs Resource *");
                    assert.ok(!st.Action.some((a: string) => a.endsWith(":*")), `no wildcard action in ${JSON.stringify(st)}`);
                }
                const secretsSt = policy.Statement.find((s: any) => s.Action.includes("secretsmanager:GetSecretValue"));
                assert.equal(secretsSt.Resource.length, 3);
                assert.equal(all(run(), T.rolePolicy).length, 1, "only the execution role has a policy");
                assert.equal(all(run(), T.attachment).length, 0, "no broad managed policies attached");
            });
        });

        describe("EdgeLB (ALB)", () => {
            it("is internet-facing in the public subnets with an idle timeout for streamed responses", () => {
                const alb = named(run(), T.alb, "mcp-edge-alb");
                const pubIds = all(run(), T.subnet).filter((s) => s.inputs.tags?.tier === "public").map(idOf);
                assert.equal(alb.inputs.internal, false);
                assert.deepEqual([...alb.inputs.subnets].sort(), pubIds.sort());
                assert.ok(alb.inputs.idleTimeout >= 300);
                assert.equal(alb.inputs.dropInvalidHeaderFields, true);
            });
            it("health-checks targets on the server's health path", () => {
                const tg = named(run(), T.tg, "mcp-edge-targets");
                assert.equal(tg.inputs.healthCheck.path, "/health");
                assert.equal(tg.inputs.targetType, "ip");
            });
            if (tier === "enterprise") {
                it("serves HTTPS with a modern TLS policy and an ACM certificate, and redirects HTTP", () => {
                    const https = named(run(), T.listener, "mcp-edge-https");
                    assert.equal(https.inputs.protocol, "HTTPS");
                    assert.match(https.inputs.sslPolicy, /^ELBSecurityPolicy-TLS13-1-2/);
                    assert.ok(https.inputs.certificateArn);
                    assert.equal(named(run(), T.cert, "mcp-edge-certificate").inputs.domainName, "mcp.example.com");
                    const http = named(run(), T.listener, "mcp-edge-http");
                    assert.deepEqual(http.inputs.defaultActions[0].redirect, { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" });
                    assert.equal(run().outputs.mcpUrl, "https://mcp.example.com/mcp");
                });
            } else {
                it("without a domain serves HTTP on the ALB's name and no certificate", () => {
                    assert.equal(all(run(), T.cert).length, 0);
                    assert.equal(all(run(), T.listener).length, 1);
                    assert.match(run().outputs.mcpUrl, /^http:\/\/.*elb\.amazonaws\.com\/mcp$/);
                });
            }
            if (spec.edge.waf === "none") {
                it("has no WAF in dev", () => assert.equal(all(run(), T.waf).length, 0));
            } else {
                it("has a WAF with AWS managed rules and a per-client-IP rate limit, attached to the ALB", () => {
                    const waf = named(run(), T.waf, "mcp-edge-waf");
                    assert.equal(waf.inputs.scope, "REGIONAL");
                    const managed = waf.inputs.rules.filter((r: any) => r.statement.managedRuleGroupStatement).map((r: any) => r.statement.managedRuleGroupStatement.name);
                    assert.deepEqual(managed, MANAGED_RULE_GROUPS[spec.edge.waf]);
                    const rate = waf.inputs.rules.find((r: any) => r.statement.rateBasedStatement);
                    assert.equal(rate.statement.rateBasedStatement.aggregateKeyType, "IP");
                    assert.equal(rate.statement.rateBasedStatement.limit, spec.edge.rateLimitPerMinute);
                    assert.equal(rate.statement.rateBasedStatement.evaluationWindowSec, 60);
                    assert.ok("block" in rate.action);
                    assert.equal(all(run(), T.wafAssoc).length, 1);
                });
            }
        });

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

        describe("security groups", () => {
            const sgId = (name: string) => idOf(named(run(), T.sg, name));
            it("open nothing to the internet but the edge's listeners", () => {
                const open = all(run(), T.ingress).filter((r) => r.inputs.cidrIpv4 || r.inputs.cidrIpv6);
                assert.ok(open.length > 0);
                for (const r of open) {
                    assert.equal(r.inputs.securityGroupId, sgId("mcp-edge-sg"), `${r.name} opens a non-edge group`);
                    assert.ok([80, 443].includes(r.inputs.fromPort) && r.inputs.fromPort === r.inputs.toPort);
                }
                for (const sg of all(run(), T.sg)) assert.equal(sg.inputs.ingress, undefined, `${sg.name} has no inline rules`);
            });
            it("let the service in only from the edge, and the database and cache only from the service", () => {
                const into = (group: string) => all(run(), T.ingress).filter((r) => r.inputs.securityGroupId === sgId(group));
                assert.deepEqual(into("mcp-server-sg").map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort]), [[sgId("mcp-edge-sg"), 8080]]);
                assert.deepEqual(into("mcp-audit-sg").map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort]), [[sgId("mcp-server-sg"), 5432]]);
                assert.deepEqual(into("mcp-cache-sg").map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort]), [[sgId("mcp-server-sg"), 6379]]);
            });
        });

        describe("components", () => {
            it("report summaries that meet the tier table", () => {
                const s = run().outputs.summary;
                assert.deepEqual(
                    [s.cluster.minReplicas, s.cluster.maxReplicas, s.cluster.milliCpu, s.cluster.memoryMiB, s.cluster.zones, s.cluster.publicIp],
                    [spec.service.minReplicas, spec.service.maxReplicas, spec.service.milliCpu, spec.service.memoryMiB, spec.zones, false]);
                assert.ok(s.database.vcpu >= spec.database.vcpu && s.database.memoryGiB >= spec.database.memoryGiB);
                assert.deepEqual(
                    [s.database.storageGiB, s.database.highAvailability, s.database.backupRetentionDays, s.database.readReplicas, s.database.tlsRequired, s.database.publicAccess],
                    [spec.database.storageGiB, spec.database.highAvailability, spec.database.backupRetentionDays, spec.database.readReplicas, true, false]);
                assert.ok(s.cache.memoryMiB >= spec.cache.memoryMiB);
                assert.deepEqual([s.cache.highAvailability, s.cache.replicas, s.cache.tls], [spec.cache.highAvailability, spec.cache.replicas, true]);
                assert.deepEqual([s.edge.waf, s.edge.rateLimitPerMinute], [spec.edge.waf !== "none", spec.edge.rateLimitPerMinute]);
            });
            it("name every child after its component", () => {
                const components = ["mcp-network", "mcp-image", "mcp-audit", "mcp-cache", "mcp-edge", "mcp-server"];
                const custom = run().resources.filter((r) => r.custom);
                for (const r of custom) assert.ok(components.some((c) => r.name.startsWith(`${c}-`)), `${r.name} is not named under a component`);
                const types = run().resources.filter((r) => !r.custom).map((r) => r.type).sort();
                assert.deepEqual(types, ["AuditDatabase", "EdgeLB", "McpCluster", "McpDeployment", "Network", "ServerImage", "SessionCache"].map((n) => `mcp-infra:index:${n}`));
            });
        });
    });
}
