import {
    ProtocolErrorCode as ErrorCode,
    Server,
    isJSONRPCErrorResponse,
    type AuthInfo,
    type CallToolResult,
    type JSONRPCMessage,
    type Transport,
} from "@modelcontextprotocol/server";
import type { Logger } from "pino";
import { TEXT_LIMITS, auditText, encodeArguments, type AuditKind, type AuditOutcome, type AuditRecord } from "./audit/entry";
import { DependencyError } from "./errors";
import type { Metrics } from "./metrics";
import type { ToolRegistry } from "./tools/registry";
import { ToolError, errorResult, type ToolDeps } from "./tools/types";

/**
 * A JSON-RPC error for the client. (The SDK's McpError puts "MCP error <code>:" into the message,
 * which the client then prefixes again; the wire message should say only what was wrong.)
 */
export class RpcError extends Error {
    constructor(
        readonly code: number,
        message: string,
    ) {
        super(message);
        this.name = "RpcError";
    }
}

/** Tracks whether the audit store took its last write, so calls fail before running when it is down. */
export class AuditHealth {
    ok = true;
}

export interface McpDeps extends ToolDeps {
    registry: ToolRegistry;
    metrics: Metrics;
    auditHealth: AuditHealth;
}

/** Who is calling, for this one HTTP request. */
export interface RequestContext {
    clientId: string;
    requestId: string;
    log: Logger;
    /** The caller's W3C trace context from the request's `_meta.traceparent`, when it was valid; recorded in its audit entries. */
    traceparent?: string;
    /**
     * The tools/call params exactly as JSON.parse produced them. The SDK's schema parse drops an
     * own `__proto__` key; the audit entry and the strict argument check use these instead.
     */
    callParams?: { name?: unknown; arguments?: unknown };
}

const AUDIT_DOWN = "Audit log unavailable: the call was not run because it could not be recorded; retry later";
const AUDIT_LOST = "Audit log unavailable: the call's audit entry could not be written, so its result is withheld; retry later";
const outcomeLost = (seq: number) =>
    `Audit log unavailable: the call ran, but its outcome could not be recorded (audit entry ${seq} shows it as outcome unknown), so its result is withheld`;

export interface CallRecord {
    tool: string;
    args: unknown;
    outcome: AuditOutcome;
    errorCode: string | null;
    durationMs: number;
    /** @default "call" */
    kind?: AuditKind;
    /** The intent an outcome entry closes. */
    ref?: number;
}

/** Tries to write an outcome entry this many times before the call's result is withheld. */
const OUTCOME_ATTEMPTS = 3;

/**
 * Builds the entry (every client-supplied string through `auditText`, so it is stored and hashed
 * losslessly) and appends it. Throws the store's error after logging it with the entry.
 */
async function appendEntry(deps: McpDeps, rc: RequestContext, rec: CallRecord): Promise<AuditRecord> {
    const tool = deps.registry.get(rec.tool);
    const kind = rec.kind ?? "call";
    if (kind !== "intent") {
        const toolLabel = tool?.name ?? "unknown";
        deps.metrics.toolCalls.inc({ tool: toolLabel, outcome: rec.outcome });
        deps.metrics.toolDuration.observe({ tool: toolLabel }, rec.durationMs / 1000);
    }
    const entry = {
        ts: new Date(),
        clientId: auditText(rc.clientId, TEXT_LIMITS.clientId),
        tool: auditText(rec.tool, TEXT_LIMITS.tool),
        args: encodeArguments(rec.args, tool?.sensitiveArguments),
        outcome: rec.outcome,
        errorCode: rec.errorCode === null ? null : auditText(rec.errorCode, TEXT_LIMITS.errorCode),
        durationMs: Math.round(rec.durationMs * 1000) / 1000,
        replicaId: auditText(deps.facts.replicaId, TEXT_LIMITS.replicaId),
        kind,
        ref: rec.ref ?? null,
        traceparent: rc.traceparent === undefined ? null : auditText(rc.traceparent, TEXT_LIMITS.traceparent),
    };
    try {
        const record = await deps.audit.append(entry);
        deps.auditHealth.ok = true;
        return record;
    } catch (err) {
        deps.auditHealth.ok = false;
        deps.metrics.auditFailures.inc();
        // The entry (arguments already redacted) goes to the log so the call can be reconciled.
        rc.log.error({ err: (err as Error).message, lostAuditEntry: entry }, "audit append failed");
        throw err;
    }
}

