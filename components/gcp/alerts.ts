/**
 * The Cloud Monitoring side of the neutral signals (sizing/alerts.ts), as pure data: one alert
 * policy condition per signal over the metric GCP measures it by, and the log-based metrics that turn
 * the server's log lines into metrics for what GCP cannot see. `sustained` signals align every
 * 60 s and must hold for the whole window (`duration`); `total` signals sum over the window.
 * Each policy carries the user label `signal` so tests and the parity check map it back.
 */
import type * as gcp from "@pulumi/gcp";
import type * as pulumi from "@pulumi/pulumi";
import { AlertSignal, ConfigError, SignalId } from "../../sizing";

/** A log-based metric over the server's JSON log lines on Cloud Run (jsonPayload). */
export interface GcpLogMetric {
    signal: SignalId;
    /** Metric name (`logging.googleapis.com/user/<name>`). */
    name: string;
    filter: string;
    /** A distribution of this field's values, or (absent) a count of lines. */
    valueField?: string;
}

export const GCP_LOG_METRICS: readonly GcpLogMetric[] = [
    {
        signal: "database-connection-failures",
        name: "mcp_audit_database_connection_errors",
        filter: 'jsonPayload.msg="audit database connection error"',
    },
    {
        signal: "cache-unavailable",
        name: "mcp_redis_connection_errors",
        filter: '(jsonPayload.msg="redis connection error" OR jsonPayload.msg:"redis unreachable")',
    },
    { signal: "audit-append-failures", name: "mcp_audit_append_failures", filter: 'jsonPayload.msg="audit append failed"' },
    {
        signal: "audit-checkpoint-late",
        name: "mcp_audit_checkpoint_age_seconds",
        filter: "jsonPayload.mcp_audit_checkpoint_age_seconds>=0",
        valueField: "EXTRACT(jsonPayload.mcp_audit_checkpoint_age_seconds)",
    },
];

export interface GcpAlertTargets {
    /** The global external ALB's URL map name, or the Cloud Run service (run.app URL edge). */
    edge: { kind: "loadBalancer"; urlMap: pulumi.Input<string> } | { kind: "cloudRun" };
    /** The Cloud Run service name. */
    service: pulumi.Input<string>;
    /** Cloud SQL `project:instance` ids of the primary and the read replicas. */
    database: { primary: pulumi.Input<string>; readReplicas: pulumi.Input<string>[] };
    /** Memorystore instance id, when the tier has a managed cache. */
    cache?: pulumi.Input<string>;
    /** The uptime check's id. */
    uptimeCheckId: pulumi.Input<string>;
    /** Appended to the log-based metrics' names (one set per stack in a project). @default "" */
    logMetricSuffix?: string;
}

