import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { APP_DIR, freePort, REPO_DIR, spawnServer, stopChild, type ServerProcess } from "./helpers";

/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance) and the Inspector CLI
 * (@modelcontextprotocol/inspector --cli), both devDependencies, against the built server
 * (app/dist) on loopback. Nothing is downloaded at run time: both CLIs run from node_modules.
 *
 * Every scenario that applies must pass. The ones that do not apply are listed here with the
 * reason and printed; a failing check is accepted only when its scenario (or the check itself)
 * is in this list.
 */
const FIXTURES = path.join(APP_DIR, "test", "fixtures", "conformance");

/** Whole scenarios that test what this server deliberately does not offer. */
const NOT_APPLICABLE: Record<string, string> = {
    "logging-set-level": "no logging capability: the server offers tools only (2025 era)",
    "completion-complete": "no completions capability: there are no prompts or resource templates to complete",
    "tools-call-with-logging": "configured tools have no channel to the client: answers are single JSON bodies, no log notifications",
    "tools-call-with-progress": "configured tools have no channel to the client: no progress notifications",
    "tools-call-sampling": "configured tools cannot send requests to the client (sampling)",
    "tools-call-elicitation": "configured tools cannot send requests to the client (elicitation)",
    "elicitation-sep1034-defaults": "configured tools cannot send requests to the client (elicitation)",
    "elicitation-sep1330-enums": "configured tools cannot send requests to the client (elicitation)",
    "server-sse-polling": "stateless JSON responses: no SSE streams to resume or poll",
    "resources-list": "no resources offered",
    "resources-read-text": "no resources offered",
    "resources-read-binary": "no resources offered",
    "resources-templates-read": "no resources offered",
    "resources-subscribe": "no resources offered",
    "resources-unsubscribe": "no resources offered",
    "prompts-list": "no prompts offered",
    "prompts-get-simple": "no prompts offered",
    "prompts-get-with-args": "no prompts offered",
    "prompts-get-embedded-resource": "no prompts offered",
    "prompts-get-with-image": "no prompts offered",
    "input-required-result-basic-elicitation": "no tool asks the client for input (SEP-2322 InputRequiredResult)",
    "input-required-result-basic-sampling": "no tool asks the client for input (SEP-2322 InputRequiredResult)",
    "input-required-result-basic-list-roots": "no tool asks the client for input (SEP-2322 InputRequiredResult)",
    "input-required-result-request-state": "no tool asks the client for input (SEP-2322 InputRequiredResult)",
    "input-required-result-multiple-input-requests": "no tool asks the client for input (SEP-2322 InputRequiredResult)",
    "input-required-result-multi-round": "no tool asks the client for input (SEP-2322 InputRequiredResult)",
    "input-required-result-non-tool-request": "no prompts or resources whose requests could ask for input (SEP-2322)",
    "input-required-result-result-type": "no tool asks the client for input (SEP-2322 InputRequiredResult)",
    "input-required-result-tampered-state": "no tool asks the client for input, so there is no request state to tamper with",
    "input-required-result-capability-check": "no tool asks the client for input (SEP-2322 InputRequiredResult)",
    "http-custom-header-server-validation": "no tool declares x-mcp-header parameters (SEP-2243); pending in the suite",
};
/** Single checks inside scenarios that otherwise apply (scenario:check id). */
const NOT_APPLICABLE_CHECKS: Record<string, string> = {
    "server-stateless:sep-2575-server-rejects-undeclared-capability":
        "needs the diagnostic tool test_missing_capability, which needs a client capability; no tool here does",
    "server-stateless:sep-2575-missing-capability-http-400": "needs the diagnostic tool test_missing_capability (as above)",
    "server-stateless:sep-2575-http-server-no-independent-requests-on-stream":
        "needs the diagnostic tool test_streaming_elicitation; no tool here elicits",
    "server-stateless:sep-2575-server-no-log-without-loglevel":
        "needs the diagnostic tool test_logging_tool; no tool here logs to the client",
    "caching:sep-2549-prompts-list-caching-hints": "no prompts offered",
    "caching:sep-2549-resources-list-caching-hints": "no resources offered",
    "caching:sep-2549-resources-templates-list-caching-hints": "no resources offered",
};

