/**
 * Throughput and light-load latency of the bundled MCP server against the SDK v2 bare stateless
 * server and a raw Node JSON-RPC handler, side by side in one run.
 *
 *   npx ts-node --transpile-only bench/server-protocol.ts
 *   BENCH_DURATION_S=20 BENCH_WARMUP_S=5 npx ts-node --transpile-only bench/server-protocol.ts
 *
 * Each server runs alone, pinned to CPU 0 with taskset; wrk (Debian package) runs pinned to CPU 1.
 * Every request is one 2026-07-28 tools/call of server_info (bench/mcp-call.lua). The bundled
 * server runs as deployed: built app/dist, API keys, audit in the local PostgreSQL (a fresh
 * database), rate limits and state in the local Redis, info logs (to /dev/null), metrics.
 * PostgreSQL and Redis are not pinned: they share the machine with everything else.
 * The bundled server gets the Node flags of app/Dockerfile's CMD (BENCH_NODE_FLAGS="…" replaces
 * them, "" for none, to measure a flag's effect).
 * BENCH_CPU_PROF=<dir> adds `node --cpu-prof` to the bundled server.
 * BENCH_APP_DIST=<dir with main.js> runs that build as the bundled server instead of app/dist
 * (for example the server before a change, built from `git archive`), driven the same way.
 * BENCH_ERA=2025 sends 2025-06-18 stateless requests instead (all three servers serve both).
 * BENCH_BASELINE=<dir with main.js> adds an earlier build of the bundled server (for example the
 * SDK v1 one) as a fourth row, driven with 2025-06-18 requests, which is all it speaks.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Client as PgClient } from "pg";
import { imageNodeFlags } from "../app/test/imageCmd";

const REPO = path.resolve(__dirname, "..");
const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_S ?? 5);
const PG_ADMIN = process.env.TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const TARGET_RATIO = 1.0;
const TARGET_P50_MS = 3;
const TARGET_P95_MS = 10;

interface Figures {
    /** CPU time the server process used per call during the row (user + system, from /proc). */
    cpuUsPerCall?: number;
    requests: number;
    rps: number;
    p50ms: number;
    p95ms: number;
    p99ms: number;
    errors: number;
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.listen(0, "127.0.0.1", () => {
            const p = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(p));
        });
        s.on("error", reject);
    });
}

async function waitHealthy(port: number, child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
        try {
            if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
        } catch {
            /* not yet */
        }
        await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`server on ${port} did not become healthy`);
}

