/** Stack config: the Pulumi.yaml schema, the stack files, and the errors a bad config gives. */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { parseStackConfig } from "../components/config";
import { listStacks, readStackFile, runProgram, valueOf } from "../scripts/harness";
import { CONFIG_KEYS } from "../sizing";
import { rejectsConfig } from "./util";

const root = path.resolve(__dirname, "..");
const project = parseYaml(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));

describe("Pulumi.yaml", () => {
    it("names the project, the runtime, the entry point and the stack directory", () => {
        assert.equal(project.name, "mcp-infra");
        assert.equal(project.runtime.name, "nodejs");
        assert.equal(project.main, "index.ts");
        assert.equal(project.stackConfigDir, "stacks");
    });
    it("declares exactly the keys the program reads, each with type, description and default", () => {
        assert.deepEqual(Object.keys(project.config).sort(), CONFIG_KEYS.map((k) => k.key).sort());
        for (const def of CONFIG_KEYS) {
            const declared = project.config[def.key];
            assert.equal(declared.type, def.type, `${def.key} type`);
            assert.deepEqual(declared.default, def.default, `${def.key} default`);
            assert.deepEqual(declared.items, def.items, `${def.key} items`);
            assert.equal(declared.secret, def.secret, `${def.key} secret`);
            // Pulumi refuses a plaintext default for a key it must store encrypted.
            if (def.secret) assert.ok(!("default" in declared), `${def.key} is secret and has no default`);
            assert.ok(declared.description.length > 10, `${def.key} description`);
            assert.equal(declared.description, def.description, `${def.key}: Pulumi.yaml and sizing/overrides.ts describe it alike`);
        }
    });
    it("declares at least the overrides for replicas, vCPU, memory, database size and cache size", () => {
        for (const k of [
            "minReplicas",
            "maxReplicas",
            "serviceMilliCpu",
            "serviceMemoryMiB",
            "dbVcpu",
            "dbMemoryGiB",
            "dbStorageGiB",
            "cacheMemoryMiB",
        ]) {
            assert.ok(project.config[k], k);
        }
    });
});

describe("stack files", () => {
    it("include the three AWS stacks with a region", () => {
        const stacks = listStacks();
        for (const s of ["dev-aws", "prod-aws", "enterprise-aws"]) assert.ok(stacks.includes(s), s);
        for (const s of stacks.filter((n) => n.endsWith("-aws"))) assert.ok(readStackFile(s)["aws:region"], `${s} sets aws:region`);
    });
    it("use only declared keys, and their tier and cloud match their names", () => {
        for (const s of listStacks()) {
            const cfg = readStackFile(s);
            const settings = parseStackConfig(cfg);
            assert.equal(`${settings.tier}-${settings.cloud}`, s);
        }
    });
});

describe("bad config fails at preview with the key and the allowed values", () => {
    it("unknown cloud", () =>
        rejectsConfig("dev-aws", { "mcp-infra:cloud": "digitalocean" }, "mcp-infra:cloud", /aws, azure, gcp or local/));
    it("unknown tier", () => rejectsConfig("dev-aws", { "mcp-infra:tier": "huge" }, "mcp-infra:tier", /dev, prod or enterprise/));
    it("unknown key", () => rejectsConfig("dev-aws", { "mcp-infra:replicas": "3" }, "mcp-infra:replicas", /known keys: .*minReplicas/));
    it("non-integer for an integer key", () =>
        rejectsConfig("dev-aws", { "mcp-infra:minReplicas": "two" }, "mcp-infra:minReplicas", /whole number/));
    it("a vCPU Fargate does not offer", () =>
        rejectsConfig("prod-aws", { "mcp-infra:serviceMilliCpu": "300" }, "mcp-infra:serviceMilliCpu", /nearest valid values: 250 or 500/));
    it("a memory size that does not pair with the vCPU", () =>
        rejectsConfig("prod-aws", { "mcp-infra:serviceMemoryMiB": "512" }, "mcp-infra:serviceMemoryMiB", /nearest valid values: 1024/));
    it("a database class that does not exist", () =>
        rejectsConfig(
            "prod-aws",
            { "mcp-infra:dbInstanceClass": "db.t4g.mega" },
            "mcp-infra:dbInstanceClass",
            /valid classes: db\.t4g\.micro/,
        ));
    it("a cache bigger than any node type", () =>
        rejectsConfig("prod-aws", { "mcp-infra:cacheMemoryMiB": "999999" }, "mcp-infra:cacheMemoryMiB", /nearest valid values/));
    it("a malformed domain", () => rejectsConfig("prod-aws", { "mcp-infra:domain": "not a domain" }, "mcp-infra:domain", /DNS name/));
    it("a negative budget", () =>
        rejectsConfig("prod-aws", { "mcp-infra:monthlyBudgetUsd": "-1" }, "mcp-infra:monthlyBudgetUsd", /positive/));
});

