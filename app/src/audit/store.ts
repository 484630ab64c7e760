import type { DatabaseConfig } from "../config";
import {
    ChainVerifier,
    GENESIS_HASH,
    chainEntries,
    validateEntry,
    type AuditEntryInput,
    type AuditKind,
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
    /** The client's most recent entries, newest first; intents with no outcome are flagged. */
    recent(clientId: string, limit: number): Promise<RecentRecord[]>;
    /** Checks the whole chain and reports every break. */
    verify(): Promise<VerifyResult>;
    /** Throws when the store cannot be reached. */
    ping(): Promise<void>;
    /** Waits for queued appends, then closes connections. */
    close(): Promise<void>;
}

const COLUMNS = "seq, ts, client_id, tool, args, outcome, error_code, duration_ms, replica_id, prev_hash, hash, kind, ref, traceparent";

/** Refuses any change to a row of the audit log (defence in depth behind the revoked privileges). */
const REFUSE_CHANGE_FN = `CREATE OR REPLACE FUNCTION mcp_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = '42501';
END
$fn$`;

/** The chain head may only move forward, to an entry that exists with that hash. */
const HEAD_FORWARD_FN = `CREATE OR REPLACE FUNCTION mcp_audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP <> 'UPDATE' OR NEW.id <> OLD.id OR NEW.seq <= OLD.seq
     OR NOT EXISTS (SELECT 1 FROM mcp_audit_log WHERE seq = NEW.seq AND hash = NEW.hash) THEN
    RAISE EXCEPTION 'the audit chain head only moves forward to an existing entry: % refused', TG_OP USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END
$fn$`;

/**
 * One group-commit batch in one statement (one round trip, autocommit): locks the chain head and,
 * when it is still the head the caller hashed the batch against, inserts the entries and moves the
 * head to the last one. Otherwise it changes nothing and returns the current head, against which
 * the caller re-hashes and calls again. SECURITY INVOKER: it runs with the caller's privileges, so
 * the append-only role can do through it exactly what it could do with the statements themselves.
 */
const APPEND_FN = `CREATE OR REPLACE FUNCTION mcp_audit_append(
    expected_seq bigint, expected_hash text,
    e_seq bigint[], e_ts timestamptz[], e_client_id text[], e_tool text[], e_args text[], e_outcome text[],
    e_error_code text[], e_duration_ms double precision[], e_replica_id text[], e_prev_hash text[], e_hash text[],
    e_kind text[], e_ref bigint[], e_traceparent text[])
  RETURNS TABLE (appended boolean, head_seq bigint, head_hash text) LANGUAGE plpgsql SECURITY INVOKER AS $fn$
DECLARE
  h record;
  n integer := cardinality(e_seq);
BEGIN
  SELECT l.seq, l.hash INTO h FROM mcp_audit_head l WHERE l.id = 1 FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit chain head row is missing; run the migration' USING ERRCODE = 'P0002';
  END IF;
  IF expected_seq IS NULL OR h.seq <> expected_seq OR h.hash <> expected_hash OR n IS NULL OR n = 0 THEN
    RETURN QUERY SELECT false, h.seq, h.hash;
    RETURN;
  END IF;
  INSERT INTO mcp_audit_log (${COLUMNS})
    SELECT * FROM unnest(e_seq, e_ts, e_client_id, e_tool, e_args, e_outcome, e_error_code, e_duration_ms,
                         e_replica_id, e_prev_hash, e_hash, e_kind, e_ref, e_traceparent);
  UPDATE mcp_audit_head SET seq = e_seq[n], hash = e_hash[n] WHERE id = 1;
  RETURN QUERY SELECT true, e_seq[n], e_hash[n];
END
$fn$`;

