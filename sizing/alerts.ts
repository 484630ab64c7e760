/**
 * The operations signals, cloud-neutral: what each tier alerts on, at which threshold, over which
 * window, how loud, and what to look at first. Pure: every cloud's monitoring builder and the local
 * Prometheus rules (components/local/prometheus.ts) derive their alarms from `alertSignals`, and
 * the parity test compares what they declared against it.
 *
 * Also here: where alerts go (`resolveAlertRouting`), checked the way `pulumi preview` reports a
 * bad config, and the budget's notifications.
 */
import { ConfigError, formatChoices } from "./errors";
import { Cloud, TierName, TierSpec } from "./tiers";

/** Every signal an alert can be declared for, in the order docs and dashboards list them. */
export const SIGNAL_IDS = [
    "edge-5xx-ratio",
    "latency-p95",
    "replicas-below-minimum",
    "service-cpu",
    "service-memory",
    "database-cpu",
    "database-free-storage",
    "database-connection-failures",
    "database-replica-lag",
    "cache-memory",
    "cache-evictions",
    "cache-unavailable",
    "uptime-check",
    "audit-append-failures",
    "audit-checkpoint-late",
] as const;
export type SignalId = (typeof SIGNAL_IDS)[number];

/**
 * How a signal's measurements meet its window:
 * `sustained` = every one-minute value is past the threshold for the whole window (CloudWatch: period 60,
 * datapoints to alarm = the window; Cloud Monitoring: duration = the window; Prometheus: `for`);
 * `total` = the sum over the window is past the threshold (counts of events: evictions, failures).
 */
export type Evaluation = "sustained" | "total";

export interface AlertSignal {
    id: SignalId;
    /** The alert's name as people see it (Prometheus `alertname`, suffix of each cloud's alarm name). */
    name: string;
    /** One line: what crossed what. */
    title: string;
    /** What is measured, cloud-neutrally. */
    metric: string;
    /** Where the measurement comes from. */
    source: "edge" | "service" | "database" | "cache" | "probe" | "server";
    comparison: "above" | "below";
    threshold: number;
    unit: "percent" | "milliseconds" | "seconds" | "replicas" | "count" | "locations";
    windowMinutes: number;
    evaluation: Evaluation;
    /** `critical` pages someone (the service is down or losing data); `warning` needs a look within the day. */
    severity: "critical" | "warning";
    /** What to look at first when it fires. */
    runbook: string;
}

/** Windows every cloud evaluates natively (Azure Monitor's metric-alert windows are the narrowest set). */
export const ALERT_WINDOWS_MINUTES = [1, 5, 15, 30, 60] as const;

function checkThresholds(tier: TierName, spec: TierSpec): void {
    const a = spec.alerts;
    const key = (field: string) => `tiers.${tier}.alerts.${field}`;
    for (const field of ["windowMinutes", "availabilityWindowMinutes"] as const) {
        if (!(ALERT_WINDOWS_MINUTES as readonly number[]).includes(a[field])) {
            throw new ConfigError(
                key(field),
                `must be one of ${formatChoices(ALERT_WINDOWS_MINUTES)} minutes (windows every cloud evaluates), got ${a[field]}`,
            );
        }
    }
    for (const field of [
        "errorRatePercent",
        "serviceCpuPercent",
        "serviceMemoryPercent",
        "databaseCpuPercent",
        "databaseFreeStoragePercent",
        "cacheMemoryPercent",
    ] as const) {
        if (!(a[field] > 0 && a[field] < 100))
            throw new ConfigError(key(field), `must be a percentage above 0 and below 100, got ${a[field]}`);
    }
    for (const field of ["p95LatencyMs", "replicaLagSeconds", "uptimeIntervalSeconds", "auditCheckpointMaxAgeMinutes"] as const) {
        if (!(a[field] > 0)) throw new ConfigError(key(field), `must be positive, got ${a[field]}`);
    }
    if (!Number.isInteger(a.uptimeLocations) || a.uptimeLocations < 3) {
        throw new ConfigError(key("uptimeLocations"), `must be a whole number of at least 3 probe locations, got ${a.uptimeLocations}`);
    }
    if (!Number.isInteger(a.uptimeFailingLocations) || a.uptimeFailingLocations < 1 || a.uptimeFailingLocations > a.uptimeLocations) {
        throw new ConfigError(
            key("uptimeFailingLocations"),
            `must be a whole number from 1 to uptimeLocations (${a.uptimeLocations}), got ${a.uptimeFailingLocations}`,
        );
    }
}

