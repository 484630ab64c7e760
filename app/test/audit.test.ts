import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { GENESIS_HASH, entryHash } from "../src/audit/entry";
import { PgDriver } from "../src/audit/drivers";
import { openAuditStore, type SqlAuditStore } from "../src/audit/store";
import {
    APP_DIR,
    PG_ADMIN_URL,
    auditEntry,
    REPO_DIR,
    bearer,
    owner,
    connect,
    freePort,
    freshDatabase,
    randomKey,
    startTestApp,
    structured,
    text,
    waitFor,
} from "./helpers";

const entry = (i: number, clientId = "client-a") => auditEntry(i, { clientId, durationMs: i / 3 });

async function resetChain(store: SqlAuditStore, n: number): Promise<void> {
    await owner(store)("DELETE FROM mcp_audit_log");
    await owner(store)("UPDATE mcp_audit_head SET seq = 0, hash = $1 WHERE id = 1", [GENESIS_HASH]);
    await Promise.all(Array.from({ length: n }, (_, i) => store.append(entry(i + 1))));
}

/** Moves a row out of the way and back, since seq is a primary key. */
const moveSql = "UPDATE mcp_audit_log SET seq = $2 WHERE seq = $1";

const tampering: { name: string; tamper(s: SqlAuditStore): Promise<void>; seq: number; reason: RegExp }[] = [
    {
        name: "an edited entry",
        seq: 4,
        reason: /content does not match its hash \(edited\)/,
        tamper: async (s) => void (await owner(s)(`UPDATE mcp_audit_log SET args = '{"i":99}' WHERE seq = 4`)),
    },
    {
        name: "an edited entry with its own hash recomputed",
        seq: 5,
        reason: /does not link to entry 4/,
        tamper: async (s) => {
            const [row] = await owner(s)("SELECT * FROM mcp_audit_log WHERE seq = 4");
            const forged = {
                seq: 4,
                ts: new Date(String((row.ts as Date).toISOString())),
                clientId: String(row.client_id),
                tool: "audit_verify",
                args: String(row.args),
                outcome: "ok" as const,
                errorCode: null,
                durationMs: Number(row.duration_ms),
                replicaId: String(row.replica_id),
                prevHash: String(row.prev_hash),
            };
            await owner(s)("UPDATE mcp_audit_log SET tool = $1, hash = $2 WHERE seq = 4", [forged.tool, entryHash(forged)]);
        },
    },
    {
        name: "a deleted entry",
        seq: 5,
        reason: /entry 5 is missing/,
        tamper: async (s) => void (await owner(s)("DELETE FROM mcp_audit_log WHERE seq = 5")),
    },
    {
        name: "a deleted last entry",
        seq: 10,
        reason: /entries 10\.\.10 are missing \(chain head is at 10\)/,
        tamper: async (s) => void (await owner(s)("DELETE FROM mcp_audit_log WHERE seq = 10")),
    },
    {
        name: "an inserted entry",
        seq: 6,
        reason: /entry 6 does not link to entry 5/,
        tamper: async (s) => {
            for (let seq = 10; seq >= 6; seq--) await owner(s)(moveSql, [seq, seq + 1]);
            await owner(s)(
                `INSERT INTO mcp_audit_log SELECT 6, ts, client_id, tool, args, outcome, error_code, duration_ms, replica_id, md5('a') || md5('b'), md5('c') || md5('d') FROM mcp_audit_log WHERE seq = 5`,
            );
        },
    },
    {
        name: "an entry appended behind the head's back",
        seq: 11,
        reason: /entry 11 lies beyond the chain head \(10\): inserted/,
        tamper: async (s) => {
            const [last] = await owner(s)("SELECT * FROM mcp_audit_log WHERE seq = 10");
            const forged = {
                seq: 11,
                ts: new Date(),
                clientId: "intruder",
                tool: "server_info",
                args: "{}",
                outcome: "ok" as const,
                errorCode: null,
                durationMs: 1,
                replicaId: "x",
                prevHash: String(last.hash),
            };
            await owner(s)("INSERT INTO mcp_audit_log VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)", [
                11,
                forged.ts,
                forged.clientId,
                forged.tool,
                forged.args,
                forged.outcome,
                null,
                1,
                "x",
                forged.prevHash,
                entryHash(forged),
            ]);
        },
    },
    {
        name: "two reordered entries",
        seq: 3,
        reason: /entry 3 does not link to entry 2/,
        tamper: async (s) => {
            await owner(s)(moveSql, [3, 1000]);
            await owner(s)(moveSql, [4, 3]);
            await owner(s)(moveSql, [1000, 4]);
        },
    },
];

