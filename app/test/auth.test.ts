import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { SignJWT, exportJWK, generateKeyPair, type JWK } from "jose";
import type { RunningApp } from "../src/app";
import { sha256Hex } from "../src/auth/apiKeys";
import { ConfigError, loadConfig } from "../src/config";
import { bearer, connect, mcpHeaders, randomKey, rawPost, startTestApp, structured } from "./helpers";

const infoCall = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "server_info", arguments: {} } });

async function clientIdOf(app: RunningApp, headers: Record<string, string>): Promise<string> {
    const r = await rawPost(app.url, infoCall, mcpHeaders(headers));
    assert.equal(r.status, 200, r.text);
    return String(r.json.result.structuredContent.clientId);
}

describe("app auth: API keys", function () {
    let app: RunningApp;
    let dir: string;
    let keyFile: string;
    const envKey = randomKey();
    const hashedKey = randomKey();
    const oldKey = randomKey();
    const newKey = randomKey();

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-keys-"));
        keyFile = path.join(dir, "api-keys");
        fs.writeFileSync(keyFile, `# mounted secret\n${oldKey}\n`);
        app = await startTestApp({ MCP_API_KEYS: `${envKey}, sha256:${sha256Hex(hashedKey)}`, MCP_API_KEYS_FILE: keyFile });
    });
    after(async () => {
        await app?.shutdown();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("accepts raw and sha256-hashed keys, by Bearer or X-API-Key, with a stable id derived from the hash", async () => {
        const id1 = await clientIdOf(app, bearer(envKey));
        const id2 = await clientIdOf(app, { "X-API-Key": envKey });
        assert.equal(id1, id2);
        assert.match(id1, /^key-[0-9a-f]{12}$/);
        assert.ok(!envKey.includes(id1.slice(4)) && !sha256Hex(envKey).startsWith(id1.slice(4)), "id is neither the key nor its hash");
        const hashedId = await clientIdOf(app, bearer(hashedKey));
        assert.notEqual(hashedId, id1);
    });

    it("rotates keys from the mounted file with overlap", async () => {
        const oldId = await clientIdOf(app, bearer(oldKey));
        assert.equal((await rawPost(app.url, infoCall, mcpHeaders(bearer(newKey)))).status, 401);

        fs.writeFileSync(keyFile, `${oldKey}\n${newKey}\n`);
        app.keys.reload();
        assert.equal(await clientIdOf(app, bearer(oldKey)), oldId, "old key still valid during the overlap");
        const newId = await clientIdOf(app, bearer(newKey));
        assert.notEqual(newId, oldId);

        fs.writeFileSync(keyFile, `${newKey}\n`);
        app.keys.reload();
        assert.equal((await rawPost(app.url, infoCall, mcpHeaders(bearer(oldKey)))).status, 401, "retired key refused");
        assert.equal(await clientIdOf(app, bearer(newKey)), newId);
    });

    it("keeps the previous keys when the file turns invalid", async () => {
        fs.writeFileSync(keyFile, "short\n");
        assert.throws(() => app.keys.reload(), /MCP_API_KEYS_FILE line 1: an API key must be at least 16 characters/);
        assert.equal((await rawPost(app.url, infoCall, mcpHeaders(bearer(newKey)))).status, 200);
        fs.writeFileSync(keyFile, `${newKey}\n`);
    });
});

describe("app auth: configuration", function () {
    it("refuses to start without auth on a non-loopback address, naming the way out", () => {
        assert.throws(
            () => loadConfig({ HOST: "0.0.0.0" }),
            (err: Error) => err instanceof ConfigError && /MCP_ALLOW_UNAUTHENTICATED=true/.test(err.message),
        );
        assert.equal(loadConfig({ HOST: "0.0.0.0", MCP_ALLOW_UNAUTHENTICATED: "true" }).allowUnauthenticated, true);
        assert.equal(loadConfig({ HOST: "0.0.0.0", MCP_API_KEYS: randomKey() }).host, "0.0.0.0");
        assert.equal(loadConfig({}).host, "127.0.0.1");
    });

    it("rejects weak keys, partial OAuth settings and wildcard origins without echoing secrets", () => {
        assert.throws(() => loadConfig({ MCP_API_KEYS: "abc" }), /entry 1: an API key must be at least 16/);
        assert.throws(() => loadConfig({ MCP_API_KEYS: "sha256:xyz" }), /64 hex digits/);
        assert.throws(() => loadConfig({ OAUTH_ISSUER: "https://issuer" }), /missing OAUTH_AUDIENCE, OAUTH_JWKS_URL, MCP_RESOURCE_URL/);
        assert.throws(() => loadConfig({ MCP_ALLOWED_ORIGINS: "*" }), /MCP_ALLOWED_ORIGINS entries must be origins/);
        assert.throws(
            () => loadConfig({ DATABASE_SSL: "maybe", DATABASE_URL: "postgres://h/db" }),
            /DATABASE_SSL must be one of disable, require, verify-full/,
        );
        const c = loadConfig({ DATABASE_URL: "postgres://u:p@db.internal:5432/mcp?sslmode=require" });
        assert.deepEqual(c.database, { kind: "postgres", url: "postgres://u:p@db.internal:5432/mcp", ssl: "require", caFile: undefined });
        try {
            loadConfig({ MCP_API_KEYS: "tiny-secret" });
        } catch (err) {
            assert.ok(!(err as Error).message.includes("tiny-secret"));
        }
    });
});

