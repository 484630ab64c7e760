/**
 * McpMonitor on every prod and enterprise stack, from the resource inputs the program declares under
 * mocks: at least 6 alarm conditions at the tier's thresholds and windows, a notification target,
 * an uptime check of /health from at least 3 locations, a dashboard, the cloud budget (80 %
 * forecast, 100 % actual); flow logs and the edge's access logs with the tier's retention (none in dev); locally Prometheus
 * with the generated rules. Plus the parity of what each cloud declared per tier.
 */
import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ALB_LOG_PREFIX } from "../components/aws/alb";
import { createHttpApiEdge } from "../components/aws/httpapi";
import type { AwsNetwork } from "../components/aws/network";
import { Scope } from "../components/base";
import { readStackFile, runProgram, runStack, type ProgramRun } from "../scripts/harness";
import { alertSignals, keepsTrafficLogs, resolveTier, SignalId, TierName, tierSpec } from "../sizing";
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
            it("keeps flow logs and the edge's access logs for the tier's retention", () => {
                const run = runs[stack];
                const days = resolveTier(tier).logRetentionDays;
                const one = (name: string) => run.resources.find((r) => r.name === name)!.inputs;
                if (stack.endsWith("-aws")) {
                    const flow = all(run, "aws:ec2/flowLog:FlowLog")[0].inputs;
                    assert.deepEqual(
                        [flow.trafficType, flow.logDestinationType, flow.vpcId, flow.logDestination],
                        [
                            "ALL",
                            "cloud-watch-logs",
                            "mcp-network-vpc-id",
                            "arn:aws:mock:us-east-1:123456789012:LogGroup/mcp-monitor-flow-logs",
                        ],
                    );
                    assert.equal(one("mcp-monitor-flow-logs").retentionInDays, days);
                    const alb = all(run, "aws:lb/loadBalancer:LoadBalancer")[0].inputs;
                    assert.deepEqual(alb.accessLogs, { bucket: "mcp-edge-access-logs-id", prefix: ALB_LOG_PREFIX, enabled: true });
                    assert.deepEqual(one("mcp-edge-access-logs-expiry").rules[0].expiration, { days });
                    assert.deepEqual(one("mcp-edge-access-logs-encryption").rules[0].applyServerSideEncryptionByDefault, {
                        sseAlgorithm: "AES256",
                    });
                    const block = one("mcp-edge-access-logs-public-access");
                    assert.ok(
                        ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every(
                            (k) => block[k] === true,
                        ),
                    );
                    const policy = JSON.parse(one("mcp-edge-access-logs-policy").policy);
                    const writers = policy.Statement.filter((st: any) => st.Effect === "Allow" && st.Action === "s3:PutObject");
                    assert.deepEqual(
                        writers.map((st: any) => st.Principal),
                        [{ Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, { AWS: "arn:aws:iam::127311923021:root" }],
                    );
                    assert.ok(writers.every((st: any) => st.Resource.endsWith(`/${ALB_LOG_PREFIX}/AWSLogs/*`)));
                } else if (stack.endsWith("-azure")) {
                    const flow = all(run, "azure-native:network:FlowLog")[0].inputs;
                    assert.deepEqual(
                        [flow.resourceGroupName, flow.networkWatcherName, flow.targetResourceId, flow.storageId, flow.enabled],
                        ["NetworkWatcherRG", "NetworkWatcher_eastus", "mcp-network-vnet-id", "mcp-monitor-flow-logs-storage-id", true],
                    );
                    assert.deepEqual(flow.retentionPolicy, { enabled: true, days });
                    const account = one("mcp-monitor-flow-logs-storage");
                    assert.deepEqual(
                        [account.allowBlobPublicAccess, account.minimumTlsVersion, account.networkRuleSet],
                        [false, "TLS1_2", { defaultAction: "Deny", bypass: "AzureServices" }],
                    );
                    const setting = one("mcp-monitor-edge-access-logs");
                    assert.deepEqual(
                        setting.logs.map((l: any) => l.category),
                        ["ApplicationGatewayAccessLog", "ApplicationGatewayFirewallLog"],
                    );
                    assert.deepEqual([setting.resourceUri, setting.workspaceId], ["mcp-edge-gateway-id", "mcp-network-logs-id"]);
                    assert.equal(one("mcp-network-logs").retentionInDays, days, "the access log's workspace keeps the tier's retention");
                } else {
                    const subnet = all(run, "gcp:compute/subnetwork:Subnetwork")[0].inputs;
                    assert.deepEqual([subnet.logConfig.flowSampling, subnet.logConfig.metadata], [0.5, "INCLUDE_ALL_METADATA"]);
                    assert.deepEqual(all(run, "gcp:compute/backendService:BackendService")[0].inputs.logConfig, {
                        enable: true,
                        sampleRate: 1,
                    });
                    assert.equal(one("mcp-monitor-network-logs").retentionDays, days);
                    const sink = one("mcp-monitor-network-log-sink");
                    assert.equal(sink.destination, "logging.googleapis.com/mcp-monitor-network-logs-id");
                    assert.match(sink.filter, /compute\.googleapis\.com\/vpc_flows.*subnetwork_name="mcp-network-subnet-/);
                    assert.match(sink.filter, /resource\.type="http_load_balancer" AND resource\.labels\.url_map_name="mcp-edge-urlmap-/);
                }
            });
        });
    }

    for (const stack of ["dev-aws", "dev-azure", "dev-gcp"]) {
        it(`${stack} keeps no flow or access logs (each bills per GB)`, async () => {
            const run = await runStack(stack);
            const logs = run.resources.filter(
                (r) =>
                    /:FlowLog$|monitor-network-logs|access-logs$/.test(`${r.type}|${r.name}`) ||
                    r.inputs.tags?.["mcp-infra:logs"] !== undefined ||
                    r.inputs.accessLogSettings !== undefined,
            );
            assert.deepEqual(
                logs.map((r) => r.name),
                [],
            );
            for (const s of all(run, "gcp:compute/subnetwork:Subnetwork")) assert.equal(s.inputs.logConfig, undefined);
        });
    }

    it("an HTTP API edge in a tier that keeps traffic logs writes its stage's access log to a group kept for the tier's retention", async () => {
        // No built-in tier pairs the HTTP API with traffic logs (prod and enterprise have a WAF): build the edge directly.
        const spec = tierSpec("prod");
        spec.edge = { ...spec.edge, kind: "payPerRequest", waf: "none", rateLimitPerMinute: null };
        const run = await runProgram("lib-aws", { "aws:region": "us-east-1" }, () => {
            const parent = new pulumi.ComponentResource("test:index:Edge", "edge");
            const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.0.0.0/16" });
            createHttpApiEdge(new Scope(parent, "mcp-edge"), {
                network: { vpc, privateSubnetIds: [pulumi.output("subnet-a")] } as unknown as AwsNetwork,
                spec,
            });
            return {};
        });
        const group = run.resources.find((r) => r.name === "mcp-edge-access-logs")!;
        assert.equal(group.inputs.retentionInDays, spec.logRetentionDays);
        const stage = all(run, "aws:apigatewayv2/stage:Stage")[0].inputs;
        assert.equal(stage.accessLogSettings.destinationArn, "arn:aws:mock:us-east-1:123456789012:LogGroup/mcp-edge-access-logs");
        assert.deepEqual(Object.keys(JSON.parse(stage.accessLogSettings.format)).slice(0, 3), ["requestId", "ip", "requestTime"]);
        assert.ok(keepsTrafficLogs(spec) && !keepsTrafficLogs(tierSpec("dev")));
    });

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
