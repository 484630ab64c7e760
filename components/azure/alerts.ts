/**
 * The Azure Monitor side of the neutral signals (sizing/alerts.ts), as pure data: a metric alert
 * where Azure has the metric (Container Apps, PostgreSQL Flexible Server, Azure Managed Redis,
 * Application Gateway, the availability test), a log search alert (scheduledQueryRules, KQL over
 * the Log Analytics workspace) where only logs have it: the edge's 5xx ratio and p95 from the
 * Application Gateway access log (or the servers' request lines behind the Container Apps
 * ingress), and the server-side signals from the servers' console log lines.
 *
 * Azure evaluates a metric alert over `windowSize` as one aggregate (the average over five
 * minutes), not minute by minute as CloudWatch and Cloud Monitoring do: the parity tolerance.
 * Log alerts evaluate every minute over one-minute bins and alert when every bin of the window
 * fails (failingPeriods), as the other clouds do. Every rule carries the tag `mcp-infra:signal`.
 */
import type * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";
import { AlertSignal, ConfigError, SignalId } from "../../sizing";

export interface AzureAlertTargets {
    /** Application Gateway (its resource id; access logs in the workspace), or the Container Apps ingress. */
    edge: { kind: "appGateway"; id: pulumi.Input<string> } | { kind: "containerApps" };
    /** The container app's resource id and its name (as the console log table records it). */
    app: { id: pulumi.Input<string>; name: pulumi.Input<string> };
    database: { id: pulumi.Input<string>; readReplicas: pulumi.Input<string>[] };
    cache?: { id: pulumi.Input<string> };
    /** The availability test and the Application Insights component it reports to. */
    availability: { webTestId: pulumi.Input<string>; componentId: pulumi.Input<string> };
    /** The Log Analytics workspace's resource id (log alerts query it). */
    workspaceId: pulumi.Input<string>;
}

export type AzureRule =
    | { signal: SignalId; role: string; kind: "metric"; args: Omit<monitor.MetricAlertArgs, "resourceGroupName" | "actions"> }
    | { signal: SignalId; role: string; kind: "log"; args: Omit<monitor.ScheduledQueryRuleArgs, "resourceGroupName" | "actions"> };

/** Azure severities: 0 critical ... 4 verbose. */
const SEVERITY = { critical: 1, warning: 2 } as const;

function iso(minutes: number): string {
    return minutes % 60 === 0 ? `PT${minutes / 60}H` : `PT${minutes}M`;
}

function tags(s: AlertSignal): Record<string, string> {
    return { "mcp-infra:signal": s.id, "mcp-infra:severity": s.severity };
}

/** KQL building blocks over the servers' console lines (pino JSON in Log_s). */
function consoleLines(app: pulumi.Input<string>, interpolate: Interp, where: string): pulumi.Output<string> {
    return interpolate`ContainerAppConsoleLogs_CL | where ContainerAppName_s == "${app}" | extend j = parse_json(Log_s) | where ${where}`;
}

type Interp = (s: TemplateStringsArray, ...v: pulumi.Input<string>[]) => pulumi.Output<string>;