/** The name of a log-based metric of this set. */
export function logMetricName(m: GcpLogMetric, suffix = ""): string {
    return suffix === "" ? m.name : `${m.name}_${suffix.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

export interface GcpPolicy {
    signal: SignalId;
    role: string;
    args: Omit<gcp.monitoring.AlertPolicyArgs, "notificationChannels">;
}

type Condition = gcp.types.input.monitoring.AlertPolicyConditionConditionThreshold;

const ALIGN = "60s";

/** `a AND b` for Monitoring filters, with Inputs resolved by the caller (pulumi.interpolate). */
function filter(...parts: string[]): string {
    return parts.join(" AND ");
}

function comparison(s: AlertSignal): string {
    return s.comparison === "above" ? "COMPARISON_GT" : "COMPARISON_LT";
}

export function gcpPolicies(
    signals: AlertSignal[],
    t: GcpAlertTargets,
    interpolate: (s: TemplateStringsArray, ...v: pulumi.Input<string>[]) => pulumi.Output<string>,
): GcpPolicy[] {
    const out: GcpPolicy[] = [];
    const policy = (
        s: AlertSignal,
        c: Omit<Condition, "duration" | "comparison"> & Partial<Pick<Condition, "comparison">>,
        role: string = s.id,
    ): GcpPolicy => ({
        signal: s.id,
        role,
        args: {
            displayName: `${s.name}: ${s.title}`,
            combiner: "OR",
            severity: s.severity === "critical" ? "CRITICAL" : "WARNING",
            userLabels: { signal: s.id, severity: s.severity },
            documentation: { content: `${s.title}. First look: ${s.runbook}`, mimeType: "text/markdown" },
            alertStrategy: { autoClose: "1800s" },
            conditions: [
                {
                    displayName: s.title,
                    conditionThreshold: {
                        comparison: comparison(s),
                        thresholdValue: s.threshold,
                        duration: s.evaluation === "sustained" ? `${s.windowMinutes * 60}s` : "0s",
                        trigger: { count: 1 },
                        ...c,
                    },
                },
            ],
        },
    });
    const run = interpolate`resource.type="cloud_run_revision" AND resource.labels.service_name="${t.service}"`;
    const sum = (aligner: string, groupBy: string[] = []) => [
        { alignmentPeriod: ALIGN, perSeriesAligner: aligner, crossSeriesReducer: "REDUCE_SUM", groupByFields: groupBy },
    ];
    const logMetric = (s: AlertSignal, extra: Partial<Condition> = {}) => {
        const m = GCP_LOG_METRICS.find((l) => l.signal === s.id)!;
        const aligner = m.valueField ? "ALIGN_PERCENTILE_99" : "ALIGN_DELTA";
        const window = s.evaluation === "total" ? `${s.windowMinutes * 60}s` : ALIGN;
        return policy(s, {
            filter: filter(
                `metric.type="logging.googleapis.com/user/${logMetricName(m, t.logMetricSuffix)}"`,
                'resource.type="cloud_run_revision"',
            ),
            aggregations: [
                { alignmentPeriod: window, perSeriesAligner: aligner, crossSeriesReducer: m.valueField ? "REDUCE_MAX" : "REDUCE_SUM" },
            ],
            evaluationMissingData: "EVALUATION_MISSING_DATA_INACTIVE",
            ...extra,
        });
    };
    for (const s of signals) {
        switch (s.id) {
            case "edge-5xx-ratio":
                out.push(
                    t.edge.kind === "loadBalancer"
                        ? policy(s, {
                              filter: interpolate`metric.type="loadbalancing.googleapis.com/https/request_count" AND resource.type="https_lb_rule" AND resource.labels.url_map_name="${t.edge.urlMap}" AND metric.labels.response_code_class=500`,
                              aggregations: sum("ALIGN_RATE"),
                              denominatorFilter: interpolate`metric.type="loadbalancing.googleapis.com/https/request_count" AND resource.type="https_lb_rule" AND resource.labels.url_map_name="${t.edge.urlMap}"`,
                              denominatorAggregations: sum("ALIGN_RATE"),
                              // A ratio: 1 % is 0.01.
                              thresholdValue: s.threshold / 100,
                          })
                        : policy(s, {
                              filter: interpolate`${run} AND metric.type="run.googleapis.com/request_count" AND metric.labels.response_code_class="5xx"`,
                              aggregations: sum("ALIGN_RATE"),
                              denominatorFilter: interpolate`${run} AND metric.type="run.googleapis.com/request_count"`,
                              denominatorAggregations: sum("ALIGN_RATE"),
                              thresholdValue: s.threshold / 100,
                          }),
                );
                break;
            case "latency-p95":
                out.push(
                    t.edge.kind === "loadBalancer"
                        ? policy(s, {
                              filter: interpolate`metric.type="loadbalancing.googleapis.com/https/total_latencies" AND resource.type="https_lb_rule" AND resource.labels.url_map_name="${t.edge.urlMap}"`,
                              aggregations: [
                                  { alignmentPeriod: ALIGN, perSeriesAligner: "ALIGN_DELTA", crossSeriesReducer: "REDUCE_PERCENTILE_95" },
                              ],
                          })
                        : policy(s, {
                              filter: interpolate`${run} AND metric.type="run.googleapis.com/request_latencies"`,
                              aggregations: [
                                  { alignmentPeriod: ALIGN, perSeriesAligner: "ALIGN_DELTA", crossSeriesReducer: "REDUCE_PERCENTILE_95" },
                              ],
                          }),
                );
                break;
            case "replicas-below-minimum":
                out.push(
                    policy(s, {
                        filter: interpolate`${run} AND metric.type="run.googleapis.com/container/instance_count" AND metric.labels.state="active"`,
                        aggregations: [{ alignmentPeriod: ALIGN, perSeriesAligner: "ALIGN_MAX", crossSeriesReducer: "REDUCE_SUM" }],
                        evaluationMissingData: "EVALUATION_MISSING_DATA_ACTIVE",
                    }),
                );
                break;
            case "service-cpu":
            case "service-memory":
                out.push(
                    policy(s, {
                        filter: interpolate`${run} AND metric.type="run.googleapis.com/container/${s.id === "service-cpu" ? "cpu" : "memory"}/utilizations"`,
                        aggregations: [
                            { alignmentPeriod: ALIGN, perSeriesAligner: "ALIGN_PERCENTILE_50", crossSeriesReducer: "REDUCE_MEAN" },
                        ],
                        thresholdValue: s.threshold / 100,
                    }),
                );
                break;
            case "database-cpu":
                out.push(
                    policy(s, {
                        filter: interpolate`metric.type="cloudsql.googleapis.com/database/cpu/utilization" AND resource.type="cloudsql_database" AND resource.labels.database_id="${t.database.primary}"`,
                        aggregations: [{ alignmentPeriod: ALIGN, perSeriesAligner: "ALIGN_MEAN" }],
                        thresholdValue: s.threshold / 100,
                    }),
                );
                break;
            case "database-free-storage":
                // Cloud SQL reports used storage: free below 15 % is used above 85 %.
                out.push(
                    policy(s, {
                        filter: interpolate`metric.type="cloudsql.googleapis.com/database/disk/utilization" AND resource.type="cloudsql_database" AND resource.labels.database_id="${t.database.primary}"`,
                        aggregations: [{ alignmentPeriod: ALIGN, perSeriesAligner: "ALIGN_MAX" }],
                        comparison: "COMPARISON_GT",
                        thresholdValue: 1 - s.threshold / 100,
                    }),
                );
                break;
            case "database-replica-lag":
                t.database.readReplicas.forEach((id, i) =>
                    out.push(
                        policy(
                            s,
                            {
                                filter: interpolate`metric.type="cloudsql.googleapis.com/database/replication/replica_lag" AND resource.type="cloudsql_database" AND resource.labels.database_id="${id}"`,
                                aggregations: [{ alignmentPeriod: ALIGN, perSeriesAligner: "ALIGN_MAX" }],
                            },
                            `${s.id}-${i}`,
                        ),
                    ),
                );
                break;
            case "cache-memory":
            case "cache-evictions": {
                if (t.cache === undefined) throw new ConfigError("cache", `the ${s.id} signal needs the Memorystore instance`);
                out.push(
                    s.id === "cache-memory"
                        ? policy(s, {
                              filter: interpolate`metric.type="redis.googleapis.com/stats/memory/usage_ratio" AND resource.type="redis_instance" AND resource.labels.instance_id="${t.cache}"`,
                              aggregations: [{ alignmentPeriod: ALIGN, perSeriesAligner: "ALIGN_MAX", crossSeriesReducer: "REDUCE_MAX" }],
                              thresholdValue: s.threshold / 100,
                          })
                        : policy(s, {
                              filter: interpolate`metric.type="redis.googleapis.com/stats/evicted_keys" AND resource.type="redis_instance" AND resource.labels.instance_id="${t.cache}"`,
                              aggregations: [
                                  {
                                      alignmentPeriod: `${s.windowMinutes * 60}s`,
                                      perSeriesAligner: "ALIGN_DELTA",
                                      crossSeriesReducer: "REDUCE_SUM",
                                  },
                              ],
                          }),
                );
                break;
            }
            case "cache-unavailable":
                out.push(logMetric(s, { comparison: "COMPARISON_GT", thresholdValue: 0 }));
                break;
            case "uptime-check":
                // Regions whose last check failed: more than threshold (= failing locations - 1) alerts.
                out.push(
                    policy(s, {
                        filter: interpolate`metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND resource.type="uptime_url" AND metric.labels.check_id="${t.uptimeCheckId}"`,
                        aggregations: [
                            {
                                alignmentPeriod: ALIGN,
                                perSeriesAligner: "ALIGN_NEXT_OLDER",
                                crossSeriesReducer: "REDUCE_COUNT_FALSE",
                                groupByFields: ["resource.label.*"],
                            },
                        ],
                    }),
                );
                break;
            case "database-connection-failures":
            case "audit-append-failures":
            case "audit-checkpoint-late":
                out.push(logMetric(s));
                break;
            default: {
                const never: never = s.id;
                throw new Error(`no Cloud Monitoring policy for signal ${never}`);
            }
        }
    }
    return out;
}
