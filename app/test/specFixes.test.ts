import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { SignJWT, exportJWK, generateKeyPair, type JWK } from "jose";
import type { RunningApp } from "../src/app";
import { MAX_JSON_DEPTH, validTraceparent } from "../src/http/mcpRoute";
import { jsonDepthExceeds } from "../src/http/guards";
import { bearer, connect, mcpHeaders, modernHeaders, modernMeta, randomKey, rawPost, startTestApp, structured, text } from "./helpers";

const call = (id: number | undefined, name: string, args: unknown = {}) => ({
    jsonrpc: "2.0",
    ...(id !== undefined ? { id } : {}),
    method: "tools/call",
    params: { name, arguments: args },
});
const h0326 = (key: string) => {
    const h = mcpHeaders(bearer(key));
    delete h["MCP-Protocol-Version"]; // 2025-03-26 clients send no version header after initialize
    return h;
};

describe("app spec fixes: JSON-RPC batches on 2025-03-26", function () {
    let app: RunningApp;
    const key = randomKey();
    before(async () => {
        app = await startTestApp({ MCP_API_KEYS: key });
    });
    after(() => app?.shutdown());

    it("answers a batch with one response per request, in order, and audits each call", async () => {
        const before = (await app.deps.audit.verify()).checked;
        const batch = [
            call(1, "server_info"),
            { jsonrpc: "2.0", method: "notifications/initialized" },
            { jsonrpc: "2.0", id: 2, method: "tools/list" },
            call(3, "no_such_tool"),
        ];
        for (const headers of [h0326(key), { ...h0326(key), "MCP-Protocol-Version": "2025-03-26" }]) {
            const r = await rawPost(app.url, JSON.stringify(batch), headers);
            assert.equal(r.status, 200, r.text);
            assert.ok(Array.isArray(r.json), r.text);
            assert.deepEqual(
                r.json.map((m: { id: number }) => m.id),
                [1, 2, 3],
                "no response for the notification",
            );
            assert.equal(r.json[0].result.structuredContent.tier, "dev");
            assert.ok(r.json[1].result.tools.length >= 7);
            assert.equal(r.json[2].error.code, -32602);
        }
        assert.equal((await app.deps.audit.verify()).checked, before + 4, "two server_info and two unknown-tool entries");
    });

    it("answers a batch of notifications only with 202 and no body", async () => {
        const r = await rawPost(
            app.url,
            JSON.stringify([
                { jsonrpc: "2.0", method: "notifications/initialized" },
                { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 9 } },
            ]),
            h0326(key),
        );
        assert.equal(r.status, 202, r.text);
        assert.equal(r.text, "");
    });

    it("still refuses batches from 2025-06-18 on, and an initialize inside a batch", async () => {
        const later = await rawPost(app.url, JSON.stringify([call(1, "server_info")]), mcpHeaders(bearer(key)));
        assert.equal(later.status, 400);
        assert.match(later.json.error.message, /batches are not supported in protocol version 2025-06-18/);
        const init = {
            jsonrpc: "2.0",
            id: 1,
            method: "initialize",
            params: { protocolVersion: "2025-03-26", capabilities: {}, clientInfo: { name: "x", version: "1" } },
        };
        const withInit = await rawPost(app.url, JSON.stringify([init]), h0326(key));
        assert.equal(withInit.status, 400);
        assert.match(withInit.json.error.message, /initialize must not be part of a JSON-RPC batch/);
    });
});