const stores: { name: string; open(): Promise<{ store: SqlAuditStore; close(): Promise<void> }> }[] = [
    {
        name: "embedded (PGlite)",
        open: async () => {
            const store = await openAuditStore({ kind: "embedded", dataDir: "memory" });
            return { store, close: () => store.close() };
        },
    },
    {
        name: "PostgreSQL",
        open: async () => {
            const db = await freshDatabase();
            const store = await openAuditStore({ kind: "postgres", url: db.url, ssl: "disable" });
            return {
                store,
                close: async () => {
                    await store.close();
                    await db.drop();
                },
            };
        },
    },
];

for (const kind of stores) {
    describe(`app audit chain: ${kind.name}`, function () {
        let h: { store: SqlAuditStore; close(): Promise<void> };
        before(async () => (h = await kind.open()));
        after(() => h?.close());

        it("appends concurrent entries as one gapless chain", async () => {
            await resetChain(h.store, 0);
            const records = await Promise.all(Array.from({ length: 300 }, (_, i) => h.store.append(entry(i, `c${i % 7}`))));
            assert.deepEqual(
                records.map((r) => r.seq).sort((a, b) => a - b),
                Array.from({ length: 300 }, (_, i) => i + 1),
            );
            assert.deepEqual(await h.store.verify(), {
                ok: true,
                checked: 300,
                headSeq: 300,
                firstBad: undefined,
                breaks: [],
                outcomeUnknown: [],
            });
            const recent = await h.store.recent("c3", 5);
            assert.equal(recent.length, 5);
            assert.ok(recent.every((r) => r.clientId === "c3"));
        });

        it("migrates idempotently", async () => {
            await h.store.migrate();
            await h.store.migrate();
            assert.equal((await h.store.verify()).ok, true);
        });

        for (const t of tampering) {
            it(`detects and locates ${t.name}`, async () => {
                await resetChain(h.store, 10);
                assert.equal((await h.store.verify()).ok, true);
                await t.tamper(h.store);
                const r = await h.store.verify();
                assert.equal(r.ok, false);
                assert.equal(r.firstBad?.seq, t.seq, r.firstBad?.reason);
                assert.match(r.firstBad!.reason, t.reason);
            });
        }
    });
}

describe("app audit chain across two stores on one PostgreSQL", function () {
    it("never forks, gaps or duplicates under concurrent appends from both", async () => {
        const db = await freshDatabase();
        const [a, b] = await Promise.all([1, 2].map(() => openAuditStore({ kind: "postgres", url: db.url, ssl: "disable" })));
        try {
            const work = [];
            for (let i = 0; i < 400; i++) work.push((i % 2 === 0 ? a : b).append(entry(i, `r${i % 2}`)));
            await Promise.all(work);
            const v = await a.verify();
            assert.deepEqual(v, { ok: true, checked: 400, headSeq: 400, firstBad: undefined, breaks: [], outcomeUnknown: [] });
            const [{ n, distinct }] = await a.driver.query(
                "SELECT count(*)::int AS n, count(DISTINCT args)::int AS distinct FROM mcp_audit_log",
            );
            assert.equal(n, 400);
            assert.equal(distinct, 400);
        } finally {
            await a.close();
            await b.close();
            await db.drop();
        }
    });
});

