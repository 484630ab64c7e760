/**
 * GCP topology: the real program under mocks for the three GCP stacks, with
 * assertions on the inputs the resources were created with (issue 3's GCP
 * bullets and the cross-cloud security baseline), the summaries against the
 * tier table, child naming, and overrides GCP cannot honour; issue 5's
 * choices (a per-request edge on Cloud Run's own URL, scale to zero, the
 * embedded session store, a shared-core database in dev) and the overrides
 * that undo each of them.
 */
import * as assert from "node:assert/strict";
import { summarizeRunUrlEdge, WAF_RULE_SETS } from "../components/gcp/edge";
import { runAppHost } from "../components/gcp/common";
import { estimateCost } from "../pricing";
import { ConfigError, TIERS, TierName } from "../sizing";
import { cloudRunSize, gcpSizing, pickSqlTier, redisMemoryGb, sharedCoreSqlTier, sqlBackups, sqlSizeFor, sqlTier } from "../sizing/gcp";
import { resolveTier } from "../sizing/overrides";
import { ProgramRun, readStackFile, RecordedResource, runProgram, runStack } from "../scripts/harness";
import { MOCK_PROJECT_NUMBER, MOCK_REGION } from "../scripts/mocks/gcp";

const T = {
    sql: "gcp:sql/databaseInstance:DatabaseInstance",
    redis: "gcp:redis/instance:Instance",
    run: "gcp:cloudrunv2/service:Service",
    armor: "gcp:compute/securityPolicy:SecurityPolicy",
    backend: "gcp:compute/backendService:BackendService",
    neg: "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup",
    urlMap: "gcp:compute/uRLMap:URLMap",
    httpsProxy: "gcp:compute/targetHttpsProxy:TargetHttpsProxy",
    httpProxy: "gcp:compute/targetHttpProxy:TargetHttpProxy",
    rule: "gcp:compute/globalForwardingRule:GlobalForwardingRule",
    sslPolicy: "gcp:compute/sSLPolicy:SSLPolicy",
    cert: "gcp:compute/managedSslCertificate:ManagedSslCertificate",
    address: "gcp:compute/globalAddress:GlobalAddress",
    secretIam: "gcp:secretmanager/secretIamMember:SecretIamMember",
    secret: "gcp:secretmanager/secret:Secret",
    repoIam: "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    logBucket: "gcp:logging/projectBucketConfig:ProjectBucketConfig",
};

const runs: Partial<Record<TierName, ProgramRun>> = {};
const tiers: TierName[] = ["dev", "prod", "enterprise"];
/** Tiers whose edge is a load balancer (the others serve on Cloud Run's own URL). */
const lbTiers = tiers.filter((t) => TIERS[t].edge.kind === "loadBalancer");
/** Tiers with a managed session cache. */
const cacheTiers = tiers.filter((t) => TIERS[t].cache.store === "managed");
/** The load balancer's resource types, none of which a per-request edge has. */
const LB_TYPES = [T.neg, T.backend, T.urlMap, T.httpProxy, T.httpsProxy, T.rule, T.sslPolicy, T.cert, T.armor];

