/**
 * The local target's Prometheus rules, checked by Debian's promtool: `promtool check rules` on the
 * generated file of every tier, and `promtool test rules` unit tests built here, one pair per
 * alert: a series that crosses the threshold at minute 5 must leave the alert silent until its
 * window has passed and fire exactly then; a series that stays at (or just short of) the threshold
 * must never fire. Skipped without promtool unless MCP_REQUIRE_PROMETHEUS=1 (as CI sets).
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import {
    JOBS,
    localUnobserved,
    prometheusRules,
    renderAlertmanagerConfig,
    renderBlackboxConfig,
    renderPrometheusConfig,
    renderPrometheusRules,
    type LocalRuleContext,
    type PrometheusRule,
} from "../components/local/prometheus";
import { AlertSignal, alertSignals, ConfigError, resolveTier, SignalId, TIER_NAMES, TierName } from "../sizing";
import { requireBinary } from "./drill/monitoring";

const run = promisify(execFile);

/** The local stack's rules for a tier: Docker never scales to zero, so replica counts always apply. */
function localSignals(tier: TierName): { signals: AlertSignal[]; ctx: LocalRuleContext } {
    const spec = resolveTier(tier);
    return {
        signals: alertSignals(spec, { scalesToZero: false }),
        ctx: { milliCpu: spec.service.milliCpu, memoryMiB: spec.service.memoryMiB },
    };
}

// ---------------------------------------------------------------- fixtures

/** The minute the bad level starts in every "crossing" series. */
const SWITCH = 5;

/** Cumulative values of a counter that grows by `perMinute[i]` in minute i (so `values[0]` is 0). */
function counter(perMinute: number[]): string {
    let total = 0;
    const out = [0];
    for (const inc of perMinute) out.push((total += inc));
    return out.map((v) => Number(v.toPrecision(12))).join(" ");
}

/** `n` minutes at `healthy`, then at `bad` from minute SWITCH on. */
function levels(n: number, healthy: number, bad: number): number[] {
    return Array.from({ length: n }, (_, i) => (i < SWITCH ? healthy : bad));
}

/** A gauge's values, one per minute. */
function gauge(values: number[]): string {
    return values.map((v) => Number(v.toPrecision(12))).join(" ");
}

interface Series {
    series: string;
    values: string;
}

interface Fixture {
    /** Input series over `minutes` minutes, with the signal's value at `level` from minute SWITCH on (`holding` says which case). */
    series(level: number, minutes: number, ctx: LocalRuleContext, holding: boolean): Series[];
    /** A level that crosses the threshold, and one that stays at (or just short of) it. */
    crossing(s: AlertSignal): number;
    holding(s: AlertSignal): number;
    /** Minutes after SWITCH until the expression sees the new level: 1 for rates (the next sample), 0 for gauges. */
    lag: number;
    /** The labels the firing alert carries beyond alertname, severity and signal. */
    labels: Record<string, string>;
}

const SRV = `job="${JOBS.server}"`;
/** Latency buckets of app/src/metrics.ts (the p95 threshold must be one of them for an exact test). */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const above = (s: AlertSignal) => s.threshold * 1.02 + 0.01;
const justBelow = (s: AlertSignal) => s.threshold * 0.98;

