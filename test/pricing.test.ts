/**
 * The pricing engine: prices come from the catalog, quantities from the
 * resources a run really declares; what cannot be priced is listed, never zero.
 */
import * as assert from "node:assert/strict";
import { CATALOG, estimateCost, DEFAULT_USAGE } from "../pricing";
import { HOURS_PER_MONTH } from "../pricing/catalog";
import { diffCosts, renderTable, StackCost, targetStatus } from "../pricing/report";
import { floorTarget, FLOOR_TARGETS } from "../pricing/targets";
import { listStacks, ProgramRun, readStackFile, runProgram, runStack } from "../scripts/harness";
import { declared } from "../scripts/plan";

const cents = (n: number) => Math.round(n * 100) / 100;

function line(run: ProgramRun, resource: string, priceId: string, usage = {}) {
    const found = estimateCost(declared(run), usage).lines.filter((l) => l.resource === resource && l.priceId === priceId);
    assert.equal(
        found.length,
        1,
        `one ${priceId} line for ${resource}; lines: ${JSON.stringify(estimateCost(declared(run), usage).lines.map((l) => [l.resource, l.priceId]))}`,
    );
    return found[0];
}

const unit = (id: string) => {
    const p = CATALOG.get(id);
    assert.ok(p, `catalog has ${id}`);
    return p.usd;
};

describe("price catalog", () => {
    it("keeps unit, region, source, confidence and date for every entry", () => {
        assert.ok(CATALOG.size > 50);
        for (const p of CATALOG.values()) {
            assert.ok(p.usd > 0 && Number.isFinite(p.usd), `${p.id} price`);
            assert.ok(p.unit && p.region && p.source.length > 8, `${p.id} unit/region/source`);
            assert.match(p.confidence, /^[OSD?]$/, `${p.id} confidence`);
            assert.match(p.date, /^\d{4}-\d{2}$/, `${p.id} date`);
        }
    });
    it("pins official list prices (the catalog's sources)", () => {
        assert.equal(unit("aws.fargate.x86.vcpu"), 0.04048);
        assert.equal(unit("aws.alb.hour"), 0.0225);
        assert.equal(unit("azure.pg.Standard_D2ds_v5"), 0.178);
        assert.equal(unit("azure.redis.Balanced_B1"), 0.032);
        assert.equal(unit("gcp.lb.rule"), 0.025);
        assert.equal(unit("gcp.run.request.vcpu"), 0.000024);
        assert.equal(CATALOG.get("aws.alb.hour")!.confidence, "O");
    });
});

describe("corrected catalog entries (issue 15)", () => {
    it("settles Application Gateway v2 on the Retail Prices API figures, not the illustrative 0.443", () => {
        const waf = CATALOG.get("azure.appgw.WAF_v2.fixed")!;
        assert.equal(waf.usd, 0.36);
        assert.equal(waf.confidence, "O");
        assert.match(waf.source, /Retail Prices API/);
        assert.match(waf.unit, /public IP included/);
        assert.equal(unit("azure.appgw.WAF_v2.cu"), 0.0144);
        assert.equal(unit("azure.appgw.Standard_v2.fixed"), 0.2);
        assert.equal(unit("azure.appgw.Standard_v2.cu"), 0.008);
        for (const p of CATALOG.values()) if (p.id.startsWith("azure.appgw.")) assert.notEqual(p.confidence, "?", `${p.id} is settled`);
    });
    it("prices GCP forwarding rules as a block of five, then per rule", () => {
        assert.equal(unit("gcp.lb.rule"), 0.025);
        assert.match(CATALOG.get("gcp.lb.rule")!.unit, /first 5 forwarding rules together/);
        assert.equal(unit("gcp.lb.rule.extra"), 0.01);
    });
    it("has ElastiCache Serverless for Valkey, CloudWatch custom metrics and SSM advanced parameters", () => {
        assert.equal(unit("aws.elasticache.serverless.valkey.gb"), 0.084);
        assert.equal(unit("aws.elasticache.serverless.valkey.ecpu"), 0.0023);
        assert.equal(unit("aws.cloudwatch.metric"), 0.3);
        assert.equal(unit("aws.ssm.advanced"), 0.05);
    });
});

