import type { Tool } from "@modelcontextprotocol/server";
import { auditTools } from "./auditTools";
import { loadConfiguredTools } from "./configured";
import { scratchpadTools } from "./scratchpad";
import { serverInfoTool } from "./serverInfo";
import type { ToolDefinition } from "./types";

export const BUILT_IN_TOOLS: readonly ToolDefinition[] = [serverInfoTool, ...scratchpadTools, ...auditTools];

/** The tools this server offers; the tools/list answer is computed once. */
export class ToolRegistry {
    private readonly byName = new Map<string, ToolDefinition>();
    /** The tools/list payload. */
    readonly listed: Tool[];

    constructor(tools: readonly ToolDefinition[]) {
        for (const t of tools) {
            if (this.byName.has(t.name)) throw new Error(`duplicate tool name ${t.name}`);
            this.byName.set(t.name, t);
        }
        this.listed = tools.map((t) => ({
            name: t.name,
            ...(t.title !== undefined ? { title: t.title } : {}),
            description: t.description,
            inputSchema: t.inputSchema as Tool["inputSchema"],
            annotations: { ...(t.title !== undefined ? { title: t.title } : {}), ...t.annotations },
        }));
    }

    get(name: unknown): ToolDefinition | undefined {
        return typeof name === "string" ? this.byName.get(name) : undefined;
    }

    get names(): string[] {
        return [...this.byName.keys()];
    }

    /** Every scope some tool requires (for the Protected Resource Metadata's scopes_supported). */
    get scopes(): string[] {
        return [...new Set([...this.byName.values()].flatMap((t) => t.scopes ?? []))].sort();
    }
}

/** Built-in tools plus those declared in MCP_TOOLS_CONFIG. */
export function buildRegistry(toolsConfig?: string, handlersDir?: string): ToolRegistry {
    const configured =
        toolsConfig !== undefined && handlersDir !== undefined
            ? loadConfiguredTools(toolsConfig, handlersDir, new Set(BUILT_IN_TOOLS.map((t) => t.name)))
            : [];
    return new ToolRegistry([...BUILT_IN_TOOLS, ...configured]);
}
