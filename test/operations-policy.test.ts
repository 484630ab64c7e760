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
    it("reads Azure tags and GCP labels alike", () => {
        const azure = [
            ...REQUIRED_SIGNALS.map((s) => ({ type: "azure-native:monitor:MetricAlert", props: { tags: { "mcp-infra:signal": s } } })),
            { type: "azure-native:applicationinsights:WebTest", props: {} },
            { type: "azure-native:applicationinsights:Workbook", props: {} },
            { type: "azure-native:monitor:ActionGroup", props: { emailReceivers: [{ emailAddress: "a@example.com" }] } },
        ];
        assert.deepEqual(operationsGaps(azure, {}), []);
        const gcp = [
            ...REQUIRED_SIGNALS.map((s) => ({ type: "gcp:monitoring/alertPolicy:AlertPolicy", props: { userLabels: { signal: s } } })),
            { type: "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig", props: {} },
            { type: "gcp:monitoring/dashboard:Dashboard", props: {} },
        ];
        assert.match(operationsGaps(gcp, {}).join("\n"), /no notification target/);
        assert.deepEqual(operationsGaps([...gcp, { type: "gcp:monitoring/notificationChannel:NotificationChannel", props: {} }], {}), []);
    });
});