export interface SignalOptions {
    /**
     * Whether the platform lets the service scale to zero replicas when idle. Then "replicas below the
     * minimum" is normal, and the uptime check is what notices an outage.
     * @default the tier's `service.scaleToZero` (Fargate and Docker never scale to zero: their builders pass false)
     */
    scalesToZero?: boolean;
}

/**
 * The signals a tier (after overrides) alerts on. Signals that cannot apply are left out:
 * replicas below the minimum when the service scales to zero, replica lag without a read replica,
 * the cache's signals when the server keeps its state in memory.
 */
export function alertSignals(spec: TierSpec, opts: SignalOptions = {}): AlertSignal[] {
    checkThresholds(spec.name, spec);
    const a = spec.alerts;
    const w = a.windowMinutes;
    const aw = a.availabilityWindowMinutes;
    const scalesToZero = opts.scalesToZero ?? spec.service.scaleToZero;
    const all: (AlertSignal & { applies: boolean })[] = [
        {
            id: "edge-5xx-ratio",
            name: "McpEdge5xxRatio",
            applies: true,
            title: `Edge 5xx responses above ${a.errorRatePercent} %`,
            metric: "5xx responses / all responses at the edge (load balancer, or the servers' own counters)",
            source: "edge",
            comparison: "above",
            threshold: a.errorRatePercent,
            unit: "percent",
            windowMinutes: w,
            evaluation: "sustained",
            severity: "critical",
            runbook:
                "Which status dominates: 502/504 from the edge mean replicas are not answering (see replicas and their logs); 500/503 from the servers name their cause in the log line of the request; then the dependency signals.",
        },
        {
            id: "latency-p95",
            name: "McpLatencyP95",
            applies: true,
            title: `p95 latency above ${a.p95LatencyMs} ms`,
            metric: "95th percentile of request latency (edge, or the server's mcp_http_request_duration_seconds histogram)",
            source: "server",
            comparison: "above",
            threshold: a.p95LatencyMs,
            unit: "milliseconds",
            windowMinutes: w,
            evaluation: "sustained",
            severity: "warning",
            runbook:
                "Service CPU and in-flight requests first (scale out if saturated), then database CPU and audit append latency (mcp_audit_append_duration_seconds), then the slowest tool in mcp_tool_call_duration_seconds.",
        },
        {
            id: "replicas-below-minimum",
            name: "McpReplicasBelowMinimum",
            applies: !scalesToZero,
            title: `Healthy replicas below the tier's minimum of ${spec.service.minReplicas}`,
            metric: "replicas the edge reports healthy (or the platform reports running)",
            source: "service",
            comparison: "below",
            threshold: spec.service.minReplicas,
            unit: "replicas",
            windowMinutes: aw,
            evaluation: "sustained",
            severity: "critical",
            runbook:
                "The platform's events for the service (task stopped reason, revision or container restarts, OOM kills), then the failing replica's last log lines and its /ready answer.",
        },
        {
            id: "service-cpu",
            name: "McpServiceCpu",
            applies: true,
            title: `Service CPU above ${a.serviceCpuPercent} %`,
            metric: "CPU used by a replica, percent of the vCPU it is given",
            source: "service",
            comparison: "above",
            threshold: a.serviceCpuPercent,
            unit: "percent",
            windowMinutes: w,
            evaluation: "sustained",
            severity: "warning",
            runbook:
                "Whether the autoscaler is at maxReplicas (raise it, or serviceMilliCpu); else which tool or client drives the load (mcp_tool_calls_total, the edge's access log).",
        },
        {
            id: "service-memory",
            name: "McpServiceMemory",
            applies: true,
            title: `Service memory above ${a.serviceMemoryPercent} %`,
            metric: "memory used by a replica, percent of the memory it is given",
            source: "service",
            comparison: "above",
            threshold: a.serviceMemoryPercent,
            unit: "percent",
            windowMinutes: w,
            evaluation: "sustained",
            severity: "warning",
            runbook:
                "Whether memory climbs steadily (a leak: restart one replica and compare) or follows load (raise serviceMemoryMiB); in-flight streamed responses hold memory.",
        },
        {
            id: "database-cpu",
            name: "McpDatabaseCpu",
            applies: true,
            title: `Database CPU above ${a.databaseCpuPercent} %`,
            metric: "CPU of the audit database's primary",
            source: "database",
            comparison: "above",
            threshold: a.databaseCpuPercent,
            unit: "percent",
            windowMinutes: w,
            evaluation: "sustained",
            severity: "warning",
            runbook:
                "The database's top queries (Performance Insights / Query Performance Insight / Query Insights); on burstable classes, the CPU credit balance; then raise dbVcpu or dbInstanceClass.",
        },
        {
            id: "database-free-storage",
            name: "McpDatabaseFreeStorage",
            applies: true,
            title: `Database free storage below ${a.databaseFreeStoragePercent} %`,
            metric: "free storage of the audit database, percent of its size",
            source: "database",
            comparison: "below",
            threshold: a.databaseFreeStoragePercent,
            unit: "percent",
            windowMinutes: w,
            evaluation: "sustained",
            severity: "critical",
            runbook:
                "The audit log only grows: confirm checkpoints are exported, then raise dbStorageGiB (every cloud grows storage online); never delete audit rows.",
        },
        {
            id: "database-connection-failures",
            name: "McpDatabaseConnectionFailures",
            applies: true,
            title: "Database connections failing",
            metric: "failed connections to the audit database (the database's own count, or the servers' readiness check)",
            source: "database",
            comparison: "above",
            threshold: 0,
            unit: "count",
            windowMinutes: aw,
            evaluation: "sustained",
            severity: "critical",
            runbook:
                "Is the database up and not failing over (its events); then connection count against max_connections, credentials rotation, and the servers' /ready answer.",
        },
        {
            id: "database-replica-lag",
            name: "McpDatabaseReplicaLag",
            applies: spec.database.readReplicas > 0,
            title: `Read replica lag above ${a.replicaLagSeconds} s`,
            metric: "replication lag of the read replica, seconds",
            source: "database",
            comparison: "above",
            threshold: a.replicaLagSeconds,
            unit: "seconds",
            windowMinutes: w,
            evaluation: "sustained",
            severity: "warning",
            runbook: "Write volume on the primary and the replica's CPU and I/O; a replica that keeps lagging needs the primary's class.",
        },
        {
            id: "cache-memory",
            name: "McpCacheMemory",
            applies: spec.cache.store === "managed",
            title: `Cache memory above ${a.cacheMemoryPercent} %`,
            metric: "memory used by the session cache, percent of its maximum",
            source: "cache",
            comparison: "above",
            threshold: a.cacheMemoryPercent,
            unit: "percent",
            windowMinutes: w,
            evaluation: "sustained",
            severity: "warning",
            runbook: "Key count and the largest keys (notes, rate-limit counters expire on their own); then raise cacheMemoryMiB.",
        },
        {
            id: "cache-evictions",
            name: "McpCacheEvictions",
            applies: spec.cache.store === "managed",
            title: "Cache evicting keys",
            metric: "keys the session cache evicted for lack of memory",
            source: "cache",
            comparison: "above",
            threshold: 0,
            unit: "count",
            windowMinutes: w,
            evaluation: "total",
            severity: "warning",
            runbook:
                "Evicted notes and rate-limit counters are lost state: raise cacheMemoryMiB now, then look for what grew (cache memory signal).",
        },
        {
            id: "cache-unavailable",
            name: "McpCacheUnavailable",
            applies: spec.cache.store === "managed",
            title: "Cache unavailable",
            metric: "the session cache answering (the servers' readiness check, or the cache's own availability)",
            source: "cache",
            comparison: "below",
            threshold: 1,
            unit: "count",
            windowMinutes: aw,
            evaluation: "sustained",
            severity: "critical",
            runbook:
                "The cache's events (failover, maintenance); rate limits fall back to each replica's memory meanwhile, so limits are per replica until it returns.",
        },
        {
            id: "uptime-check",
            name: "McpUptimeCheck",
            applies: true,
            title: `/health failing from ${a.uptimeFailingLocations} or more of ${a.uptimeLocations} probe locations`,
            metric: "external probes of GET /health through the public endpoint",
            source: "probe",
            comparison: "above",
            threshold: a.uptimeFailingLocations - 1,
            unit: "locations",
            windowMinutes: aw,
            evaluation: "sustained",
            severity: "critical",
            runbook:
                "Whether the edge answers at all (DNS, certificate, load balancer, WAF blocking the probes), then the replicas-below-minimum signal and the edge's access log.",
        },
        {
            id: "audit-append-failures",
            name: "McpAuditAppendFailures",
            applies: true,
            title: "Audit entries failing to be written",
            metric: "audit entries the servers could not write (mcp_audit_append_failures_total); those calls were refused",
            source: "server",
            comparison: "above",
            threshold: 0,
            unit: "count",
            windowMinutes: aw,
            evaluation: "total",
            severity: "critical",
            runbook:
                "The database signals first (connections, storage, CPU); the server's log names the failing statement; calls stay refused until audit entries are durable again.",
        },
        {
            id: "audit-checkpoint-late",
            name: "McpAuditCheckpointLate",
            applies: true,
            title: `Audit checkpoint older than ${a.auditCheckpointMaxAgeMinutes} minutes`,
            metric: "age of the newest audit checkpoint in write-once storage (mcp_audit_checkpoint_age_seconds; mcp_audit_last_verified_seq says how far the chain was verified)",
            source: "server",
            comparison: "above",
            threshold: a.auditCheckpointMaxAgeMinutes * 60,
            unit: "seconds",
            windowMinutes: aw,
            evaluation: "sustained",
            severity: "critical",
            runbook:
                "The checkpoint job's last run and error (write-once bucket permissions, retention lock), then run audit:verify: until a checkpoint lands, a rewritten tail cannot be detected.",
        },
    ];
    return all.filter((s) => s.applies).map(({ applies: _applies, ...s }) => s);
}

