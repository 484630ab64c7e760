/**
 * The ceiling for bench/server-protocol.ts: a raw node:http JSON-RPC handler that parses the
 * body and answers tools/call with a fixed result. No MCP SDK, no checks of any kind.
 * Listens on 127.0.0.1:$PORT.
 */
import { createServer } from "node:http";

const port = Number(process.env.PORT ?? 8092);
const info = { name: "raw", version: "1.0.0", replicaId: `raw-${process.pid}`, tier: "none" };

createServer((req, res) => {
    if (req.method !== "POST") {
        res.end('{"status":"ok"}');
        return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
        const msg = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { id: number };
        const result = { content: [{ type: "text", text: JSON.stringify(info) }], structuredContent: info, resultType: "complete" };
        res.setHeader("Content-Type", "application/json");
        res.end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, result }));
    });
}).listen(port, "127.0.0.1", () => process.stdout.write(`raw handler listening on ${port}\n`));
