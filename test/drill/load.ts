/**
 * The drills' load generator and their audit bookkeeping (re-exported by harness.ts).
 *
 * Each worker is one real MCP client (own API key, so own client id) calling tools through nginx
 * in a closed loop. Every attempt is recorded. An attempt is *acknowledged* when the server
 * answered the tools/call with a result (a tool error included): the server answers only after the
 * call's audit entry is committed, so every acknowledged attempt must be in the audit log.
 *
 * The audit log stores no request id, so attempts are matched to entries by signature: client id,
 * tool and the canonical encoding of the arguments (the server's own `encodeArguments`). Writes
 * carry a unique value per call, so their signatures are unique; read-only calls are matched by
 * count. Per signature: acknowledged <= audited (else entries are missing) and audited <= attempts
 * (else entries exist that no call explains).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { Client as PgClient } from "pg";
import { encodeArguments } from "../../app/src/audit/entry";

/** put = scratchpad_put (changes state, Redis), get = scratchpad_get (Redis), info = server_info, recent = audit_recent (PostgreSQL). */
export type Op = "put" | "get" | "info" | "recent";
export const DEFAULT_MIX: readonly Op[] = ["put", "get", "info", "recent", "info"];
/** Tools a client may repeat after an ambiguous failure: they change nothing. */
const READ_ONLY = new Set(["server_info", "scratchpad_get", "scratchpad_list", "audit_recent"]);

export interface Attempt {
    worker: number;
    clientId: string;
    tool: string;
    args: Record<string, unknown>;
    /** Wall clock (ms since epoch) when the call was sent and when it ended. */
    start: number;
    end: number;
    ms: number;
    /** The server answered with a result (isError or not). */
    acked: boolean;
    isError: boolean;
    /** First text block of the result, or the error message. */
    text: string;
    /** HTTP status of a failed POST, when there was one. */
    status?: number;
    /** The failure proves the tool did not run (refused before running), so any call may be repeated. */
    notRun: boolean;
    /** Which replica answered (server_info only). */
    replicaId?: string;
    /** 0 for the first attempt of a call, 1.. for retries. */
    retry: number;
}

export interface LoadOptions {
    /** nginx base URL. */
    url: string;
    keys: string[];
    clientIds: string[];
    /** Unique per run: goes into every written value. */
    tag: string;
    mix?: readonly Op[];
    /** Retries of a retryable failure. @default 3 */
    maxRetries?: number;
    /** @default 15000 */
    callTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function classify(err: unknown): { status?: number; notRun: boolean; text: string } {
    const text = err instanceof Error ? err.message : String(err);
    if (err instanceof StreamableHTTPError) {
        const status = err.code;
        // 429 and the rate limiter's 503 are answered before any tool runs.
        const notRun = status === 429 || (status === 503 && /session store cannot be reached/.test(text));
        return { status, notRun, text };
    }
    if (err instanceof McpError) return { notRun: /the call was not run/.test(text), text };
    // fetch could not reach nginx at all.
    const cause = (err as { cause?: { code?: string } }).cause;
    return { notRun: cause?.code === "ECONNREFUSED", text: cause?.code ? `${text} (${cause.code})` : text };
}

/** Closed-loop MCP clients through the edge. */
export class Load {
    readonly attempts: Attempt[] = [];
    private clients: Client[] = [];
    private stopping = false;
    private loops?: Promise<void>;

    constructor(private readonly o: LoadOptions) {}

    /** Connects every client (MCP initialize through nginx). */
    async connect(): Promise<void> {
        this.clients = await Promise.all(
            this.o.keys.map(async (key, i) => {
                const client = new Client({ name: `drill-${i}`, version: "1.0.0" });
                await client.connect(
                    new StreamableHTTPClientTransport(new URL(`${this.o.url}/mcp`), {
                        requestInit: { headers: { Authorization: `Bearer ${key}` } },
                    }),
                );
                return client;
            }),
        );
    }

    start(): void {
        this.loops = Promise.all(this.clients.map((c, w) => this.worker(c, w))).then(() => undefined);
    }

    /** Lets every call in flight finish, then closes the clients. */
    async stop(): Promise<void> {
        this.stopping = true;
        await this.loops;
        await Promise.all(this.clients.map((c) => c.close().catch(() => undefined)));
    }

    private async worker(client: Client, w: number): Promise<void> {
        const mix = this.o.mix ?? DEFAULT_MIX;
        let lastKey = "k0";
        for (let n = 0; !this.stopping; n++) {
            const op = mix[n % mix.length];
            let tool: string;
            let args: Record<string, unknown>;
            if (op === "put") {
                lastKey = `k${n % 8}`;
                [tool, args] = ["scratchpad_put", { key: lastKey, value: `${this.o.tag}:${w}:${n}`, ttlSeconds: 120 }];
            } else if (op === "get") [tool, args] = ["scratchpad_get", { key: lastKey }];
            else if (op === "recent") [tool, args] = ["audit_recent", { limit: 3 }];
            else [tool, args] = ["server_info", {}];
            for (let retry = 0; ; retry++) {
                const a = await this.attempt(client, w, tool, args, retry);
                if (a.acked || this.stopping || retry >= (this.o.maxRetries ?? 3)) break;
                // Repeat only what cannot run twice: a call refused before running, or a read-only one.
                if (!a.notRun && !READ_ONLY.has(tool)) break;
                await sleep(50 * 2 ** retry);
            }
        }
    }