describe("app spec fixes: configured tools' schemas are JSON Schema 2020-12", function () {
    let app: RunningApp;
    let dir: string;
    const key = randomKey();
    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-2020-"));
        fs.mkdirSync(path.join(dir, "handlers"));
        fs.writeFileSync(path.join(dir, "handlers", "echo.js"), "module.exports = async (args) => ({ echoed: args });\n");
        const hints = "{readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false}";
        fs.writeFileSync(
            path.join(dir, "tools.yaml"),
            `tools:
  - name: pair_echo
    description: prefixItems with items false-like
    handler: echo.js
    annotations: ${hints}
    inputSchema:
      type: object
      properties:
        pair: {type: array, prefixItems: [{type: string}, {type: integer}], items: {not: {}}}
      required: [pair]
  - name: composed_echo
    description: allOf with unevaluatedProperties false
    handler: echo.js
    annotations: ${hints}
    inputSchema:
      type: object
      allOf:
        - properties: {a: {type: string}}
        - properties: {b: {type: integer}}
      unevaluatedProperties: false
`,
        );
        app = await startTestApp({
            MCP_API_KEYS: key,
            MCP_TOOLS_CONFIG: path.join(dir, "tools.yaml"),
            MCP_HANDLERS_DIR: path.join(dir, "handlers"),
        });
    });
    after(async () => {
        await app?.shutdown();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("accepts a valid prefixItems tuple and refuses a longer one", async () => {
        const client = await connect(app.url, bearer(key));
        const ok = await client.callTool({ name: "pair_echo", arguments: { pair: ["a", 1] } });
        assert.equal(ok.isError, undefined, text(ok));
        assert.deepEqual(structured(ok).echoed, { pair: ["a", 1] });
        const long = await client.callTool({ name: "pair_echo", arguments: { pair: ["a", 1, 2] } });
        assert.equal(long.isError, true);
        const wrong = await client.callTool({ name: "pair_echo", arguments: { pair: [1, "a"] } });
        assert.equal(wrong.isError, true);
        await client.close();
    });

    it("refuses a property allOf does not evaluate (unevaluatedProperties: false)", async () => {
        const client = await connect(app.url, bearer(key));
        const ok = await client.callTool({ name: "composed_echo", arguments: { a: "x", b: 2 } });
        assert.equal(ok.isError, undefined, text(ok));
        const extra = await client.callTool({ name: "composed_echo", arguments: { a: "x", c: true } });
        assert.equal(extra.isError, true);
        assert.match(text(extra), /Invalid arguments for tool composed_echo/);
        await client.close();
    });
});