interface Check {
    id: string;
    status: "SUCCESS" | "FAILURE" | "WARNING" | "SKIPPED" | "INFO";
    errorMessage?: string;
}

function run(
    args: string[],
    env: Record<string, string> = {},
    timeoutMs = 600_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            args,
            { cwd: REPO_DIR, env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
            (err, stdout, stderr) => {
                resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : 1, stdout, stderr });
            },
        );
    });
}

/** checks.json of every scenario the CLI wrote into `dir`, by scenario name. */
function readResults(dir: string): Map<string, Check[]> {
    const out = new Map<string, Check[]>();
    for (const d of fs.readdirSync(dir)) {
        const m = /^server-(.+)-\d{4}-\d\d-\d\dT/.exec(d);
        const file = path.join(dir, d, "checks.json");
        if (m === null || !fs.existsSync(file)) continue;
        out.set(m[1], JSON.parse(fs.readFileSync(file, "utf8")) as Check[]);
    }
    return out;
}

/** Failing checks outside the not-applicable lists; also prints what was not applicable. */
function judge(label: string, results: Map<string, Check[]>): { unexpected: string[]; passed: number; notApplicable: string[] } {
    const unexpected: string[] = [];
    const notApplicable = new Set<string>();
    let passed = 0;
    for (const [scenario, checks] of results) {
        if (scenario.startsWith("tasks-")) {
            notApplicable.add(`${scenario}: the tasks extension is not offered (not scored for any revision)`);
            continue;
        }
        for (const c of checks) {
            if (c.status === "SUCCESS") passed++;
            if (c.status !== "FAILURE") continue;
            const why = NOT_APPLICABLE[scenario] ?? NOT_APPLICABLE_CHECKS[`${scenario}:${c.id}`];
            if (why !== undefined) notApplicable.add(`${NOT_APPLICABLE[scenario] ? scenario : `${scenario} / ${c.id}`}: ${why}`);
            else unexpected.push(`${scenario} / ${c.id}: ${c.errorMessage ?? "failed"}`);
        }
    }
    console.log(
        `      ${label}: ${passed} checks passed in ${results.size} scenarios; not applicable:\n${[...notApplicable]
            .sort()
            .map((s) => `        - ${s}`)
            .join("\n")}`,
    );
    return { unexpected, passed, notApplicable: [...notApplicable] };
}

