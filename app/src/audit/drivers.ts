import * as fs from "node:fs";
import * as path from "node:path";
import { Pool, type PoolConfig } from "pg";
import { PGlite } from "@electric-sql/pglite";
import type { DatabaseSsl } from "../config";

export type Row = Record<string, unknown>;
export type Query = (sql: string, params?: unknown[]) => Promise<Row[]>;

/**
 * The little the audit store needs from a SQL database, so PostgreSQL (pg) and the embedded
 * PGlite run the same SQL.
 */
export interface SqlDriver {
    readonly backend: "postgres" | "embedded" | "memory";
    query: Query;
    /** Runs `fn` inside BEGIN ... COMMIT (ROLLBACK when it throws). */
    transaction<T>(fn: (q: Query) => Promise<T>): Promise<T>;
    /** Runs `fn` on one connection, outside a transaction (session-level advisory locks). */
    session<T>(fn: (q: Query) => Promise<T>): Promise<T>;
    close(): Promise<void>;
}

export interface PostgresOptions {
    url: string;
    ssl: DatabaseSsl;
    caFile?: string;
    /** PEM the server's certificate must chain to (verify-full); wins over caFile. */
    ca?: string;
    /** Pool size. @default 10 */
    max?: number;
    onError?: (err: Error) => void;
}

export function postgresPoolConfig(o: PostgresOptions): PoolConfig {
    const ssl =
        o.ssl === "disable"
            ? false
            : o.ssl === "require"
              ? { rejectUnauthorized: false }
              : { rejectUnauthorized: true, ca: o.ca ?? (o.caFile ? fs.readFileSync(o.caFile, "utf8") : undefined) };
    return {
        connectionString: o.url,
        ssl,
        max: o.max ?? 10,
        connectionTimeoutMillis: 3000,
        idleTimeoutMillis: 30_000,
        query_timeout: 15_000,
        // A replica that dies mid-append must not hold the chain head lock for long.
        idle_in_transaction_session_timeout: 15_000,
        application_name: "mcp-server",
    };
}

/** PostgreSQL through a pg Pool. */
export class PgDriver implements SqlDriver {
    readonly backend = "postgres" as const;
    readonly pool: Pool;
    private readonly onError?: (err: Error) => void;

    constructor(opts: PostgresOptions) {
        this.pool = new Pool(postgresPoolConfig(opts));
        this.onError = opts.onError;
        // Idle clients that lose their connection emit here; without a listener the process dies.
        this.pool.on("error", (err) => opts.onError?.(err));
    }

    query: Query = async (sql, params) => (await this.pool.query(sql, params)).rows;

    async transaction<T>(fn: (q: Query) => Promise<T>): Promise<T> {
        const client = await this.pool.connect();
        let broken: Error | undefined;
        // The pool stops listening to a client's errors while it is checked out. A connection that
        // dies between two queries of this transaction (PostgreSQL restarted, pg_terminate_backend,
        // failover) emits "error" on the client then, and an unheard "error" would end the process.
        // Note it instead: the next query fails, and the client is destroyed, not reused.
        const onError = (err: Error) => {
            broken = err;
            this.onError?.(err);
        };
        client.on("error", onError);
        try {
            await client.query("BEGIN");
            const result = await fn(async (sql, params) => (await client.query(sql, params)).rows);
            await client.query("COMMIT");
            return result;
        } catch (err) {
            await client.query("ROLLBACK").catch((e: Error) => {
                broken = e;
            });
            throw err;
        } finally {
            client.off("error", onError);
            client.release(broken);
        }
    }

    async session<T>(fn: (q: Query) => Promise<T>): Promise<T> {
        const client = await this.pool.connect();
        let broken: Error | undefined;
        const onError = (err: Error) => {
            broken = err;
            this.onError?.(err);
        };
        client.on("error", onError);
        try {
            return await fn(async (sql, params) => (await client.query(sql, params)).rows);
        } catch (err) {
            broken ??= err as Error; // a failed session may still hold its lock: do not reuse it
            throw err;
        } finally {
            client.off("error", onError);
            client.release(broken);
        }
    }

    async close(): Promise<void> {
        await this.pool.end();
    }
}

/** Embedded PostgreSQL (PGlite, WebAssembly) in a data directory or in memory. */
export class PgliteDriver implements SqlDriver {
    readonly backend: "embedded" | "memory";
    private constructor(
        private readonly db: PGlite,
        private readonly lockFile?: string,
    ) {
        this.backend = lockFile === undefined ? "memory" : "embedded";
    }

    /** Opens `dataDir` ("memory" for an in-memory database), taking its lock file. */
    static async open(dataDir: string): Promise<PgliteDriver> {
        if (dataDir === "memory") return new PgliteDriver(await PGlite.create());
        const dir = path.resolve(dataDir);
        fs.mkdirSync(dir, { recursive: true });
        const lockFile = path.join(dir, "mcp-server.lock");
        acquireLock(lockFile);
        try {
            return new PgliteDriver(await PGlite.create(path.join(dir, "pglite")), lockFile);
        } catch (err) {
            fs.rmSync(lockFile, { force: true });
            throw err;
        }
    }

    query: Query = async (sql, params) => (await this.db.query<Row>(sql, params)).rows;

    transaction<T>(fn: (q: Query) => Promise<T>): Promise<T> {
        return this.db.transaction((tx) => fn(async (sql, params) => (await tx.query<Row>(sql, params)).rows));
    }

    session<T>(fn: (q: Query) => Promise<T>): Promise<T> {
        return fn(this.query);
    }

    async close(): Promise<void> {
        await this.db.close();
        if (this.lockFile !== undefined) fs.rmSync(this.lockFile, { force: true });
    }
}

function pidAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** One process per embedded data directory: PGlite has no cross-process locking of its own. */
function acquireLock(lockFile: string): void {
    for (let attempt = 0; attempt < 2; attempt++) {
        try {
            fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
            return;
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
            const holder = Number(fs.readFileSync(lockFile, "utf8").trim());
            if (Number.isInteger(holder) && holder > 0 && (holder === process.pid || pidAlive(holder))) {
                throw new Error(
                    `embedded audit store ${path.dirname(lockFile)} is in use by process ${holder}; ` +
                        "stop it first, or use DATABASE_URL to share one PostgreSQL between processes",
                    { cause: err },
                );
            }
            fs.rmSync(lockFile, { force: true }); // stale lock from a process that is gone
        }
    }
    throw new Error(`could not take the lock ${lockFile}`);
}