/** User + system CPU seconds of a process so far (Linux /proc). */
function cpuSeconds(pid: number): number {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

function wrk(port: number, connections: number, seconds: number, key?: string, era?: string): Figures {
    const out = execFileSync(
        "taskset",
        [
            "-c",
            "1",
            "wrk",
            "-t1",
            `-c${connections}`,
            `-d${seconds}s`,
            "--timeout",
            "10s",
            "-s",
            path.join(REPO, "bench", "mcp-call.lua"),
            `http://127.0.0.1:${port}/mcp`,
        ],
        { env: { ...process.env, BENCH_KEY: key ?? "", BENCH_ERA: era ?? process.env.BENCH_ERA ?? "" }, encoding: "utf8" },
    );
    const line = out.split("\n").find((l) => l.startsWith("{"));
    if (line === undefined) throw new Error(`wrk printed no figures:\n${out}`);
    return JSON.parse(line) as Figures;
}

/** Which row a target is, for the summary lines below the table. */
type Role = "raw" | "bare" | "bundled" | "bareWithFlags" | "earlier";

interface Target {
    role: Role;
    name: string;
    start(port: number): ChildProcess;
    key?: string;
    era?: string;
}

/** The audit group commit as the server's own metrics saw it (mean transaction time, mean batch). */
async function auditMetrics(port: number): Promise<string> {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const v = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
    const ms = (1000 * v("mcp_audit_append_duration_seconds_sum")) / v("mcp_audit_append_duration_seconds_count");
    const batch = v("mcp_audit_append_batch_size_sum") / v("mcp_audit_append_batch_size_count");
    return `${v("mcp_audit_append_duration_seconds_count")} append transactions, mean ${ms.toFixed(2)} ms each, mean batch ${batch.toFixed(1)} entries`;
}

async function measure(t: Target): Promise<{ c50: Figures; c4: Figures; issued: number; audit?: string }> {
    const port = await freePort();
    const child = t.start(port);
    try {
        await waitHealthy(port, child);
        const warm = wrk(port, 50, WARMUP, t.key, t.era);
        const row = (c: number): Figures => {
            const cpu0 = cpuSeconds(child.pid!);
            const f = wrk(port, c, DURATION, t.key, t.era);
            return { ...f, cpuUsPerCall: ((cpuSeconds(child.pid!) - cpu0) * 1e6) / f.requests };
        };
        const c50 = row(50);
        const c4 = row(4);
        const audit = t.key !== undefined ? await auditMetrics(port) : undefined;
        return { c50, c4, issued: warm.requests + c50.requests + c4.requests, audit };
    } finally {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
    }
}

function pinned(args: string[], env: Record<string, string>): ChildProcess {
    return spawn("taskset", ["-c", "0", process.execPath, ...args], {
        cwd: REPO,
        env: { PATH: process.env.PATH ?? "", ...env },
        stdio: "ignore",
    });
}

async function main(): Promise<void> {
    if (os.cpus().length < 2) throw new Error("needs two CPUs: one for the server, one for wrk");
    execFileSync(
        process.execPath,
        [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(REPO, "app", "tsconfig.json")],
        { stdio: "inherit" },
    );
    const dbName = `mcp_bench_${randomBytes(4).toString("hex")}`;
    const admin = new PgClient({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const dbUrl = new URL(PG_ADMIN);
    dbUrl.pathname = `/${dbName}`;
    const key = `bench-${randomBytes(16).toString("hex")}`;
    const tsNode = ["-r", "ts-node/register/transpile-only"];
    const load = `${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`;

    // The bundled server runs with the Node flags of the image's CMD (app/Dockerfile), as deployed.
    const imageFlags =
        process.env.BENCH_NODE_FLAGS !== undefined ? process.env.BENCH_NODE_FLAGS.split(" ").filter(Boolean) : imageNodeFlags();
    const targets: Target[] = [
        {
            role: "raw",
            name: "raw Node JSON-RPC handler (ceiling)",
            start: (port) => pinned([...tsNode, "bench/raw-jsonrpc-server.ts"], { PORT: String(port) }),
        },
        {
            role: "bare",
            name: "SDK v2 bare stateless server",
            start: (port) => pinned([...tsNode, "bench/sdk-v2-bare-server.ts"], { PORT: String(port) }),
        },
        {
            role: "bundled",
            name: "bundled server (API key, PostgreSQL audit, Redis)",
            key,
            start: (port) =>
                pinned(
                    [
                        ...imageFlags,
                        ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF] : []),
                        path.join(process.env.BENCH_APP_DIST ?? "app/dist", "main.js"),
                    ],
                    {
                        PORT: String(port),
                        MCP_API_KEYS: key,
                        DATABASE_URL: dbUrl.toString(),
                        REDIS_URL: REDIS,
                        LOG_LEVEL: "info",
                        MCP_RATE_LIMIT_PER_MINUTE: "1000000",
                        MCP_REPLICA_ID: "bench",
                    },
                ),
        },
    ];
    // The same bare server with the image's Node flags: shows what the flags alone give a server
    // that has none of the bundled one's work (a like-for-like check of the ratio's meaning).
    if (imageFlags.length > 0)
        targets.push({
            role: "bareWithFlags",
            name: `SDK v2 bare stateless server, with ${imageFlags.join(" ")}`,
            start: (port) => pinned([...imageFlags, ...tsNode, "bench/sdk-v2-bare-server.ts"], { PORT: String(port) }),
        });
    const baseline = process.env.BENCH_BASELINE;
    if (baseline !== undefined) {
        targets.push({
            role: "earlier",
            name: `earlier build (${path.basename(path.dirname(path.resolve(baseline)))}), 2025-06-18 requests`,
            key,
            era: "2025",
            start: (port) =>
                pinned([path.join(path.resolve(baseline), "main.js")], {
                    PORT: String(port),
                    MCP_API_KEYS: key,
                    DATABASE_URL: dbUrl.toString(),
                    REDIS_URL: REDIS,
                    LOG_LEVEL: "info",
                    MCP_RATE_LIMIT_PER_MINUTE: "1000000",
                    MCP_REPLICA_ID: "bench-baseline",
                }),
        });
    }
    const results: { role: Role; name: string; c50: Figures; c4: Figures; issued: number; audit?: string }[] = [];
    try {
        for (const t of targets) results.push({ role: t.role, name: t.name, ...(await measure(t)) });
        const pg = new PgClient({ connectionString: dbUrl.toString() });
        await pg.connect();
        const audited = Number((await pg.query("SELECT count(*) AS n FROM mcp_audit_log WHERE replica_id = 'bench'")).rows[0].n);
        await pg.end();

        const floor = await auditFloor(admin, dbUrl);

        const row = (name: string, c: number, f: Figures) =>
            `| ${name} | ${c} | ${f.rps.toFixed(0)} | ${f.p50ms.toFixed(2)} | ${f.p95ms.toFixed(2)} | ${f.p99ms.toFixed(2)} | ${f.cpuUsPerCall?.toFixed(0) ?? "-"} | ${f.errors} |`;
        console.log(
            `\nMCP ${process.env.BENCH_ERA === "2025" ? "2025-06-18" : "2026-07-28"} tools/call server_info; each server pinned to CPU 0, wrk on CPU 1; ${WARMUP} s warm-up, ${DURATION} s per row; the bundled server with the image's Node flags: ${imageFlags.join(" ") || "(none)"}.`,
        );
        console.log(`Load average before the run: ${load} (${os.cpus().length} CPUs; PostgreSQL and Redis unpinned).\n`);
        console.log("| server | connections | calls/s | p50 ms | p95 ms | p99 ms | server CPU µs/call | errors |");
        console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (const r of results) console.log(row(r.name, 50, r.c50));
        for (const r of results) console.log(row(r.name, 4, r.c4));
        const byRole = (role: Role) => results.find((r) => r.role === role);
        const [raw, bare, ours] = [byRole("raw")!, byRole("bare")!, byRole("bundled")!];
        const bareFlags = byRole("bareWithFlags");
        const old = byRole("earlier");
        const ratio = ours.c50.rps / bare.c50.rps;
        const cpuRatio = bare.c50.cpuUsPerCall! / ours.c50.cpuUsPerCall!;
        console.log(
            `\nCPU per call at 50 connections: SDK v2 bare ${bare.c50.cpuUsPerCall!.toFixed(0)} µs, bundled ${ours.c50.cpuUsPerCall!.toFixed(0)} µs, raw ${raw.c50.cpuUsPerCall!.toFixed(0)} µs: on an otherwise idle core the bundled server would do ${cpuRatio.toFixed(2)} x the bare server's calls/s`,
        );
        console.log(
            `throughput at 50 connections: bundled / SDK v2 bare = ${ratio.toFixed(2)} x (target >= ${TARGET_RATIO.toFixed(1)} x: ${ratio >= TARGET_RATIO ? "met" : "NOT met"}); raw handler ceiling ${raw.c50.rps.toFixed(0)} calls/s`,
        );
        if (bareFlags !== undefined)
            console.log(
                `like for like (both with ${imageFlags.join(" ")}): bundled / SDK v2 bare = ${(ours.c50.rps / bareFlags.c50.rps).toFixed(2)} x at 50 connections; the bare server's p50 / p95 at 4 connections ${bareFlags.c4.p50ms.toFixed(2)} / ${bareFlags.c4.p95ms.toFixed(2)} ms with the flags, ${bare.c4.p50ms.toFixed(2)} / ${bare.c4.p95ms.toFixed(2)} ms without`,
            );
        console.log(
            `latency at 4 connections: p50 ${ours.c4.p50ms.toFixed(2)} ms (target <= ${TARGET_P50_MS}: ${ours.c4.p50ms <= TARGET_P50_MS ? "met" : "NOT met"}), p95 ${ours.c4.p95ms.toFixed(2)} ms (target <= ${TARGET_P95_MS}: ${ours.c4.p95ms <= TARGET_P95_MS ? "met" : "NOT met"})`,
        );
        console.log(
            `audit: ${audited} entries in PostgreSQL for ${ours.issued} calls wrk completed against the bundled server (warm-up included; calls still in flight when wrk stops are answered and audited but not counted by wrk)`,
        );
        console.log(`audit group commit: ${ours.audit}`);
        console.log(
            `floor under the light-load latency: one audit append alone (durable PostgreSQL commit, no HTTP), ${floor.n} in a row: p50 ${floor.p50.toFixed(2)} ms, p95 ${floor.p95.toFixed(2)} ms; ` +
                `a call at 4 connections waits for its own append and, on average, half of the one in progress: ~${(1.5 * floor.p50).toFixed(2)} ms before any HTTP, auth or tool work`,
        );
        if (old !== undefined)
            console.log(
                `earlier build: ${old.c50.rps.toFixed(0)} calls/s at 50 connections (${(old.c50.rps / bare.c50.rps).toFixed(2)} x the SDK v2 bare server), p50 ${old.c4.p50ms.toFixed(2)} ms at 4; audit group commit: ${old.audit}`,
            );
    } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await admin.end();
    }
}

