/**
 * Drill: the Redis the replicas share (a throwaway redis-server this test owns) is killed under
 * load and restarted on the same port.
 *
 * Only the tools that keep state in Redis (scratchpad_*) depend on it: while it is down the
 * server's own per-client rate limits are counted in each replica's memory. A third replica
 * with a small limit, reached directly, shows that the limit is still enforced during the outage.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { clientIdForKeyHash, sha256Hex } from "../../app/src/auth/apiKeys";
import {
    Load,
    ThrowawayRedis,
    Topology,
    auditReport,
    figures,
    requireNginx,
    freePort,
    sleep,
    summarize,
    waitFor,
    type Attempt,
    type Replica,
} from "./harness";

const STATE_TOOLS = new Set(["scratchpad_put", "scratchpad_get"]);

/** One server_info call straight to a replica, recorded like a load attempt. */
async function directInfo(replica: Replica, key: string): Promise<Attempt & { body: { error?: { message: string } } }> {
    const start = Date.now();
    const res = await fetch(`${replica.url}/mcp`, {
        method: "POST",
        headers: {
            "Content-Type": "application/json",
            Accept: "application/json, text/event-stream",
            "MCP-Protocol-Version": "2025-06-18",
            Authorization: `Bearer ${key}`,
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "server_info", arguments: {} } }),
    });
    const body = (await res.json()) as { result?: { isError?: boolean }; error?: { message: string } };
    return {
        worker: -1,
        clientId: clientIdForKeyHash(sha256Hex(key)),
        tool: "server_info",
        args: {},
        start,
        end: Date.now(),
        ms: Date.now() - start,
        acked: res.status === 200 && body.result !== undefined,
        isError: body.result?.isError === true,
        text: body.error?.message ?? "",
        status: res.status,
        notRun: res.status === 429 || res.status === 503,
        retry: 0,
        body,
    };
}

describe("drill: Redis is lost under load and comes back", function () {
    this.timeout(180_000);
    let topo: Topology | undefined;
    let redis: ThrowawayRedis | undefined;
    let redisDir: string | undefined;

    before(async function () {
        requireNginx(this);
        redisDir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-drill-redis-"));
        redis = new ThrowawayRedis(await freePort(), redisDir);
        await redis.start();
        topo = await Topology.start({ name: "redis", redisUrl: redis.url });
    });
    after(async () => {
        try {
            await topo?.stop();
        } finally {
            await redis?.kill();
            if (redisDir) fs.rmSync(redisDir, { recursive: true, force: true });
        }
    });

    it("/ready names redis, state tools fail clearly, the rest keeps working, and it recovers by itself", async () => {
        const t = topo!;
        const limitedKey = `drill-${randomBytes(16).toString("hex")}`;
        const LIMIT = 3;
        const limited = await t.startDirectReplica("drill-c", {
            MCP_RATE_LIMIT_PER_MINUTE: String(LIMIT),
            MCP_API_KEYS: [...t.keys, limitedKey].join(","),
        });
        const direct: Attempt[] = [];

        const load = new Load({ url: t.url, keys: t.keys, clientIds: t.clientIds, tag: "redis" });
        await load.connect();
        load.start();
        let killedAt: number;
        let downSeenAt = 0;
        let restartBeganAt = 0;
        let restartedAt = 0;
        let recoveredAt: number;
        let edgeReady: { status: number; failing: string[] } | undefined;
        let edgeHealth: number;
        const duringOutage: number[] = [];
        try {
            await sleep(2_500);
            killedAt = Date.now();
            await redis!.kill();
            const down = await waitFor(
                "every replica's /ready to report redis",
                async () => {
                    const r = await t.readiness();
                    return r.every((x) => x.status === 503) ? r : undefined;
                },
                20_000,
            );
            downSeenAt = Date.now();
            for (const r of down) {
                assert.deepEqual(r.body.failing, ["redis"]);
                assert.equal(r.body.checks.redis, "unreachable");
                assert.equal(r.body.checks.postgres, "up");
                assert.match(r.body.reason ?? "", /redis unavailable/);
            }
            const viaEdge = await fetch(`${t.url}/ready`);
            edgeReady = { status: viaEdge.status, failing: ((await viaEdge.json()) as { failing: string[] }).failing };
            edgeHealth = (await fetch(`${t.url}/health`)).status;
            for (let i = 0; i <= LIMIT; i++) {
                const a = await directInfo(limited, limitedKey);
                direct.push(a);
                duringOutage.push(a.status ?? 0);
            }
            await sleep(Math.max(0, killedAt + 3_000 - Date.now()));

            restartBeganAt = Date.now();
            await redis!.start();
            restartedAt = Date.now();
            await waitFor("every replica's /ready 200", async () => (await t.readiness()).every((x) => x.status === 200), 30_000);
            const firstWrite = await waitFor(
                "a scratchpad_put to succeed again",
                async () => load.attempts.find((a) => a.tool === "scratchpad_put" && a.acked && !a.isError && a.start >= restartedAt),
                30_000,
            );
            recoveredAt = Math.max(Date.now(), firstWrite.end);
            await sleep(1_500);
        } finally {
            await load.stop();
        }

        const attempts = [...load.attempts, ...direct];
        const s = summarize(load.attempts);
        const audit = await auditReport(t.db!.url, attempts);
        const chain = await t.verifyChain();
        // Calls sent once every replica saw Redis down, and answered before it was started again.
        const outage = load.attempts.filter((a) => a.start >= downSeenAt && a.end <= restartBeganAt);
        const stateCalls = outage.filter((a) => STATE_TOOLS.has(a.tool));
        const otherCalls = outage.filter((a) => !STATE_TOOLS.has(a.tool));
        console.log(
            figures("redis-loss", {
                answered: s.answered,
                errors: s.errors,
                recoveryMs: recoveredAt - restartedAt,
                p95Ms: s.p95Ms,
                missing: audit.missing,
                extra:
                    `down detected by /ready in ${downSeenAt - killedAt} ms; during the outage ${otherCalls.filter((a) => a.acked && !a.isError).length}/${otherCalls.length} ` +
                    `stateless calls ok, ${stateCalls.filter((a) => a.isError).length}/${stateCalls.length} state calls refused with a tool error; ` +
                    `limit of ${LIMIT}/min counted locally during the outage: ${duringOutage.join(", ")}`,
            }),
        );

        assert.deepEqual(edgeReady, { status: 503, failing: ["redis"] }, "/ready through nginx reports the dependency");
        assert.equal(edgeHealth, 200, "liveness does not depend on Redis");
        assert.ok(stateCalls.length > 0 && otherCalls.length > 0, "calls of both kinds ran during the outage");
        for (const a of stateCalls) {
            assert.ok(a.acked && a.isError, `${a.tool} during the outage: ${a.text}`);
            assert.equal(a.text, "session store (Redis) is unavailable; retry later");
        }
        for (const a of otherCalls) assert.ok(a.acked && !a.isError, `${a.tool} during the outage: ${a.text}`);
        assert.equal(s.errors, 0, "every call got an answer");
        assert.deepEqual(duringOutage, [...Array(LIMIT).fill(200), 429], "the per-client limit is still enforced, in the replica's memory");
        assert.ok(recoveredAt - restartedAt < 30_000);
        assert.equal(audit.missing, 0, audit.examples.join("\n"));
        assert.equal(audit.unexplained, 0, audit.examples.join("\n"));
        assert.ok(chain.ok, chain.output);
        assert.equal(chain.headSeq, audit.rows);
    });
});