/**
 * Appends the audit entry of one tools/call and counts it. Throws an RpcError when the entry
 * cannot be written: a call is answered only once its entry is durable.
 */
export async function recordCall(deps: McpDeps, rc: RequestContext, rec: CallRecord): Promise<AuditRecord> {
    try {
        return await appendEntry(deps, rc, rec);
    } catch {
        throw new RpcError(ErrorCode.InternalError, AUDIT_LOST);
    }
}

/**
 * Refuses to run a read-only tool while the audit store is known to be down (the last append
 * failed): one ping decides. A state-changing tool needs no check: its intent entry is written
 * before it runs, and the call is refused when that fails.
 */
async function ensureAuditUp(deps: McpDeps, rc: RequestContext, changesState: boolean): Promise<void> {
    if (deps.auditHealth.ok || changesState) return;
    try {
        await deps.audit.ping();
        deps.auditHealth.ok = true;
    } catch {
        deps.auditHealth.ok = false;
        rc.log.warn("audit store down; refusing tools/call");
        throw new RpcError(ErrorCode.InternalError, AUDIT_DOWN);
    }
}

function elapsedMs(started: bigint): number {
    return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * The call's arguments as the client sent them: the raw JSON-parsed params when the transport
 * passed them on (own `__proto__`, `constructor` and `prototype` keys are plain data there),
 * else what the SDK parsed.
 */
function clientArguments(rc: RequestContext, params: { name: string; arguments?: Record<string, unknown> }): unknown {
    const raw = rc.callParams;
    if (raw !== undefined && raw.name === params.name && raw.arguments !== undefined) return raw.arguments;
    return params.arguments;
}

/**
 * Runs one tools/call: look up, validate strictly, run with a timeout, audit, answer.
 *
 * A read-only tool is recorded by one entry after it ran. A tool that changes state is
 * write-ahead: an "intent" entry is committed before it runs (if that fails, it does not run),
 * and an "outcome" entry linked to the intent records how it ended. A crash in between leaves
 * the intent without an outcome, which audit:verify and audit_recent report as outcome unknown.
 */
export async function callTool(
    deps: McpDeps,
    rc: RequestContext,
    params: { name: string; arguments?: Record<string, unknown> },
): Promise<CallToolResult> {
    const started = process.hrtime.bigint();
    const { name } = params;
    const args = clientArguments(rc, params);
    const tool = deps.registry.get(name);
    const changesState = tool !== undefined && !tool.annotations.readOnlyHint;
    await ensureAuditUp(deps, rc, changesState);
    const record = (outcome: AuditOutcome, errorCode: string | null) =>
        recordCall(deps, rc, { tool: name, args, outcome, errorCode, durationMs: elapsedMs(started) });

    if (tool === undefined) {
        await record("unknown_tool", "unknown_tool");
        throw new RpcError(
            ErrorCode.InvalidParams,
            `Unknown tool: ${auditText(name, TEXT_LIMITS.tool)}; call tools/list for the available tools`,
        );
    }
    const valid = tool.validate(args ?? {});
    if (!valid.ok) {
        // Per the 2025-11-25 spec, argument errors are tool execution errors so the model can correct them.
        await record("invalid_arguments", "invalid_arguments");
        return errorResult(`Invalid arguments for tool ${name}: ${valid.message}`);
    }

    let intent: AuditRecord | undefined;
    if (changesState) {
        try {
            intent = await appendEntry(deps, rc, {
                tool: name,
                args,
                outcome: "pending",
                errorCode: null,
                durationMs: elapsedMs(started),
                kind: "intent",
            });
        } catch {
            throw new RpcError(ErrorCode.InternalError, AUDIT_DOWN);
        }
    }

    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), tool.timeoutMs);
    });
    const log = rc.log.child({ tool: name });
    let result: CallToolResult;
    let outcome: AuditOutcome = "ok";
    let code: string | null = null;
    try {
        const run = tool.run(valid.value, { clientId: rc.clientId, requestId: rc.requestId, signal: controller.signal, deps, log });
        const raced = await Promise.race([run, timeout]);
        if (raced === "timeout") {
            controller.abort(new Error("timeout"));
            run.catch(() => undefined); // the handler's late failure has nobody left to tell
            [result, outcome, code] = [errorResult(`Tool ${name} timed out after ${tool.timeoutMs} ms`), "timeout", "timeout"];
        } else {
            result = raced;
            if (result.isError === true) [outcome, code] = ["tool_error", "tool_reported_error"];
        }
    } catch (err) {
        if (err instanceof ToolError) {
            [result, outcome, code] = [errorResult(err.message), "tool_error", err.code];
        } else if (err instanceof DependencyError) {
            [result, outcome, code] = [errorResult(`${err.message}; retry later`), "tool_error", "dependency_unavailable"];
        } else {
            log.error({ err }, "tool handler failed");
            [result, outcome, code] = [
                errorResult(`Tool ${name} failed with an internal error (request ${rc.requestId})`),
                "tool_error",
                "internal_error",
            ];
        }
    } finally {
        clearTimeout(timer);
    }
    if (intent === undefined) {
        await record(outcome, code);
        return result;
    }
    for (let attempt = 1; ; attempt++) {
        try {
            await appendEntry(deps, rc, {
                tool: name,
                args: {},
                outcome,
                errorCode: code,
                durationMs: elapsedMs(started),
                kind: "outcome",
                ref: intent.seq,
            });
            return result;
        } catch {
            if (attempt >= OUTCOME_ATTEMPTS) {
                log.error(
                    { intentSeq: intent.seq, outcome, errorCode: code },
                    "audit outcome entry lost: the intent stays 'outcome unknown'",
                );
                throw new RpcError(ErrorCode.InternalError, outcomeLost(intent.seq));
            }
            await new Promise((r) => setTimeout(r, 100 * 3 ** (attempt - 1)));
        }
    }
}

