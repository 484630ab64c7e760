import type { Response } from "express";

export type JsonRpcId = string | number | null;

/** Sends a JSON-RPC error with an HTTP status: the message says what was wrong, nothing more. */
export function rpcError(
    res: Response,
    status: number,
    code: number,
    message: string,
    id: JsonRpcId = null,
    headers: Record<string, string> = {},
): void {
    if (res.headersSent) return;
    res.status(status).set(headers).json({ jsonrpc: "2.0", error: { code, message }, id });
}

/** JSON-RPC error codes used at the HTTP layer. */
export const RPC = {
    PARSE_ERROR: -32700,
    INVALID_REQUEST: -32600,
    INVALID_PARAMS: -32602,
    INTERNAL_ERROR: -32603,
    /** Implementation-defined server errors (-32000 to -32099). */
    SERVER_ERROR: -32000,
    UNAUTHORIZED: -32001,
    FORBIDDEN: -32002,
    RATE_LIMITED: -32029,
} as const;
