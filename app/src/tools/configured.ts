import * as fs from "node:fs";
import * as path from "node:path";
import { isCallToolResult, type CallToolResult, type JsonSchemaType } from "@modelcontextprotocol/server";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/server/validators/ajv";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigError } from "../config";
import { ToolError, jsonResult, type ToolContext, type ToolDefinition } from "./types";

const annotations = z.strictObject({
    readOnlyHint: z.boolean(),
    destructiveHint: z.boolean(),
    idempotentHint: z.boolean(),
    openWorldHint: z.boolean(),
});

const toolDeclaration = z.strictObject({
    name: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "must be lower_snake_case, 1-64 characters, starting with a letter"),
    title: z.string().min(1).max(200).optional(),
    description: z.string().min(1).max(4000),
    handler: z.string().min(1).describe("module file, relative to MCP_HANDLERS_DIR"),
    inputSchema: z.looseObject({ type: z.literal("object") }),
    annotations,
    timeoutMs: z.number().int().min(1).max(120_000).default(10_000),
    rateLimitPerMinute: z.number().int().min(1).optional(),
    sensitiveArguments: z.array(z.string()).default([]),
    /** OAuth scopes (RFC 6749 scope-token) a token must hold to call the tool; answered 403 insufficient_scope otherwise. */
    scopes: z
        .array(
            z
                .string()
                .regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, "must be an OAuth scope token (printable ASCII, no spaces, quotes or backslashes)"),
        )
        .min(1)
        .optional(),
});

const toolsFile = z.strictObject({ tools: z.array(toolDeclaration) });

export type ToolDeclaration = z.output<typeof toolDeclaration>;

/** What a handler module sees: who called, a request id, a timeout signal and a logger. No stores. */
export type HandlerContext = Pick<ToolContext, "clientId" | "requestId" | "signal" | "log">;
export type HandlerFn = (args: Record<string, unknown>, ctx: HandlerContext) => unknown;

/**
 * A copy of `schema` in which every object schema that does not say otherwise rejects unknown
 * properties. An explicit `additionalProperties` other than false on the top level is refused.
 */
export function closeObjectSchemas(schema: unknown, where: string, depth = 0): unknown {
    if (Array.isArray(schema)) return schema.map((s) => closeObjectSchemas(s, where, depth + 1));
    if (schema === null || typeof schema !== "object") return schema;
    const src = schema as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(src)) {
        if (k === "properties" || k === "$defs" || k === "definitions" || k === "patternProperties") {
            out[k] = Object.fromEntries(
                Object.entries(v as Record<string, unknown>).map(([pk, pv]) => [pk, closeObjectSchemas(pv, where, depth + 1)]),
            );
        } else if (k === "items" || k === "prefixItems" || k === "anyOf" || k === "oneOf" || k === "not") {
            out[k] = closeObjectSchemas(v, where, depth + 1);
        } else {
            out[k] = v;
        }
    }
    const isObject = src.type === "object" || (src.type === undefined && src.properties !== undefined);
    if (isObject && src.additionalProperties === undefined && src.unevaluatedProperties === undefined) {
        out.additionalProperties = false;
    }
    if (depth === 0 && src.additionalProperties !== undefined && src.additionalProperties !== false) {
        throw new ConfigError(`${where}: inputSchema must not allow additional properties (omit additionalProperties or set it to false)`);
    }
    if (
        depth === 0 &&
        src.additionalProperties === undefined &&
        src.unevaluatedProperties !== undefined &&
        src.unevaluatedProperties !== false
    ) {
        throw new ConfigError(
            `${where}: inputSchema must not allow unevaluated properties (omit unevaluatedProperties or set it to false)`,
        );
    }
    return out;
}

/** Resolves a handler file inside the handlers directory; refuses anything that escapes it. */
export function resolveHandler(handlersDir: string, handler: string, where: string): string {
    if (path.isAbsolute(handler)) throw new ConfigError(`${where}: handler must be a path relative to MCP_HANDLERS_DIR`);
    if (!/\.(c|m)?js$/.test(handler)) throw new ConfigError(`${where}: handler must be a .js, .cjs or .mjs file`);
    let dir: string;
    try {
        dir = fs.realpathSync(handlersDir);
    } catch {
        throw new ConfigError(`MCP_HANDLERS_DIR ${handlersDir} does not exist`);
    }
    let file: string;
    try {
        file = fs.realpathSync(path.resolve(dir, handler));
    } catch {
        throw new ConfigError(`${where}: handler file ${handler} not found in MCP_HANDLERS_DIR`);
    }
    if (!file.startsWith(dir + path.sep)) throw new ConfigError(`${where}: handler ${handler} resolves outside MCP_HANDLERS_DIR`);
    return file;
}

