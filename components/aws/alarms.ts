/**
 * The CloudWatch side of the neutral signals (sizing/alerts.ts), as pure data: one alarm per
 * signal, with the metric (or metric math) AWS measures it by, and the CloudWatch Logs metric
 * filters that turn the server's own log lines into metrics for what AWS cannot see (audit
 * append failures, checkpoint age, the server's failing connections).
 *
 * Every `sustained` signal is a 60 s period alarmed when all `window` datapoints breach
 * (datapointsToAlarm = evaluationPeriods = window minutes); `total` signals sum over one period
 * of the whole window. Each alarm carries the tag `mcp-infra:signal` so tests and the parity check
 * map it back to its signal.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { AlertSignal, ConfigError, SignalId } from "../../sizing";

/** Namespace of the metrics the log filters publish (per stack, so two stacks in one account never mix). */
export function serverMetricsNamespace(project: string, stack: string): string {
    return `${project}/${stack}`;
}

/** What the alarms point at: CloudWatch dimension values of the stack's resources. */
export interface AwsAlarmTargets {
    /** The ALB (`arnSuffix` of the load balancer and target group), or the HTTP API (its id and stage). */
    edge:
        | { kind: "alb"; loadBalancer: pulumi.Input<string>; targetGroup: pulumi.Input<string> }
        | { kind: "httpApi"; apiId: pulumi.Input<string>; stage: pulumi.Input<string> };
    /** The ECS cluster and service names. */
    service: { cluster: pulumi.Input<string>; service: pulumi.Input<string> };
    /** RDS instance identifiers and the allocated storage (for free storage in percent). */
    database: { instance: pulumi.Input<string>; readReplicas: pulumi.Input<string>[]; storageGiB: number };
    /**
     * The managed cache, when the tier has one: the member clusters of a node-based replication
     * group (`<replication group>-001`, ...), or an ElastiCache Serverless cache (its name, the
     * `clusterId` dimension of its metrics, and its data storage limit in GB).
     */
    cache?: { memberClusters: pulumi.Input<string>[] } | { serverless: pulumi.Input<string>; maxDataGb: number };
    /**
     * Whether ECS Container Insights is on (it publishes RunningTaskCount). Without it the
     * pay-per-request edge has no replica count: AWS/ECS publishes a service's CPU only while a
     * task runs, so "no datapoint" is what detects "no replica".
     */
    containerInsights: boolean;
    /** The Route 53 health check probing /health. */
    healthCheckId: pulumi.Input<string>;
    /** How many regions the health check probes from. */
    healthCheckRegions: number;
    /** Where the log metric filters publish. */
    serverNamespace: string;
}

/** A metric the server's log lines give, through a CloudWatch Logs metric filter on the service's log group. */
export interface LogMetric {
    signal: SignalId;
    metricName: string;
    /** CloudWatch Logs filter pattern over the JSON log line. */
    pattern: string;
    /** What each matching line adds: 1 (a count) or a JSON field's value. */
    value: string;
}

/**
 * The server's log lines each metric counts (pino JSON; see app/src/app.ts and app/src/mcp.ts). The
 * audit export's checkpoint line is expected to carry the Prometheus metric's name as a numeric field.
 */
export const LOG_METRICS: readonly LogMetric[] = [
    {
        signal: "database-connection-failures",
        metricName: "AuditDatabaseConnectionErrors",
        pattern: '{ $.msg = "audit database connection error" }',
        value: "1",
    },
    {
        signal: "cache-unavailable",
        metricName: "RedisConnectionErrors",
        pattern: '{ ($.msg = "redis connection error") || ($.msg = "redis unreachable*") }',
        value: "1",
    },
    { signal: "audit-append-failures", metricName: "AuditAppendFailures", pattern: '{ $.msg = "audit append failed" }', value: "1" },
    {
        signal: "audit-checkpoint-late",
        metricName: "AuditCheckpointAgeSeconds",
        pattern: "{ $.mcp_audit_checkpoint_age_seconds = * }",
        value: "$.mcp_audit_checkpoint_age_seconds",
    },
];

export interface AwsAlarm {
    signal: SignalId;
    /** Role of the alarm among the monitor's children. */
    role: string;
    args: aws.cloudwatch.MetricAlarmArgs;
}

type Dims = Record<string, pulumi.Input<string>>;

function comparison(s: AlertSignal): string {
    return s.comparison === "above" ? "GreaterThanThreshold" : "LessThanThreshold";
}

/** Period and evaluation of a signal: 60 s datapoints that all breach for the window, or one sum over it. */
function timing(s: AlertSignal): Pick<aws.cloudwatch.MetricAlarmArgs, "period" | "evaluationPeriods" | "datapointsToAlarm"> {
    return s.evaluation === "sustained"
        ? { period: 60, evaluationPeriods: s.windowMinutes, datapointsToAlarm: s.windowMinutes }
        : { period: s.windowMinutes * 60, evaluationPeriods: 1, datapointsToAlarm: 1 };
}