describe("where alerts go (alertEmails, alertWebhookUrl, alerts)", () => {
    const HOOK = "https://hooks.example.com/services/T000/B000/XXXX";
    const without = (stack: string) => {
        const cfg = readStackFile(stack);
        delete cfg["mcp-infra:alertEmails"];
        delete cfg["mcp-infra:alerts"];
        return cfg;
    };
    for (const stack of ["prod-aws", "prod-azure", "enterprise-gcp", "prod-local"]) {
        it(`${stack} without a target or the opt-out fails at preview, naming the keys that fix it`, () =>
            rejectsConfig(
                stack,
                { "mcp-infra:alertEmails": "[]", "mcp-infra:alerts": "" },
                "mcp-infra:alertEmails",
                /tier needs somewhere to send alerts/,
                /alertEmails/,
                /alertWebhookUrl/,
                /alerts none/,
            ));
    }
    it("dev may run without a target", () => {
        const s = parseStackConfig(without("dev-aws"));
        assert.deepEqual([s.alerting.emails, s.alerting.webhookUrl, s.alerting.optedOut], [[], undefined, false]);
    });
    it("every shipped prod and enterprise stack names a target or opts out", () => {
        for (const stack of listStacks().filter((s) => !s.startsWith("dev-"))) {
            const a = parseStackConfig(readStackFile(stack)).alerting;
            assert.ok(a.emails.length > 0 || a.webhookUrl !== undefined || a.optedOut, stack);
        }
    });
    it("a list of emails arrives as Pulumi passes lists (JSON text) and is kept in order", () => {
        const s = parseStackConfig({
            ...without("prod-aws"),
            "mcp-infra:alertEmails": JSON.stringify(["a@example.com", "b.c@ops.example.org"]),
        });
        assert.deepEqual(s.alerting.emails, ["a@example.com", "b.c@ops.example.org"]);
    });
    it("the webhook alone is a target, and stays a Pulumi secret", async () => {
        const s = parseStackConfig({ ...without("prod-gcp"), "mcp-infra:alertWebhookUrl": HOOK });
        assert.ok(s.alerting.webhookUrl);
        assert.equal(await (s.alerting.webhookUrl as any).isSecret, true);
        assert.equal(await valueOf(s.alerting.webhookUrl), HOOK);
    });
    it("alerts: none is the explicit opt-out", () => {
        const s = parseStackConfig({ ...without("enterprise-azure"), "mcp-infra:alerts": "none" });
        assert.deepEqual([s.alerting.emails, s.alerting.optedOut], [[], true]);
    });
    it("a bare string instead of a list", () =>
        rejectsConfig(
            "prod-aws",
            { "mcp-infra:alertEmails": "oncall@example.com" },
            "mcp-infra:alertEmails",
            /list of email addresses/,
            /--path 'alertEmails\[0\]'/,
        ));
    it("an entry that is not an email address", () =>
        rejectsConfig(
            "prod-aws",
            { "mcp-infra:alertEmails": JSON.stringify(["ok@example.com", "oncall"]) },
            "mcp-infra:alertEmails[1]",
            /not an email address: "oncall"/,
        ));
    it("the same address twice", () =>
        rejectsConfig(
            "prod-aws",
            { "mcp-infra:alertEmails": JSON.stringify(["a@example.com", "A@example.com"]) },
            "mcp-infra:alertEmails",
            /twice/,
        ));
    it("a webhook that is not https, without echoing the secret", () =>
        rejectsConfig(
            "prod-aws",
            { "mcp-infra:alertWebhookUrl": "http://hooks.example.com/s3cr3t" },
            "mcp-infra:alertWebhookUrl",
            /must be an https URL/,
            /^(?!.*s3cr3t)/s,
        ));
    it("a webhook that is not a URL, without echoing the secret", () =>
        rejectsConfig(
            "prod-aws",
            { "mcp-infra:alertWebhookUrl": "s3cr3t-token" },
            "mcp-infra:alertWebhookUrl",
            /not a URL/,
            /^(?!.*s3cr3t)/s,
        ));
    it("an unknown alerts mode", () =>
        rejectsConfig("prod-aws", { "mcp-infra:alerts": "off" }, "mcp-infra:alerts", /unknown value "off"; allowed values: none/));
    it("opting out while naming a target", () =>
        rejectsConfig("prod-aws", { "mcp-infra:alerts": "none" }, "mcp-infra:alerts", /unset one or the other/));
    it("emails on the local target (its Alertmanager has no mail relay)", () =>
        rejectsConfig(
            "prod-local",
            { "mcp-infra:alerts": "", "mcp-infra:alertEmails": JSON.stringify(["a@example.com"]) },
            "mcp-infra:alertEmails",
            /alertWebhookUrl/,
        ));
    it("a plain-http webhook is accepted on the local target only", () => {
        const s = parseStackConfig({ ...without("prod-local"), "mcp-infra:alertWebhookUrl": "http://receiver:9000/alerts" });
        assert.ok(s.alerting.webhookUrl);
    });
});

