/**
 * The docs stay true to the code: the README is a door, relative links resolve, every config
 * key is documented (the cost table is checked to the cent by test/costDoc.test.ts), and
 * the example program in docs/components.md runs and declares what it says.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { parse as parseYaml } from "yaml";
import { runProgram } from "../scripts/harness";

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
        // prod's burstable managed cache is ElastiCache Serverless by default (the cacheMode cost choice).
        assert.equal(run.resources.filter((r) => r.type === "aws:elasticache/serverlessCache:ServerlessCache").length, 1);
        const task = run.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition");
        assert.ok(task, "a task definition");
        const env: Array<{ name: string; value: string }> = JSON.parse(task.inputs.containerDefinitions)[0].environment;
        assert.ok(
            env.some((e) => e.name === "LOG_LEVEL" && e.value === "debug"),
            "the environment reaches the server",
        );
    });
});