/** One fixture per signal the local rules observe (a missing one fails the test that lists them). */
const FIXTURES: Partial<Record<SignalId, Fixture>> = {
    "edge-5xx-ratio": {
        // 1000 requests a minute; `level` percent of them 5xx from minute 5 on.
        series: (level, n) => [
            {
                series: `mcp_http_requests_total{${SRV},instance="r0",method="tools/call",status="500"}`,
                values: counter(levels(n, 0, level * 10)),
            },
            {
                series: `mcp_http_requests_total{${SRV},instance="r0",method="tools/call",status="200"}`,
                values: counter(levels(n, 1000, 1000 - level * 10)),
            },
        ],
        crossing: above,
        holding: justBelow,
        lag: 1,
        labels: {},
    },
    "latency-p95": {
        // 100 requests a minute, all under 50 ms; from minute 5, 94 % (crossing: p95 above the bound) or
        // 96 % (holding: p95 just under it) in the bucket that ends at the threshold, the rest in the next one.
        series: (level, n, _ctx, holding) => {
            const t = BUCKETS.find((b) => Math.abs(b * 1000 - level) < 1e-9);
            if (t === undefined) throw new Error(`fixture level ${level} is not a bucket bound`);
            const share = holding ? 96 : 94;
            return [...BUCKETS.map(String), "+Inf"].map((le) => {
                const bound = le === "+Inf" ? Infinity : Number(le);
                const before = bound >= 0.05 ? 100 : 0; // healthy: everything under 50 ms
                const after = bound < t ? 0 : bound === t ? share : 100;
                return {
                    series: `mcp_http_request_duration_seconds_bucket{${SRV},instance="r0",method="tools/call",le="${le}"}`,
                    values: counter(levels(n, before, after)),
                };
            });
        },
        crossing: (s) => s.threshold,
        holding: (s) => s.threshold,
        lag: 1,
        labels: {},
    },
    "replicas-below-minimum": {
        // level + 1 replicas configured; r0 stops at minute 5, so `level` answer from then on.
        series: (level, n) => {
            return Array.from({ length: level + 1 }, (_, i) => ({
                series: `up{${SRV},instance="r${i}"}`,
                values: gauge(levels(n, 1, i === 0 ? 0 : 1)),
            }));
        },
        // Crossing: minimum replicas configured, one stops (minimum - 1 answer). Holding: one more configured, one stops (minimum answer).
        crossing: (s) => s.threshold - 1,
        holding: (s) => s.threshold,
        lag: 0,
        labels: { job: JOBS.server, instance: "r0" },
    },
    "service-cpu": {
        series: (level, n, ctx) => [
            {
                series: `process_cpu_seconds_total{${SRV},instance="r0"}`,
                values: counter(levels(n, 6, (level / 100) * (ctx.milliCpu / 1000) * 60)),
            },
        ],
        crossing: above,
        holding: justBelow,
        lag: 1,
        labels: { job: JOBS.server, instance: "r0" },
    },
    "service-memory": {
        series: (level, n, ctx) => [
            {
                series: `process_resident_memory_bytes{${SRV},instance="r0"}`,
                values: gauge(levels(n, 50 * 1024 * 1024, (level / 100) * ctx.memoryMiB * 1024 * 1024)),
            },
        ],
        crossing: above,
        holding: justBelow,
        lag: 0,
        labels: { job: JOBS.server, instance: "r0" },
    },
    "database-connection-failures": {
        series: (level, n) => [
            { series: `mcp_dependency_up{${SRV},instance="r0",dependency="postgres"}`, values: gauge(levels(n, 1, 1 - level)) },
        ],
        crossing: () => 1,
        holding: () => 0,
        lag: 0,
        labels: { job: JOBS.server, instance: "r0", dependency: "postgres" },
    },
    "cache-unavailable": {
        series: (level, n) => [
            { series: `mcp_dependency_up{${SRV},instance="r0",dependency="redis"}`, values: gauge(levels(n, 1, level)) },
        ],
        crossing: () => 0,
        holding: () => 1,
        lag: 0,
        labels: { job: JOBS.server, instance: "r0", dependency: "redis" },
    },
    "uptime-check": {
        series: (level, n) => [
            { series: `probe_success{job="${JOBS.uptime}",instance="edge"}`, values: gauge(levels(n, 1, level > 0 ? 0 : 1)) },
        ],
        crossing: () => 1,
        holding: () => 0,
        lag: 0,
        labels: {},
    },
    "audit-append-failures": {
        // `level` failures in minute 5, none before or after.
        series: (level, n) => [
            {
                series: `mcp_audit_append_failures_total{${SRV},instance="r0"}`,
                values: counter(Array.from({ length: n }, (_, i) => (i === SWITCH ? level : 0))),
            },
        ],
        crossing: () => 1,
        holding: () => 0,
        lag: 1,
        labels: {},
    },
    "audit-checkpoint-late": {
        series: (level, n) => [
            { series: `mcp_audit_checkpoint_age_seconds{job="mcp-audit-export",instance="x"}`, values: gauge(levels(n, 60, level)) },
            { series: `mcp_audit_last_verified_seq{job="mcp-audit-export",instance="x"}`, values: gauge(levels(n, 42, 42)) },
        ],
        crossing: (s) => s.threshold + 60,
        holding: (s) => s.threshold,
        lag: 0,
        labels: {},
    },
};