describe("app auth: OAuth resource-server mode", function () {
    let app: RunningApp;
    let jwks: http.Server;
    let issuerKey: CryptoKey;
    let strangerKey: CryptoKey;
    let issuer: string;
    const audience = "https://mcp.example.com/mcp";
    const apiKey = randomKey();

    const token = (claims: Record<string, unknown>, opts: { key?: CryptoKey; exp?: string | number; aud?: string; iss?: string } = {}) =>
        new SignJWT(claims)
            .setProtectedHeader({ alg: "ES256", kid: opts.key === strangerKey ? "stranger" : "k1" })
            .setIssuer(opts.iss ?? issuer)
            .setAudience(opts.aud ?? audience)
            .setIssuedAt()
            .setExpirationTime(opts.exp ?? "5m")
            .sign(opts.key ?? issuerKey);

    before(async () => {
        const pair = await generateKeyPair("ES256");
        issuerKey = pair.privateKey;
        strangerKey = (await generateKeyPair("ES256")).privateKey;
        const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
        jwks = http.createServer((req, res) => {
            res.setHeader("Content-Type", "application/json");
            res.end(JSON.stringify({ keys: [jwk] }));
        });
        await new Promise<void>((r) => jwks.listen(0, "127.0.0.1", () => r()));
        const port = (jwks.address() as AddressInfo).port;
        issuer = `http://127.0.0.1:${port}`;
        app = await startTestApp({
            OAUTH_ISSUER: issuer,
            OAUTH_AUDIENCE: audience,
            OAUTH_JWKS_URL: `${issuer}/jwks.json`,
            MCP_RESOURCE_URL: audience,
            MCP_API_KEYS: apiKey,
        });
    });
    after(async () => {
        await app?.shutdown();
        jwks?.close();
    });

    it("serves Protected Resource Metadata at both well-known paths", async () => {
        for (const p of ["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"]) {
            const res = await fetch(`${app.url}${p}`);
            assert.equal(res.status, 200);
            const prm = (await res.json()) as Record<string, unknown>;
            assert.equal(prm.resource, audience);
            assert.deepEqual(prm.authorization_servers, [issuer]);
            assert.deepEqual(prm.bearer_methods_supported, ["header"]);
        }
    });

    it("accepts a valid token through a real MCP client; the client id is the subject", async () => {
        const client = await connect(app.url, bearer(await token({ sub: "agent-42" })));
        assert.equal(structured(await client.callTool({ name: "server_info", arguments: {} })).clientId, "agent-42");
        await client.close();
        assert.equal(await clientIdOf(app, bearer(await token({ client_id: "svc-7" }))), "svc-7");
        assert.match(await clientIdOf(app, bearer(apiKey)), /^key-/, "API keys keep working alongside OAuth");
    });

    const refusals: { name: string; make: () => Promise<string>; description: RegExp }[] = [
        {
            name: "an expired token",
            make: () => token({ sub: "a" }, { exp: Math.floor(Date.now() / 1000) - 600 }),
            description: /token expired/,
        },
        {
            name: "a wrong-audience token",
            make: () => token({ sub: "a" }, { aud: "https://other.example.com" }),
            description: /audience is not https:\/\/mcp.example.com\/mcp/,
        },
        {
            name: "a wrong-issuer token",
            make: () => token({ sub: "a" }, { iss: "https://evil.example.com" }),
            description: /issuer is not/,
        },
        {
            name: "a token signed by another key",
            make: () => token({ sub: "a" }, { key: strangerKey }),
            description: /key the issuer does not publish/,
        },
        { name: "a token without subject", make: () => token({}), description: /no sub or client_id/ },
        { name: "a garbage bearer", make: async () => "not-a-token-at-all", description: /invalid API key or token/ },
    ];
    for (const r of refusals) {
        it(`refuses ${r.name} with 401 and WWW-Authenticate pointing at the metadata`, async () => {
            const res = await rawPost(app.url, infoCall, mcpHeaders(bearer(await r.make())));
            assert.equal(res.status, 401, res.text);
            assert.match(res.json.error.message, r.description);
            const challenge = res.headers.get("www-authenticate") ?? "";
            assert.match(challenge, /^Bearer resource_metadata="https:\/\/mcp.example.com\/.well-known\/oauth-protected-resource\/mcp"/);
            assert.match(challenge, /error="invalid_token"/);
        });
    }

    it("answers a request without credentials with 401 and the metadata pointer only", async () => {
        const res = await rawPost(app.url, infoCall, mcpHeaders());
        assert.equal(res.status, 401);
        assert.doesNotMatch(res.headers.get("www-authenticate") ?? "", /error=/);
        assert.match(res.headers.get("www-authenticate") ?? "", /resource_metadata=/);
    });
});
