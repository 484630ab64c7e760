/**
 * The nginx configuration of the local target's EdgeLB: a pure function, so the Docker
 * components mount its output and tests (test/nginx.test.ts, test/drill/) run the very same
 * file with the Debian nginx binary.
 *
 * What the generated nginx.conf does, and why:
 *
 * - **Only the public surface.** `POST /mcp`, `GET /health` and `GET /ready` are proxied (and the
 *   OAuth Protected Resource Metadata when asked for); everything else is a 404 from nginx, so the
 *   server's `/metrics` (on its own METRICS_PORT anyway) is never reachable through the edge.
 * - **Least connections** over the replicas, with passive health checks: a replica that fails
 *   `maxFails` times within `failTimeoutSeconds` gets no traffic for `failTimeoutSeconds`, then one
 *   request probes it again. Retries (`proxy_next_upstream`) are bounded in tries and time.
 * - **Retries and tool calls that are not idempotent.** A `tools/call` is a POST and may change
 *   state; once a replica has received it, it may have run the tool and written its audit entry
 *   even if the replica died before answering. nginx never passes a POST to another replica after
 *   it started sending it upstream unless `non_idempotent` is listed, and we deliberately do NOT
 *   list it: repeating such a call would run it twice. What nginx does retry, for every method, is
 *   a request that never reached a replica (connection refused or reset while connecting, connect
 *   timeout), which is always safe; that is what makes a killed replica invisible to clients.
 *   A POST that was lost in flight gets a 502 whose message says the call may have run; the
 *   client decides (the server's tools carry `idempotentHint` / `readOnlyHint` for that).
 *   `proxy_request_buffering off` reinforces this: nginx cannot replay a body it did not keep.
 * - **Streaming**: no buffering in either direction, HTTP/1.1 with keep-alive to the replicas, and
 *   a long read timeout, so Streamable HTTP (SSE) responses flow as they are written.
 * - **Per-client rate limit** by client IP (`limit_req`, 429 with `Retry-After` and the same
 *   JSON-RPC error code as the server, -32029), or none when `rateLimitPerMinute` is null. The
 *   server keeps its own per-API-key limit behind it.
 * - **Host is passed through unchanged** (`$http_host`, port included), because the server
 *   answers `/mcp` only for Host values in MCP_ALLOWED_HOSTS (DNS-rebinding protection): set that
 *   variable to the names clients use, e.g. `localhost:8443`.
 * - **Security headers** on every answer, nginx's own included; the server's copies are hidden so
 *   none appears twice. No version in `Server` or error pages.
 */
import { isIP } from "node:net";
import { ConfigError } from "../../sizing";

/** One server replica as nginx reaches it (a container name on the Docker network, or an IP). */
export interface NginxUpstream {
    host: string;
    port: number;
}

/**
 * Where nginx keeps its pid file, logs and temporary files. Only needed when nginx runs outside
 * its container (tests run the Debian binary as an ordinary process); in the container the
 * image's defaults apply.
 */
export interface NginxRuntimePaths {
    /** @example "/tmp/drill/nginx.pid" */
    pidFile?: string;
    /** Error log file. @default "/dev/stderr" */
    errorLog?: string;
    /** Access log file (JSON lines, one per request). @default "/dev/stdout" */
    accessLog?: string;
    /** Directory for the client body and proxy temporary files. @default nginx's compiled-in paths */
    tempDir?: string;
}

