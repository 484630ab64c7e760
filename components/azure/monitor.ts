/**
 * Monitoring on Azure: an action group (email and webhook receivers) every alert and the budget
 * notify, the rules of ./alerts.ts (metric alerts and log search alerts over the stack's Log
 * Analytics workspace), a standard availability test of /health from the tier's number of locations
 * (in an Application Insights component on the same workspace), a workbook of the rules, a
 * consumption budget on the resource group (80 % forecast, 100 % actual), and in prod and enterprise
 * the Application Gateway's access log sent to the workspace with the tier's retention, and VNet flow
 * logs (Network Watcher) to a storage account of their own, kept for the tier's retention.
 *
 * Flow logs: VNet flow logs, not NSG flow logs (retired for new creation since June 2025). A flow log is
 * a child of the region's Network Watcher, and a subscription may hold only one per region
 * (NetworkWatcherCountLimitReached). Azure creates that one itself, `NetworkWatcher_<region>` in the
 * resource group `NetworkWatcherRG`, when the first VNet of the region is created (unless the
 * subscription opted out of the automatic enablement), so the stack's VNet brings it into being on a first
 * `pulumi up` and the flow log (which depends on the VNet) is created under it; creating a watcher in the
 * stack's resource group instead fails wherever the subscription already has one. The flow log
 * therefore lives in NetworkWatcherRG, outside the stack's resource group (and its budget's scope).
 *
 * Cost: metric alerts $0.10 per monitored time series a month, log alerts by evaluation frequency,
 * availability tests per execution, Log Analytics ingestion per GB (see pricing/); action groups'
 * first 1,000 emails a month, workbooks and budgets are free; flow logs bill per GB collected plus
 * the blob storage they occupy.
 */
import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as consumption from "@pulumi/azure-native/consumption";
import * as monitor from "@pulumi/azure-native/monitor";
import * as network from "@pulumi/azure-native/network";
import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";
import { AlertSignal, alertSignals, BUDGET_NOTIFICATIONS, keepsTrafficLogs, TierSpec } from "../../sizing";
import { Scope } from "../base";
import { MonitorImpl, MonitorInput } from "../contract";
import { AzureAlertTargets, azureRules } from "./alerts";
import { AzureCluster, AzureClusterParts } from "./cluster";

/** Availability test locations (Azure's ids), in the order a tier takes them. */
export const AVAILABILITY_LOCATIONS = [
    "us-va-ash-azr",
    "emea-nl-ams-azr",
    "apac-sg-sin-azr",
    "us-ca-sjc-azr",
    "emea-gb-db3-azr",
    "latam-br-gru-edge",
] as const;

/** Standard availability tests run every 300, 600 or 900 s: the nearest at or below the wanted period, at least 300. */
export function availabilityFrequency(wantedSeconds: number): 300 | 600 | 900 {
    return wantedSeconds >= 900 ? 900 : wantedSeconds >= 600 ? 600 : 300;
}

/** The resource group Azure puts the regional Network Watchers it creates in. */
export const NETWORK_WATCHER_RG = "NetworkWatcherRG";

/** The Network Watcher Azure creates for a region: `NetworkWatcher_<region>` (the region's name in lower case, no spaces). */
export function networkWatcherName(location: string): string {
    return `NetworkWatcher_${location.toLowerCase().replace(/\s+/g, "")}`;
}

export interface AzureMonitorInput {
    /** The VNet whose flows are logged (tiers that keep traffic logs), and the stack's random suffix for the account's name. */
    vnet?: { id: pulumi.Input<string>; suffix: pulumi.Input<string> };
    /** The Application Gateway, whose access and firewall logs go to the workspace (the edge alerts query them). */
    gatewayId?: pulumi.Input<string>;
    spec: TierSpec;
    alerting: { emails: string[]; webhookUrl?: pulumi.Output<string>; optedOut: boolean };
    monthlyBudgetUsd?: number;
    resourceGroupName: pulumi.Input<string>;
    resourceGroupId: pulumi.Input<string>;
    location: pulumi.Input<string>;
    workspaceId: pulumi.Input<string>;
    /** The public /health URL the availability test requests. */
    healthUrl: pulumi.Input<string>;
    /** What the rules point at, except the availability test and workspace (created or known here). */
    targets: Omit<AzureAlertTargets, "availability" | "workspaceId">;
}

export interface AzureMonitor extends MonitorImpl {
    actionGroup: monitor.ActionGroup;
    webTest: applicationinsights.WebTest;
    rules: pulumi.CustomResource[];
    workbook: applicationinsights.Workbook;
    budget?: consumption.Budget;
    signals: AlertSignal[];
    resources: Record<string, pulumi.Resource | pulumi.Resource[]>;
}

