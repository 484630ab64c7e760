/**
 * The local target's monitoring configuration, as pure functions: Prometheus alert rules derived
 * from the neutral signals (sizing/alerts.ts), the Prometheus scrape configuration, the blackbox
 * exporter's probe module and Alertmanager's routing. The local stack mounts their output in its
 * containers; tests run the very same files with Debian's promtool, prometheus,
 * prometheus-alertmanager and prometheus-blackbox-exporter (test/prometheus.test.ts, test/drill/alerts.test.ts).
 *
 * Every file is written as JSON, which YAML parsers read as YAML (a `#` comment line first says
 * where it came from), so the library needs no YAML package at run time.
 *
 * What is scraped, and why:
 * - **Every replica's own /metrics** (prom-client, on METRICS_PORT, never through the edge): the
 *   request counters (5xx ratio), the latency histogram (p95), process CPU and memory, the
 *   readiness gauges `mcp_dependency_up{dependency="postgres"|"redis"}`, audit append failures,
 *   and the audit export's `mcp_audit_checkpoint_age_seconds` / `mcp_audit_last_verified_seq`.
 *   `up` of this job is what "replicas below the minimum" counts.
 * - **nginx, from outside**: a blackbox exporter probes `GET /health` through the edge, as the
 *   clouds' uptime checks do (one location here). nginx's own stub_status (and the nginx exporter
 *   that turns it into metrics) was left out on purpose: it reports connection counts only, with no
 *   status codes and no latency, so it feeds none of the signals. The 5xx ratio and p95 come from the
 *   servers' counters; the probe sees what only the edge can get wrong (nginx down, every replica
 *   refusing, a 502 from nginx itself).
 * - **Every replica's /ready, by the blackbox exporter**: readiness checks are what refresh the
 *   dependency gauges, so probing them every interval keeps "database connections failing" and
 *   "cache unavailable" current even when no client asks.
 *
 * Signals with no local source are listed by `localUnobserved` (database CPU and storage, replica
 * lag, cache memory and evictions: the containers export none of them).
 */
import { AlertSignal, ConfigError, SignalId } from "../../sizing";

/** Prometheus job names the rules select on. */
export const JOBS = { server: "mcp-server", uptime: "mcp-uptime", ready: "mcp-ready" } as const;

/** The blackbox exporter's module names (see `renderBlackboxConfig`). */
export const BLACKBOX_MODULES = { health: "http_health", ready: "http_ready" } as const;

/** A scrape or probe target: `host:port`. */
export interface HostPort {
    host: string;
    port: number;
}

/** What the rules need to know about the replicas beyond the signals' thresholds. */
export interface LocalRuleContext {
    /** vCPU each replica is given, in thousandths (the CPU signal's 100 %). */
    milliCpu: number;
    /** Memory each replica is given, MiB (the memory signal's 100 %). */
    memoryMiB: number;
}

interface LocalRule {
    /** PromQL whose result is the signal's value, in the signal's unit (before the comparison). */
    value: (ctx: LocalRuleContext, s: AlertSignal) => string;
    /** The threshold locally, when it differs from the signal's. */
    threshold?: (s: AlertSignal) => number;
}

const S = `job="${JOBS.server}"`;
/** The one-minute rate every `sustained` signal is evaluated on (four samples at the default 15 s scrape). */
const RATE = "1m";

/**
 * How each signal is measured locally; null where the local containers export nothing for it.
 * A Record over every SignalId, so a new signal cannot be forgotten here.
 */
