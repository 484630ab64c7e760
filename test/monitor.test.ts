/**
 * McpMonitor on every prod and enterprise stack, from the resource inputs the program declares under
 * mocks: at least 6 alarm conditions at the tier's thresholds and windows, a notification target,
 * an uptime check of /health from at least 3 locations, a dashboard, the cloud budget (80 %
 * forecast, 100 % actual); on AWS the VPC flow logs with the tier's retention; locally Prometheus
 * with the generated rules. Plus the parity of what each cloud declared per tier.
 */
import * as assert from "node:assert/strict";
import { readStackFile, runStack, type ProgramRun } from "../scripts/harness";
import { alertSignals, resolveTier, SignalId, TierName } from "../sizing";
import { all } from "./util";

const STACKS = ["prod-aws", "enterprise-aws", "prod-azure", "enterprise-azure", "prod-gcp", "enterprise-gcp"] as const;
const runs: Record<string, ProgramRun> = {};
const tierOf = (stack: string) => stack.split("-")[0] as TierName;
const budgetOf = (stack: string) => Number(readStackFile(stack)["mcp-infra:monthlyBudgetUsd"]);

/** Signal id -> the alarm resources declared for it. */
function alarms(run: ProgramRun): Map<SignalId, any[]> {
    const m = new Map<SignalId, any[]>();
    for (const r of run.resources) {
        const signal = r.inputs.tags?.["mcp-infra:signal"] ?? r.inputs.userLabels?.signal;
        const isRule =
            ["aws:cloudwatch/metricAlarm:MetricAlarm", "gcp:monitoring/alertPolicy:AlertPolicy"].includes(r.type) ||
            /^azure-native:monitor(\/v[0-9a-z]+)?:(MetricAlert|ScheduledQueryRule)$/.test(r.type);
        if (isRule && signal) m.set(signal, [...(m.get(signal) ?? []), r]);
    }
    return m;
}