export function azureRules(signals: AlertSignal[], t: AzureAlertTargets, interpolate: Interp): AzureRule[] {
    const out: AzureRule[] = [];
    const op = (s: AlertSignal) => (s.comparison === "above" ? "GreaterThan" : "LessThan");
    const metric = (
        s: AlertSignal,
        scope: pulumi.Input<string>,
        namespace: string,
        metricName: string,
        aggregation: string,
        extra: { threshold?: number; operator?: string; role?: string } = {},
    ): AzureRule => ({
        signal: s.id,
        role: extra.role ?? s.id,
        kind: "metric",
        args: {
            description: `${s.title}. First look: ${s.runbook}`,
            severity: SEVERITY[s.severity],
            enabled: true,
            scopes: [scope],
            windowSize: iso(s.windowMinutes),
            evaluationFrequency: "PT1M",
            autoMitigate: true,
            location: "global",
            criteria: {
                odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                allOf: [
                    {
                        criterionType: "StaticThresholdCriterion",
                        name: s.id,
                        metricNamespace: namespace,
                        metricName,
                        operator: extra.operator ?? op(s),
                        threshold: extra.threshold ?? s.threshold,
                        timeAggregation: aggregation,
                    },
                ],
            },
            tags: tags(s),
        },
    });
    /**
     * A log alert: `query` yields a `value` column per bin; every bin of the window must fail. Windows up to 5 minutes
     * run every minute over one-minute bins; longer ones (dev's 15) every 5 minutes over 5-minute bins, at a fifth of the price.
     */
    const log = (s: AlertSignal, rawQuery: pulumi.Input<string>, extra: { threshold?: number; operator?: string } = {}): AzureRule => {
        const total = s.evaluation === "total";
        const bin = !total && s.windowMinutes > 5 && s.windowMinutes % 5 === 0 ? 5 : 1;
        const query =
            bin === 1 ? rawQuery : pulumi.output(rawQuery).apply((q) => q.replace("bin(TimeGenerated, 1m)", `bin(TimeGenerated, ${bin}m)`));
        return {
            signal: s.id,
            role: s.id,
            kind: "log",
            args: {
                description: `${s.title}. First look: ${s.runbook}`,
                displayName: s.name,
                severity: SEVERITY[s.severity],
                enabled: true,
                scopes: [t.workspaceId],
                evaluationFrequency: total ? iso(Math.min(s.windowMinutes, 5)) : iso(bin),
                windowSize: total ? iso(s.windowMinutes) : iso(bin),
                autoMitigate: true,
                kind: "LogAlert",
                criteria: {
                    allOf: [
                        {
                            query,
                            timeAggregation: "Maximum",
                            metricMeasureColumn: "value",
                            operator: extra.operator ?? op(s),
                            threshold: extra.threshold ?? s.threshold,
                            failingPeriods: total
                                ? { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
                                : { numberOfEvaluationPeriods: s.windowMinutes / bin, minFailingPeriodsToAlert: s.windowMinutes / bin },
                        },
                    ],
                },
                tags: tags(s),
            },
        };
    };
    const app = "Microsoft.App/containerApps";
    const pg = "Microsoft.DBforPostgreSQL/flexibleServers";
    const redis = "Microsoft.Cache/redisEnterprise";
    for (const s of signals) {
        switch (s.id) {
            case "edge-5xx-ratio":
                out.push(
                    log(
                        s,
                        t.edge.kind === "appGateway"
                            ? interpolate`AGWAccessLogs | where _ResourceId =~ "${t.edge.id}" | summarize value = 100.0 * countif(HttpStatus >= 500) / count() by bin(TimeGenerated, 1m)`
                            : interpolate`${consoleLines(t.app.name, interpolate, 'tostring(j.msg) == "request"')} | summarize value = 100.0 * countif(toint(j.status) >= 500) / count() by bin(TimeGenerated, 1m)`,
                    ),
                );
                break;
            case "latency-p95":
                out.push(
                    log(
                        s,
                        t.edge.kind === "appGateway"
                            ? // TimeTaken is in seconds.
                              interpolate`AGWAccessLogs | where _ResourceId =~ "${t.edge.id}" | summarize value = 1000.0 * percentile(TimeTaken, 95) by bin(TimeGenerated, 1m)`
                            : interpolate`${consoleLines(t.app.name, interpolate, 'tostring(j.msg) == "request"')} | summarize value = percentile(todouble(j.ms), 95) by bin(TimeGenerated, 1m)`,
                    ),
                );
                break;
            case "replicas-below-minimum":
                out.push(metric(s, t.app.id, app, "Replicas", "Minimum"));
                break;
            case "service-cpu":
                out.push(metric(s, t.app.id, app, "CpuPercentage", "Average"));
                break;
            case "service-memory":
                out.push(metric(s, t.app.id, app, "MemoryPercentage", "Average"));
                break;
            case "database-cpu":
                out.push(metric(s, t.database.id, pg, "cpu_percent", "Average"));
                break;
            case "database-free-storage":
                // Azure reports storage used: free below 15 % is used above 85 %.
                out.push(
                    metric(s, t.database.id, pg, "storage_percent", "Maximum", { operator: "GreaterThan", threshold: 100 - s.threshold }),
                );
                break;
            case "database-connection-failures":
                out.push(metric(s, t.database.id, pg, "connections_failed", "Total"));
                break;
            case "database-replica-lag":
                t.database.readReplicas.forEach((id, i) =>
                    out.push(metric(s, id, pg, "physical_replication_delay_in_seconds", "Maximum", { role: `${s.id}-${i}` })),
                );
                break;
            case "cache-memory":
            case "cache-evictions":
            case "cache-unavailable": {
                if (t.cache === undefined) throw new ConfigError("cache", `the ${s.id} signal needs the Managed Redis instance`);
                if (s.id === "cache-memory") out.push(metric(s, t.cache.id, redis, "usedmemorypercentage", "Maximum"));
                else if (s.id === "cache-evictions") out.push(metric(s, t.cache.id, redis, "evictedkeys", "Total"));
                // Managed Redis has no availability metric: the servers log every lost connection.
                else
                    out.push(
                        log(
                            s,
                            interpolate`${consoleLines(t.app.name, interpolate, 'tostring(j.msg) in ("redis connection error") or tostring(j.msg) startswith "redis unreachable"')} | summarize value = count() by bin(TimeGenerated, 1m)`,
                            { operator: "GreaterThan", threshold: 0 },
                        ),
                    );
                break;
            }
            case "uptime-check":
                out.push({
                    signal: s.id,
                    role: s.id,
                    kind: "metric",
                    args: {
                        description: `${s.title}. First look: ${s.runbook}`,
                        severity: SEVERITY[s.severity],
                        enabled: true,
                        scopes: [t.availability.webTestId, t.availability.componentId],
                        windowSize: iso(Math.max(5, s.windowMinutes)),
                        evaluationFrequency: "PT1M",
                        autoMitigate: true,
                        location: "global",
                        criteria: {
                            odataType: "Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria",
                            webTestId: t.availability.webTestId,
                            componentId: t.availability.componentId,
                            failedLocationCount: s.threshold + 1,
                        },
                        tags: tags(s),
                    },
                });
                break;
            case "audit-append-failures":
                out.push(
                    log(
                        s,
                        interpolate`${consoleLines(t.app.name, interpolate, 'tostring(j.msg) == "audit append failed"')} | summarize value = count() by bin(TimeGenerated, 1m)`,
                    ),
                );
                break;
            case "audit-checkpoint-late":
                out.push(
                    log(
                        s,
                        interpolate`${consoleLines(t.app.name, interpolate, "isnotnull(j.mcp_audit_checkpoint_age_seconds)")} | summarize value = max(todouble(j.mcp_audit_checkpoint_age_seconds)) by bin(TimeGenerated, 1m)`,
                    ),
                );
                break;
            default: {
                const never: never = s.id;
                throw new Error(`no Azure Monitor rule for signal ${never}`);
            }
        }
    }
    return out;
}
