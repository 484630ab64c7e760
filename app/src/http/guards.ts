import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { AuthInfo } from "@modelcontextprotocol/server";
import type { Logger } from "pino";
import { RPC, rpcError } from "./respond";

declare module "express-serve-static-core" {
    interface Request {
        /** Set by `requestId`. */
        id: string;
        log: Logger;
        /** The verified caller, read by the SDK's toNodeHandler and passed to the server factory. */
        auth?: AuthInfo;
    }
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Uses a sane incoming X-Request-Id or makes one; echoes it and binds a child logger. */
export function requestId(log: Logger) {
    return (req: Request, res: Response, next: NextFunction): void => {
        const incoming = req.headers["x-request-id"];
        req.id = typeof incoming === "string" && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
        req.log = log.child({ reqId: req.id });
        res.setHeader("X-Request-Id", req.id);
        next();
    };
}

/** Headers for an API that serves JSON and is never framed or cached. */
export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Referrer-Policy", "no-referrer");
    res.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
    res.setHeader("Cache-Control", "no-store");
    next();
}

const CORS_ALLOW_HEADERS =
    "Authorization, Content-Type, Accept, Mcp-Protocol-Version, Mcp-Method, Mcp-Name, Mcp-Session-Id, Last-Event-ID, X-API-Key, X-Request-Id";
const CORS_EXPOSE_HEADERS = "Mcp-Session-Id, WWW-Authenticate, Retry-After, X-Request-Id";

/**
 * DNS-rebinding protection for /mcp: the Host header must be one of `allowedHosts()`, and a
 * request that carries an Origin must come from an allowed origin (CORS headers are set for
 * those). Answers CORS preflights for allowed origins.
 */
export function hostAndOriginGuard(allowedHosts: () => readonly string[], allowedOrigins: readonly string[]) {
    return (req: Request, res: Response, next: NextFunction): void => {
        const host = (req.headers.host ?? "").toLowerCase();
        if (!allowedHosts().includes(host)) {
            req.log.warn({ host }, "rejected Host header");
            rpcError(res, 403, RPC.FORBIDDEN, `Forbidden: Host header "${host.slice(0, 100)}" is not allowed (see MCP_ALLOWED_HOSTS)`);
            return;
        }
        const origin = req.headers.origin;
        if (origin !== undefined) {
            if (!allowedOrigins.includes(origin)) {
                req.log.warn({ origin }, "rejected Origin header");
                rpcError(res, 403, RPC.FORBIDDEN, `Forbidden: Origin "${origin.slice(0, 100)}" is not allowed (see MCP_ALLOWED_ORIGINS)`);
                return;
            }
            res.setHeader("Access-Control-Allow-Origin", origin);
            res.setHeader("Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
            res.vary("Origin");
            if (req.method === "OPTIONS") {
                res.setHeader("Access-Control-Allow-Methods", "POST");
                res.setHeader("Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
                res.setHeader("Access-Control-Max-Age", "600");
                res.status(204).end();
                return;
            }
        }
        next();
    };
}

export class BodyError extends Error {
    constructor(
        readonly status: 400 | 413 | 415,
        message: string,
    ) {
        super(message);
    }
}

/** Reads the request body up to `maxBytes`; 413 as soon as it is known to be larger. */
export function readBody(req: Request, maxBytes: number): Promise<Buffer> {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > maxBytes)
        return Promise.reject(new BodyError(413, `Request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes`));
    const encoding = req.headers["content-encoding"];
    if (encoding !== undefined && encoding !== "identity") {
        return Promise.reject(new BodyError(415, `Unsupported Content-Encoding "${encoding}": send an uncompressed body`));
    }
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let failed = false;
        req.on("data", (chunk: Buffer) => {
            if (failed) return;
            size += chunk.length;
            if (size > maxBytes) {
                failed = true;
                reject(new BodyError(413, `Request body exceeds the limit of ${maxBytes} bytes`));
                return;
            }
            chunks.push(chunk);
        });
        req.on("end", () => !failed && resolve(Buffer.concat(chunks)));
        req.on("error", () => !failed && reject(new BodyError(400, "Request body could not be read")));
    });
}

/**
 * True when the JSON text nests arrays/objects deeper than `maxDepth`. A single linear scan over
 * the bytes (strings skipped), so a deeply nested body is refused before JSON.parse or any
 * schema validation does work that grows with its depth.
 */
export function jsonDepthExceeds(raw: Buffer, maxDepth: number): boolean {
    let depth = 0;
    let inString = false;
    for (let i = 0; i < raw.length; i++) {
        const c = raw[i];
        if (inString) {
            if (c === 0x5c)
                i++; // backslash: skip the escaped byte
            else if (c === 0x22) inString = false;
        } else if (c === 0x22) {
            inString = true;
        } else if (c === 0x7b || c === 0x5b) {
            if (++depth > maxDepth) return true;
        } else if (c === 0x7d || c === 0x5d) {
            depth--;
        }
    }
    return false;
}
