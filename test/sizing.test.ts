/** Pure sizing logic: tiers, overrides, AWS SKU mapping, subnet layout. */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { ConfigError, resolveTier, subnetLayout, TIERS, TIER_NAMES } from "../sizing";
import { awsSizing, CACHE_NODE_TYPES, FARGATE_SIZES, fargateSize, pickRdsClass, RDS_CLASSES } from "../sizing/aws";

function throwsConfig(fn: () => unknown, key: string, ...mentions: RegExp[]) {
    assert.throws(fn, (e: unknown) => {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
        assert.equal(e.key, key);
        for (const m of mentions) assert.match(e.message, m);
        return true;
    });
}

describe("tier table", () => {
    it("targets 99.0 / 99.9 / 99.99 % availability", () => {
        assert.deepEqual(
            TIER_NAMES.map((t) => TIERS[t].availabilityTarget),
            [99.0, 99.9, 99.99],
        );
    });
    it("grows with the tier: replicas, zones, database and cache protection", () => {
        const [dev, prod, ent] = TIER_NAMES.map((t) => TIERS[t]);
        assert.ok(dev.service.minReplicas === 1 && prod.service.minReplicas >= 2 && ent.service.minReplicas >= 3);
        assert.deepEqual([dev.zones, prod.zones, ent.zones], [1, 2, 3]);
        assert.deepEqual(
            [dev.database.highAvailability, prod.database.highAvailability, ent.database.highAvailability],
            [false, true, true],
        );
        assert.deepEqual([prod.database.backupRetentionDays, ent.database.backupRetentionDays], [7, 30]);
        assert.equal(ent.database.readReplicas, 1);
        assert.deepEqual([dev.edge.waf, prod.edge.waf, ent.edge.waf], ["none", "baseline", "extended"]);
        for (const t of [prod, ent]) assert.ok(t.database.deletionProtection && t.database.pointInTimeRestore && t.cache.highAvailability);
    });
    it("hands out copies, so an override never changes the table", () => {
        const spec = resolveTier("prod", { minReplicas: 5, maxReplicas: 9 });
        assert.equal(spec.service.minReplicas, 5);
        assert.equal(TIERS.prod.service.minReplicas, 2);
    });
});

describe("overrides", () => {
    it("reject an unknown tier naming the allowed values", () => {
        throwsConfig(() => resolveTier("staging" as any), "mcp-infra:tier", /dev, prod or enterprise/);
    });
    it("reject min above max", () => {
        throwsConfig(() => resolveTier("dev", { minReplicas: 3 }), "mcp-infra:minReplicas", /maxReplicas to at least 3/);
    });
    it("reject fractional or negative sizes", () => {
        throwsConfig(() => resolveTier("dev", { dbStorageGiB: -5 }), "mcp-infra:dbStorageGiB", /whole number/);
        throwsConfig(() => resolveTier("dev", { serviceMemoryMiB: 1.5 }), "mcp-infra:serviceMemoryMiB", /whole number/);
    });
});