describe("app audit append: one statement per batch on PostgreSQL", function () {
    it("writes a batch in one round trip on the cached head, and re-hashes when another store moved the head", async () => {
        const db = await freshDatabase();
        const [a, b] = await Promise.all([1, 2].map(() => openAuditStore({ kind: "postgres", url: db.url, ssl: "disable" })));
        const calls: string[] = [];
        const query = a.driver.query;
        const transaction = a.driver.transaction.bind(a.driver);
        Object.assign(a.driver, {
            query: (sql: string, params?: unknown[]) => (calls.push(sql.slice(0, 40)), query(sql, params)),
            transaction: (fn: never) => (calls.push("transaction"), transaction(fn)),
        });
        try {
            await a.append(entry(1));
            assert.equal(calls.length, 2, "the first batch learns the head, then writes");
            calls.length = 0;
            for (let i = 2; i <= 4; i++) await a.append(entry(i));
            assert.deepEqual(calls, Array(3).fill("SELECT appended, head_seq, head_hash FRO"), "one statement per batch, no BEGIN/COMMIT");
            calls.length = 0;
            await b.append(entry(5, "other"));
            const r = await a.append(entry(6));
            assert.equal(calls.length, 2, "a miss (head moved by the other store), then the re-hashed batch");
            assert.ok(!calls.includes("transaction"));
            assert.equal(r.seq, 6);
            const v = await a.verify();
            assert.deepEqual(v, { ok: true, checked: 6, headSeq: 6, firstBad: undefined, breaks: [], outcomeUnknown: [] });
        } finally {
            await a.close();
            await b.close();
            await db.drop();
        }
    });
});

function runCli(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(APP_DIR, "src", "audit", "cli.ts")], {
            cwd: REPO_DIR,
            env: { PATH: process.env.PATH ?? "", TS_NODE_PROJECT: path.join(REPO_DIR, "tsconfig.json"), ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (out += d.toString()));
        child.on("exit", (code) => resolve({ code, out }));
    });
}

