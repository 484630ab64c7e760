import { strict as assert } from "node:assert";
import * as net from "node:net";
import { randomBytes } from "node:crypto";
import Redis from "ioredis";
import { RedisSessionStore } from "../src/session/redis";
import { REDIS_URL } from "./helpers";

/** A Redis counter from INFO: how many times the server read from its client sockets. */
async function readsProcessed(admin: Redis): Promise<number> {
    const m = /^total_reads_processed:(\d+)/m.exec(await admin.info("stats"));
    if (m === null) throw new Error("this Redis reports no total_reads_processed (Redis >= 6 needed)");
    return Number(m[1]);
}

describe("RedisSessionStore rate limits (standalone Redis, auto-pipelined)", function () {
    this.timeout(30_000);
    let admin: Redis;
    const stores: RedisSessionStore[] = [];
    const open = (url = REDIS_URL, onLocalLimits?: (e: Error) => void) => {
        const s = new RedisSessionStore(url, { prefix: `test-${randomBytes(4).toString("hex")}:`, onLocalLimits });
        stores.push(s);
        return s;
    };

    before(() => {
        admin = new Redis(REDIS_URL);
    });
    after(async () => {
        await Promise.all(stores.map((s) => s.close()));
        admin.disconnect();
    });

    it("hits issued together go out as one pipeline, and each still gets its own count, in order", async () => {
        const store = open();
        await store.connect(); // as the server does at start; the count below is the hits alone
        const before = await readsProcessed(admin);
        const decisions = await Promise.all(Array.from({ length: 20 }, () => store.hit("c:alice", 15, 60)));
        const reads = (await readsProcessed(admin)) - before;

        assert.deepEqual(
            decisions.map((d) => d.allowed),
            [...Array<boolean>(15).fill(true), ...Array<boolean>(5).fill(false)],
        );
        assert.deepEqual(
            decisions.map((d) => d.remaining),
            [14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0],
        );
        assert.ok(decisions.every((d) => d.retryAfterSeconds >= 1 && d.retryAfterSeconds <= 60));
        // One read for the pipeline of 20 and one for INFO (one each would be 21); a little slack
        // for a read split by the kernel.
        assert.ok(reads <= 4, `Redis read its sockets ${reads} times for 20 hits issued together`);
    });

    it("hits issued one after another are each answered (a pipeline of one), across buckets", async () => {
        const store = open();
        for (let i = 1; i <= 3; i++) assert.equal((await store.hit("c:bob", 2, 60)).allowed, i <= 2);
        assert.equal((await store.hit("c:carol", 2, 60)).remaining, 1);
    });

    it("falls back to this replica's memory when Redis is unreachable, and says so once", async () => {
        const port = await new Promise<number>((resolve) => {
            const s = net.createServer().listen(0, "127.0.0.1", () => {
                const p = (s.address() as net.AddressInfo).port;
                s.close(() => resolve(p));
            });
        });
        const local: Error[] = [];
        const store = open(`redis://127.0.0.1:${port}`, (e) => local.push(e));
        const decisions = await Promise.all(Array.from({ length: 4 }, () => store.hit("c:dave", 3, 60)));
        assert.deepEqual(
            decisions.map((d) => d.allowed),
            [true, true, true, false],
        );
        assert.equal(local.length, 1);
    });
});