/** Schema migrations, applied in order under a lock; each runs once per database. */
const MIGRATIONS: readonly (readonly string[])[] = [
    [
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
     )`,
        "CREATE INDEX IF NOT EXISTS mcp_audit_log_client_seq ON mcp_audit_log (client_id, seq DESC)",
        `CREATE TABLE IF NOT EXISTS mcp_audit_head (
       id smallint PRIMARY KEY CHECK (id = 1),
       seq bigint NOT NULL,
       hash text NOT NULL
     )`,
        `INSERT INTO mcp_audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}') ON CONFLICT (id) DO NOTHING`,
    ],
    [
        // Entry kinds for write-ahead (intent, then a linked outcome) and the request's trace context.
        "ALTER TABLE mcp_audit_log ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'call' CHECK (kind IN ('call', 'intent', 'outcome'))",
        "ALTER TABLE mcp_audit_log ADD COLUMN IF NOT EXISTS ref bigint",
        "ALTER TABLE mcp_audit_log ADD COLUMN IF NOT EXISTS traceparent text",
        "CREATE INDEX IF NOT EXISTS mcp_audit_log_ref ON mcp_audit_log (ref) WHERE ref IS NOT NULL",
        // Append-only, even for a role that holds more privileges than it should.
        REFUSE_CHANGE_FN,
        HEAD_FORWARD_FN,
        "DROP TRIGGER IF EXISTS mcp_audit_log_append_only ON mcp_audit_log",
        "CREATE TRIGGER mcp_audit_log_append_only BEFORE UPDATE OR DELETE ON mcp_audit_log FOR EACH ROW EXECUTE FUNCTION mcp_audit_refuse_change()",
        "DROP TRIGGER IF EXISTS mcp_audit_log_no_truncate ON mcp_audit_log",
        "CREATE TRIGGER mcp_audit_log_no_truncate BEFORE TRUNCATE ON mcp_audit_log FOR EACH STATEMENT EXECUTE FUNCTION mcp_audit_refuse_change()",
        "DROP TRIGGER IF EXISTS mcp_audit_head_forward_only ON mcp_audit_head",
        "CREATE TRIGGER mcp_audit_head_forward_only BEFORE UPDATE OR DELETE ON mcp_audit_head FOR EACH ROW EXECUTE FUNCTION mcp_audit_head_forward()",
        "DROP TRIGGER IF EXISTS mcp_audit_head_no_truncate ON mcp_audit_head",
        "CREATE TRIGGER mcp_audit_head_no_truncate BEFORE TRUNCATE ON mcp_audit_head FOR EACH STATEMENT EXECUTE FUNCTION mcp_audit_refuse_change()",
        "REVOKE UPDATE, DELETE, TRUNCATE ON mcp_audit_log FROM PUBLIC",
        // Where the checkpoint writer stands: the checkpoints written to WORM storage (a cache of it).
        `CREATE TABLE IF NOT EXISTS mcp_audit_checkpoint (
       seq bigint PRIMARY KEY,
       hash text NOT NULL,
       from_seq bigint NOT NULL,
       object text NOT NULL,
       written_at timestamptz NOT NULL DEFAULT now()
     )`,
        "DROP TRIGGER IF EXISTS mcp_audit_checkpoint_append_only ON mcp_audit_checkpoint",
        "CREATE TRIGGER mcp_audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON mcp_audit_checkpoint FOR EACH ROW EXECUTE FUNCTION mcp_audit_refuse_change()",
    ],
    [
        // A group-commit batch in one round trip (see APPEND_FN).
        APPEND_FN,
    ],
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** A role name audit:migrate will grant to (it is quoted as an identifier as well). */
const ROLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Arbitrary constant naming the migration advisory lock. */
const MIGRATION_LOCK_KEY = 7_340_221_001;
const MAX_BATCH = 256;
/** One-statement appends tried before the locked transaction (each miss means another replica moved the head). */
const APPEND_ATTEMPTS = 3;
const VERIFY_PAGE = 2000;

/** An entry as audit_recent shows it: an intent with no outcome entry is "outcome unknown". */
export interface RecentRecord extends AuditRecord {
    outcomeUnknown: boolean;
}

