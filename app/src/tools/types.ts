import type { CallToolResult } from "@modelcontextprotocol/server";
import type { Logger } from "pino";
import { z } from "zod";
import type { AuditStore } from "../audit/store";
import type { SessionStore } from "../session/store";

/** Every tool states all four hints explicitly. */
export interface ToolAnnotations {
    readOnlyHint: boolean;
    destructiveHint: boolean;
    idempotentHint: boolean;
    openWorldHint: boolean;
}

export interface ServerFacts {
    name: string;
    version: string;
    replicaId: string;
    tier: string;
    auth: "api-key" | "oauth" | "api-key+oauth" | "none";
}

export interface ToolDeps {
    audit: AuditStore;
    sessions: SessionStore;
    facts: ServerFacts;
}

export interface ToolContext {
    clientId: string;
    requestId: string;
    /** Aborted when the tool's timeout passes. */
    signal: AbortSignal;
    deps: ToolDeps;
    log: Logger;
}

export type Validation = { ok: true; value: unknown } | { ok: false; message: string };

export interface ToolDefinition {
    name: string;
    title?: string;
    description: string;
    /** JSON Schema (object) advertised in tools/list. */
    inputSchema: Record<string, unknown>;
    annotations: ToolAnnotations;
    /** @default 10000 */
    timeoutMs: number;
    /** Calls per client per minute for this tool, on top of the per-client limit. */
    rateLimitPerMinute?: number;
    /** Argument names stored as "[REDACTED]" in the audit log (secret-looking names always are). */
    sensitiveArguments?: readonly string[];
    /** OAuth scopes an OAuth token must hold to call this tool (API keys are not scoped). */
    scopes?: readonly string[];
    /** Strict: unknown properties are rejected. */
    validate(args: unknown): Validation;
    run(args: unknown, ctx: ToolContext): Promise<CallToolResult>;
}

/** An expected failure the caller can act on; reported as a tool error with its message. */
export class ToolError extends Error {
    constructor(
        message: string,
        readonly code = "tool_error",
    ) {
        super(message);
        this.name = "ToolError";
    }
}

/** A result carrying `value` both as JSON text and as structured content. */
export function jsonResult(value: Record<string, unknown>): CallToolResult {
    return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
}

export function errorResult(message: string): CallToolResult {
    return { content: [{ type: "text", text: message }], isError: true };
}

function formatIssues(error: z.ZodError): string {
    return error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "(arguments)"}: ${i.message}`).join("; ");
}

/** Defines a built-in tool whose arguments are a strict zod object. */
export function defineTool<S extends z.ZodObject>(def: {
    name: string;
    title?: string;
    description: string;
    schema: S;
    annotations: ToolAnnotations;
    timeoutMs?: number;
    rateLimitPerMinute?: number;
    sensitiveArguments?: readonly string[];
    run(args: z.output<S>, ctx: ToolContext): Promise<CallToolResult>;
}): ToolDefinition {
    const { $schema: _ignored, ...inputSchema } = z.toJSONSchema(def.schema, { io: "input" }) as Record<string, unknown>;
    return {
        name: def.name,
        title: def.title,
        description: def.description,
        inputSchema,
        annotations: def.annotations,
        timeoutMs: def.timeoutMs ?? 10_000,
        rateLimitPerMinute: def.rateLimitPerMinute,
        sensitiveArguments: def.sensitiveArguments,
        validate(args) {
            const r = def.schema.safeParse(args ?? {});
            return r.success ? { ok: true, value: r.data } : { ok: false, message: formatIssues(r.error) };
        },
        run: (args, ctx) => def.run(args as z.output<S>, ctx),
    };
}
