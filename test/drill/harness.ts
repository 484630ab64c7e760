/**
 * Failover drill harness: the local target's topology built from real processes on loopback,
 * without Docker. Two server replicas (`app/dist/main.js`, as in the image) share a fresh
 * PostgreSQL database and a Redis, behind the Debian nginx running exactly the configuration
 * `renderNginxConfig` generates for the local EdgeLB. Real MCP clients talk through nginx.
 *
 * Every process started here is tracked and ended by `Topology.stop()`, and killed on process
 * exit as a last resort; the drill database is dropped.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { Client as PgClient } from "pg";
import { renderNginxConfig, type NginxConfigOptions } from "../../components/local/nginx";
import { clientIdForKeyHash, sha256Hex } from "../../app/src/auth/apiKeys";
import { freePort, waitFor as pollUntil } from "../../app/test/helpers";

export { DEFAULT_MIX, Load, auditReport, percentile, recoveryMs, summarize, type Attempt, type AuditReport, type Op } from "./load";

const run = promisify(execFile);

export const ROOT = path.resolve(__dirname, "..", "..");
export const APP_DIR = path.join(ROOT, "app");
/** Admin connection to the machine's PostgreSQL; the drill creates and drops its own database. */
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
/** The machine's Redis, in a database index of the drills' own. */
export const MACHINE_REDIS_URL = withRedisDb(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379", 9);

function withRedisDb(url: string, db: number): string {
    const u = new URL(url);
    if (u.pathname === "" || u.pathname === "/") u.pathname = `/${db}`;
    return u.toString();
}

// ---------------------------------------------------------------- processes

/** Children still running; killed when this process exits, whatever happened. */
const live = new Map<ChildProcess, NodeJS.Signals>();
process.on("exit", () => {
    for (const [child, signal] of live) {
        try {
            child.kill(signal);
        } catch {
            // already gone
        }
    }
});

/** The last lines a process wrote, for failure messages (bounded). */
export class RingLog {
    private readonly lines: string[] = [];
    constructor(private readonly max = 300) {}
    push(chunk: string): void {
        for (const l of chunk.split("\n")) {
            if (l.trim() === "") continue;
            this.lines.push(l);
            if (this.lines.length > this.max) this.lines.shift();
        }
    }
    tail(n = 15): string {
        return this.lines.slice(-n).join("\n");
    }
    matching(re: RegExp): string[] {
        return this.lines.filter((l) => re.test(l));
    }
}

/** Spawns a tracked child; `exitSignal` is what the exit hook sends (nginx: SIGTERM, so it stops its workers). */
export function spawnTracked(
    cmd: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    log: RingLog,
    exitSignal: NodeJS.Signals = "SIGKILL",
): ChildProcess {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    live.set(child, exitSignal);
    child.once("exit", () => live.delete(child));
    child.stdout!.on("data", (d: Buffer) => log.push(d.toString("utf8")));
    child.stderr!.on("data", (d: Buffer) => log.push(d.toString("utf8")));
    return child;
}

export function exited(child: ChildProcess): boolean {
    return child.exitCode !== null || child.signalCode !== null;
}

/** Sends `signal`, waits up to `graceMs` for the exit, then SIGKILLs. */
export async function stopProcess(child: ChildProcess | undefined, signal: NodeJS.Signals, graceMs = 10_000): Promise<void> {
    if (child === undefined || exited(child)) return;
    const gone = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await gone;
    clearTimeout(timer);
}

export { freePort };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** app/test/helpers' waitFor with the drills' longer default bound (30 s). */
export function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
    return pollUntil(what, fn, timeoutMs, everyMs);
}

export function canConnect(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const sock = net.connect(port, "127.0.0.1", () => {
            sock.end();
            resolve(true);
        });
        sock.on("error", () => resolve(false));
    });
}

// ---------------------------------------------------------------- the app build

let built: Promise<string> | undefined;

function newestMtime(dir: string): number {
    let newest = 0;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
    }
    return newest;
}