export function toRecord(r: Row): AuditRecord {
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
        kind: (r.kind === undefined || r.kind === null ? "call" : String(r.kind)) as AuditKind,
        ref: r.ref === undefined || r.ref === null ? null : Number(r.ref),
        traceparent: r.traceparent === undefined || r.traceparent === null ? null : String(r.traceparent),
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
    /** Called after each commit with the new chain head seq. */
    onHead?: (seq: number) => void;
}

/**
 * Audit store over any SqlDriver. Appends that arrive while a batch is being written are
 * grouped into the next transaction (group commit). Every transaction locks the single
 * chain head row (`SELECT ... FOR UPDATE`), so appends from all replicas form one chain:
 * no fork (prev_hash is UNIQUE), no gap and no duplicate (seq is the primary key and
 * always head + 1).
 */
/** A record's values in the column order of mcp_audit_entries (the INSERT and mcp_audit_append both use it). */
function recordColumns(r: AuditRecord): unknown[] {
    return [
        r.seq,
        r.ts,
        r.clientId,
        r.tool,
        r.args,
        r.outcome,
        r.errorCode,
        r.durationMs,
        r.replicaId,
        r.prevHash,
        r.hash,
        r.kind,
        r.ref,
        r.traceparent,
    ];
}
const RECORD_COLUMNS = 14;

export class SqlAuditStore implements AuditStore {
    private queue: Pending[] = [];
    private flushing: Promise<void> | undefined;
    /** The chain head as of this replica's last append (undefined: not known yet). */
    private cachedHead: { seq: number; hash: string } | undefined;

    constructor(
        readonly driver: SqlDriver,
        private readonly opts: SqlAuditStoreOptions = {},
    ) {}

    get backend(): SqlDriver["backend"] {
        return this.driver.backend;
    }

    /** The schema version applied to this database (0: none). */
    async schemaVersion(): Promise<number> {
        const [t] = await this.driver.query("SELECT to_regclass('mcp_audit_schema') AS t");
        if (t.t === null) return 0;
        const rows = await this.driver.query("SELECT coalesce(max(version), 0) AS v FROM mcp_audit_schema");
        return Number(rows[0].v);
    }

