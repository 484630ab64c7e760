/**
 * Reference for bench/server-protocol.ts: the SDK v2 bare stateless server, as its docs wire it
 * (createMcpHandler with a per-request McpServer factory, toNodeHandler on node:http), one tool
 * (server_info), no auth, audit, rate limit, logging or metrics. Serves 2026-07-28 and 2025-era
 * requests. Listens on 127.0.0.1:$PORT.
 */
import { createServer } from "node:http";
import { toNodeHandler } from "@modelcontextprotocol/node";
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";

const port = Number(process.env.PORT ?? 8091);
const info = { name: "reference", version: "1.0.0", replicaId: `ref-${process.pid}`, tier: "none" };

const handler = createMcpHandler(() => {
    const server = new McpServer({ name: "reference", version: "1.0.0" });
    server.registerTool("server_info", { description: "Reports the server name", annotations: { readOnlyHint: true } }, async () => ({
        content: [{ type: "text", text: JSON.stringify(info) }],
        structuredContent: info,
    }));
    return server;
});
const node = toNodeHandler(handler);

createServer((req, res) => {
    if (req.url === "/health") {
        res.end('{"status":"ok"}');
        return;
    }
    void node(req, res);
}).listen(port, "127.0.0.1", () => process.stdout.write(`sdk v2 bare server listening on ${port}\n`));
