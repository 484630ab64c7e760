/**
 * Redis Cluster mode (REDIS_CLUSTER=true), as ElastiCache Serverless for Valkey serves it: a real
 * three-master cluster started here (redis-server --cluster-enabled yes over TLS with AUTH on loopback
 * ports, joined by redis-cli --cluster create). The session store's scripts and MULTI blocks touch two
 * keys of one client, kept in one slot by a hash tag; clients spread over every master; rate limits
 * count in the cluster, not in the replica's memory; and a client without cluster mode fails with MOVED.
 */
import { strict as assert } from "node:assert";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import Redis, { Cluster } from "ioredis";
import { loadConfig } from "../src/config";
import { hashTag, RedisSessionStore } from "../src/session/redis";
import { bearer, connect, makeTestCa, randomKey, startTestApp, stopChild, structured, waitFor } from "./helpers";

const PASSWORD = "cluster-token-for-tests";
/** An ACL user as ElastiCache Serverless has them (a user group's user, the URL's user name). */
const APP_USER = "mcp-app";
const APP_PASSWORD = "app-user-password-for-tests";
const MASTERS = 3;

/** A port that is free together with its cluster bus port (port + 10000). */
async function freeClusterPort(taken: Set<number>): Promise<number> {
    const tryBind = (port: number) =>
        new Promise<boolean>((resolve) => {
            const s = net.createServer();
            s.once("error", () => resolve(false));
            s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
        });
    for (let attempt = 0; attempt < 200; attempt++) {
        const port = 20000 + Math.floor(Math.random() * 30000);
        if (taken.has(port) || taken.has(port + 10000)) continue;
        if ((await tryBind(port)) && (await tryBind(port + 10000))) {
            taken.add(port);
            taken.add(port + 10000);
            return port;
        }
    }
    throw new Error("no free port pair for a cluster node");
}

