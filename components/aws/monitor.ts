/**
 * Monitoring on AWS: an SNS topic (email and HTTPS subscriptions) every alarm and the budget notify,
 * CloudWatch alarms for the tier's signals (./alarms.ts), metric filters that turn the server's log
 * lines into the metrics AWS lacks, a Route 53 health check of /health from the tier's number of
 * regions (its alarm and topic live in us-east-1, where Route 53 publishes its metrics), a CloudWatch
 * dashboard, an AWS Budgets budget (80 % forecast, 100 % actual), and in prod and enterprise VPC flow
 * logs to CloudWatch Logs with the tier's retention. The edge's access logs are the edge's own (alb.ts: S3;
 * httpapi.ts: CloudWatch Logs), since the ALB and the stage take their log destination as an input.
 *
 * Cost: alarms $0.10 per metric a month (metric-math alarms per metric in the expression), the
 * dashboard $3 a month beyond the account's first three, the health check $0.75 a month (+ $1 for
 * HTTPS), budgets are free, flow logs bill as CloudWatch Logs ingestion (see pricing/).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlertSignal, alertSignals, BUDGET_NOTIFICATIONS, keepsTrafficLogs, TierOverrides, TierSpec } from "../../sizing";
import { Scope } from "../base";
import { MonitorImpl, MonitorInput } from "../contract";
import { SERVER } from "../types";
import { awsSizing } from "../../sizing/aws";
import { AwsAlarm, AwsAlarmTargets, awsAlarms, LOG_METRICS, serverMetricsNamespace } from "./alarms";
import { AwsCache } from "./cache";
import { AwsCluster, AwsClusterParts } from "./cluster";
import { AwsDatabase } from "./database";
import { AwsEdge } from "./edge-types";
import { AwsNetwork } from "./network";

/** Route 53 health checker regions, in the order a tier takes them (Route 53 needs at least 3). */
export const HEALTH_CHECK_REGIONS = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-1",
    "sa-east-1",
    "ap-northeast-1",
    "ap-southeast-2",
    "us-west-1",
] as const;

/** Route 53 health checks probe every 10 or 30 s. */
export function healthCheckInterval(wantedSeconds: number): 10 | 30 {
    return wantedSeconds >= 30 ? 30 : 10;
}

export interface AwsMonitorInput {
    spec: TierSpec;
    overrides: TierOverrides;
    alerting: { emails: string[]; webhookUrl?: pulumi.Output<string>; optedOut: boolean };
    monthlyBudgetUsd?: number;
    network: AwsNetwork;
    edge: AwsEdge;
    cluster: AwsCluster;
    logGroup: aws.cloudwatch.LogGroup;
    database: AwsDatabase;
    cache?: AwsCache;
    /** The public host name clients use (the domain), when there is one. */
    domain?: string;
}

export interface AwsMonitor extends MonitorImpl {
    topic: aws.sns.Topic;
    alarms: aws.cloudwatch.MetricAlarm[];
    healthCheck: aws.route53.HealthCheck;
    dashboard: aws.cloudwatch.Dashboard;
    budget?: aws.budgets.Budget;
    flowLog?: aws.ec2.FlowLog;
    signals: AlertSignal[];
    resources: Record<string, pulumi.Resource | pulumi.Resource[]>;
}

/** A topic, its policy (CloudWatch and Budgets may publish) and its subscriptions. */
function notificationTopic(
    scope: Scope,
    role: string,
    input: AwsMonitorInput,
    region?: string,
): { topic: aws.sns.Topic; children: pulumi.Resource[] } {
    // Not encrypted with the AWS-managed SNS key: CloudWatch alarms and Budgets cannot publish to a topic under it
    // (alerts carry alarm names and thresholds, no data).
    const topic = scope.child(role, aws.sns.Topic, { ...(region ? { region } : {}) });
    const children: pulumi.Resource[] = [topic];
    children.push(
        scope.child(`${role}-policy`, aws.sns.TopicPolicy, {
            ...(region ? { region } : {}),
            arn: topic.arn,
            policy: topic.arn.apply((arn) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "AlarmsAndBudgetsPublish",
                            Effect: "Allow",
                            Principal: { Service: ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"] },
                            Action: "sns:Publish",
                            Resource: arn,
                        },
                    ],
                }),
            ),
        }),
    );
    input.alerting.emails.forEach((email, i) =>
        children.push(
            scope.child(`${role}-email-${i}`, aws.sns.TopicSubscription, {
                ...(region ? { region } : {}),
                topic: topic.arn,
                protocol: "email",
                endpoint: email,
            }),
        ),
    );
    if (input.alerting.webhookUrl !== undefined) {
        children.push(
            scope.child(`${role}-webhook`, aws.sns.TopicSubscription, {
                ...(region ? { region } : {}),
                topic: topic.arn,
                protocol: "https",
                endpoint: input.alerting.webhookUrl,
                endpointAutoConfirms: false,
            }),
        );
    }
    return { topic, children };
}

