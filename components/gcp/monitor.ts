/**
 * Monitoring on GCP: notification channels (email, webhook) every policy and the budget notify,
 * log-based metrics over the servers' log lines (./alerts.ts), an uptime check of /health from the
 * tier's number of regions, one alert policy per signal, a Monitoring dashboard of the policies, and
 * a Cloud Billing budget (80 % forecast, 100 % actual) on the billing account from config, and in
 * prod and enterprise a log bucket kept for the tier's retention that a sink fills with the
 * subnet's VPC flow logs and the global load balancer's request logs (both enabled on their
 * resources: gcp/network.ts, gcp/edge.ts). The project's _Default bucket keeps its own copy for its
 * own retention (30 days unless changed).
 *
 * Cost: uptime checks are free up to 1 million executions a month per project; alert policies bill
 * per condition (see pricing/); dashboards, channels and budgets are free; log-based metrics bill as
 * custom metric ingestion; the network logs bill as Cloud Logging ingestion into their bucket.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { AlertSignal, alertSignals, BUDGET_NOTIFICATIONS, keepsTrafficLogs, TierSpec } from "../../sizing";
import { Scope } from "../base";
import { MonitorImpl, MonitorInput } from "../contract";
import { SERVER } from "../types";
import { GCP_LOG_METRICS, gcpPolicies, logMetricName } from "./alerts";
import { GcpCluster, GcpClusterParts } from "./cluster";
import { GcpLocation, gcpId } from "./common";

/** Uptime check regions, in the order a tier takes them (Cloud Monitoring needs at least 3). */
export const UPTIME_REGIONS = ["USA_IOWA", "EUROPE", "ASIA_PACIFIC", "USA_VIRGINIA", "SOUTH_AMERICA", "USA_OREGON"] as const;

/** Periods Cloud Monitoring's uptime checks offer; the nearest at or below the wanted one. */
export function uptimePeriod(wantedSeconds: number): "60s" | "300s" | "600s" | "900s" {
    const offered = [900, 600, 300, 60] as const;
    return `${offered.find((p) => p <= wantedSeconds) ?? 60}s` as "60s" | "300s" | "600s" | "900s";
}

export interface GcpMonitorInput {
    spec: TierSpec;
    location: GcpLocation;
    alerting: { emails: string[]; webhookUrl?: pulumi.Output<string>; optedOut: boolean };
    monthlyBudgetUsd?: number;
    billingAccountId?: string;
    /** The public host /health is probed on (the domain, the load balancer's address, or the run.app host). */
    publicHost: pulumi.Input<string>;
    https: boolean;
    edge: { kind: "loadBalancer"; urlMapName: pulumi.Input<string> } | { kind: "cloudRun" };
    serviceName: pulumi.Input<string>;
    database: { primary: pulumi.Input<string>; readReplicas: pulumi.Input<string>[] };
    cacheInstanceId?: pulumi.Input<string>;
    /** The subnet whose flow logs the network log bucket receives. */
    subnetName?: pulumi.Input<string>;
}

/** The network log bucket's description: the pricer tells it from the server's log bucket by it. */
export const NETWORK_LOGS_DESCRIPTION = "MCP VPC flow logs and load balancer request logs";

/** The sink filter for a subnet's VPC flow logs and a URL map's request logs. */
export function networkLogFilter(subnetName: string, urlMapName?: string): string {
    const flows = `(log_id("compute.googleapis.com/vpc_flows") AND resource.type="gce_subnetwork" AND resource.labels.subnetwork_name="${subnetName}")`;
    const requests =
        urlMapName === undefined
            ? undefined
            : `(log_id("requests") AND resource.type="http_load_balancer" AND resource.labels.url_map_name="${urlMapName}")`;
    return requests ? `${flows} OR ${requests}` : flows;
}

