/**
 * The reference for bench/app-throughput.ts: the MCP TypeScript SDK's bare stateless Streamable
 * HTTP server (a fresh McpServer and transport per request, JSON responses), with one tool and
 * no auth, audit, rate limit, logging or metrics. Listens on 127.0.0.1:$PORT.
 */
import express from "express";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

const port = Number(process.env.PORT ?? 8090);

function buildServer(): McpServer {
    const server = new McpServer({ name: "reference", version: "1.0.0" });
    server.registerTool("server_info", { description: "Reports the server name", annotations: { readOnlyHint: true } }, async () => {
        const info = { name: "reference", version: "1.0.0", replicaId: `ref-${process.pid}`, tier: "none" };
        return { content: [{ type: "text", text: JSON.stringify(info) }], structuredContent: info };
    });
    return server;
}

const app = express();
app.use(express.json());
app.post("/mcp", async (req, res) => {
    const server = buildServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
        void transport.close();
        void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
});
app.get("/health", (_req, res) => {
    res.json({ status: "ok" });
});
app.listen(port, "127.0.0.1", () => process.stdout.write(`reference listening on ${port}\n`));
