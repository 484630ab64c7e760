import type { DatabaseConfig } from "../config";
import {
  ChainVerifier,
  GENESIS_HASH,
  chainEntries,
  type AuditEntryInput,
  type AuditOutcome,
  type AuditRecord,
  type VerifyResult,
} from "./entry";
import { PgDriver, PgliteDriver, type Query, type Row, type SqlDriver } from "./drivers";

/** The append-only, hash-chained audit log. */
export interface AuditStore {
  readonly backend: "postgres" | "embedded" | "memory";
  /** Resolves once the entry is committed (durable) in the chain. */
  append(entry: AuditEntryInput): Promise<AuditRecord>;
  /** The client's most recent entries, newest first. */
  recent(clientId: string, limit: number): Promise<AuditRecord[]>;
  /** Checks the whole chain and names the first broken entry. */
  verify(): Promise<VerifyResult>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  /** Waits for queued appends, then closes connections. */
  close(): Promise<void>;
}

/** Schema migrations, applied in order under a lock; each runs once per database. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS mcp_audit_log (
     seq bigint PRIMARY KEY CHECK (seq > 0),
     ts timestamptz NOT NULL,
     client_id text NOT NULL,
     tool text NOT NULL,
     args text NOT NULL,
     outcome text NOT NULL,
     error_code text,
     duration_ms double precision NOT NULL,
     replica_id text NOT NULL,
     prev_hash text NOT NULL UNIQUE,
     hash text NOT NULL UNIQUE
   );
   CREATE INDEX IF NOT EXISTS mcp_audit_log_client_seq ON mcp_audit_log (client_id, seq DESC);
   CREATE TABLE IF NOT EXISTS mcp_audit_head (
     id smallint PRIMARY KEY CHECK (id = 1),
     seq bigint NOT NULL,
     hash text NOT NULL
   );
   INSERT INTO mcp_audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}') ON CONFLICT (id) DO NOTHING;`,
];

/** Arbitrary constant naming the migration advisory lock. */
const MIGRATION_LOCK_KEY = 7_340_221_001;
const MAX_BATCH = 256;
const VERIFY_PAGE = 2000;
const COLUMNS = "seq, ts, client_id, tool, args, outcome, error_code, duration_ms, replica_id, prev_hash, hash";

