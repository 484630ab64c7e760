import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RunningApp } from "../src/app";
import { loadConfig } from "../src/config";
import { loadConfiguredTools } from "../src/tools/configured";
import { APP_DIR, bearer, connect, randomKey, startTestApp, structured, text } from "./helpers";

const hints = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
const tool = (over: Record<string, unknown> = {}) => ({
    name: "probe",
    description: "Test tool",
    handler: "probe.js",
    annotations: hints,
    inputSchema: { type: "object", properties: { mode: { type: "string" } } },
    ...over,
});

describe("app configured tools", function () {
    let dir: string;
    const reserved = new Set(["server_info"]);

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-tools-"));
        fs.mkdirSync(path.join(dir, "handlers"));
        fs.writeFileSync(
            path.join(dir, "handlers", "probe.js"),
            `module.exports = async ({ mode }, ctx) => {
  if (mode === "hang") return new Promise(() => {});
  if (mode === "secret-crash") throw new Error("db password is swordfish at /srv/app/secret.js:12");
  if (mode === "refuse") { const e = new Error("mode refuse is not allowed here"); e.name = "ToolError"; e.code = "refused"; throw e; }
  return { mode, client: ctx.clientId };
};\n`,
        );
        fs.writeFileSync(path.join(dir, "handlers", "nothing.js"), "module.exports = { notAFunction: 1 };\n");
        fs.writeFileSync(path.join(dir, "outside.js"), "module.exports = () => 'escaped';\n");
        fs.symlinkSync(path.join(dir, "outside.js"), path.join(dir, "handlers", "link.js"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const write = (content: unknown, name = "tools.json") => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
        return file;
    };
    const load = (content: unknown, name?: string) => loadConfiguredTools(write(content, name), path.join(dir, "handlers"), reserved);

    it("loads the shipped example (YAML) with its handlers", () => {
        const tools = loadConfiguredTools(
            path.join(APP_DIR, "examples", "tools.yaml"),
            path.join(APP_DIR, "examples", "handlers"),
            reserved,
        );
        assert.deepEqual(
            tools.map((t) => t.name),
            ["word_count", "format_json"],
        );
        assert.equal(tools[1].rateLimitPerMinute, 30);
        assert.equal(tools[0].inputSchema.additionalProperties, false, "closed by default");
    });

    const refusals: { name: string; config: unknown; message: RegExp }[] = [
        {
            name: "a handler path that climbs out of the directory",
            config: { tools: [tool({ handler: "../outside.js" })] },
            message: /resolves outside MCP_HANDLERS_DIR/,
        },
        {
            name: "an absolute handler path",
            config: { tools: [tool({ handler: "/etc/passwd.js" })] },
            message: /must be a path relative to MCP_HANDLERS_DIR/,
        },
        {
            name: "a symlink that escapes the directory",
            config: { tools: [tool({ handler: "link.js" })] },
            message: /resolves outside MCP_HANDLERS_DIR/,
        },
        {
            name: "a missing handler file",
            config: { tools: [tool({ handler: "absent.js" })] },
            message: /handler file absent.js not found/,
        },
        { name: "a module without a function", config: { tools: [tool({ handler: "nothing.js" })] }, message: /must export a function/ },
        {
            name: "missing annotations",
            config: { tools: [tool({ annotations: { readOnlyHint: true } })] },
            message: /tools\[0\]\.annotations\.destructiveHint/,
        },
        { name: "an unknown field", config: { tools: [tool({ shell: "rm -rf /" })] }, message: /Unrecognized key: "shell"/ },
        {
            name: "a schema open to extra properties",
            config: { tools: [tool({ inputSchema: { type: "object", additionalProperties: true } })] },
            message: /must not allow additional properties/,
        },
        {
            name: "a name taken by a built-in",
            config: { tools: [tool({ name: "server_info" })] },
            message: /the name server_info is already taken/,
        },
        {
            name: "a bad tool name",
            config: { tools: [tool({ name: "Drop Table" })] },
            message: /tools\[0\]\.name: must be lower_snake_case/,
        },
        { name: "a non-object input schema", config: { tools: [tool({ inputSchema: { type: "string" } })] }, message: /inputSchema\.type/ },
    ];
    for (const r of refusals) {
        it(`refuses ${r.name} at startup, naming the file and field`, () => {
            assert.throws(
                () => load(r.config),
                (err: Error) => err.name === "ConfigError" && r.message.test(err.message) && err.message.includes("MCP_TOOLS_CONFIG"),
            );
        });
    }

    it("refuses MCP_TOOLS_CONFIG without MCP_HANDLERS_DIR", () => {
        assert.throws(() => loadConfig({ MCP_TOOLS_CONFIG: "tools.yaml" }), /MCP_TOOLS_CONFIG needs MCP_HANDLERS_DIR/);
    });

    describe("through the server", function () {
        let app: RunningApp;
        const key = randomKey();
        before(async () => {
            write(
                `tools:\n  - name: probe\n    description: Test tool\n    handler: probe.js\n    timeoutMs: 300\n    annotations: {readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false}\n    inputSchema:\n      type: object\n      properties:\n        mode: {type: string, enum: [ok, hang, secret-crash, refuse]}\n      required: [mode]\n`,
                "tools.yaml",
            );
            app = await startTestApp({
                MCP_API_KEYS: key,
                MCP_TOOLS_CONFIG: path.join(dir, "tools.yaml"),
                MCP_HANDLERS_DIR: path.join(dir, "handlers"),
            });
        });
        after(() => app?.shutdown());

        it("runs a handler with the caller's identity and validates first", async () => {
            const client = await connect(app.url, bearer(key));
            const ok = structured(await client.callTool({ name: "probe", arguments: { mode: "ok" } }));
            assert.equal(ok.mode, "ok");
            assert.match(String(ok.client), /^key-/);
            const bad = await client.callTool({ name: "probe", arguments: { mode: "other" } });
            assert.equal(bad.isError, true);
            assert.match(text(bad), /Invalid arguments for tool probe: arguments\/mode must be equal to one of the allowed values/);
            await client.close();
        });

        it("times out a hanging handler at its declared timeout", async () => {
            const client = await connect(app.url, bearer(key));
            const r = await client.callTool({ name: "probe", arguments: { mode: "hang" } });
            assert.equal(r.isError, true);
            assert.equal(text(r), "Tool probe timed out after 300 ms");
            await client.close();
        });

        it("shows a handler's ToolError but hides an unexpected error's details", async () => {
            const client = await connect(app.url, bearer(key));
            const refused = await client.callTool({ name: "probe", arguments: { mode: "refuse" } });
            assert.equal(text(refused), "mode refuse is not allowed here");
            const crashed = await client.callTool({ name: "probe", arguments: { mode: "secret-crash" } });
            assert.equal(crashed.isError, true);
            assert.match(text(crashed), /^Tool probe failed with an internal error \(request [0-9a-f-]+\)$/);
            assert.doesNotMatch(text(crashed), /swordfish|secret\.js/);
            const entries = structured<{ entries: { outcome: string; errorCode: string }[] }>(
                await client.callTool({ name: "audit_recent", arguments: { limit: 4 } }),
            ).entries;
            assert.deepEqual(
                entries.map((e) => [e.outcome, e.errorCode]),
                [
                    ["tool_error", "internal_error"],
                    ["tool_error", "refused"],
                    ["timeout", "timeout"],
                    ["invalid_arguments", "invalid_arguments"],
                ],
            );
            await client.close();
        });
    });
});