const LOCAL: Readonly<Record<SignalId, LocalRule | null>> = {
    "edge-5xx-ratio": {
        value: () =>
            `100 * sum(rate(mcp_http_requests_total{${S},status=~"5.."}[${RATE}])) / sum(rate(mcp_http_requests_total{${S}}[${RATE}]))`,
    },
    "latency-p95": {
        value: () => `1000 * histogram_quantile(0.95, sum by (le) (rate(mcp_http_request_duration_seconds_bucket{${S}}[${RATE}])))`,
    },
    "replicas-below-minimum": null, // special: see replicasRule (one alert per missing replica)
    "service-cpu": {
        value: (ctx) => `100 * rate(process_cpu_seconds_total{${S}}[${RATE}]) / ${ctx.milliCpu / 1000}`,
    },
    "service-memory": {
        value: (ctx) => `100 * process_resident_memory_bytes{${S}} / ${ctx.memoryMiB * 1024 * 1024}`,
    },
    "database-cpu": null,
    "database-free-storage": null,
    // The servers' readiness check: 1 - up = one failing connection check per replica.
    "database-connection-failures": { value: () => `1 - mcp_dependency_up{${S},dependency="postgres"}` },
    "database-replica-lag": null,
    "cache-memory": null,
    "cache-evictions": null,
    "cache-unavailable": { value: () => `mcp_dependency_up{${S},dependency="redis"}` },
    // One probe location locally (the blackbox exporter beside the edge), so one failing location alerts.
    "uptime-check": { value: () => `count(probe_success{job="${JOBS.uptime}"} == 0) or vector(0)`, threshold: () => 0 },
    "audit-append-failures": { value: (_c, s) => `sum(increase(mcp_audit_append_failures_total{${S}}[${s.windowMinutes}m]))` },
    "audit-checkpoint-late": { value: () => "max(mcp_audit_checkpoint_age_seconds)" },
};

/** Signals the local target cannot observe (no exporter for them in the local stack). */
export function localUnobserved(signals: AlertSignal[]): SignalId[] {
    return signals.filter((s) => s.id !== "replicas-below-minimum" && LOCAL[s.id] === null).map((s) => s.id);
}

/** A PromQL number: integers as is, others without float noise. */
function num(n: number): string {
    return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12)));
}

export interface PrometheusRule {
    alert: string;
    expr: string;
    for: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

function annotations(s: AlertSignal): Record<string, string> {
    const a: Record<string, string> = { summary: s.title, runbook: s.runbook };
    if (s.id === "audit-checkpoint-late") {
        a.description =
            'Audit chain verified up to seq {{ with query "max(mcp_audit_last_verified_seq)" }}{{ . | first | value }}{{ else }}unknown{{ end }}.';
    }
    return a;
}

function labels(s: AlertSignal): Record<string, string> {
    return { severity: s.severity, signal: s.id };
}

/** "Healthy replicas below the minimum", one alert per replica that is down, so a notification names it. */
function replicasRule(s: AlertSignal): PrometheusRule {
    return {
        alert: s.name,
        // Static targets never vanish, so `sum(up)` counts the replicas that answered their last scrape.
        expr: `(up{${S}} == 0) and on() (sum(up{${S}}) < ${num(s.threshold)})`,
        for: `${s.windowMinutes}m`,
        labels: labels(s),
        annotations: annotations(s),
    };
}

/** One Prometheus alerting rule per signal the local target observes. */
export function prometheusRules(signals: AlertSignal[], ctx: LocalRuleContext): PrometheusRule[] {
    if (!(ctx.milliCpu > 0)) throw new ConfigError("milliCpu", `must be positive, got ${ctx.milliCpu}`);
    if (!(ctx.memoryMiB > 0)) throw new ConfigError("memoryMiB", `must be positive, got ${ctx.memoryMiB}`);
    const rules: PrometheusRule[] = [];
    for (const s of signals) {
        if (s.id === "replicas-below-minimum") {
            rules.push(replicasRule(s));
            continue;
        }
        const local = LOCAL[s.id];
        if (local === null) continue;
        const op = s.comparison === "above" ? ">" : "<";
        const value = local.value(ctx, s);
        rules.push({
            alert: s.name,
            expr: `${value.includes(" or ") ? `(${value})` : value} ${op} ${num(local.threshold?.(s) ?? s.threshold)}`,
            // `total` signals sum over the window in the expression itself; `sustained` ones must hold for it.
            for: s.evaluation === "sustained" ? `${s.windowMinutes}m` : "0s",
            labels: labels(s),
            annotations: annotations(s),
        });
    }
    return rules;
}

/** Text of a generated file: a comment line, then JSON (which YAML readers accept). */
function generated(what: string, value: unknown): string {
    return `# ${what}: generated by mcp-infra (components/local/prometheus.ts); do not edit by hand.\n${JSON.stringify(value, null, 2)}\n`;
}

/** The rules file (`rule_files`) for these signals. */
export function renderPrometheusRules(signals: AlertSignal[], ctx: LocalRuleContext): string {
    return generated("Prometheus alert rules", { groups: [{ name: "mcp-infra", rules: prometheusRules(signals, ctx) }] });
}

/** A Prometheus duration: whole seconds. */
function seconds(field: string, n: number): string {
    if (!Number.isInteger(n) || n < 1 || n > 3600)
        throw new ConfigError(field, `must be a whole number of seconds from 1 to 3600, got ${n}`);
    return `${n}s`;
}

function hostPort(field: string, t: HostPort): string {
    if (typeof t?.host !== "string" || !/^[A-Za-z0-9.:_-]+$/.test(t.host))
        throw new ConfigError(`${field}.host`, `must be a host name or IP address, got ${JSON.stringify(t?.host)}`);
    if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535)
        throw new ConfigError(`${field}.port`, `must be a port from 1 to 65535, got ${t.port}`);
    return t.host.includes(":") ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}