/** `npm run build -w app` unless app/dist is newer than every source file; returns dist/main.js. */
export function ensureAppBuilt(): Promise<string> {
    built ??= (async () => {
        const main = path.join(APP_DIR, "dist", "main.js");
        const stale = !fs.existsSync(main) || newestMtime(path.join(APP_DIR, "src")) > fs.statSync(main).mtimeMs;
        if (stale)
            await run("npm", ["run", "build", "-w", "app", "--silent"], {
                cwd: ROOT,
                env: { ...process.env, npm_config_update_notifier: "false" },
            });
        return main;
    })();
    return built;
}

// ---------------------------------------------------------------- PostgreSQL, Redis

/** A database of the drill's own on the machine's PostgreSQL, dropped by `drop()`. */
export async function createDrillDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
    const name = `mcp_drill_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
    const admin = new PgClient({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
        await admin.query(`CREATE DATABASE ${name}`);
    } finally {
        await admin.end();
    }
    const u = new URL(PG_ADMIN_URL);
    u.pathname = `/${name}`;
    return {
        name,
        url: u.toString(),
        async drop() {
            const a = new PgClient({ connectionString: PG_ADMIN_URL });
            await a.connect();
            try {
                await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            } finally {
                await a.end();
            }
        },
    };
}

/** Runs one statement on the machine's PostgreSQL as the admin user. */
export async function adminQuery<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const admin = new PgClient({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
        return (await admin.query(sql, params)).rows as T[];
    } finally {
        await admin.end();
    }
}

/** A redis-server the test owns (own port, no persistence), which it can kill and restart. */
export class ThrowawayRedis {
    readonly log = new RingLog(50);
    private child?: ChildProcess;
    constructor(
        readonly port: number,
        private readonly dir: string,
    ) {}

    get url(): string {
        return `redis://127.0.0.1:${this.port}`;
    }

    async start(): Promise<void> {
        this.child = spawnTracked(
            "redis-server",
            ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.dir],
            process.env,
            this.log,
        );
        await waitFor(`redis-server on ${this.port}`, () => canConnect(this.port), 10_000, 50);
    }

    /** SIGKILL: the abrupt loss, not a clean shutdown. */
    async kill(): Promise<void> {
        await stopProcess(this.child, "SIGKILL");
    }
}

// ---------------------------------------------------------------- server replicas

/** One server process on a fixed loopback port; restarts keep the port and get a new replica id. */
export class Replica {
    readonly log = new RingLog();
    private child?: ChildProcess;
    private generation = 0;

    constructor(
        readonly name: string,
        readonly port: number,
        private readonly env: Record<string, string>,
        private readonly main: string,
    ) {}

