import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { Writable } from "node:stream";
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Client as PgClient } from "pg";
import { startApp, type RunningApp } from "../src/app";
import { loadConfig } from "../src/config";
import type { AuditEntryInput } from "../src/audit/entry";
import type { SqlAuditStore } from "../src/audit/store";

/** An audit entry for store tests: call `i` of `server_info` by one of three clients; `over` sets any field. */
export function auditEntry(i: number, over: Partial<AuditEntryInput> = {}): AuditEntryInput {
    return {
        ts: new Date(),
        clientId: `c${i % 3}`,
        tool: "server_info",
        args: `{"i":${i}}`,
        outcome: "ok",
        errorCode: null,
        durationMs: 1,
        replicaId: "test",
        ...over,
    };
}

/** Admin connection to the machine's PostgreSQL (override with TEST_PG_URL). */
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
/** The machine's Redis (override with TEST_REDIS_URL). */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
export const APP_DIR = path.resolve(__dirname, "..");
export const REPO_DIR = path.resolve(APP_DIR, "..");

export function randomKey(): string {
    return `test-${randomBytes(16).toString("hex")}`;
}

/** A database of its own for one test file, dropped afterwards. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
    const name = `mcp_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
    const admin = new PgClient({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(PG_ADMIN_URL);
    u.pathname = `/${name}`;
    return {
        url: u.toString(),
        async drop() {
            const a = new PgClient({ connectionString: PG_ADMIN_URL });
            await a.connect();
            await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            await a.end();
        },
    };
}

/** Collects JSON log lines written by the app. */
export class LogCapture extends Writable {
    readonly lines: string[] = [];
    _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
        this.lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        cb();
    }
    get records(): Record<string, unknown>[] {
        return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    }
}

/** Starts the app in this process on a free loopback port with the given environment. */
export async function startTestApp(env: Record<string, string>, logs?: LogCapture): Promise<RunningApp> {
    const config = loadConfig({ PORT: "0", LOG_LEVEL: logs ? "info" : "silent", MCP_DATA_DIR: "memory", ...env });
    return startApp(config, { logDestination: logs, databaseWaitMs: 2000 });
}

/** A real MCP client over Streamable HTTP. */
export async function connect(baseUrl: string, headers: Record<string, string> = {}): Promise<Client> {
    const client = new Client({ name: "mcp-infra-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers } }));
    return client;
}

/**
 * A real SDK v2 client. `era: "modern"` pins 2026-07-28 (server/discover, no initialize);
 * `era: "legacy"` is the v2 client's 2025 handshake.
 */
export async function connectV2(baseUrl: string, era: "modern" | "legacy", headers: Record<string, string> = {}): Promise<ClientV2> {
    const client = new ClientV2(
        { name: "mcp-infra-test-v2", version: "1.0.0" },
        era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {},
    );
    await client.connect(new TransportV2(new URL(`${baseUrl}/mcp`), { requestInit: { headers } }));
    return client;
}

/** The `_meta` envelope a 2026-07-28 request carries. */
export function modernMeta(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": { name: "raw-test", version: "1.0.0" },
        "io.modelcontextprotocol/clientCapabilities": {},
        ...extra,
    };
}

/** Headers of a 2026-07-28 POST (the mirrored Mcp-Method / Mcp-Name headers). */
export function modernHeaders(method: string, name?: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
        "MCP-Protocol-Version": "2026-07-28",
        "Mcp-Method": method,
        ...(name !== undefined ? { "Mcp-Name": name } : {}),
        ...extra,
    };
}

export function bearer(key: string): Record<string, string> {
    return { Authorization: `Bearer ${key}` };
}

/** Text of the first content block of a tool result. */
export function text(result: unknown): string {
    const content = (result as { content: { type: string; text: string }[] }).content;
    return content[0].text;
}

export function structured<T = Record<string, unknown>>(result: unknown): T {
    return (result as { structuredContent: T }).structuredContent;
}

/** Headers of a well-formed MCP POST. */
export function mcpHeaders(extra: Record<string, string> = {}): Record<string, string> {
    return {
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
        "MCP-Protocol-Version": "2025-06-18",
        ...extra,
    };
}

/** Raw JSON-RPC POST to /mcp. */
export async function rawPost(
    baseUrl: string,
    body: string,
    headers: Record<string, string>,
): Promise<{ status: number; headers: Headers; text: string; json: any }> {
    const res = await fetch(`${baseUrl}/mcp`, { method: "POST", headers, body });
    const t = await res.text();
    let json: unknown;
    try {
        json = JSON.parse(t);
    } catch {
        json = undefined;
    }
    return { status: res.status, headers: res.headers, text: t, json };
}