export interface NginxConfigOptions {
    /** Port nginx listens on (inside its container). @example 8080 */
    listenPort: number;
    /** The server replicas. At least one; each host:port once. */
    upstreams: NginxUpstream[];
    /** Requests per minute allowed from one client IP on /mcp; null = no limit at the edge. */
    rateLimitPerMinute: number | null;
    /**
     * Host names this edge answers for; a request for any other Host gets 421. Omit to answer any
     * Host (the server's MCP_ALLOWED_HOSTS check still applies to /mcp).
     * @example ["localhost", "mcp.localhost"]
     */
    serverNames?: string[];
    /** Address to listen on. @default all IPv4 addresses ("*") */
    listenAddress?: string;
    /** Requests above the rate accepted at once before 429s start. @default rate ÷ 6 (ten seconds' worth), at least 5 */
    rateLimitBurst?: number;
    /** Largest request body; match the server's MCP_MAX_BODY_BYTES. @default 1048576 */
    maxBodyBytes?: number;
    /** Seconds nginx waits between two reads of a replica's response (SSE streams idle this long). @default 300 */
    readTimeoutSeconds?: number;
    /** Failures within `failTimeoutSeconds` that take a replica out. @default 2 */
    maxFails?: number;
    /** Window for `maxFails`, and how long a failed replica rests. @default 5 */
    failTimeoutSeconds?: number;
    /** Also proxy /.well-known/oauth-protected-resource[/mcp] (OAuth resource-server mode). @default false */
    exposeOAuthMetadata?: boolean;
    /** nginx worker processes. @default "auto" */
    workerProcesses?: number | "auto";
    /** Runtime paths for running nginx outside a container. @default {} */
    runtime?: NginxRuntimePaths;
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
/** Absolute paths nginx can take unquoted: no whitespace, quotes, `;`, braces, `$` or `#`. */
const SAFE_PATH = /^\/[A-Za-z0-9._/-]*$/;

function isPort(n: unknown): n is number {
    return Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
}

function positiveInt(field: string, n: number | undefined, dflt: number, max: number): number {
    if (n === undefined) return dflt;
    if (!Number.isInteger(n) || n < 1 || n > max) throw new ConfigError(field, `must be an integer from 1 to ${max}, got ${n}`);
    return n;
}

/** An upstream address as nginx writes it: IPv6 in brackets. */
function upstreamAddress(u: NginxUpstream): string {
    return isIP(u.host) === 6 ? `[${u.host}]:${u.port}` : `${u.host}:${u.port}`;
}

interface Normalized {
    listen: string;
    upstreams: string[];
    rate: { perMinute: number; burst: number } | null;
    serverNames?: string[];
    maxBodyBytes: number;
    readTimeoutSeconds: number;
    maxFails: number;
    failTimeoutSeconds: number;
    exposeOAuthMetadata: boolean;
    workerProcesses: string;
    runtime: NginxRuntimePaths;
}

/** Checks every option and fills in the defaults; errors name the field. */
function normalize(o: NginxConfigOptions): Normalized {
    if (!isPort(o.listenPort)) throw new ConfigError("listenPort", `must be an integer port from 1 to 65535, got ${o.listenPort}`);
    if (!Array.isArray(o.upstreams) || o.upstreams.length === 0) {
        throw new ConfigError("upstreams", "must list at least one server replica ({ host, port })");
    }
    const upstreams = o.upstreams.map((u, i) => {
        const host = typeof u?.host === "string" ? u.host.trim() : "";
        if (isIP(host) === 0 && !HOSTNAME.test(host)) {
            throw new ConfigError(`upstreams[${i}].host`, `must be a host name or an IP address, got "${u?.host}"`);
        }
        if (!isPort(u.port)) throw new ConfigError(`upstreams[${i}].port`, `must be an integer port from 1 to 65535, got ${u.port}`);
        return upstreamAddress({ host, port: u.port });
    });
    const dup = upstreams.find((a, i) => upstreams.indexOf(a) !== i);
    if (dup !== undefined) throw new ConfigError("upstreams", `lists ${dup} twice`);

    let rate: Normalized["rate"] = null;
    if (o.rateLimitPerMinute !== null) {
        const perMinute = o.rateLimitPerMinute;
        if (!Number.isInteger(perMinute) || perMinute < 1 || perMinute > 60_000_000) {
            throw new ConfigError(
                "rateLimitPerMinute",
                `must be an integer from 1 to 60000000, or null for no edge limit; got ${perMinute}`,
            );
        }
        const burst = positiveInt("rateLimitBurst", o.rateLimitBurst, Math.max(5, Math.ceil(perMinute / 6)), 10_000_000);
        rate = { perMinute, burst };
    } else if (o.rateLimitBurst !== undefined) {
        throw new ConfigError("rateLimitBurst", "is only used with a rateLimitPerMinute");
    }

    let serverNames: string[] | undefined;
    if (o.serverNames !== undefined) {
        if (!Array.isArray(o.serverNames) || o.serverNames.length === 0) {
            throw new ConfigError("serverNames", "must list at least one host name; omit it to answer any Host");
        }
        serverNames = o.serverNames.map((n, i) => {
            const name = typeof n === "string" ? n.trim().toLowerCase() : "";
            if (isIP(name) === 0 && !HOSTNAME.test(name)) {
                throw new ConfigError(
                    `serverNames[${i}]`,
                    `must be a host name such as mcp.localhost (no port, wildcard or path), got "${n}"`,
                );
            }
            return isIP(name) === 6 ? `[${name}]` : name;
        });
        const dupName = serverNames.find((a, i) => serverNames!.indexOf(a) !== i);
        if (dupName !== undefined) throw new ConfigError("serverNames", `lists ${dupName} twice`);
    }

    let listen = String(o.listenPort);
    if (o.listenAddress !== undefined && o.listenAddress !== "*") {
        const family = isIP(o.listenAddress);
        if (family === 0) throw new ConfigError("listenAddress", `must be an IP address or "*", got "${o.listenAddress}"`);
        listen = family === 6 ? `[${o.listenAddress}]:${o.listenPort}` : `${o.listenAddress}:${o.listenPort}`;
    }

    const runtime = { ...(o.runtime ?? {}) };
    for (const k of ["pidFile", "errorLog", "accessLog", "tempDir"] as const) {
        const p = runtime[k];
        if (p !== undefined && !SAFE_PATH.test(p)) {
            throw new ConfigError(`runtime.${k}`, `must be an absolute path of letters, digits, ".", "_", "-" and "/", got "${p}"`);
        }
    }
    const wp = o.workerProcesses ?? "auto";
    if (wp !== "auto" && (!Number.isInteger(wp) || wp < 1 || wp > 64)) {
        throw new ConfigError("workerProcesses", `must be "auto" or an integer from 1 to 64, got ${wp}`);
    }

    return {
        listen,
        upstreams,
        rate,
        serverNames,
        maxBodyBytes: positiveInt("maxBodyBytes", o.maxBodyBytes, 1024 * 1024, 64 * 1024 * 1024),
        readTimeoutSeconds: positiveInt("readTimeoutSeconds", o.readTimeoutSeconds, 300, 3600),
        maxFails: positiveInt("maxFails", o.maxFails, 2, 100),
        failTimeoutSeconds: positiveInt("failTimeoutSeconds", o.failTimeoutSeconds, 5, 3600),
        exposeOAuthMetadata: o.exposeOAuthMetadata ?? false,
        workerProcesses: String(wp),
        runtime,
    };
}

/** The server's own security headers: hidden from its answers and set by nginx on all of them. */
const SECURITY_HEADERS: readonly [string, string][] = [
    ["X-Content-Type-Options", "nosniff"],
    ["X-Frame-Options", "DENY"],
    ["Referrer-Policy", "no-referrer"],
    ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"],
];

/**
 * `add_header` lines. nginx drops inherited add_header directives in any block that has its own,
 * so a location that adds a header repeats the security headers through this.
 */
function addHeaders(indent: string, extra: [string, string][] = []): string[] {
    return [...SECURITY_HEADERS, ...extra].map(([k, v]) => `${indent}add_header ${k} "${v}" always;`);
}

/** A JSON body for nginx's own answers, as an nginx single-quoted string. */
function jsonBody(value: unknown): string {
    const s = JSON.stringify(value);
    if (s.includes("'")) throw new Error("internal: nginx JSON body must not contain a single quote");
    return `'${s}'`;
}

function rpcErrorBody(code: number, message: string): string {
    return jsonBody({ jsonrpc: "2.0", error: { code, message }, id: null });
}

/** The proxy directives every proxied location shares. */
function proxyBlock(indent: string, n: Normalized, nextUpstream: string): string[] {
    return [
        `proxy_pass http://mcp_servers;`,
        `proxy_http_version 1.1;`,
        // Empty Connection header: keep-alive to the replicas instead of "close".
        `proxy_set_header Connection "";`,
        // Host exactly as the client sent it (port included), for the server's MCP_ALLOWED_HOSTS check.
        `proxy_set_header Host $http_host;`,
        // nginx is the edge: what clients claim in X-Forwarded-* is replaced, not appended to.
        `proxy_set_header X-Forwarded-For $remote_addr;`,
        `proxy_set_header X-Real-IP $remote_addr;`,
        `proxy_set_header X-Forwarded-Proto $scheme;`,
        `proxy_set_header X-Forwarded-Host $http_host;`,
        `proxy_set_header X-Request-Id $mcp_request_id;`,
        // Streamable HTTP: responses (SSE) and request bodies flow through unbuffered.
        `proxy_buffering off;`,
        `proxy_request_buffering off;`,
        `proxy_cache off;`,
        `proxy_connect_timeout 2s;`,
        `proxy_send_timeout 60s;`,
        `proxy_read_timeout ${n.readTimeoutSeconds}s;`,
        // See the file comment: without non_idempotent, a POST that reached a replica is never
        // repeated on another; requests that never reached one are retried, boundedly.
        `proxy_next_upstream ${nextUpstream};`,
        `proxy_next_upstream_tries ${Math.min(n.upstreams.length, 3)};`,
        `proxy_next_upstream_timeout 10s;`,
    ].map((l) => indent + l);
}

/** A complete nginx.conf (main, events and http contexts) for the local EdgeLB. */
export function renderNginxConfig(opts: NginxConfigOptions): string {
    const n = normalize(opts);
    const rt = n.runtime;
    const i1 = "    ";
    const i2 = i1 + i1;
    const i3 = i2 + i1;
    const lines: string[] = [
        "# Generated by mcp-infra (components/local/nginx.ts); do not edit by hand.",
        `worker_processes ${n.workerProcesses};`,
        `error_log ${rt.errorLog ?? "/dev/stderr"} warn;`,
        ...(rt.pidFile !== undefined ? [`pid ${rt.pidFile};`] : []),
        "",
        "events {",
        `${i1}worker_connections 4096;`,
        "}",
        "",
        "http {",
        `${i1}server_tokens off;`,
        `${i1}default_type application/json;`,
        `${i1}sendfile off;`,
        `${i1}gzip off;`,
        `${i1}keepalive_timeout 75s;`,
        `${i1}client_header_timeout 10s;`,
        `${i1}client_body_timeout 30s;`,
        `${i1}reset_timedout_connection on;`,
        `${i1}client_max_body_size ${n.maxBodyBytes};`,
        ...(rt.tempDir !== undefined
            ? ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((k) => `${i1}${k}_temp_path ${rt.tempDir}/${k};`)
            : []),
        "",
        // The client's X-Request-Id when it sent one (the server checks its format), else nginx's.
        `${i1}map $http_x_request_id $mcp_request_id {`,
        `${i2}"" $request_id;`,
        `${i2}default $http_x_request_id;`,
        `${i1}}`,
        `${i1}log_format mcp_json escape=json '{"time":"$time_iso8601","client":"$remote_addr","request_id":"$mcp_request_id",'`,
        `${i1}    '"method":"$request_method","uri":"$uri","status":$status,"upstream":"$upstream_addr",'`,
        // MCP 2026-07-28 mirrors the JSON-RPC method and tool name into Mcp-Method / Mcp-Name.
        // Logged only: the server checks them against the body (a mismatch is its 400), so a
        // value is the client's claim unless upstream_status says the server accepted it.
        `${i1}    '"upstream_status":"$upstream_status","request_time":$request_time,"bytes_sent":$bytes_sent,'`,
        `${i1}    '"mcp_method":"$http_mcp_method","mcp_name":"$http_mcp_name"}';`,
        `${i1}access_log ${rt.accessLog ?? "/dev/stdout"} mcp_json;`,
        "",
    ];
    if (n.rate !== null) {
        lines.push(
            `${i1}# ${n.rate.perMinute} requests per minute per client IP on /mcp, bursts of ${n.rate.burst}.`,
            `${i1}limit_req_zone $binary_remote_addr zone=mcp_per_client:10m rate=${n.rate.perMinute}r/m;`,
            `${i1}limit_req_status 429;`,
            `${i1}limit_req_log_level warn;`,
            "",
        );
    }
    lines.push(
        `${i1}upstream mcp_servers {`,
        // least_conn must precede keepalive.
        `${i2}least_conn;`,
        // Shared memory, so every worker sees the same connection counts and failed replicas.
        `${i2}zone mcp_servers 64k;`,
        ...n.upstreams.map((a) => `${i2}server ${a} max_fails=${n.maxFails} fail_timeout=${n.failTimeoutSeconds}s;`),
        // Idle connections are closed by nginx (60 s) before the server's 65 s keep-alive ends,
        // so nginx never sends a request on a connection the server is closing.
        `${i2}keepalive 32;`,
        `${i2}keepalive_timeout 60s;`,
        `${i2}keepalive_requests 10000;`,
        `${i1}}`,
        "",
    );

    if (n.serverNames !== undefined) {
        lines.push(
            `${i1}# Any Host not named below: 421 Misdirected Request.`,
            `${i1}server {`,
            `${i2}listen ${n.listen} default_server;`,
            `${i2}server_name _;`,
            ...addHeaders(i2),
            `${i2}location / {`,
            `${i3}return 421 ${jsonBody({ error: "misdirected_request", message: "This edge does not serve that Host" })};`,
            `${i2}}`,
            `${i1}}`,
            "",
        );
    }
    lines.push(
        `${i1}server {`,
        n.serverNames !== undefined ? `${i2}listen ${n.listen};` : `${i2}listen ${n.listen} default_server;`,
        `${i2}server_name ${n.serverNames !== undefined ? n.serverNames.join(" ") : "_"};`,
        ...SECURITY_HEADERS.map(([k]) => `${i2}proxy_hide_header ${k};`),
        ...addHeaders(i2),
        `${i2}error_page 403 @forbidden;`,
        `${i2}error_page 413 @too_large;`,
        ...(n.rate !== null ? [`${i2}error_page 429 @rate_limited;`] : []),
        `${i2}error_page 502 @bad_gateway;`,
        `${i2}error_page 504 @gateway_timeout;`,
        "",
        `${i2}location = /mcp {`,
        ...(n.rate !== null ? [`${i3}limit_req zone=mcp_per_client burst=${n.rate.burst} nodelay;`] : []),
        // http_503 here matters only for requests that never reached a replica or are idempotent:
        // for a POST that was sent, nginx passes the server's 503 (e.g. Redis down) through as is.
        ...proxyBlock(i3, n, "error timeout http_502 http_503 http_504"),
        `${i2}}`,
        "",
        `${i2}location = /health {`,
        `${i3}limit_except GET { deny all; }`,
        ...proxyBlock(i3, n, "error timeout http_502 http_503 http_504"),
        `${i2}}`,
        "",
        // A 503 from /ready is the replica's answer (a dependency is down), not a transport failure:
        // counting it would take healthy replicas out of /mcp traffic for fail_timeout.
        `${i2}location = /ready {`,
        `${i3}limit_except GET { deny all; }`,
        ...proxyBlock(i3, n, "error timeout"),
        `${i2}}`,
        "",
    );
    if (n.exposeOAuthMetadata) {
        lines.push(
            `${i2}location ~ ^/\\.well-known/oauth-protected-resource(/mcp)?$ {`,
            `${i3}limit_except GET { deny all; }`,
            ...proxyBlock(i3, n, "error timeout http_502 http_503 http_504"),
            `${i2}}`,
            "",
        );
    }
    lines.push(
        `${i2}location / {`,
        `${i3}return 404 ${jsonBody({ error: "not_found", message: "Not found: this endpoint serves /mcp, /health and /ready only" })};`,
        `${i2}}`,
        "",
        `${i2}location @forbidden {`,
        ...addHeaders(i3),
        `${i3}return 403 ${jsonBody({ error: "forbidden", message: "Forbidden: /health and /ready answer GET only" })};`,
        `${i2}}`,
        `${i2}location @too_large {`,
        ...addHeaders(i3),
        `${i3}return 413 ${rpcErrorBody(-32000, `Request body exceeds the limit of ${n.maxBodyBytes} bytes`)};`,
        `${i2}}`,
        ...(n.rate !== null
            ? [
                  `${i2}location @rate_limited {`,
                  ...addHeaders(i3, [["Retry-After", "60"]]),
                  `${i3}return 429 ${rpcErrorBody(-32029, `Too Many Requests: limit of ${n.rate.perMinute} requests per minute from this address; retry later`)};`,
                  `${i2}}`,
              ]
            : []),
        `${i2}location @bad_gateway {`,
        ...addHeaders(i3, [["Retry-After", "1"]]),
        `${i3}return 502 ${rpcErrorBody(-32000, "Bad gateway: no MCP server replica answered. A request that reached a replica may have run; check audit_recent before repeating a call that changes state")};`,
        `${i2}}`,
        `${i2}location @gateway_timeout {`,
        ...addHeaders(i3),
        `${i3}return 504 ${rpcErrorBody(-32000, "Gateway timeout: the MCP server replica did not answer in time; the call may have run")};`,
        `${i2}}`,
        `${i1}}`,
        "}",
        "",
    );
    return lines.join("\n");
}