    get url(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    /** MCP_REPLICA_ID of the running process: `<name>-<start count>`. */
    get replicaId(): string {
        return `${this.name}-${this.generation}`;
    }

    get pid(): number | undefined {
        return this.child?.pid;
    }

    /** The port its /metrics is served on (METRICS_PORT), when it has one of its own. */
    get metricsPort(): number | undefined {
        return this.env.METRICS_PORT === undefined ? undefined : Number(this.env.METRICS_PORT);
    }

    async start(): Promise<void> {
        this.generation += 1;
        const child = spawnTracked(
            process.execPath,
            [this.main],
            {
                PATH: process.env.PATH ?? "",
                HOST: "127.0.0.1",
                PORT: String(this.port),
                MCP_REPLICA_ID: this.replicaId,
                ...this.env,
            },
            this.log,
        );
        this.child = child;
        await waitFor(
            `${this.replicaId} /health`,
            async () => {
                if (exited(child)) throw new Error(`${this.replicaId} exited (${child.exitCode ?? child.signalCode}): ${this.log.tail(5)}`);
                return (await fetch(`${this.url}/health`)).status === 200;
            },
            30_000,
            50,
        );
    }

    async kill9(): Promise<void> {
        await stopProcess(this.child, "SIGKILL");
    }

    /** SIGTERM (drain), SIGKILL after 10 s. */
    async stop(): Promise<void> {
        await stopProcess(this.child, "SIGTERM");
    }
}

// ---------------------------------------------------------------- nginx

/** The nginx binary: NGINX_BIN, else PATH, else the sbin directories Debian uses. */
export function findNginx(): string | undefined {
    const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/local/sbin", "/sbin"];
    const candidates = [process.env.NGINX_BIN, ...dirs.filter(Boolean).map((d) => path.join(d, "nginx"))];
    return candidates.find((c): c is string => c !== undefined && fs.existsSync(c));
}

/**
 * Skips a suite that needs nginx when it is not installed, or fails it when MCP_REQUIRE_NGINX=1
 * (as .ci/run sets, having installed nginx), so CI can never pass by skipping the drills.
 */
export function requireNginx(ctx: Mocha.Context): string {
    const bin = findNginx();
    if (bin !== undefined) return bin;
    if (process.env.MCP_REQUIRE_NGINX === "1")
        throw new Error("nginx is required (MCP_REQUIRE_NGINX=1) but not installed: apt-get install -y nginx");
    console.log("    (skipped: nginx is not installed; apt-get install -y nginx)");
    ctx.skip();
}

/** What the drill chooses of the edge's configuration; listen address, port and runtime paths are the harness's. */
export type EdgeOptions = Omit<NginxConfigOptions, "listenPort" | "listenAddress" | "runtime">;

/** The Debian nginx, in the foreground, with the generated configuration and runtime files in `dir`. */
export class NginxEdge {
    readonly log = new RingLog(100);
    readonly confFile: string;
    private child?: ChildProcess;

    constructor(
        readonly bin: string,
        readonly dir: string,
        readonly port: number,
        opts: EdgeOptions,
    ) {
        fs.mkdirSync(path.join(dir, "temp"), { recursive: true });
        this.confFile = path.join(dir, "nginx.conf");
        fs.writeFileSync(
            this.confFile,
            renderNginxConfig({
                workerProcesses: 1,
                ...opts,
                listenPort: port,
                listenAddress: "127.0.0.1",
                runtime: {
                    pidFile: path.join(dir, "nginx.pid"),
                    errorLog: path.join(dir, "error.log"),
                    accessLog: path.join(dir, "access.log"),
                    tempDir: path.join(dir, "temp"),
                },
            }),
        );
    }

    get url(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    /** The nginx command line for this configuration (`-t` to only test it). */
    args(extra: string[] = []): string[] {
        return ["-p", this.dir, "-c", this.confFile, "-e", path.join(this.dir, "error.log"), ...extra];
    }

    async start(): Promise<void> {
        await run(this.bin, this.args(["-t", "-q"]));
        const child = spawnTracked(this.bin, this.args(["-g", "daemon off;"]), process.env, this.log, "SIGTERM");
        this.child = child;
        await waitFor(
            `nginx on ${this.port}`,
            async () => {
                if (exited(child)) throw new Error(`nginx exited: ${this.log.tail(5)} ${this.errorLog().slice(-500)}`);
                return canConnect(this.port);
            },
            10_000,
            50,
        );
    }

    /** SIGTERM is nginx's fast shutdown: the master stops its workers and exits. */
    async stop(): Promise<void> {
        await stopProcess(this.child, "SIGTERM", 5_000);
    }

    errorLog(): string {
        const f = path.join(this.dir, "error.log");
        return fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "";
    }

    /** Parsed access log lines (the generated config logs one JSON object per request). */
    accessLog(): { uri: string; status: number; upstream: string; upstream_status: string; time: string }[] {
        const f = path.join(this.dir, "access.log");
        if (!fs.existsSync(f)) return [];
        return fs
            .readFileSync(f, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l));
    }
}

// ---------------------------------------------------------------- the topology

export interface TopologyOptions {
    /** Short name for temp files and logs. */
    name: string;
    /** MCP clients, each with its own API key. @default 50 */
    clients?: number;
    /** @default the machine's Redis (database 9) */
    redisUrl?: string;
    /** Extra server environment. */
    serverEnv?: Record<string, string>;
}

/** nginx in front of two replicas, one drill database, API keys for the clients. */
export class Topology {
    readonly replicas: Replica[] = [];
    /** Replicas started beside the topology, not behind nginx (see `startDirectReplica`). */
    readonly direct: Replica[] = [];
    readonly keys: string[];
    readonly clientIds: string[];
    db?: Awaited<ReturnType<typeof createDrillDatabase>>;
    nginx?: NginxEdge;
    /** The environment the replicas behind nginx run with. */
    serverEnv: Record<string, string> = {};
    readonly dir: string;

