import { strict as assert } from "node:assert";
import { isLegacyRequest } from "@modelcontextprotocol/server";
import type { RunningApp } from "../src/app";
import { claimsModernEnvelope } from "../src/http/mcpRoute";
import { clientIdForKeyHash, sha256Hex } from "../src/auth/apiKeys";
import { bearer, connect, connectV2, LogCapture, modernHeaders, modernMeta, randomKey, rawPost, startTestApp, structured } from "./helpers";

/** What the tests need of a client, whichever SDK and era it is. */
interface AnyClient {
    callTool(params: { name: string; arguments?: Record<string, unknown> }): Promise<unknown>;
    listTools(): Promise<{ tools: { name: string }[] }>;
    close(): Promise<void>;
}

const BUILT_IN = [
    "server_info",
    "scratchpad_put",
    "scratchpad_get",
    "scratchpad_list",
    "scratchpad_delete",
    "audit_recent",
    "audit_verify",
];
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("app protocol eras: 2026-07-28 and 2025 clients on one endpoint", function () {
    let app: RunningApp;
    const key = randomKey();
    const logs = new LogCapture();

    before(async () => {
        app = await startTestApp({ MCP_API_KEYS: key }, logs);
    });
    after(() => app?.shutdown());

    const clients: { name: string; make: () => Promise<AnyClient>; era: RegExp }[] = [
        {
            name: "SDK v2 client pinned to 2026-07-28",
            make: () => connectV2(app.url, "modern", bearer(key)) as Promise<AnyClient>,
            era: /^modern$/,
        },
        {
            name: "SDK v2 client with the 2025 handshake",
            make: () => connectV2(app.url, "legacy", bearer(key)) as Promise<AnyClient>,
            era: /^legacy$/,
        },
        { name: "SDK v1 client (2025-era)", make: () => connect(app.url, bearer(key)) as Promise<AnyClient>, era: /^2025-\d\d-\d\d$/ },
    ];

    for (const c of clients) {
        it(`${c.name} lists and calls every built-in tool`, async () => {
            const client = await c.make();
            const era =
                (client as { getProtocolEra?: () => string }).getProtocolEra?.() ??
                (client as unknown as { transport: { protocolVersion?: string } }).transport.protocolVersion;
            assert.match(String(era), c.era);
            const { tools } = await client.listTools();
            for (const n of BUILT_IN)
                assert.ok(
                    tools.some((t) => t.name === n),
                    `${c.name}: tools/list misses ${n}`,
                );

            const note = `era-${c.name.length}`;
            const info = structured(await client.callTool({ name: "server_info", arguments: {} }));
            assert.match(String(info.clientId), /^key-[0-9a-f]{12}$/);
            assert.equal(structured(await client.callTool({ name: "scratchpad_put", arguments: { key: note, value: c.name } })).key, note);
            assert.equal(structured(await client.callTool({ name: "scratchpad_get", arguments: { key: note } })).value, c.name);
            const listed = structured<{ notes: { key: string }[] }>(await client.callTool({ name: "scratchpad_list", arguments: {} }));
            assert.ok(listed.notes.some((n) => n.key === note));
            assert.equal(structured(await client.callTool({ name: "scratchpad_delete", arguments: { key: note } })).deleted, true);
            const recent = structured<{ entries: { tool: string; kind: string }[] }>(
                await client.callTool({ name: "audit_recent", arguments: { limit: 5 } }),
            );
            // Newest first: the delete changes state, so it is written ahead (intent, then its outcome).
            assert.deepEqual(
                recent.entries.slice(0, 3).map((e) => [e.tool, e.kind]),
                [
                    ["scratchpad_delete", "outcome"],
                    ["scratchpad_delete", "intent"],
                    ["scratchpad_list", "call"],
                ],
            );
            assert.equal(structured(await client.callTool({ name: "audit_verify", arguments: {} })).ok, true);
            await client.close();
        });
    }

    const call = (id: number, name: string, meta: Record<string, unknown> = modernMeta()) =>
        JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: {}, _meta: meta } });

    it("answers server/discover with the supported versions, capabilities and resultType", async () => {
        const r = await rawPost(
            app.url,
            JSON.stringify({ jsonrpc: "2.0", id: 1, method: "server/discover", params: { _meta: modernMeta() } }),
            modernHeaders("server/discover", undefined, bearer(key)),
        );
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.result.supportedVersions, ["2026-07-28"]);
        assert.deepEqual(r.json.result.capabilities.tools, { listChanged: false });
        assert.equal(r.json.result.resultType, "complete");
    });

    it("a 2026-07-28 tools/call carries resultType and the server info in _meta", async () => {
        const r = await rawPost(app.url, call(2, "server_info"), modernHeaders("tools/call", "server_info", bearer(key)));
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.result.resultType, "complete");
        assert.equal(r.json.result.structuredContent.replicaId, app.deps.facts.replicaId);
    });

    it("refuses a header that disagrees with the body: 400 HeaderMismatch (-32020)", async () => {
        const r = await rawPost(app.url, call(3, "server_info"), modernHeaders("tools/call", "scratchpad_put", bearer(key)));
        assert.equal(r.status, 400, r.text);
        assert.equal(r.json.error.code, -32020);
        assert.match(r.json.error.message, /Mcp-Name header names "scratchpad_put"/);
        const m = await rawPost(app.url, call(4, "server_info"), modernHeaders("tools/list", undefined, bearer(key)));
        assert.equal(m.status, 400, m.text);
        assert.equal(m.json.error.code, -32020);
    });

    it("refuses an unsupported version with 400 listing the supported ones", async () => {
        const meta = modernMeta({ "io.modelcontextprotocol/protocolVersion": "2099-01-01" });
        const r = await rawPost(app.url, JSON.stringify({ jsonrpc: "2.0", id: 5, method: "tools/list", params: { _meta: meta } }), {
            ...modernHeaders("tools/list", undefined, bearer(key)),
            "MCP-Protocol-Version": "2099-01-01",
        });
        assert.equal(r.status, 400, r.text);
        assert.match(r.json.error.message, /Unsupported protocol version: 2099-01-01/);
        assert.equal(r.json.error.code, -32022);
        assert.equal(r.json.error.data.requested, "2099-01-01");
        // The versions an envelope may name, as server/discover lists them (2025-era versions go through initialize).
        assert.deepEqual(r.json.error.data.supported, ["2026-07-28"]);
    });

    it("a 2025-era request with an unknown version is told every version, 2026-07-28 included", async () => {
        const body = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "server_info", arguments: {} } });
        const r = await rawPost(app.url, body, {
            "Content-Type": "application/json",
            Accept: "application/json, text/event-stream",
            "MCP-Protocol-Version": "2024-01-01",
            ...bearer(key),
        });
        assert.equal(r.status, 400, r.text);
        assert.match(
            r.json.error.message,
            /Unsupported protocol version: 2024-01-01 \(supported versions: 2026-07-28, 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05, 2024-10-07\)/,
        );
    });

    it("answers an unknown method with HTTP 404 and -32601", async () => {
        const r = await rawPost(
            app.url,
            JSON.stringify({ jsonrpc: "2.0", id: 6, method: "resources/list", params: { _meta: modernMeta() } }),
            modernHeaders("resources/list", undefined, bearer(key)),
        );
        assert.equal(r.status, 404, r.text);
        assert.equal(r.json.error.code, -32601);
    });

    it("answers GET and DELETE with 405 in both eras", async () => {
        for (const method of ["GET", "DELETE"]) {
            for (const version of ["2026-07-28", "2025-06-18"]) {
                const res = await fetch(`${app.url}/mcp`, {
                    method,
                    headers: { ...bearer(key), "MCP-Protocol-Version": version, Accept: "text/event-stream" },
                });
                assert.equal(res.status, 405, `${method} ${version}`);
            }
        }
    });

    it("puts the request's _meta.traceparent into the request context and its log lines; ignores an invalid one", async () => {
        const r = await rawPost(
            app.url,
            call(7, "server_info", modernMeta({ traceparent: TRACEPARENT })),
            modernHeaders("tools/call", "server_info", bearer(key)),
        );
        assert.equal(r.status, 200, r.text);
        const lines = logs.records.filter((l) => l.traceparent === TRACEPARENT);
        assert.ok(
            lines.some((l) => l.msg === "request" && l.rpc === "tools/call" && l.status === 200),
            "the request line names the trace",
        );

        const bad = "00-00000000000000000000000000000000-00f067aa0ba902b7-01"; // an all-zero trace id is invalid
        const r2 = await rawPost(
            app.url,
            call(8, "server_info", modernMeta({ traceparent: bad })),
            modernHeaders("tools/call", "server_info", bearer(key)),
        );
        assert.equal(r2.status, 200, "an invalid traceparent does not fail the call");
        assert.ok(logs.records.some((l) => l.msg === "ignored an invalid _meta.traceparent" && l.traceparent === bad));
        assert.ok(!logs.records.some((l) => l.msg === "request" && l.traceparent === bad));
    });

    it("gives each message of a 2025-03-26 batch its own traceparent, in its audit entry and its log lines only", async () => {
        const tp = (n: number) => `00-4bf92f3577b34da6a3ce929d0e0e47${n}0-00f067aa0ba902b7-01`;
        const item = (id: number, meta?: Record<string, unknown>) => ({
            jsonrpc: "2.0",
            id,
            method: "tools/call",
            params: { name: id === 2 ? "no_such_tool" : "server_info", arguments: {}, ...(meta ? { _meta: meta } : {}) },
        });
        const seen = logs.records.length;
        const headers = { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...bearer(key) };
        const r = await rawPost(
            app.url,
            JSON.stringify([item(1, { traceparent: tp(1) }), item(2, { traceparent: tp(2) }), item(3)]),
            headers,
        );
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(
            r.json.map((m: { id: number }) => m.id),
            [1, 2, 3],
        );

        // Newest first: the call without a trace, the unknown tool, the first call.
        const entries = await app.deps.audit.recent(clientIdForKeyHash(sha256Hex(key)), 3);
        assert.deepEqual(
            entries.map((e) => [e.tool, e.traceparent]),
            [
                ["server_info", null],
                ["no_such_tool", tp(2)],
                ["server_info", tp(1)],
            ],
        );
        const lines = logs.records.slice(seen);
        const request = lines.find((l) => l.msg === "request");
        assert.ok(request !== undefined, "the batch's request line");
        // Bound to a logger the messages share, the last message's trace would show up here.
        assert.equal(request.traceparent, undefined, "the batch's own line carries no message's trace");
    });
});

