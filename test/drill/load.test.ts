/** Drill: steady load through nginx onto two replicas; the audit log holds every answered call once. */
import { strict as assert } from "node:assert";
import { Load, Topology, auditReport, figures, requireNginx, sleep, summarize } from "./harness";

const LOAD_MS = 8_000;

describe("drill: 50 MCP clients through nginx onto two replicas", function () {
    this.timeout(180_000);
    let topo: Topology | undefined;

    before(async function () {
        requireNginx(this);
        topo = await Topology.start({ name: "load" });
    });
    after(async () => {
        await topo?.stop();
    });

    it("every answered call is audited exactly once, the chain verifies, both replicas serve", async () => {
        const t = topo!;
        const load = new Load({ url: t.url, keys: t.keys, clientIds: t.clientIds, tag: "load" });
        await load.connect();
        load.start();
        await sleep(LOAD_MS);
        await load.stop();

        const s = summarize(load.attempts);
        const audit = await auditReport(t.db!.url, load.attempts);
        const chain = await t.verifyChain();
        const perReplica = await t.perReplica();
        console.log(
            figures("load", {
                answered: s.answered,
                errors: s.errors,
                recoveryMs: null,
                p95Ms: s.p95Ms,
                missing: audit.missing,
                extra: `${(s.answered / (LOAD_MS / 1000)).toFixed(0)} calls/s, audit rows ${audit.rows} (${audit.calls} calls), chain ${chain.ok ? "intact" : "BROKEN"}, per replica ${JSON.stringify(perReplica)}`,
            }),
        );

        const failed = load.attempts.filter((a) => !a.acked || a.isError);
        assert.deepEqual(
            failed.slice(0, 3).map((a) => `${a.tool}: ${a.text}`),
            [],
            "no call fails without a fault",
        );
        assert.equal(audit.missing, 0, audit.examples.join("\n"));
        assert.equal(audit.unexplained, 0, audit.examples.join("\n"));
        assert.ok(audit.exactlyOnce, "each answered call has exactly one entry");
        assert.equal(audit.calls, s.answered, "one call or intent entry per answered call (a put's outcome entry is extra)");
        assert.ok(chain.ok, chain.output);
        // Each scratchpad_put is write-ahead: an intent before it runs and an outcome entry after.
        const puts = load.attempts.filter((a) => a.acked && a.tool === "scratchpad_put").length;
        assert.equal(audit.rows, s.answered + puts, "one outcome entry per put");
        assert.equal(chain.checked, audit.rows);
        assert.equal(chain.headSeq, audit.rows);
        assert.deepEqual(chain.outcomeUnknown, [], "every intent has its outcome");
        for (const r of t.replicas)
            assert.ok((perReplica[r.replicaId] ?? 0) > 0, `nginx sent ${r.replicaId} no traffic: ${JSON.stringify(perReplica)}`);
    });

    it("the edge exposes /mcp, /health and /ready only, with its security headers once", async () => {
        const t = topo!;
        for (const p of ["/metrics", "/", "/mcp/x", "/.well-known/oauth-protected-resource"]) {
            const res = await fetch(`${t.url}${p}`);
            assert.equal(res.status, 404, p);
        }
        const health = await fetch(`${t.url}/health`);
        assert.equal(health.status, 200);
        assert.equal(health.headers.get("x-content-type-options"), "nosniff", "exactly one nosniff (the server's copy is hidden)");
        assert.equal(health.headers.get("x-frame-options"), "DENY");
        assert.equal(health.headers.get("server"), "nginx", "no version in Server");
        assert.equal((await fetch(`${t.url}/ready`)).status, 200);
        // The metrics port of a replica is not among nginx's upstreams.
        const mainPorts = new Set(t.replicas.map((r) => `127.0.0.1:${r.port}`));
        const used = t
            .nginx!.accessLog()
            .flatMap((l) => l.upstream.split(", "))
            .filter((u) => u !== "");
        assert.ok(used.length > 0);
        assert.deepEqual(
            used.filter((u) => !mainPorts.has(u)),
            [],
            "nginx reaches the replicas' main ports only",
        );
    });
});
