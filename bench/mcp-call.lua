-- wrk script for bench/server-protocol.ts: every request is one MCP 2026-07-28 tools/call
-- (mirrored MCP-Protocol-Version / Mcp-Method / Mcp-Name headers, _meta envelope), optionally
-- with a bearer key (BENCH_KEY). done() prints one JSON line with the measured figures.
local tool = os.getenv("BENCH_TOOL") or "server_info"
local key = os.getenv("BENCH_KEY")
-- BENCH_ERA=2025: a 2025-06-18 stateless request instead (no _meta envelope, no Mcp-* headers).
local legacy = os.getenv("BENCH_ERA") == "2025"

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
if key ~= nil and key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end
if legacy then
  wrk.headers["MCP-Protocol-Version"] = "2025-06-18"
  wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"' .. tool .. '","arguments":{}}}'
else
  wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
  wrk.headers["Mcp-Method"] = "tools/call"
  wrk.headers["Mcp-Name"] = tool
  wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"' .. tool .. '","arguments":{},' ..
    '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",' ..
    '"io.modelcontextprotocol/clientInfo":{"name":"wrk","version":"4"},' ..
    '"io.modelcontextprotocol/clientCapabilities":{},' ..
    '"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}}'
end


done = function(summary, latency, requests)
  -- errors: non-2xx statuses plus socket errors. (A JSON-RPC error in a 200 is caught by the
  -- bench's audit count for the bundled server and by the reference servers' fixed answers.)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50ms":%.3f,"p95ms":%.3f,"p99ms":%.3f,"errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout))
end