// ---------------------------------------------------------------- where alerts go

/** Where alerts go, as the stack config says. */
export interface AlertRouting {
    /** Email addresses notified of every alert and budget notification. */
    emails: string[];
    /** An HTTPS webhook (Slack, PagerDuty Events, any receiver) notified of every alert. A secret. */
    webhookUrl?: string;
    /** `alerts: none`: the signals are still declared (dashboards, consoles show them) but notify nobody. */
    optedOut: boolean;
}

/** Tiers that must say where alerts go (or opt out explicitly). */
export const TIERS_REQUIRING_ALERT_TARGET: readonly TierName[] = ["prod", "enterprise"];

const EMAIL =
    /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** The raw config values (as Pulumi hands them over: a list arrives as JSON text). */
export interface AlertConfigValues {
    alertEmails?: string;
    alertWebhookUrl?: string;
    alerts?: string;
}

function parseEmails(raw: string | undefined, key: string): string[] {
    if (raw === undefined || raw.trim() === "" || raw.trim() === "[]") return [];
    let list: unknown;
    try {
        list = JSON.parse(raw);
    } catch {
        list = undefined;
    }
    if (!Array.isArray(list) || !list.every((e) => typeof e === "string")) {
        throw new ConfigError(
            key,
            `must be a list of email addresses, got ${JSON.stringify(raw)}; set it with pulumi config set --path 'alertEmails[0]' oncall@example.com`,
        );
    }
    const emails = list.map((e: string) => e.trim());
    emails.forEach((e, i) => {
        if (!EMAIL.test(e)) throw new ConfigError(`${key}[${i}]`, `is not an email address: ${JSON.stringify(e)}`);
    });
    const dup = emails.find((e, i) => emails.findIndex((o) => o.toLowerCase() === e.toLowerCase()) !== i);
    if (dup !== undefined) throw new ConfigError(key, `lists ${dup} twice`);
    return emails;
}

