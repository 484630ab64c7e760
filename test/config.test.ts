/** Stack config: the Pulumi.yaml schema, the stack files, and the errors a bad config gives. */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { parseStackConfig } from "../components/config";
import { listStacks, readStackFile, runProgram } from "../scripts/harness";
import { CONFIG_KEYS, ConfigError } from "../sizing";
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
            assert.equal(declared.default, def.default, `${def.key} default`);
            assert.ok(declared.description.length > 10, `${def.key} description`);
            assert.equal(declared.description, def.description, `${def.key}: Pulumi.yaml and sizing/overrides.ts describe it alike`);
        }
    });
    it("declares at least the overrides for replicas, vCPU, memory, database size and cache size", () => {
        for (const k of ["minReplicas", "maxReplicas", "serviceMilliCpu", "serviceMemoryMiB", "dbVcpu", "dbMemoryGiB", "dbStorageGiB", "cacheMemoryMiB"]) {
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
    it("unknown cloud", () => rejectsConfig("dev-aws", { "mcp-infra:cloud": "digitalocean" }, "mcp-infra:cloud", /aws, azure, gcp or local/));
    it("unknown tier", () => rejectsConfig("dev-aws", { "mcp-infra:tier": "huge" }, "mcp-infra:tier", /dev, prod or enterprise/));
    it("unknown key", () => rejectsConfig("dev-aws", { "mcp-infra:replicas": "3" }, "mcp-infra:replicas", /known keys: .*minReplicas/));
    it("non-integer for an integer key", () => rejectsConfig("dev-aws", { "mcp-infra:minReplicas": "two" }, "mcp-infra:minReplicas", /whole number/));
    it("a vCPU Fargate does not offer", () => rejectsConfig("prod-aws", { "mcp-infra:serviceMilliCpu": "300" }, "mcp-infra:serviceMilliCpu", /nearest valid values: 250 or 500/));
    it("a memory size that does not pair with the vCPU", () => rejectsConfig("prod-aws", { "mcp-infra:serviceMemoryMiB": "512" }, "mcp-infra:serviceMemoryMiB", /nearest valid values: 1024/));
    it("a database class that does not exist", () => rejectsConfig("prod-aws", { "mcp-infra:dbInstanceClass": "db.t4g.mega" }, "mcp-infra:dbInstanceClass", /valid classes: db\.t4g\.micro/));
    it("a cache bigger than any node type", () => rejectsConfig("prod-aws", { "mcp-infra:cacheMemoryMiB": "999999" }, "mcp-infra:cacheMemoryMiB", /nearest valid values/));
    it("a malformed domain", () => rejectsConfig("prod-aws", { "mcp-infra:domain": "not a domain" }, "mcp-infra:domain", /DNS name/));
    it("a negative budget", () => rejectsConfig("prod-aws", { "mcp-infra:monthlyBudgetUsd": "-1" }, "mcp-infra:monthlyBudgetUsd", /positive/));
});

describe("overrides reach the resources", () => {
    it("replica, size and class overrides change what is declared", async () => {
        const run = await runProgram("prod-aws", {
            ...readStackFile("prod-aws"),
            "mcp-infra:minReplicas": "3", "mcp-infra:maxReplicas": "10",
            "mcp-infra:serviceMilliCpu": "1000", "mcp-infra:serviceMemoryMiB": "4096",
            "mcp-infra:dbInstanceClass": "db.t4g.medium", "mcp-infra:cacheNodeType": "cache.t4g.medium", "mcp-infra:dbStorageGiB": "80",
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