    private constructor(readonly opts: TopologyOptions) {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `mcp-drill-${opts.name}-`));
        this.keys = Array.from({ length: opts.clients ?? 50 }, () => `drill-${randomBytes(16).toString("hex")}`);
        this.clientIds = this.keys.map((k) => clientIdForKeyHash(sha256Hex(k)));
    }

    get url(): string {
        return this.nginx!.url;
    }

    /**
     * One more replica on the same database and Redis, reached directly (loopback Host names),
     * not behind nginx; stopped with the topology.
     */
    async startDirectReplica(name: string, env: Record<string, string>): Promise<Replica> {
        const { MCP_ALLOWED_HOSTS: _edgeHosts, ...shared } = this.serverEnv;
        const [port, metricsPort] = await Promise.all([freePort(), freePort()]);
        const r = new Replica(name, port, { ...shared, METRICS_PORT: String(metricsPort), ...env }, await ensureAppBuilt());
        this.direct.push(r);
        await r.start();
        return r;
    }

    /** Starts everything; on failure stops whatever had started and rethrows. */
    static async start(opts: TopologyOptions): Promise<Topology> {
        const t = new Topology(opts);
        try {
            const bin = findNginx();
            if (bin === undefined) throw new Error("nginx is not installed (apt-get install -y nginx)");
            const main = await ensureAppBuilt();
            t.db = await createDrillDatabase();
            const [edgePort, ...ports] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
            const env: Record<string, string> = (t.serverEnv = {
                DATABASE_URL: t.db.url,
                REDIS_URL: opts.redisUrl ?? MACHINE_REDIS_URL,
                MCP_API_KEYS: t.keys.join(","),
                // The Host clients send to nginx, which nginx passes through unchanged.
                MCP_ALLOWED_HOSTS: `127.0.0.1:${edgePort},localhost:${edgePort}`,
                // Every drill client is one API key doing hundreds of calls per minute.
                MCP_RATE_LIMIT_PER_MINUTE: "1000000",
                LOG_LEVEL: "warn",
                MCP_TIER: "dev",
                ...opts.serverEnv,
            });
            t.replicas.push(
                new Replica("drill-a", ports[0], { ...env, METRICS_PORT: String(ports[1]) }, main),
                new Replica("drill-b", ports[2], { ...env, METRICS_PORT: String(ports[3]) }, main),
            );
            // Both at once, so both run the schema migration concurrently, as replicas do.
            await Promise.all(t.replicas.map((r) => r.start()));
            t.nginx = new NginxEdge(bin, path.join(t.dir, "nginx"), edgePort, {
                upstreams: t.replicas.map((r) => ({ host: "127.0.0.1", port: r.port })),
                // Active, but not binding: all drill clients share one address (127.0.0.1).
                rateLimitPerMinute: 6_000_000,
                serverNames: ["localhost", "127.0.0.1"],
            });
            await t.nginx.start();
            return t;
        } catch (err) {
            await t.stop().catch(() => undefined);
            throw err;
        }
    }

    /** Stops nginx and the replicas, drops the database, removes temp files; reports every failure. */
    async stop(): Promise<void> {
        const errors: string[] = [];
        const step = async (what: string, fn: () => Promise<unknown>) => {
            try {
                await fn();
            } catch (err) {
                errors.push(`${what}: ${(err as Error).message}`);
            }
        };
        await step("nginx", async () => this.nginx?.stop());
        await step("replicas", () => Promise.all([...this.replicas, ...this.direct].map((r) => r.stop())));
        await step("database", async () => this.db?.drop());
        if (this.opts.redisUrl === undefined) await step("redis keys", () => deleteDrillKeys(MACHINE_REDIS_URL, this.clientIds));
        fs.rmSync(this.dir, { recursive: true, force: true });
        if (errors.length > 0) throw new Error(`drill cleanup: ${errors.join("; ")}`);
    }

    /**
     * The audit chain as the production verifier sees it (`npm run audit:verify` = app/dist/audit/cli.js),
     * with `--anchors` when given. Exit 1 (broken) is returned as the report; any other failure throws.
     */
    async verifyChain(anchors?: string): Promise<{
        ok: boolean;
        checked: number;
        headSeq: number;
        outcomeUnknown: number[];
        breaks: { seq: number; kind: string; reason: string }[];
        output: string;
        code: number;
    }> {
        const cli = path.join(APP_DIR, "dist", "audit", "cli.js");
        const args = anchors === undefined ? [cli] : [cli, "--anchors", anchors];
        try {
            const { stdout } = await run(process.execPath, args, { env: { PATH: process.env.PATH ?? "", DATABASE_URL: this.db!.url } });
            return { ...JSON.parse(stdout.split("\n")[0]), output: stdout.trim(), code: 0 };
        } catch (err) {
            const e = err as { code?: number; stdout?: string; stderr?: string };
            // Exit 1 is a broken chain: its report is the answer. Anything else could not check.
            if (e.code === 1 && e.stdout) return { ...JSON.parse(e.stdout.split("\n")[0]), output: e.stdout.trim(), code: 1 };
            throw new Error(`audit:verify exited ${e.code}: ${e.stdout ?? ""} ${e.stderr ?? ""}`, { cause: err });
        }
    }

    /** Audit entries per replica id. */
    async perReplica(): Promise<Record<string, number>> {
        const pg = new PgClient({ connectionString: this.db!.url });
        await pg.connect();
        try {
            const { rows } = await pg.query(
                "SELECT replica_id, count(*)::int AS n FROM mcp_audit_log GROUP BY replica_id ORDER BY replica_id",
            );
            return Object.fromEntries(rows.map((r) => [r.replica_id as string, r.n as number]));
        } finally {
            await pg.end();
        }
    }

    /** What every replica's /ready says. */
    async readiness(): Promise<{ status: number; body: { failing: string[]; checks: Record<string, string>; reason?: string } }[]> {
        return Promise.all(
            this.replicas.map(async (r) => {
                const res = await fetch(`${r.url}/ready`);
                return { status: res.status, body: (await res.json()) as { failing: string[]; checks: Record<string, string> } };
            }),
        );
    }
}

