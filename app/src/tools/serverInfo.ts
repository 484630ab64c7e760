import { z } from "zod";
import { defineTool, jsonResult, type ToolDefinition } from "./types";

export const serverInfoTool: ToolDefinition = defineTool({
    name: "server_info",
    title: "Server info",
    description: "Reports this server's version, the replica that answered, its storage backends and its sizing tier.",
    schema: z.strictObject({}),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run(_args, { deps, clientId }) {
        return jsonResult({
            name: deps.facts.name,
            version: deps.facts.version,
            replicaId: deps.facts.replicaId,
            tier: deps.facts.tier,
            storage: { audit: deps.audit.backend, session: deps.sessions.backend },
            auth: deps.facts.auth,
            clientId,
        });
    },
});
