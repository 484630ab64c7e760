/**
 * The docs stay true to the code: the README is a door, relative links resolve, every config
 * key is documented, the cost table equals the pricing engine's figures for every stack, and
 * the example program in docs/components.md runs and declares what it says.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { parse as parseYaml } from "yaml";
import { estimateCost } from "../pricing";
import { usd } from "../pricing/report";
import { parseStackConfig } from "../components/config";
import { listStacks, readStackFile, runProgram, runStack } from "../scripts/harness";
import { costChoices, declared } from "../scripts/plan";

const root = path.resolve(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");
const docs = () => [
    "README.md",
    "app/README.md",
    ...fs
        .readdirSync(path.join(root, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
];

describe("docs", () => {
    it("the README is a door: at most 200 lines, with an Architecture section and the Node it needs", () => {
        const readme = read("README.md");
        assert.ok(readme.split("\n").length <= 200, `README.md has ${readme.split("\n").length} lines`);
        assert.match(readme, /^## Architecture$/m);
        assert.match(readme, /\*\*Node\.js 22 or later\*\*/);
        assert.match(readme, /```sh\nnpm ci\nnpm test\n```/);
    });

    it("every relative link and image in the docs resolves to a file of the repository", () => {
        for (const file of docs()) {
            const text = read(file).replace(/```[\s\S]*?```/g, "");
            for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
                if (/^(https?:|mailto:)/.test(target)) continue;
                const [rel, anchor] = target.split("#");
                const resolved = rel ? path.resolve(path.dirname(path.join(root, file)), rel) : path.join(root, file);
                assert.ok(resolved.startsWith(root + path.sep) && fs.existsSync(resolved), `${file}: link ${target} does not resolve`);
                if (anchor && resolved.endsWith(".md")) {
                    const slugs = [...fs.readFileSync(resolved, "utf8").matchAll(/^#+ (.+)$/gm)].map((m) =>
                        m[1]
                            .toLowerCase()
                            .replace(/[^\w\- ]/g, "")
                            .replace(/ /g, "-"),
                    );
                    assert.ok(slugs.includes(anchor), `${file}: no heading #${anchor} in ${rel || file}`);
                }
            }
        }
    });

    it("documents every config key Pulumi.yaml declares", () => {
        const keys = Object.keys(parseYaml(read("Pulumi.yaml")).config);
        const table = read("docs/configuration.md");
        const missing = keys.filter((k) => !table.includes(`\`${k}\``));
        assert.ok(keys.length > 20);
        assert.deepEqual(missing, []);
    });

    it("the cost table of docs/cost.md is what the pricing engine says for every stack", async function () {
        this.timeout(300_000);
        const rows = new Map<string, string[]>();
        for (const m of read("docs/cost.md").matchAll(/^\| (dev|prod|enterprise) \|(.*)\|$/gm))
            rows.set(
                m[1],
                m[2].split("|").map((c) => c.trim()),
            );
        const columns = ["aws", "azure", "gcp", "local"];
        const stacks = listStacks();
        assert.ok(stacks.length >= 11);
        for (const stack of stacks) {
            const [tier, cloud] = stack.split("-");
            const cell = rows.get(tier)?.[columns.indexOf(cloud)];
            assert.ok(cell, `docs/cost.md has no figure for ${stack}`);
            const run = await runStack(stack);
            const usage = parseStackConfig(run.config).usage;
            const figures = [...cell.matchAll(/\$[\d,]+\.\d\d/g)].map((m) => m[0]);
            assert.equal(figures[0], usd(estimateCost(declared(run), usage).totalMonthlyUsd), `${stack}: total`);
            const choices = costChoices(run.config);
            if (choices.labels.length) {
                const before = await runProgram(stack, { ...readStackFile(stack), ...choices.undo });
                assert.equal(
                    figures[1],
                    usd(estimateCost(declared(before), usage).totalMonthlyUsd),
                    `${stack}: "was" (without ${choices.labels.join(", ")})`,
                );
            } else {
                assert.equal(figures.length, 1, `${stack} makes no cost choice, so no "was" figure`);
            }
        }
    });

    it("the example program of docs/components.md runs and declares what it says", async function () {
        this.timeout(120_000);
        const block = /```ts\n([\s\S]*?)```/.exec(read("docs/components.md"))?.[1];
        assert.ok(block, "no ts block in docs/components.md");
        const js = ts.transpileModule(block, {
            compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
        }).outputText;
        const program = () => {
            const exports: Record<string, any> = {};
            const requireLib = (id: string) => (id === "mcp-infra" ? require("../lib") : require(id));
            new Function("exports", "require", js)(exports, requireLib);
            return exports;
        };
        const run = await runProgram("docs-example", { "aws:region": "us-east-1" }, program);
        assert.equal(run.outputs.mcpUrl, "https://mcp.example.com/mcp");
        assert.ok(run.outputs.apiKeySecret);
        const db = run.resources.filter((r) => r.type === "aws:rds/instance:Instance");
        assert.deepEqual(
            db.map((r) => r.inputs.instanceClass),
            ["db.t4g.medium"],
        );
        assert.equal(run.resources.filter((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup").length, 1);
        const task = run.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition");
        assert.ok(task, "a task definition");
        const env: Array<{ name: string; value: string }> = JSON.parse(task.inputs.containerDefinitions)[0].environment;
        assert.ok(
            env.some((e) => e.name === "LOG_LEVEL" && e.value === "debug"),
            "the environment reaches the server",
        );
    });
});
