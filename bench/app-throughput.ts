/**
 * Tool-call throughput and latency of the bundled MCP server (app/) against the SDK's bare
 * stateless server (bench/app-reference-server.ts), side by side in one run.
 *
 *   npx ts-node --transpile-only bench/app-throughput.ts
 *
 * Environment:
 *   BENCH_CLIENTS     concurrent MCP clients (default 50)
 *   BENCH_DURATION_S  measured seconds per server (default 20); BENCH_WARMUP_S (default 3)
 *   BENCH_TOOL        tool the app is called with (default server_info)
 *   BENCH_PG_URL      admin URL of PostgreSQL; a fresh database is created and dropped
 *                     (default postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_REDIS_URL   Redis for the app's state and rate limits (default redis://127.0.0.1:6379)
 *
 * Both servers run as their own processes on loopback; the clients run in this process.
 * The app runs with auth (API keys), the audit log in PostgreSQL, rate limits in Redis, logs
 * (to /dev/null) and metrics, i.e. as deployed. Prints throughput, p50/p95/p99 and the ratio.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as net from "node:net";
import * as path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Client as PgClient } from "pg";

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 20);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
const TOOL = process.env.BENCH_TOOL ?? "server_info";
const PG_ADMIN = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const ROOT = path.resolve(__dirname, "..");

interface Result {
    name: string;
    calls: number;
    errors: number;
    seconds: number;
    p50: number;
    p95: number;
    p99: number;
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
        s.on("error", reject);
    });
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode}`);
        try {
            if ((await fetch(`${url}/health`)).ok) return;
        } catch {
            // not listening yet
        }
        await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${url} did not become healthy`);
}

function startProcess(entry: string, env: Record<string, string>): ChildProcess {
    return spawn(process.execPath, ["-r", "ts-node/register/transpile-only", entry], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "", TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"), ...env },
        stdio: ["ignore", "ignore", "inherit"],
    });
}

function percentile(sorted: number[], p: number): number {
    if (sorted.length === 0) return NaN;
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** CLIENTS clients call `tool` in a closed loop; latencies are kept after the warm-up. */
async function drive(name: string, url: string, keys: string[] | undefined, tool: string): Promise<Result> {
    const clients = await Promise.all(
        Array.from({ length: CLIENTS }, async (_, i) => {
            const client = new Client({ name: `bench-${i}`, version: "1.0.0" });
            const headers: Record<string, string> = keys ? { Authorization: `Bearer ${keys[i % keys.length]}` } : {};
            await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }));
            return client;
        }),
    );
    const latencies: number[] = [];
    let errors = 0;
    const start = Date.now();
    const measureFrom = start + WARMUP_S * 1000;
    const end = measureFrom + DURATION_S * 1000;
    const args = tool === "scratchpad_put" ? { key: "bench", value: "x".repeat(64) } : {};
    await Promise.all(
        clients.map(async (client) => {
            while (Date.now() < end) {
                const t0 = performance.now();
                let ok: boolean;
                try {
                    const r = await client.callTool({ name: tool, arguments: args });
                    ok = r.isError !== true;
                } catch {
                    ok = false;
                }
                const ms = performance.now() - t0;
                if (Date.now() >= measureFrom && Date.now() < end) {
                    if (ok) latencies.push(ms);
                    else errors += 1;
                }
            }
        }),
    );
    await Promise.all(clients.map((c) => c.close()));
    latencies.sort((a, b) => a - b);
    return {
        name,
        calls: latencies.length,
        errors,
        seconds: DURATION_S,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
    };
}

function row(r: Result): string {
    const rate = (r.calls / r.seconds).toFixed(0).padStart(8);
    const f = (n: number) => n.toFixed(2).padStart(8);
    return `${r.name.padEnd(44)} ${rate} ${f(r.p50)} ${f(r.p95)} ${f(r.p99)} ${String(r.errors).padStart(7)}`;
}

async function main(): Promise<void> {
    const dbName = `mcp_bench_${randomBytes(4).toString("hex")}`;
    const admin = new PgClient({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const dbUrl = new URL(PG_ADMIN);
    dbUrl.pathname = `/${dbName}`;
    const keys = Array.from({ length: CLIENTS }, () => `bench-${randomBytes(16).toString("hex")}`);
    const children: ChildProcess[] = [];
    try {
        console.log(
            `MCP tool-call benchmark: ${CLIENTS} clients, ${DURATION_S} s measured (+${WARMUP_S} s warm-up) per server, tool ${TOOL}`,
        );
        const refPort = await freePort();
        const ref = startProcess(path.join(ROOT, "bench", "app-reference-server.ts"), { PORT: String(refPort) });
        children.push(ref);
        await waitHealthy(`http://127.0.0.1:${refPort}`, ref);
        const reference = await drive("SDK bare stateless server", `http://127.0.0.1:${refPort}`, undefined, "server_info");
        ref.kill("SIGTERM");

        const appPort = await freePort();
        const app = startProcess(path.join(ROOT, "app", "src", "main.ts"), {
            PORT: String(appPort),
            DATABASE_URL: dbUrl.toString(),
            REDIS_URL,
            MCP_API_KEYS: keys.join(","),
            MCP_RATE_LIMIT_PER_MINUTE: "1000000",
            LOG_LEVEL: "info",
            MCP_REPLICA_ID: "bench",
        });
        children.push(app);
        await waitHealthy(`http://127.0.0.1:${appPort}`, app);
        const ours = await drive(`app (auth, PG audit, Redis, ${TOOL})`, `http://127.0.0.1:${appPort}`, keys, TOOL);
        const metrics = await (await fetch(`http://127.0.0.1:${appPort}/metrics`)).text();
        app.kill("SIGTERM");
        await new Promise((r) => app.once("exit", r));

        const db = new PgClient({ connectionString: dbUrl.toString() });
        await db.connect();
        const { rows } = await db.query("SELECT count(*)::int AS n, max(seq)::int AS head FROM mcp_audit_log");
        await db.end();
        const batch = /mcp_audit_append_batch_size_sum (\S+)\n.*mcp_audit_append_batch_size_count (\S+)/s.exec(metrics);

        console.log("");
        console.log(
            `${"server".padEnd(44)} ${"calls/s".padStart(8)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"errors".padStart(7)}`,
        );
        console.log(row(reference));
        console.log(row(ours));
        console.log("");
        const ratio = ours.calls / reference.calls;
        console.log(`throughput ratio app / reference: ${(ratio * 100).toFixed(1)} %  (target >= 70 %)`);
        console.log(`app p95: ${ours.p95.toFixed(2)} ms  (target < 50 ms)`);
        console.log(
            `audit entries written: ${rows[0].n} (head ${rows[0].head}); mean group-commit batch: ${batch ? (Number(batch[1]) / Number(batch[2])).toFixed(1) : "n/a"}`,
        );
    } finally {
        for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await admin.end();
    }
}

main().catch((err: Error) => {
    console.error(err);
    process.exit(1);
});
