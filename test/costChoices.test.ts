/**
 * Issue 15's cost choices on the sizing side: every choice is a stack config key with a tier default
 * (or a per-cloud default where only one cloud has it), refused with a clear error where a cloud cannot
 * honour it, and the database is sized by sustained capacity rather than vCPU count.
 */
import * as assert from "node:assert/strict";
import { parseStackConfig } from "../components/config";
import { BURSTABLE_BASELINE_PER_VCPU, ConfigError, resolveTier, sustainedVcpu, TIERS, TierOverrides } from "../sizing";
import { awsDefaultCacheMode, awsDefaultContainerInsights, awsSizing, serverlessCacheMaxGb } from "../sizing/aws";
import { azureSizing } from "../sizing/azure";
import { ARMOR_MAX_SUBEXPRESSIONS, gcpSizing, packWafRuleSets, sqlSizeFor } from "../sizing/gcp";
import { costChoices } from "../scripts/plan";
import { readStackFile } from "../scripts/harness";

const sized = <T>(
    fn: (spec: ReturnType<typeof resolveTier>, o: TierOverrides) => T,
    tier: "dev" | "prod" | "enterprise",
    o: TierOverrides = {},
) => fn(resolveTier(tier, o), o);

function refuses(f: () => unknown, key: string, message: RegExp) {
    assert.throws(f, (e: unknown) => {
        assert.ok(e instanceof ConfigError, `a ConfigError, got ${e}`);
        assert.equal(e.key, key);
        assert.match(e.message, message);
        return true;
    });
}

describe("cost choices: tier defaults and config keys", () => {
    it("gives every tier a default for each neutral choice", () => {
        assert.deepEqual(
            Object.fromEntries(
                (["dev", "prod", "enterprise"] as const).map((t) => [
                    t,
                    [TIERS[t].secretStore, TIERS[t].edge.wafRules, TIERS[t].database.sizing],
                ]),
            ),
            {
                dev: ["platform", "compact", "sustained"],
                prod: ["managed", "compact", "sustained"],
                enterprise: ["managed", "separate", "sustained"],
            },
        );
    });

    it("reads the new keys from stack config, booleans included, and refuses unknown values naming the key", () => {
        const s = parseStackConfig({
            "mcp-infra:cloud": "aws",
            "mcp-infra:tier": "prod",
            "mcp-infra:cacheMode": "nodes",
            "mcp-infra:containerInsights": "true",
            "mcp-infra:wafRules": "separate",
            "mcp-infra:secretStore": "platform",
            "mcp-infra:dbSizing": "vcpuCount",
            "mcp-infra:cacheDataMB": "250",
            "mcp-infra:alerts": "none",
        });
        assert.deepEqual(s.overrides, {
            cacheMode: "nodes",
            containerInsights: true,
            wafRules: "separate",
            secretStore: "platform",
            dbSizing: "vcpuCount",
        });
        assert.deepEqual(s.usage, { cacheDataMB: 250 });
        refuses(
            () => parseStackConfig({ "mcp-infra:cacheMode": "cluster" }),
            "mcp-infra:cacheMode",
            /allowed values: "", nodes, serverless|allowed values: .*serverless/,
        );
        refuses(() => parseStackConfig({ "mcp-infra:wafRules": "none" }), "mcp-infra:wafRules", /allowed values/);
    });

    it("applies the neutral choices to the tier, and refuses a cache mode without a managed cache", () => {
        const spec = resolveTier("prod", { wafRules: "separate", secretStore: "platform", dbSizing: "vcpuCount" });
        assert.equal(spec.edge.wafRules, "separate");
        assert.equal(spec.secretStore, "platform");
        assert.equal(spec.database.sizing, "vcpuCount");
        refuses(
            () => resolveTier("dev", { cacheMode: "serverless" }),
            "mcp-infra:cacheMode",
            /sessionStore "embedded" has no managed cache/,
        );
        assert.equal(TIERS.prod.edge.wafRules, "compact", "the tier table itself is untouched");
    });
});