function base(
    s: AlertSignal,
    role: string = s.id,
): Pick<aws.cloudwatch.MetricAlarmArgs, "alarmDescription" | "comparisonOperator" | "threshold" | "tags" | "treatMissingData"> & {
    role: string;
} {
    return {
        role,
        alarmDescription: `${s.title} (${s.severity}). First look: ${s.runbook}`.slice(0, 1024),
        comparisonOperator: comparison(s),
        threshold: s.threshold,
        tags: { "mcp-infra:signal": s.id, "mcp-infra:severity": s.severity },
        treatMissingData: "notBreaching",
    };
}

function single(
    s: AlertSignal,
    metric: { namespace: string; metricName: string; dimensions?: Dims; statistic?: string; extendedStatistic?: string },
    extra: Partial<aws.cloudwatch.MetricAlarmArgs> = {},
    role?: string,
): AwsAlarm {
    const { role: r, ...b } = base(s, role);
    return { signal: s.id, role: r, args: { ...b, ...timing(s), ...metric, ...extra } };
}

/** One (or, per member, several) CloudWatch alarm per signal. */
export function awsAlarms(signals: AlertSignal[], t: AwsAlarmTargets): AwsAlarm[] {
    if (t.healthCheckRegions < 3)
        throw new ConfigError("healthCheckRegions", `Route 53 probes from at least 3 regions, got ${t.healthCheckRegions}`);
    const out: AwsAlarm[] = [];
    const server = (s: AlertSignal, extra: Partial<aws.cloudwatch.MetricAlarmArgs> = {}) => {
        const m = LOG_METRICS.find((l) => l.signal === s.id)!;
        return single(s, { namespace: t.serverNamespace, metricName: m.metricName, statistic: m.value === "1" ? "Sum" : "Maximum" }, extra);
    };
    const ecs: Dims = { ClusterName: t.service.cluster, ServiceName: t.service.service };
    for (const s of signals) {
        switch (s.id) {
            case "edge-5xx-ratio": {
                const { role, ...b } = base(s);
                const m = (id: string, namespace: string, metricName: string, dimensions: Dims) => ({
                    id,
                    metric: { namespace, metricName, dimensions, period: 60, stat: "Sum" },
                    returnData: false,
                });
                const queries =
                    t.edge.kind === "alb"
                        ? [
                              m("target5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", { LoadBalancer: t.edge.loadBalancer }),
                              m("elb5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", { LoadBalancer: t.edge.loadBalancer }),
                              m("requests", "AWS/ApplicationELB", "RequestCount", { LoadBalancer: t.edge.loadBalancer }),
                              {
                                  id: "ratio",
                                  expression: "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests",
                                  label: "5xx percent",
                                  returnData: true,
                              },
                          ]
                        : [
                              m("errors", "AWS/ApiGateway", "5xx", { ApiId: t.edge.apiId, Stage: t.edge.stage }),
                              m("requests", "AWS/ApiGateway", "Count", { ApiId: t.edge.apiId, Stage: t.edge.stage }),
                              { id: "ratio", expression: "100 * FILL(errors, 0) / requests", label: "5xx percent", returnData: true },
                          ];
                out.push({
                    signal: s.id,
                    role,
                    args: { ...b, evaluationPeriods: s.windowMinutes, datapointsToAlarm: s.windowMinutes, metricQueries: queries },
                });
                break;
            }
            case "latency-p95":
                out.push(
                    t.edge.kind === "alb"
                        ? // TargetResponseTime is in seconds.
                          single(
                              s,
                              {
                                  namespace: "AWS/ApplicationELB",
                                  metricName: "TargetResponseTime",
                                  dimensions: { LoadBalancer: t.edge.loadBalancer },
                                  extendedStatistic: "p95",
                              },
                              { threshold: s.threshold / 1000 },
                          )
                        : single(s, {
                              namespace: "AWS/ApiGateway",
                              metricName: "Latency",
                              dimensions: { ApiId: t.edge.apiId, Stage: t.edge.stage },
                              extendedStatistic: "p95",
                          }),
                );
                break;
            case "replicas-below-minimum":
                out.push(
                    t.edge.kind === "alb"
                        ? // The edge's view: targets passing the /health check. No datapoint means no healthy target at all.
                          single(
                              s,
                              {
                                  namespace: "AWS/ApplicationELB",
                                  metricName: "HealthyHostCount",
                                  dimensions: { LoadBalancer: t.edge.loadBalancer, TargetGroup: t.edge.targetGroup },
                                  statistic: "Minimum",
                              },
                              { treatMissingData: "breaching" },
                          )
                        : t.containerInsights
                          ? // Container Insights' running task count.
                            single(
                                s,
                                {
                                    namespace: "ECS/ContainerInsights",
                                    metricName: "RunningTaskCount",
                                    dimensions: ecs,
                                    statistic: "Minimum",
                                },
                                { treatMissingData: "breaching" },
                            )
                          : // No Container Insights: the service's CPU has datapoints only while a task runs, so a
                            // missing datapoint (breaching) means no replica; fewer-than-minimum above one is seen by
                            // the uptime check and the edge's 5xx ratio only (docs/operations.md).
                            single(
                                s,
                                { namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions: ecs, statistic: "SampleCount" },
                                { threshold: 1, treatMissingData: "breaching" },
                            ),
                );
                break;
            case "service-cpu":
                out.push(single(s, { namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions: ecs, statistic: "Average" }));
                break;
            case "service-memory":
                out.push(single(s, { namespace: "AWS/ECS", metricName: "MemoryUtilization", dimensions: ecs, statistic: "Average" }));
                break;
            case "database-cpu":
                out.push(
                    single(s, {
                        namespace: "AWS/RDS",
                        metricName: "CPUUtilization",
                        dimensions: { DBInstanceIdentifier: t.database.instance },
                        statistic: "Average",
                    }),
                );
                break;
            case "database-free-storage":
                // FreeStorageSpace is in bytes: the threshold is that percent of the allocated storage.
                out.push(
                    single(
                        s,
                        {
                            namespace: "AWS/RDS",
                            metricName: "FreeStorageSpace",
                            dimensions: { DBInstanceIdentifier: t.database.instance },
                            statistic: "Minimum",
                        },
                        { threshold: Math.round((s.threshold / 100) * t.database.storageGiB * 1024 ** 3) },
                    ),
                );
                break;
            case "database-connection-failures":
                out.push(server(s));
                break;
            case "database-replica-lag":
                t.database.readReplicas.forEach((id, i) =>
                    out.push(
                        single(
                            s,
                            {
                                namespace: "AWS/RDS",
                                metricName: "ReplicaLag",
                                dimensions: { DBInstanceIdentifier: id },
                                statistic: "Maximum",
                            },
                            {},
                            `${s.id}-${i}`,
                        ),
                    ),
                );
                break;
            case "cache-memory":
            case "cache-evictions": {
                if (t.cache === undefined) throw new ConfigError("cache", `the ${s.id} signal needs the cache's member clusters`);
                if ("serverless" in t.cache) {
                    // A serverless cache has no memory percentage: its data against the storage limit (bytes).
                    const dims = { clusterId: t.cache.serverless };
                    out.push(
                        s.id === "cache-memory"
                            ? single(
                                  s,
                                  { namespace: "AWS/ElastiCache", metricName: "BytesUsedForCache", dimensions: dims, statistic: "Maximum" },
                                  { threshold: Math.round((s.threshold / 100) * t.cache.maxDataGb * 1e9) },
                              )
                            : single(s, { namespace: "AWS/ElastiCache", metricName: "Evictions", dimensions: dims, statistic: "Sum" }),
                    );
                    break;
                }
                const metricName = s.id === "cache-memory" ? "DatabaseMemoryUsagePercentage" : "Evictions";
                t.cache.memberClusters.forEach((id, i) =>
                    out.push(
                        single(
                            s,
                            {
                                namespace: "AWS/ElastiCache",
                                metricName,
                                dimensions: { CacheClusterId: id },
                                statistic: s.id === "cache-memory" ? "Maximum" : "Sum",
                            },
                            {},
                            `${s.id}-${i}`,
                        ),
                    ),
                );
                break;
            }
            case "cache-unavailable":
                // The servers log each lost connection: any in a minute alarms (threshold 0 errors, not "below 1").
                out.push(server(s, { comparisonOperator: "GreaterThanThreshold", threshold: 0 }));
                break;
            case "uptime-check": {
                // Route 53 publishes the share of its checkers that see /health healthy, in us-east-1 only.
                const failing = s.threshold + 1;
                const healthyBelow = (100 * (t.healthCheckRegions - failing + 1)) / t.healthCheckRegions;
                out.push(
                    single(
                        s,
                        {
                            namespace: "AWS/Route53",
                            metricName: "HealthCheckPercentageHealthy",
                            dimensions: { HealthCheckId: t.healthCheckId },
                            statistic: "Minimum",
                        },
                        {
                            comparisonOperator: "LessThanThreshold",
                            threshold: Number(healthyBelow.toFixed(2)),
                            treatMissingData: "breaching",
                            region: "us-east-1",
                        },
                    ),
                );
                break;
            }
            case "audit-append-failures":
            case "audit-checkpoint-late":
                out.push(server(s));
                break;
            default: {
                const never: never = s.id;
                throw new Error(`no CloudWatch alarm for signal ${never}`);
            }
        }
    }
    return out;
}
