import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Pool } from "pg";
import type { RunningApp } from "../src/app";
import { clientIdForKeyHash, sha256Hex } from "../src/auth/apiKeys";
import {
    bearer,
    connect,
    freePort,
    freshDatabase,
    mcpHeaders,
    randomKey,
    rawHttp,
    rawPost,
    spawnServer,
    startRedis,
    startTestApp,
    stopChild,
    structured,
    waitFor,
} from "./helpers";

const infoCall = (id = 1) => JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "server_info", arguments: {} } });

describe("app operations: health, readiness, metrics, rate limits", function () {
    let redis: { url: string; stop(): Promise<void> };
    let redisPort: number;
    let app: RunningApp;
    const key = randomKey();

    before(async () => {
        redisPort = await freePort();
        redis = await startRedis(redisPort);
        app = await startTestApp({ REDIS_URL: redis.url, MCP_API_KEYS: key, MCP_RATE_LIMIT_PER_MINUTE: "5", METRICS_PORT: "0" });
    });
    after(async () => {
        await app?.shutdown();
        await redis?.stop();
    });

    it("/health answers any Host header without touching dependencies", async () => {
        const r = await rawHttp(`${app.url}/health`, { headers: { Host: "10.0.3.7:8080" } });
        assert.equal(r.status, 200);
        assert.deepEqual(r.json, { status: "ok" });
    });

    it("/ready flips to 503 naming redis while it is down (calls needing no state still answered), and back to 200 when it returns", async () => {
        const up = await fetch(`${app.url}/ready`);
        assert.equal(up.status, 200);
        assert.deepEqual(((await up.json()) as { checks: unknown }).checks, { "audit-store": "up", redis: "up" });

        await redis.stop();
        const down = await waitFor("/ready 503", async () => {
            const res = await fetch(`${app.url}/ready`);
            return res.status === 503
                ? ((await res.json()) as { reason: string; failing: string[]; checks: Record<string, string> })
                : undefined;
        });
        assert.deepEqual(down.failing, ["redis"]);
        assert.equal(down.checks.redis, "unreachable");
        assert.match(down.reason, /redis unavailable/);
        assert.equal((await fetch(`${app.url}/health`)).status, 200, "liveness does not depend on redis");
        // Rate limits fall back to this replica's memory: calls that need no session state keep working.
        const served = await rawPost(app.url, infoCall(), mcpHeaders(bearer(key)));
        assert.equal(served.status, 200, JSON.stringify(served.json));
        assert.equal(served.json.result.isError ?? false, false);

        redis = await startRedis(redisPort);
        await waitFor("/ready 200 again", async () => (await fetch(`${app.url}/ready`)).status === 200, 20_000);
        assert.equal((await rawPost(app.url, infoCall(), mcpHeaders(bearer(key)))).status, 200);
    });

    it("limits each client per minute with 429 and Retry-After, and audits the denied call", async () => {
        const other = randomKey();
        await app.shutdown();
        app = await startTestApp({
            REDIS_URL: redis.url,
            MCP_API_KEYS: `${key},${other}`,
            MCP_RATE_LIMIT_PER_MINUTE: "5",
            METRICS_PORT: "0",
        });
        const statuses: number[] = [];
        let last: Awaited<ReturnType<typeof rawPost>> | undefined;
        for (let i = 1; i <= 6; i++) {
            last = await rawPost(app.url, infoCall(100 + i), mcpHeaders(bearer(other)));
            statuses.push(last.status);
        }
        assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
        const retryAfter = Number(last!.headers.get("retry-after"));
        assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
        assert.equal(last!.json.id, 106);
        assert.match(last!.json.error.message, /limit of 5 requests per minute for this client/);
        assert.equal((await rawPost(app.url, infoCall(), mcpHeaders(bearer(key)))).status, 200, "other clients are unaffected");
        const entries = await app.deps.audit.recent(clientIdForKeyHash(sha256Hex(other)), 10);
        assert.equal(entries.length, 6, "five answered calls and the denied one");
        assert.deepEqual([entries[0].outcome, entries[0].errorCode], ["denied", "rate_limited_client"]);
        assert.ok(entries.slice(1).every((e) => e.outcome === "ok"));
    });

    it("serves Prometheus metrics only on METRICS_PORT", async () => {
        assert.equal((await fetch(`${app.url}/metrics`)).status, 404);
        const res = await fetch(`http://127.0.0.1:${app.metricsPort}/metrics`);
        assert.equal(res.status, 200);
        const body = await res.text();
        for (const needle of [
            'mcp_http_requests_total{method="tools/call",status="200"}',
            'mcp_http_requests_total{method="tools/call",status="429"}',
            'mcp_tool_calls_total{tool="server_info",outcome="ok"}',
            'mcp_tool_calls_total{tool="server_info",outcome="denied"}',
            "mcp_http_request_duration_seconds_bucket",
            "mcp_tool_call_duration_seconds_bucket",
            "mcp_audit_append_duration_seconds_bucket",
            'mcp_dependency_up{dependency="redis"} 1',
            'mcp_rate_limited_total{scope="client"} 1',
            "process_cpu_seconds_total",
        ]) {
            assert.ok(body.includes(needle), `missing ${needle}`);
        }
    });
});

