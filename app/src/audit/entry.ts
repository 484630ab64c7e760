import { createHash } from "node:crypto";

/** What a tools/call ended as. */
export type AuditOutcome = "ok" | "tool_error" | "invalid_arguments" | "unknown_tool" | "denied" | "timeout";

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
}

/** An entry as stored: its place in the chain and its hashes. */
export interface AuditRecord extends AuditEntryInput {
  seq: number;
  prevHash: string;
  hash: string;
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
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}

/** A copy of `value` with secret-looking and listed keys replaced by "[REDACTED]". */
export function redact(value: unknown, extraKeys: readonly string[] = [], depth = 0): unknown {
  if (depth > 32) return "[TOO DEEP]";
  if (Array.isArray(value)) return value.map((v) => redact(v, extraKeys, depth + 1));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) || extraKeys.includes(k) ? "[REDACTED]" : redact(v, extraKeys, depth + 1);
  }
  return out;
}

/** Redacted, canonical, size-capped encoding of a call's arguments. */
export function encodeArguments(args: unknown, sensitiveKeys: readonly string[] = []): string {
  const json = canonicalJson(redact(args ?? {}, sensitiveKeys));
  const bytes = Buffer.byteLength(json);
  if (bytes <= MAX_ARGS_BYTES) return json;
  const digest = createHash("sha256").update(json).digest("hex");
  return canonicalJson({ truncated: true, bytes, sha256: digest });
}

/** SHA-256 over a fixed-order encoding of every field of the entry and the previous hash. */
export function entryHash(e: Omit<AuditRecord, "hash">): string {
  const encoding = JSON.stringify([
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
  ]);
  return createHash("sha256").update(encoding).digest("hex");
}

/** Places entries after (headSeq, headHash), returning them with seq, prev_hash and hash set. */
export function chainEntries(headSeq: number, headHash: string, inputs: readonly AuditEntryInput[]): AuditRecord[] {
  const out: AuditRecord[] = [];
  let seq = headSeq;
  let prev = headHash;
  for (const input of inputs) {
    seq += 1;
    const partial = { ...input, seq, prevHash: prev };
    const hash = entryHash(partial);
    out.push({ ...partial, hash });
    prev = hash;
  }
  return out;
}

export interface VerifyResult {
  ok: boolean;
  /** Entries checked. */
  checked: number;
  /** seq recorded in the chain head. */
  headSeq: number;
  /** First entry where the chain breaks, with what is wrong. */
  firstBad?: { seq: number; reason: string };
}

/**
 * Incremental chain checker: feed rows in ascending seq order, then call `finish` with the
 * chain head. Names the first entry where the chain breaks.
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private checked = 0;
  private bad?: { seq: number; reason: string };

  /** Returns false once a break is found (no need to feed more rows). */
  feed(r: AuditRecord): boolean {
    if (this.bad) return false;
    this.checked += 1;
    if (r.seq > this.expectedSeq) {
      this.bad = { seq: this.expectedSeq, reason: `entry ${this.expectedSeq} is missing (next entry present is ${r.seq})` };
    } else if (r.seq < this.expectedSeq) {
      this.bad = { seq: r.seq, reason: `entry ${r.seq} appears out of order` };
    } else if (r.prevHash !== this.prevHash) {
      this.bad = { seq: r.seq, reason: `entry ${r.seq} does not link to entry ${r.seq - 1} (prev_hash mismatch: inserted, reordered, or previous entry replaced)` };
    } else if (entryHash(r) !== r.hash) {
      this.bad = { seq: r.seq, reason: `entry ${r.seq} content does not match its hash (edited)` };
    }
    if (this.bad) return false;
    this.expectedSeq = r.seq + 1;
    this.prevHash = r.hash;
    return true;
  }

  finish(headSeq: number, headHash: string): VerifyResult {
    if (!this.bad) {
      const last = this.expectedSeq - 1;
      if (last < headSeq) {
        this.bad = { seq: last + 1, reason: `entries ${last + 1}..${headSeq} are missing (chain head is at ${headSeq})` };
      } else if (last > headSeq) {
        this.bad = { seq: headSeq + 1, reason: `entry ${headSeq + 1} lies beyond the chain head (${headSeq}): inserted` };
      } else if (this.prevHash !== headHash) {
        this.bad = { seq: last, reason: `entry ${last} does not match the chain head hash` };
      }
    }
    return { ok: this.bad === undefined, checked: this.checked, headSeq, firstBad: this.bad };
  }
}