/** Annotations as Prometheus renders them for the fixture (the audit one reads mcp_audit_last_verified_seq = 42). */
function renderedAnnotations(rule: PrometheusRule): Record<string, string> {
    const a = { ...rule.annotations };
    if (a.description !== undefined) a.description = "Audit chain verified up to seq 42.";
    return a;
}

/** A `promtool test rules` file: the alert is silent until its window has passed, fires then, and never for the holding level. */
function unitTest(rulesFile: string, signal: AlertSignal, rule: PrometheusRule, ctx: LocalRuleContext, f: Fixture) {
    const forMinutes = Number(/^(\d+)m$/.exec(rule.for)?.[1] ?? (rule.for === "0s" ? 0 : NaN));
    assert.ok(Number.isFinite(forMinutes), `${rule.alert}: for ${rule.for}`);
    const firesAt = SWITCH + f.lag + forMinutes;
    const minutes = firesAt + 10;
    const exp = {
        exp_labels: { alertname: rule.alert, severity: signal.severity, signal: signal.id, ...f.labels },
        exp_annotations: renderedAnnotations(rule),
    };
    const evalAt = (m: number, alerts: unknown[]) => ({ eval_time: `${m}m`, alertname: rule.alert, exp_alerts: alerts });
    return {
        rule_files: [rulesFile],
        evaluation_interval: "1m",
        tests: [
            {
                name: `${rule.alert} crosses ${signal.threshold} at minute ${SWITCH} and fires at ${firesAt}`,
                interval: "1m",
                input_series: f.series(f.crossing(signal), minutes, ctx, false),
                alert_rule_test: [
                    evalAt(SWITCH - 1, []),
                    ...(firesAt - 1 >= SWITCH ? [evalAt(firesAt - 1, [])] : []),
                    evalAt(firesAt, [exp]),
                ],
            },
            {
                name: `${rule.alert} holds at its threshold and never fires`,
                interval: "1m",
                input_series: f.series(f.holding(signal), minutes, ctx, true),
                alert_rule_test: [evalAt(firesAt, []), evalAt(minutes - 1, [])],
            },
        ],
    };
}

// ---------------------------------------------------------------- tests