describe("AWS SKU mapping", () => {
    it("maps every tier to valid SKUs", () => {
        const got = TIER_NAMES.map((t) => awsSizing(TIERS[t]));
        assert.deepEqual(
            got.map((s) => [s.taskCpu, s.taskMemoryMiB, s.dbInstanceClass, s.cacheNodeType, s.azCount]),
            [
                [256, 512, "db.t4g.micro", "cache.t4g.micro", 2],
                [512, 1024, "db.t4g.small", "cache.t4g.small", 2],
                [1024, 2048, "db.m7g.large", "cache.m7g.large", 3],
            ],
        );
    });
    it("accepts exactly the Fargate CPU/memory pairs AWS documents", () => {
        const pairs = Object.entries(FARGATE_SIZES).flatMap(([cpu, mems]) => mems.map((m) => [Number(cpu), m] as const));
        fc.assert(
            fc.property(fc.constantFrom(...pairs), ([cpu, mem]) => {
                const milli = (cpu * 1000) / 1024;
                assert.deepEqual(fargateSize(milli, mem), { cpu, memoryMiB: mem });
            }),
        );
        fc.assert(
            fc.property(fc.integer({ min: 128, max: 130_000 }), fc.constantFrom(...Object.keys(FARGATE_SIZES).map(Number)), (mem, cpu) => {
                fc.pre(!FARGATE_SIZES[cpu].includes(mem));
                throwsConfig(() => fargateSize((cpu * 1000) / 1024, mem), "mcp-infra:serviceMemoryMiB", /nearest valid values/);
            }),
        );
    });
    it("names the nearest valid Fargate CPU sizes for an impossible vCPU", () => {
        throwsConfig(() => fargateSize(300, 1024), "mcp-infra:serviceMilliCpu", /nearest valid values: 250 or 500/);
        throwsConfig(() => fargateSize(500, 8192), "mcp-infra:serviceMemoryMiB", /nearest valid values: 4096/);
    });
    it("picks the smallest RDS class that fits, burstable only where the tier allows", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 512 }), fc.boolean(), (vcpu, mem, burst) => {
                const spec = {
                    ...TIERS.dev.database,
                    vcpu,
                    memoryGiB: mem,
                    compute: burst ? ("burstable" as const) : ("standard" as const),
                };
                const fits = RDS_CLASSES.filter((c) => c.vcpu >= vcpu && c.memoryGiB >= mem);
                if (!fits.length) return throwsConfig(() => pickRdsClass(spec), mem > 512 ? "mcp-infra:dbMemoryGiB" : "mcp-infra:dbVcpu");
                const got = pickRdsClass(spec);
                assert.ok(got.vcpu >= vcpu && got.memoryGiB >= mem);
                if (!burst) assert.equal(got.burstable, false);
                const sameFamily = fits.filter((c) => c.burstable === got.burstable);
                assert.ok(
                    sameFamily.every((c) => c.vcpu > got.vcpu || (c.vcpu === got.vcpu && c.memoryGiB >= got.memoryGiB)),
                    "no smaller class fits",
                );
            }),
        );
    });
    it("rejects sizes no AWS SKU has, naming the key and the nearest values", () => {
        throwsConfig(() => awsSizing(resolveTier("dev", { dbMemoryGiB: 1024 })), "mcp-infra:dbMemoryGiB", /db\.r7g\.16xlarge/);
        throwsConfig(() => awsSizing(resolveTier("dev", { cacheMemoryMiB: 500_000 })), "mcp-infra:cacheMemoryMiB", /nearest valid values/);
        throwsConfig(() => awsSizing(resolveTier("dev", { dbStorageGiB: 5 })), "mcp-infra:dbStorageGiB", /nearest valid values: 20/);
        throwsConfig(
            () => awsSizing(resolveTier("dev", { logRetentionDays: 10 })),
            "mcp-infra:logRetentionDays",
            /nearest valid values: 7 or 14/,
        );
        throwsConfig(() => awsSizing(TIERS.dev, { dbInstanceClass: "db.t2.nano" }), "mcp-infra:dbInstanceClass", /db\.t4g\.micro/);
        throwsConfig(() => awsSizing(TIERS.dev, { cacheNodeType: "cache.x9.huge" }), "mcp-infra:cacheNodeType", /cache\.t4g\.micro/);
        throwsConfig(() => awsSizing(TIERS.dev, { dbInstanceClass: "db.t4g.small", dbVcpu: 4 }), "mcp-infra:dbInstanceClass", /not both/);
    });
    it("honours explicit classes", () => {
        const s = awsSizing(TIERS.prod, { dbInstanceClass: "db.t4g.medium", cacheNodeType: "cache.t4g.medium" });
        assert.deepEqual([s.dbInstanceClass, s.cacheNodeType], ["db.t4g.medium", "cache.t4g.medium"]);
        assert.ok(CACHE_NODE_TYPES.length > 10);
    });
});

describe("subnet layout", () => {
    const toRange = (cidr: string) => {
        const [ip, p] = cidr.split("/");
        const n = ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
        return [n, n + 2 ** (32 - Number(p)) - 1];
    };
    it("gives disjoint subnets inside the VPC for any zone count", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 1, max: 15 }),
                fc.constantFrom("10.0.0.0/16", "172.20.0.0/16", "10.8.0.0/18", "192.168.0.0/20"),
                (zones, vpc) => {
                    const layout = subnetLayout(vpc, zones);
                    const all = [...layout.private, ...layout.public].map(toRange);
                    const [lo, hi] = toRange(vpc);
                    assert.equal(all.length, 2 * zones);
                    for (const [a, b] of all) assert.ok(a >= lo && b <= hi);
                    for (let i = 0; i < all.length; i++)
                        for (let j = i + 1; j < all.length; j++) {
                            assert.ok(all[i][1] < all[j][0] || all[j][1] < all[i][0], "subnets overlap");
                        }
                },
            ),
        );
    });
    it("rejects a malformed or too small block", () => {
        throwsConfig(() => subnetLayout("10.0.0.1/16", 2), "cidr", /did you mean 10\.0\.0\.0\/16/);
        throwsConfig(() => subnetLayout("10.0.0.0/24", 2), "cidr", /too small/);
        throwsConfig(() => subnetLayout("banana", 2), "cidr", /not an IPv4 CIDR/);
    });
});