describe("app operations: SIGTERM drain", function () {
    it("stops accepting, finishes the in-flight call and its audit entry, closes pools and exits 0", async () => {
        const db = await freshDatabase();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-drain-"));
        fs.mkdirSync(path.join(dir, "handlers"));
        fs.writeFileSync(
            path.join(dir, "handlers", "slow.js"),
            `module.exports = async ({ ms }, { log }) => { log.info("slow call started"); await new Promise((r) => setTimeout(r, ms)); return { sleptMs: ms }; };\n`,
        );
        fs.writeFileSync(
            path.join(dir, "tools.json"),
            JSON.stringify({
                tools: [
                    {
                        name: "slow_op",
                        description: "Sleeps",
                        handler: "slow.js",
                        timeoutMs: 10000,
                        annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
                        inputSchema: {
                            type: "object",
                            properties: { ms: { type: "integer", minimum: 0, maximum: 5000 } },
                            required: ["ms"],
                        },
                    },
                ],
            }),
        );
        const key = randomKey();
        const server = await spawnServer({
            DATABASE_URL: db.url,
            MCP_API_KEYS: key,
            MCP_TOOLS_CONFIG: path.join(dir, "tools.json"),
            MCP_HANDLERS_DIR: path.join(dir, "handlers"),
        });
        try {
            const client = await connect(server.url, bearer(key));
            const inFlight = client.callTool({ name: "slow_op", arguments: { ms: 1500 } });
            await waitFor("the slow call to start", async () => server.logs.some((l) => l.includes("slow call started")), 10_000);
            server.child.kill("SIGTERM");
            await waitFor("drain to begin", async () => server.logs.some((l) => l.includes('"msg":"draining')), 5000);
            await assert.rejects(rawHttp(`${server.url}/health`, { headers: { Connection: "close" } }), /ECONNREFUSED/);
            const result = await inFlight;
            assert.deepEqual(structured(result), { sleptMs: 1500 });
            assert.equal(await server.exited, 0);
            assert.ok(server.logs.some((l) => l.includes('"msg":"shutdown complete"')));

            const pool = new Pool({ connectionString: db.url });
            const { rows } = await pool.query("SELECT tool, outcome FROM mcp_audit_log ORDER BY seq");
            const { rows: sessions } = await pool.query(
                "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'mcp-server'",
            );
            await pool.end();
            assert.deepEqual(rows.at(-1), { tool: "slow_op", outcome: "ok" }, "the drained call's audit entry is durable");
            assert.equal(sessions[0].n, 0, "the server closed its database pool");
            await client.close().catch(() => undefined);
        } finally {
            await stopChild(server.child);
            fs.rmSync(dir, { recursive: true, force: true });
            await db.drop();
        }
    });
});
