import { createHash } from "node:crypto";

/** What a tools/call ended as ("pending" only on the intent entry of a state-changing call). */
export type AuditOutcome = "ok" | "tool_error" | "invalid_arguments" | "unknown_tool" | "denied" | "timeout" | "pending";

/**
 * What an entry records. "call": a call recorded once, after it ran (read-only tools, refusals).
 * "intent": a state-changing call, written and committed before the tool runs. "outcome": how
 * that call ended, linked to its intent by `ref`. An intent with no outcome is "outcome unknown".
 */
export type AuditKind = "call" | "intent" | "outcome";

/** An entry as the caller hands it to the store (before it is placed in the chain). */
export interface AuditEntryInput {
    ts: Date;
    clientId: string;
    tool: string;
    /** Canonical JSON of the redacted, size-capped arguments (see `encodeArguments`). */
    args: string;
    outcome: AuditOutcome;
    errorCode: string | null;
    durationMs: number;
    replicaId: string;
    /** @default "call" */
    kind?: AuditKind;
    /** For an "outcome" entry: the seq of its intent. */
    ref?: number | null;
    /** W3C trace context of the request, when the client sent one. */
    traceparent?: string | null;
}

/** An entry as stored: its place in the chain and its hashes. */
export interface AuditRecord extends AuditEntryInput {
    seq: number;
    prevHash: string;
    hash: string;
}

/** Longest stored form of each text field, in code points before escaping. */
export const TEXT_LIMITS = { tool: 128, clientId: 256, errorCode: 128, replicaId: 128, traceparent: 128 } as const;

/** A C0 control character, DEL or a leading quote: such text is stored escaped (as are lone surrogates). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are stored escaped
const NEEDS_ESCAPE = /[\u0000-\u001f\u007f]|^"/;

/**
 * The stored (and hashed) form of client-supplied text: PostgreSQL `text` holds any well-formed
 * string without U+0000, so stored bytes are exactly the hashed bytes.
 *
 * - Plain text (no control characters, no lone surrogates, not starting with `"`) is kept as is.
 * - Anything else is stored as its JSON string literal (starting with `"`), which escapes NUL,
 *   controls and lone surrogates (`"x\u0000y"`). Plain text cannot start with `"`, so the two
 *   forms never collide, and `decodeAuditText` returns the original.
 * - Longer than `maxCodePoints` code points: cut on a code-point boundary (never inside a
 *   surrogate pair or an escape), stored as a JSON literal followed by
 *   `…(+N code points, sha256 <hex>)` over the whole original's UTF-16 code units.
 */
export function auditText(value: string, maxCodePoints: number): string {
    const points = Array.from(value);
    if (points.length > maxCodePoints) {
        const digest = createHash("sha256").update(utf16Bytes(value)).digest("hex");
        return `${JSON.stringify(points.slice(0, maxCodePoints).join(""))}\u2026(+${points.length - maxCodePoints} code points, sha256 ${digest})`;
    }
    return NEEDS_ESCAPE.test(value) || !isWellFormed(value) ? JSON.stringify(value) : value;
}

/** The original text of a stored field (a truncated one decodes to its kept prefix). */
export function decodeAuditText(stored: string): { text: string; truncated: boolean } {
    if (!stored.startsWith('"')) return { text: stored, truncated: false };
    const note = /\u2026\(\+\d+ code points, sha256 [0-9a-f]{64}\)$/.exec(stored);
    const literal = note === null ? stored : stored.slice(0, note.index);
    return { text: JSON.parse(literal) as string, truncated: note !== null };
}

/** UTF-16LE code units of a string, lone surrogates included (a digest that loses nothing). */
function utf16Bytes(s: string): Buffer {
    const b = Buffer.alloc(s.length * 2);
    for (let i = 0; i < s.length; i++) b.writeUInt16LE(s.charCodeAt(i), i * 2);
    return b;
}

