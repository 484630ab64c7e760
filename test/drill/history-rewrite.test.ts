/**
 * Drill: history is rewritten in PostgreSQL after checkpoints were written. The two replicas
 * checkpoint the chain to an anchor directory while under load (one writer at a time, by advisory
 * lock). Then an attacker holding the administrator credentials (1) edits an anchored entry and
 * recomputes every later hash and the head, and (2) cuts the tail and moves the head back. The
 * database chain alone still verifies after each; `audit:verify --anchors` names the first
 * rewritten entry and the first cut one.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client as PgClient } from "pg";
import { entryHash } from "../../app/src/audit/entry";
import { toRecord } from "../../app/src/audit/store";
import { Load, Topology, auditReport, figures, requireNginx, sleep, summarize, waitFor } from "./harness";

describe("drill: history rewritten in PostgreSQL after checkpoints", function () {
    this.timeout(180_000);
    let topo: Topology | undefined;
    let anchors: string;

    before(async function () {
        requireNginx(this);
        anchors = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-drill-anchors-"));
        topo = await Topology.start({
            name: "rewrite",
            serverEnv: { MCP_AUDIT_ANCHORS: anchors, MCP_AUDIT_CHECKPOINT_INTERVAL_S: "1", MCP_AUDIT_CHECKPOINT_ENTRIES: "500" },
        });
    });
    after(async () => {
        await topo?.stop();
        if (anchors) fs.rmSync(anchors, { recursive: true, force: true });
    });

    it("audit:verify --anchors locates a suffix rewrite and a tail truncation the chain alone cannot see", async () => {
        const t = topo!;
        const load = new Load({ url: t.url, keys: t.keys, clientIds: t.clientIds, tag: "rewrite" });
        await load.connect();
        load.start();
        await sleep(4_000);
        await load.stop();
        const s = summarize(load.attempts);
        const audit = await auditReport(t.db!.url, load.attempts);

        const pg = new PgClient({ connectionString: t.db!.url });
        await pg.connect();
        try {
            const head = Number((await pg.query("SELECT seq FROM mcp_audit_head")).rows[0].seq);
            // Wait until the replicas have anchored everything (a round every second).
            await waitFor(
                "the whole chain checkpointed",
                async () => Number((await pg.query("SELECT coalesce(max(seq), 0) AS s FROM mcp_audit_checkpoint")).rows[0].s) === head,
            );
            const objects = fs.readdirSync(anchors).filter((n) => n.startsWith("checkpoint-"));
            const writers = new Set((await pg.query("SELECT object FROM mcp_audit_checkpoint")).rows.map((r) => r.object));
            const clean = await t.verifyChain(`file://${anchors}`);
            assert.equal(clean.code, 0, clean.output);

            // (1) The attacker edits entry k and recomputes every later hash and the head.
            const k = Math.floor(head / 3);
            const rows = (await pg.query("SELECT * FROM mcp_audit_log WHERE seq >= $1 ORDER BY seq", [k])).rows.map(toRecord);
            await pg.query("BEGIN");
            await pg.query("SET LOCAL session_replication_role = replica"); // the triggers off: administrator only
            let prev = rows[0].prevHash;
            for (const r of rows) {
                const forged = { ...r, args: r.seq === k ? '{"rewritten":true}' : r.args, prevHash: prev };
                const hash = entryHash(forged);
                await pg.query("UPDATE mcp_audit_log SET args = $2, prev_hash = $3, hash = $4 WHERE seq = $1", [
                    r.seq,
                    forged.args,
                    `x${r.seq}`,
                    `y${r.seq}`,
                ]);
                await pg.query("UPDATE mcp_audit_log SET prev_hash = $2, hash = $3 WHERE seq = $1", [r.seq, prev, hash]);
                prev = hash;
            }
            await pg.query("UPDATE mcp_audit_head SET hash = $1", [prev]);
            await pg.query("COMMIT");
            const alone1 = await t.verifyChain();
            const anchored1 = await t.verifyChain(`file://${anchors}`);

            // (2) Then cuts the last entries and moves the head back.
            const cut = head - 25;
            await pg.query("BEGIN");
            await pg.query("SET LOCAL session_replication_role = replica");
            await pg.query("DELETE FROM mcp_audit_log WHERE seq > $1", [cut]);
            await pg.query("UPDATE mcp_audit_head SET seq = $1, hash = (SELECT hash FROM mcp_audit_log WHERE seq = $1)", [cut]);
            await pg.query("COMMIT");
            const alone2 = await t.verifyChain();
            const anchored2 = await t.verifyChain(`file://${anchors}`);

            console.log(
                figures("history", {
                    answered: s.answered,
                    errors: s.errors,
                    recoveryMs: null,
                    p95Ms: s.p95Ms,
                    missing: audit.missing,
                    extra:
                        `${head} entries in ${objects.length} checkpoints (${writers.size} objects recorded); rewrite from ${k}: chain alone ${alone1.ok ? "intact" : "BROKEN"}, ` +
                        `anchored ${anchored1.breaks.map((b) => `${b.kind}@${b.seq}`).join(" ")}; cut after ${cut}: chain alone ${alone2.ok ? "intact" : "BROKEN"}, ` +
                        `anchored ${anchored2.breaks.map((b) => `${b.kind}@${b.seq}`).join(" ")}`,
                }),
            );

            assert.equal(audit.missing, 0, audit.examples.join("\n"));
            assert.ok(objects.length >= 2, `several checkpoints were written: ${objects.join(", ")}`);
            assert.ok(alone1.ok && alone2.ok, "the database chain alone cannot see either change");
            assert.equal(anchored1.code, 1, anchored1.output);
            assert.deepEqual(
                anchored1.breaks.map((b) => b.kind),
                anchored1.breaks.map(() => "rewritten"),
            );
            assert.equal(anchored1.breaks[0].seq, k, anchored1.output);
            assert.match(anchored1.output, new RegExp(`break at entry ${k} \\[rewritten\\]`));
            assert.equal(anchored2.code, 1, anchored2.output);
            assert.equal(anchored2.breaks[0].seq, k, "the rewrite is still reported first");
            const truncated = anchored2.breaks.filter((b) => b.kind === "truncated");
            assert.deepEqual(
                truncated.map((b) => b.seq),
                [cut + 1],
                anchored2.output,
            );
        } finally {
            await pg.end();
        }
    });
});