function toRecord(r: Row): AuditRecord {
  return {
    seq: Number(r.seq),
    ts: r.ts instanceof Date ? r.ts : new Date(String(r.ts)),
    clientId: String(r.client_id),
    tool: String(r.tool),
    args: String(r.args),
    outcome: String(r.outcome) as AuditOutcome,
    errorCode: r.error_code === null ? null : String(r.error_code),
    durationMs: Number(r.duration_ms),
    replicaId: String(r.replica_id),
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}

interface Pending {
  entry: AuditEntryInput;
  resolve: (r: AuditRecord) => void;
  reject: (e: unknown) => void;
}

export interface SqlAuditStoreOptions {
  /** Called after each committed batch with its duration in seconds and size. */
  onBatch?: (seconds: number, size: number) => void;
}

/**
 * Audit store over any SqlDriver. Appends that arrive while a batch is being written are
 * grouped into the next transaction (group commit). Every transaction locks the single
 * chain head row (`SELECT ... FOR UPDATE`), so appends from all replicas form one chain:
 * no fork (prev_hash is UNIQUE), no gap and no duplicate (seq is the primary key and
 * always head + 1).
 */
export class SqlAuditStore implements AuditStore {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;

  constructor(readonly driver: SqlDriver, private readonly opts: SqlAuditStoreOptions = {}) {}

  get backend(): SqlDriver["backend"] {
    return this.driver.backend;
  }

  /** Creates or upgrades the schema; safe to run from several replicas at once. */
  async migrate(): Promise<void> {
    await this.driver.transaction(async (q) => {
      await q("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
      await q("CREATE TABLE IF NOT EXISTS mcp_audit_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
      const rows = await q("SELECT coalesce(max(version), 0) AS v FROM mcp_audit_schema");
      for (let v = Number(rows[0].v) + 1; v <= MIGRATIONS.length; v++) {
        for (const stmt of MIGRATIONS[v - 1].split(";").map((s) => s.trim()).filter(Boolean)) await q(stmt);
        await q("INSERT INTO mcp_audit_schema (version) VALUES ($1)", [v]);
      }
    });
  }

  append(entry: AuditEntryInput): Promise<AuditRecord> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      if (this.flushing === undefined) this.flushing = this.flush().finally(() => (this.flushing = undefined));
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      const started = process.hrtime.bigint();
      try {
        const records = await this.driver.transaction((q) => this.writeBatch(q, batch.map((p) => p.entry)));
        this.opts.onBatch?.(Number(process.hrtime.bigint() - started) / 1e9, batch.length);
        batch.forEach((p, i) => p.resolve(records[i]));
      } catch (err) {
        batch.forEach((p) => p.reject(err));
      }
    }
  }

  private async writeBatch(q: Query, entries: AuditEntryInput[]): Promise<AuditRecord[]> {
    const head = await q("SELECT seq, hash FROM mcp_audit_head WHERE id = 1 FOR UPDATE");
    if (head.length !== 1) throw new Error("audit chain head row is missing; run the migration");
    const records = chainEntries(Number(head[0].seq), String(head[0].hash), entries);
    const params: unknown[] = [];
    const tuples = records.map((r) => {
      const base = params.length;
      params.push(r.seq, r.ts, r.clientId, r.tool, r.args, r.outcome, r.errorCode, r.durationMs, r.replicaId, r.prevHash, r.hash);
      return `(${Array.from({ length: 11 }, (_, i) => `$${base + i + 1}`).join(", ")})`;
    });
    await q(`INSERT INTO mcp_audit_log (${COLUMNS}) VALUES ${tuples.join(", ")}`, params);
    const last = records[records.length - 1];
    await q("UPDATE mcp_audit_head SET seq = $1, hash = $2 WHERE id = 1", [last.seq, last.hash]);
    return records;
  }

  async recent(clientId: string, limit: number): Promise<AuditRecord[]> {
    const rows = await this.driver.query(
      `SELECT ${COLUMNS} FROM mcp_audit_log WHERE client_id = $1 ORDER BY seq DESC LIMIT $2`,
      [clientId, limit],
    );
    return rows.map(toRecord);
  }

  verify(): Promise<VerifyResult> {
    // One snapshot for the head and every page, so concurrent appends cannot look like tampering.
    return this.driver.transaction(async (q) => {
      await q("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      const head = await q("SELECT seq, hash FROM mcp_audit_head WHERE id = 1");
      if (head.length !== 1) {
        return { ok: false, checked: 0, headSeq: 0, firstBad: { seq: 1, reason: "the chain head row is missing" } };
      }
      const verifier = new ChainVerifier();
      let after = 0;
      for (;;) {
        const rows = await q(`SELECT ${COLUMNS} FROM mcp_audit_log WHERE seq > $1 ORDER BY seq LIMIT ${VERIFY_PAGE}`, [after]);
        let going = true;
        for (const row of rows) {
          going = verifier.feed(toRecord(row));
          if (!going) break;
        }
        if (!going || rows.length < VERIFY_PAGE) break;
        after = Number(rows[rows.length - 1].seq);
      }
      return verifier.finish(Number(head[0].seq), String(head[0].hash));
    });
  }

  async ping(): Promise<void> {
    await this.driver.query("SELECT 1");
  }

  async close(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
    await this.driver.close();
  }
}

export interface OpenAuditStoreOptions extends SqlAuditStoreOptions {
  onPoolError?: (err: Error) => void;
  /** Create or upgrade the schema. @default true */
  migrate?: boolean;
}

/** PostgreSQL when DATABASE_URL is set, else the embedded PGlite store; schema migrated. */
export async function openAuditStore(db: DatabaseConfig, opts: OpenAuditStoreOptions = {}): Promise<SqlAuditStore> {
  const driver: SqlDriver =
    db.kind === "postgres"
      ? new PgDriver({ url: db.url, ssl: db.ssl, caFile: db.caFile, ca: db.ca, onError: opts.onPoolError })
      : await PgliteDriver.open(db.dataDir);
  const store = new SqlAuditStore(driver, opts);
  try {
    if (opts.migrate !== false) await store.migrate();
  } catch (err) {
    await driver.close().catch(() => undefined);
    throw err;
  }
  return store;
}