describe("Redis Cluster mode (REDIS_CLUSTER=true, as on ElastiCache Serverless)", function () {
    this.timeout(120_000);
    let dir: string;
    let ca: string;
    const nodes: { port: number; child: ChildProcess }[] = [];

    const tlsCli = (port: number) => [
        "--tls",
        "--cacert",
        path.join(dir, "ca.pem"),
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-a",
        PASSWORD,
        "--no-auth-warning",
    ];

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-redis-cluster-"));
        const files = makeTestCa(dir);
        ca = fs.readFileSync(files.ca, "utf8");
        const taken = new Set<number>();
        for (let i = 0; i < MASTERS; i++) {
            const port = await freeClusterPort(taken);
            const nodeDir = path.join(dir, `node-${port}`);
            fs.mkdirSync(nodeDir);
            const child = spawn(
                "redis-server",
                [
                    "--port",
                    "0",
                    "--tls-port",
                    String(port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    nodeDir,
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    path.join(nodeDir, "nodes.conf"),
                    "--cluster-node-timeout",
                    "5000",
                    "--tls-cluster",
                    "yes",
                    "--tls-replication",
                    "yes",
                    "--tls-cert-file",
                    files.cert,
                    "--tls-key-file",
                    files.key,
                    "--tls-ca-cert-file",
                    files.ca,
                    "--tls-auth-clients",
                    "no",
                    "--requirepass",
                    PASSWORD,
                    "--masterauth",
                    PASSWORD,
                    "--user",
                    APP_USER,
                    "on",
                    `>${APP_PASSWORD}`,
                    "~*",
                    "&*",
                    "+@all",
                ],
                { stdio: "ignore" },
            );
            nodes.push({ port, child });
        }
        for (const n of nodes) {
            await waitFor(
                `cluster node ${n.port}`,
                () =>
                    new Promise<boolean>((resolve) => {
                        const sock = net.connect(n.port, "127.0.0.1", () => {
                            sock.end();
                            resolve(true);
                        });
                        sock.on("error", () => resolve(false));
                    }),
                10_000,
            );
        }
        execFileSync(
            "redis-cli",
            [
                ...tlsCli(nodes[0].port),
                "--cluster",
                "create",
                ...nodes.map((n) => `127.0.0.1:${n.port}`),
                "--cluster-replicas",
                "0",
                "--cluster-yes",
            ],
            { stdio: "ignore", timeout: 30_000 },
        );
        for (const n of nodes) {
            await waitFor(
                `cluster_state:ok on ${n.port}`,
                async () =>
                    /cluster_state:ok/.test(execFileSync("redis-cli", [...tlsCli(n.port), "cluster", "info"], { encoding: "utf8" })),
                20_000,
                200,
            );
        }
    });

    after(async () => {
        await Promise.all(nodes.map((n) => stopChild(n.child)));
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const url = () => `rediss://:${PASSWORD}@127.0.0.1:${nodes[0].port}`;

    /** A cluster client of the test's own, to look at where keys landed. */
    async function inspector(): Promise<Cluster> {
        const c = new Cluster([{ host: "127.0.0.1", port: nodes[0].port }], {
            dnsLookup: (address, callback) => callback(null, address),
            redisOptions: { password: PASSWORD, tls: { ca } },
        });
        await c.ping();
        return c;
    }

    it("reads REDIS_CLUSTER and refuses a bad value or a cluster without REDIS_URL", () => {
        assert.equal(loadConfig({ REDIS_URL: url(), REDIS_CLUSTER: "true" }).redisCluster, true);
        assert.equal(loadConfig({ REDIS_URL: url() }).redisCluster, false);
        assert.throws(() => loadConfig({ REDIS_URL: url(), REDIS_CLUSTER: "yes" }), /REDIS_CLUSTER must be "true" or "false", got "yes"/);
        assert.throws(() => loadConfig({ REDIS_CLUSTER: "true" }), /REDIS_CLUSTER=true needs REDIS_URL/);
    });

    it("keeps each client's notes (scripts and MULTI over two keys) in one slot, clients spread over every master", async () => {
        const config = loadConfig({ REDIS_URL: url(), REDIS_CLUSTER: "true", REDIS_CA_CERT: ca });
        const prefix = `cluster-test-${process.pid}:`;
        const local: Error[] = [];
        const store = new RedisSessionStore(config.redisUrl!, {
            tlsCa: config.redisCaCert,
            cluster: config.redisCluster,
            prefix,
            onLocalLimits: (e) => local.push(e),
        });
        const look = await inspector();
        try {
            await store.connect();
            await store.ping();
            const clients = Array.from({ length: 24 }, (_, i) => `client-${i}`);
            for (const c of clients) {
                assert.equal(await store.putNote(c, "a", `value of ${c}`, 60), "stored");
                assert.equal(await store.putNote(c, "b", "second", 60), "stored");
            }
            for (const c of clients) {
                assert.equal((await store.getNote(c, "a"))?.value, `value of ${c}`);
                assert.deepEqual(
                    (await store.listNotes(c)).map((n) => n.key),
                    ["a", "b"],
                );
                assert.equal(await store.deleteNote(c, "b"), true);
                assert.deepEqual(
                    (await store.listNotes(c)).map((n) => n.key),
                    ["a"],
                );
            }
            // Where the notes live: one slot per client, and every master holds some.
            const owners = new Set<string>();
            const slots = look.nodes("master").map((m) => m.options.port);
            for (const c of clients) {
                const index = `${prefix}notes:{${hashTag(c)}}`;
                const note = `${prefix}note:{${hashTag(c)}}:a`;
                const [slotA, slotB] = [await look.call("CLUSTER", "KEYSLOT", index), await look.call("CLUSTER", "KEYSLOT", note)];
                assert.equal(slotA, slotB, `${c}: index and note share a slot`);
                // COUNTKEYSINSLOT counts only the keys a master holds itself: the one that holds the client's keys says so.
                for (const m of look.nodes("master"))
                    if (Number(await m.call("CLUSTER", "COUNTKEYSINSLOT", String(slotA))) > 0) owners.add(String(m.options.port));
            }
            assert.equal(owners.size, slots.length, `clients spread over all ${slots.length} masters: ${[...owners].join(", ")}`);
            // An id Redis would not read as a tag (empty or with braces) still keeps its keys together.
            for (const odd of ["", "a}b{c", "{x}"]) {
                assert.equal(await store.putNote(odd, "k", "v", 60), "stored", JSON.stringify(odd));
                assert.equal((await store.getNote(odd, "k"))?.value, "v");
                assert.equal(await store.deleteNote(odd, "k"), true);
            }
            assert.deepEqual(local, [], "no command fell back to local memory");
        } finally {
            await store.close();
            look.disconnect();
        }
    });

    it("counts rate limits in the cluster: the limit holds for one client, others are unaffected", async () => {
        const prefix = `cluster-rl-${process.pid}:`;
        const local: Error[] = [];
        const store = new RedisSessionStore(url(), { tlsCa: ca, cluster: true, prefix, onLocalLimits: (e) => local.push(e) });
        const look = await inspector();
        try {
            await store.connect();
            const results = [];
            for (let i = 0; i < 5; i++) results.push(await store.hit("c:alice", 3, 60));
            assert.deepEqual(
                results.map((r) => r.allowed),
                [true, true, true, false, false],
            );
            assert.deepEqual(
                results.map((r) => r.remaining),
                [2, 1, 0, 0, 0],
            );
            assert.ok(results[4].retryAfterSeconds >= 1 && results[4].retryAfterSeconds <= 60);
            assert.equal((await store.hit("c:bob", 3, 60)).allowed, true);
            assert.equal(await look.get(`${prefix}rl:{c:alice}`), "5", "the counter lives in the cluster");
            assert.deepEqual(local, [], "never counted in this replica's memory");
        } finally {
            await store.close();
            look.disconnect();
        }
    });

    it("signs in as the URL's ACL user on every node, and fails with a wrong password", async () => {
        const userUrl = (pw: string) => `rediss://${APP_USER}:${encodeURIComponent(pw)}@127.0.0.1:${nodes[0].port}`;
        const store = new RedisSessionStore(userUrl(APP_PASSWORD), { tlsCa: ca, cluster: true, prefix: `cluster-user-${process.pid}:` });
        try {
            await store.connect();
            for (let i = 0; i < 12; i++) assert.equal(await store.putNote(`user-client-${i}`, "k", "v", 60), "stored");
            assert.equal((await store.getNote("user-client-11", "k"))?.value, "v");
        } finally {
            await store.close();
        }
        const errors: string[] = [];
        const wrong = new RedisSessionStore(userUrl("not-the-password"), {
            tlsCa: ca,
            cluster: true,
            onError: (e) => errors.push(e.message),
        });
        try {
            await assert.rejects(wrong.connect());
            assert.ok(
                errors.some((m) => /refresh slots cache/.test(m)),
                errors.join("; "),
            );
        } finally {
            await wrong.close();
        }
        // The reason, as one node says it: the password is wrong for that user.
        const node = new Redis(userUrl("not-the-password"), {
            tls: { ca },
            lazyConnect: true,
            maxRetriesPerRequest: 0,
            retryStrategy: () => null,
        });
        const nodeErrors: string[] = [];
        node.on("error", (e: Error) => nodeErrors.push(e.message));
        await assert.rejects(node.connect());
        node.disconnect();
        assert.ok(
            nodeErrors.some((m) => /WRONGPASS/.test(m)),
            nodeErrors.join("; "),
        );
    });

    it("is needed: a plain client on the same node gets MOVED for keys of other masters", async () => {
        const plain = new Redis(url(), { tls: { ca }, maxRetriesPerRequest: 1 });
        try {
            const errors: string[] = [];
            for (let i = 0; i < 12; i++) await plain.get(`cluster-plain:{k${i}}`).catch((e: Error) => errors.push(e.message));
            assert.ok(
                errors.some((m) => /^MOVED \d+ /.test(m)),
                `some keys live on other masters: ${errors.join("; ")}`,
            );
        } finally {
            plain.disconnect();
        }
    });

    it("serves MCP clients end to end: scratchpad tools and the per-client rate limit through the cluster", async () => {
        const key = randomKey();
        const app = await startTestApp({
            REDIS_URL: url(),
            REDIS_CLUSTER: "true",
            REDIS_CA_CERT: ca,
            MCP_API_KEYS: key,
            MCP_RATE_LIMIT_PER_MINUTE: "8",
        });
        try {
            const client = await connect(app.url, bearer(key));
            await client.callTool({ name: "scratchpad_put", arguments: { key: "greeting", value: "hello cluster" } });
            const got = structured<{ value: string }>(await client.callTool({ name: "scratchpad_get", arguments: { key: "greeting" } }));
            assert.equal(got.value, "hello cluster");
            // initialize + initialized + 2 calls so far; keep calling until the limit of 8 a minute refuses one.
            let refused: unknown;
            for (let i = 0; i < 10 && refused === undefined; i++) {
                await client.callTool({ name: "server_info", arguments: {} }).catch((e: unknown) => {
                    refused = e;
                });
            }
            assert.match(String((refused as Error | undefined)?.message), /429|Too Many Requests|rate/i);
            await client.close();
        } finally {
            await app.shutdown();
        }
    });
});
