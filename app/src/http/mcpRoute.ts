import type { Request, Response } from "express";
import { toWebRequest } from "@modelcontextprotocol/node";
import {
    WebStandardStreamableHTTPServerTransport,
    createMcpHandler,
    isLegacyRequest,
    PROTOCOL_VERSION_META_KEY,
    SUPPORTED_PROTOCOL_VERSIONS,
    type AuthInfo,
    type McpHttpHandler,
} from "@modelcontextprotocol/server";
import type { Logger } from "pino";
import type { Authenticator } from "../auth/authenticator";
import { authInfoFor, createServer, recordCall, type McpDeps, type RequestContext } from "../mcp";
import { methodLabel } from "../metrics";
import { BodyError, jsonDepthExceeds, readBody } from "./guards";
import { RPC, rpcError, type JsonRpcId } from "./respond";

export interface McpRouteOptions {
    deps: McpDeps;
    auth: Authenticator;
    maxBodyBytes: number;
    rateLimitPerMinute: number;
    /** Requests being served, for the SIGTERM drain. */
    inFlight: { count: number };
    isDraining: () => boolean;
    log?: Logger;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i;
/** Deepest JSON nesting accepted; checked on the raw bytes before JSON.parse. */
export const MAX_JSON_DEPTH = 64;
/** A client over its rate limit: a body up to this size is still read, to echo its id and audit the refused call. */
const REFUSED_BODY_READ_BYTES = 16 * 1024;
/** Messages in one JSON-RPC batch (2025-03-26 only). */
export const MAX_BATCH = 32;
/** The one protocol version whose Streamable HTTP transport carries JSON-RPC batches. */
const BATCH_VERSION = "2025-03-26";
/** W3C Trace Context `traceparent` (version 00 exactly; later versions may append fields). */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Every protocol version this endpoint serves: the 2026-07-28 era (the SDK's entry) and the 2025-era leg's versions. */
export const SERVED_PROTOCOL_VERSIONS: readonly string[] = ["2026-07-28", ...SUPPORTED_PROTOCOL_VERSIONS];

/**
 * The 2025-era leg knows only its own versions, so its unsupported-version answer (400, -32000, the
 * list in the message) would not tell a client that speaks both eras that 2026-07-28 is served too.
 * Rewrites that message to list every version this endpoint serves. The 2026-07-28 answer is left as
 * the SDK gives it: its `data.supported` names the versions a request may put in its envelope, the
 * same list as `server/discover`'s `supportedVersions` (the conformance suite's SEP-2575 check holds
 * it to that); 2025-era versions are reached through `initialize`, not through the envelope.
 */
async function listAllVersions(answer: globalThis.Response): Promise<globalThis.Response> {
    if (answer.status !== 400) return answer;
    const text = await answer.text();
    const rebuilt = (body: string) => new globalThis.Response(body, { status: answer.status, headers: answer.headers });
    let parsed: { error?: { message?: unknown } };
    try {
        parsed = JSON.parse(text) as typeof parsed;
    } catch {
        return rebuilt(text);
    }
    const error = parsed.error;
    const list = /\(supported versions: [^)]*\)/;
    if (
        error === undefined ||
        typeof error.message !== "string" ||
        !/Unsupported protocol version/i.test(error.message) ||
        !list.test(error.message)
    )
        return rebuilt(text);
    error.message = error.message.replace(list, `(supported versions: ${SERVED_PROTOCOL_VERSIONS.join(", ")})`);
    return rebuilt(JSON.stringify(parsed));
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A JSON-RPC request (not `initialize`, not a response) whose `params._meta` carries the 2026-07-28
 * envelope claim. The SDK's own rule (`isLegacyRequest`'s contract, `classifyRequestBody`): such a
 * request is never legacy, whatever version it names, and the modern handler answers it (or its
 * malformed envelope, or a header mismatch) itself. Deciding it here spares every 2026-07-28 call
 * a second classification (a handful of zod schema checks); anything else still asks the SDK.
 */
export function claimsModernEnvelope(body: unknown): boolean {
    if (!isPlainObject(body) || typeof body.method !== "string" || body.method === "initialize") return false;
    if (!("id" in body) || "result" in body || "error" in body) return false;
    const params = body.params;
    return isPlainObject(params) && isPlainObject(params._meta) && PROTOCOL_VERSION_META_KEY in params._meta;
}

/** The traceparent value when it is a valid W3C Trace Context header value, else undefined. */
export function validTraceparent(value: unknown): string | undefined {
    if (typeof value !== "string" || value.length > 512) return undefined;
    const m = TRACEPARENT.exec(value);
    if (m === null) return undefined;
    const [, version, traceId, parentId, , rest] = m;
    if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
    if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
    return value;
}

type RpcMessage = {
    jsonrpc?: unknown;
    id?: JsonRpcId;
    method?: unknown;
    params?: { name?: unknown; arguments?: unknown; _meta?: Record<string, unknown> };
};

function isJsonRpcMessage(m: unknown): m is RpcMessage {
    if (m === null || typeof m !== "object" || Array.isArray(m)) return false;
    const r = m as Record<string, unknown>;
    if (r.jsonrpc !== "2.0") return false;
    if (typeof r.method === "string") return r.params === undefined || (typeof r.params === "object" && r.params !== null);
    return ("result" in r || "error" in r) && (typeof r.id === "string" || typeof r.id === "number");
}

/** Why a request is refused before the SDK sees it. */
interface Refusal {
    status: number;
    code: number;
    message: string;
    headers: Record<string, string>;
}

/** Writes a web-standard Response (from the SDK) to the Node response, streaming its body. */
async function writeResponse(res: Response, answer: globalThis.Response): Promise<void> {
    res.status(answer.status);
    answer.headers.forEach((value, name) => {
        if (name !== "content-length") res.setHeader(name, value);
    });
    if (answer.body === null) {
        res.end();
        return;
    }
    for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) {
        if (res.destroyed) break;
        res.write(chunk);
    }
    res.end();
}