describe("the GCP budget's billing account (billingAccountId)", () => {
    it("a GCP stack with a budget and no billing account fails at preview, saying how to set it", () =>
        rejectsConfig(
            "prod-gcp",
            { "mcp-infra:billingAccountId": "" },
            "mcp-infra:billingAccountId",
            /monthlyBudgetUsd is 300/,
            /gcloud billing accounts list/,
        ));
    it("a malformed billing account", () =>
        rejectsConfig("prod-gcp", { "mcp-infra:billingAccountId": "billing-1" }, "mcp-infra:billingAccountId", /012345-6789AB-CDEF01/));
    it("is passed on for gcp, and not needed without a budget or elsewhere", () => {
        assert.equal(parseStackConfig(readStackFile("prod-gcp")).billingAccountId, "000000-000000-000000");
        assert.equal(
            parseStackConfig({ ...readStackFile("prod-gcp"), "mcp-infra:billingAccountId": "", "mcp-infra:monthlyBudgetUsd": "0" })
                .billingAccountId,
            undefined,
        );
        assert.equal(parseStackConfig(readStackFile("prod-aws")).billingAccountId, undefined);
    });
});

describe("overrides reach the resources", () => {
    it("replica, size and class overrides change what is declared", async () => {
        const run = await runProgram("prod-aws", {
            ...readStackFile("prod-aws"),
            "mcp-infra:minReplicas": "3",
            "mcp-infra:maxReplicas": "10",
            "mcp-infra:serviceMilliCpu": "1000",
            "mcp-infra:serviceMemoryMiB": "4096",
            "mcp-infra:dbInstanceClass": "db.t4g.medium",
            "mcp-infra:cacheNodeType": "cache.t4g.medium",
            "mcp-infra:dbStorageGiB": "80",
        });
        const find = (name: string) => run.resources.find((r) => r.name === name)!.inputs;
        assert.deepEqual([find("mcp-server-scaling-target").minCapacity, find("mcp-server-scaling-target").maxCapacity], [3, 10]);
        assert.deepEqual([find("mcp-server-task").cpu, find("mcp-server-task").memory], ["1024", "4096"]);
        assert.equal(find("mcp-audit-instance").instanceClass, "db.t4g.medium");
        assert.equal(find("mcp-audit-instance").allocatedStorage, 80);
        assert.equal(find("mcp-cache-replication-group").nodeType, "cache.t4g.medium");
        assert.equal(run.outputs.summary.database.memoryGiB, 4);
        assert.equal(run.outputs.summary.cluster.minReplicas, 3);
    });
});
