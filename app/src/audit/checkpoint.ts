import { createHash } from "node:crypto";
import { AnchorExistsError, type AnchorStore } from "./anchors";
import { GENESIS_HASH, entryHash, type AuditRecord, type ChainBreak, type VerifyResult } from "./entry";
import type { SqlAuditStore } from "./store";

/** First line of every checkpoint object. */
export const CHECKPOINT_FORMAT = "mcp-audit-checkpoint/1";

export interface CheckpointHeader {
    format: typeof CHECKPOINT_FORMAT;
    /** seq of the last entry the checkpoint anchors (the chain head at that point). */
    seq: number;
    /** hash of that entry. */
    headHash: string;
    /** Entries in this object: fromSeq..seq. */
    count: number;
    fromSeq: number;
    /** The checkpoint before this one (seq 0 and the genesis hash for the first). */
    previous: { seq: number; hash: string };
    time: string;
    /** SHA-256 of the JSON Lines that follow the header (each line with its newline). */
    entriesSha256: string;
    writer: string;
}

export interface Checkpoint {
    name: string;
    header: CheckpointHeader;
    entries: AuditRecord[];
}

/** Object name of the checkpoint that starts at `fromSeq` (zero-padded, so names sort by seq). */
export function checkpointName(fromSeq: number): string {
    return `checkpoint-${String(fromSeq).padStart(20, "0")}.jsonl`;
}

function entryLine(r: AuditRecord): string {
    return JSON.stringify({
        seq: r.seq,
        ts: r.ts.toISOString(),
        clientId: r.clientId,
        tool: r.tool,
        args: r.args,
        outcome: r.outcome,
        errorCode: r.errorCode,
        durationMs: r.durationMs,
        replicaId: r.replicaId,
        kind: r.kind ?? "call",
        ref: r.ref ?? null,
        traceparent: r.traceparent ?? null,
        prevHash: r.prevHash,
        hash: r.hash,
    });
}

/** The checkpoint object: the header line, then one JSON line per entry. */
export function encodeCheckpoint(
    previous: { seq: number; hash: string },
    entries: readonly AuditRecord[],
    writer: string,
    time = new Date(),
): string {
    const lines = entries.map((e) => `${entryLine(e)}\n`).join("");
    const last = entries[entries.length - 1];
    const header: CheckpointHeader = {
        format: CHECKPOINT_FORMAT,
        seq: last.seq,
        headHash: last.hash,
        count: entries.length,
        fromSeq: entries[0].seq,
        previous,
        time: time.toISOString(),
        entriesSha256: createHash("sha256").update(lines).digest("hex"),
        writer,
    };
    return `${JSON.stringify(header)}\n${lines}`;
}