    private async attempt(client: Client, w: number, tool: string, args: Record<string, unknown>, retry: number): Promise<Attempt> {
        const start = Date.now();
        const t0 = performance.now();
        const a: Attempt = {
            worker: w,
            clientId: this.o.clientIds[w],
            tool,
            args,
            start,
            end: 0,
            ms: 0,
            acked: false,
            isError: false,
            text: "",
            notRun: false,
            retry,
        };
        try {
            const r = await client.callTool({ name: tool, arguments: args }, undefined, { timeout: this.o.callTimeoutMs ?? 15_000 });
            a.acked = true;
            a.isError = r.isError === true;
            a.text = (r.content as { text?: string }[] | undefined)?.[0]?.text ?? "";
            a.replicaId = (r.structuredContent as { replicaId?: string } | undefined)?.replicaId;
        } catch (err) {
            Object.assign(a, classify(err));
        }
        a.end = Date.now();
        a.ms = performance.now() - t0;
        this.attempts.push(a);
        return a;
    }
}

/** Nearest-rank percentile of `values` (any order); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
    if (values.length === 0) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Milliseconds from `faultAt` until calls are answered again: the end of the first acknowledged
 * attempt sent after the last failure that ended after the fault (after the fault itself when
 * nothing failed). Failures that end at or after `nextFaultAt` belong to the next fault.
 * Null when nothing was answered afterwards.
 */
export function recoveryMs(attempts: readonly Attempt[], faultAt: number, nextFaultAt = Infinity): number | null {
    const failures = attempts.filter((a) => !a.acked && a.end >= faultAt && a.end < nextFaultAt);
    const lastFailure = Math.max(faultAt, ...failures.map((a) => a.end));
    const first = attempts.filter((a) => a.acked && a.start >= lastFailure).sort((x, y) => x.end - y.end)[0];
    return first === undefined ? null : first.end - faultAt;
}

/** Counts and p95 of a set of attempts. */
export function summarize(attempts: readonly Attempt[]): {
    answered: number;
    toolErrors: number;
    errors: number;
    retries: number;
    p95Ms: number;
} {
    const acked = attempts.filter((a) => a.acked);
    return {
        answered: acked.length,
        toolErrors: acked.filter((a) => a.isError).length,
        errors: attempts.length - acked.length,
        retries: attempts.filter((a) => a.retry > 0).length,
        p95Ms: percentile(
            acked.map((a) => a.ms),
            95,
        ),
    };
}

export interface AuditReport {
    /** Every entry in the log (calls, intents and outcomes). */
    rows: number;
    /** Entries that each stand for one call (calls and intents; outcome entries excluded). */
    calls: number;
    /** Acknowledged attempts without an entry (must be 0). */
    missing: number;
    /** Entries no attempt explains (must be 0). */
    unexplained: number;
    /** Entries of attempts that failed (a reply lost after the entry was written): allowed. */
    unacknowledgedAudited: number;
    /** Every signature has exactly as many entries as acknowledged attempts. */
    exactlyOnce: boolean;
    examples: string[];
}

/** Matches attempts to the drill database's audit entries (see the file comment). */
export async function auditReport(databaseUrl: string, attempts: readonly Attempt[]): Promise<AuditReport> {
    const pg = new PgClient({ connectionString: databaseUrl });
    await pg.connect();
    let rows: { client_id: string; tool: string; args: string; n: number }[];
    let total: number;
    try {
        // One entry per call: the "call" entry, or the "intent" of a state-changing call (its
        // "outcome" entry is counted in the total only).
        rows = (
            await pg.query(
                "SELECT client_id, tool, args, count(*)::int AS n FROM mcp_audit_log WHERE kind <> 'outcome' GROUP BY client_id, tool, args",
            )
        ).rows;
        total = (await pg.query("SELECT count(*)::int AS n FROM mcp_audit_log")).rows[0].n;
    } finally {
        await pg.end();
    }
    const sig = (clientId: string, tool: string, args: string) => JSON.stringify([clientId, tool, args]);
    const audited = new Map(rows.map((r) => [sig(r.client_id, r.tool, r.args), r.n]));
    const tried = new Map<string, number>();
    const acked = new Map<string, number>();
    for (const a of attempts) {
        const s = sig(a.clientId, a.tool, encodeArguments(a.args));
        tried.set(s, (tried.get(s) ?? 0) + 1);
        if (a.acked) acked.set(s, (acked.get(s) ?? 0) + 1);
    }
    const report: AuditReport = {
        rows: total,
        calls: rows.reduce((n, r) => n + r.n, 0),
        missing: 0,
        unexplained: 0,
        unacknowledgedAudited: 0,
        exactlyOnce: true,
        examples: [],
    };
    for (const s of new Set([...tried.keys(), ...audited.keys()])) {
        const [t, ack, aud] = [tried.get(s) ?? 0, acked.get(s) ?? 0, audited.get(s) ?? 0];
        if (ack > aud) {
            report.missing += ack - aud;
            report.examples.push(`missing: ${s} acknowledged ${ack}, audited ${aud}`);
        }
        if (aud > t) {
            report.unexplained += aud - t;
            report.examples.push(`unexplained: ${s} audited ${aud}, attempted ${t}`);
        }
        if (aud > ack) report.unacknowledgedAudited += Math.min(aud, t) - ack;
        if (aud !== ack) report.exactlyOnce = false;
    }
    report.examples = report.examples.slice(0, 5);
    return report;
}