export interface GcpMonitor extends MonitorImpl {
    channels: gcp.monitoring.NotificationChannel[];
    uptime: gcp.monitoring.UptimeCheckConfig;
    policies: gcp.monitoring.AlertPolicy[];
    dashboard: gcp.monitoring.Dashboard;
    budget?: gcp.billing.Budget;
    signals: AlertSignal[];
    resources: Record<string, pulumi.Resource | pulumi.Resource[]>;
}

/** The parts a GCP monitor watches. */
export interface GcpMonitorParts extends GcpClusterParts {
    cluster: GcpCluster;
}

/** McpMonitor on GCP. */
export function createMonitor(scope: Scope, input: MonitorInput<GcpMonitorParts>): GcpMonitor {
    const { network, edge, cluster, database, cache } = input;
    const project = network.location.project;
    // The URL map exists once the cluster attached to the edge (loadBalancer edges only).
    const urlMap = edge.resources.urlMap;
    const lb = edge.kind === "loadBalancer" && urlMap instanceof gcp.compute.URLMap;
    return buildMonitor(scope, {
        spec: input.spec,
        location: network.location,
        alerting: input.alerting,
        monthlyBudgetUsd: input.monthlyBudgetUsd,
        billingAccountId: input.billingAccountId,
        publicHost: edge.url.apply((u) => new URL(u).host),
        https: input.domain !== undefined || edge.kind !== "loadBalancer",
        edge: lb ? { kind: "loadBalancer", urlMapName: urlMap.name } : { kind: "cloudRun" },
        serviceName: cluster.service.name,
        database: {
            primary: pulumi.interpolate`${project}:${database.instance.name}`,
            readReplicas: database.replicas.map((r) => pulumi.interpolate`${project}:${r.name}`),
        },
        cacheInstanceId: cache?.instance.name,
        subnetName: network.subnet.name,
    });
}

