/** The topology diagram of the pull-request comment (scripts/diagram.ts): a pure function of a run. */
import * as assert from "node:assert/strict";
import { DeploymentSummary } from "../components/types";
import { mermaidText, topologyDiagram, TopologyInput } from "../scripts/diagram";
import { listStacks, ProgramRun, runStack } from "../scripts/harness";

/** The lines of one subgraph (between `subgraph <id>` and its `end`). */
function subgraph(diagram: string, id: string): string {
    const m = new RegExp(`^ *subgraph ${id}\\[[^\\n]*\\n([\\s\\S]*?)^ *end$`, "m").exec(diagram);
    assert.ok(m, `no subgraph ${id} in\n${diagram}`);
    return m[1];
}

function prodLike(): DeploymentSummary {
    return {
        cloud: "aws",
        tier: "prod",
        cluster: {
            cloud: "aws",
            minReplicas: 2,
            maxReplicas: 6,
            targetCpuPercent: 60,
            milliCpu: 500,
            memoryMiB: 1024,
            zones: 2,
            scalesToZero: false,
            cpuArchitecture: "arm64",
            publicIp: false,
            logRetentionDays: 30,
        },
        database: {
            cloud: "aws",
            engine: "postgres",
            engineVersion: "17",
            sku: "db.t4g.small",
            vcpu: 2,
            memoryGiB: 2,
            storageGiB: 50,
            highAvailability: true,
            backupRetentionDays: 7,
            pointInTimeRestore: true,
            deletionProtection: true,
            readReplicas: 0,
            encryptedAtRest: true,
            tlsRequired: true,
            publicAccess: false,
        },
        cache: {
            cloud: "aws",
            engine: "valkey",
            sku: "cache.t4g.small",
            memoryMiB: 1403,
            highAvailability: true,
            replicas: 1,
            tls: true,
            encryptedAtRest: true,
            authRequired: true,
            publicAccess: false,
        },
        edge: {
            cloud: "aws",
            kind: "loadBalancer",
            tls: "modern",
            httpRedirect: true,
            waf: true,
            managedRuleSets: ["a", "b"],
            rateLimitPerMinute: 600,
            idleTimeoutSeconds: 300,
            healthPath: "/health",
        },
    };
}

const resource = (type: string, name: string) => ({ type, name, inputs: {}, custom: true });
const awsResources = [
    resource("aws:lb/loadBalancer:LoadBalancer", "mcp-edge-alb"),
    resource("aws:wafv2/webAcl:WebAcl", "mcp-edge-waf"),
    resource("aws:ecs/service:Service", "mcp-server-service"),
    resource("aws:rds/instance:Instance", "mcp-audit-instance"),
    resource("aws:elasticache/replicationGroup:ReplicationGroup", "mcp-cache-replication-group"),
    resource("aws:secretsmanager/secret:Secret", "mcp-audit-secret"),
    resource("aws:secretsmanager/secret:Secret", "mcp-server-api-keys"),
    resource("aws:ecr/repository:Repository", "mcp-image-repo"),
    resource("aws:ec2/natGateway:NatGateway", "mcp-network-nat-0"),
];

function input(summary = prodLike(), resources = awsResources): TopologyInput {
    return { stack: "test", summary, resources };
}