export interface PrometheusConfigOptions {
    /** Path of the rules file as Prometheus sees it. @example "/etc/prometheus/rules.yml" */
    rulesFile: string;
    /** Every replica's metrics endpoint (METRICS_PORT), with the name its alerts carry as `instance`. */
    replicas: (HostPort & { name: string })[];
    /** Every replica's main port, for the /ready probe (refreshes the dependency gauges). */
    readyTargets: (HostPort & { name: string })[];
    /** The public /health URL the uptime probe requests through the edge. @example "http://mcp-edge:8080/health" */
    edgeHealthUrl: string;
    /** The blackbox exporter. */
    blackbox: HostPort;
    /** Alertmanager. */
    alertmanager: HostPort;
    /** @default 15 */
    scrapeIntervalSeconds?: number;
    /** @default 15 */
    evaluationIntervalSeconds?: number;
}

/** prometheus.yml: scrape every replica, probe the edge and every replica's /ready, send alerts to Alertmanager. */
export function renderPrometheusConfig(o: PrometheusConfigOptions): string {
    if (!Array.isArray(o.replicas) || o.replicas.length === 0)
        throw new ConfigError("replicas", "must list at least one replica ({ name, host, port })");
    const names = o.replicas.map((r) => r.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new ConfigError("replicas", `names ${dup} twice`);
    let health: URL;
    try {
        health = new URL(o.edgeHealthUrl);
    } catch {
        throw new ConfigError("edgeHealthUrl", `must be an http(s) URL, got ${JSON.stringify(o.edgeHealthUrl)}`);
    }
    if (!["http:", "https:"].includes(health.protocol))
        throw new ConfigError("edgeHealthUrl", `must be an http(s) URL, got ${JSON.stringify(o.edgeHealthUrl)}`);
    const probe = (job: string, module: string, targets: { target: string; instance: string }[]) => ({
        job_name: job,
        metrics_path: "/probe",
        params: { module: [module] },
        static_configs: targets.map((t) => ({ targets: [t.target], labels: { instance: t.instance } })),
        relabel_configs: [
            { source_labels: ["__address__"], target_label: "__param_target" },
            { target_label: "__address__", replacement: hostPort("blackbox", o.blackbox) },
        ],
    });
    return generated("Prometheus configuration", {
        global: {
            scrape_interval: seconds("scrapeIntervalSeconds", o.scrapeIntervalSeconds ?? 15),
            // A scrape must end before the next one starts (Prometheus refuses a timeout above the interval).
            scrape_timeout: seconds("scrapeIntervalSeconds", Math.min(10, o.scrapeIntervalSeconds ?? 15)),
            evaluation_interval: seconds("evaluationIntervalSeconds", o.evaluationIntervalSeconds ?? 15),
        },
        rule_files: [o.rulesFile],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [hostPort("alertmanager", o.alertmanager)] }] }] },
        scrape_configs: [
            {
                job_name: JOBS.server,
                metrics_path: "/metrics",
                // `instance` is the replica's name, not its address, so alerts name the replica.
                static_configs: o.replicas.map((r, i) => ({ targets: [hostPort(`replicas[${i}]`, r)], labels: { instance: r.name } })),
            },
            probe(JOBS.uptime, BLACKBOX_MODULES.health, [{ target: health.toString(), instance: "edge" }]),
            probe(
                JOBS.ready,
                BLACKBOX_MODULES.ready,
                o.readyTargets.map((r, i) => ({ target: `http://${hostPort(`readyTargets[${i}]`, r)}/ready`, instance: r.name })),
            ),
        ],
    });
}