/** Deletes the drill clients' notes and counters from the machine's Redis (they also expire). */
async function deleteDrillKeys(url: string, clientIds: string[]): Promise<void> {
    const { default: Redis } = await import("ioredis");
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
        await redis.connect();
        const ours = new Set(clientIds);
        let cursor = "0";
        do {
            const [next, keys] = await redis.scan(cursor, "MATCH", "mcp:*", "COUNT", 1000);
            cursor = next;
            const mine = keys.filter((k) => ours.has(/key-[0-9a-f]{12}/.exec(k)?.[0] ?? ""));
            if (mine.length > 0) await redis.del(...mine);
        } while (cursor !== "0");
    } finally {
        redis.disconnect();
    }
}

/** One line of figures per scenario. */
export function figures(
    scenario: string,
    f: { answered: number; errors: number; recoveryMs: number | null; p95Ms: number; missing: number; extra?: string },
): string {
    const rec = f.recoveryMs === null ? "-" : `${Math.round(f.recoveryMs)} ms`;
    return `[drill] ${scenario.padEnd(14)} answered=${f.answered} errors=${f.errors} recovery=${rec} p95=${f.p95Ms.toFixed(1)} ms audit-missing=${f.missing}${f.extra ? ` | ${f.extra}` : ""}`;
}