    /**
     * Creates or upgrades the schema; safe to run from several replicas at once. With `serverRole`,
     * also makes that role the server's append-only role (see `grantServerRole`).
     */
    async migrate(opts: { serverRole?: string; serverPassword?: string } = {}): Promise<void> {
        await this.driver.transaction(async (q) => {
            await q("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
            await q(
                "CREATE TABLE IF NOT EXISTS mcp_audit_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
            );
            const rows = await q("SELECT coalesce(max(version), 0) AS v FROM mcp_audit_schema");
            for (let v = Number(rows[0].v) + 1; v <= MIGRATIONS.length; v++) {
                for (const stmt of MIGRATIONS[v - 1]) await q(stmt);
                await q("INSERT INTO mcp_audit_schema (version) VALUES ($1)", [v]);
            }
            if (opts.serverRole !== undefined) await grantServerRole(q, opts.serverRole, opts.serverPassword);
        });
    }

    /**
     * What the connected role could do to the log that a server's role must not: empty for an
     * append-only role (UPDATE, DELETE and TRUNCATE revoked, not the owner, not a superuser).
     */
    async excessPrivileges(): Promise<string[]> {
        const [r] = await this.driver.query(
            `SELECT current_user AS who,
              (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
              pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = 'mcp_audit_log'::regclass), 'USAGE') AS owner,
              has_table_privilege('mcp_audit_log', 'UPDATE') AS upd,
              has_table_privilege('mcp_audit_log', 'DELETE') AS del,
              has_table_privilege('mcp_audit_log', 'TRUNCATE') AS trunc`,
        );
        const out: string[] = [];
        if (r.superuser === true) out.push("superuser");
        if (r.owner === true) out.push("owner of mcp_audit_log");
        for (const [k, name] of [
            ["upd", "UPDATE"],
            ["del", "DELETE"],
            ["trunc", "TRUNCATE"],
        ] as const)
            if (r[k] === true) out.push(name);
        return out.map((p) => `${String(r.who)}: ${p}`);
    }

    append(entry: AuditEntryInput): Promise<AuditRecord> {
        try {
            validateEntry(entry);
        } catch (err) {
            return Promise.reject(err);
        }
        return new Promise((resolve, reject) => {
            this.queue.push({ entry, resolve, reject });
            this.kick();
        });
    }

    /** Starts a flush unless one runs; one that ends while entries arrived in its last moments restarts. */
    private kick(): void {
        if (this.flushing !== undefined) return;
        this.flushing = this.flush().finally(() => {
            this.flushing = undefined;
            if (this.queue.length > 0) this.kick();
        });
    }

    /**
     * Writes queued entries in group-commit batches. When a batch fails, its entries are retried one
     * transaction each, so an entry that cannot be written fails alone and never takes the others of
     * its batch with it.
     */
    private async flush(): Promise<void> {
        while (this.queue.length > 0) {
            const batch = this.queue.splice(0, MAX_BATCH);
            try {
                const records = await this.write(batch.map((p) => p.entry));
                batch.forEach((p, i) => p.resolve(records[i]));
            } catch (err) {
                if (batch.length === 1) {
                    batch[0].reject(err);
                    continue;
                }
                for (const p of batch) {
                    try {
                        p.resolve((await this.write([p.entry]))[0]);
                    } catch (e) {
                        p.reject(e);
                    }
                }
            }
        }
    }

    private async write(entries: AuditEntryInput[]): Promise<AuditRecord[]> {
        const started = process.hrtime.bigint();
        const records = (await this.appendOne(entries)) ?? (await this.driver.transaction((q) => this.writeBatch(q, entries)));
        this.opts.onBatch?.(Number(process.hrtime.bigint() - started) / 1e9, entries.length);
        this.opts.onHead?.(records[records.length - 1].seq);
        return records;
    }

    /**
     * The common case, one round trip: the batch hashed against the head this replica last saw,
     * written by `mcp_audit_append` in one autocommit statement. When another replica moved the head
     * meanwhile, the function returns the new head and the batch is re-hashed against it; after a few
     * such misses (a busy chain), undefined: the caller takes the locked transaction, which waits its
     * turn instead of racing.
     */
    private async appendOne(entries: AuditEntryInput[]): Promise<AuditRecord[] | undefined> {
        for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
            const head = this.cachedHead;
            const records = head === undefined ? undefined : chainEntries(head.seq, head.hash, entries);
            const cols: unknown[][] = Array.from({ length: RECORD_COLUMNS }, () => []);
            for (const r of records ?? []) recordColumns(r).forEach((v, i) => cols[i].push(v));
            const [row] = await this.driver.query(
                "SELECT appended, head_seq, head_hash FROM mcp_audit_append($1, $2, $3::bigint[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], " +
                    "$8::text[], $9::text[], $10::float8[], $11::text[], $12::text[], $13::text[], $14::text[], $15::bigint[], $16::text[])",
                [head?.seq ?? null, head?.hash ?? null, ...cols],
            );
            this.cachedHead = { seq: Number(row.head_seq), hash: String(row.head_hash) };
            if (row.appended === true && records !== undefined) return records;
        }
        return undefined;
    }