describe("app spec fixes: OAuth tokens need exp and an asymmetric algorithm; per-tool scopes", function () {
    let app: RunningApp;
    let jwks: http.Server;
    let dir: string;
    let issuerKey: CryptoKey;
    let issuer: string;
    const audience = "https://mcp.example.com/mcp";
    const apiKey = randomKey();
    const infoCall = JSON.stringify(call(1, "server_info"));

    const sign = (claims: Record<string, unknown>, exp: string | null = "5m") => {
        let jwt = new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "k1" }).setIssuer(issuer).setAudience(audience).setIssuedAt();
        if (exp !== null) jwt = jwt.setExpirationTime(exp);
        return jwt.sign(issuerKey);
    };

    before(async () => {
        const pair = await generateKeyPair("ES256");
        issuerKey = pair.privateKey;
        const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
        jwks = http.createServer((_req, res) => {
            res.setHeader("Content-Type", "application/json");
            res.end(JSON.stringify({ keys: [jwk] }));
        });
        await new Promise<void>((r) => jwks.listen(0, "127.0.0.1", () => r()));
        issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`;
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-scopes-"));
        fs.mkdirSync(path.join(dir, "handlers"));
        fs.writeFileSync(path.join(dir, "handlers", "purge.js"), "module.exports = async () => 'purged';\n");
        fs.writeFileSync(
            path.join(dir, "tools.yaml"),
            `tools:
  - name: notes_purge
    description: needs notes:write
    handler: purge.js
    scopes: [notes:write]
    annotations: {readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false}
    inputSchema: {type: object}
`,
        );
        app = await startTestApp({
            OAUTH_ISSUER: issuer,
            OAUTH_AUDIENCE: audience,
            OAUTH_JWKS_URL: `${issuer}/jwks.json`,
            MCP_RESOURCE_URL: audience,
            MCP_API_KEYS: apiKey,
            MCP_TOOLS_CONFIG: path.join(dir, "tools.yaml"),
            MCP_HANDLERS_DIR: path.join(dir, "handlers"),
        });
    });
    after(async () => {
        await app?.shutdown();
        jwks?.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("refuses a token without exp", async () => {
        const r = await rawPost(app.url, infoCall, mcpHeaders(bearer(await sign({ sub: "forever" }, null))));
        assert.equal(r.status, 401, r.text);
        assert.match(r.json.error.message, /no exp \(expiry\) claim/);
        assert.match(r.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
    });

    it("refuses alg none and a symmetric (HS256) token", async () => {
        const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
        const claims = { sub: "x", iss: issuer, aud: audience, exp: Math.floor(Date.now() / 1000) + 300 };
        const none = `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.AAAA`;
        const hs = await new SignJWT(claims)
            .setProtectedHeader({ alg: "HS256" })
            .sign(new TextEncoder().encode("a-shared-secret-of-32-bytes-long!"));
        for (const token of [none, hs]) {
            const r = await rawPost(app.url, infoCall, mcpHeaders(bearer(token)));
            assert.equal(r.status, 401, r.text);
            assert.match(r.json.error.message, /signing algorithm is not allowed/);
        }
    });

    it("answers a Basic Authorization header with 401 and no error code (RFC 6750 section 3.1)", async () => {
        const r = await rawPost(app.url, infoCall, mcpHeaders({ Authorization: "Basic Zm9vOmJhcg==" }));
        assert.equal(r.status, 401);
        const challenge = r.headers.get("www-authenticate") ?? "";
        assert.match(challenge, /^Bearer resource_metadata="/);
        assert.doesNotMatch(challenge, /error=/);
    });

    it("refuses a tool call without the tool's scope: 403 insufficient_scope naming the scope, audited", async () => {
        const purge = JSON.stringify(call(2, "notes_purge"));
        const r = await rawPost(app.url, purge, mcpHeaders(bearer(await sign({ sub: "reader", scope: "notes:read" }))));
        assert.equal(r.status, 403, r.text);
        assert.equal(r.json.id, 2);
        const challenge = r.headers.get("www-authenticate") ?? "";
        assert.match(challenge, /error="insufficient_scope"/);
        assert.match(challenge, /scope="notes:write"/);
        assert.match(challenge, /resource_metadata="https:\/\/mcp.example.com\/.well-known\/oauth-protected-resource\/mcp"/);
        const [entry] = await app.deps.audit.recent("reader", 1);
        assert.deepEqual([entry.tool, entry.outcome, entry.errorCode], ["notes_purge", "denied", "insufficient_scope"]);

        const writer = await rawPost(app.url, purge, mcpHeaders(bearer(await sign({ sub: "writer", scope: "notes:read notes:write" }))));
        assert.equal(writer.status, 200, writer.text);
        assert.equal(writer.json.result.content[0].text, "purged");
        const scp = await rawPost(app.url, purge, mcpHeaders(bearer(await sign({ sub: "writer2", scp: ["notes:write"] }))));
        assert.equal(scp.status, 200, scp.text);
        const key = await rawPost(app.url, purge, mcpHeaders(bearer(apiKey)));
        assert.equal(key.status, 200, "API keys are not scoped");
        const reader = await rawPost(app.url, infoCall, mcpHeaders(bearer(await sign({ sub: "reader", scope: "notes:read" }))));
        assert.equal(reader.status, 200, "tools without scopes stay open to every token");
    });

    it("lists the tools' scopes as scopes_supported in the Protected Resource Metadata", async () => {
        const prm = (await (await fetch(`${app.url}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<string, unknown>;
        assert.deepEqual(prm.scopes_supported, ["notes:write"]);
    });
});