describe("engine accuracy (issue 15)", () => {
    const rule = (name: string, port: string) => ({
        type: "gcp:compute/globalForwardingRule:GlobalForwardingRule",
        name,
        inputs: { portRange: port },
    });

    it("charges one block for the first five GCP forwarding rules and $0.01 an hour for each further rule", () => {
        const two = estimateCost([rule("lb-http", "80"), rule("lb-https", "443")]);
        assert.deepEqual(
            two.lines.map((l) => [l.resource, l.priceId, l.monthlyUsd]),
            [["lb-http", "gcp.lb.rule", cents(HOURS_PER_MONTH * 0.025)]],
        );
        assert.deepEqual(two.unpriced, []);
        assert.ok(two.notes.some((n) => /first 5 of a project are billed as one block/.test(n)));
        const seven = estimateCost(Array.from({ length: 7 }, (_, i) => rule(`lb-${i}`, String(8000 + i))));
        assert.equal(seven.lines.filter((l) => l.priceId === "gcp.lb.rule").length, 1);
        assert.deepEqual(
            seven.lines.filter((l) => l.priceId === "gcp.lb.rule.extra").map((l) => l.resource),
            ["lb-5", "lb-6"],
        );
        assert.equal(seven.totalMonthlyUsd, cents(HOURS_PER_MONTH * (0.025 + 2 * 0.01)));
    });

    it("draws Container Apps apps and jobs from ONE subscription grant (180,000 vCPU-s, 360,000 GiB-s), billing only what exceeds it", () => {
        const job = (name: string, cron: string) => ({
            type: "azure-native:app:Job",
            name,
            inputs: {
                workloadProfileName: "Consumption",
                configuration: { triggerType: "Schedule", scheduleTriggerConfig: { cronExpression: cron } },
                template: { containers: [{ resources: { cpu: 0.25, memory: "0.5Gi" } }] },
            },
        });
        const app = {
            type: "azure-native:app:ContainerApp",
            name: "app",
            inputs: {
                workloadProfileName: "Consumption",
                template: { containers: [{ resources: { cpu: 1, memory: "2Gi" } }], scale: { minReplicas: 0 } },
            },
        };
        const vcpu = (e: ReturnType<typeof estimateCost>) =>
            e.lines.filter((l) => l.priceId === "azure.aca.active.vcpu").reduce((s, l) => s + l.quantity, 0);
        // App: 1 vCPU x 200,000 s = 200,000 vCPU-s; job every 15 min: 2,920 x 20 s x 0.25 = 14,600 vCPU-s.
        const both = estimateCost([job("migrate", "*/15 * * * *"), app]);
        assert.equal(vcpu(both), 200_000 + 14_600 - 180_000, "one grant: only the excess of app plus job is billed");
        assert.equal(both.lines.find((l) => l.resource === "migrate" && l.priceId === "azure.aca.active.vcpu")!.quantity, 0);
        // Alone the job fits in the grant; two jobs at once draw on the same pool, not one grant each.
        assert.equal(vcpu(estimateCost([job("migrate", "*/15 * * * *")])), 0);
        const many = estimateCost(Array.from({ length: 13 }, (_, i) => job(`job-${i}`, "*/15 * * * *")));
        assert.equal(Math.round(vcpu(many)), 13 * 14_600 - 180_000);
    });

    it("does not price an Application Gateway's public IP twice, but still prices other public IPs", () => {
        const ip = (name: string) => ({
            type: "azure-native:network:PublicIPAddress",
            name,
            inputs: { sku: { name: "Standard" }, publicIPAllocationMethod: "Static" },
        });
        const gateway = {
            type: "azure-native:network:ApplicationGateway",
            name: "edge-gateway",
            inputs: {
                sku: { name: "WAF_v2" },
                autoscaleConfiguration: { minCapacity: 0 },
                frontendIPConfigurations: [{ name: "public", publicIPAddress: { id: "edge-ip-id" } }],
            },
        };
        const e = estimateCost([ip("edge-ip"), ip("nat-ip"), gateway]);
        assert.deepEqual(
            e.lines.filter((l) => l.priceId === "azure.publicip.static").map((l) => l.resource),
            ["nat-ip"],
        );
        const fixed = e.lines.find((l) => l.priceId === "azure.appgw.WAF_v2.fixed")!;
        assert.equal(fixed.monthlyUsd, cents(HOURS_PER_MONTH * 0.36)); // 262.80
        assert.ok(e.notes.some((n) => /public IP of Application Gateway edge-gateway is included/.test(n)));
    });

    it("prices ECS Container Insights as custom metrics and performance events, and nothing when it is off", () => {
        const cluster = (value: string) => ({
            type: "aws:ecs/cluster:Cluster",
            name: "svc-cluster",
            inputs: { settings: [{ name: "containerInsights", value }] },
        });
        const task = { type: "aws:ecs/taskDefinition:TaskDefinition", name: "svc-task", inputs: { cpu: "512", memory: "1024" } };
        const service = {
            type: "aws:ecs/service:Service",
            name: "svc-service",
            inputs: {
                cluster: "arn:aws:ecs:us-east-1:1:cluster/svc-cluster",
                taskDefinition: "arn:aws:ecs:us-east-1:1:task-definition/svc-task",
                desiredCount: 2,
            },
        };
        const on = estimateCost([cluster("enabled"), task, service]);
        const metrics = on.lines.find((l) => l.resource === "svc-cluster" && l.priceId === "aws.cloudwatch.metric")!;
        assert.equal(metrics.quantity, 12 + 15 + 10);
        assert.equal(metrics.monthlyUsd, cents(37 * 0.3)); // 11.10
        const events = on.lines.find((l) => l.resource === "svc-cluster" && l.priceId === "aws.logs.ingest")!;
        assert.equal(events.quantity, Math.round(((2 * 2 * HOURS_PER_MONTH * 60) / 1024 ** 2) * 1000) / 1000);
        const off = estimateCost([cluster("disabled"), task, service]);
        assert.ok(!off.lines.some((l) => l.resource === "svc-cluster"));
        assert.ok(off.free.some((f) => f.type === "aws:ecs/cluster:Cluster"));
        const enhanced = estimateCost([cluster("enhanced"), task, service]);
        assert.match(enhanced.unpriced.find((u) => u.type === "aws:ecs/cluster:Cluster")!.reason, /enhanced observability/);
    });

    it("prices a Cloud DNS managed zone at $0.20 a month, its records at nothing", () => {
        assert.equal(unit("gcp.dns.zone"), 0.2);
        assert.equal(unit("gcp.dns.queries"), 0.4);
        const est = estimateCost([
            {
                type: "gcp:dns/managedZone:ManagedZone",
                name: "sql-dns",
                inputs: { visibility: "private", dnsName: "p.us-central1.sql-psa.goog." },
            },
            { type: "gcp:dns/recordSet:RecordSet", name: "sql-a", inputs: { type: "A", ttl: 300 } },
        ]);
        assert.deepEqual(
            est.lines.map((l) => [l.resource, l.item, l.priceId, l.monthlyUsd]),
            [["sql-dns", "Cloud DNS private managed zone", "gcp.dns.zone", 0.2]],
        );
        assert.deepEqual(est.unpriced, []);
        assert.deepEqual(est.free, [{ type: "gcp:dns/recordSet:RecordSet", count: 1 }]);
    });

    it("gives Secret Manager's 6 free active versions to a stack's first six, and charges the rest", () => {
        assert.equal(unit("gcp.secret.version"), 0.06);
        const versions = Array.from({ length: 8 }, (_, i) => ({
            type: "gcp:secretmanager/secretVersion:SecretVersion",
            name: `v${i}`,
            inputs: {},
        }));
        const est = estimateCost(versions);
        assert.deepEqual(
            est.lines.map((l) => [l.resource, l.monthlyUsd]),
            versions.map((v, i) => [v.name, i < 6 ? 0 : 0.06]),
        );
        assert.equal(est.totalMonthlyUsd, 0.12);
        assert.ok(est.notes.some((n) => /first 6 active Secret Manager secret versions\. It belongs to the billing account/.test(n)));
    });

    it("prices ElastiCache Serverless for Valkey by data stored (100 MB minimum) and ECPUs", () => {
        const cache = (inputs: Record<string, any>) => ({
            type: "aws:elasticache/serverlessCache:ServerlessCache",
            name: "sessions",
            inputs: { engine: "valkey", ...inputs },
        });
        const e = estimateCost([cache({ cacheUsageLimits: { dataStorage: { maximum: 1, unit: "GB" } } })]);
        const data = e.lines.find((l) => l.priceId === "aws.elasticache.serverless.valkey.gb")!;
        assert.equal(data.quantity, HOURS_PER_MONTH * 0.1);
        assert.equal(data.monthlyUsd, cents(HOURS_PER_MONTH * 0.1 * 0.084)); // 6.13
        const ecpu = e.lines.find((l) => l.priceId === "aws.elasticache.serverless.valkey.ecpu")!;
        assert.equal(ecpu.quantity, 3, "3 ECPUs x 1 million requests");
        const big = estimateCost([cache({})], { cacheDataMB: 2500 });
        assert.equal(big.lines.find((l) => l.priceId === "aws.elasticache.serverless.valkey.gb")!.quantity, HOURS_PER_MONTH * 2.5);
        const reserved = estimateCost([cache({ cacheUsageLimits: { dataStorage: { minimum: 4, unit: "GB" } } })]);
        assert.equal(reserved.lines.find((l) => l.priceId === "aws.elasticache.serverless.valkey.gb")!.quantity, HOURS_PER_MONTH * 4);
        assert.match(estimateCost([cache({ engine: "memcached" })]).unpriced[0].reason, /only Valkey/);
    });

    it("prices SSM standard parameters at nothing and advanced ones per month", () => {
        const param = (tier?: string) => ({
            type: "aws:ssm/parameter:Parameter",
            name: `p-${tier ?? "default"}`,
            inputs: { type: "SecureString", ...(tier ? { tier } : {}) },
        });
        const e = estimateCost([param(), param("Standard"), param("Advanced")]);
        assert.deepEqual(
            e.lines.map((l) => [l.resource, l.monthlyUsd]),
            [["p-Advanced", 0.05]],
        );
        assert.deepEqual(e.unpriced, []);
    });
});