describe("app conformance: the official MCP conformance suite and the Inspector CLI", function () {
    this.timeout(900_000);
    let server: ServerProcess;
    let url: string;
    let tmp: string;

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-conformance-"));
        const build = await run([
            path.join(REPO_DIR, "node_modules", "typescript", "bin", "tsc"),
            "-p",
            path.join(APP_DIR, "tsconfig.json"),
        ]);
        assert.equal(build.code, 0, `build failed: ${build.stdout}${build.stderr}`);
        const port = await freePort();
        server = await spawnServer(
            {
                PORT: String(port),
                MCP_DATA_DIR: "memory",
                // The suite's client is not what is under test here; its request rate is.
                MCP_RATE_LIMIT_PER_MINUTE: "0",
                MCP_TOOLS_CONFIG: path.join(FIXTURES, "tools.yaml"),
                MCP_HANDLERS_DIR: path.join(FIXTURES, "handlers"),
                // dns-rebinding-protection sends Origin: http://localhost:<port> as the valid case.
                MCP_ALLOWED_ORIGINS: `http://localhost:${port},http://127.0.0.1:${port}`,
            },
            { entry: path.join(APP_DIR, "dist", "main.js") },
        );
        url = `http://localhost:${port}/mcp`;
    });
    after(async () => {
        if (server) await stopChild(server.child, "SIGTERM");
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    const suites: { label: string; bin: string[]; args: string[]; mustPass: string[] }[] = [
        {
            label: "@modelcontextprotocol/conformance (latest release), active suite, 2025 era",
            bin: ["node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js"],
            args: [],
            mustPass: [
                "server-initialize",
                "ping",
                "tools-list",
                "tools-call-simple-text",
                "tools-call-image",
                "tools-call-audio",
                "tools-call-embedded-resource",
                "tools-call-mixed-content",
                "tools-call-error",
                "dns-rebinding-protection",
            ],
        },
        {
            label: "conformance pre-release, requirements of 2026-07-28",
            bin: ["node_modules", "conformance-next", "dist", "index.js"],
            args: ["--requirements", "2026-07-28"],
            mustPass: [
                "server-stateless",
                "tools-list",
                "tools-call-simple-text",
                "tools-call-image",
                "tools-call-audio",
                "tools-call-embedded-resource",
                "tools-call-mixed-content",
                "tools-call-error",
                "json-schema-2020-12",
                "http-header-validation",
                "dns-rebinding-protection",
                "sep-2164-resource-not-found",
                "caching",
            ],
        },
        {
            label: "conformance pre-release, requirements of 2025-11-25",
            bin: ["node_modules", "conformance-next", "dist", "index.js"],
            args: ["--requirements", "2025-11-25"],
            mustPass: [
                "server-initialize",
                "tools-list",
                "tools-call-simple-text",
                "tools-call-error",
                "json-schema-2020-12",
                "dns-rebinding-protection",
            ],
        },
    ];

    for (const s of suites) {
        it(`${s.label}: every applicable scenario passes`, async () => {
            const out = path.join(tmp, s.label.replace(/[^a-z0-9]+/gi, "-"));
            const r = await run([path.join(REPO_DIR, ...s.bin), "server", "--url", url, ...s.args, "-o", out]);
            const results = readResults(out);
            assert.ok(results.size > 0, `the suite wrote no results (exit ${r.code}): ${r.stderr.slice(-2000)}`);
            const { unexpected } = judge(s.label, results);
            assert.deepEqual(unexpected, [], "failing checks that apply to this server");
            for (const name of s.mustPass) {
                const checks = results.get(name);
                assert.ok(checks !== undefined, `scenario ${name} did not run`);
                assert.ok(
                    checks.some((c) => c.status === "SUCCESS"),
                    `scenario ${name} passed no check`,
                );
            }
        });
    }

    it("the Inspector CLI calls every built-in tool", async () => {
        const home = fs.mkdtempSync(path.join(tmp, "home-"));
        const inspector = path.join(
            REPO_DIR,
            "node_modules",
            "@modelcontextprotocol",
            "inspector",
            "clients",
            "launcher",
            "build",
            "index.js",
        );
        const cli = async (...args: string[]) => {
            const r = await run([inspector, "--cli", url, ...args], { HOME: home, MCP_CATALOG_PATH: path.join(home, "mcp.json") }, 120_000);
            assert.equal(r.code, 0, `inspector ${args.join(" ")}: ${r.stderr}${r.stdout}`);
            return JSON.parse(r.stdout) as { tools?: { name: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };
        };
        const listed = await cli("--method", "tools/list");
        const calls: [string, string[], (sc: Record<string, unknown>) => void][] = [
            ["server_info", [], (sc) => assert.equal(sc.clientId, "anonymous")],
            ["scratchpad_put", ["key=inspector", "value=hello"], (sc) => assert.equal(sc.stored, true)],
            ["scratchpad_get", ["key=inspector"], (sc) => assert.equal(sc.value, "hello")],
            [
                "scratchpad_list",
                [],
                (sc) =>
                    assert.deepEqual(
                        (sc.notes as { key: string }[]).map((n) => n.key),
                        ["inspector"],
                    ),
            ],
            ["scratchpad_delete", ["key=inspector"], (sc) => assert.equal(sc.deleted, true)],
            ["audit_recent", ["limit=3"], (sc) => assert.equal((sc.entries as { tool: string }[])[0].tool, "scratchpad_delete")],
            ["audit_verify", [], (sc) => assert.equal(sc.ok, true)],
        ];
        for (const [name] of calls)
            assert.ok(
                listed.tools?.some((t) => t.name === name),
                `tools/list lacks ${name}`,
            );
        for (const [name, args, check] of calls) {
            const r = await cli("--method", "tools/call", "--tool-name", name, ...(args.length > 0 ? ["--tool-arg", ...args] : []));
            assert.notEqual(r.isError, true, `${name}: ${JSON.stringify(r)}`);
            check(r.structuredContent ?? {});
        }
    });
});