function headerValue(req: Request, name: string): string | undefined {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
}

/**
 * POST /mcp: auth, rate limit (before the body is read), body checks (size, JSON nesting),
 * then the SDK v2 handler (`createMcpHandler`), which serves 2026-07-28 requests and, through
 * its stateless legacy leg, 2025-era requests from the same server factory.
 */
export function mcpRoute(o: McpRouteOptions) {
    const { deps, auth } = o;
    // 2026-07-28 requests: the SDK's entry, strict (`legacy: "reject"`).
    const modern: McpHttpHandler = createMcpHandler((ctx) => createServer(deps, ctx.authInfo), {
        legacy: "reject",
        // "auto" answers with one JSON body: no tool here emits a notification before its result.
        responseMode: "auto",
        maxRequestBodySize: o.maxBodyBytes,
        onerror: (err) => o.log?.debug({ err: err.message }, "mcp handler reported"),
    });

    /**
     * 2025-era requests: what the SDK's `legacy: "stateless"` fallback does (a fresh server and
     * stateless transport per request, from the same factory), but with JSON responses instead of
     * a one-event SSE stream, as this server has always answered.
     */
    const legacy = async (request: globalThis.Request, body: unknown, authInfo: AuthInfo): Promise<globalThis.Response> => {
        const server = createServer(deps, authInfo);
        const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
        await server.connect(transport);
        try {
            return await transport.handleRequest(request, { parsedBody: body, authInfo });
        } finally {
            void transport.close();
            void server.close();
        }
    };

    /** One JSON-RPC message through the SDK, on the era its request belongs to. */
    const dispatch = async (request: globalThis.Request, body: unknown, authInfo: AuthInfo): Promise<globalThis.Response> =>
        !claimsModernEnvelope(body) && (await isLegacyRequest(request, body, { maxRequestBodySize: o.maxBodyBytes }))
            ? listAllVersions(await legacy(request, body, authInfo))
            : modern.fetch(request, { authInfo, parsedBody: body });

    /** Per-client limit. "answered": the limiter was unavailable and a 503 has been sent. */
    const clientLimit = async (
        res: Response,
        rc: RequestContext,
    ): Promise<{ state: "ok" | "answered" } | { state: "limited"; retryAfter: number }> => {
        if (o.rateLimitPerMinute <= 0) return { state: "ok" };
        try {
            const d = await deps.sessions.hit(`c:${rc.clientId}`, o.rateLimitPerMinute, 60);
            if (d.allowed) return { state: "ok" };
            deps.metrics.rateLimited.inc({ scope: "client" });
            return { state: "limited", retryAfter: d.retryAfterSeconds };
        } catch (err) {
            rc.log.error({ err: (err as Error).message }, "rate limiter unavailable");
            rpcError(
                res,
                503,
                RPC.SERVER_ERROR,
                "Service unavailable: the rate limiter's session store cannot be reached; retry later",
                null,
                { "Retry-After": "5" },
            );
            return { state: "answered" };
        }
    };

    /** A refused rate-limited request: audited when it is a tools/call, answered 429. */
    const rateLimited = async (
        rc: RequestContext,
        what: string,
        retryAfter: number,
        msg: RpcMessage | undefined,
        scope: "client" | "tool",
    ): Promise<Refusal> => {
        if (msg?.method === "tools/call" && typeof msg.params?.name === "string") {
            await recordCall(deps, rc, {
                tool: msg.params.name,
                args: msg.params.arguments,
                outcome: "denied",
                errorCode: `rate_limited_${scope}`,
                durationMs: 0,
            }).catch(() => undefined); // refused either way; recordCall has logged the lost entry
        }
        return {
            status: 429,
            code: RPC.RATE_LIMITED,
            message: `Too Many Requests: limit of ${what}; retry after ${retryAfter} s`,
            headers: { "Retry-After": String(retryAfter) },
        };
    };
    const send = (res: Response, r: Refusal, id: JsonRpcId = null) => rpcError(res, r.status, r.code, r.message, id, r.headers);

    return async (req: Request, res: Response): Promise<void> => {
        const started = process.hrtime.bigint();
        let method = "invalid";
        o.inFlight.count += 1;
        deps.metrics.inFlight.inc();
        res.on("close", () => {
            o.inFlight.count -= 1;
            deps.metrics.inFlight.dec();
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            deps.metrics.requests.inc({ method, status: String(res.statusCode) });
            deps.metrics.requestDuration.observe({ method }, seconds);
            req.log.info({ method: req.method, rpc: method, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10 }, "request");
        });
        if (o.isDraining()) res.setHeader("Connection", "close");

        if (req.method !== "POST") {
            rpcError(
                res,
                405,
                RPC.SERVER_ERROR,
                `Method ${req.method} not allowed: this server is stateless and serves POST /mcp only`,
                null,
                { Allow: "POST, OPTIONS" },
            );
            return;
        }

        const who = await auth.authenticate(req.headers);
        if (!who.ok) {
            deps.metrics.authFailures.inc({ reason: who.error ?? "missing" });
            req.log.info({ reason: who.description }, "authentication failed");
            const headers: Record<string, string> =
                who.status === 401 ? { "WWW-Authenticate": auth.challenge(who) } : { "Retry-After": "5" };
            rpcError(
                res,
                who.status,
                who.status === 401 ? RPC.UNAUTHORIZED : RPC.SERVER_ERROR,
                `${who.status === 401 ? "Unauthorized" : "Service unavailable"}: ${who.description}`,
                null,
                headers,
            );
            return;
        }
        // Bound in place, not as a child of the request's child: a pino logger two or three
        // children deep pays ~10 µs more for its first line than a direct child (a microbenchmark
        // in docs/server-protocol.md, "Log bindings"). req.log is this request's own logger.
        req.log.setBindings({ client: who.clientId });
        const rc: RequestContext = { clientId: who.clientId, requestId: req.id, log: req.log };

        const contentType = req.headers["content-type"] ?? "";
        if (!JSON_TYPE.test(contentType)) {
            rpcError(
                res,
                415,
                RPC.SERVER_ERROR,
                `Unsupported Media Type: Content-Type must be application/json, got "${contentType.slice(0, 100)}"`,
            );
            return;
        }

        // The per-client limit is checked before the body is read: an over-limit client's large body
        // is never read or parsed (the connection is closed instead).
        const limit = await clientLimit(res, rc);
        if (limit.state === "answered") return;
        const limited = limit.state === "limited";
        const retryAfter = limit.state === "limited" ? limit.retryAfter : 0;
        if (limited) {
            method = methodLabel(headerValue(req, "mcp-method") ?? "tools/call");
            const declared = Number(req.headers["content-length"] ?? "NaN");
            if (!(declared <= REFUSED_BODY_READ_BYTES)) {
                req.log.info({ contentLength: req.headers["content-length"] ?? "chunked" }, "rate limited; body not read");
                res.setHeader("Connection", "close");
                send(
                    res,
                    await rateLimited(rc, `${o.rateLimitPerMinute} requests per minute for this client`, retryAfter, undefined, "client"),
                );
                return;
            }
        }

        let body: unknown;
        try {
            const raw = await readBody(req, limited ? REFUSED_BODY_READ_BYTES : o.maxBodyBytes);
            if (jsonDepthExceeds(raw, MAX_JSON_DEPTH)) {
                throw new BodyError(400, `Invalid Request: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
            }
            try {
                body = JSON.parse(raw.toString("utf8"));
            } catch {
                throw new BodyError(400, "Parse error: the request body is not valid JSON");
            }
        } catch (err) {
            const e = err as BodyError;
            const status = e instanceof BodyError ? e.status : 400;
            const code =
                status === 400 && e.message.startsWith("Parse error")
                    ? RPC.PARSE_ERROR
                    : status === 400
                      ? RPC.INVALID_REQUEST
                      : RPC.SERVER_ERROR;
            rpcError(
                res,
                status,
                code,
                e instanceof BodyError ? e.message : "Request body could not be read",
                null,
                status === 413 ? { Connection: "close" } : {},
            );
            return;
        }

        if (Array.isArray(body)) {
            await serveBatch(req, res, body, rc, who.scopes);
            method = "batch";
            return;
        }
        if (!isJsonRpcMessage(body)) {
            rpcError(
                res,
                400,
                RPC.INVALID_REQUEST,
                'Invalid Request: the body is not a JSON-RPC 2.0 message (needs jsonrpc "2.0" and a method or result)',
            );
            return;
        }
        const msg = body;
        method = methodLabel(msg.method);
        if (limited) {
            send(
                res,
                await rateLimited(rc, `${o.rateLimitPerMinute} requests per minute for this client`, retryAfter, msg, "client"),
                msg.id ?? null,
            );
            return;
        }
        const refused = await checkCall(req, msg, rc, who.scopes);
        if (refused !== undefined) {
            send(res, refused, msg.id ?? null);
            return;
        }
        req.log = rc.log;
        req.auth = authInfoFor(rc, who.scopes ?? []);
        const answer = await dispatch(await toWebRequest(req, body), body, req.auth);
        await writeResponse(res, answer);
    };

    /**
     * What applies to one message before the SDK sees it: the caller's trace context, the tool's
     * scopes and the tool's rate limit. Returns the refusal, if any.
     */
    async function checkCall(
        req: Request,
        msg: RpcMessage,
        rc: RequestContext,
        scopes: readonly string[] | undefined,
    ): Promise<Refusal | undefined> {
        // The trace context of the request: `_meta.traceparent` (2026-07-28), else the W3C `traceparent` HTTP header.
        const tp = msg.params?._meta?.traceparent ?? headerValue(req, "traceparent");
        if (tp !== undefined) {
            rc.traceparent = validTraceparent(tp);
            if (rc.traceparent === undefined) rc.log.warn({ traceparent: String(tp).slice(0, 80) }, "ignored an invalid _meta.traceparent");
            else rc.log.setBindings({ traceparent: rc.traceparent }); // rc.log is this message's own logger
        }
        if (msg.method !== "tools/call") return undefined;
        // The raw params, own __proto__ keys intact, for the audit entry and strict validation.
        rc.callParams = msg.params as RequestContext["callParams"];
        const args = msg.params?.arguments;
        if (
            typeof msg.params?.name !== "string" ||
            (args !== undefined && (args === null || typeof args !== "object" || Array.isArray(args)))
        ) {
            // Said plainly here rather than as the SDK's schema issue list.
            return {
                status: 200,
                code: RPC.INVALID_PARAMS,
                message: "Invalid params: tools/call needs params.name (a string) and, if present, params.arguments (an object)",
                headers: {},
            };
        }
        const toolName = msg.params.name;
        const tool = deps.registry.get(toolName);
        if (tool === undefined) return undefined;
        // Per-tool scopes apply to OAuth tokens (API keys carry no scopes and may call every tool).
        if (tool.scopes !== undefined && scopes !== undefined) {
            const missing = tool.scopes.filter((s) => !scopes.includes(s));
            if (missing.length > 0) {
                deps.metrics.authFailures.inc({ reason: "insufficient_scope" });
                rc.log.info({ tool: toolName, missing }, "insufficient scope");
                await recordCall(deps, rc, {
                    tool: toolName,
                    args: msg.params.arguments,
                    outcome: "denied",
                    errorCode: "insufficient_scope",
                    durationMs: 0,
                }).catch(() => undefined);
                const needs = `tool ${toolName} needs the scope${tool.scopes.length > 1 ? "s" : ""} ${tool.scopes.join(" ")}`;
                return {
                    status: 403,
                    code: RPC.FORBIDDEN,
                    message: `Forbidden: ${needs}`,
                    headers: { "WWW-Authenticate": auth.scopeChallenge(tool.scopes, needs) },
                };
            }
        }
        if (tool.rateLimitPerMinute !== undefined) {
            try {
                const d = await deps.sessions.hit(`t:${rc.clientId}:${toolName}`, tool.rateLimitPerMinute, 60);
                if (!d.allowed) {
                    deps.metrics.rateLimited.inc({ scope: "tool" });
                    return await rateLimited(
                        rc,
                        `${tool.rateLimitPerMinute} calls per minute to ${toolName}`,
                        d.retryAfterSeconds,
                        msg,
                        "tool",
                    );
                }
            } catch (err) {
                rc.log.error({ err: (err as Error).message }, "rate limiter unavailable");
                return {
                    status: 503,
                    code: RPC.SERVER_ERROR,
                    message: "Service unavailable: the rate limiter's session store cannot be reached; retry later",
                    headers: { "Retry-After": "5" },
                };
            }
        }
        return undefined;
    }

    /**
     * A JSON-RPC batch. Only the 2025-03-26 transport carries batches (servers MUST accept them
     * there); from 2025-06-18 on, and on 2026-07-28, a batch is an invalid request. A request
     * without MCP-Protocol-Version is taken as 2025-03-26, as the 2025-06-18 transport says a
     * server should. Each message goes through the same SDK handler as a single request would.
     */
    async function serveBatch(
        req: Request,
        res: Response,
        batch: unknown[],
        rc: RequestContext,
        scopes: readonly string[] | undefined,
    ): Promise<void> {
        const version = headerValue(req, "mcp-protocol-version") ?? BATCH_VERSION;
        if (version !== BATCH_VERSION) {
            rpcError(
                res,
                400,
                RPC.INVALID_REQUEST,
                `Invalid Request: JSON-RPC batches are not supported in protocol version ${version.slice(0, 20)} (only ${BATCH_VERSION}); send one message per request`,
            );
            return;
        }
        if (batch.length === 0 || batch.length > MAX_BATCH) {
            rpcError(res, 400, RPC.INVALID_REQUEST, `Invalid Request: a batch must hold 1 to ${MAX_BATCH} messages, got ${batch.length}`);
            return;
        }
        if (!batch.every(isJsonRpcMessage)) {
            rpcError(res, 400, RPC.INVALID_REQUEST, "Invalid Request: every batch element must be a JSON-RPC 2.0 message");
            return;
        }
        if (batch.some((m) => m.method === "initialize")) {
            rpcError(res, 400, RPC.INVALID_REQUEST, "Invalid Request: initialize must not be part of a JSON-RPC batch");
            return;
        }
        const url = `http://${req.headers.host ?? "localhost"}${req.originalUrl}`;
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && k !== "content-length") headers.set(k, v);
        const replies: unknown[] = [];
        for (const msg of batch) {
            // Each message of a batch logs through a logger of its own (its traceparent is its own).
            const itemRc: RequestContext = { ...rc, log: rc.log.child({}) };
            const refused = await checkCall(req, msg, itemRc, scopes);
            if (refused !== undefined) {
                if (msg.id !== undefined && msg.method !== undefined)
                    replies.push({ jsonrpc: "2.0", error: { code: refused.code, message: refused.message }, id: msg.id });
                continue;
            }
            const answer = await dispatch(
                new globalThis.Request(url, { method: "POST", headers, body: JSON.stringify(msg) }),
                msg,
                authInfoFor(itemRc, scopes ?? []),
            );
            const out = await answer.text();
            if (out !== "" && answer.headers.get("content-type")?.startsWith("application/json")) replies.push(JSON.parse(out));
        }
        if (replies.length === 0) {
            res.status(202).end();
            return;
        }
        res.status(200).json(replies);
    }
}