describe("local Prometheus rules (components/local/prometheus.ts)", () => {
    it("one rule per observed signal, named after it, with the signal's window and severity", () => {
        for (const tier of TIER_NAMES) {
            const { signals, ctx } = localSignals(tier);
            const rules = prometheusRules(signals, ctx);
            const unobserved = localUnobserved(signals);
            assert.deepEqual(
                rules.map((r) => r.alert).sort(),
                signals
                    .filter((s) => !unobserved.includes(s.id))
                    .map((s) => s.name)
                    .sort(),
                tier,
            );
            for (const r of rules) {
                const s = signals.find((x) => x.name === r.alert)!;
                assert.equal(r.labels.severity, s.severity);
                assert.equal(r.for, s.evaluation === "sustained" ? `${s.windowMinutes}m` : "0s", `${tier} ${r.alert}`);
                assert.equal(r.annotations.runbook, s.runbook);
            }
            // What the local containers cannot report: the managed database's and cache's own metrics.
            assert.deepEqual(
                unobserved,
                signals
                    .map((s) => s.id)
                    .filter((id) =>
                        ["database-cpu", "database-free-storage", "database-replica-lag", "cache-memory", "cache-evictions"].includes(id),
                    ),
            );
        }
    });
    it("the thresholds are the tier's: 1 % errors, 500 ms p95, 80 % CPU, 85 % memory in prod; the tier's minimum replicas", () => {
        const { signals, ctx } = localSignals("prod");
        const expr = (name: string) => prometheusRules(signals, ctx).find((r) => r.alert === name)!.expr;
        assert.match(expr("McpEdge5xxRatio"), /\) > 1$/);
        assert.match(expr("McpLatencyP95"), /\) > 500$/);
        assert.match(expr("McpServiceCpu"), /\/ 0\.5 > 80$/);
        assert.match(expr("McpServiceMemory"), /\/ 1073741824 > 85$/);
        assert.match(expr("McpReplicasBelowMinimum"), /< 2\)$/);
        assert.match(
            prometheusRules(localSignals("enterprise").signals, ctx).find((r) => r.alert === "McpReplicasBelowMinimum")!.expr,
            /< 3\)$/,
        );
    });
    it("the p95 threshold of every tier is a bucket bound of the server's histogram (so p95 is exact there)", () => {
        for (const tier of TIER_NAMES) assert.ok(BUCKETS.includes(resolveTier(tier).alerts.p95LatencyMs / 1000), tier);
    });
    it("refuses a context or target list it cannot render", () => {
        const { signals } = localSignals("prod");
        assert.throws(
            () => prometheusRules(signals, { milliCpu: 0, memoryMiB: 512 }),
            (e: unknown) => e instanceof ConfigError && e.key === "milliCpu",
        );
        const base = {
            rulesFile: "/r.yml",
            replicas: [{ name: "a", host: "a", port: 9464 }],
            readyTargets: [],
            edgeHealthUrl: "http://edge:8080/health",
            blackbox: { host: "bb", port: 9115 },
            alertmanager: { host: "am", port: 9093 },
        };
        assert.throws(() => renderPrometheusConfig({ ...base, replicas: [] }), /replicas: must list at least one/);
        assert.throws(() => renderPrometheusConfig({ ...base, replicas: [base.replicas[0], base.replicas[0]] }), /names a twice/);
        assert.throws(() => renderPrometheusConfig({ ...base, edgeHealthUrl: "edge/health" }), /edgeHealthUrl/);
        assert.throws(() => renderPrometheusConfig({ ...base, scrapeIntervalSeconds: 0 }), /scrapeIntervalSeconds/);
        assert.throws(
            () => renderAlertmanagerConfig({ webhookUrl: "not a url s3cr3t" }),
            (e: unknown) => e instanceof ConfigError && !/s3cr3t/.test(String(e)),
        );
    });
    it("Alertmanager sends firing and resolved alerts to the webhook (Slack's own format for Slack URLs), or to nobody", () => {
        const parse = (t: string) => JSON.parse(t.slice(t.indexOf("\n") + 1));
        const hook = parse(renderAlertmanagerConfig({ webhookUrl: "https://hooks.example.com/x" }));
        assert.deepEqual(hook.receivers, [
            { name: "webhook", webhook_configs: [{ url: "https://hooks.example.com/x", send_resolved: true }] },
        ]);
        assert.equal(hook.route.receiver, "webhook");
        const slack = parse(renderAlertmanagerConfig({ webhookUrl: "https://hooks.slack.com/services/T/B/X" }));
        assert.equal(slack.receivers[0].slack_configs[0].api_url, "https://hooks.slack.com/services/T/B/X");
        assert.deepEqual(parse(renderAlertmanagerConfig({})).receivers, [{ name: "nobody" }]);
    });

    describe("with Debian's promtool", function () {
        this.timeout(120_000);
        let promtool: string;
        let dir: string;
        before(function () {
            promtool = requireBinary(this, "promtool", "prometheus");
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-promtool-"));
        });
        after(() => {
            if (dir) fs.rmSync(dir, { recursive: true, force: true });
        });

        for (const tier of TIER_NAMES) {
            it(`${tier}: promtool check rules, and every alert fires exactly when its threshold is crossed for its window, never at it`, async () => {
                const { signals, ctx } = localSignals(tier);
                const rulesFile = path.join(dir, `${tier}-rules.yml`);
                fs.writeFileSync(rulesFile, renderPrometheusRules(signals, ctx));
                const checked = await run(promtool, ["check", "rules", rulesFile]);
                const rules = prometheusRules(signals, ctx);
                assert.match(checked.stdout, new RegExp(`SUCCESS: ${rules.length} rules found`));
                const files: string[] = [];
                for (const rule of rules) {
                    const signal = signals.find((s) => s.name === rule.alert)!;
                    const fixture = FIXTURES[signal.id];
                    assert.ok(fixture, `no promtool fixture for ${signal.id}`);
                    const file = path.join(dir, `${tier}-${signal.id}.test.json`);
                    fs.writeFileSync(file, JSON.stringify(unitTest(rulesFile, signal, rule, ctx, fixture)));
                    files.push(file);
                }
                try {
                    const out = await run(promtool, ["test", "rules", ...files]);
                    assert.equal((out.stdout.match(/SUCCESS/g) ?? []).length, files.length, out.stdout);
                } catch (err) {
                    const e = err as { stdout?: string; stderr?: string };
                    assert.fail(`promtool test rules failed:\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
                }
            });
        }

        it("control: promtool fails a unit test whose expectation is wrong (an alert expected a minute early)", async () => {
            const { signals, ctx } = localSignals("prod");
            const rulesFile = path.join(dir, "control-rules.yml");
            fs.writeFileSync(rulesFile, renderPrometheusRules(signals, ctx));
            const rule = prometheusRules(signals, ctx).find((r) => r.alert === "McpEdge5xxRatio")!;
            const signal = signals.find((s) => s.id === "edge-5xx-ratio")!;
            const test = unitTest(rulesFile, signal, rule, ctx, FIXTURES["edge-5xx-ratio"]!);
            const checks = test.tests[0].alert_rule_test;
            // Expect the alert one minute before the window has passed.
            checks[checks.length - 2].exp_alerts = checks[checks.length - 1].exp_alerts;
            const file = path.join(dir, "control.test.json");
            fs.writeFileSync(file, JSON.stringify(test));
            await assert.rejects(run(promtool, ["test", "rules", file]), (e: { stdout?: string; stderr?: string }) =>
                /FAILED:[\s\S]*time: 10m[\s\S]*got:\[\]/.test(`${e.stdout ?? ""}${e.stderr ?? ""}`),
            );
        });

        it("promtool check config accepts the generated prometheus.yml (with its rules file)", async () => {
            const { signals, ctx } = localSignals("prod");
            const rulesFile = path.join(dir, "cfg-rules.yml");
            fs.writeFileSync(rulesFile, renderPrometheusRules(signals, ctx));
            const cfg = path.join(dir, "prometheus.yml");
            fs.writeFileSync(
                cfg,
                renderPrometheusConfig({
                    rulesFile,
                    replicas: [
                        { name: "mcp-server-0", host: "mcp-server-0", port: 9464 },
                        { name: "mcp-server-1", host: "mcp-server-1", port: 9464 },
                    ],
                    readyTargets: [
                        { name: "mcp-server-0", host: "mcp-server-0", port: 8080 },
                        { name: "mcp-server-1", host: "mcp-server-1", port: 8080 },
                    ],
                    edgeHealthUrl: "http://mcp-edge:8080/health",
                    blackbox: { host: "mcp-blackbox", port: 9115 },
                    alertmanager: { host: "mcp-alertmanager", port: 9093 },
                }),
            );
            const out = await run(promtool, ["check", "config", cfg]);
            assert.match(out.stdout, /SUCCESS: \S*prometheus\.yml is valid/);
        });

        it("amtool and the blackbox exporter accept their generated files", async function () {
            const amtool = requireBinary(this, "amtool", "prometheus-alertmanager");
            const blackbox = requireBinary(this, "prometheus-blackbox-exporter", "prometheus-blackbox-exporter");
            const am = path.join(dir, "alertmanager.yml");
            fs.writeFileSync(am, renderAlertmanagerConfig({ webhookUrl: "https://hooks.example.com/x" }));
            assert.match((await run(amtool, ["check-config", am])).stdout, /SUCCESS/);
            const bb = path.join(dir, "blackbox.yml");
            fs.writeFileSync(bb, renderBlackboxConfig({ edgeHost: "localhost" }));
            const out = await run(blackbox, [`--config.file=${bb}`, "--config.check"]);
            assert.match(out.stdout + out.stderr, /Config file is ok/);
        });
    });
});