/**
 * What a durable audit append costs here by itself: the built store (app/dist) appending one entry
 * at a time, each awaited (one `mcp_audit_append` statement, a WAL flush per commit), in a fresh
 * database of its own (made and dropped through the run's admin connection). The bundled server answers a call only after its entry is committed, so
 * this is the floor under its light-load latency on this machine's disk.
 */
async function auditFloor(admin: PgClient, base: URL): Promise<{ n: number; p50: number; p95: number }> {
    const name = `${base.pathname.slice(1)}_floor`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(base.toString());
    url.pathname = `/${name}`;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { openAuditStore } = require(path.resolve(REPO, process.env.BENCH_APP_DIST ?? "app/dist", "audit", "store.js")) as {
        openAuditStore: (db: unknown) => Promise<{ append(e: unknown): Promise<unknown>; close(): Promise<void> }>;
    };
    const store = await openAuditStore({ kind: "postgres", url: url.toString(), ssl: "disable" });
    const entry = () => ({
        ts: new Date(),
        clientId: "floor",
        tool: "server_info",
        args: "{}",
        outcome: "ok",
        errorCode: null,
        durationMs: 0.1,
        replicaId: "floor",
    });
    const times: number[] = [];
    try {
        for (let i = 0; i < 50; i++) await store.append(entry()); // warm-up
        for (let i = 0; i < 1000; i++) {
            const t0 = process.hrtime.bigint();
            await store.append(entry());
            times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
    } finally {
        await store.close();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
    times.sort((a, b) => a - b);
    return { n: times.length, p50: times[Math.floor(times.length * 0.5)], p95: times[Math.floor(times.length * 0.95)] };
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