    private async writeBatch(q: Query, entries: AuditEntryInput[]): Promise<AuditRecord[]> {
        const head = await q("SELECT seq, hash FROM mcp_audit_head WHERE id = 1 FOR UPDATE");
        if (head.length !== 1) throw new Error("audit chain head row is missing; run the migration");
        const records = chainEntries(Number(head[0].seq), String(head[0].hash), entries);
        const params: unknown[] = [];
        const tuples = records.map((r) => {
            const base = params.length;
            params.push(...recordColumns(r));
            return `(${Array.from({ length: RECORD_COLUMNS }, (_, i) => `$${base + i + 1}`).join(", ")})`;
        });
        await q(`INSERT INTO mcp_audit_log (${COLUMNS}) VALUES ${tuples.join(", ")}`, params);
        const last = records[records.length - 1];
        await q("UPDATE mcp_audit_head SET seq = $1, hash = $2 WHERE id = 1", [last.seq, last.hash]);
        // Committed by the caller; a later append that finds the head elsewhere re-reads it anyway.
        this.cachedHead = { seq: last.seq, hash: last.hash };
        return records;
    }

    async recent(clientId: string, limit: number): Promise<RecentRecord[]> {
        const rows = await this.driver.query(
            `SELECT ${COLUMNS},
              (l.kind = 'intent' AND NOT EXISTS (SELECT 1 FROM mcp_audit_log o WHERE o.ref = l.seq AND o.kind = 'outcome')) AS outcome_unknown
         FROM mcp_audit_log l WHERE client_id = $1 ORDER BY seq DESC LIMIT $2`,
            [clientId, limit],
        );
        return rows.map((r) => ({ ...toRecord(r), outcomeUnknown: r.outcome_unknown === true }));
    }

    /** The chain head (seq 0 and the genesis hash when empty). */
    async head(): Promise<{ seq: number; hash: string }> {
        const rows = await this.driver.query("SELECT seq, hash FROM mcp_audit_head WHERE id = 1");
        if (rows.length !== 1) throw new Error("audit chain head row is missing; run audit:migrate");
        return { seq: Number(rows[0].seq), hash: String(rows[0].hash) };
    }

    /** Entries with seq > `after`, ascending, at most `limit`. */
    async entriesAfter(after: number, limit: number, q: Query = this.driver.query): Promise<AuditRecord[]> {
        return (await q(`SELECT ${COLUMNS} FROM mcp_audit_log WHERE seq > $1 ORDER BY seq LIMIT ${Math.floor(limit)}`, [after])).map(
            toRecord,
        );
    }

