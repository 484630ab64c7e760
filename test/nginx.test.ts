/**
 * The local EdgeLB's nginx.conf (components/local/nginx.ts): the directives it must hold, the
 * errors bad options give, `nginx -t` on the result, and how the Debian nginx really treats
 * requests with it (stub replicas on loopback), above all that a POST that reached a replica is
 * never repeated on another.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import * as fc from "fast-check";
import { renderNginxConfig, type NginxConfigOptions } from "../components/local/nginx";
import { ConfigError } from "../sizing";
import { NginxEdge, freePort, requireNginx } from "./drill/harness";

const run = promisify(execFile);

const BASE: NginxConfigOptions = {
    listenPort: 8080,
    upstreams: [
        { host: "mcp-server-1", port: 8080 },
        { host: "mcp-server-2", port: 8080 },
    ],
    rateLimitPerMinute: 600,
};

function render(extra: Partial<NginxConfigOptions> = {}): string {
    return renderNginxConfig({ ...BASE, ...extra });
}

/** The body of the first block that opens with `header {`, without nested blocks' contents. */
function block(conf: string, header: string): string {
    const start = conf.indexOf(`${header} {`);
    assert.ok(start >= 0, `no block "${header}"`);
    let depth = 0;
    for (let i = conf.indexOf("{", start); i < conf.length; i++) {
        if (conf[i] === "{") depth++;
        if (conf[i] === "}" && --depth === 0) return conf.slice(start, i + 1);
    }
    throw new Error(`unbalanced block "${header}"`);
}

function rejectsOption(extra: Partial<NginxConfigOptions>, key: string, mention: RegExp): void {
    assert.throws(
        () => render(extra),
        (e: unknown) => {
            assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
            assert.equal(e.key, key);
            assert.match(e.message, mention);
            return true;
        },
    );
}