describe("app audit:verify CLI", function () {
    it("reports an intact PostgreSQL chain (exit 0) and names the first bad entry (exit 1)", async () => {
        const db = await freshDatabase();
        const store = await openAuditStore({ kind: "postgres", url: db.url, ssl: "disable" });
        try {
            await resetChain(store, 6);
            const good = await runCli({ DATABASE_URL: db.url });
            assert.equal(good.code, 0, good.out);
            assert.match(good.out, /audit chain intact: 6 entries/);
            await owner(store)("UPDATE mcp_audit_log SET outcome = 'denied' WHERE seq = 2");
            const bad = await runCli({ DATABASE_URL: db.url });
            assert.equal(bad.code, 1, bad.out);
            assert.match(bad.out, /BROKEN at entry 2: entry 2 content does not match its hash/);
            assert.ok(!bad.out.includes("@127.0.0.1") || !/:\/\/[^@]*:[^*@]+@/.test(bad.out), "no password in output");
        } finally {
            await store.close();
            await db.drop();
        }
    });

    it("checks the embedded store's data directory, and refuses while a server holds it (exit 2)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-audit-"));
        try {
            let store = await openAuditStore({ kind: "embedded", dataDir: dir });
            await resetChain(store, 4);
            const busy = await runCli({ MCP_DATA_DIR: dir });
            assert.equal(busy.code, 2, busy.out);
            assert.match(busy.out, /in use by process/);
            await store.close();
            const good = await runCli({ MCP_DATA_DIR: dir });
            assert.equal(good.code, 0, good.out);
            assert.match(good.out, /intact: 4 entries/);
            store = await openAuditStore({ kind: "embedded", dataDir: dir });
            await owner(store)("DELETE FROM mcp_audit_log WHERE seq = 2");
            await store.close();
            const bad = await runCli({ MCP_DATA_DIR: dir });
            assert.equal(bad.code, 1, bad.out);
            assert.match(bad.out, /BROKEN at entry 2: entry 2 is missing/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

/** A TCP proxy to PostgreSQL that a test can cut and restore. */
async function pgProxy(target: URL): Promise<{ port: number; down(): Promise<void>; up(): Promise<void> }> {
    const port = await freePort();
    const sockets = new Set<net.Socket>();
    let server: net.Server | undefined;
    const up = () =>
        new Promise<void>((resolve) => {
            server = net.createServer((client) => {
                const upstream = net.connect(Number(target.port || 5432), target.hostname);
                for (const s of [client, upstream]) {
                    sockets.add(s);
                    s.on("close", () => sockets.delete(s));
                    s.on("error", () => undefined);
                }
                client.pipe(upstream).pipe(client);
            });
            server.listen(port, "127.0.0.1", () => resolve());
        });
    const down = () =>
        new Promise<void>((resolve) => {
            for (const s of sockets) s.destroy();
            server!.close(() => resolve());
        });
    await up();
    return { port, up, down };
}

describe("app audit store outage", function () {
    it("fails calls with a clear error instead of running them unaudited, and /ready names postgres", async () => {
        const db = await freshDatabase();
        const proxy = await pgProxy(new URL(db.url));
        const viaProxy = new URL(db.url);
        viaProxy.host = `127.0.0.1:${proxy.port}`;
        const key = randomKey();
        const app = await startTestApp({ DATABASE_URL: viaProxy.toString(), MCP_API_KEYS: key });
        const client = await connect(app.url, bearer(key));
        try {
            assert.equal((await client.callTool({ name: "scratchpad_put", arguments: { key: "before", value: "1" } })).isError, undefined);
            await proxy.down();

            await assert.rejects(
                client.callTool({ name: "scratchpad_put", arguments: { key: "while-down", value: "2" } }),
                /Audit log unavailable: the call was not run/,
            );
            await assert.rejects(client.callTool({ name: "server_info", arguments: {} }), /Audit log unavailable/);
            const ready = await waitFor("/ready 503", async () => {
                const res = await fetch(`${app.url}/ready`);
                return res.status === 503 ? ((await res.json()) as { reason: string; failing: string[] }) : undefined;
            });
            assert.deepEqual(ready.failing, ["postgres"]);
            assert.match(ready.reason, /postgres unavailable/);

            await proxy.up();
            await waitFor("/ready 200", async () => (await fetch(`${app.url}/ready`)).status === 200);
            const missing = await client.callTool({ name: "scratchpad_get", arguments: { key: "while-down" } });
            assert.equal(missing.isError, true, "the refused put never ran");
            assert.match(text(missing), /no note "while-down"/);
            assert.equal(structured(await client.callTool({ name: "scratchpad_get", arguments: { key: "before" } })).value, "1");
            const v = await app.deps.audit.verify();
            assert.equal(v.ok, true);
            // The put is write-ahead (intent + outcome entries); the refused put wrote nothing.
            assert.equal(v.checked, 4, "put before (intent + outcome), get while-down, get before: refused calls left no entry");
        } finally {
            await client.close();
            await app.shutdown();
            await proxy.down().catch(() => undefined);
            await db.drop();
        }
    });
});

describe("app audit store: a connection terminated mid-transaction", function () {
    it("fails that transaction without ending the process, and the next one runs on a new connection", async () => {
        const db = await freshDatabase();
        const poolErrors: string[] = [];
        const store = await openAuditStore(
            { kind: "postgres", url: db.url, ssl: "disable" },
            { onPoolError: (e) => poolErrors.push(e.message) },
        );
        const admin = new PgDriver({ url: PG_ADMIN_URL, ssl: "disable" });
        try {
            // The backend is terminated while the transaction's client is checked out but idle between
            // two queries: the pool does not listen to it then, so the driver must.
            await assert.rejects(
                store.driver.transaction(async (q) => {
                    const [{ pid }] = await q("SELECT pg_backend_pid() AS pid");
                    await admin.query("SELECT pg_terminate_backend($1)", [pid]);
                    await waitFor("the termination to reach the client", async () => poolErrors.length > 0, 5_000);
                    return q("SELECT 1");
                }),
            );
            assert.match(poolErrors[0], /terminating connection due to administrator command/);
            await store.append(entry(1));
            assert.equal((await store.verify()).ok, true);
        } finally {
            await store.close();
            await admin.close();
            await db.drop();
        }
    });
});