describe("estimate from a program run", function () {
    this.timeout(300_000);
    let prodAws: ProgramRun;
    let prodAzure: ProgramRun;
    let prodGcp: ProgramRun;
    before(async () => {
        prodAws = await runStack("prod-aws");
        prodAzure = await runStack("prod-azure");
        prodGcp = await runStack("prod-gcp");
    });

    it("prices line items at catalog price times the declared quantity", () => {
        const alb = line(prodAws, "mcp-edge-alb", "aws.alb.hour");
        assert.equal(alb.monthlyUsd, cents(HOURS_PER_MONTH * 0.0225)); // 16.43
        const rds = line(
            prodAws,
            "mcp-audit-instance",
            `aws.rds.pg.${prodAws.resources.find((r) => r.name === "mcp-audit-instance")!.inputs.instanceClass}`,
        );
        assert.equal(rds.quantity, 2 * HOURS_PER_MONTH, "Multi-AZ bills the standby too");
        const pg = line(prodAzure, "mcp-audit-server", "azure.pg.Standard_D2ds_v5");
        assert.equal(pg.monthlyUsd, cents(2 * HOURS_PER_MONTH * 0.178)); // 259.88, zone-redundant HA
        const rule = prodGcp.resources.find((r) => r.type === "gcp:compute/globalForwardingRule:GlobalForwardingRule")!;
        assert.equal(line(prodGcp, rule.name, "gcp.lb.rule").monthlyUsd, cents(HOURS_PER_MONTH * 0.025)); // 18.25
    });

    it("follows an override of a database class and of the replica count", async () => {
        const base = estimateCost(declared(prodAws));
        const bigger = await runProgram("prod-aws", {
            ...readStackFile("prod-aws"),
            "mcp-infra:dbInstanceClass": "db.t4g.medium",
            "mcp-infra:minReplicas": "3",
        });
        const after = estimateCost(declared(bigger));
        const rds = after.lines.find((l) => l.resource === "mcp-audit-instance" && l.priceId.startsWith("aws.rds.pg."))!;
        assert.equal(rds.priceId, "aws.rds.pg.db.t4g.medium");
        assert.equal(rds.monthlyUsd, cents(2 * HOURS_PER_MONTH * 0.065));
        const fargate = (e: typeof base) =>
            e.lines.filter((l) => l.priceId.startsWith("aws.fargate.")).reduce((s, l) => s + l.monthlyUsd, 0);
        assert.ok(
            Math.abs(fargate(after) - fargate(base) * 1.5) < 0.05,
            `3 replicas cost 1.5x 2 replicas: ${fargate(base)} -> ${fargate(after)}`,
        );
        assert.ok(after.totalMonthlyUsd > base.totalMonthlyUsd);
    });

    it("applies usage assumptions to usage-based lines only, and prints them", () => {
        const base = estimateCost(declared(prodAws));
        const busy = estimateCost(declared(prodAws), { monthlyRequests: 10_000_000 });
        assert.deepEqual(base.assumptions, DEFAULT_USAGE);
        assert.equal(busy.assumptions.monthlyRequests, 10_000_000);
        const waf = (e: typeof base) => e.lines.find((l) => l.priceId === "aws.waf.requests")!;
        assert.equal(waf(busy).monthlyUsd, cents(10 * 0.6));
        for (const l of busy.lines.filter((x) => !x.usageBased)) {
            assert.equal(
                l.monthlyUsd,
                // Matched on the item too: one resource may bill several lines at one price (S3 PUT and LIST).
                base.lines.find((b) => b.resource === l.resource && b.priceId === l.priceId && b.item === l.item)!.monthlyUsd,
                `${l.item} does not depend on usage`,
            );
        }
    });

    it("takes usage assumptions from stack config into the exported estimate", async () => {
        const run = await runProgram("prod-aws", {
            ...readStackFile("prod-aws"),
            "mcp-infra:monthlyRequests": "10000000",
            "mcp-infra:logGiBPerReplica": "5",
        });
        assert.equal(run.outputs.costEstimate.assumptions.monthlyRequests, 10_000_000);
        assert.equal(run.outputs.costEstimate.assumptions.logGiBPerReplica, 5);
        const expected = estimateCost(declared(run), { monthlyRequests: 10_000_000, logGiBPerReplica: 5 });
        assert.equal(run.outputs.costEstimate.totalMonthlyUsd, expected.totalMonthlyUsd);
        assert.ok(expected.totalMonthlyUsd > estimateCost(declared(prodAws)).totalMonthlyUsd, "more requests and logs cost more");
    });

    it("rejects a usage assumption that is not a number >= 0, naming it", () => {
        assert.throws(() => estimateCost([], { monthlyRequests: -1 }), /monthlyRequests must be a number >= 0/);
        assert.throws(() => estimateCost([], { requests: 5 } as any), /unknown usage assumption "requests"/);
    });

    it("lists what it cannot price with a count and a reason, and never costs it at zero", () => {
        const run = declared(prodAws);
        const rds = run.find((r) => r.name === "mcp-audit-instance")!;
        const e = estimateCost([
            ...run.filter((r) => r !== rds),
            { ...rds, inputs: { ...rds.inputs, instanceClass: "db.x2g.16xlarge" } },
            { type: "aws:sagemaker/endpoint:Endpoint", name: "extra-1", inputs: {} },
            { type: "aws:sagemaker/endpoint:Endpoint", name: "extra-2", inputs: {} },
        ]);
        const sage = e.unpriced.find((u) => u.type === "aws:sagemaker/endpoint:Endpoint")!;
        assert.equal(sage.count, 2);
        assert.deepEqual(sage.names, ["extra-1", "extra-2"]);
        const cls = e.unpriced.find((u) => u.type === "aws:rds/instance:Instance")!;
        assert.match(cls.reason, /no catalog price for RDS class db\.x2g\.16xlarge/);
        assert.ok(!e.lines.some((l) => l.resource === "mcp-audit-instance" && l.priceId.startsWith("aws.rds.pg.")), "no zero line for it");
    });

    it("says that subtracted free allowances are shared by every stack of the subscription, billing account or project", async () => {
        const azure = estimateCost(declared(await runStack("dev-azure")));
        assert.ok(
            azure.notes.some((n) => /Container Apps grant .* belongs to the subscription/.test(n)),
            azure.notes.join("\n"),
        );
        assert.ok(azure.notes.some((n) => /Log Analytics ingestion\. It belongs to the billing account/.test(n)));
        const gcp = estimateCost(declared(prodGcp));
        assert.ok(gcp.notes.some((n) => /Cloud Run free tier .* belongs to the billing account/.test(n)));
        assert.ok(gcp.notes.some((n) => /Cloud Logging ingestion\. It belongs to the project/.test(n)));
        assert.ok(
            !estimateCost(declared(prodAws)).notes.some((n) => /Free allowance subtracted/.test(n)),
            "AWS subtracts no shared allowance",
        );
    });

    it("matches the estimate the program exports as a stack output (the same engine on the same resources)", () => {
        for (const run of [prodAws, prodAzure, prodGcp]) {
            const fromPlan = estimateCost(declared(run));
            assert.equal(run.outputs.costEstimate.totalMonthlyUsd, fromPlan.totalMonthlyUsd, run.stack);
            assert.deepEqual(
                run.outputs.costEstimate.perComponentUsd,
                Object.fromEntries(fromPlan.components.map((c) => [c.component, c.monthlyUsd])),
                run.stack,
            );
            assert.deepEqual(run.outputs.costEstimate.notPriced, []);
            assert.deepEqual(
                run.outputs.costEstimate.notes,
                fromPlan.notes,
                `${run.stack}: the notes (shared free allowances among them) reach the stack outputs`,
            );
        }
    });
});