describe("renderNginxConfig (local EdgeLB)", () => {
    it("is a whole nginx.conf: main, events and http contexts with balanced braces", () => {
        const conf = render();
        assert.match(conf, /^worker_processes auto;$/m);
        assert.match(conf, /^events \{$/m);
        assert.match(conf, /^http \{$/m);
        assert.equal((conf.match(/\{/g) ?? []).length, (conf.match(/\}/g) ?? []).length);
        assert.match(conf, /^\s+server_tokens off;$/m);
    });

    it("balances by least connections with passive health checks and keep-alive to the replicas", () => {
        const up = block(render(), "upstream mcp_servers");
        assert.match(up, /least_conn;/);
        assert.match(up, /zone mcp_servers 64k;/);
        assert.match(up, /server mcp-server-1:8080 max_fails=2 fail_timeout=5s;/);
        assert.match(up, /server mcp-server-2:8080 max_fails=2 fail_timeout=5s;/);
        assert.ok(up.indexOf("least_conn") < up.indexOf("keepalive 32;"), "least_conn must precede keepalive");
        assert.match(up, /keepalive_timeout 60s;/, "shorter than the server's 65 s keep-alive");
        const custom = block(render({ maxFails: 5, failTimeoutSeconds: 30 }), "upstream mcp_servers");
        assert.match(custom, /server mcp-server-1:8080 max_fails=5 fail_timeout=30s;/);
    });

    it("retries only what never reached a replica: no non_idempotent, bounded tries and time", () => {
        const conf = render();
        assert.doesNotMatch(conf, /non_idempotent/);
        const mcp = block(conf, "location = /mcp");
        assert.match(mcp, /proxy_next_upstream error timeout http_502 http_503 http_504;/);
        assert.match(mcp, /proxy_next_upstream_tries 2;/);
        assert.match(mcp, /proxy_next_upstream_timeout 10s;/);
        assert.match(mcp, /proxy_connect_timeout 2s;/);
        // A /ready 503 is an answer, not a failure: it must not take replicas out of /mcp traffic.
        assert.match(block(conf, "location = /ready"), /proxy_next_upstream error timeout;/);
        const five = render({ upstreams: [1, 2, 3, 4, 5].map((i) => ({ host: `s${i}`, port: 8080 })) });
        assert.match(block(five, "location = /mcp"), /proxy_next_upstream_tries 3;/);
    });

    it("streams: no buffering either way, HTTP/1.1 keep-alive upstream, long read timeout", () => {
        const mcp = block(render(), "location = /mcp");
        for (const d of [
            "proxy_buffering off;",
            "proxy_request_buffering off;",
            "proxy_http_version 1.1;",
            'proxy_set_header Connection "";',
            "proxy_read_timeout 300s;",
        ]) {
            assert.ok(mcp.includes(d), d);
        }
        assert.match(block(render({ readTimeoutSeconds: 900 }), "location = /mcp"), /proxy_read_timeout 900s;/);
    });

    it("passes Host through unchanged (the server's MCP_ALLOWED_HOSTS check) and sets X-Forwarded-*", () => {
        const mcp = block(render(), "location = /mcp");
        assert.match(mcp, /proxy_set_header Host \$http_host;/);
        assert.match(mcp, /proxy_set_header X-Forwarded-For \$remote_addr;/);
        assert.match(mcp, /proxy_set_header X-Forwarded-Proto \$scheme;/);
        assert.match(mcp, /proxy_set_header X-Request-Id \$mcp_request_id;/);
    });

    it("limits each client IP per minute with 429, or not at all when the rate is null", () => {
        const conf = render();
        assert.match(conf, /limit_req_zone \$binary_remote_addr zone=mcp_per_client:10m rate=600r\/m;/);
        assert.match(conf, /limit_req_status 429;/);
        assert.match(block(conf, "location = /mcp"), /limit_req zone=mcp_per_client burst=100 nodelay;/);
        assert.doesNotMatch(block(conf, "location = /health"), /limit_req/, "probes are not limited");
        assert.match(block(conf, "location @rate_limited"), /add_header Retry-After "60" always;[\s\S]*return 429 .*-32029/);
        assert.match(render({ rateLimitPerMinute: 60, rateLimitBurst: 3 }), /burst=3 nodelay;/);
        assert.match(render({ rateLimitPerMinute: 12 }), /burst=5 nodelay;/, "at least 5");
        const none = render({ rateLimitPerMinute: null });
        assert.doesNotMatch(none, /limit_req|429/);
    });

    it("sets the security headers on every answer and hides the server's copies", () => {
        const conf = render();
        const server = conf.slice(conf.lastIndexOf("    server {"));
        for (const [h, v] of [
            ["X-Content-Type-Options", "nosniff"],
            ["X-Frame-Options", "DENY"],
            ["Referrer-Policy", "no-referrer"],
            ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"],
        ]) {
            assert.ok(server.includes(`proxy_hide_header ${h};`), h);
            // In the server block and repeated in every location that adds a header of its own.
            const count = server.split(`add_header ${h} "${v}" always;`).length - 1;
            const localAdders = (server.match(/location @\w+ \{\n(\s+add_header[^\n]*\n)+/g) ?? []).length;
            assert.equal(count, 1 + localAdders, h);
        }
    });

    it("serves /mcp, /health and /ready only; everything else (metrics included) is a 404", () => {
        const conf = render();
        const locations = [...conf.matchAll(/location ([^{]+) \{/g)].map((m) => m[1]).filter((l) => !l.startsWith("@"));
        assert.deepEqual(locations, ["= /mcp", "= /health", "= /ready", "/"]);
        assert.match(block(conf, "location /"), /return 404 /);
        assert.doesNotMatch(conf, /metrics/);
        assert.match(conf, /client_max_body_size 1048576;/);
        assert.match(render({ maxBodyBytes: 65536 }), /client_max_body_size 65536;/);
        assert.match(render({ exposeOAuthMetadata: true }), /location ~ \^\/\\\.well-known\/oauth-protected-resource\(\/mcp\)\?\$ \{/);
    });

    it("answers only the named hosts when serverNames is set (421 for others), any host otherwise", () => {
        const named = render({ serverNames: ["localhost", "MCP.localhost", "127.0.0.1"] });
        assert.match(named, /server_name localhost mcp\.localhost 127\.0\.0\.1;/);
        assert.match(block(named, "server"), /listen 8080 default_server;[\s\S]*return 421 /);
        const any = render();
        assert.match(any, /listen 8080 default_server;\n\s+server_name _;/);
        assert.doesNotMatch(any, /421/);
    });

    it("writes addresses as nginx needs them: IPv6 in brackets, an optional listen address", () => {
        const conf = render({
            upstreams: [
                { host: "::1", port: 9000 },
                { host: "10.0.0.7", port: 8080 },
            ],
            listenAddress: "127.0.0.1",
        });
        assert.match(conf, /server \[::1\]:9000 max_fails/);
        assert.match(conf, /server 10\.0\.0\.7:8080 max_fails/);
        assert.match(conf, /listen 127\.0\.0\.1:8080 default_server;/);
        assert.match(render({ listenAddress: "::" }), /listen \[::\]:8080 default_server;/);
    });

    it("uses container defaults for logs, or the runtime paths it is given", () => {
        const dflt = render();
        assert.match(dflt, /^error_log \/dev\/stderr warn;$/m);
        assert.match(dflt, /access_log \/dev\/stdout mcp_json;/);
        assert.match(dflt, /"mcp_method":"\$http_mcp_method","mcp_name":"\$http_mcp_name"/, "the 2026-07-28 mirrored headers are logged");
        assert.doesNotMatch(dflt, /^pid |_temp_path/m);
        const rt = render({
            runtime: { pidFile: "/tmp/x/nginx.pid", errorLog: "/tmp/x/error.log", accessLog: "/tmp/x/access.log", tempDir: "/tmp/x/t" },
        });
        assert.match(rt, /^pid \/tmp\/x\/nginx\.pid;$/m);
        assert.match(rt, /^error_log \/tmp\/x\/error\.log warn;$/m);
        assert.match(rt, /access_log \/tmp\/x\/access\.log mcp_json;/);
        for (const k of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) assert.match(rt, new RegExp(`${k}_temp_path /tmp/x/t/${k};`));
    });

    it("refuses bad options with an error naming the field", () => {
        rejectsOption({ listenPort: 0 }, "listenPort", /1 to 65535/);
        rejectsOption({ listenPort: 70000 }, "listenPort", /70000/);
        rejectsOption({ listenPort: 80.5 }, "listenPort", /integer/);
        rejectsOption({ upstreams: [] }, "upstreams", /at least one/);
        rejectsOption({ upstreams: [{ host: "a b", port: 1 }] }, "upstreams[0].host", /host name or an IP/);
        rejectsOption({ upstreams: [{ host: "x;y", port: 1 }] }, "upstreams[0].host", /x;y/);
        rejectsOption({ upstreams: [{ host: "", port: 1 }] }, "upstreams[0].host", /host name/);
        rejectsOption(
            {
                upstreams: [
                    { host: "ok", port: 8080 },
                    { host: "ok", port: 0 },
                ],
            },
            "upstreams[1].port",
            /1 to 65535/,
        );
        rejectsOption(
            {
                upstreams: [
                    { host: "ok", port: 8080 },
                    { host: "ok", port: 8080 },
                ],
            },
            "upstreams",
            /ok:8080 twice/,
        );
        rejectsOption({ serverNames: [] }, "serverNames", /at least one/);
        rejectsOption({ serverNames: ["localhost", "*.example.com"] }, "serverNames[1]", /host name/);
        rejectsOption({ serverNames: ["localhost:8080"] }, "serverNames[0]", /no port/);
        rejectsOption({ serverNames: ["a;b"] }, "serverNames[0]", /a;b/);
        rejectsOption({ serverNames: ["a", "A"] }, "serverNames", /twice/);
        rejectsOption({ rateLimitPerMinute: 0 }, "rateLimitPerMinute", /or null/);
        rejectsOption({ rateLimitPerMinute: 1.5 }, "rateLimitPerMinute", /integer/);
        rejectsOption({ rateLimitPerMinute: null, rateLimitBurst: 10 }, "rateLimitBurst", /only used with/);
        rejectsOption({ runtime: { pidFile: "nginx.pid" } }, "runtime.pidFile", /absolute path/);
        rejectsOption({ runtime: { tempDir: "/tmp/a b" } }, "runtime.tempDir", /absolute path/);
        rejectsOption({ runtime: { accessLog: "/tmp/x;evil" } }, "runtime.accessLog", /absolute path/);
        rejectsOption({ listenAddress: "localhost" }, "listenAddress", /IP address/);
        rejectsOption({ workerProcesses: 0 }, "workerProcesses", /auto/);
        rejectsOption({ readTimeoutSeconds: 0 }, "readTimeoutSeconds", /1 to 3600/);
    });

    it("does not change the options it is given", () => {
        const opts: NginxConfigOptions = {
            ...BASE,
            serverNames: ["LOCALHOST"],
            upstreams: [{ host: " s1 ", port: 1 }],
            runtime: { pidFile: "/tmp/p" },
        };
        const before = JSON.stringify(opts);
        render(opts);
        assert.equal(JSON.stringify(opts), before);
    });

    it("names every upstream exactly once, for any valid set (property)", () => {
        const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
        const upstream = fc.record({ host: label, port: fc.integer({ min: 1, max: 65535 }) });
        fc.assert(
            fc.property(
                fc.uniqueArray(upstream, { minLength: 1, maxLength: 8, selector: (u) => `${u.host}:${u.port}` }),
                fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: null }),
                (ups, rate) => {
                    const conf = render({ upstreams: ups, rateLimitPerMinute: rate });
                    for (const u of ups) assert.equal(conf.split(`server ${u.host}:${u.port} `).length - 1, 1);
                    assert.equal((conf.match(/\{/g) ?? []).length, (conf.match(/\}/g) ?? []).length);
                    assert.equal(/limit_req_zone/.test(conf), rate !== null);
                },
            ),
            { numRuns: 200 },
        );
    });
});

// ------------------------------------------------------------------ the real nginx

let nginx: string | undefined;

describe("renderNginxConfig with the Debian nginx", function () {
    this.timeout(60_000);
    let tmp: string;

    before(function () {
        nginx = requireNginx(this);
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-nginx-"));
    });
    after(() => {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    const variants: [string, Partial<NginxConfigOptions>][] = [
        ["rate limit, named hosts, OAuth metadata", { serverNames: ["localhost", "127.0.0.1"], exposeOAuthMetadata: true }],
        [
            "no rate limit, any host, IPv6 upstream",
            {
                rateLimitPerMinute: null,
                upstreams: [
                    { host: "::1", port: 9001 },
                    { host: "127.0.0.1", port: 9002 },
                ],
            },
        ],
    ];
    for (const [name, extra] of variants) {
        it(`nginx -t accepts it: ${name}`, async () => {
            const dir = fs.mkdtempSync(path.join(tmp, "t-"));
            fs.mkdirSync(path.join(dir, "temp"));
            const conf = path.join(dir, "nginx.conf");
            fs.writeFileSync(
                conf,
                render({
                    upstreams: [
                        { host: "127.0.0.1", port: 9001 },
                        { host: "127.0.0.1", port: 9002 },
                    ],
                    ...extra,
                    listenPort: 18080,
                    runtime: {
                        pidFile: path.join(dir, "nginx.pid"),
                        errorLog: path.join(dir, "error.log"),
                        accessLog: path.join(dir, "access.log"),
                        tempDir: path.join(dir, "temp"),
                    },
                }),
            );
            const { stderr } = await run(nginx!, ["-t", "-p", dir, "-c", conf, "-e", path.join(dir, "error.log")]);
            assert.match(stderr, /syntax is ok[\s\S]*test is successful/);
        });
    }

    describe("in front of stub replicas", () => {
        /** A stub replica: records the requests it gets; "drop" closes the connection without answering. */
        interface Stub {
            port: number;
            seen: { id: string; method: string; host: string; xff: string }[];
            server: http.Server;
        }
        async function stub(mode: "ok" | "drop" | "503"): Promise<Stub> {
            const s: Stub = { port: 0, seen: [], server: http.createServer() };
            s.server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
                req.resume();
                req.on("end", () => {
                    s.seen.push({
                        id: String(req.headers["x-request-id"]),
                        method: req.method!,
                        host: String(req.headers.host),
                        xff: String(req.headers["x-forwarded-for"]),
                    });
                    if (mode === "drop") {
                        req.socket.destroy();
                        return;
                    }
                    res.setHeader("X-Content-Type-Options", "nosniff");
                    res.setHeader("Content-Type", "application/json");
                    res.statusCode = mode === "503" ? 503 : 200;
                    res.end(JSON.stringify(mode === "503" ? { error: "session store down" } : { ok: true }));
                });
            });
            await new Promise<void>((r) => s.server.listen(0, "127.0.0.1", () => r()));
            s.port = (s.server.address() as { port: number }).port;
            return s;
        }

        let stubs: Stub[] = [];
        let edges: NginxEdge[] = [];
        async function edge(ports: number[], extra: Partial<NginxConfigOptions> = {}): Promise<NginxEdge> {
            const e = new NginxEdge(nginx!, fs.mkdtempSync(path.join(tmp, "e-")), await freePort(), {
                upstreams: ports.map((port) => ({ host: "127.0.0.1", port })),
                rateLimitPerMinute: null,
                serverNames: ["localhost", "127.0.0.1"],
                ...extra,
            });
            edges.push(e);
            await e.start();
            return e;
        }
        after(async () => {
            await Promise.all(edges.map((e) => e.stop()));
            for (const s of stubs) s.server.close();
            stubs = [];
            edges = [];
        });

        async function send(
            e: NginxEdge,
            method: string,
            p: string,
            id: string,
            headers: Record<string, string> = {},
        ): Promise<{ status: number; headers: Headers; body: any }> {
            const res = await fetch(`${e.url}${p}`, {
                method,
                headers: { "X-Request-Id": id, "Content-Type": "application/json", ...headers },
                body: method === "POST" ? '{"jsonrpc":"2.0","id":1,"method":"tools/call"}' : undefined,
            });
            const text = await res.text();
            let body: unknown = text;
            try {
                body = JSON.parse(text);
            } catch {
                // not JSON
            }
            return { status: res.status, headers: res.headers, body };
        }

        it("retries a POST that never reached a replica (connection refused) on another one", async () => {
            const live = await stub("ok");
            stubs.push(live);
            const e = await edge([await freePort(), live.port]);
            const results = [];
            for (let i = 0; i < 6; i++) results.push(await send(e, "POST", "/mcp", `refused-${i}`));
            assert.deepEqual(
                results.map((r) => r.status),
                [200, 200, 200, 200, 200, 200],
            );
            assert.equal(live.seen.length, 6);
            const retried = e.accessLog().filter((l) => l.upstream.includes(", "));
            assert.ok(retried.length > 0, "at least one request went to the dead replica first");
            for (const l of retried) assert.match(l.upstream_status, /^502, 200$/);
        });

        it("never repeats a POST that reached a replica, but does repeat a GET", async () => {
            const dropper = await stub("drop");
            const live = await stub("ok");
            stubs.push(dropper, live);
            const e = await edge([dropper.port, live.port], { maxFails: 100 });
            const posts = [];
            for (let i = 0; i < 8; i++) posts.push({ id: `post-${i}`, ...(await send(e, "POST", "/mcp", `post-${i}`)) });
            for (const d of dropper.seen.filter((x) => x.method === "POST")) {
                assert.ok(!live.seen.some((x) => x.id === d.id), `${d.id} reached a replica and was then sent to another one`);
            }
            const lost = posts.filter((p) => p.status === 502);
            assert.ok(lost.length > 0, "some POSTs went to the dropping replica");
            for (const p of lost) {
                assert.ok(
                    dropper.seen.some((s) => s.id === p.id),
                    `${p.id} reached the dropping replica`,
                );
                assert.ok(!live.seen.some((s) => s.id === p.id), `${p.id} was not sent again to another replica`);
                assert.equal(p.body.error.code, -32000);
                assert.match(p.body.error.message, /may have run/);
            }
            for (const p of posts.filter((x) => x.status === 200)) assert.ok(live.seen.some((s) => s.id === p.id));
            assert.equal(lost.length + posts.filter((p) => p.status === 200).length, posts.length);

            const gets = [];
            for (let i = 0; i < 6; i++) gets.push({ id: `get-${i}`, ...(await send(e, "GET", "/health", `get-${i}`)) });
            assert.deepEqual(
                gets.map((g) => g.status),
                [200, 200, 200, 200, 200, 200],
                "GETs are repeated on the other replica",
            );
            assert.ok(
                gets.some((g) => dropper.seen.some((s) => s.id === g.id)),
                "some GETs reached the dropping replica first",
            );
        });

        it("passes a replica's own 503 on a POST through as is, without taking the replica out", async () => {
            const busy = await stub("503");
            const live = await stub("ok");
            stubs.push(busy, live);
            const e = await edge([busy.port, live.port], { maxFails: 1, failTimeoutSeconds: 60 });
            const results = [];
            for (let i = 0; i < 8; i++) results.push({ id: `u-${i}`, ...(await send(e, "POST", "/mcp", `u-${i}`)) });
            const unavailable = results.filter((r) => r.status === 503);
            assert.ok(unavailable.length >= 2, "the replica answering 503 keeps getting its share");
            for (const r of unavailable) {
                assert.deepEqual(r.body, { error: "session store down" }, "the server's own answer");
                assert.ok(!live.seen.some((x) => x.id === r.id), "not repeated elsewhere");
            }
        });

        it("passes Host through, replaces X-Forwarded-For, sets the headers once, 404s the rest, 421s other hosts", async () => {
            const live = await stub("ok");
            stubs.push(live);
            const e = await edge([live.port]);
            const r = await send(e, "POST", "/mcp", "hdr-1", { "X-Forwarded-For": "203.0.113.9" });
            assert.equal(r.status, 200);
            const seen = live.seen.find((s) => s.id === "hdr-1")!;
            assert.equal(seen.host, `127.0.0.1:${e.port}`, "Host as the client sent it, port included");
            assert.equal(seen.xff, "127.0.0.1", "the client's claim is replaced");
            assert.equal(r.headers.get("x-content-type-options"), "nosniff", "once, not twice");
            assert.equal(r.headers.get("content-security-policy"), "default-src 'none'; frame-ancestors 'none'");
            assert.equal(r.headers.get("server"), "nginx");
            for (const p of ["/metrics", "/", "/admin", "/mcp/../metrics"]) {
                const x = await send(e, "GET", p, "nf");
                assert.equal(x.status, 404, p);
                assert.equal(x.body.error, "not_found");
                assert.equal(x.headers.get("x-frame-options"), "DENY");
            }
            assert.equal((await send(e, "POST", "/health", "m")).status, 403);
            const other = await new Promise<number>((resolve, reject) => {
                http.get({ host: "127.0.0.1", port: e.port, path: "/mcp", headers: { Host: "evil.example" } }, (res) => {
                    res.resume();
                    resolve(res.statusCode ?? 0);
                }).on("error", reject);
            });
            assert.equal(other, 421);
            const big = await fetch(`${e.url}/mcp`, {
                method: "POST",
                headers: { "Content-Type": "application/json" },
                body: "x".repeat(2_000_000),
            });
            assert.equal(big.status, 413);
            assert.match(((await big.json()) as { error: { message: string } }).error.message, /exceeds the limit of 1048576 bytes/);
            assert.ok(!live.seen.some((s) => s.method === "POST" && s.id !== "hdr-1"), "the oversized body never reached the replica");
        });

        it("answers 429 with Retry-After and a JSON-RPC error once a client IP passes its rate", async () => {
            const live = await stub("ok");
            stubs.push(live);
            const e = await edge([live.port], { rateLimitPerMinute: 60, rateLimitBurst: 3 });
            const results = [];
            for (let i = 0; i < 8; i++) results.push(await send(e, "POST", "/mcp", `rl-${i}`));
            assert.deepEqual(
                results.slice(0, 4).map((r) => r.status),
                [200, 200, 200, 200],
                "the rate plus the burst",
            );
            const limited = results.filter((r) => r.status === 429);
            assert.ok(limited.length >= 3);
            assert.equal(limited[0].headers.get("retry-after"), "60");
            assert.equal(limited[0].body.error.code, -32029);
            assert.equal((await send(e, "GET", "/health", "probe")).status, 200, "probes are not limited");
        });

        it("stops cleanly (no nginx left behind)", async () => {
            const pids = edges.map((e) => Number(fs.readFileSync(path.join(e.dir, "nginx.pid"), "utf8").trim()));
            await Promise.all(edges.map((e) => e.stop()));
            for (const pid of pids) assert.throws(() => process.kill(pid, 0), "master gone");
            edges = [];
        });
    });
});
