/**
 * Regression tests for issue 11's findings 1-7 (each failed on the code before the fix), and the
 * write-ahead, append-only and checkpoint behaviour that closes them.
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Client as PgClient } from "pg";
import { openAnchorStore } from "../src/audit/anchors";
import { CheckpointWriter, verifyAgainstAnchors } from "../src/audit/checkpoint";
import { decodeAuditText, entryHash, type AuditRecord } from "../src/audit/entry";
import { openAuditStore, type SqlAuditStore } from "../src/audit/store";
import { clientIdForKeyHash, sha256Hex } from "../src/auth/apiKeys";
import type { RunningApp } from "../src/app";
import {
    APP_DIR,
    PG_ADMIN_URL,
    auditEntry,
    REPO_DIR,
    bearer,
    connect,
    freshDatabase,
    mcpHeaders,
    owner,
    randomKey,
    rawPost,
    startTestApp,
    structured,
    text,
    waitFor,
} from "./helpers";

const callBody = (id: number, name: string, args: string) =>
    `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":${JSON.stringify(name)},"arguments":${args}}}`;

const entry = (i: number) => auditEntry(i, { replicaId: "findings" });

async function allEntries(store: SqlAuditStore): Promise<AuditRecord[]> {
    return store.entriesAfter(0, 100_000);
}

describe("app audit findings (issue 11) on PostgreSQL", function () {
    this.timeout(120_000);
    let db: Awaited<ReturnType<typeof freshDatabase>>;
    let app: RunningApp;
    const [attackerKey, victimKey] = [randomKey(), randomKey()];
    let attacker: Client;
    let victim: Client;
    let store: SqlAuditStore;
    before(async () => {
        db = await freshDatabase();
        app = await startTestApp({ DATABASE_URL: db.url, MCP_API_KEYS: `${attackerKey},${victimKey}`, MCP_RATE_LIMIT_PER_MINUTE: "0" });
        [attacker, victim] = await Promise.all([connect(app.url, bearer(attackerKey)), connect(app.url, bearer(victimKey))]);
        store = app.deps.audit as SqlAuditStore;
    });
    after(async () => {
        await attacker?.close();
        await victim?.close();
        await app?.shutdown();
        await db?.drop();
    });

    it("1: a tool name with NUL is answered 'Unknown tool' and audited losslessly", async () => {
        await assert.rejects(attacker.callTool({ name: "x\u0000y", arguments: {} }), (err: Error) => {
            assert.match(err.message, /Unknown tool: "x\\u0000y"/);
            assert.doesNotMatch(err.message, /Audit log unavailable/);
            return true;
        });
        const [last] = await store.recent(clientIdForKeyHash(sha256Hex(attackerKey)), 1);
        assert.equal(last.outcome, "unknown_tool");
        assert.equal(last.tool, '"x\\u0000y"');
        assert.deepEqual(decodeAuditText(last.tool), { text: "x\u0000y", truncated: false });
        assert.equal((await store.verify()).ok, true);
    });

    it("2+3: NUL-named calls and an entry that cannot be written fail alone; no state change goes unaudited", async () => {
        await owner(store)("ALTER TABLE mcp_audit_log ADD CONSTRAINT test_poison CHECK (args NOT LIKE '%poison%')");
        try {
            const stop = { now: false };
            const attack = (async () => {
                let n = 0;
                while (!stop.now) {
                    await Promise.all([
                        attacker.callTool({ name: `evil\u0000${n++}`, arguments: {} }).catch(() => undefined),
                        // The intent of this put cannot be written (the test's CHECK constraint): refused, never run.
                        attacker.callTool({ name: "scratchpad_put", arguments: { key: `p${n}`, value: "poison" } }).catch((e: Error) => {
                            assert.match(e.message, /Audit log unavailable: the call was not run/);
                        }),
                    ]);
                }
            })();
            const results = await Promise.allSettled(
                Array.from({ length: 30 }, (_, i) =>
                    victim.callTool({ name: "scratchpad_put", arguments: { key: `v${i}`, value: `note ${i}` } }),
                ),
            );
            stop.now = true;
            await attack;
            const failed = results.filter((r) => r.status === "rejected" || r.value.isError === true);
            assert.equal(failed.length, 0, `victim calls failed: ${JSON.stringify(failed).slice(0, 500)}`);
        } finally {
            await owner(store)("ALTER TABLE mcp_audit_log DROP CONSTRAINT test_poison");
        }
        // Every note in the store has its intent and outcome; no poisoned put ran.
        const victimId = clientIdForKeyHash(sha256Hex(victimKey));
        const rows = (await allEntries(store)).filter((r) => r.clientId === victimId && r.tool === "scratchpad_put");
        const intents = rows.filter((r) => r.kind === "intent");
        const outcomes = rows.filter((r) => r.kind === "outcome");
        assert.equal(intents.length, 30);
        assert.deepEqual(outcomes.map((o) => o.ref).sort(), intents.map((i) => i.seq).sort());
        assert.ok(outcomes.every((o) => o.outcome === "ok"));
        const notes = structured<{ notes: { key: string }[] }>(await victim.callTool({ name: "scratchpad_list", arguments: {} })).notes;
        assert.equal(notes.length, 30);
        const attackerNotes = structured<{ notes: unknown[] }>(await attacker.callTool({ name: "scratchpad_list", arguments: {} })).notes;
        assert.equal(attackerNotes.length, 0, "refused puts changed no state");
        const v = await store.verify();
        assert.equal(v.ok, true, JSON.stringify(v.breaks));
        assert.deepEqual(v.outcomeUnknown, []);
    });

    it("4: names that would split a surrogate pair, lone surrogates and long names verify", async () => {
        const names = ["a".repeat(127) + "\ud83d\ude00", "\ud800", "b".repeat(300) + "\udc00"];
        for (const name of names) await assert.rejects(attacker.callTool({ name, arguments: { k: "\ud800\u0000" } }), /Unknown tool/);
        const recent = await store.recent(clientIdForKeyHash(sha256Hex(attackerKey)), 3);
        const stored = recent.reverse().map((r) => r.tool);
        assert.equal(stored[0], names[0], "128 code points: kept whole, pair intact");
        assert.deepEqual(decodeAuditText(stored[1]), { text: "\ud800", truncated: false });
        assert.deepEqual(decodeAuditText(stored[2]), { text: "b".repeat(128), truncated: true });
        assert.match(stored[2], /…\(\+173 code points, sha256 [0-9a-f]{64}\)$/);
        assert.equal(recent[0].args, '{"k":"\\ud800\\u0000"}');
        const v = await store.verify();
        assert.equal(v.ok, true, JSON.stringify(v.breaks));
    });

    it("4: verify reports every break, not only the first", async () => {
        const before = (await store.head()).seq;
        assert.ok(before >= 8);
        await owner(store)("UPDATE mcp_audit_log SET args = '{\"edited\":1}' WHERE seq = 2");
        await owner(store)("DELETE FROM mcp_audit_log WHERE seq = $1", [before - 3]);
        const v = await store.verify();
        assert.deepEqual(
            v.breaks.map((b) => [b.seq, b.kind]),
            [
                [2, "edited"],
                [before - 3, "deleted"],
            ],
        );
    });

    it("7: __proto__, constructor and prototype arguments are refused by the strict schema and audited as data", async () => {
        const headers = mcpHeaders(bearer(attackerKey));
        const res = await rawPost(
            app.url,
            callBody(1, "server_info", '{"__proto__":{"isAdmin":true},"constructor":1,"prototype":{}}'),
            headers,
        );
        assert.equal(res.status, 200);
        assert.equal(res.json.result.isError, true);
        assert.match(res.json.result.content[0].text, /Invalid arguments for tool server_info: .*Unrecognized keys?: .*"__proto__"/);
        const [last] = await store.recent(clientIdForKeyHash(sha256Hex(attackerKey)), 1);
        assert.equal(last.outcome, "invalid_arguments");
        assert.equal(last.args, '{"__proto__":{"isAdmin":true},"constructor":1,"prototype":{}}');
        assert.equal(({} as Record<string, unknown>).isAdmin, undefined, "no prototype was polluted");
    });

    it("records the request's traceparent in the entry, hashed", async () => {
        const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        const res = await rawPost(app.url, callBody(2, "server_info", "{}"), { ...mcpHeaders(bearer(victimKey)), traceparent: tp });
        assert.equal(res.status, 200);
        const [last] = await store.recent(clientIdForKeyHash(sha256Hex(victimKey)), 1);
        assert.equal(last.traceparent, tp);
        assert.equal(entryHash(last), last.hash);
        assert.notEqual(entryHash({ ...last, traceparent: null }), last.hash, "the trace context is part of the hash");
    });
});

describe("app audit write-ahead: outcome unknown", function () {
    it("an intent with no outcome (a crash between the two) is reported by verify and audit_recent", async () => {
        const key = randomKey();
        const app = await startTestApp({ MCP_API_KEYS: key });
        const client = await connect(app.url, bearer(key));
        try {
            const clientId = clientIdForKeyHash(sha256Hex(key));
            await client.callTool({ name: "scratchpad_put", arguments: { key: "a", value: "1" } });
            // What a replica killed after its intent was committed leaves behind.
            const crashed = await app.deps.audit.append({
                ...entry(0),
                clientId,
                tool: "scratchpad_delete",
                args: '{"key":"a"}',
                outcome: "pending",
                kind: "intent",
            });
            const v = await app.deps.audit.verify();
            assert.equal(v.ok, true);
            assert.deepEqual(v.outcomeUnknown, [crashed.seq]);
            const shown = structured<{ entries: { seq: number; kind: string; outcome: string; ref?: number }[] }>(
                await client.callTool({ name: "audit_recent", arguments: { limit: 5 } }),
            ).entries;
            // Newest first: the crashed delete, then the put's outcome and its intent (audit_recent's own entry comes after it ran).
            assert.deepEqual(
                shown.map((e) => [e.kind, e.outcome]),
                [
                    ["intent", "unknown"],
                    ["outcome", "ok"],
                    ["intent", "pending"],
                ],
            );
            assert.equal(shown[1].ref, shown[2].seq, "the put's outcome links to its intent");
        } finally {
            await client.close();
            await app.shutdown();
        }
    });
});

describe("app audit isolation inside a group-commit batch", function () {
    it("an entry that fails in the database fails alone; the rest of its batch commits", async () => {
        const db = await freshDatabase();
        const store = await openAuditStore({ kind: "postgres", url: db.url, ssl: "disable" });
        try {
            await owner(store)("ALTER TABLE mcp_audit_log ADD CONSTRAINT test_poison CHECK (client_id <> 'poison')");
            const results = await Promise.allSettled(
                Array.from({ length: 40 }, (_, i) => store.append({ ...entry(i), clientId: i === 7 ? "poison" : `c${i}` })),
            );
            assert.deepEqual(
                results.map((r, i) => (r.status === "rejected" ? i : -1)).filter((i) => i >= 0),
                [7],
            );
            assert.deepEqual((await store.verify()).checked, 39);
            // Malformed entries never reach a batch at all.
            await assert.rejects(store.append({ ...entry(1), tool: "x\u0000" }), /audit entry rejected before writing: tool holds U\+0000/);
            await assert.rejects(store.append({ ...entry(1), clientId: "\ud800" }), /clientId holds U\+0000 or a lone surrogate/);
        } finally {
            await store.close();
            await db.drop();
        }
    });
});

function runNode(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
        const child = spawn(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join(APP_DIR, "src", "audit", script), ...args],
            {
                cwd: REPO_DIR,
                env: { PATH: process.env.PATH ?? "", TS_NODE_PROJECT: path.join(REPO_DIR, "tsconfig.json"), ...env },
                stdio: ["ignore", "pipe", "pipe"],
            },
        );
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (out += d.toString()));
        child.on("exit", (code) => resolve({ code, out }));
    });
}

describe("app audit finding 6: the server's append-only role (real PostgreSQL)", function () {
    this.timeout(120_000);
    it("audit:migrate grants INSERT/SELECT only; UPDATE, DELETE and TRUNCATE as the server's role fail", async () => {
        const db = await freshDatabase();
        const role = `mcp_srv_${randomBytes(4).toString("hex")}`;
        const password = randomBytes(12).toString("hex");
        const roleUrl = new URL(db.url);
        [roleUrl.username, roleUrl.password] = [role, password];
        try {
            const migrated = await runNode("migrate.ts", [], {
                DATABASE_ADMIN_URL: db.url,
                MCP_AUDIT_SERVER_ROLE: role,
                MCP_AUDIT_SERVER_PASSWORD: password,
            });
            assert.equal(migrated.code, 0, migrated.out);
            assert.match(migrated.out, new RegExp(`${role} is the append-only server role`));

            const server = await openAuditStore({ kind: "postgres", url: roleUrl.toString(), ssl: "disable" }, { migrate: "off" });
            try {
                for (let i = 1; i <= 3; i++) await server.append(entry(i));
                assert.deepEqual(await server.excessPrivileges(), []);
                for (const sql of [
                    "UPDATE mcp_audit_log SET args = '{}' WHERE seq = 2",
                    "DELETE FROM mcp_audit_log WHERE seq = 3",
                    "TRUNCATE mcp_audit_log",
                    "DELETE FROM mcp_audit_head",
                    "INSERT INTO mcp_audit_schema (version) VALUES (99)",
                ]) {
                    await assert.rejects(server.driver.query(sql), /permission denied/, sql);
                }
                // The head may be moved, but only forward to an entry that exists (trigger).
                await assert.rejects(
                    server.driver.query("UPDATE mcp_audit_head SET seq = 1, hash = (SELECT hash FROM mcp_audit_log WHERE seq = 1)"),
                    /only moves forward/,
                );
                assert.equal((await server.verify()).ok, true);
            } finally {
                await server.close();
            }
            // Defence in depth: even the administrator's ordinary statements hit the triggers.
            const admin = await openAuditStore({ kind: "postgres", url: db.url, ssl: "disable" });
            try {
                assert.ok((await admin.excessPrivileges()).length > 0, "the admin is flagged");
                await assert.rejects(
                    admin.driver.query("UPDATE mcp_audit_log SET args = '{}' WHERE seq = 2"),
                    /append-only: UPDATE on mcp_audit_log refused/,
                );
                await assert.rejects(admin.driver.query("DELETE FROM mcp_audit_log"), /append-only: DELETE/);
                await assert.rejects(admin.driver.query("TRUNCATE mcp_audit_log"), /append-only: TRUNCATE/);
            } finally {
                await admin.close();
            }
            // A server told not to migrate names the missing step instead of creating tables.
            const empty = await freshDatabase();
            try {
                await assert.rejects(
                    openAuditStore({ kind: "postgres", url: empty.url, ssl: "disable" }, { migrate: "off" }),
                    /audit schema is at version 0, this server needs 3: run audit:migrate/,
                );
            } finally {
                await empty.drop();
            }
            const superuser = await runNode("migrate.ts", [], { DATABASE_ADMIN_URL: db.url, MCP_AUDIT_SERVER_ROLE: "postgres" });
            assert.equal(superuser.code, 2);
            assert.match(superuser.out, /role postgres is a superuser/);
        } finally {
            await db.drop();
            const pg = new PgClient({ connectionString: PG_ADMIN_URL });
            await pg.connect();
            await pg.query(`DROP ROLE IF EXISTS ${role}`);
            await pg.end();
        }
    });
});

describe("app audit finding 5: anchored verify finds what the chain alone cannot", function () {
    this.timeout(120_000);
    let dir: string;
    let store: SqlAuditStore;
    let db: Awaited<ReturnType<typeof freshDatabase>>;
    beforeEach(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-finding5-"));
        db = await freshDatabase();
        store = await openAuditStore({ kind: "postgres", url: db.url, ssl: "disable" });
        const anchors = await openAnchorStore(dir);
        const w = new CheckpointWriter({ store, anchors, writer: "t" });
        for (let i = 1; i <= 10; i++) await store.append(entry(i));
        await w.tick();
        for (let i = 11; i <= 20; i++) await store.append(entry(i));
        await w.tick();
    });
    afterEach(async () => {
        await store.close();
        await db.drop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("the last entries deleted and the head moved back: the database chain verifies, the anchors name the cut", async () => {
        const [e15] = await store.entriesAfter(14, 1);
        await owner(store)("DELETE FROM mcp_audit_log WHERE seq > 15");
        await owner(store)("UPDATE mcp_audit_head SET seq = 15, hash = $1", [e15.hash]);
        assert.equal((await store.verify()).ok, true, "undetectable from the database alone");
        const r = await verifyAgainstAnchors(store, await openAnchorStore(dir));
        assert.equal(r.ok, false);
        assert.deepEqual(
            r.breaks.map((b) => [b.seq, b.kind]),
            [[16, "truncated"]],
        );
        const cli = await runNode("cli.ts", ["--anchors", `file://${dir}`], { DATABASE_URL: db.url });
        assert.equal(cli.code, 1, cli.out);
        assert.match(
            cli.out,
            /break at entry 16 \[truncated\]: the database ends at entry 15, but checkpoint checkpoint-0+11\.jsonl anchors entries up to 20/,
        );
    });

    it("an entry edited with every later hash and the head recomputed: the anchors name the first rewritten entry", async () => {
        const rows = await store.entriesAfter(0, 100);
        let prev = rows[5].prevHash;
        for (const r of rows.slice(5)) {
            const forged = { ...r, args: r.seq === 6 ? '{"i":"forged"}' : r.args, prevHash: prev };
            const hash = entryHash(forged);
            await owner(store)("UPDATE mcp_audit_log SET args = $2, prev_hash = $3, hash = $4 WHERE seq = $1", [
                r.seq,
                forged.args,
                `tmp-${r.seq}`,
                `tmp-h-${r.seq}`,
            ]);
            await owner(store)("UPDATE mcp_audit_log SET prev_hash = $2, hash = $3 WHERE seq = $1", [r.seq, prev, hash]);
            prev = hash;
        }
        await owner(store)("UPDATE mcp_audit_head SET hash = $1", [prev]);
        assert.equal((await store.verify()).ok, true, "undetectable from the database alone");
        const r = await verifyAgainstAnchors(store, await openAnchorStore(dir));
        assert.deepEqual(
            r.breaks.map((b) => [b.seq, b.kind]),
            [
                [6, "rewritten"],
                [11, "rewritten"],
            ],
        );
        assert.match(r.breaks[0].reason, /5 entries differ from checkpoint checkpoint-0+1\.jsonl \(first at 6\)/);
        // And the writer refuses to anchor the rewritten chain.
        await store.append(entry(21));
        const errors: string[] = [];
        await new CheckpointWriter({
            store,
            anchors: await openAnchorStore(dir),
            writer: "t",
            onError: (e) => errors.push(e.message),
        }).tick();
        assert.match(errors[0] ?? "", /refusing to checkpoint: the audit chain no longer continues from checkpoint 20/);
    });

    it("an anchor location that does not exist is a clear error (exit 2)", async () => {
        const cli = await runNode("cli.ts", ["--anchors", path.join(dir, "nope")], { DATABASE_URL: db.url });
        assert.equal(cli.code, 2, cli.out);
        assert.match(cli.out, /audit anchor directory .*nope does not exist/);
    });
});

describe("app audit checkpoints from a running server", function () {
    it("writes checkpoints on its own and exposes their age and the last verified seq", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-cp-app-"));
        const key = randomKey();
        const app = await startTestApp({
            MCP_API_KEYS: key,
            MCP_AUDIT_ANCHORS: dir,
            MCP_AUDIT_CHECKPOINT_INTERVAL_S: "3600",
            MCP_AUDIT_CHECKPOINT_ENTRIES: "3",
        });
        const client = await connect(app.url, bearer(key));
        try {
            for (let i = 0; i < 3; i++) await client.callTool({ name: "server_info", arguments: {} });
            await waitFor("a checkpoint", async () => fs.readdirSync(dir).length > 0);
            const metrics = await waitFor("checkpoint metrics", async () => {
                const m = await (await fetch(`${app.url}/metrics`)).text();
                return /^mcp_audit_last_verified_seq [1-9]/m.test(m) ? m : undefined;
            });
            assert.match(metrics, /^mcp_audit_checkpoint_age_seconds \d/m);
            assert.match(metrics, /^mcp_audit_checkpoint_seq [1-9]/m);
            assert.equal(text(await client.callTool({ name: "server_info", arguments: {} })).includes("replicaId"), true);
        } finally {
            await client.close();
            await app.shutdown();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
