import type { Request, Response } from "express";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { JSONRPCMessageSchema } from "@modelcontextprotocol/sdk/types.js";
import type { Authenticator } from "../auth/authenticator";
import { createServer, recordCall, type McpDeps, type RequestContext } from "../mcp";
import { methodLabel } from "../metrics";
import { BodyError, readBody } from "./guards";
import { RPC, rpcError, type JsonRpcId } from "./respond";

export interface McpRouteOptions {
  deps: McpDeps;
  auth: Authenticator;
  maxBodyBytes: number;
  rateLimitPerMinute: number;
  /** Requests being served, for the SIGTERM drain. */
  inFlight: { count: number };
  isDraining: () => boolean;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i;

/** POST /mcp: auth, body checks, rate limits, then a fresh stateless MCP server and transport. */
export function mcpRoute(o: McpRouteOptions) {
  const { deps, auth } = o;

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
      rpcError(res, 405, RPC.SERVER_ERROR, `Method ${req.method} not allowed: this server is stateless and serves POST /mcp only`, null, { Allow: "POST, OPTIONS" });
      return;
    }

    const who = await auth.authenticate(req.headers);
    if (!who.ok) {
      deps.metrics.authFailures.inc({ reason: who.error });
      req.log.info({ reason: who.description }, "authentication failed");
      const headers: Record<string, string> = who.status === 401 ? { "WWW-Authenticate": auth.challenge(who) } : { "Retry-After": "5" };
      rpcError(res, who.status, who.status === 401 ? RPC.UNAUTHORIZED : RPC.SERVER_ERROR, `${who.status === 401 ? "Unauthorized" : "Service unavailable"}: ${who.description}`, null, headers);
      return;
    }
    req.log = req.log.child({ client: who.clientId });

    const contentType = req.headers["content-type"] ?? "";
    if (!JSON_TYPE.test(contentType)) {
      rpcError(res, 415, RPC.SERVER_ERROR, `Unsupported Media Type: Content-Type must be application/json, got "${contentType.slice(0, 100)}"`);
      return;
    }
    let body: unknown;
    try {
      const raw = await readBody(req, o.maxBodyBytes);
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        throw new BodyError(400, "Parse error: the request body is not valid JSON");
      }
    } catch (err) {
      const e = err as BodyError;
      const status = e instanceof BodyError ? e.status : 400;
      const code = status === 400 && e.message.startsWith("Parse error") ? RPC.PARSE_ERROR : RPC.SERVER_ERROR;
      rpcError(res, status, code, e instanceof BodyError ? e.message : "Request body could not be read", null, status === 413 ? { Connection: "close" } : {});
      return;
    }
    if (Array.isArray(body)) {
      rpcError(res, 400, RPC.INVALID_REQUEST, "Invalid Request: JSON-RPC batches are not supported; send one message per request");
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(body);
    if (!parsed.success) {
      rpcError(res, 400, RPC.INVALID_REQUEST, "Invalid Request: the body is not a JSON-RPC 2.0 message (needs jsonrpc \"2.0\" and a method or result)");
      return;
    }
    const msg = body as { id?: JsonRpcId; method?: unknown; params?: { name?: unknown; arguments?: unknown } };
    const id = msg.id ?? null;
    method = methodLabel(msg.method);
    const traceparent = typeof req.headers.traceparent === "string" ? req.headers.traceparent : undefined;
    // callParams: the raw tools/call params, own __proto__ keys intact, for the audit entry and strict validation.
    const rc: RequestContext = { clientId: who.clientId, requestId: req.id, log: req.log, traceparent, callParams: msg.params };
    const isCall = msg.method === "tools/call" && typeof msg.params?.name === "string";
    const toolName = isCall ? (msg.params!.name as string) : "";

    // Rate limits: per client on every request, and per tool where the tool sets one.
    try {
      const limits: { bucket: string; limit: number; scope: "client" | "tool" }[] = [];
      if (o.rateLimitPerMinute > 0) limits.push({ bucket: `c:${who.clientId}`, limit: o.rateLimitPerMinute, scope: "client" });
      const toolLimit = isCall ? deps.registry.get(toolName)?.rateLimitPerMinute : undefined;
      if (toolLimit !== undefined) limits.push({ bucket: `t:${who.clientId}:${toolName}`, limit: toolLimit, scope: "tool" });
      for (const l of limits) {
        const d = await deps.sessions.hit(l.bucket, l.limit, 60);
        if (d.allowed) continue;
        deps.metrics.rateLimited.inc({ scope: l.scope });
        if (isCall) {
          await recordCall(deps, rc, { tool: toolName, args: msg.params?.arguments, outcome: "denied", errorCode: `rate_limited_${l.scope}`, durationMs: 0 })
            .catch(() => undefined); // refused either way; recordCall has logged the lost entry
        }
        const what = l.scope === "client" ? `${l.limit} requests per minute for this client` : `${l.limit} calls per minute to ${toolName}`;
        rpcError(res, 429, RPC.RATE_LIMITED, `Too Many Requests: limit of ${what}; retry after ${d.retryAfterSeconds} s`, id, {
          "Retry-After": String(d.retryAfterSeconds),
        });
        return;
      }
    } catch (err) {
      req.log.error({ err: (err as Error).message }, "rate limiter unavailable");
      rpcError(res, 503, RPC.SERVER_ERROR, "Service unavailable: the rate limiter's session store cannot be reached; retry later", id, { "Retry-After": "5" });
      return;
    }

    const server = createServer(deps, rc);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };
}