/** Parses a checkpoint object; throws an error naming the object, the line and what is wrong. */
export function parseCheckpoint(name: string, body: string): Checkpoint {
    const fail = (line: number, why: string): never => {
        throw new Error(`checkpoint object ${name} does not parse: line ${line}: ${why}`);
    };
    const nl = body.indexOf("\n");
    if (nl < 0) fail(1, "no header line");
    let header: CheckpointHeader;
    try {
        header = JSON.parse(body.slice(0, nl)) as CheckpointHeader;
    } catch (err) {
        return fail(1, `not JSON (${(err as Error).message})`);
    }
    if (header?.format !== CHECKPOINT_FORMAT) fail(1, `format is not ${CHECKPOINT_FORMAT}`);
    for (const k of ["seq", "count", "fromSeq"] as const)
        if (!Number.isSafeInteger(header[k]) || header[k] < 0) fail(1, `${k} is not a sequence number`);
    if (typeof header.headHash !== "string" || typeof header.previous?.hash !== "string" || !Number.isSafeInteger(header.previous?.seq))
        fail(1, "headHash or previous is missing");
    const rest = body.slice(nl + 1);
    if (createHash("sha256").update(rest).digest("hex") !== header.entriesSha256)
        fail(2, "the entries do not match the header's entriesSha256");
    const entries: AuditRecord[] = [];
    const lines = rest.split("\n");
    if (lines.pop() !== "") fail(lines.length + 1, "the last line has no newline");
    lines.forEach((l, i) => {
        let o: Record<string, unknown>;
        try {
            o = JSON.parse(l) as Record<string, unknown>;
        } catch (err) {
            return fail(i + 2, `not JSON (${(err as Error).message})`);
        }
        entries.push({
            seq: Number(o.seq),
            ts: new Date(String(o.ts)),
            clientId: String(o.clientId),
            tool: String(o.tool),
            args: String(o.args),
            outcome: o.outcome as AuditRecord["outcome"],
            errorCode: o.errorCode === null ? null : String(o.errorCode),
            durationMs: Number(o.durationMs),
            replicaId: String(o.replicaId),
            kind: o.kind as AuditRecord["kind"],
            ref: o.ref === null ? null : Number(o.ref),
            traceparent: o.traceparent === null ? null : String(o.traceparent),
            prevHash: String(o.prevHash),
            hash: String(o.hash),
        });
    });
    if (entries.length !== header.count) fail(1, `count is ${header.count} but the object holds ${entries.length} entries`);
    if (entries.length > 0 && (entries[0].seq !== header.fromSeq || entries[entries.length - 1].seq !== header.seq))
        fail(1, "fromSeq/seq do not match the entries");
    return { name, header, entries };
}

/** Checks that `entries` continue the chain from `previous`: each links and hashes correctly. */
export function segmentBreak(
    previous: { seq: number; hash: string },
    entries: readonly AuditRecord[],
): { seq: number; reason: string } | undefined {
    let prev = previous;
    for (const e of entries) {
        if (e.seq !== prev.seq + 1) return { seq: prev.seq + 1, reason: `entry ${prev.seq + 1} is missing (next is ${e.seq})` };
        if (e.prevHash !== prev.hash) return { seq: e.seq, reason: `entry ${e.seq} does not link to entry ${prev.seq}` };
        if (entryHash(e) !== e.hash) return { seq: e.seq, reason: `entry ${e.seq} content does not match its hash` };
        prev = { seq: e.seq, hash: e.hash };
    }
    return undefined;
}

/** Session-level advisory lock key: one checkpoint writer across all replicas. */
const CHECKPOINT_LOCK_KEY = 7_340_221_002;
/** Most entries one checkpoint object holds; a longer backlog is written as several. */
export const MAX_CHECKPOINT_ENTRIES = 10_000;

export interface CheckpointWriterOptions {
    store: SqlAuditStore;
    anchors: AnchorStore;
    writer: string;
    /** @default 60 */
    intervalSeconds?: number;
    /** Also checkpoint as soon as this many entries are unanchored. @default 1000 */
    everyEntries?: number;
    onWritten?: (h: CheckpointHeader) => void;
    onError?: (err: Error) => void;
    /** The newest checkpoint known (from any replica): seq and time. */
    onState?: (s: { seq: number; writtenAt: Date; verifiedSeq: number }) => void;
}

/**
 * Writes checkpoints to WORM storage: every `intervalSeconds`, and as soon as `everyEntries`
 * entries are unanchored. Replicas all run one; a PostgreSQL advisory lock lets one write at a
 * time. Each checkpoint continues the previous one: before writing, the writer checks that the
 * new entries link to the last checkpoint's head and hash correctly, and refuses (an error,
 * logged and counted) to anchor a chain that was rewritten.
 */
export class CheckpointWriter {
    private timer?: NodeJS.Timeout;
    private running?: Promise<void>;
    private lastSeq = 0;
    private stopped = false;

    constructor(private readonly o: CheckpointWriterOptions) {}

    start(): void {
        this.timer = setInterval(() => void this.tick(), (this.o.intervalSeconds ?? 60) * 1000);
        this.timer.unref();
        void this.tick();
    }