describe("every stack is fully priced", function () {
    this.timeout(600_000);
    for (const stack of listStacks()) {
        it(`${stack}: every billable resource has a price, every other type a reason to be free`, async () => {
            const run = await runStack(stack);
            const e = estimateCost(declared(run));
            assert.deepEqual(e.unpriced, [], `${stack} has unpriced resources`);
            const local = stack.endsWith("-local");
            if (local) assert.equal(e.totalMonthlyUsd, 0, "the local target costs nothing");
            else assert.ok(e.totalMonthlyUsd > 0);
            const priced = new Set(e.lines.map((l) => l.resource));
            for (const r of run.resources.filter((x) => x.custom)) {
                assert.ok(priced.has(r.name) || e.free.some((f) => f.type === r.type), `${r.type} ${r.name} is priced or free`);
            }
        });
    }
});

describe("floor targets (issue 15)", () => {
    it("are set for dev and prod on every cloud and printed as met or missed", () => {
        assert.deepEqual(FLOOR_TARGETS, { aws: { dev: 28.5, prod: 170 }, gcp: { dev: 30, prod: 225 }, azure: { dev: 48, prod: 715 } });
        assert.equal(floorTarget("aws", "enterprise"), undefined);
        const cost = (total: number, targetUsd?: number) => ({
            stack: "s",
            cloud: "aws",
            tier: "prod",
            targetUsd,
            estimate: { ...estimateCost([]), totalMonthlyUsd: total },
        });
        assert.equal(targetStatus(cost(170, 170)), "<= $170.00: met");
        assert.equal(targetStatus(cost(173.2, 170)), "<= $170.00: MISSED by $3.20");
        assert.equal(targetStatus(cost(10)), undefined);
        assert.match(renderTable(cost(169.99, 170)), /^ {2}floor target \(issue 15\) <= \$170\.00: met$/m);
    });
});

