/** The operations-signals policy (policy/operations.ts), on resource lists shaped as each cloud's monitor declares them. */
import * as assert from "node:assert/strict";
import { operationsGaps, REQUIRED_SIGNALS } from "../policy/operations";

const aws = (extra: { type: string; props: any }[] = []) => [
    { type: "aws:ecs/service:Service", props: {} },
    ...REQUIRED_SIGNALS.map((s) => ({ type: "aws:cloudwatch/metricAlarm:MetricAlarm", props: { tags: { "mcp-infra:signal": s } } })),
    { type: "aws:route53/healthCheck:HealthCheck", props: {} },
    { type: "aws:cloudwatch/dashboard:Dashboard", props: {} },
    { type: "aws:budgets/budget:Budget", props: {} },
    { type: "aws:sns/topicSubscription:TopicSubscription", props: { protocol: "email", endpoint: "oncall@example.com" } },
    { type: "aws:ec2/flowLog:FlowLog", props: { trafficType: "ALL" } },
    { type: "aws:lb/loadBalancer:LoadBalancer", props: { accessLogs: { bucket: "logs", enabled: true } } },
    ...extra,
];

describe("operations-signals policy (policy/operations.ts)", () => {
    it("passes a stack with the signals, an uptime check, a dashboard, a budget and a target", () => {
        assert.deepEqual(operationsGaps(aws(), { monthlyBudgetUsd: 250 }), []);
    });
    it("names each missing piece", () => {
        const without = (type: string) => aws().filter((r) => r.type !== type);
        assert.match(operationsGaps(without("aws:route53/healthCheck:HealthCheck"), {}).join("\n"), /no external uptime check/);
        assert.match(operationsGaps(without("aws:cloudwatch/dashboard:Dashboard"), {}).join("\n"), /no dashboard/);
        assert.match(
            operationsGaps(without("aws:budgets/budget:Budget"), { monthlyBudgetUsd: 250 }).join("\n"),
            /monthlyBudgetUsd is 250 but no cloud budget/,
        );
        assert.deepEqual(operationsGaps(without("aws:budgets/budget:Budget"), {}), [], "no budget needed without monthlyBudgetUsd");
        const gaps = operationsGaps(
            aws().filter((r) => r.props?.tags?.["mcp-infra:signal"] !== "latency-p95"),
            {},
        );
        assert.match(gaps.join("\n"), /no alarm for the signals latency-p95/);
    });
    it("requires a notification target unless the stack opted out", () => {
        const noTarget = aws().filter((r) => r.type !== "aws:sns/topicSubscription:TopicSubscription");
        assert.match(operationsGaps(noTarget, {}).join("\n"), /no notification target/);
        assert.deepEqual(operationsGaps(noTarget, { alertsOptedOut: true }), []);
    });
    it("requires flow logs and access logs on every edge", () => {
        const noFlow = aws().filter((r) => r.type !== "aws:ec2/flowLog:FlowLog");
        assert.deepEqual(operationsGaps(noFlow, {}), ["no VPC flow logs (aws:ec2/flowLog:FlowLog)"]);
        const silentAlb = aws().map((r) =>
            r.type === "aws:lb/loadBalancer:LoadBalancer" ? { ...r, props: { accessLogs: { bucket: "logs", enabled: false } } } : r,
        );
        assert.match(operationsGaps(silentAlb, {}).join("\n"), /1 of 1 edge resources keep no access logs/);
        const noAlb = aws().filter((r) => r.type !== "aws:lb/loadBalancer:LoadBalancer");
        assert.match(operationsGaps(noAlb, {}).join("\n"), /no edge access logs/);
        // The HTTP API edge: its stage must carry accessLogSettings.
        const stage = (props: any) => [...noAlb, { type: "aws:apigatewayv2/stage:Stage", props }];
        assert.deepEqual(operationsGaps(stage({ accessLogSettings: { destinationArn: "arn", format: "{}" } }), {}), []);
        assert.match(operationsGaps(stage({ name: "$default" }), {}).join("\n"), /keep no access logs/);
    });
    it("reads Azure tags and GCP labels alike", () => {
        const azure = [
            ...REQUIRED_SIGNALS.map((s) => ({ type: "azure-native:monitor:MetricAlert", props: { tags: { "mcp-infra:signal": s } } })),
            { type: "azure-native:applicationinsights:WebTest", props: {} },
            { type: "azure-native:applicationinsights:Workbook", props: {} },
            { type: "azure-native:monitor:ActionGroup", props: { emailReceivers: [{ emailAddress: "a@example.com" }] } },
            { type: "azure-native:network:FlowLog", props: { enabled: true, retentionPolicy: { days: 30, enabled: true } } },
            { type: "azure-native:network:ApplicationGateway", props: {} },
            {
                type: "azure-native:monitor:DiagnosticSetting",
                props: { logs: [{ category: "ApplicationGatewayAccessLog", enabled: true }] },
            },
        ];
        assert.deepEqual(operationsGaps(azure, {}), []);
        assert.deepEqual(
            operationsGaps(
                azure.filter((r) => r.type !== "azure-native:network:FlowLog"),
                {},
            ),
            ["no VNet flow logs (azure-native:network:FlowLog)"],
        );
        assert.match(
            operationsGaps(
                azure.filter((r) => r.type !== "azure-native:monitor:DiagnosticSetting"),
                {},
            ).join("\n"),
            /access log is not sent anywhere/,
        );
        const gcp = [
            ...REQUIRED_SIGNALS.map((s) => ({ type: "gcp:monitoring/alertPolicy:AlertPolicy", props: { userLabels: { signal: s } } })),
            { type: "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig", props: {} },
            { type: "gcp:monitoring/dashboard:Dashboard", props: {} },
            { type: "gcp:compute/subnetwork:Subnetwork", props: { logConfig: { flowSampling: 0.5 } } },
            { type: "gcp:compute/backendService:BackendService", props: { logConfig: { enable: true, sampleRate: 1 } } },
        ];
        assert.match(operationsGaps(gcp, {}).join("\n"), /no notification target/);
        const channel = { type: "gcp:monitoring/notificationChannel:NotificationChannel", props: {} };
        assert.deepEqual(operationsGaps([...gcp, channel], {}), []);
        const without = (type: string, props: any) => [...gcp.filter((r) => r.type !== type), { type, props }, channel];
        assert.deepEqual(operationsGaps(without("gcp:compute/subnetwork:Subnetwork", {}), {}), [
            "1 of 1 subnets keep no VPC flow logs (logConfig)",
        ]);
        assert.match(
            operationsGaps(without("gcp:compute/backendService:BackendService", { logConfig: { enable: false } }), {}).join("\n"),
            /keep no access logs \(backend service logConfig.enable\)/,
        );
    });
});