/**
 * blackbox.yml: `http_health` wants a 200 from /health with the Host the edge serves (nginx answers
 * other names with 421); `http_ready` asks a replica's /ready, where 503 (a dependency down) is an
 * answer too: the probe exists to run the readiness checks, the gauges carry the result.
 */
export function renderBlackboxConfig(opts: { edgeHost: string; timeoutSeconds?: number }): string {
    if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(opts.edgeHost))
        throw new ConfigError("edgeHost", `must be a host name (and port) the edge serves, got ${JSON.stringify(opts.edgeHost)}`);
    const timeout = seconds("timeoutSeconds", opts.timeoutSeconds ?? 5);
    return generated("blackbox exporter modules", {
        modules: {
            [BLACKBOX_MODULES.health]: {
                prober: "http",
                timeout,
                http: {
                    method: "GET",
                    valid_status_codes: [200],
                    headers: { Host: opts.edgeHost },
                    preferred_ip_protocol: "ip4",
                    no_follow_redirects: true,
                },
            },
            [BLACKBOX_MODULES.ready]: {
                prober: "http",
                timeout,
                http: { method: "GET", valid_status_codes: [200, 503], preferred_ip_protocol: "ip4", no_follow_redirects: true },
            },
        },
    });
}

export interface AlertmanagerOptions {
    /** Where alerts go; undefined = nowhere (alerts: none, or a dev stack without a target): Alertmanager's UI only. */
    webhookUrl?: string;
    /** Seconds to wait for more alerts of a new group before the first notification. @default 30 */
    groupWaitSeconds?: number;
    /** Seconds between notifications about a group that changed (new alerts, resolved ones). @default 300 */
    groupIntervalSeconds?: number;
    /** Seconds before a still-firing alert is sent again. @default 14400 (4 h) */
    repeatIntervalSeconds?: number;
}

/** Slack incoming webhooks take Slack's own message format; every other URL gets Alertmanager's webhook JSON. */
export function isSlackWebhook(url: string): boolean {
    return /^https:\/\/hooks\.slack\.com\//.test(url);
}

/** alertmanager.yml: one route, to the webhook (resolved notifications too), or to nobody. */
export function renderAlertmanagerConfig(o: AlertmanagerOptions): string {
    const receiver =
        o.webhookUrl === undefined
            ? { name: "nobody" }
            : isSlackWebhook(o.webhookUrl)
              ? {
                    name: "webhook",
                    slack_configs: [
                        {
                            api_url: o.webhookUrl,
                            send_resolved: true,
                            title: "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}",
                            text: "{{ range .Alerts }}{{ .Annotations.summary }} ({{ .Labels.instance }}). First look: {{ .Annotations.runbook }}\n{{ end }}",
                        },
                    ],
                }
              : { name: "webhook", webhook_configs: [{ url: o.webhookUrl, send_resolved: true }] };
    if (o.webhookUrl !== undefined) {
        let u: URL;
        try {
            u = new URL(o.webhookUrl);
        } catch {
            throw new ConfigError("webhookUrl", "is not a URL (value not shown: it is a secret)");
        }
        if (!["http:", "https:"].includes(u.protocol)) throw new ConfigError("webhookUrl", "must be an http or https URL");
    }
    return generated("Alertmanager configuration", {
        route: {
            receiver: receiver.name,
            group_by: ["alertname", "instance"],
            group_wait: seconds("groupWaitSeconds", o.groupWaitSeconds ?? 30),
            group_interval: seconds("groupIntervalSeconds", o.groupIntervalSeconds ?? 300),
            repeat_interval: `${Math.round((o.repeatIntervalSeconds ?? 14_400) / 60)}m`,
        },
        receivers: [receiver],
    });
}