/** The first day of this month, as Azure budgets want their start date. */
export function budgetStart(now = new Date()): string {
    return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}-01T00:00:00Z`;
}

/** The parts an Azure monitor watches. */
export interface AzureMonitorParts extends AzureClusterParts {
    cluster: AzureCluster;
}

/** McpMonitor on Azure. */
export function createMonitor(scope: Scope, input: MonitorInput<AzureMonitorParts>): AzureMonitor {
    const { network: net, edge, cluster, database, cache } = input;
    // The gateway exists once the cluster attached to the edge (loadBalancer edges only).
    const gateway = edge.resources.gateway;
    return buildMonitor(scope, {
        spec: input.spec,
        alerting: input.alerting,
        monthlyBudgetUsd: input.monthlyBudgetUsd,
        resourceGroupName: net.resourceGroupName,
        resourceGroupId: net.resourceGroup.id,
        location: net.resourceGroup.location,
        workspaceId: net.workspace.id,
        healthUrl: pulumi.interpolate`${edge.url}/health`,
        gatewayId: gateway instanceof network.ApplicationGateway ? gateway.id : undefined,
        vnet: { id: net.vnet.id, suffix: net.suffix },
        targets: {
            edge: gateway instanceof network.ApplicationGateway ? { kind: "appGateway", id: gateway.id } : { kind: "containerApps" },
            app: { id: cluster.app.id, name: cluster.app.name },
            database: { id: database.server.id, readReplicas: database.replicas.map((r) => r.id) },
            cache: cache ? { id: cache.cluster.id } : undefined,
        },
    });
}

export function buildMonitor(scope: Scope, input: AzureMonitorInput): AzureMonitor {
    const { spec, resourceGroupName } = input;
    const signals = alertSignals(spec);

    const actionGroup = scope.child("actions", monitor.ActionGroup, {
        resourceGroupName,
        location: "global",
        groupShortName: "mcpalerts",
        enabled: true,
        emailReceivers: input.alerting.emails.map((emailAddress, i) => ({ name: `email-${i}`, emailAddress, useCommonAlertSchema: true })),
        webhookReceivers:
            input.alerting.webhookUrl === undefined
                ? []
                : [{ name: "webhook", serviceUri: input.alerting.webhookUrl, useCommonAlertSchema: true }],
    });

    const insights = scope.child("insights", applicationinsights.Component, {
        resourceGroupName,
        location: input.location,
        kind: "web",
        applicationType: "web",
        workspaceResourceId: input.workspaceId,
        ingestionMode: "LogAnalytics",
        retentionInDays: Math.max(30, spec.logRetentionDays),
    });
    const webTest = scope.child("uptime", applicationinsights.WebTest, {
        resourceGroupName,
        location: input.location,
        kind: "standard",
        webTestKind: "standard",
        webTestName: pulumi.interpolate`mcp-health-${pulumi.getStack()}`,
        syntheticMonitorId: pulumi.interpolate`mcp-health-${pulumi.getStack()}`,
        enabled: true,
        frequency: availabilityFrequency(spec.alerts.uptimeIntervalSeconds),
        timeout: 30,
        retryEnabled: true,
        locations: AVAILABILITY_LOCATIONS.slice(0, spec.alerts.uptimeLocations).map((location) => ({ location })),
        request: { requestUrl: input.healthUrl, httpVerb: "GET" },
        validationRules: { expectedHttpStatusCode: 200, sSLCheck: false },
        // The test belongs to the component (the portal's link).
        tags: insights.id.apply((id) => ({ [`hidden-link:${id}`]: "Resource", "mcp-infra:signal": "uptime-check" })),
    });

    // The edge's access log (and WAF log) into the workspace, resource-specific tables (AGWAccessLogs), kept for the
    // workspace's retention (the tier's): the 5xx and p95 alerts read it.
    const accessLogs =
        input.gatewayId === undefined
            ? undefined
            : scope.child("edge-access-logs", monitor.DiagnosticSetting, {
                  resourceUri: input.gatewayId,
                  workspaceId: input.workspaceId,
                  logAnalyticsDestinationType: "Dedicated",
                  logs: [
                      { category: "ApplicationGatewayAccessLog", enabled: true },
                      { category: "ApplicationGatewayFirewallLog", enabled: true },
                  ],
              });
    const flowLogs = keepsTrafficLogs(spec) && input.vnet ? vnetFlowLogs(scope, input, input.vnet) : undefined;
    const actions = input.alerting.optedOut ? undefined : actionGroup.id;
    const rules = azureRules(
        signals,
        {
            ...input.targets,
            availability: { webTestId: webTest.id, componentId: insights.id },
            workspaceId: input.workspaceId,
        },
        pulumi.interpolate,
    ).map((r) =>
        r.kind === "metric"
            ? scope.child(`alert-${r.role}`, monitor.MetricAlert, {
                  resourceGroupName,
                  ...r.args,
                  actions: actions ? [{ actionGroupId: actions }] : [],
              })
            : scope.child(`alert-${r.role}`, monitor.ScheduledQueryRule, {
                  resourceGroupName,
                  location: input.location,
                  ...r.args,
                  actions: actions ? { actionGroups: [actions] } : {},
              }),
    );

    const workbook = scope.child("workbook", applicationinsights.Workbook, {
        resourceGroupName,
        location: input.location,
        kind: "shared",
        category: "workbook",
        displayName: `mcp-infra ${pulumi.getStack()}`,
        sourceId: input.resourceGroupId,
        serializedData: JSON.stringify({
            version: "Notebook/1.0",
            items: [
                {
                    type: 1,
                    content: {
                        json: `## mcp-infra ${pulumi.getStack()}\nAlerts fired on this resource group, then the availability test and the rules' signals.`,
                    },
                },
                {
                    type: 3,
                    content: {
                        version: "KqlItem/1.0",
                        query: "AlertsManagementResources | where type =~ 'microsoft.alertsmanagement/alerts' | project name, severity = tostring(properties.essentials.severity), state = tostring(properties.essentials.monitorCondition), fired = todatetime(properties.essentials.startDateTime) | order by fired desc",
                        queryType: 1,
                        resourceType: "microsoft.resourcegraph/resources",
                        title: "Alerts",
                    },
                },
                { type: 1, content: { json: signals.map((s) => `- **${s.name}**: ${s.title}. First look: ${s.runbook}`).join("\n") } },
            ],
        }),
    });

    let budget: consumption.Budget | undefined;
    if ((input.monthlyBudgetUsd ?? 0) > 0) {
        budget = scope.child(
            "budget",
            consumption.Budget,
            {
                scope: input.resourceGroupId,
                amount: input.monthlyBudgetUsd!,
                category: "Cost",
                timeGrain: "Monthly",
                timePeriod: { startDate: budgetStart() },
                notifications: Object.fromEntries(
                    BUDGET_NOTIFICATIONS.map((n) => [
                        `${n.kind}${n.percent}`,
                        {
                            enabled: true,
                            operator: "GreaterThan",
                            threshold: n.percent,
                            thresholdType: n.kind === "forecast" ? "Forecasted" : "Actual",
                            contactEmails: input.alerting.emails,
                            contactGroups: actions ? [actions] : [],
                        },
                    ]),
                ),
            },
            { ignoreChanges: ["timePeriod"] },
        );
    }

    return {
        actionGroup,
        webTest,
        rules,
        workbook,
        budget,
        signals,
        resources: {
            actionGroup,
            insights,
            webTest,
            rules,
            workbook,
            ...(budget ? { budget } : {}),
            ...(accessLogs ? { accessLogs } : {}),
            ...(flowLogs ? { flowLogs } : {}),
        },
    };
}