function parseWebhook(raw: string | undefined, key: string, cloud: Cloud): string | undefined {
    if (raw === undefined || raw.trim() === "") return undefined;
    let url: URL;
    try {
        url = new URL(raw.trim());
    } catch {
        // The value is a secret: never echo it.
        throw new ConfigError(key, "is not a URL (value not shown: it is a secret)");
    }
    // Local Alertmanager may post to a receiver on the Docker host or network; the clouds post over the internet.
    const allowed = cloud === "local" ? ["https:", "http:"] : ["https:"];
    if (!allowed.includes(url.protocol)) {
        throw new ConfigError(
            key,
            `must be an ${cloud === "local" ? "http or https" : "https"} URL, got a ${url.protocol.replace(":", "")} URL`,
        );
    }
    return url.toString();
}

/**
 * Where alerts go. A prod or enterprise stack must name a target (alertEmails or alertWebhookUrl)
 * or opt out explicitly with `alerts: none`; dev may run without. Errors name the key, never the
 * webhook URL (a secret).
 */
export function resolveAlertRouting(cloud: Cloud, tier: TierName, values: AlertConfigValues, project = "mcp-infra"): AlertRouting {
    const emails = parseEmails(values.alertEmails, `${project}:alertEmails`);
    const webhookUrl = parseWebhook(values.alertWebhookUrl, `${project}:alertWebhookUrl`, cloud);
    const mode = values.alerts ?? "";
    if (mode !== "" && mode !== "none") {
        throw new ConfigError(
            `${project}:alerts`,
            `unknown value "${mode}"; allowed values: none (notify nobody), or empty (notify alertEmails / alertWebhookUrl)`,
        );
    }
    const optedOut = mode === "none";
    if (optedOut && (emails.length > 0 || webhookUrl !== undefined)) {
        throw new ConfigError(
            `${project}:alerts`,
            "is none (notify nobody) but alertEmails or alertWebhookUrl is set; unset one or the other",
        );
    }
    if (cloud === "local" && emails.length > 0) {
        throw new ConfigError(
            `${project}:alertEmails`,
            "the local target's Alertmanager has no mail relay; route local alerts with alertWebhookUrl",
        );
    }
    if (!optedOut && emails.length === 0 && webhookUrl === undefined && TIERS_REQUIRING_ALERT_TARGET.includes(tier)) {
        throw new ConfigError(
            `${project}:alertEmails`,
            `the ${tier} tier needs somewhere to send alerts: set alertEmails (pulumi config set --path 'alertEmails[0]' oncall@example.com) ` +
                "or alertWebhookUrl (pulumi config set --secret alertWebhookUrl https://...), or opt out explicitly with pulumi config set alerts none",
        );
    }
    return { emails, webhookUrl, optedOut };
}