function loadHandler(file: string, where: string): HandlerFn {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as unknown;
    const candidates = [mod, (mod as { default?: unknown })?.default, (mod as { handler?: unknown })?.handler];
    const fn = candidates.find((c) => typeof c === "function");
    if (fn === undefined) throw new ConfigError(`${where}: ${path.basename(file)} must export a function (default export or "handler")`);
    return fn as HandlerFn;
}

/** Turns whatever a handler returned into a CallToolResult. */
export function toCallToolResult(value: unknown, name: string): CallToolResult {
    if (typeof value === "string") return { content: [{ type: "text", text: value }] };
    if (value !== null && typeof value === "object" && Array.isArray((value as { content?: unknown }).content)) {
        if (!isCallToolResult(value)) throw new Error(`handler for ${name} returned an invalid CallToolResult`);
        return value;
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return jsonResult(value as Record<string, unknown>);
    return { content: [{ type: "text", text: JSON.stringify(value ?? null) }] };
}

/** Errors whose message a handler means the caller to see: name "ToolError" or `expose: true`. */
function exposable(err: unknown): err is Error & { code?: unknown } {
    return err instanceof Error && (err.name === "ToolError" || (err as { expose?: unknown }).expose === true);
}

/** The SDK v2 validator: JSON Schema 2020-12 for schemas without `$schema` (as 2025-11-25 requires). */
const validatorProvider = new AjvJsonSchemaValidator();

export function buildConfiguredTool(decl: ToolDeclaration, handlersDir: string, where: string): ToolDefinition {
    const inputSchema = closeObjectSchemas(decl.inputSchema, where) as Record<string, unknown>;
    let validator: (input: unknown) => { valid: boolean; errorMessage?: string };
    try {
        validator = validatorProvider.getValidator(inputSchema as JsonSchemaType);
    } catch (err) {
        throw new ConfigError(`${where}: inputSchema is not a valid JSON Schema: ${(err as Error).message}`);
    }
    const handler = loadHandler(resolveHandler(handlersDir, decl.handler, where), where);
    return {
        name: decl.name,
        title: decl.title,
        description: decl.description,
        inputSchema,
        annotations: decl.annotations,
        timeoutMs: decl.timeoutMs,
        rateLimitPerMinute: decl.rateLimitPerMinute,
        sensitiveArguments: decl.sensitiveArguments,
        scopes: decl.scopes,
        validate(args) {
            const r = validator(args ?? {});
            if (r.valid) return { ok: true, value: args ?? {} };
            // Name unknown top-level properties; the validator's message does not.
            const known = Object.keys((inputSchema.properties as Record<string, unknown> | undefined) ?? {});
            const unknown = args !== null && typeof args === "object" ? Object.keys(args).filter((k) => !known.includes(k)) : [];
            const extra =
                unknown.length > 0 ? `unknown propert${unknown.length > 1 ? "ies" : "y"} ${unknown.map((k) => `"${k}"`).join(", ")}; ` : "";
            return { ok: false, message: `${extra}${(r.errorMessage ?? "invalid arguments").replace(/\bdata\b/g, "arguments")}` };
        },
        async run(args, ctx) {
            try {
                const value = await handler(args as Record<string, unknown>, {
                    clientId: ctx.clientId,
                    requestId: ctx.requestId,
                    signal: ctx.signal,
                    log: ctx.log,
                });
                return toCallToolResult(value, decl.name);
            } catch (err) {
                if (exposable(err)) throw new ToolError(err.message, typeof err.code === "string" ? err.code : "tool_error");
                throw err;
            }
        },
    };
}

function formatZodPath(p: readonly PropertyKey[]): string {
    return p
        .map((s) => (typeof s === "number" ? `[${s}]` : `.${String(s)}`))
        .join("")
        .replace(/^\./, "");
}

/** Reads a JSON or YAML tools file and builds its tools; every error names the file and field. */
export function loadConfiguredTools(configFile: string, handlersDir: string, reserved: ReadonlySet<string>): ToolDefinition[] {
    let raw: unknown;
    try {
        const text = fs.readFileSync(configFile, "utf8");
        raw = /\.json$/i.test(configFile) ? JSON.parse(text) : parseYaml(text);
    } catch (err) {
        throw new ConfigError(`MCP_TOOLS_CONFIG ${configFile} cannot be read or parsed: ${(err as Error).message}`);
    }
    const parsed = toolsFile.safeParse(raw);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ConfigError(`MCP_TOOLS_CONFIG ${configFile}: ${formatZodPath(issue.path) || "(file)"}: ${issue.message}`);
    }
    const seen = new Set<string>();
    return parsed.data.tools.map((decl, i) => {
        const where = `MCP_TOOLS_CONFIG ${configFile}: tools[${i}] (${decl.name})`;
        if (reserved.has(decl.name) || seen.has(decl.name)) throw new ConfigError(`${where}: the name ${decl.name} is already taken`);
        seen.add(decl.name);
        return buildConfiguredTool(decl, handlersDir, where);
    });
}