/**
 * VNet flow logs under the region's Network Watcher, into a storage account of their own (StorageV2 hot LRS, no public
 * blobs, TLS 1.2, reached from outside only by trusted Azure services, Network Watcher among them); Network Watcher
 * deletes blobs older than the tier's logRetentionDays.
 */
function vnetFlowLogs(
    scope: Scope,
    input: AzureMonitorInput,
    vnet: NonNullable<AzureMonitorInput["vnet"]>,
): [storage.StorageAccount, network.FlowLog] {
    const account = scope.child("flow-logs-storage", storage.StorageAccount, {
        resourceGroupName: input.resourceGroupName,
        location: input.location,
        // 3-24 lower-case letters and digits, globally unique.
        accountName: pulumi.interpolate`mcpflow${vnet.suffix}`,
        kind: "StorageV2",
        sku: { name: "Standard_LRS" },
        accessTier: "Hot",
        allowBlobPublicAccess: false,
        allowCrossTenantReplication: false,
        minimumTlsVersion: "TLS1_2",
        enableHttpsTrafficOnly: true,
        isLocalUserEnabled: false,
        isSftpEnabled: false,
        // Entra ID only, as for every storage account here (policy data-stores-not-public). That Network
        // Watcher's flow-log writer needs no account key is not verified without an account (docs/operations.md).
        allowSharedKeyAccess: false,
        // Network Watcher writes as a trusted Microsoft service: the firewall denies everything else.
        publicNetworkAccess: "Enabled",
        networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" },
        tags: { "mcp-infra:logs": "vnet-flow" },
    });
    const flowLog = scope.child("flow-log", network.FlowLog, {
        resourceGroupName: NETWORK_WATCHER_RG,
        networkWatcherName: pulumi.output(input.location).apply(networkWatcherName),
        location: input.location,
        targetResourceId: vnet.id,
        storageId: account.id,
        enabled: true,
        format: { type: "JSON", version: 2 },
        retentionPolicy: { enabled: true, days: input.spec.logRetentionDays },
        tags: { "mcp-infra:logs": "vnet-flow" },
    });
    return [account, flowLog];
}
