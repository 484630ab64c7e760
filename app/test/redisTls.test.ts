/**
 * TLS to Redis with a private CA (as Memorystore serves it): a throwaway
 * redis-server with a TLS port and a certificate from a CA made here; the
 * store connects and verifies with REDIS_CA_CERT, and refuses without it.
 */
import * as assert from "node:assert/strict";
import { spawn, ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { loadConfig } from "../src/config";
import { RedisSessionStore } from "../src/session/redis";
import { freePort, makeTestCa, stopChild, waitFor } from "./helpers";

describe("Redis over TLS with a private CA", function () {
    this.timeout(60_000);
    let dir: string;
    let child: ChildProcess;
    let url: string;
    let caPem: string;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-redis-tls-"));
        const files = makeTestCa(dir);
        caPem = fs.readFileSync(files.ca, "utf8");
        const port = await freePort();
        child = spawn(
            "redis-server",
            [
                "--port",
                "0",
                "--tls-port",
                String(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--tls-cert-file",
                files.cert,
                "--tls-key-file",
                files.key,
                "--tls-ca-cert-file",
                files.ca,
                "--tls-auth-clients",
                "no",
                "--requirepass",
                "s3cret-token",
            ],
            { stdio: "ignore" },
        );
        await waitFor(
            "TLS redis-server",
            () =>
                new Promise<boolean>((resolve) => {
                    const sock = net.connect(port, "127.0.0.1", () => {
                        sock.end();
                        resolve(true);
                    });
                    sock.on("error", () => resolve(false));
                }),
            10_000,
        );
        url = `rediss://:s3cret-token@127.0.0.1:${port}`;
    });

    after(async () => {
        if (child) await stopChild(child);
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("connects, verifies the server against REDIS_CA_CERT, and stores state", async () => {
        const config = loadConfig({ REDIS_URL: url, REDIS_CA_CERT: caPem, MCP_ALLOW_UNAUTHENTICATED: "true" });
        const store = new RedisSessionStore(config.redisUrl!, { tlsCa: config.redisCaCert, prefix: `tls-test-${process.pid}:` });
        try {
            await store.connect();
            await store.ping();
            assert.equal(await store.putNote("client-a", "k", "v", 60), "stored");
            assert.equal((await store.getNote("client-a", "k"))?.value, "v");
        } finally {
            await store.close();
        }
    });

    it("refuses a server whose certificate does not chain to a trusted CA", async () => {
        const errors: string[] = [];
        const store = new RedisSessionStore(url, { onError: (e) => errors.push(e.message) });
        try {
            await assert.rejects(store.connect());
            assert.ok(
                errors.some((m) => /self[- ]signed|unable to (verify|get local issuer)/i.test(m)),
                errors.join("; "),
            );
        } finally {
            await store.close();
        }
    });

    it("rejects REDIS_CA_CERT that is not a PEM or comes without TLS", () => {
        assert.throws(() => loadConfig({ REDIS_URL: url, REDIS_CA_CERT: "hello" }), /REDIS_CA_CERT must hold a PEM certificate/);
        assert.throws(() => loadConfig({ REDIS_URL: "redis://127.0.0.1:6379", REDIS_CA_CERT: caPem }), /only used with a rediss:\/\//);
    });
});