export function buildMonitor(scope: Scope, input: GcpMonitorInput): GcpMonitor {
    const { spec, location } = input;
    const project = location.project;
    const signals = alertSignals(spec);

    const channels = [
        ...input.alerting.emails.map((email, i) =>
            scope.child(`email-${i}`, gcp.monitoring.NotificationChannel, {
                project,
                type: "email",
                displayName: `mcp-infra ${pulumi.getStack()} ${email}`,
                labels: { email_address: email },
            }),
        ),
        ...(input.alerting.webhookUrl === undefined
            ? []
            : [
                  scope.child("webhook", gcp.monitoring.NotificationChannel, {
                      project,
                      type: "webhook_tokenauth",
                      displayName: `mcp-infra ${pulumi.getStack()} webhook`,
                      labels: pulumi.secret(input.alerting.webhookUrl.apply((url) => ({ url }))),
                  }),
              ]),
    ];

    const logMetrics = GCP_LOG_METRICS.filter((m) => signals.some((s) => s.id === m.signal)).map((m) =>
        scope.child(`metric-${m.signal}`, gcp.logging.Metric, {
            project,
            name: logMetricName(m, pulumi.getStack()),
            filter: pulumi.interpolate`resource.type="cloud_run_revision" AND resource.labels.service_name="${input.serviceName}" AND ${m.filter}`,
            metricDescriptor: m.valueField
                ? { metricKind: "DELTA", valueType: "DISTRIBUTION", unit: "s" }
                : { metricKind: "DELTA", valueType: "INT64", unit: "1" },
            ...(m.valueField
                ? {
                      valueExtractor: m.valueField,
                      bucketOptions: { exponentialBuckets: { numFiniteBuckets: 20, growthFactor: 2, scale: 1 } },
                  }
                : {}),
        }),
    );

    const uptime = scope.child("uptime", gcp.monitoring.UptimeCheckConfig, {
        project,
        displayName: `mcp-infra ${pulumi.getStack()} /health`,
        timeout: "10s",
        period: uptimePeriod(spec.alerts.uptimeIntervalSeconds),
        selectedRegions: UPTIME_REGIONS.slice(0, spec.alerts.uptimeLocations),
        httpCheck: {
            path: SERVER.healthPath,
            port: input.https ? 443 : 80,
            useSsl: input.https,
            validateSsl: input.https,
            requestMethod: "GET",
            acceptedResponseStatusCodes: [{ statusValue: 200 }],
        },
        monitoredResource: { type: "uptime_url", labels: { project_id: project, host: input.publicHost } },
        userLabels: { signal: "uptime-check" },
    });

    const specs = gcpPolicies(
        signals,
        {
            edge: input.edge.kind === "loadBalancer" ? { kind: "loadBalancer", urlMap: input.edge.urlMapName } : { kind: "cloudRun" },
            service: input.serviceName,
            database: input.database,
            cache: input.cacheInstanceId,
            uptimeCheckId: uptime.uptimeCheckId,
            // The log metrics carry the stack in their names: the policies read exactly this stack's.
            logMetricSuffix: pulumi.getStack(),
        },
        pulumi.interpolate,
    );
    const notify = input.alerting.optedOut ? [] : channels.map((c) => c.name);
    const policies = specs.map((p) =>
        scope.child(
            `policy-${p.role}`,
            gcp.monitoring.AlertPolicy,
            { project, ...p.args, notificationChannels: notify },
            { dependsOn: logMetrics },
        ),
    );

    const dashboard = scope.child("dashboard", gcp.monitoring.Dashboard, {
        project,
        dashboardJson: pulumi.all(policies.map((p) => p.name)).apply((names) =>
            JSON.stringify({
                displayName: `mcp-infra ${pulumi.getStack()}`,
                gridLayout: { columns: "3", widgets: names.map((name, i) => ({ title: specs[i].role, alertChart: { name } })) },
            }),
        ),
    });

    let budget: gcp.billing.Budget | undefined;
    if ((input.monthlyBudgetUsd ?? 0) > 0 && input.billingAccountId !== undefined) {
        budget = scope.child("budget", gcp.billing.Budget, {
            billingAccount: input.billingAccountId,
            displayName: `mcp-infra ${pulumi.getStack()}`.slice(0, 60),
            budgetFilter: { projects: [`projects/${project}`] },
            amount: { specifiedAmount: { currencyCode: "USD", units: String(input.monthlyBudgetUsd) } },
            thresholdRules: BUDGET_NOTIFICATIONS.map((n) => ({
                thresholdPercent: n.percent / 100,
                spendBasis: n.kind === "forecast" ? "FORECASTED_SPEND" : "CURRENT_SPEND",
            })),
            allUpdatesRule: { monitoringNotificationChannels: notify, disableDefaultIamRecipients: false },
        });
    }

    let networkLogs: pulumi.Resource[] | undefined;
    if (keepsTrafficLogs(spec) && input.subnetName !== undefined) {
        const bucket = scope.child("network-logs", gcp.logging.ProjectBucketConfig, {
            project,
            location: location.region,
            bucketId: gcpId(scope, "network-logs", 100),
            retentionDays: spec.logRetentionDays,
            description: NETWORK_LOGS_DESCRIPTION,
        });
        const urlMap = input.edge.kind === "loadBalancer" ? input.edge.urlMapName : undefined;
        const sink = scope.child("network-log-sink", gcp.logging.ProjectSink, {
            project,
            destination: pulumi.interpolate`logging.googleapis.com/${bucket.id}`,
            filter: pulumi.all([input.subnetName, urlMap]).apply(([subnet, map]) => networkLogFilter(subnet, map)),
            uniqueWriterIdentity: true,
            description: "VPC flow logs and load balancer request logs to their retention bucket",
        });
        networkLogs = [bucket, sink];
    }

    return {
        channels,
        uptime,
        policies,
        dashboard,
        budget,
        signals,
        resources: {
            channels,
            logMetrics,
            uptime,
            policies,
            dashboard,
            ...(budget ? { budget } : {}),
            ...(networkLogs ? { networkLogs } : {}),
        },
    };
}
