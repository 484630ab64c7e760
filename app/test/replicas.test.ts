import { strict as assert } from "node:assert";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Pool } from "pg";
import { SqlAuditStore } from "../src/audit/store";
import { PgDriver } from "../src/audit/drivers";
import {
    REDIS_URL,
    bearer,
    connect,
    freshDatabase,
    mcpHeaders,
    randomKey,
    rawPost,
    spawnServer,
    stopChild,
    structured,
    type ServerProcess,
} from "./helpers";

const CLIENTS = 16;
const CALLS_PER_CLIENT = 12;

describe("app replicas: two server processes sharing one PostgreSQL and Redis", function () {
    this.timeout(120_000);
    let db: Awaited<ReturnType<typeof freshDatabase>>;
    let replicas: ServerProcess[] = [];
    const keys = Array.from({ length: CLIENTS }, () => randomKey());

    before(async () => {
        db = await freshDatabase();
        const env = {
            DATABASE_URL: db.url,
            REDIS_URL,
            MCP_API_KEYS: keys.join(","),
            MCP_RATE_LIMIT_PER_MINUTE: "100000",
            LOG_LEVEL: "warn",
        };
        // Both start at once, so both run the schema migration concurrently.
        replicas = await Promise.all(
            ["replica-a", "replica-b"].map((id) => spawnServer({ ...env, MCP_REPLICA_ID: id, LOG_LEVEL: "info" })),
        );
    });
    after(async () => {
        await Promise.all(replicas.map((r) => stopChild(r.child, "SIGTERM")));
        await db?.drop();
    });

    it("many concurrent clients on both replicas: one chain with exactly one entry per answered call", async () => {
        let answered = 0;
        let puts = 0;
        const perClient = new Map<number, number>();
        await Promise.all(
            keys.map(async (key, c) => {
                // Each client talks to both replicas, alternating: no session affinity is needed.
                const sessions: Client[] = await Promise.all(replicas.map((r) => connect(r.url, bearer(key))));
                for (let i = 0; i < CALLS_PER_CLIENT; i++) {
                    const client = sessions[(c + i) % 2];
                    const call =
                        i % 3 === 0
                            ? client.callTool({ name: "scratchpad_put", arguments: { key: `k${i}`, value: `v${c}-${i}` } })
                            : i % 3 === 1
                              ? client.callTool({ name: "scratchpad_get", arguments: { key: `k${i - 1}` } })
                              : client.callTool({ name: "server_info", arguments: {} });
                    const result = await call;
                    answered += 1;
                    if (i % 3 === 0) puts += 1;
                    perClient.set(c, (perClient.get(c) ?? 0) + 1);
                    if (i % 3 === 1)
                        assert.equal(structured(result).value, `v${c}-${i - 1}`, "a note put on one replica is read on the other");
                }
                await Promise.all(sessions.map((s) => s.close()));
            }),
        );
        assert.equal(answered, CLIENTS * CALLS_PER_CLIENT);

        const store = new SqlAuditStore(new PgDriver({ url: db.url, ssl: "disable" }));
        const pool = new Pool({ connectionString: db.url });
        try {
            // One entry per answered call, plus the outcome entry of each (write-ahead) scratchpad_put.
            const entries = answered + puts;
            const v = await store.verify();
            assert.deepEqual(v, { ok: true, checked: entries, headSeq: entries, firstBad: undefined, breaks: [], outcomeUnknown: [] });
            const { rows } = await pool.query(
                "SELECT replica_id, count(*)::int AS n FROM mcp_audit_log GROUP BY replica_id ORDER BY replica_id",
            );
            assert.deepEqual(
                rows.map((r) => r.replica_id),
                ["replica-a", "replica-b"],
            );
            assert.equal(rows[0].n + rows[1].n, entries);
            const { rows: calls } = await pool.query("SELECT count(*)::int AS n FROM mcp_audit_log WHERE kind <> 'outcome'");
            assert.equal(calls[0].n, answered, "exactly one call or intent entry per answered call");
            const { rows: dup } = await pool.query(
                "SELECT count(DISTINCT seq)::int AS seqs, count(DISTINCT prev_hash)::int AS prevs, max(seq)::int AS max FROM mcp_audit_log",
            );
            assert.deepEqual(dup[0], { seqs: entries, prevs: entries, max: entries });
        } finally {
            await store.close();
            await pool.end();
        }
    });

    it("shares per-tool rate limits across replicas (429 with Retry-After)", async () => {
        const key = keys[0];
        const statuses: number[] = [];
        let last: Awaited<ReturnType<typeof rawPost>> | undefined;
        for (let i = 0; i < 7; i++) {
            last = await rawPost(
                replicas[i % 2].url,
                JSON.stringify({ jsonrpc: "2.0", id: i, method: "tools/call", params: { name: "audit_verify", arguments: {} } }),
                mcpHeaders(bearer(key)),
            );
            statuses.push(last.status);
        }
        // audit_verify allows 6 calls per client per minute, counted in Redis by both replicas.
        assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429]);
        assert.ok(Number(last!.headers.get("retry-after")) >= 1);
        assert.match(last!.json.error.message, /limit of 6 calls per minute to audit_verify/);
        assert.equal(last!.json.error.code, -32029);
    });
});