/** False when `s` holds a lone surrogate (String.prototype.isWellFormed, spelled out for older libs). */
function isWellFormed(s: string): boolean {
    return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

/** True when PostgreSQL `text` stores `s` exactly: well-formed UTF-16 and no U+0000. */
export function isStorableText(s: string): boolean {
    return isWellFormed(s) && !s.includes("\u0000");
}

const KINDS: ReadonlySet<string> = new Set(["call", "intent", "outcome"]);
const OUTCOMES: ReadonlySet<string> = new Set(["ok", "tool_error", "invalid_arguments", "unknown_tool", "denied", "timeout", "pending"]);

/**
 * Checks an entry before it may join a group-commit batch, so one malformed entry can never fail
 * the batch it would have shared with others. Throws an error naming the field.
 */
export function validateEntry(e: AuditEntryInput): void {
    const bad = (field: string, why: string) => {
        throw new Error(`audit entry rejected before writing: ${field} ${why}`);
    };
    if (!(e.ts instanceof Date) || Number.isNaN(e.ts.getTime())) bad("ts", "is not a valid time");
    // Stored forms: at most 6 characters per code point once escaped (\uXXXX), plus quotes and the truncation note.
    const texts: [string, unknown, number][] = [
        ["clientId", e.clientId, 6 * TEXT_LIMITS.clientId + 200],
        ["tool", e.tool, 6 * TEXT_LIMITS.tool + 200],
        ["replicaId", e.replicaId, 6 * TEXT_LIMITS.replicaId + 200],
        ["args", e.args, 2 * MAX_ARGS_BYTES + 200],
    ];
    if (e.errorCode !== null) texts.push(["errorCode", e.errorCode, 6 * TEXT_LIMITS.errorCode + 200]);
    if (e.traceparent != null) texts.push(["traceparent", e.traceparent, 6 * TEXT_LIMITS.traceparent + 200]);
    for (const [field, v, max] of texts) {
        if (typeof v !== "string") bad(field, "is not a string");
        else if (!isStorableText(v))
            bad(field, "holds U+0000 or a lone surrogate, which PostgreSQL text cannot store (store it through auditText)");
        else if (v.length > max) bad(field, `is longer than ${max} characters`);
    }
    try {
        JSON.parse(e.args);
    } catch {
        bad("args", "is not JSON");
    }
    if (!OUTCOMES.has(e.outcome)) bad("outcome", `"${String(e.outcome).slice(0, 40)}" is not an outcome`);
    const kind = e.kind ?? "call";
    if (!KINDS.has(kind)) bad("kind", `"${String(kind).slice(0, 40)}" is not a kind`);
    if (!Number.isFinite(e.durationMs) || e.durationMs < 0) bad("durationMs", "is not a finite non-negative number");
    const ref = e.ref ?? null;
    if ((kind === "outcome") !== (ref !== null)) bad("ref", "is required on an outcome entry and only there");
    if (ref !== null && (!Number.isSafeInteger(ref) || ref < 1)) bad("ref", "is not a sequence number");
    if ((kind === "intent") !== (e.outcome === "pending")) bad("outcome", '"pending" belongs to intent entries only');
}

/** prev_hash of the first entry. */
export const GENESIS_HASH = "0".repeat(64);

/** Argument values whose key matches this are replaced before they are stored. */
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authori[sz]ation|credential|private[-_]?key|cookie|session/i;

/** Largest argument encoding stored as is; larger ones are replaced by a digest. */
export const MAX_ARGS_BYTES = 4096;

/** JSON with object keys sorted at every level, so equal values encode identically. */
export function canonicalJson(value: unknown): string {
    if (value === null || typeof value !== "object") {
        const s = JSON.stringify(value);
        return s === undefined ? "null" : s;
    }
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}

/**
 * A copy of `value` with secret-looking and listed keys replaced by "[REDACTED]". Objects are
 * rebuilt without a prototype, so keys such as `__proto__`, `constructor` and `prototype` stay
 * plain data (an assignment to `out.__proto__` would otherwise set the prototype and drop it).
 */
export function redact(value: unknown, extraKeys: readonly string[] = [], depth = 0): unknown {
    if (depth > 32) return "[TOO DEEP]";
    if (Array.isArray(value)) return value.map((v) => redact(v, extraKeys, depth + 1));
    if (value === null || typeof value !== "object") return value;
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        out[k] = SECRET_KEY.test(k) || extraKeys.includes(k) ? "[REDACTED]" : redact(v, extraKeys, depth + 1);
    }
    return out;
}

/**
 * Redacted, canonical, size-capped encoding of a call's arguments. JSON.stringify escapes NUL,
 * control characters and lone surrogates in keys and values, so the result is storable as is.
 */
export function encodeArguments(args: unknown, sensitiveKeys: readonly string[] = []): string {
    const json = canonicalJson(redact(args ?? {}, sensitiveKeys));
    const bytes = Buffer.byteLength(json);
    if (bytes <= MAX_ARGS_BYTES) return json;
    const digest = createHash("sha256").update(json).digest("hex");
    return canonicalJson({ truncated: true, bytes, sha256: digest });
}

/**
 * SHA-256 over a fixed-order encoding of every field of the entry and the previous hash. Entries
 * of kind "call" without a trace context hash exactly as the first entry format did, so chains
 * written before the kinds existed still verify.
 */