    /** Called with each new chain head; checkpoints early once enough entries are unanchored. */
    noteHead(seq: number): void {
        if (seq - this.lastSeq >= (this.o.everyEntries ?? 1000)) void this.tick();
    }

    /** One round (no-op while another round runs). Resolves when it is done; never throws. */
    tick(): Promise<void> {
        if (this.stopped) return Promise.resolve();
        this.running ??= this.round()
            .catch((err: Error) => this.o.onError?.(err))
            .finally(() => (this.running = undefined));
        return this.running;
    }

    async stop(): Promise<void> {
        this.stopped = true;
        clearInterval(this.timer);
        await this.running;
    }

    private async round(): Promise<void> {
        const { store, anchors } = this.o;
        await store.driver.session(async (q) => {
            const [lock] = await q("SELECT pg_try_advisory_lock($1) AS ok", [CHECKPOINT_LOCK_KEY]);
            if (lock.ok !== true) {
                await this.report(q);
                return;
            }
            try {
                for (;;) {
                    const [last] = await q("SELECT seq, hash FROM mcp_audit_checkpoint ORDER BY seq DESC LIMIT 1");
                    const previous =
                        last === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: Number(last.seq), hash: String(last.hash) };
                    const entries = await store.entriesAfter(previous.seq, MAX_CHECKPOINT_ENTRIES, q);
                    if (entries.length === 0) break;
                    const broken = segmentBreak(previous, entries);
                    if (broken !== undefined) {
                        throw new Error(
                            `refusing to checkpoint: the audit chain no longer continues from checkpoint ${previous.seq} (${broken.reason}); ` +
                                `history was changed after it was anchored: run audit:verify --anchors ${anchors.location}`,
                        );
                    }
                    const name = checkpointName(entries[0].seq);
                    let header: CheckpointHeader;
                    const body = encodeCheckpoint(previous, entries, this.o.writer);
                    try {
                        await anchors.put(name, body);
                        header = parseCheckpoint(name, body).header;
                    } catch (err) {
                        if (!(err instanceof AnchorExistsError)) throw err;
                        // Written before (a writer stopped between the object and its row): adopt it if it continues the chain.
                        const existing = parseCheckpoint(name, await anchors.get(name));
                        if (existing.header.previous.hash !== previous.hash || segmentBreak(previous, existing.entries) !== undefined) {
                            throw new Error(
                                `checkpoint object ${name} in ${anchors.location} exists but does not continue checkpoint ${previous.seq}`,
                                { cause: err },
                            );
                        }
                        header = existing.header;
                    }
                    await q(
                        "INSERT INTO mcp_audit_checkpoint (seq, hash, from_seq, object) VALUES ($1, $2, $3, $4) ON CONFLICT (seq) DO NOTHING",
                        [header.seq, header.headHash, header.fromSeq, name],
                    );
                    this.o.onWritten?.(header);
                    if (entries.length < MAX_CHECKPOINT_ENTRIES) break;
                }
            } finally {
                await q("SELECT pg_advisory_unlock($1)", [CHECKPOINT_LOCK_KEY]);
            }
            await this.report(q);
        });
    }

    private async report(q: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>): Promise<void> {
        const [last] = await q("SELECT seq, written_at FROM mcp_audit_checkpoint ORDER BY seq DESC LIMIT 1");
        if (last === undefined) return;
        this.lastSeq = Number(last.seq);
        const writtenAt = last.written_at instanceof Date ? last.written_at : new Date(String(last.written_at));
        this.o.onState?.({ seq: this.lastSeq, writtenAt, verifiedSeq: this.lastSeq });
    }
}

export interface AnchoredVerifyResult extends VerifyResult {
    /** Checkpoint objects read. */
    checkpoints: number;
    /** Highest seq anchored by a checkpoint. */
    anchoredSeq: number;
}