describe("cost diff", () => {
    const stack = (name: string, total: number, lines: Array<[string, string, number]>): StackCost => ({
        stack: name,
        cloud: "aws",
        tier: "prod",
        estimate: {
            currency: "USD",
            cloud: "aws",
            totalMonthlyUsd: total,
            components: [{ component: "mcp-audit", monthlyUsd: total }],
            lines: lines.map(([resource, priceId, usd]) => ({
                component: "mcp-audit",
                resource,
                type: "t",
                item: priceId,
                quantity: 1,
                unit: "u",
                unitPriceUsd: usd,
                monthlyUsd: usd,
                priceId,
                usageBased: false,
            })),
            free: [],
            unpriced: [],
            assumptions: DEFAULT_USAGE,
            notes: [],
        },
    });
    it("shows the change per stack and line, new and removed stacks", () => {
        const d = diffCosts(
            [
                stack("a", 50, [
                    ["db", "aws.rds.pg.db.t4g.small", 46.72],
                    ["s", "aws.secrets.secret", 0.4],
                ]),
                stack("gone", 10, []),
            ],
            [
                stack("a", 95, [
                    ["db", "aws.rds.pg.db.t4g.medium", 94.9],
                    ["s", "aws.secrets.secret", 0.4],
                ]),
                stack("new", 5, []),
            ],
        );
        const a = d.find((x) => x.stack === "a")!;
        assert.equal(a.beforeUsd, 50);
        assert.equal(a.afterUsd, 95);
        assert.deepEqual(
            a.lines.map((l) => [l.item, l.beforeUsd, l.afterUsd]),
            [
                ["aws.rds.pg.db.t4g.medium", 0, 94.9],
                ["aws.rds.pg.db.t4g.small", 46.72, 0],
            ],
        );
        assert.equal(d.find((x) => x.stack === "gone")!.afterUsd, undefined);
        assert.equal(d.find((x) => x.stack === "new")!.beforeUsd, undefined);
    });
});