export function entryHash(e: Omit<AuditRecord, "hash">): string {
    const fields: unknown[] = [
        e.seq,
        e.ts.toISOString(),
        e.clientId,
        e.tool,
        e.args,
        e.outcome,
        e.errorCode,
        e.durationMs,
        e.replicaId,
        e.prevHash,
    ];
    const kind = e.kind ?? "call";
    if (kind !== "call" || (e.ref ?? null) !== null || (e.traceparent ?? null) !== null) {
        fields.push(kind, e.ref ?? null, e.traceparent ?? null);
    }
    return createHash("sha256").update(JSON.stringify(fields)).digest("hex");
}

/** Places entries after (headSeq, headHash), returning them with seq, prev_hash and hash set. */
export function chainEntries(headSeq: number, headHash: string, inputs: readonly AuditEntryInput[]): AuditRecord[] {
    const out: AuditRecord[] = [];
    let seq = headSeq;
    let prev = headHash;
    for (const input of inputs) {
        seq += 1;
        const partial = {
            ...input,
            kind: input.kind ?? "call",
            ref: input.ref ?? null,
            traceparent: input.traceparent ?? null,
            seq,
            prevHash: prev,
        };
        const hash = entryHash(partial);
        out.push({ ...partial, hash });
        prev = hash;
    }
    return out;
}

/**
 * What a break in the chain is:
 * - edited: an entry's content no longer matches its hash, or an entry was replaced (its hash
 *   recomputed) so the next one no longer links to it;
 * - deleted: entries are missing inside the chain (a gap, or later entries renumbered down);
 * - inserted: an entry that is not part of the chain sits in it or beyond the head;
 * - reordered: entries were swapped or moved;
 * - truncated: entries up to the chain head are missing (the tail was cut);
 * - anchor checks (audit:verify --anchors) add rewritten, missing-checkpoint and bad-checkpoint.
 */
export type BreakKind =
    "edited" | "deleted" | "inserted" | "reordered" | "truncated" | "rewritten" | "missing-checkpoint" | "bad-checkpoint";

export interface ChainBreak {
    /** First sequence number the break affects. */
    seq: number;
    kind: BreakKind;
    reason: string;
}

export interface VerifyResult {
    ok: boolean;
    /** Entries checked. */
    checked: number;
    /** seq recorded in the chain head. */
    headSeq: number;
    /** First entry where the chain breaks, with what is wrong (= breaks[0]). */
    firstBad?: { seq: number; reason: string };
    /** Every break found, in sequence order; verification goes on after each. */
    breaks: ChainBreak[];
    /**
     * Intents of state-changing calls with no outcome entry: the call may or may not have run
     * (a crash between the two, or a call still running while verify read the chain).
     */
    outcomeUnknown: number[];
}

/** Hashes remembered to recognise reordering (bounded, so memory does not grow with the chain). */
const SEEN_WINDOW = 4096;

/** How far an entry's content may have been renumbered and still be recognised as moved. */
const MAX_SHIFT = 16;

/**
 * Incremental chain checker: feed rows in ascending seq order, then call `finish` with the
 * chain head. Reports every break with its kind, not just the first, and the intents that have
 * no outcome. Each row is classified when the next one arrives (one row of lookahead).
 */