/** The parts an AWS monitor watches. */
export interface AwsMonitorParts extends AwsClusterParts {
    cluster: AwsCluster;
}

/** McpMonitor on AWS. */
export function createMonitor(scope: Scope, input: MonitorInput<AwsMonitorParts>): AwsMonitor {
    return buildMonitor(scope, {
        spec: input.spec,
        overrides: input.overrides,
        alerting: input.alerting,
        monthlyBudgetUsd: input.monthlyBudgetUsd,
        network: input.network,
        edge: input.edge,
        cluster: input.cluster,
        logGroup: input.cluster.logGroup,
        database: input.database,
        cache: input.cache,
        domain: input.domain,
    });
}

export function buildMonitor(scope: Scope, input: AwsMonitorInput): AwsMonitor {
    const { spec, edge, cluster, database, cache } = input;
    const signals = alertSignals(spec);
    const namespace = serverMetricsNamespace(pulumi.getProject(), pulumi.getStack());
    const resources: Record<string, pulumi.Resource | pulumi.Resource[]> = {};

    const main = notificationTopic(scope, "alerts", input);
    // Route 53 publishes health check metrics in us-east-1 only: its alarm, and the topic it notifies, live there.
    const east = notificationTopic(scope, "alerts-us-east-1", input, "us-east-1");
    resources.topics = [...main.children, ...east.children];

    const logMetrics = LOG_METRICS.filter((m) => signals.some((s) => s.id === m.signal)).map((m) =>
        scope.child(`metric-${m.signal}`, aws.cloudwatch.LogMetricFilter, {
            logGroupName: input.logGroup.name,
            pattern: m.pattern,
            metricTransformation: { name: m.metricName, namespace, value: m.value, ...(m.value === "1" ? { defaultValue: "0" } : {}) },
        }),
    );
    resources.logMetrics = logMetrics;

    // The uptime check: the public endpoint's /health, from the tier's number of regions.
    const regions = HEALTH_CHECK_REGIONS.slice(0, spec.alerts.uptimeLocations);
    const host: pulumi.Input<string> =
        input.domain ?? (edge.kind === "loadBalancer" ? edge.loadBalancer.dnsName : edge.api.apiEndpoint.apply((u) => new URL(u).host));
    const https = input.domain !== undefined || edge.kind === "payPerRequest";
    const healthCheck = scope.child("uptime", aws.route53.HealthCheck, {
        type: https ? "HTTPS" : "HTTP",
        fqdn: host,
        port: https ? 443 : 80,
        resourcePath: SERVER.healthPath,
        regions: [...regions],
        requestInterval: healthCheckInterval(spec.alerts.uptimeIntervalSeconds),
        failureThreshold: 3,
        enableSni: https,
        measureLatency: false,
        tags: { "mcp-infra:signal": "uptime-check" },
    });
    resources.healthCheck = healthCheck;

    const sizing = awsSizing(spec, input.overrides);
    const cacheTarget: AwsAlarmTargets["cache"] =
        cache === undefined
            ? undefined
            : cache.serverlessCache !== undefined
              ? { serverless: cache.serverlessCache.name, maxDataGb: sizing.cacheMaxDataGb }
              : {
                    memberClusters: [...Array(1 + spec.cache.replicas).keys()].map(
                        (i) => pulumi.interpolate`${cache.replicationGroup!.id}-${String(i + 1).padStart(3, "0")}`,
                    ),
                };
    const specs: AwsAlarm[] = awsAlarms(signals, {
        edge:
            edge.kind === "loadBalancer"
                ? { kind: "alb", loadBalancer: edge.loadBalancer.arnSuffix, targetGroup: edge.targetGroup.arnSuffix }
                : { kind: "httpApi", apiId: edge.api.id, stage: edge.stage.name },
        service: { cluster: cluster.cluster.name, service: cluster.service.name },
        database: {
            instance: database.instance.identifier,
            readReplicas: database.replicas.map((r) => r.identifier),
            storageGiB: spec.database.storageGiB,
        },
        cache: cacheTarget,
        containerInsights: sizing.containerInsights,
        healthCheckId: healthCheck.id,
        healthCheckRegions: regions.length,
        serverNamespace: namespace,
    });
    const alarms = specs.map((a) => {
        const topic = a.args.region === "us-east-1" ? east.topic : main.topic;
        const actions = input.alerting.optedOut ? [] : [topic.arn];
        return scope.child(
            `alarm-${a.role}`,
            aws.cloudwatch.MetricAlarm,
            { ...a.args, alarmActions: actions, okActions: actions },
            { dependsOn: logMetrics },
        );
    });
    resources.alarms = alarms;

    const dashboard = scope.child("dashboard", aws.cloudwatch.Dashboard, {
        dashboardName: `${pulumi.getProject()}-${pulumi.getStack()}`.replace(/[^A-Za-z0-9_-]/g, "-"),
        dashboardBody: pulumi.all(alarms.map((a) => a.arn)).apply((arns) => dashboardBody(arns, specs, aws.config.region ?? "us-east-1")),
    });
    resources.dashboard = dashboard;

    let budget: aws.budgets.Budget | undefined;
    if (input.monthlyBudgetUsd !== undefined && input.monthlyBudgetUsd > 0) {
        budget = scope.child("budget", aws.budgets.Budget, {
            budgetType: "COST",
            limitAmount: String(input.monthlyBudgetUsd),
            limitUnit: "USD",
            timeUnit: "MONTHLY",
            notifications: BUDGET_NOTIFICATIONS.map((n) => ({
                comparisonOperator: "GREATER_THAN",
                threshold: n.percent,
                thresholdType: "PERCENTAGE",
                notificationType: n.kind === "forecast" ? "FORECASTED" : "ACTUAL",
                subscriberEmailAddresses: input.alerting.emails,
                subscriberSnsTopicArns: input.alerting.optedOut ? [] : [main.topic.arn],
            })),
        });
        resources.budget = budget;
    }

    let flowLog: aws.ec2.FlowLog | undefined;
    if (keepsTrafficLogs(spec)) {
        const flowLogs = scope.child("flow-logs", aws.cloudwatch.LogGroup, {
            retentionInDays: spec.logRetentionDays,
            tags: { "mcp-infra:logs": "vpc-flow" },
        });
        const role = scope.child("flow-logs-role", aws.iam.Role, {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
        });
        const rolePolicy = scope.child("flow-logs-policy", aws.iam.RolePolicy, {
            role: role.id,
            policy: flowLogs.arn.apply((arn) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            Resource: [arn, `${arn}:*`],
                        },
                    ],
                }),
            ),
        });
        flowLog = scope.child(
            "flow-log",
            aws.ec2.FlowLog,
            {
                vpcId: input.network.vpc.id,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: flowLogs.arn,
                iamRoleArn: role.arn,
                maxAggregationInterval: 600,
            },
            { dependsOn: [rolePolicy] },
        );
        resources.flowLog = [flowLogs, role, rolePolicy, flowLog];
    }

    return { topic: main.topic, alarms, healthCheck, dashboard, budget, flowLog, signals, resources };
}

/** The dashboard: the alarms' states at the top, then each alarm's metric with its threshold. */
export function dashboardBody(alarmArns: string[], specs: AwsAlarm[], region: string): string {
    const widgets: unknown[] = [
        {
            type: "alarm",
            x: 0,
            y: 0,
            width: 24,
            height: 4,
            properties: { title: "mcp-infra alerts", alarms: alarmArns },
        },
    ];
    alarmArns.forEach((arn, i) => {
        widgets.push({
            type: "metric",
            x: (i % 3) * 8,
            y: 4 + Math.floor(i / 3) * 6,
            width: 8,
            height: 6,
            properties: {
                title: specs[i].role,
                region: specs[i].args.region ?? region,
                annotations: { alarms: [arn] },
                view: "timeSeries",
                stacked: false,
            },
        });
    });
    return JSON.stringify({ widgets });
}
