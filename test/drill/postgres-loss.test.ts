/**
 * Drill: every PostgreSQL connection of the drill database is terminated under load
 * (pg_terminate_backend), twice. Calls either fail with a clear error or succeed on a new
 * connection; none is answered without its audit entry, and the chain stays intact.
 */
import { strict as assert } from "node:assert";
import { Load, Topology, adminQuery, auditReport, figures, requireNginx, recoveryMs, sleep, summarize } from "./harness";

describe("drill: PostgreSQL connections are terminated under load", function () {
    this.timeout(180_000);
    let topo: Topology | undefined;

    before(async function () {
        requireNginx(this);
        topo = await Topology.start({ name: "postgres" });
    });
    after(async () => {
        await topo?.stop();
    });

    it("calls fail clearly or succeed after reconnecting; every answered call is audited", async () => {
        const t = topo!;
        const terminate = async () =>
            (
                await adminQuery<{ n: number }>(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                    [t.db!.name],
                )
            )[0].n;
        const load = new Load({ url: t.url, keys: t.keys, clientIds: t.clientIds, tag: "postgres" });
        await load.connect();
        load.start();
        const faults: { at: number; terminated: number }[] = [];
        try {
            for (const wait of [2_500, 2_500]) {
                await sleep(wait);
                const at = Date.now();
                faults.push({ at, terminated: await terminate() });
            }
            await sleep(3_000);
        } finally {
            await load.stop();
        }

        const s = summarize(load.attempts);
        const audit = await auditReport(t.db!.url, load.attempts);
        const chain = await t.verifyChain();
        const recoveries = faults.map((f, i) => recoveryMs(load.attempts, f.at, faults[i + 1]?.at));
        const failed = load.attempts.filter((a) => !a.acked || a.isError);
        const lostLogged = t.replicas.reduce((n, r) => n + r.log.matching(/"msg":"audit append failed"/).length, 0);
        console.log(
            figures("postgres-loss", {
                answered: s.answered,
                errors: s.errors,
                recoveryMs: Math.max(...recoveries.map((r) => r ?? Infinity)),
                p95Ms: s.p95Ms,
                missing: audit.missing,
                extra:
                    `terminated ${faults.map((f) => f.terminated).join(" + ")} connections; recovery per fault ${recoveries.map((r) => `${r} ms`).join(", ")}; ` +
                    `${s.toolErrors} tool errors, ${s.retries} retries, ${audit.unacknowledgedAudited} failed calls audited anyway, ${lostLogged} lost entries logged for reconciliation`,
            }),
        );

        for (const f of faults) assert.ok(f.terminated > 0, "the replicas had connections to terminate");
        for (const a of failed) {
            // The server's own words: refused before running, or result withheld because the entry was not written.
            assert.match(
                a.text,
                /Audit log unavailable|audit log store is unavailable; retry later/,
                `${a.tool} failed unclearly: ${a.text}`,
            );
        }
        for (const r of recoveries) assert.ok(r !== null && r < 30_000, `calls are answered again after each fault: ${recoveries}`);
        assert.ok(
            load.attempts.some((a) => a.acked && !a.isError && a.start > faults[faults.length - 1].at + 1_000),
            "answered after the last fault",
        );
        assert.equal(audit.missing, 0, audit.examples.join("\n"));
        assert.equal(audit.unexplained, 0, audit.examples.join("\n"));
        assert.ok(chain.ok, chain.output);
        assert.equal(chain.headSeq, audit.rows);
    });
});