describe("McpMonitor on every prod and enterprise cloud stack (resource inputs)", function () {
    this.timeout(300_000);
    before(async () => {
        for (const s of [...STACKS, "prod-local"]) runs[s] = await runStack(s);
    });

    for (const stack of STACKS) {
        describe(stack, () => {
            const tier = tierOf(stack);
            const signals = alertSignals(resolveTier(tier));
            it("declares a rule for every signal of the tier: at least 6 alarm conditions", () => {
                const declared = alarms(runs[stack]);
                assert.deepEqual([...declared.keys()].sort(), signals.map((s) => s.id).sort());
                assert.ok([...declared.values()].flat().length >= 6);
            });
            it("notifies the stack's address, and the budget's 80 % forecast and 100 % actual", () => {
                const run = runs[stack];
                const budget = budgetOf(stack);
                if (stack.endsWith("-aws")) {
                    const subs = all(run, "aws:sns/topicSubscription:TopicSubscription");
                    assert.ok(subs.some((s) => s.inputs.protocol === "email" && s.inputs.endpoint === "oncall@example.com"));
                    const alarm = all(run, "aws:cloudwatch/metricAlarm:MetricAlarm")[0];
                    assert.equal(alarm.inputs.alarmActions.length, 1, "alarms notify the topic");
                    const b = all(run, "aws:budgets/budget:Budget")[0].inputs;
                    assert.deepEqual([b.limitAmount, b.timeUnit, b.budgetType], [String(budget), "MONTHLY", "COST"]);
                    assert.deepEqual(
                        b.notifications.map((n: any) => [n.notificationType, n.threshold]),
                        [
                            ["FORECASTED", 80],
                            ["ACTUAL", 100],
                        ],
                    );
                    assert.deepEqual(b.notifications[0].subscriberEmailAddresses, ["oncall@example.com"]);
                } else if (stack.endsWith("-azure")) {
                    const group = run.resources.find((r) => /:ActionGroup$/.test(r.type))!.inputs;
                    assert.deepEqual(
                        group.emailReceivers.map((e: any) => e.emailAddress),
                        ["oncall@example.com"],
                    );
                    const metric = run.resources.find((r) => /:MetricAlert$/.test(r.type))!.inputs;
                    assert.equal(metric.actions.length, 1, "metric alerts notify the action group");
                    const b = run.resources.find((r) => /:consumption(\/v[0-9a-z]+)?:Budget$/.test(r.type))!.inputs;
                    assert.deepEqual([b.amount, b.timeGrain, b.category], [budget, "Monthly", "Cost"]);
                    assert.deepEqual([b.notifications.forecast80.thresholdType, b.notifications.forecast80.threshold], ["Forecasted", 80]);
                    assert.deepEqual([b.notifications.actual100.thresholdType, b.notifications.actual100.threshold], ["Actual", 100]);
                    assert.deepEqual(b.notifications.actual100.contactEmails, ["oncall@example.com"]);
                } else {
                    const channels = all(run, "gcp:monitoring/notificationChannel:NotificationChannel");
                    assert.deepEqual(
                        channels.map((c) => [c.inputs.type, c.inputs.labels.email_address]),
                        [["email", "oncall@example.com"]],
                    );
                    const policy = all(run, "gcp:monitoring/alertPolicy:AlertPolicy")[0];
                    assert.equal(policy.inputs.notificationChannels.length, 1);
                    const b = all(run, "gcp:billing/budget:Budget")[0].inputs;
                    assert.equal(b.billingAccount, "000000-000000-000000");
                    assert.equal(b.amount.specifiedAmount.units, String(budget));
                    assert.deepEqual(
                        b.thresholdRules.map((t: any) => [t.spendBasis, t.thresholdPercent]),
                        [
                            ["FORECASTED_SPEND", 0.8],
                            ["CURRENT_SPEND", 1],
                        ],
                    );
                }
            });
            it("probes /health from outside from at least 3 locations, and has a dashboard", () => {
                const run = runs[stack];
                const locations = resolveTier(tier).alerts.uptimeLocations;
                if (stack.endsWith("-aws")) {
                    const hc = all(run, "aws:route53/healthCheck:HealthCheck")[0].inputs;
                    assert.deepEqual([hc.resourcePath, hc.regions.length, hc.requestInterval], ["/health", locations, 30]);
                    const widgets = JSON.parse(all(run, "aws:cloudwatch/dashboard:Dashboard")[0].inputs.dashboardBody).widgets;
                    assert.equal(widgets.length, 1 + all(run, "aws:cloudwatch/metricAlarm:MetricAlarm").length);
                } else if (stack.endsWith("-azure")) {
                    const t = run.resources.find((r) => /:WebTest$/.test(r.type))!.inputs;
                    assert.equal(t.locations.length, locations);
                    assert.match(t.request.requestUrl, /\/health$/);
                    assert.ok(run.resources.some((r) => /:Workbook$/.test(r.type)));
                } else {
                    const u = all(run, "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig")[0].inputs;
                    assert.deepEqual([u.httpCheck.path, u.selectedRegions.length, u.period], ["/health", locations, "60s"]);
                    assert.equal(
                        JSON.parse(all(run, "gcp:monitoring/dashboard:Dashboard")[0].inputs.dashboardJson).gridLayout.widgets.length,
                        all(run, "gcp:monitoring/alertPolicy:AlertPolicy").length,
                    );
                }
            });
            it("alarms at the tier's thresholds and windows (CPU, memory, p95, replicas)", () => {
                const declared = alarms(runs[stack]);
                const one = (id: SignalId) => declared.get(id)![0].inputs;
                const spec = resolveTier(tier);
                if (stack.endsWith("-aws")) {
                    assert.deepEqual(
                        [one("service-cpu").threshold, one("service-cpu").evaluationPeriods, one("service-cpu").period],
                        [80, 5, 60],
                    );
                    assert.deepEqual([one("service-memory").threshold, one("latency-p95").threshold], [85, 0.5]);
                    assert.deepEqual(
                        [one("replicas-below-minimum").threshold, one("replicas-below-minimum").evaluationPeriods],
                        [spec.service.minReplicas, 1],
                    );
                } else if (stack.endsWith("-azure")) {
                    const crit = (id: SignalId) => one(id).criteria.allOf[0];
                    assert.deepEqual([crit("service-cpu").threshold, one("service-cpu").windowSize], [80, "PT5M"]);
                    assert.deepEqual(
                        [crit("replicas-below-minimum").threshold, crit("replicas-below-minimum").operator],
                        [spec.service.minReplicas, "LessThan"],
                    );
                    assert.equal(crit("latency-p95").threshold, 500);
                } else {
                    const cond = (id: SignalId) => one(id).conditions[0].conditionThreshold;
                    assert.deepEqual([cond("service-cpu").thresholdValue, cond("service-cpu").duration], [0.8, "300s"]);
                    assert.deepEqual(
                        [cond("latency-p95").thresholdValue, cond("replicas-below-minimum").thresholdValue],
                        [500, spec.service.minReplicas],
                    );
                }
            });
            if (stack.endsWith("-gcp")) {
                it("logs the subnet's flows and every request at the load balancer", () => {
                    const subnet = all(runs[stack], "gcp:compute/subnetwork:Subnetwork")[0].inputs;
                    assert.deepEqual([subnet.logConfig.flowSampling, subnet.logConfig.metadata], [0.5, "INCLUDE_ALL_METADATA"]);
                    assert.deepEqual(all(runs[stack], "gcp:compute/backendService:BackendService")[0].inputs.logConfig, {
                        enable: true,
                        sampleRate: 1,
                    });
                });
            }
            if (stack.endsWith("-azure")) {
                it("sends the Application Gateway's access and firewall logs to the workspace the edge alerts query", () => {
                    const setting = runs[stack].resources.find((r) => r.name === "mcp-monitor-edge-access-logs")!.inputs;
                    assert.deepEqual(
                        setting.logs.map((l: any) => l.category),
                        ["ApplicationGatewayAccessLog", "ApplicationGatewayFirewallLog"],
                    );
                    assert.equal(setting.logAnalyticsDestinationType, "Dedicated");
                });
            }
            if (stack.endsWith("-aws")) {
                it("sends the VPC's flow logs to a log group kept for the tier's retention", () => {
                    const run = runs[stack];
                    const flow = all(run, "aws:ec2/flowLog:FlowLog")[0].inputs;
                    assert.deepEqual(
                        [flow.trafficType, flow.logDestinationType, flow.vpcId],
                        ["ALL", "cloud-watch-logs", "mcp-network-vpc-id"],
                    );
                    const group = run.resources.find((r) => r.name === "mcp-monitor-flow-logs")!;
                    assert.equal(group.inputs.retentionInDays, resolveTier(tier).logRetentionDays);
                });
            }
        });
    }

    it("prod-local runs Prometheus with the tier's rules, Alertmanager and the blackbox exporter", () => {
        const containers = all(runs["prod-local"], "docker:index/container:Container").filter((c) => c.name.startsWith("mcp-monitor-"));
        assert.deepEqual(containers.map((c) => c.name).sort(), [
            "mcp-monitor-alertmanager",
            "mcp-monitor-blackbox",
            "mcp-monitor-prometheus",
        ]);
        const prom = containers.find((c) => c.name === "mcp-monitor-prometheus")!;
        const rules = prom.inputs.uploads.find((u: any) => u.file === "/etc/prometheus/rules.yml").content as string;
        assert.match(rules, /"alert": "McpReplicasBelowMinimum"/);
        assert.match(rules, /sum\(up\{job=\\"mcp-server\\"\}\) < 2/);
        const config = JSON.parse(
            String(prom.inputs.uploads.find((u: any) => u.file === "/etc/prometheus/prometheus.yml").content).replace(/^#.*\n/, ""),
        );
        assert.deepEqual(
            config.scrape_configs[0].static_configs.map((s: any) => s.targets[0]),
            ["mcp-server-0:9464", "mcp-server-1:9464"],
        );
        assert.equal(prom.inputs.ports[0].ip, "127.0.0.1", "the UI is published on loopback only");
    });
});