describe("topology diagram", () => {
    it("puts only the edge where the internet reaches, the service and the data tier behind it", () => {
        const d = topologyDiagram(input());
        assert.match(d, /^flowchart LR$/m);
        const pub = subgraph(d, "public");
        const priv = subgraph(d, "private");
        assert.match(
            pub,
            /edge\["Application Load Balancer<br\/>HTTPS, TLS modern, HTTP redirected<br\/>AWS WAF: 2 managed rule sets<br\/>600 req\/min per client IP/,
        );
        assert.doesNotMatch(pub, /service|db|cache/);
        assert.match(
            priv,
            /service\["ECS Fargate service<br\/>2–6 replicas, CPU target 60 %<br\/>0\.5 vCPU \/ 1 GiB each, arm64<br\/>2 zones"\]/,
        );
        assert.match(
            priv,
            /db\[\("RDS PostgreSQL 17<br\/>db\.t4g\.small: 2 vCPU, 2 GiB, 50 GiB disk<br\/>HA standby<br\/>backups 7 days, PITR"\)\]/,
        );
        assert.match(
            priv,
            /cache\[\("ElastiCache \(valkey\)<br\/>cache\.t4g\.small: 1\.37 GiB<br\/>primary \+ 1 replica, failover<br\/>TLS, AUTH"\)\]/,
        );
        assert.match(d, /clients -->\|HTTPS :443\| edge/);
        assert.match(d, /edge -->\|\/mcp, \/health\| service/);
        assert.match(d, /service -->\|audit log, TLS\| db/);
        assert.match(d, /^ *class edge reachable$/m);
    });
    it("moves a part the summary says is public to the internet's side, marked", () => {
        const s = prodLike();
        s.database.publicAccess = true;
        const d = topologyDiagram(input(s));
        assert.match(subgraph(d, "public"), /db\[\("RDS PostgreSQL 17<br\/>.*<br\/>PUBLIC endpoint"\)\]/);
        assert.doesNotMatch(subgraph(d, "private"), /\bdb\[/);
        assert.match(d, /^ *class edge,db reachable$/m);
    });
    it("draws no cache when the state is kept in the replica's memory", () => {
        const s = prodLike();
        s.cache = null;
        const d = topologyDiagram(
            input(
                s,
                awsResources.filter((r) => !r.type.includes("elasticache")),
            ),
        );
        assert.doesNotMatch(d, /cache|ElastiCache/);
        assert.match(d, /service -->\|audit log, TLS\| db/);
    });
    it("counts the supporting parts from the declared resources, and omits absent ones", () => {
        const three = [0, 1, 2].map((i) => resource("aws:ec2/natGateway:NatGateway", `mcp-network-nat-${i}`));
        const d = topologyDiagram(input(prodLike(), [...awsResources.filter((r) => !r.type.includes("natGateway")), ...three]));
        assert.match(d, /nat\["3 NAT gateways<br\/>outbound only"\]/);
        assert.match(d, /secrets\[\["Secrets Manager<br\/>2 secrets"\]\]/);
        assert.match(d, /^ *class secrets,registry,nat support$/m);
        const bare = topologyDiagram(
            input(
                prodLike(),
                awsResources.filter((r) => !/natGateway|secretsmanager/.test(r.type)),
            ),
        );
        assert.doesNotMatch(bare, /NAT|Secrets Manager|secret references/);
    });
    it("names the platform's own front door for a pay-per-request edge, and plain HTTP without a domain", () => {
        const s = prodLike();
        s.cloud = "gcp";
        s.edge = { ...s.edge, cloud: "gcp", kind: "payPerRequest", waf: false, managedRuleSets: [], rateLimitPerMinute: null };
        assert.match(
            topologyDiagram(input(s, [])),
            /edge\["Cloud Run URL \(run\.app\)<br\/>HTTPS, TLS modern, HTTP redirected<br\/>no WAF \(pay per request\)/,
        );
        const plain = prodLike();
        plain.edge.tls = "none";
        plain.edge.httpRedirect = false;
        const d = topologyDiagram(input(plain));
        assert.match(d, /plain HTTP \(no domain set\)/);
        assert.match(d, /clients -->\|HTTP :80\| edge/);
    });
    it("escapes what would end or break a mermaid label", () => {
        assert.equal(mermaidText(`a "b" #c <d>`), "a #quot;b#quot; #35;c #lt;d#gt;");
        const s = prodLike();
        s.database.sku = `weird"<sku>#1`;
        const d = topologyDiagram(input(s));
        assert.match(d, /weird#quot;#lt;sku#gt;#35;1: 2 vCPU/);
    });

    describe("every stack in stacks/", () => {
        const runs = new Map<string, ProgramRun>();
        before(async function () {
            this.timeout(300_000);
            for (const stack of listStacks()) runs.set(stack, await runStack(stack));
        });
        const SERVICE: Record<string, RegExp> = {
            aws: /ECS Fargate service/,
            azure: /Container App/,
            gcp: /Cloud Run service/,
            local: /server containers/,
        };
        it("shows each stack's own service, sizes and data tier, from its summary", () => {
            assert.ok(runs.size >= 11);
            for (const [stack, run] of runs) {
                const s: DeploymentSummary = run.outputs.summary;
                const d = topologyDiagram({ stack, summary: s, resources: run.resources });
                const priv = subgraph(d, "private");
                assert.match(priv, SERVICE[s.cloud], stack);
                const replicas =
                    s.cluster.minReplicas === s.cluster.maxReplicas
                        ? `${s.cluster.minReplicas} replicas?`
                        : `${s.cluster.minReplicas}–${s.cluster.maxReplicas} replicas`;
                assert.match(priv, new RegExp(`service\\[".*<br/>${replicas}`), stack);
                assert.ok(priv.includes(`${s.database.sku}: `), `${stack}: database sku`);
                assert.equal(/\bcache\[\(/.test(priv), s.cache !== null, `${stack}: cache drawn iff there is one`);
                assert.match(subgraph(d, "public"), /^ *edge\[/m, stack);
                assert.doesNotMatch(subgraph(d, "public"), /service\[|db\[|cache\[/, `${stack}: only the edge is public`);
            }
        });
    });
});