/**
 * Verifies the database chain (every break) and then checks it against every checkpoint in
 * `anchors`: a checkpoint that does not parse, a missing checkpoint (a gap between two), an
 * anchored entry the database no longer holds (truncated or deleted) or holds differently
 * (rewritten) is reported with the first sequence number it affects.
 */
export async function verifyAgainstAnchors(store: SqlAuditStore, anchors: AnchorStore): Promise<AnchoredVerifyResult> {
    const names = (await anchors.list()).filter((n) => /^checkpoint-\d{20}\.jsonl$/.test(n));
    const breaks: ChainBreak[] = [];
    const checkpoints: Checkpoint[] = [];
    for (const name of names) {
        try {
            checkpoints.push(parseCheckpoint(name, await anchors.get(name)));
        } catch (err) {
            breaks.push({ seq: Number(/(\d{20})/.exec(name)![1]), kind: "bad-checkpoint", reason: (err as Error).message });
        }
    }
    checkpoints.sort((a, b) => a.header.fromSeq - b.header.fromSeq);

    // The database side, read once: its own chain check, and every entry by seq for comparison.
    const db = new Map<number, string>();
    const chain = await store.verify((r) => db.set(r.seq, r.hash));
    breaks.push(...chain.breaks);
    const dbLast = Math.max(0, ...db.keys());

    let expected = { seq: 0, hash: GENESIS_HASH };
    let truncatedReported = false;
    for (const cp of checkpoints) {
        const h = cp.header;
        if (h.fromSeq > expected.seq + 1) {
            breaks.push({
                seq: expected.seq + 1,
                kind: "missing-checkpoint",
                reason: `entries ${expected.seq + 1}..${h.fromSeq - 1} are in no checkpoint: the checkpoint object ${checkpointName(expected.seq + 1)} is missing`,
            });
        } else if (h.fromSeq < expected.seq + 1 || h.previous.hash !== expected.hash) {
            breaks.push({
                seq: h.fromSeq,
                kind: "bad-checkpoint",
                reason: `checkpoint ${cp.name} does not continue the checkpoint before it (at ${expected.seq})`,
            });
        }
        const own = segmentBreak(h.previous, cp.entries);
        if (own !== undefined)
            breaks.push({
                seq: own.seq,
                kind: "bad-checkpoint",
                reason: `checkpoint ${cp.name} is not a valid chain segment: ${own.reason}`,
            });
        const rewritten: number[] = [];
        for (const e of cp.entries) {
            const stored = db.get(e.seq);
            if (stored === undefined) {
                if (e.seq > dbLast) {
                    if (!truncatedReported) {
                        breaks.push({
                            seq: e.seq,
                            kind: "truncated",
                            reason: `the database ends at entry ${dbLast}, but checkpoint ${cp.name} anchors entries up to ${h.seq}: the tail was cut`,
                        });
                        truncatedReported = true;
                    }
                } else {
                    breaks.push({
                        seq: e.seq,
                        kind: "deleted",
                        reason: `anchored entry ${e.seq} (checkpoint ${cp.name}) is missing from the database`,
                    });
                }
            } else if (stored !== e.hash) {
                rewritten.push(e.seq);
            }
        }
        if (rewritten.length > 0) {
            breaks.push({
                seq: rewritten[0],
                kind: "rewritten",
                reason: `${rewritten.length} entr${rewritten.length === 1 ? "y differs" : "ies differ"} from checkpoint ${cp.name} (first at ${rewritten[0]}): history was rewritten after it was anchored`,
            });
        }
        expected = { seq: h.seq, hash: h.headHash };
    }
    breaks.sort((a, b) => a.seq - b.seq);
    return {
        ...chain,
        ok: breaks.length === 0,
        breaks,
        firstBad: breaks[0] === undefined ? undefined : { seq: breaks[0].seq, reason: breaks[0].reason },
        checkpoints: checkpoints.length,
        anchoredSeq: expected.seq,
    };
}