describe("app era shortcut: claimsModernEnvelope agrees with the SDK's isLegacyRequest", () => {
    const meta = modernMeta();
    const bodies: [string, unknown][] = [
        [
            "a 2026-07-28 tools/call",
            { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "server_info", arguments: {}, _meta: meta } },
        ],
        [
            "a claim naming an unknown version",
            {
                jsonrpc: "2.0",
                id: 2,
                method: "tools/list",
                params: { _meta: { ...meta, "io.modelcontextprotocol/protocolVersion": "2099-01-01" } },
            },
        ],
        [
            "a claim with a malformed envelope",
            { jsonrpc: "2.0", id: 3, method: "tools/list", params: { _meta: { "io.modelcontextprotocol/protocolVersion": 7 } } },
        ],
        ["server/discover", { jsonrpc: "2.0", id: 4, method: "server/discover", params: { _meta: meta } }],
        ["a 2025 tools/call (no claim)", { jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "server_info", arguments: {} } }],
        [
            "a 2025 initialize",
            {
                jsonrpc: "2.0",
                id: 6,
                method: "initialize",
                params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "c", version: "1" } },
            },
        ],
        [
            "an initialize carrying a claim",
            { jsonrpc: "2.0", id: 7, method: "initialize", params: { protocolVersion: "2025-06-18", _meta: meta } },
        ],
        ["a notification with a claim", { jsonrpc: "2.0", method: "notifications/initialized", params: { _meta: meta } }],
        ["a posted response", { jsonrpc: "2.0", id: 8, result: {} }],
        ["a batch", [{ jsonrpc: "2.0", id: 9, method: "tools/list", params: { _meta: meta } }]],
        ["a request whose _meta is an array", { jsonrpc: "2.0", id: 10, method: "tools/list", params: { _meta: [] } }],
    ];
    for (const [name, body] of bodies) {
        it(`${name}: modern by the shortcut only where the SDK says not legacy`, async () => {
            const request = new Request("http://127.0.0.1/mcp", {
                method: "POST",
                headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
                body: JSON.stringify(body),
            });
            const sdkLegacy = await isLegacyRequest(request, body);
            if (claimsModernEnvelope(body)) assert.equal(sdkLegacy, false, "the shortcut sent a legacy request to the modern handler");
        });
    }
    it("takes the shortcut for 2026-07-28 requests and not for 2025-era ones", () => {
        assert.equal(claimsModernEnvelope(bodies[0][1]), true);
        assert.equal(claimsModernEnvelope(bodies[1][1]), true);
        assert.equal(claimsModernEnvelope(bodies[4][1]), false);
        assert.equal(claimsModernEnvelope(bodies[5][1]), false);
        assert.equal(claimsModernEnvelope(bodies[6][1]), false);
        assert.equal(claimsModernEnvelope(bodies[8][1]), false);
        assert.equal(claimsModernEnvelope(bodies[9][1]), false);
    });
});
