/**
 * The pricing engine: prices come from the catalog, quantities from the
 * resources a run really declares; what cannot be priced is listed, never zero.
 */
import * as assert from "node:assert/strict";
import { CATALOG, estimateCost, DEFAULT_USAGE } from "../pricing";
import { HOURS_PER_MONTH } from "../pricing/catalog";
import { diffCosts, StackCost } from "../pricing/report";
import { listStacks, ProgramRun, readStackFile, runProgram, runStack } from "../scripts/harness";
import { declared } from "../scripts/plan";

const cents = (n: number) => Math.round(n * 100) / 100;

function line(run: ProgramRun, resource: string, priceId: string, usage = {}) {
    const found = estimateCost(declared(run), usage).lines.filter((l) => l.resource === resource && l.priceId === priceId);
    assert.equal(found.length, 1, `one ${priceId} line for ${resource}; lines: ${JSON.stringify(estimateCost(declared(run), usage).lines.map((l) => [l.resource, l.priceId]))}`);
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
        const rds = line(prodAws, "mcp-audit-instance", `aws.rds.pg.${prodAws.resources.find((r) => r.name === "mcp-audit-instance")!.inputs.instanceClass}`);
        assert.equal(rds.quantity, 2 * HOURS_PER_MONTH, "Multi-AZ bills the standby too");
        const pg = line(prodAzure, "mcp-audit-server", "azure.pg.Standard_D2ds_v5");
        assert.equal(pg.monthlyUsd, cents(2 * HOURS_PER_MONTH * 0.178)); // 259.88, zone-redundant HA
        const rule = prodGcp.resources.find((r) => r.type === "gcp:compute/globalForwardingRule:GlobalForwardingRule")!;
        assert.equal(line(prodGcp, rule.name, "gcp.lb.rule").monthlyUsd, cents(HOURS_PER_MONTH * 0.025)); // 18.25
    });

    it("follows an override of a database class and of the replica count", async () => {
        const base = estimateCost(declared(prodAws));
        const bigger = await runProgram("prod-aws", { ...readStackFile("prod-aws"), "mcp-infra:dbInstanceClass": "db.t4g.medium", "mcp-infra:minReplicas": "3" });
        const after = estimateCost(declared(bigger));
        const rds = after.lines.find((l) => l.resource === "mcp-audit-instance" && l.priceId.startsWith("aws.rds.pg."))!;
        assert.equal(rds.priceId, "aws.rds.pg.db.t4g.medium");
        assert.equal(rds.monthlyUsd, cents(2 * HOURS_PER_MONTH * 0.065));
        const fargate = (e: typeof base) => e.lines.filter((l) => l.priceId.startsWith("aws.fargate.")).reduce((s, l) => s + l.monthlyUsd, 0);
        assert.ok(Math.abs(fargate(after) - fargate(base) * 1.5) < 0.05, `3 replicas cost 1.5x 2 replicas: ${fargate(base)} -> ${fargate(after)}`);
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
            assert.equal(l.monthlyUsd, base.lines.find((b) => b.resource === l.resource && b.priceId === l.priceId)!.monthlyUsd, `${l.item} does not depend on usage`);
        }
    });

    it("takes usage assumptions from stack config into the exported estimate", async () => {
        const run = await runProgram("prod-aws", { ...readStackFile("prod-aws"), "mcp-infra:monthlyRequests": "10000000", "mcp-infra:logGiBPerReplica": "5" });
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

    it("matches the estimate the program exports as a stack output (the same engine on the same resources)", () => {
        for (const run of [prodAws, prodAzure, prodGcp]) {
            const fromPlan = estimateCost(declared(run));
            assert.equal(run.outputs.costEstimate.totalMonthlyUsd, fromPlan.totalMonthlyUsd, run.stack);
            assert.deepEqual(run.outputs.costEstimate.perComponentUsd, Object.fromEntries(fromPlan.components.map((c) => [c.component, c.monthlyUsd])), run.stack);
            assert.deepEqual(run.outputs.costEstimate.notPriced, []);
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

describe("cost diff", () => {
    const stack = (name: string, total: number, lines: Array<[string, string, number]>): StackCost => ({
        stack: name, cloud: "aws", tier: "prod",
        estimate: {
            currency: "USD", cloud: "aws", totalMonthlyUsd: total, components: [{ component: "mcp-audit", monthlyUsd: total }],
            lines: lines.map(([resource, priceId, usd]) => ({ component: "mcp-audit", resource, type: "t", item: priceId, quantity: 1, unit: "u", unitPriceUsd: usd, monthlyUsd: usd, priceId, usageBased: false })),
            free: [], unpriced: [], assumptions: DEFAULT_USAGE, notes: [],
        },
    });
    it("shows the change per stack and line, new and removed stacks", () => {
        const d = diffCosts(
            [stack("a", 50, [["db", "aws.rds.pg.db.t4g.small", 46.72], ["s", "aws.secrets.secret", 0.4]]), stack("gone", 10, [])],
            [stack("a", 95, [["db", "aws.rds.pg.db.t4g.medium", 94.9], ["s", "aws.secrets.secret", 0.4]]), stack("new", 5, [])],
        );
        const a = d.find((x) => x.stack === "a")!;
        assert.equal(a.beforeUsd, 50);
        assert.equal(a.afterUsd, 95);
        assert.deepEqual(a.lines.map((l) => [l.item, l.beforeUsd, l.afterUsd]), [["aws.rds.pg.db.t4g.medium", 0, 94.9], ["aws.rds.pg.db.t4g.small", 46.72, 0]]);
        assert.equal(d.find((x) => x.stack === "gone")!.afterUsd, undefined);
        assert.equal(d.find((x) => x.stack === "new")!.beforeUsd, undefined);
    });
});