const INSTRUCTIONS = "Tools: server_info, a per-client scratchpad (scratchpad_*), audit_recent and audit_verify, plus configured tools.";

/**
 * The AuthInfo handed to the SDK's handler for one request. The SDK passes it through untouched
 * to the server factory, which is how the request's context reaches the tools/call handler.
 */
export function authInfoFor(rc: RequestContext, scopes: readonly string[]): AuthInfo {
    return { token: "", clientId: rc.clientId, scopes: [...scopes], extra: { rc } };
}

function contextOf(authInfo: AuthInfo | undefined): RequestContext {
    const rc = authInfo?.extra?.rc as RequestContext | undefined;
    // The route always sets it; a request without one never got past authentication.
    if (rc === undefined) throw new RpcError(ErrorCode.InternalError, "internal error: request context missing");
    return rc;
}

/**
 * The SDK answers a request whose params fail its schema with -32603 and the schema library's
 * issue list (a JSON array) as the message. That is the caller's mistake, not an internal error:
 * it is re-coded -32602 with one line per issue ("Invalid params: params.cursor: expected …").
 */
export function plainValidationError(message: JSONRPCMessage): JSONRPCMessage {
    if (!isJSONRPCErrorResponse(message) || message.error.code !== ErrorCode.InternalError || !message.error.message.startsWith("["))
        return message;
    let issues: unknown;
    try {
        issues = JSON.parse(message.error.message);
    } catch {
        return message;
    }
    if (!Array.isArray(issues) || issues.length === 0 || !issues.every((i) => typeof i?.message === "string" && Array.isArray(i?.path)))
        return message;
    const lines = (issues as { path: PropertyKey[]; message: string }[])
        .slice(0, 5)
        .map((i) => `${i.path.map(String).join(".") || "params"}: ${i.message}`);
    return { ...message, error: { code: ErrorCode.InvalidParams, message: `Invalid params: ${lines.join("; ")}` } };
}

/** Connects `server` through a transport wrapper that applies plainValidationError to what it sends. */
function withPlainValidationErrors(server: Server): Server {
    const connect = server.connect.bind(server);
    server.connect = (transport: Transport) => {
        const send = transport.send.bind(transport);
        transport.send = (message, options) => send(plainValidationError(message), options);
        return connect(transport);
    };
    return server;
}

/**
 * A fresh low-level MCP server for one request (stateless: no session survives the request).
 * The SDK's createMcpHandler calls this for both protocol eras (2026-07-28 and 2025).
 */
export function createServer(deps: McpDeps, authInfo: AuthInfo | undefined): Server {
    const rc = contextOf(authInfo);
    const server = new Server(
        { name: deps.facts.name, version: deps.facts.version },
        { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS },
    );
    server.setRequestHandler("tools/list", async () => ({ tools: deps.registry.listed }));
    server.setRequestHandler("tools/call", (request) => callTool(deps, rc, request.params));
    return withPlainValidationErrors(server);
}
