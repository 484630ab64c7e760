import { strict as assert } from "node:assert";
import * as path from "node:path";
import type { RunningApp } from "../src/app";
import { APP_DIR, bearer, connect, LogCapture, mcpHeaders, randomKey, rawHttp, rawPost, startTestApp, structured, text } from "./helpers";

const call = (id: number, name: string, args: unknown) =>
    JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });

/** No stack frames, file paths or exception class names in what a client sees. */
function assertNoLeak(body: string): void {
    assert.doesNotMatch(body, /\n\s+at |\.ts:\d+|\.js:\d+|node_modules|TypeError|SyntaxError/, `leaky body: ${body}`);
}

describe("app bad input: each case gets its own status or JSON-RPC error", function () {
    let app: RunningApp;
    const key = randomKey();
    const logs = new LogCapture();
    const ok = () => mcpHeaders(bearer(key));

    before(async () => {
        app = await startTestApp(
            {
                MCP_API_KEYS: key,
                MCP_MAX_BODY_BYTES: "4096",
                MCP_ALLOWED_ORIGINS: "https://console.example.com",
                MCP_TOOLS_CONFIG: path.join(APP_DIR, "examples", "tools.yaml"),
                MCP_HANDLERS_DIR: path.join(APP_DIR, "examples", "handlers"),
            },
            logs,
        );
    });
    after(() => app?.shutdown());

    const cases: {
        name: string;
        send: () => Promise<Awaited<ReturnType<typeof rawPost>>>;
        status: number;
        code?: number;
        message: RegExp;
    }[] = [
        {
            name: "malformed JSON",
            send: () => rawPost(app.url, '{"jsonrpc":"2.0",', ok()),
            status: 400,
            code: -32700,
            message: /not valid JSON/,
        },
        {
            name: "a non-JSON content type",
            send: () => rawPost(app.url, call(1, "server_info", {}), { ...ok(), "Content-Type": "text/plain" }),
            status: 415,
            message: /Content-Type must be application\/json/,
        },
        {
            name: "an oversized body",
            send: () => rawPost(app.url, call(1, "word_count", { text: "x".repeat(5000) }), ok()),
            status: 413,
            message: /exceeds the limit of 4096 bytes/,
        },
        {
            name: "a JSON-RPC batch",
            send: () => rawPost(app.url, `[${call(1, "server_info", {})},${call(2, "server_info", {})}]`, ok()),
            status: 400,
            code: -32600,
            message: /batches are not supported/,
        },
        {
            name: "a body that is not JSON-RPC",
            send: () => rawPost(app.url, '{"hello":"world"}', ok()),
            status: 400,
            code: -32600,
            message: /not a JSON-RPC 2.0 message/,
        },
        {
            name: "a method the server does not serve",
            send: () => rawPost(app.url, '{"jsonrpc":"2.0","id":7,"method":"resources/list"}', ok()),
            status: 200,
            code: -32601,
            message: /Method not found/,
        },
        {
            name: "an unknown tool",
            send: () => rawPost(app.url, call(3, "no_such_tool", {}), ok()),
            status: 200,
            code: -32602,
            message: /^Unknown tool: no_such_tool/,
        },
        {
            name: "a missing key",
            send: () => rawPost(app.url, call(1, "server_info", {}), mcpHeaders()),
            status: 401,
            code: -32001,
            message: /missing credentials/,
        },
        {
            name: "a wrong key",
            send: () => rawPost(app.url, call(1, "server_info", {}), mcpHeaders(bearer(randomKey()))),
            status: 401,
            code: -32001,
            message: /invalid API key/,
        },
        {
            name: "a malformed Authorization header",
            send: () => rawPost(app.url, call(1, "server_info", {}), mcpHeaders({ Authorization: "Basic Zm9vOmJhcg==" })),
            status: 401,
            message: /must be "Bearer <token>"/,
        },
        {
            name: "a foreign Host header",
            send: () =>
                rawHttp(`${app.url}/mcp`, {
                    method: "POST",
                    headers: { ...ok(), Host: "evil.example.com" },
                    body: call(1, "server_info", {}),
                }) as never,
            status: 403,
            message: /Host header "evil.example.com" is not allowed/,
        },
        {
            name: "a foreign Origin",
            send: () => rawPost(app.url, call(1, "server_info", {}), { ...ok(), Origin: "https://evil.example.com" }),
            status: 403,
            message: /Origin "https:\/\/evil.example.com" is not allowed/,
        },
        {
            name: "an Accept header without event-stream",
            send: () => rawPost(app.url, call(1, "server_info", {}), { ...ok(), Accept: "application/json" }),
            status: 406,
            message: /Not Acceptable/,
        },
        {
            name: "an unsupported protocol version",
            send: () => rawPost(app.url, call(1, "server_info", {}), { ...ok(), "MCP-Protocol-Version": "1999-01-01" }),
            status: 400,
            message: /Unsupported protocol version/,
        },
    ];

    for (const c of cases) {
        it(`${c.name} -> ${c.status}${c.code ? ` / ${c.code}` : ""}`, async () => {
            const r = await c.send();
            assert.equal(r.status, c.status, r.text);
            assert.equal(r.json?.jsonrpc, "2.0", r.text);
            if (c.code !== undefined) assert.equal(r.json.error.code, c.code);
            assert.match(r.json.error.message, c.message);
            assertNoLeak(r.text);
        });
    }

    it("a 401 carries WWW-Authenticate", async () => {
        const r = await rawPost(app.url, call(1, "server_info", {}), mcpHeaders(bearer(randomKey())));
        assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer realm="mcp", error="invalid_token"/);
    });

    it("GET and DELETE on /mcp -> 405 with Allow", async () => {
        for (const method of ["GET", "DELETE"]) {
            const res = await fetch(`${app.url}/mcp`, { method, headers: ok() });
            assert.equal(res.status, 405);
            assert.equal(res.headers.get("allow"), "POST, OPTIONS");
            assert.match(((await res.json()) as { error: { message: string } }).error.message, /stateless/);
        }
    });

    it("invalid arguments -> a tool error naming the problem (SEP-1303), audited", async () => {
        const client = await connect(app.url, bearer(key));
        const unknownProp = await client.callTool({ name: "word_count", arguments: { text: "a b", password: "hunter2-secret" } });
        assert.equal(unknownProp.isError, true);
        assert.match(text(unknownProp), /^Invalid arguments for tool word_count: unknown property "password"/);
        const wrongType = await client.callTool({ name: "scratchpad_put", arguments: { key: "k", value: 5 } });
        assert.equal(wrongType.isError, true);
        assert.match(text(wrongType), /value: Invalid input: expected string/);
        const recent = structured<{ entries: { tool: string; outcome: string; arguments: Record<string, unknown> }[] }>(
            await client.callTool({ name: "audit_recent", arguments: { limit: 3 } }),
        ).entries;
        assert.deepEqual(
            recent.slice(0, 2).map((e) => [e.tool, e.outcome]),
            [
                ["scratchpad_put", "invalid_arguments"],
                ["word_count", "invalid_arguments"],
            ],
        );
        assert.equal(recent[1].arguments.password, "[REDACTED]", "secret-looking arguments are redacted in the audit log");
        await client.close();
    });

    it("a tool's declared sensitive arguments are redacted in the audit log", async () => {
        const client = await connect(app.url, bearer(key));
        const r = await client.callTool({ name: "format_json", arguments: { json: '{"b":1,"a":2}' } });
        assert.equal(text(r), '{\n  "a": 2,\n  "b": 1\n}');
        const [entry] = structured<{ entries: { arguments: Record<string, unknown> }[] }>(
            await client.callTool({ name: "audit_recent", arguments: { limit: 1 } }),
        ).entries;
        assert.deepEqual(entry.arguments, { json: "[REDACTED]" });
        await client.close();
    });

    it("a preflight from an allowed origin is answered with CORS headers", async () => {
        const res = await fetch(`${app.url}/mcp`, {
            method: "OPTIONS",
            headers: { Origin: "https://console.example.com", "Access-Control-Request-Method": "POST" },
        });
        assert.equal(res.status, 204);
        assert.equal(res.headers.get("access-control-allow-origin"), "https://console.example.com");
        const r = await rawPost(app.url, call(9, "server_info", {}), { ...ok(), Origin: "https://console.example.com" });
        assert.equal(r.status, 200);
        assert.equal(r.headers.get("access-control-allow-origin"), "https://console.example.com");
    });

    it("sets security headers and a request id", async () => {
        const r = await rawPost(app.url, call(1, "server_info", {}), { ...ok(), "X-Request-Id": "trace-123" });
        assert.equal(r.headers.get("x-content-type-options"), "nosniff");
        assert.equal(r.headers.get("x-frame-options"), "DENY");
        assert.equal(r.headers.get("cache-control"), "no-store");
        assert.equal(r.headers.get("x-request-id"), "trace-123");
        assert.equal(r.headers.get("x-powered-by"), null);
    });

    it("keeps serving afterwards, lost nothing it audited, and never logged a key", async () => {
        const client = await connect(app.url, bearer(key));
        assert.equal(structured(await client.callTool({ name: "server_info", arguments: {} })).tier, "dev");
        const v = structured<{ ok: boolean; checked: number }>(await client.callTool({ name: "audit_verify", arguments: {} }));
        assert.equal(v.ok, true);
        // Every tools/call of this file came from this one key; audit_verify saw all before itself.
        const all = await app.deps.audit.recent(
            structured(await client.callTool({ name: "server_info", arguments: {} })).clientId as string,
            100,
        );
        assert.equal(all.length, v.checked + 2, "every answered tools/call is in the chain");
        assert.ok(all.some((e) => e.outcome === "unknown_tool" && e.tool === "no_such_tool"));
        await client.close();
        const joined = logs.lines.join("\n");
        assert.ok(
            logs.records.some((r) => r.reqId === "trace-123"),
            "request id in logs",
        );
        assert.ok(!joined.includes(key), "the API key never appears in a log line");
        assert.ok(!joined.includes("hunter2-secret"), "argument secrets never appear in a log line");
    });
});