// ---------------------------------------------------------------- budget

/** The cloud budget's notifications: forecast spend at 80 % and actual spend at 100 % of `monthlyBudgetUsd`. */
export interface BudgetNotification {
    kind: "forecast" | "actual";
    percent: number;
}

export const BUDGET_NOTIFICATIONS: readonly BudgetNotification[] = [
    { kind: "forecast", percent: 80 },
    { kind: "actual", percent: 100 },
];

const BILLING_ACCOUNT = /^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$/;

/**
 * The billing account a GCP budget is created on: required on gcp when the stack has a budget
 * (Cloud Billing budgets belong to a billing account, not to a project), checked for its format.
 */
export function resolveBillingAccount(
    cloud: Cloud,
    monthlyBudgetUsd: number | undefined,
    billingAccountId: string | undefined,
    project = "mcp-infra",
): string | undefined {
    const id = billingAccountId?.trim() ?? "";
    if (id !== "" && !BILLING_ACCOUNT.test(id)) {
        throw new ConfigError(
            `${project}:billingAccountId`,
            `must look like 012345-6789AB-CDEF01 (gcloud billing accounts list), got ${JSON.stringify(id)}`,
        );
    }
    if (cloud === "gcp" && (monthlyBudgetUsd ?? 0) > 0 && id === "") {
        throw new ConfigError(
            `${project}:billingAccountId`,
            `monthlyBudgetUsd is ${monthlyBudgetUsd}, and a GCP budget lives on a billing account: set it with pulumi config set billingAccountId 012345-6789AB-CDEF01 (gcloud billing accounts list), or unset monthlyBudgetUsd`,
        );
    }
    return cloud === "gcp" && id !== "" ? id : undefined;
}