    verify(onRecord?: (r: AuditRecord) => void): Promise<VerifyResult> {
        // One snapshot for the head and every page, so concurrent appends cannot look like tampering.
        return this.driver.transaction(async (q) => {
            await q("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            const head = await q("SELECT seq, hash FROM mcp_audit_head WHERE id = 1");
            if (head.length !== 1) {
                const reason = "the chain head row is missing";
                return {
                    ok: false,
                    checked: 0,
                    headSeq: 0,
                    firstBad: { seq: 1, reason },
                    breaks: [{ seq: 1, kind: "truncated", reason }],
                    outcomeUnknown: [],
                };
            }
            const verifier = new ChainVerifier();
            let after = 0;
            for (;;) {
                const rows = await this.entriesAfter(after, VERIFY_PAGE, q);
                for (const r of rows) {
                    verifier.feed(r);
                    onRecord?.(r);
                }
                if (rows.length < VERIFY_PAGE) break;
                after = rows[rows.length - 1].seq;
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
    /**
     * "auto": create or upgrade the schema when it is behind (needs the privileges to).
     * "off": only check that audit:migrate has brought it to this version; never change it.
     * false: neither (audit:verify). @default "auto"
     */
    migrate?: "auto" | "off" | false;
}

/** PostgreSQL when DATABASE_URL is set, else the embedded PGlite store; schema migrated or checked. */
export async function openAuditStore(db: DatabaseConfig, opts: OpenAuditStoreOptions = {}): Promise<SqlAuditStore> {
    const driver: SqlDriver =
        db.kind === "postgres"
            ? new PgDriver({ url: db.url, ssl: db.ssl, caFile: db.caFile, ca: db.ca, onError: opts.onPoolError })
            : await PgliteDriver.open(db.dataDir);
    const store = new SqlAuditStore(driver, opts);
    try {
        const mode = opts.migrate ?? "auto";
        if (mode !== false) {
            const version = await store.schemaVersion();
            if (version > SCHEMA_VERSION) {
                throw new Error(
                    `the audit schema is at version ${version}, newer than this server's ${SCHEMA_VERSION}: upgrade the server`,
                );
            }
            if (version < SCHEMA_VERSION) {
                if (mode === "off") {
                    throw new Error(
                        `the audit schema is at version ${version}, this server needs ${SCHEMA_VERSION}: run audit:migrate with the ` +
                            "administrator credentials first (MCP_AUDIT_MIGRATE=off: the server never changes the schema itself)",
                    );
                }
                try {
                    await store.migrate();
                } catch (err) {
                    throw new Error(
                        `could not migrate the audit schema from version ${version} to ${SCHEMA_VERSION}: ${(err as Error).message}; ` +
                            "run audit:migrate with the administrator credentials",
                        { cause: err },
                    );
                }
            }
        }
    } catch (err) {
        await driver.close().catch(() => undefined);
        throw err;
    }
    return store;
}

/**
 * Makes `role` the server's append-only role on the audit tables: it may read and append
 * entries and move the head forward, never UPDATE, DELETE or TRUNCATE an entry. The role is
 * created (LOGIN, with `password`) when it does not exist. Refuses a superuser or an owner of the
 * tables, which no grant can restrict. Runs inside audit:migrate's transaction, as administrator.
 */
export async function grantServerRole(q: Query, role: string, password?: string): Promise<void> {
    if (!ROLE_NAME.test(role))
        throw new Error(`MCP_AUDIT_SERVER_ROLE "${role.slice(0, 80)}" is not a plain role name (letters, digits, _; at most 63)`);
    const ident = `"${role}"`;
    const existing = await q("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1", [role]);
    if (existing.length === 0) {
        if (password === undefined)
            throw new Error(`role ${role} does not exist; set MCP_AUDIT_SERVER_PASSWORD (or _FILE) to create it, or create it first`);
        const [lit] = await q("SELECT quote_literal($1::text) AS l", [password]);
        await q(`CREATE ROLE ${ident} LOGIN PASSWORD ${String(lit.l)}`);
    } else {
        if (existing[0].rolsuper === true)
            throw new Error(`role ${role} is a superuser: it could rewrite the audit log whatever is granted; use an ordinary role`);
        if (password !== undefined) {
            const [lit] = await q("SELECT quote_literal($1::text) AS l", [password]);
            await q(`ALTER ROLE ${ident} LOGIN PASSWORD ${String(lit.l)}`);
        }
    }
    const [own] = await q(
        "SELECT pg_has_role($1, relowner, 'USAGE') AS owns FROM pg_class WHERE oid IN ('mcp_audit_log'::regclass, 'mcp_audit_head'::regclass) ORDER BY owns DESC LIMIT 1",
        [role],
    );
    if (own?.owns === true)
        throw new Error(`role ${role} owns (or is a member of the owner of) the audit tables: run audit:migrate as another role`);
    await q(`GRANT USAGE ON SCHEMA ${await currentSchema(q)} TO ${ident}`);
    await q(`REVOKE ALL ON mcp_audit_log, mcp_audit_head, mcp_audit_schema, mcp_audit_checkpoint FROM ${ident}`);
    await q(`GRANT SELECT, INSERT ON mcp_audit_checkpoint TO ${ident}`);
    await q(`GRANT SELECT, INSERT ON mcp_audit_log TO ${ident}`);
    await q(`GRANT SELECT, UPDATE (seq, hash) ON mcp_audit_head TO ${ident}`);
    await q(`GRANT SELECT ON mcp_audit_schema TO ${ident}`);
}

async function currentSchema(q: Query): Promise<string> {
    const [r] = await q("SELECT quote_ident(current_schema()) AS s");
    return String(r.s);
}