describe("app spec fixes: over-limit clients and deep JSON are refused before parsing", function () {
    let app: RunningApp;
    const key = randomKey();
    before(async () => {
        app = await startTestApp({ MCP_API_KEYS: key, MCP_RATE_LIMIT_PER_MINUTE: "2" });
    });
    after(() => app?.shutdown());

    it("answers an over-limit client's large request 429 before its body has been sent", async () => {
        for (let i = 0; i < 2; i++)
            assert.equal((await rawPost(app.url, JSON.stringify(call(i, "server_info")), mcpHeaders(bearer(key)))).status, 200);
        // Headers only: the body (0.7 MB) is never sent, so an answer proves it was not waited for.
        const port = Number(new URL(app.url).port);
        const head = await new Promise<string>((resolve, reject) => {
            const sock = net.connect(port, "127.0.0.1", () => {
                sock.write(
                    `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 700000\r\n\r\n`,
                );
            });
            let got = "";
            sock.on("data", (d: Buffer) => {
                got += d.toString("utf8");
                if (got.includes("\r\n\r\n")) {
                    sock.destroy();
                    resolve(got);
                }
            });
            sock.on("error", reject);
        });
        assert.match(head, /^HTTP\/1\.1 429 /);
        assert.match(head, /\r\nretry-after: \d+\r\n/i);
        assert.match(head, /\r\nconnection: close\r\n/i);
        assert.equal((await fetch(`${app.url}/health`)).status, 200);
    });

    it("refuses JSON nested deeper than the cap, and accepts normal nesting", async () => {
        const other = randomKey();
        await app.shutdown();
        app = await startTestApp({ MCP_API_KEYS: other });
        const deep = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"server_info","arguments":{"x":${"[".repeat(200)}${"]".repeat(200)}}}}`;
        const r = await rawPost(app.url, deep, mcpHeaders(bearer(other)));
        assert.equal(r.status, 400, r.text);
        assert.equal(r.json.error.code, -32600);
        assert.match(r.json.error.message, new RegExp(`deeper than ${MAX_JSON_DEPTH} levels`));
        assert.equal(jsonDepthExceeds(Buffer.from(`{"s":"${"[".repeat(100)}"}`), 8), false, "brackets inside strings do not count");
        assert.equal(jsonDepthExceeds(Buffer.from(`{"s":"\\"[[[[[[[[[["}`), 4), false, "escaped quotes keep the string open");
        assert.equal(jsonDepthExceeds(Buffer.from("[[[[[]]]]]"), 4), true);
        const fine = await rawPost(app.url, JSON.stringify(call(2, "server_info")), mcpHeaders(bearer(other)));
        assert.equal(fine.status, 200);
    });

    it("answers a malformed tools/call with a plain -32602, not the schema library's issue list", async () => {
        const other = randomKey();
        await app.shutdown();
        app = await startTestApp({ MCP_API_KEYS: other });
        const bad = await rawPost(
            app.url,
            JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: 5, arguments: [] } }),
            mcpHeaders(bearer(other)),
        );
        assert.equal(bad.status, 200, bad.text);
        assert.equal(bad.json.error.code, -32602);
        assert.equal(
            bad.json.error.message,
            "Invalid params: tools/call needs params.name (a string) and, if present, params.arguments (an object)",
        );
    });

    it("answers params the SDK's schema refuses with -32602 and plain lines, in both eras", async () => {
        const other = randomKey();
        await app.shutdown();
        app = await startTestApp({ MCP_API_KEYS: other });
        const legacy = await rawPost(
            app.url,
            JSON.stringify({ jsonrpc: "2.0", id: 4, method: "tools/list", params: { cursor: 5 } }),
            mcpHeaders(bearer(other)),
        );
        assert.equal(legacy.json.error.code, -32602, legacy.text);
        assert.equal(legacy.json.error.message, "Invalid params: params.cursor: Invalid input: expected string, received number");
        const meta = modernMeta();
        const modern = await rawPost(
            app.url,
            JSON.stringify({ jsonrpc: "2.0", id: 5, method: "tools/list", params: { cursor: 5, _meta: meta } }),
            modernHeaders("tools/list", undefined, bearer(other)),
        );
        assert.equal(modern.json.error.code, -32602, modern.text);
        assert.match(modern.json.error.message, /^Invalid params: params\.cursor: /);
        const init = await rawPost(
            app.url,
            JSON.stringify({ jsonrpc: "2.0", id: 6, method: "initialize", params: { protocolVersion: 5 } }),
            mcpHeaders(bearer(other)),
        );
        assert.equal(init.json.error.code, -32602, init.text);
        assert.doesNotMatch(init.text, /invalid_type|\\n/);
    });

    it("validates W3C traceparent values", () => {
        assert.equal(
            validTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        );
        for (const bad of [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            42,
        ]) {
            assert.equal(validTraceparent(bad), undefined, String(bad));
        }
        assert.ok(validTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future"), "later versions may append fields");
    });
});