describe("cost choices per cloud", () => {
    it("AWS: serverless Valkey for a burstable managed cache, nodes for dedicated ones; the user's choice wins", () => {
        assert.equal(awsDefaultCacheMode(TIERS.prod), "serverless");
        assert.equal(awsDefaultCacheMode(TIERS.enterprise), "nodes");
        assert.equal(sized(awsSizing, "prod").cacheMode, "serverless");
        assert.equal(sized(awsSizing, "prod", { cacheMode: "nodes" }).cacheMode, "nodes");
        assert.equal(sized(awsSizing, "prod", { cacheNodeType: "cache.t4g.small" }).cacheMode, "nodes", "a node type means nodes");
        refuses(
            () => sized(awsSizing, "prod", { cacheMode: "serverless", cacheNodeType: "cache.t4g.small" }),
            "mcp-infra:cacheNodeType",
            /serverless cache has no node type/,
        );
        assert.equal(sized(awsSizing, "prod").cacheMaxDataGb, 1, "prod's 1 GiB cache caps the data stored at 1 GB");
        assert.equal(serverlessCacheMaxGb(6144), 6);
        assert.equal(serverlessCacheMaxGb(512), 1);
    });

    it("AWS: Container Insights only where the 99.99 % tier wants it; secrets and WAF layout follow the tier", () => {
        assert.deepEqual(
            [
                awsDefaultContainerInsights(TIERS.dev),
                awsDefaultContainerInsights(TIERS.prod),
                awsDefaultContainerInsights(TIERS.enterprise),
            ],
            [false, false, true],
        );
        assert.equal(sized(awsSizing, "prod", { containerInsights: true }).containerInsights, true);
        assert.equal(sized(awsSizing, "dev").secretStore, "platform");
        assert.equal(sized(awsSizing, "prod").secretStore, "managed");
        assert.equal(sized(awsSizing, "prod").wafRules, "compact");
        assert.equal(sized(awsSizing, "enterprise").wafRules, "separate");
    });

    it("Azure: no NAT gateway unless the stack asks for one, in every tier", () => {
        for (const tier of ["dev", "prod", "enterprise"] as const) assert.equal(sized(azureSizing, tier).natGateways, "none", tier);
        assert.equal(sized(azureSizing, "prod", { natGateways: "single" }).natGateways, "single");
        assert.equal(sized(azureSizing, "dev").secretStore, "platform");
    });

    it("GCP: Secret Manager only; a platform secret store is refused with the allowed value", () => {
        assert.doesNotThrow(() => sized(gcpSizing, "dev"), "the dev tier's platform default resolves to Secret Manager on GCP");
        refuses(() => sized(gcpSizing, "dev", { secretStore: "platform" }), "mcp-infra:secretStore", /allowed values on GCP: managed/);
    });
});

describe("compact WAF rules", () => {
    it("packs Cloud Armor's preconfigured sets five to a rule, keeping every set once and in order", () => {
        const sets = Array.from({ length: 9 }, (_, i) => `set-${i}`);
        assert.deepEqual(
            packWafRuleSets(sets, "compact").map((r) => r.length),
            [5, 4],
        );
        assert.deepEqual(packWafRuleSets(sets, "compact").flat(), sets);
        assert.deepEqual(
            packWafRuleSets(sets, "separate"),
            sets.map((s) => [s]),
        );
        assert.deepEqual(packWafRuleSets([], "compact"), []);
        for (const n of [1, 5, 6, 12]) {
            const packed = packWafRuleSets(sets.concat(sets).slice(0, n), "compact");
            assert.equal(packed.length, Math.ceil(n / ARMOR_MAX_SUBEXPRESSIONS));
            assert.ok(packed.every((r) => r.length <= ARMOR_MAX_SUBEXPRESSIONS));
        }
    });
});