function all(run: ProgramRun, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type);
}
function one(run: ProgramRun, type: string, name?: string): RecordedResource {
    const found = all(run, type).filter((r) => name === undefined || r.name === name);
    assert.equal(found.length, 1, `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
    return found[0];
}
function primarySql(run: ProgramRun): RecordedResource {
    return all(run, T.sql).find((r) => !r.inputs.masterInstanceName)!;
}
function container(run: ProgramRun): any {
    return one(run, T.run).inputs.template.containers[0];
}
function plainEnv(run: ProgramRun): Record<string, string> {
    return Object.fromEntries(
        container(run)
            .envs.filter((e: any) => e.value !== undefined)
            .map((e: any) => [e.name, e.value]),
    );
}
/** The host of the service's deterministic run.app URL, from the name it was created with and the project's number. */
function runHostOf(run: ProgramRun): string {
    return `${one(run, T.run).inputs.name}-${MOCK_PROJECT_NUMBER}.${MOCK_REGION}.run.app`;
}
function withConfig(stack: string, extra: Record<string, string>): Promise<ProgramRun> {
    return runProgram(stack, { ...readStackFile(stack), ...extra });
}
async function rejectsWith(stack: string, extra: Record<string, string>, key: string, message: RegExp): Promise<void> {
    await assert.rejects(withConfig(stack, extra), (err: unknown) => {
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
        assert.equal(err.key, key);
        assert.match(err.message, message);
        return true;
    });
}

describe("GCP topology (issues 3 and 5)", function () {
    this.timeout(120_000);

    before(async () => {
        for (const tier of tiers) runs[tier] = await runStack(`${tier}-gcp`);
    });

    describe("network", () => {
        it("is a custom-mode VPC with a regional subnet and private services access", () => {
            for (const tier of tiers) {
                const run = runs[tier]!;
                assert.equal(one(run, "gcp:compute/network:Network").inputs.autoCreateSubnetworks, false);
                const subnet = one(run, "gcp:compute/subnetwork:Subnetwork");
                assert.equal(subnet.inputs.region, "us-central1");
                assert.equal(subnet.inputs.privateIpGoogleAccess, true);
                const range = all(run, T.address).find((a) => a.inputs.purpose === "VPC_PEERING")!;
                assert.equal(range.inputs.addressType, "INTERNAL");
                const peering = one(run, "gcp:servicenetworking/connection:Connection");
                assert.equal(peering.inputs.service, "servicenetworking.googleapis.com");
                assert.deepEqual(peering.inputs.reservedPeeringRanges, [range.inputs.name ?? `${range.name}-1a2b3c`]);
            }
        });

        it("opens nothing: no firewall rule, one external address behind a load balancer (none otherwise), forwarding rules on 80/443 only", () => {
            for (const tier of tiers) {
                const run = runs[tier]!;
                assert.equal(all(run, "gcp:compute/firewall:Firewall").length, 0);
                assert.equal(all(run, T.address).filter((a) => a.inputs.addressType === "EXTERNAL").length, lbTiers.includes(tier) ? 1 : 0);
                for (const rule of all(run, T.rule)) {
                    assert.ok(["80", "443"].includes(rule.inputs.portRange), `${rule.name} listens on ${rule.inputs.portRange}`);
                    assert.equal(rule.inputs.loadBalancingScheme, "EXTERNAL_MANAGED");
                }
            }
        });
    });

    describe("AuditDatabase (Cloud SQL)", () => {
        it("has a private IP only and requires TLS, on primary and replicas", () => {
            for (const tier of tiers) {
                for (const db of all(runs[tier]!, T.sql)) {
                    const ip = db.inputs.settings.ipConfiguration;
                    assert.equal(ip.ipv4Enabled, false, `${db.name} has a public IPv4`);
                    assert.ok(ip.privateNetwork, `${db.name} has no private network`);
                    assert.equal(ip.sslMode, "ENCRYPTED_ONLY");
                    assert.equal(ip.authorizedNetworks, undefined);
                }
            }
        });

        it("is REGIONAL in prod and enterprise, ZONAL in dev", () => {
            assert.equal(primarySql(runs.dev!).inputs.settings.availabilityType, "ZONAL");
            assert.equal(primarySql(runs.prod!).inputs.settings.availabilityType, "REGIONAL");
            assert.equal(primarySql(runs.enterprise!).inputs.settings.availabilityType, "REGIONAL");
        });

        it("keeps the tier's daily backups with point-in-time recovery", () => {
            for (const tier of tiers) {
                const backup = primarySql(runs[tier]!).inputs.settings.backupConfiguration;
                assert.equal(backup.enabled, true);
                assert.equal(backup.pointInTimeRecoveryEnabled, true);
                const days = TIERS[tier].database.backupRetentionDays;
                const { retainedBackups, transactionLogRetentionDays: logDays } = { ...backup.backupRetentionSettings, ...backup };
                assert.ok(retainedBackups >= days, `${tier}: ${retainedBackups} backups for ${days} days`);
                assert.equal(logDays, Math.min(7, days), `${tier}: point-in-time window`);
                assert.ok(retainedBackups > logDays, "Cloud SQL requires more backups than transaction-log days");
            }
        });

        it("sets deletion protection explicitly: off in dev, on in prod and enterprise", () => {
            for (const tier of tiers) {
                const want = tier !== "dev";
                for (const db of all(runs[tier]!, T.sql)) {
                    assert.equal(db.inputs.deletionProtection, want, `${tier} ${db.name} deletionProtection`);
                    assert.equal(db.inputs.settings.deletionProtectionEnabled, want, `${tier} ${db.name} deletionProtectionEnabled`);
                }
            }
        });

        it("has one read replica of the primary in enterprise only", () => {
            assert.equal(all(runs.dev!, T.sql).length, 1);
            assert.equal(all(runs.prod!, T.sql).length, 1);
            const replicas = all(runs.enterprise!, T.sql).filter((r) => r.inputs.masterInstanceName);
            assert.equal(replicas.length, 1);
            assert.equal(replicas[0].name, "mcp-audit-replica-0");
            assert.equal(replicas[0].inputs.masterInstanceName, "mcp-audit-instance-1a2b3c");
        });

        it("runs a shared core in dev and the smallest custom machine where the tier asks for HA", () => {
            const devTier = primarySql(runs.dev!).inputs.settings.tier;
            assert.equal(devTier, sharedCoreSqlTier(TIERS.dev.database)!.name);
            assert.equal(sqlTier(devTier).sharedCore, true);
            assert.ok(sqlTier(devTier).memoryGiB >= TIERS.dev.database.memoryGiB, "the shared core holds the tier's memory");
            for (const tier of ["prod", "enterprise"] as const) {
                const used = sqlTier(primarySql(runs[tier]!).inputs.settings.tier);
                assert.equal(used.sharedCore, false, `${tier} runs on a dedicated core`);
                // Issue 15: a burstable size with HA gets the dedicated vCPUs it sustains (prod: 1), a standard one its own count.
                assert.equal(used.vcpu, sqlSizeFor(TIERS[tier].database).vcpu);
                assert.equal(used.vcpu, tier === "prod" ? 1 : TIERS[tier].database.vcpu);
            }
        });

        it("uses a valid tier on the Enterprise edition, with a database and a password user", () => {
            for (const tier of tiers) {
                const settings = primarySql(runs[tier]!).inputs.settings;
                assert.equal(settings.edition, "ENTERPRISE");
                assert.doesNotThrow(() => sqlTier(settings.tier));
                assert.equal(one(runs[tier]!, "gcp:sql/database:Database").inputs.name, "mcp_audit");
                const user = one(runs[tier]!, "gcp:sql/user:User");
                assert.equal(user.inputs.type, "BUILT_IN");
                assert.ok(String(user.inputs.password).startsWith("mock-secret-mcp-audit-password"));
            }
        });
    });

    describe("SessionCache (Memorystore)", () => {
        it("exists only where the tier keeps sessions in a managed cache", () => {
            assert.deepEqual(cacheTiers, ["prod", "enterprise"]);
            assert.equal(all(runs.dev!, T.redis).length, 0);
            assert.equal(runs.dev!.outputs.summary.cache, null);
            assert.equal(runs.dev!.outputs.cacheEndpoint, undefined);
        });

        it("is private with AUTH and in-transit encryption on", () => {
            for (const tier of cacheTiers) {
                const redis = one(runs[tier]!, T.redis).inputs;
                assert.equal(redis.connectMode, "PRIVATE_SERVICE_ACCESS");
                assert.equal(redis.authEnabled, true);
                assert.equal(redis.transitEncryptionMode, "SERVER_AUTHENTICATION");
            }
        });

        it("is STANDARD_HA with the tier's replicas in prod and enterprise", () => {
            const prod = one(runs.prod!, T.redis).inputs;
            const ent = one(runs.enterprise!, T.redis).inputs;
            assert.deepEqual(
                [prod.tier, prod.replicaCount, prod.readReplicasMode, prod.memorySizeGb],
                ["STANDARD_HA", 1, "READ_REPLICAS_DISABLED", 1],
            );
            assert.deepEqual(
                [ent.tier, ent.replicaCount, ent.readReplicasMode, ent.memorySizeGb],
                ["STANDARD_HA", 2, "READ_REPLICAS_ENABLED", 6],
            );
        });
    });

    describe("McpCluster (Cloud Run)", () => {
        it("is reachable only through the load balancer (or on its own URL without one) and egresses privately through the VPC", () => {
            for (const tier of tiers) {
                const svc = one(runs[tier]!, T.run).inputs;
                assert.equal(svc.ingress, lbTiers.includes(tier) ? "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" : "INGRESS_TRAFFIC_ALL");
                assert.equal(svc.template.vpcAccess.egress, "PRIVATE_RANGES_ONLY");
                assert.equal(svc.template.vpcAccess.networkInterfaces.length, 1);
                assert.ok(svc.template.vpcAccess.networkInterfaces[0].subnetwork);
                assert.equal(svc.template.vpcAccess.connector, undefined);
                assert.equal(svc.template.executionEnvironment, "EXECUTION_ENVIRONMENT_GEN2");
                assert.deepEqual(container(runs[tier]!).ports, { name: "http1", containerPort: 8080 });
            }
        });

        it("scales between the tier's min (0 where it scales to zero) and max at its CPU target, billed per request, with deletion protection per tier", () => {
            for (const tier of tiers) {
                const svc = one(runs[tier]!, T.run).inputs;
                const want = TIERS[tier].service;
                assert.deepEqual(svc.template.scaling, {
                    minInstanceCount: want.scaleToZero ? 0 : want.minReplicas,
                    maxInstanceCount: want.maxReplicas,
                    cpuUtilization: want.targetCpuPercent / 100,
                });
                assert.equal(container(runs[tier]!).resources.cpuIdle, true, "request-based billing");
                assert.equal(svc.deletionProtection, tier !== "dev");
            }
            assert.equal(one(runs.dev!, T.run).inputs.template.scaling.minInstanceCount, 0, "dev scales to zero");
        });

        it("gets a valid Cloud Run CPU / memory pair per tier (nearest larger for sub-vCPU tiers)", () => {
            const limits = (tier: TierName) => container(runs[tier]!).resources.limits;
            assert.deepEqual(limits("dev"), { cpu: "1", memory: "512Mi" });
            assert.deepEqual(limits("prod"), { cpu: "1", memory: "1024Mi" });
            assert.deepEqual(limits("enterprise"), { cpu: "1", memory: "2048Mi" });
        });

        it("has startup and liveness probes on /health", () => {
            for (const tier of tiers) {
                const c = container(runs[tier]!);
                for (const probe of [c.startupProbe, c.livenessProbe]) {
                    assert.deepEqual(probe.httpGet, { path: "/health", port: 8080 });
                    assert.ok(probe.failureThreshold >= 1);
                }
            }
        });

        it("reads DATABASE_URL, REDIS_URL (with a cache) and MCP_API_KEYS as Secret Manager references, never as plain values", () => {
            for (const tier of tiers) {
                const run = runs[tier]!;
                const envs: any[] = container(run).envs;
                const secretIds = all(run, T.secret).map((s) => `${s.name}-id`);
                const cached = cacheTiers.includes(tier);
                assert.equal(
                    envs.some((e) => e.name === "REDIS_URL"),
                    cached,
                    `${tier}: REDIS_URL only with a managed cache`,
                );
                for (const name of ["DATABASE_URL", ...(cached ? ["REDIS_URL"] : []), "MCP_API_KEYS"]) {
                    const env = envs.find((e) => e.name === name);
                    assert.ok(env, `${name} missing`);
                    assert.equal(env.value, undefined, `${name} is a plain value`);
                    assert.ok(secretIds.includes(env.valueSource.secretKeyRef.secret), `${name} does not reference a secret of this stack`);
                }
                for (const e of envs.filter((x) => x.value !== undefined)) {
                    assert.doesNotMatch(
                        String(e.value),
                        /mock-secret|mock-redis-auth|postgres:\/\/|rediss?:\/\//,
                        `${e.name} leaks a secret`,
                    );
                }
                const plain = Object.fromEntries(envs.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
                // Issue 14: the server verifies Cloud SQL's certificate and host against the instance's own CA.
                assert.equal(plain.DATABASE_SSL, "verify-full");
                assert.match(plain.DATABASE_CA_CERT, /MOCK-CLOUD-SQL-CA/);
                assert.equal(plain.MCP_TIER, tier);
                if (cached)
                    assert.match(
                        plain.REDIS_CA_CERT,
                        /^-----BEGIN CERTIFICATE-----/,
                        "the server can verify Memorystore's per-instance CA",
                    );
                else assert.equal(plain.REDIS_CA_CERT, undefined);
                assert.equal(plain.PORT, undefined, "PORT is reserved on Cloud Run (set from the container port)");
                // Issue 14: prod and enterprise serve HTTPS on their (placeholder) domain.
                const edgeHost = tier !== "dev" ? "mcp.example.com" : lbTiers.includes(tier) ? "34.120.45.67" : runHostOf(run);
                assert.equal(plain.MCP_ALLOWED_HOSTS, edgeHost);
            }
        });

        it("runs as its own service account with secretAccessor on exactly its secrets and nothing project-wide", () => {
            for (const tier of tiers) {
                const run = runs[tier]!;
                // The service's own account (the other, the audit:migrate job's, is asserted in test/gcp-audit.test.ts).
                const sa = one(run, "gcp:serviceaccount/account:Account", "mcp-server-identity");
                const member = `serviceAccount:${sa.inputs.accountId}@mcp-infra-demo.iam.gserviceaccount.com`;
                assert.equal(
                    one(run, T.run).inputs.template.serviceAccount,
                    `${sa.inputs.accountId}@mcp-infra-demo.iam.gserviceaccount.com`,
                );
                const grants = all(run, T.secretIam).filter((g) => g.inputs.member === member);
                assert.equal(
                    grants.length,
                    cacheTiers.includes(tier) ? 3 : 2,
                    `${tier}: database URL, API keys${cacheTiers.includes(tier) ? " and cache URL" : ""}`,
                );
                for (const g of grants) {
                    assert.equal(g.inputs.role, "roles/secretmanager.secretAccessor");
                    assert.equal(g.inputs.member, member);
                }
                const refs = container(run)
                    .envs.filter((e: any) => e.valueSource)
                    .map((e: any) => e.valueSource.secretKeyRef.secret)
                    .sort();
                assert.deepEqual(grants.map((g) => g.inputs.secretId).sort(), refs);
                const repo = one(run, T.repoIam).inputs;
                assert.deepEqual([repo.role, repo.member], ["roles/artifactregistry.reader", member]);
                const projectWide = run.resources.filter((r) => /^gcp:projects\/iAM(Member|Binding|Policy)/.test(r.type));
                assert.equal(projectWide.length, 0, "no project-level IAM grants");
                assert.ok(!run.resources.some((r) => r.inputs.role === "roles/cloudsql.client"));
            }
        });

        it("opens the service without an IAM invoker check: the server authenticates every MCP request with its API keys", () => {
            for (const tier of tiers) {
                const svc = one(runs[tier]!, T.run).inputs;
                assert.equal(svc.invokerIamDisabled, true);
                assert.ok(
                    container(runs[tier]!).envs.some((e: any) => e.name === "MCP_API_KEYS" && e.valueSource),
                    `${tier}: the server has API keys`,
                );
                assert.equal(plainEnv(runs[tier]!).MCP_ALLOW_UNAUTHENTICATED, undefined, `${tier}: the server never runs open`);
                assert.equal(all(runs[tier]!, "gcp:cloudrunv2/serviceIamMember:ServiceIamMember").length, 0);
            }
        });

        it("routes its logs to a bucket with the tier's retention", () => {
            for (const tier of tiers)
                assert.equal(one(runs[tier]!, T.logBucket, "mcp-server-logs").inputs.retentionDays, TIERS[tier].logRetentionDays);
        });

        it("builds the bundled image into Artifact Registry with the provider's access token", () => {
            const run = runs.dev!;
            assert.equal(one(run, "gcp:artifactregistry/repository:Repository").inputs.format, "DOCKER");
            const image = one(run, "docker:index/image:Image").inputs;
            assert.equal(image.registry.server, "us-central1-docker.pkg.dev");
            assert.equal(image.registry.username, "oauth2accesstoken");
            assert.ok(run.invokes.some((i) => i.token === "gcp:organizations/getClientConfig:getClientConfig"));
            assert.match(container(run).image, /^us-central1-docker\.pkg\.dev\/mcp-infra-demo\/.+@sha256:/);
        });
    });

    describe("EdgeLB (global external Application LB)", () => {
        it("serves the Cloud Run service through a serverless NEG on a backend service", () => {
            assert.deepEqual(lbTiers, ["prod", "enterprise"]);
            for (const tier of lbTiers) {
                const run = runs[tier]!;
                const neg = one(run, T.neg, "mcp-edge-neg").inputs;
                assert.equal(neg.networkEndpointType, "SERVERLESS");
                assert.equal(neg.cloudRun.service, "mcp-server-service-1a2b3c");
                const backend = one(run, T.backend, "mcp-edge-backend").inputs;
                assert.equal(backend.loadBalancingScheme, "EXTERNAL_MANAGED");
                assert.deepEqual(backend.backends, [{ group: "mcp-edge-neg-id" }]);
            }
        });

        it("has Cloud Armor with preconfigured WAF rules and a per-IP rate limit in prod and enterprise only", () => {
            assert.equal(all(runs.dev!, T.armor).length, 0);
            for (const tier of ["prod", "enterprise"] as const) {
                const run = runs[tier]!;
                const policy = one(run, T.armor, "mcp-edge-armor");
                assert.ok(one(run, T.backend).inputs.securityPolicy, "backend service has no security policy");
                const rules: any[] = policy.inputs.rules;
                const waf = rules.filter((r) => /evaluatePreconfiguredWaf/.test(r.match?.expr?.expression ?? ""));
                // Issue 15: wafRules compact (prod) packs the sets five to a rule; separate (enterprise) one rule per set.
                const sets = waf.flatMap((r) =>
                    [...String(r.match.expr.expression).matchAll(/evaluatePreconfiguredWaf\('([^']+)'/g)].map((m) => m[1]),
                );
                assert.deepEqual(sets, [...WAF_RULE_SETS[TIERS[tier].edge.waf]], "every preconfigured set, once, in order");
                assert.equal(waf.length, TIERS[tier].edge.wafRules === "compact" ? Math.ceil(sets.length / 5) : sets.length);
                assert.deepEqual(
                    one(run, T.armor, "mcp-edge-armor") && run.outputs.summary.edge.managedRuleSets,
                    sets,
                    "the summary reads every set of a packed rule",
                );
                assert.ok(waf.every((r) => r.action.startsWith("deny")));
                const rate = rules.find((r) => r.action === "throttle" || r.action === "rate_based_ban");
                assert.ok(rate, "rate limit rule");
                assert.equal(rate.rateLimitOptions.enforceOnKey, "IP");
                assert.deepEqual(rate.rateLimitOptions.rateLimitThreshold, { count: TIERS[tier].edge.rateLimitPerMinute, intervalSec: 60 });
                assert.ok(
                    waf.every((r) => r.priority < rate.priority),
                    "WAF rules are evaluated before the throttle",
                );
            }
            const names = (tier: TierName) => runs[tier]!.outputs.summary.edge.managedRuleSets.length;
            assert.ok(names("enterprise") > names("prod"), "enterprise applies more rule sets");
            assert.equal(
                (one(runs.prod!, T.armor).inputs.rules as any[]).length,
                4,
                "prod: two packed WAF rules, the throttle and the default rule",
            );
        });

        it("serves HTTPS with a managed certificate and a RESTRICTED TLS 1.2+ policy, redirecting HTTP, when a domain is set", () => {
            const run = runs.enterprise!;
            assert.deepEqual(one(run, T.cert).inputs.managed.domains, ["mcp.example.com"]);
            const policy = one(run, T.sslPolicy).inputs;
            assert.deepEqual([policy.profile, policy.minTlsVersion], ["RESTRICTED", "TLS_1_2"]);
            const https = one(run, T.httpsProxy).inputs;
            assert.equal(https.sslPolicy, "mcp-edge-ssl-policy-id");
            assert.deepEqual(https.sslCertificates, ["mcp-edge-certificate-id"]);
            assert.equal(https.urlMap, "mcp-edge-urlmap-id");
            const redirect = one(run, T.urlMap, "mcp-edge-http-redirect").inputs;
            assert.equal(redirect.defaultUrlRedirect.httpsRedirect, true);
            assert.equal(redirect.defaultService, undefined);
            assert.equal(one(run, T.httpProxy).inputs.urlMap, "mcp-edge-http-redirect-id");
            assert.equal(one(run, T.rule, "mcp-edge-https").inputs.portRange, "443");
            // The domain's record, in its public zone (the other record is Cloud SQL's, in the private zone: test/gcpSqlDns.test.ts).
            assert.equal(one(run, "gcp:dns/recordSet:RecordSet", "mcp-edge-dns").inputs.managedZone, "example-com");
            assert.equal(run.outputs.mcpUrl, "https://mcp.example.com/mcp");
        });

        it("serves prod over HTTPS too (issue 14): a managed certificate, a MODERN TLS 1.2+ policy, HTTP only redirecting", () => {
            const run = runs.prod!;
            assert.deepEqual(one(run, T.cert).inputs.managed.domains, ["mcp.example.com"]);
            assert.deepEqual([one(run, T.sslPolicy).inputs.profile, one(run, T.sslPolicy).inputs.minTlsVersion], ["MODERN", "TLS_1_2"]);
            assert.equal(one(run, T.httpProxy).inputs.urlMap, "mcp-edge-http-redirect-id");
            assert.equal(run.outputs.mcpUrl, "https://mcp.example.com/mcp");
        });

        it("uses a MODERN SSL policy for prod when a domain is set", async () => {
            const run = await runProgram("prod-gcp", { ...readStackFile("prod-gcp"), "mcp-infra:domain": "mcp.example.com" });
            assert.equal(one(run, T.sslPolicy).inputs.profile, "MODERN");
            assert.equal(run.outputs.summary.edge.tls, "modern");
        });
    });

    describe("summaries and naming", () => {
        it("meet the tier table (equal, or the nearest larger GCP size where noted in sizing/gcp.ts)", () => {
            for (const tier of tiers) {
                const s = runs[tier]!.outputs.summary;
                const t = TIERS[tier];
                assert.equal(s.cloud, "gcp");
                for (const part of [s.cluster, s.database, s.cache ?? { cloud: "gcp" }, s.edge]) assert.equal(part.cloud, "gcp");
                assert.equal(s.cluster.scalesToZero, t.service.scaleToZero);
                assert.equal(s.cluster.minReplicas, t.service.scaleToZero ? 0 : t.service.minReplicas);
                assert.equal(s.cluster.cpuArchitecture, "x86_64");
                assert.equal(s.cluster.maxReplicas, t.service.maxReplicas);
                assert.equal(s.cluster.targetCpuPercent, t.service.targetCpuPercent);
                assert.ok(s.cluster.milliCpu >= t.service.milliCpu);
                assert.equal(s.cluster.memoryMiB, t.service.memoryMiB);
                assert.equal(s.cluster.zones, t.zones);
                assert.equal(s.cluster.publicIp, false);
                assert.equal(s.cluster.logRetentionDays, t.logRetentionDays);
                // A shared core (dev) reports its share of one vCPU; dedicated machines the tier's vCPU.
                assert.equal(s.database.vcpu, sqlTier(s.database.sku).vcpu);
                assert.equal(s.database.vcpu, sharedCoreSqlTier(t.database)?.vcpu ?? sqlSizeFor(t.database).vcpu);
                assert.ok(s.database.memoryGiB >= t.database.memoryGiB);
                assert.equal(s.database.storageGiB, t.database.storageGiB);
                assert.equal(s.database.highAvailability, t.database.highAvailability);
                assert.ok(s.database.backupRetentionDays >= t.database.backupRetentionDays);
                assert.equal(s.database.pointInTimeRestore, true);
                assert.equal(s.database.deletionProtection, t.database.deletionProtection);
                assert.equal(s.database.readReplicas, t.database.readReplicas);
                assert.deepEqual([s.database.encryptedAtRest, s.database.tlsRequired, s.database.publicAccess], [true, true, false]);
                if (t.cache.store === "embedded") assert.equal(s.cache, null);
                else {
                    assert.ok(s.cache.memoryMiB >= t.cache.memoryMiB);
                    assert.equal(s.cache.highAvailability, t.cache.highAvailability);
                    assert.equal(s.cache.replicas, t.cache.replicas);
                    assert.deepEqual(
                        [s.cache.tls, s.cache.encryptedAtRest, s.cache.authRequired, s.cache.publicAccess],
                        [true, true, true, false],
                    );
                }
                assert.equal(s.edge.kind, t.edge.kind);
                assert.equal(s.edge.waf, t.edge.waf !== "none");
                assert.equal(s.edge.rateLimitPerMinute, t.edge.rateLimitPerMinute);
                assert.equal(s.edge.idleTimeoutSeconds, t.edge.idleTimeoutSeconds);
                assert.equal(s.edge.healthPath, "/health");
                // HTTPS with a domain (prod and enterprise must have one), or on Cloud Run's own URL; plain HTTP on a dev load balancer's IP.
                const https = tier !== "dev" || t.edge.kind === "payPerRequest";
                assert.equal(s.edge.tls, https ? t.edge.tlsProfile : "none");
                assert.equal(s.edge.httpRedirect, https);
            }
        });

        it("names every child <component>-<role>, including the edge's origin children", () => {
            const components = ["mcp-network", "mcp-image", "mcp-audit", "mcp-cache", "mcp-edge", "mcp-server", "mcp-monitor"];
            for (const tier of tiers) {
                for (const r of runs[tier]!.resources.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))) {
                    assert.ok(
                        components.some((c) => r.name.startsWith(`${c}-`)),
                        `${r.type} ${r.name} is not named <component>-<role>`,
                    );
                }
            }
            for (const tier of lbTiers) {
                for (const role of ["neg", "backend", "urlmap", "ip"]) {
                    assert.ok(
                        runs[tier]!.resources.some((r) => r.name === `mcp-edge-${role}`),
                        `mcp-edge-${role} missing in ${tier}`,
                    );
                }
            }
        });
    });

    describe("per-request edge: Cloud Run's own URL (dev, issue 5)", () => {
        it("creates no load balancer, NEG, Cloud Armor, certificate or static address", () => {
            const run = runs.dev!;
            for (const type of LB_TYPES) assert.equal(all(run, type).length, 0, `${type} in dev`);
            assert.equal(all(run, T.address).filter((a) => a.inputs.addressType === "EXTERNAL").length, 0);
            // No domain record; the one record is Cloud SQL's, in its private zone (test/gcpSqlDns.test.ts).
            assert.deepEqual(
                all(run, "gcp:dns/recordSet:RecordSet").map((r) => r.name),
                ["mcp-audit-dns-record"],
            );
        });

        it("opens the service to all ingress on a fixed name and serves MCP on its deterministic run.app URL", () => {
            const run = runs.dev!;
            const svc = one(run, T.run).inputs;
            assert.equal(svc.ingress, "INGRESS_TRAFFIC_ALL");
            assert.notEqual(svc.defaultUriDisabled, true, "the run.app URL is the endpoint");
            assert.match(svc.name, /^[a-z][a-z0-9-]{0,48}$/, "a valid Cloud Run service name, fixed before creation");
            assert.ok(svc.name.startsWith("dev-gcp-"), "the stack name keeps stacks sharing a project apart");
            assert.ok(
                run.invokes.some((i) => i.token === "gcp:organizations/getProject:getProject" && i.inputs.projectId === "mcp-infra-demo"),
                "the project number comes from the project, not from the service's own outputs",
            );
            assert.equal(run.outputs.mcpUrl, `https://${runHostOf(run)}/mcp`);
            assert.equal(plainEnv(run).MCP_ALLOWED_HOSTS, runHostOf(run), "the server accepts exactly the host clients use");
        });

        it("reports HTTPS with redirect on the platform's name, no WAF and no edge rate limit", () => {
            const edge = runs.dev!.outputs.summary.edge;
            assert.deepEqual(edge, {
                cloud: "gcp",
                kind: "payPerRequest",
                tls: "modern",
                httpRedirect: true,
                waf: false,
                managedRuleSets: [],
                rateLimitPerMinute: null,
                idleTimeoutSeconds: TIERS.dev.edge.idleTimeoutSeconds,
                healthPath: "/health",
            });
            assert.equal(container(runs.dev!).startupProbe.httpGet.path, edge.healthPath);
            assert.equal(one(runs.dev!, T.run).inputs.template.timeout, `${edge.idleTimeoutSeconds}s`);
        });

        it("reports the run.app URL only while the service really takes all traffic on it", () => {
            const base = { ingress: "INGRESS_TRAFFIC_ALL", defaultUriDisabled: false, timeoutSeconds: 300, healthPath: "/health" };
            assert.equal(summarizeRunUrlEdge(base).kind, "payPerRequest");
            assert.throws(
                () => summarizeRunUrlEdge({ ...base, ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" }),
                /ingress INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER/,
            );
            assert.throws(() => summarizeRunUrlEdge({ ...base, defaultUriDisabled: true }), /run\.app URL disabled/);
        });

        it("builds the deterministic host only when it fits one DNS label", () => {
            assert.equal(runAppHost("svc", "123456789012", "europe-west1"), "svc-123456789012.europe-west1.run.app");
            const longest = "a".repeat(63 - 1 - 12);
            assert.equal(runAppHost(longest, "123456789012", "us-central1").split(".")[0].length, 63);
            assert.throws(() => runAppHost(`${longest}b`, "123456789012", "us-central1"), /at most 63.*edgeKind "loadBalancer"/);
        });

        it("refuses a custom domain, naming mcp-infra:domain", () =>
            rejectsWith(
                "dev-gcp",
                { "mcp-infra:domain": "mcp.example.com" },
                "mcp-infra:domain",
                /Cloud Run domain mappings.*edgeKind to "loadBalancer"/,
            ));

        it("is refused where the tier has a WAF", () =>
            rejectsWith("prod-gcp", { "mcp-infra:edgeKind": "payPerRequest" }, "mcp-infra:edgeKind", /WAF/));

        it("edgeKind loadBalancer on dev brings the global LB back, on the static IP, without Cloud Armor", async () => {
            const run = await withConfig("dev-gcp", { "mcp-infra:edgeKind": "loadBalancer" });
            const svc = one(run, T.run).inputs;
            assert.equal(svc.ingress, "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER");
            assert.equal(svc.name, undefined, "behind a load balancer the service keeps its generated name");
            assert.equal(one(run, T.neg, "mcp-edge-neg").inputs.cloudRun.service, "mcp-server-service-1a2b3c");
            assert.deepEqual(one(run, T.backend, "mcp-edge-backend").inputs.backends, [{ group: "mcp-edge-neg-id" }]);
            assert.equal(one(run, T.rule, "mcp-edge-http").inputs.portRange, "80");
            assert.equal(all(run, T.address).filter((a) => a.inputs.addressType === "EXTERNAL").length, 1);
            assert.equal(all(run, T.armor).length, 0, "dev has no WAF");
            assert.equal(run.outputs.mcpUrl, "http://34.120.45.67/mcp");
            assert.equal(plainEnv(run).MCP_ALLOWED_HOSTS, "34.120.45.67");
            assert.equal(run.invokes.filter((i) => i.token === "gcp:organizations/getProject:getProject").length, 0);
            const edge = run.outputs.summary.edge;
            assert.deepEqual([edge.kind, edge.tls, edge.httpRedirect, edge.waf], ["loadBalancer", "none", false, false]);
        });

        it("edgeKind loadBalancer on dev with a domain serves HTTPS with the tier's MODERN policy", async () => {
            const run = await withConfig("dev-gcp", { "mcp-infra:edgeKind": "loadBalancer", "mcp-infra:domain": "mcp.example.com" });
            assert.equal(one(run, T.sslPolicy).inputs.profile, "MODERN");
            assert.equal(run.outputs.mcpUrl, "https://mcp.example.com/mcp");
            assert.deepEqual([run.outputs.summary.edge.tls, run.outputs.summary.edge.httpRedirect], ["modern", true]);
        });
    });

    describe("scale to zero (issue 5)", () => {
        it("dev scales to zero: no minimum instance, summary minReplicas 0", () => {
            const s = runs.dev!.outputs.summary.cluster;
            assert.equal(one(runs.dev!, T.run).inputs.template.scaling.minInstanceCount, 0);
            assert.deepEqual(
                [s.scalesToZero, s.minReplicas, s.maxReplicas, s.zones],
                [true, 0, TIERS.dev.service.maxReplicas, TIERS.dev.zones],
            );
        });

        it("scaleToZero false keeps the tier's minimum instances running", async () => {
            const run = await withConfig("dev-gcp", { "mcp-infra:scaleToZero": "false" });
            assert.equal(one(run, T.run).inputs.template.scaling.minInstanceCount, TIERS.dev.service.minReplicas);
            const s = run.outputs.summary.cluster;
            assert.deepEqual([s.scalesToZero, s.minReplicas], [false, TIERS.dev.service.minReplicas]);
        });

        it("minReplicas with scale to zero is refused rather than dropped; with scaleToZero false it is kept", async () => {
            await rejectsWith("dev-gcp", { "mcp-infra:minReplicas": "1" }, "mcp-infra:minReplicas", /scaleToZero to false/);
            const run = await withConfig("dev-gcp", { "mcp-infra:minReplicas": "1", "mcp-infra:scaleToZero": "false" });
            assert.equal(one(run, T.run).inputs.template.scaling.minInstanceCount, 1);
        });

        it("scaleToZero true scales prod to zero behind its load balancer", async () => {
            const run = await withConfig("prod-gcp", { "mcp-infra:scaleToZero": "true" });
            assert.equal(one(run, T.run).inputs.template.scaling.minInstanceCount, 0);
            assert.equal(one(run, T.run).inputs.template.scaling.maxInstanceCount, TIERS.prod.service.maxReplicas);
            assert.equal(run.outputs.summary.cluster.scalesToZero, true);
            assert.equal(one(run, T.neg).inputs.networkEndpointType, "SERVERLESS", "a serverless NEG reaches a service scaled to zero");
        });

        it("prices idle minimum instances at Cloud Run's idle rate, and nothing idle when scaled to zero", () => {
            const lines = (run: ProgramRun) => estimateCost(run.resources).lines.filter((l) => l.type === T.run);
            const prodIdle = lines(runs.prod!).filter((l) => l.priceId.startsWith("gcp.run.idle."));
            assert.deepEqual(prodIdle.map((l) => l.priceId).sort(), ["gcp.run.idle.gib", "gcp.run.idle.vcpu"]);
            assert.ok(
                !lines(runs.prod!).some((l) => l.priceId.startsWith("gcp.run.instance.")),
                "request-based billing is not priced per instance",
            );
            assert.ok(!lines(runs.dev!).some((l) => /idle/.test(l.item)), "no idle instance in dev");
        });
    });

    describe("session store (issue 5)", () => {
        it("sessionStore managed with maxReplicas 2 on dev brings Memorystore back (BASIC, 1 GB) and shares it", async () => {
            const run = await withConfig("dev-gcp", { "mcp-infra:sessionStore": "managed", "mcp-infra:maxReplicas": "2" });
            const redis = one(run, T.redis).inputs;
            assert.deepEqual(
                [redis.tier, redis.memorySizeGb, redis.authEnabled, redis.transitEncryptionMode],
                ["BASIC", 1, true, "SERVER_AUTHENTICATION"],
            );
            const envs: any[] = container(run).envs;
            assert.ok(envs.find((e) => e.name === "REDIS_URL")?.valueSource?.secretKeyRef?.secret, "REDIS_URL is a secret reference");
            assert.match(plainEnv(run).REDIS_CA_CERT, /BEGIN CERTIFICATE/);
            // The service's three (database URL, API keys, cache URL); the audit:migrate job's two are in test/gcp-audit.test.ts.
            const serviceAccount = one(run, T.run).inputs.template.serviceAccount;
            assert.equal(all(run, T.secretIam).filter((g) => g.inputs.member === `serviceAccount:${serviceAccount}`).length, 3);
            assert.equal(one(run, T.run).inputs.template.scaling.maxInstanceCount, 2);
            assert.equal(run.outputs.summary.cache.sku, "BASIC-1GB");
        });

        it("embedded with more than one replica is refused", () =>
            rejectsWith("dev-gcp", { "mcp-infra:maxReplicas": "2" }, "mcp-infra:maxReplicas", /sessionStore "embedded"/));
    });

    describe("CPU architecture (issue 5)", () => {
        it("arm64 is refused: Cloud Run runs x86_64 only", () =>
            rejectsWith(
                "dev-gcp",
                { "mcp-infra:cpuArchitecture": "arm64" },
                "mcp-infra:cpuArchitecture",
                /x86_64 \(linux\/amd64\) containers only.*nearest valid values: x86_64/,
            ));

        it("x86_64 is accepted and reported; the bundled image is built for linux/amd64", async () => {
            const run = await withConfig("prod-gcp", { "mcp-infra:cpuArchitecture": "x86_64" });
            assert.equal(run.outputs.summary.cluster.cpuArchitecture, "x86_64");
            assert.equal(one(run, "docker:index/image:Image").inputs.build.platform, "linux/amd64");
        });
    });

    describe("database class (issue 5)", () => {
        it("dev runs on the shared-core db-g1-small and reports its 0.5 vCPU share", () => {
            const db = runs.dev!.outputs.summary.database;
            assert.equal(primarySql(runs.dev!).inputs.settings.tier, "db-g1-small");
            assert.deepEqual([db.sku, db.vcpu, db.memoryGiB, db.highAvailability], ["db-g1-small", 0.5, 1.7, false]);
        });

        it("dbInstanceClass db-custom-1-3840 gives dev a dedicated vCPU", async () => {
            const run = await withConfig("dev-gcp", { "mcp-infra:dbInstanceClass": "db-custom-1-3840" });
            assert.equal(primarySql(run).inputs.settings.tier, "db-custom-1-3840");
            assert.deepEqual([run.outputs.summary.database.vcpu, run.outputs.summary.database.memoryGiB], [1, 3.75]);
        });

        it("an explicit size (dbVcpu) asks for a dedicated machine", async () => {
            const run = await withConfig("dev-gcp", { "mcp-infra:dbVcpu": "1" });
            assert.equal(primarySql(run).inputs.settings.tier, "db-custom-1-3840");
        });

        it("a shared core is refused where the tier asks for HA", () =>
            rejectsWith(
                "prod-gcp",
                { "mcp-infra:dbInstanceClass": "db-g1-small" },
                "mcp-infra:dbInstanceClass",
                /no SLA.*highly available/,
            ));

        it("picks a shared core only for a burstable size without HA or replicas that it can hold", () => {
            const dev = TIERS.dev.database;
            assert.equal(sharedCoreSqlTier(dev)?.name, "db-g1-small");
            assert.equal(sharedCoreSqlTier({ ...dev, memoryGiB: 0.5 })?.name, "db-f1-micro");
            assert.equal(sharedCoreSqlTier({ ...dev, memoryGiB: 2 }), undefined, "more memory than any shared core");
            assert.equal(sharedCoreSqlTier({ ...dev, vcpu: 2 }), undefined, "a shared core bursts to one vCPU");
            assert.equal(sharedCoreSqlTier({ ...dev, highAvailability: true }), undefined);
            assert.equal(sharedCoreSqlTier({ ...dev, readReplicas: 1 }), undefined);
            assert.equal(sharedCoreSqlTier({ ...dev, compute: "standard" }), undefined);
            assert.equal(pickSqlTier(dev).name, "db-g1-small");
            assert.equal(pickSqlTier(dev, { vcpu: true }).name, "db-custom-1-3840");
        });
    });

    describe("cost (issue 5)", () => {
        it("prices every GCP resource, and dev meets the $30 per month target at list prices", () => {
            for (const tier of tiers) {
                const e = estimateCost(runs[tier]!.resources);
                assert.deepEqual(e.unpriced, [], `${tier}: unpriced resources`);
            }
            const dev = estimateCost(runs.dev!.resources);
            // Issue 13's monitor (alert conditions; uptime checks, channels, dashboard and budget are free) comes on top of the $30 target.
            const monitor = dev.components.find((c) => c.component === "mcp-monitor")?.monthlyUsd ?? 0;
            assert.ok(monitor > 0 && monitor <= 3, `dev-gcp monitoring costs $${monitor}`);
            assert.ok(dev.totalMonthlyUsd - monitor <= 30, `dev-gcp costs $${dev.totalMonthlyUsd - monitor} per month before monitoring`);
            const top = [...dev.lines].sort((a, b) => b.monthlyUsd - a.monthlyUsd)[0];
            assert.equal(top.priceId, "gcp.sql.db-g1-small", "the database is the largest line");
        });
    });

    describe("overrides GCP cannot honour", () => {
        const failsWith = rejectsWith;

        it("serviceMilliCpu 300: below 1 vCPU Cloud Run forces concurrency 1", () =>
            failsWith("dev-gcp", { "mcp-infra:serviceMilliCpu": "300" }, "mcp-infra:serviceMilliCpu", /nearest valid values: 1000\b/));
        it("serviceMilliCpu 1500: only whole vCPUs above 1", () =>
            failsWith(
                "prod-gcp",
                { "mcp-infra:serviceMilliCpu": "1500" },
                "mcp-infra:serviceMilliCpu",
                /nearest valid values: 1000 or 2000/,
            ));
        it("serviceMemoryMiB 6144 with 1 vCPU", () =>
            failsWith(
                "prod-gcp",
                { "mcp-infra:serviceMilliCpu": "1000", "mcp-infra:serviceMemoryMiB": "6144" },
                "mcp-infra:serviceMemoryMiB",
                /nearest valid values: 4096/,
            ));
        it("dbVcpu 3: Cloud SQL custom machines take 1 or an even count", () =>
            failsWith("prod-gcp", { "mcp-infra:dbVcpu": "3" }, "mcp-infra:dbVcpu", /nearest valid values: 2 or 4/));
        it("dbMemoryGiB 2: custom machines need 3.75 GiB", () =>
            failsWith(
                "dev-gcp",
                { "mcp-infra:dbMemoryGiB": "2" },
                "mcp-infra:dbMemoryGiB",
                /nearest valid values: 4 GiB.*db-f1-micro or db-g1-small/,
            ));
        it("dbInstanceClass db-custom-2-1024", () =>
            failsWith(
                "dev-gcp",
                { "mcp-infra:dbInstanceClass": "db-custom-2-1024" },
                "mcp-infra:dbInstanceClass",
                /nearest valid values: 3840 MiB/,
            ));
        it("cacheMemoryMiB 1536: Memorystore sizes are whole GB", () =>
            failsWith(
                "prod-gcp",
                { "mcp-infra:cacheMemoryMiB": "1536" },
                "mcp-infra:cacheMemoryMiB",
                /nearest valid values: 1024 or 2048/,
            ));
        it("cacheMemoryMiB 2048 in enterprise: read replicas need 5 GB", () =>
            failsWith("enterprise-gcp", { "mcp-infra:cacheMemoryMiB": "2048" }, "mcp-infra:cacheMemoryMiB", /nearest valid values: 5120/));
        it("logRetentionDays 3653: Cloud Logging keeps at most 3650", () =>
            failsWith("dev-gcp", { "mcp-infra:logRetentionDays": "3653" }, "mcp-infra:logRetentionDays", /nearest valid values: 3650/));

        it("accepts valid GCP overrides and reports them in the summary", async () => {
            const run = await runProgram("prod-gcp", {
                ...readStackFile("prod-gcp"),
                "mcp-infra:serviceMilliCpu": "2000",
                "mcp-infra:serviceMemoryMiB": "6144",
                "mcp-infra:dbInstanceClass": "db-custom-4-15360",
                "mcp-infra:cacheNodeType": "5GB",
            });
            assert.deepEqual(container(run).resources.limits, { cpu: "2", memory: "6144Mi" });
            assert.equal(primarySql(run).inputs.settings.tier, "db-custom-4-15360");
            assert.equal(run.outputs.summary.database.vcpu, 4);
            assert.equal(run.outputs.summary.cache.memoryMiB, 5120);
        });
    });

    describe("GCP sizing (pure)", () => {
        it("maps tier sizes to the nearest larger valid SKU", () => {
            const cases: Array<[number, number, number, number]> = [
                [250, 512, 1000, 512],
                [500, 1024, 1000, 1024],
                [1000, 2048, 1000, 2048],
                [1000, 6144, 2000, 6144],
                [3000, 1024, 4000, 2048],
            ];
            for (const [cpu, mem, wantCpu, wantMem] of cases)
                assert.deepEqual(cloudRunSize(cpu, mem), { milliCpu: wantCpu, memoryMiB: wantMem });
            const db = TIERS.prod.database;
            assert.equal(pickSqlTier({ ...db, vcpu: 1, memoryGiB: 1 }).name, "db-custom-1-3840");
            assert.equal(pickSqlTier({ ...db, vcpu: 2, memoryGiB: 1 }).name, "db-custom-2-3840");
            assert.equal(pickSqlTier({ ...db, vcpu: 3, memoryGiB: 8 }).name, "db-custom-4-8192");
            assert.equal(pickSqlTier({ ...db, vcpu: 2, memoryGiB: 8 }).name, "db-custom-2-8192");
            assert.equal(pickSqlTier({ ...TIERS.prod.database, vcpu: 2, memoryGiB: 20 }).name, "db-custom-4-20480");
            assert.equal(redisMemoryGb(TIERS.dev.cache, {}), 1);
            assert.equal(redisMemoryGb({ ...TIERS.enterprise.cache, memoryMiB: 1024 }, {}), 5);
            assert.equal(gcpSizing(resolveTier("enterprise")).dbPitrDays, 7);
            assert.deepEqual([1, 7, 30].map(sqlBackups), [
                { retainedBackups: 2, pitrDays: 1 },
                { retainedBackups: 8, pitrDays: 7 },
                { retainedBackups: 30, pitrDays: 7 },
            ]);
        });
    });
});