/** A request through node:http, which (unlike fetch) lets a test set any Host header. */
export function rawHttp(
    url: string,
    opts: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string; json: any }> {
    return new Promise((resolve, reject) => {
        const req = http.request(url, { method: opts.method ?? "GET", headers: opts.headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
                const t = Buffer.concat(chunks).toString("utf8");
                let json: unknown;
                try {
                    json = JSON.parse(t);
                } catch {
                    json = undefined;
                }
                resolve({ status: res.statusCode ?? 0, headers: res.headers, text: t, json });
            });
        });
        req.on("error", reject);
        req.end(opts.body);
    });
}

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
        s.on("error", reject);
    });
}

/** Polls `fn` every `everyMs` until it returns a truthy value or `timeoutMs` passes (then throws). */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastErr: unknown;
    for (;;) {
        try {
            const v = await fn();
            if (v) return v;
        } catch (err) {
            lastErr = err;
        }
        if (Date.now() > deadline)
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ""}`);
        await new Promise((r) => setTimeout(r, everyMs));
    }
}

/** A throwaway redis-server on `port` (no persistence); kill it with `stop()`. */
export async function startRedis(port: number): Promise<{ url: string; stop(): Promise<void> }> {
    const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
        stdio: "ignore",
    });
    const url = `redis://127.0.0.1:${port}`;
    await waitFor(
        `redis-server on ${port}`,
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
    return { url, stop: () => stopChild(child) };
}

/**
 * A throwaway CA and a server certificate for 127.0.0.1 signed by it (openssl, files in `dir`), for
 * redis-server TLS tests: the client must verify the server with the CA's PEM.
 */
export function makeTestCa(dir: string): { ca: string; cert: string; key: string } {
    const f = (n: string) => path.join(dir, n);
    const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
    ssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        f("ca.key"),
        "-out",
        f("ca.pem"),
        "-days",
        "1",
        "-subj",
        "/CN=mcp-test-ca",
    );
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f("redis.key"), "-out", f("redis.csr"), "-subj", "/CN=127.0.0.1");
    fs.writeFileSync(f("ext.cnf"), "subjectAltName=IP:127.0.0.1\n");
    ssl(
        "x509",
        "-req",
        "-in",
        f("redis.csr"),
        "-CA",
        f("ca.pem"),
        "-CAkey",
        f("ca.key"),
        "-CAcreateserial",
        "-out",
        f("redis.pem"),
        "-days",
        "1",
        "-extfile",
        f("ext.cnf"),
    );
    return { ca: f("ca.pem"), cert: f("redis.pem"), key: f("redis.key") };
}

/** SIGKILLs a child and waits for it to exit. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill(signal);
    });
}

export interface ServerProcess {
    child: ChildProcess;
    url: string;
    logs: string[];
    exited: Promise<number | null>;
}

/**
 * Runs the server as its own process (`node <entry>` with ts-node for sources) and waits for
 * its "listening" log line.
 */
export async function spawnServer(
    env: Record<string, string>,
    opts: { entry?: string; cwd?: string; nodeArgs?: string[] } = {},
): Promise<ServerProcess> {
    const entry = opts.entry ?? path.join(APP_DIR, "src", "main.ts");
    const nodeArgs = opts.nodeArgs ?? (entry.endsWith(".ts") ? ["-r", "ts-node/register/transpile-only"] : []);
    const child = spawn(process.execPath, [...nodeArgs, entry], {
        cwd: opts.cwd ?? REPO_DIR,
        env: { PATH: process.env.PATH ?? "", PORT: "0", LOG_LEVEL: "info", TS_NODE_PROJECT: path.join(REPO_DIR, "tsconfig.json"), ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    const logs: string[] = [];
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let buf = "";
    const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start: ${logs.slice(-5).join("\n")}`)), 45_000);
        const onLine = (line: string) => {
            logs.push(line);
            const m = /"msg":"mcp server listening"/.test(line) ? /"port":(\d+)/.exec(line) : null;
            if (m) {
                clearTimeout(timer);
                resolve(Number(m[1]));
            }
        };
        child.stdout!.on("data", (d: Buffer) => {
            buf += d.toString("utf8");
            let i;
            while ((i = buf.indexOf("\n")) >= 0) {
                onLine(buf.slice(0, i));
                buf = buf.slice(i + 1);
            }
        });
        child.stderr!.on("data", (d: Buffer) => logs.push(d.toString("utf8")));
        void exited.then((code) => {
            clearTimeout(timer);
            reject(new Error(`server exited with ${code}: ${logs.slice(-5).join("\n")}`));
        });
    });
    return { child, url: `http://127.0.0.1:${port}`, logs, exited };
}

/**
 * Runs statements as an attacker holding the administrator credentials would: with the
 * append-only triggers switched off for the transaction (session_replication_role = replica,
 * superuser only). The server's own role can do neither.
 */
export function owner(store: SqlAuditStore): (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]> {
    return (sql, params) =>
        store.driver.transaction(async (q) => {
            await q("SET LOCAL session_replication_role = replica");
            return q(sql, params);
        });
}