describe("database size by sustained capacity", () => {
    it("maps a burstable size to the dedicated vCPUs it sustains", () => {
        assert.equal(BURSTABLE_BASELINE_PER_VCPU, 0.2);
        assert.equal(sustainedVcpu(TIERS.prod.database), 1, "2 burstable vCPUs sustain 0.4 vCPU: one dedicated vCPU");
        assert.equal(sustainedVcpu({ compute: "burstable", vcpu: 8 }), 2);
        assert.equal(sustainedVcpu({ compute: "standard", vcpu: 2 }), 2, "dedicated sizes keep their count");
    });

    it("GCP prod's HA database is db-custom-1-3840 by default and db-custom-2-3840 with dbSizing vcpuCount", () => {
        assert.equal(sized(gcpSizing, "prod").dbTier, "db-custom-1-3840");
        assert.equal(sized(gcpSizing, "prod", { dbSizing: "vcpuCount" }).dbTier, "db-custom-2-3840");
        assert.equal(sized(gcpSizing, "prod", { dbVcpu: 2 }).dbTier, "db-custom-2-3840", "an explicit dbVcpu is taken as given");
        assert.equal(sized(gcpSizing, "dev").dbTier, "db-g1-small", "a shared core still serves dev");
        assert.equal(sized(gcpSizing, "enterprise").dbTier, "db-custom-2-8192", "standard compute keeps its vCPU count");
        assert.equal(sqlSizeFor(TIERS.enterprise.database), TIERS.enterprise.database);
    });

    it("changes nothing where the cloud has a burstable class with HA (AWS) or no smaller dedicated one (Azure)", () => {
        assert.equal(sized(awsSizing, "prod").dbInstanceClass, sized(awsSizing, "prod", { dbSizing: "vcpuCount" }).dbInstanceClass);
        assert.equal(sized(azureSizing, "prod").dbSku.name, "Standard_D2ds_v5");
        assert.equal(sized(azureSizing, "prod", { dbSizing: "vcpuCount" }).dbSku.name, "Standard_D2ds_v5");
    });

    it("the plan decides each cloud's choices per stack (the pending ones listed once their builders follow them)", () => {
        const labels = (stack: string, extra: Record<string, string> = {}) =>
            costChoices({ ...readStackFile(stack), ...extra }, { pending: true }).labels;
        assert.deepEqual(labels("prod-aws"), [
            "arm64 (Graviton) replicas",
            "ElastiCache Serverless for Valkey instead of cache nodes",
            "no ECS Container Insights",
            "the core managed WAF rule group and the rate rule",
        ]);
        assert.ok(labels("dev-aws").includes("SSM Parameter Store instead of Secrets Manager"));
        assert.ok(!labels("dev-aws").some((l) => /ElastiCache|WAF/.test(l)), "dev has neither a managed cache nor a WAF");
        assert.deepEqual(
            labels("enterprise-aws"),
            ["arm64 (Graviton) replicas"],
            "enterprise keeps nodes, Container Insights and separate rules",
        );
        assert.ok(labels("prod-gcp").includes("Cloud Armor's preconfigured WAF sets five to a rule"));
        assert.deepEqual(labels("prod-azure"), ["no NAT gateway (Container Apps egress through the environment's own IP)"]);
        assert.ok(labels("dev-azure").includes("Container Apps secrets instead of Key Vault behind a private endpoint"));
        // Followed by the Azure builders now: printed without `pending`, each undone by its own key.
        const devAzure = costChoices(readStackFile("dev-azure"));
        assert.equal(devAzure.undo["mcp-infra:secretStore"], "managed");
        assert.equal(devAzure.undo["mcp-infra:auditStorageAccess"], "privateEndpoint");
        assert.ok(
            devAzure.labels.includes(
                "audit checkpoint storage behind its firewall and a free service endpoint instead of a private endpoint",
            ),
        );
        assert.equal(
            costChoices(readStackFile("prod-azure")).undo["mcp-infra:auditStorageAccess"],
            undefined,
            "prod keeps its private endpoint",
        );
        assert.deepEqual(
            labels("prod-aws", { "mcp-infra:cacheMode": "serverless" }).filter((l) => /ElastiCache/.test(l)),
            [],
            "a choice the stack set itself is not undone",
        );
        const undo = costChoices(readStackFile("prod-azure"), { pending: true }).undo;
        assert.equal(undo["mcp-infra:natGateways"], "single", "undone to the tier's own NAT mode");
    });

    it("the plan prints it as a cost choice of prod-gcp, undone by dbSizing vcpuCount", () => {
        const c = costChoices(readStackFile("prod-gcp"));
        assert.equal(c.undo["mcp-infra:dbSizing"], "vcpuCount");
        assert.ok(
            c.labels.includes("database sized by sustained capacity (db-custom-1-3840 instead of db-custom-2-3840)"),
            c.labels.join("; "),
        );
        assert.equal(
            costChoices({ ...readStackFile("prod-gcp"), "mcp-infra:dbSizing": "sustained" }).undo["mcp-infra:dbSizing"],
            undefined,
            "a choice the stack set itself is not undone",
        );
    });
});