export class ChainVerifier {
    private expectedSeq = 1;
    private prev: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH };
    private cur?: AuditRecord;
    private prevPrevHash = GENESIS_HASH;
    private gapBeforeCur = false;
    private checked = 0;
    private readonly breaks: ChainBreak[] = [];
    /** seq of every hash seen, to recognise a link to an entry elsewhere (reordering). */
    private readonly seen = new Map<string, number>();
    /** Renumbering shift of the current run of moved entries (0: none). */
    private shift = 0;
    private readonly pending = new Set<number>();

    /** Always true: verification goes on after a break (kept for callers that stopped early). */
    feed(r: AuditRecord): boolean {
        this.checked += 1;
        if (this.cur !== undefined) this.classify(this.cur, r);
        if (r.seq > this.expectedSeq) {
            const n = r.seq - this.expectedSeq;
            this.add(
                this.expectedSeq,
                "deleted",
                n === 1
                    ? `entry ${this.expectedSeq} is missing (next entry present is ${r.seq})`
                    : `entries ${this.expectedSeq}..${r.seq - 1} are missing (next entry present is ${r.seq})`,
            );
            this.gapBeforeCur = true;
        } else {
            this.gapBeforeCur = false;
        }
        this.cur = r;
        this.expectedSeq = r.seq + 1;
        if ((r.kind ?? "call") === "intent") this.pending.add(r.seq);
        if ((r.kind ?? "call") === "outcome" && r.ref != null) this.pending.delete(r.ref);
        return true;
    }

    private add(seq: number, kind: BreakKind, reason: string): void {
        this.breaks.push({ seq, kind, reason });
    }

    /** The seq at which this entry's content hashes correctly, if any (its original place). */
    private originalSeq(r: AuditRecord): number | undefined {
        if (entryHash(r) === r.hash) return r.seq;
        for (let d = 1; d <= MAX_SHIFT; d++) {
            for (const seq of [r.seq - d, r.seq + d]) {
                if (seq >= 1 && entryHash({ ...r, seq }) === r.hash) return seq;
            }
        }
        return undefined;
    }

    private classify(r: AuditRecord, next: AuditRecord | undefined): void {
        const n = r.seq;
        const original = this.originalSeq(r);
        const shift = original === undefined ? 0 : n - original;
        const linked = r.prevHash === this.prev.hash;
        const last = this.breaks[this.breaks.length - 1];
        const explainedByShift = shift !== 0 && shift === this.shift;
        if (!linked && !this.gapBeforeCur && !explainedByShift) {
            const elsewhere = this.seen.get(r.prevHash);
            const linksOver =
                last !== undefined && last.seq === this.prev.seq && last.kind === "inserted" && r.prevHash === this.prevPrevHash;
            if (linksOver) {
                // The entry before this one was inserted; this one still links to the entry before that.
            } else if ((elsewhere !== undefined && elsewhere !== this.prev.seq) || (next !== undefined && r.prevHash === next.hash)) {
                if (!(last?.kind === "reordered" && last.seq >= n - 2)) {
                    this.add(
                        n,
                        "reordered",
                        `entry ${n} does not link to entry ${n - 1} (prev_hash is the hash of another entry: reordered)`,
                    );
                }
            } else if (next !== undefined && next.prevHash === this.prev.hash) {
                this.add(n, "inserted", `entry ${n} does not link to entry ${n - 1}, and entry ${next.seq} links past it: inserted`);
            } else if (shift < 0) {
                this.add(
                    n,
                    "deleted",
                    `entry ${n} does not link to entry ${n - 1}; its content belongs at ${original}: entries before it were deleted and the rest renumbered`,
                );
            } else if (shift > 0) {
                this.add(
                    n,
                    "inserted",
                    `entry ${n} does not link to entry ${n - 1}; its content belongs at ${original}: entries were inserted before it`,
                );
            } else {
                this.add(
                    n,
                    "edited",
                    `entry ${n} does not link to entry ${n - 1} (prev_hash mismatch: entry ${n - 1} was replaced with a recomputed hash, or entries were inserted or reordered)`,
                );
            }
        } else if (shift !== 0 && !explainedByShift) {
            this.add(
                n,
                shift > 0 ? "inserted" : "deleted",
                `entry ${n} links correctly but its content belongs at ${original}: renumbered`,
            );
        }
        if (original === undefined && this.breaks[this.breaks.length - 1]?.seq !== n) {
            this.add(n, "edited", `entry ${n} content does not match its hash (edited)`);
        }
        this.shift = shift;
        this.prevPrevHash = this.prev.hash;
        this.prev = { seq: n, hash: r.hash };
        this.seen.set(r.hash, n);
        if (this.seen.size > SEEN_WINDOW) this.seen.delete(this.seen.keys().next().value as string);
    }

    finish(headSeq: number, headHash: string): VerifyResult {
        if (this.cur !== undefined) this.classify(this.cur, undefined);
        this.cur = undefined;
        const last = this.expectedSeq - 1;
        const explainedTail = this.shift !== 0 && last - this.shift === headSeq && this.prev.hash === headHash;
        if (last < headSeq) {
            this.add(last + 1, "truncated", `entries ${last + 1}..${headSeq} are missing (chain head is at ${headSeq})`);
        } else if (last > headSeq && !explainedTail) {
            this.add(headSeq + 1, "inserted", `entry ${headSeq + 1} lies beyond the chain head (${headSeq}): inserted`);
        } else if (last === headSeq && this.prev.hash !== headHash) {
            this.add(last, "edited", `entry ${last} does not match the chain head hash`);
        }
        const breaks = [...this.breaks].sort((a, b) => a.seq - b.seq);
        const first = breaks[0];
        return {
            ok: breaks.length === 0,
            checked: this.checked,
            headSeq,
            firstBad: first === undefined ? undefined : { seq: first.seq, reason: first.reason },
            breaks,
            outcomeUnknown: [...this.pending].sort((a, b) => a - b),
        };
    }
}
