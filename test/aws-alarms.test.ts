/** CloudWatch alarms for the neutral signals (components/aws/alarms.ts), as pure data. */
import * as assert from "node:assert/strict";
import { awsAlarms, AwsAlarmTargets, LOG_METRICS } from "../components/aws/alarms";
import { alertSignals, resolveTier, TierName } from "../sizing";

const targets = (tier: TierName): AwsAlarmTargets => ({
    edge: { kind: "alb", loadBalancer: "app/mcp/123", targetGroup: "targetgroup/mcp/456" },
    service: { cluster: "mcp-cluster", service: "mcp-service" },
    database: {
        instance: "mcp-db",
        readReplicas: tier === "enterprise" ? ["mcp-db-replica"] : [],
        storageGiB: resolveTier(tier).database.storageGiB,
    },
    cache: { memberClusters: ["mcp-cache-001", "mcp-cache-002"] },
    healthCheckId: "hc-1",
    healthCheckRegions: resolveTier(tier).alerts.uptimeLocations,
    serverNamespace: "mcp-infra/prod-aws",
    containerInsights: true,
});

describe("CloudWatch alarms (components/aws/alarms.ts)", () => {
    for (const tier of ["prod", "enterprise"] as const) {
        it(`${tier}: every signal has an alarm with its threshold, its window of 60 s datapoints, and its signal tag`, () => {
            const signals = alertSignals(resolveTier(tier), { scalesToZero: false });
            const alarms = awsAlarms(signals, targets(tier));
            assert.deepEqual(
                [...new Set(alarms.map((a) => a.signal))],
                signals.map((s) => s.id),
            );
            assert.ok(alarms.length >= 6);
            for (const a of alarms) {
                const s = signals.find((x) => x.id === a.signal)!;
                assert.equal((a.args.tags as Record<string, string>)["mcp-infra:signal"], s.id);
                if (s.evaluation === "sustained") {
                    assert.equal(a.args.evaluationPeriods, s.windowMinutes, a.role);
                    assert.equal(a.args.datapointsToAlarm, s.windowMinutes, a.role);
                    assert.ok(a.args.period === 60 || a.args.metricQueries !== undefined, a.role);
                } else {
                    assert.deepEqual([a.args.period, a.args.evaluationPeriods], [s.windowMinutes * 60, 1], a.role);
                }
            }
            const by = (role: string) => alarms.find((a) => a.role === role)!.args;
            assert.deepEqual(
                [by("service-cpu").threshold, by("service-cpu").comparisonOperator, by("service-cpu").namespace],
                [80, "GreaterThanThreshold", "AWS/ECS"],
            );
            assert.equal(by("service-memory").threshold, 85);
            assert.deepEqual([by("latency-p95").extendedStatistic, by("latency-p95").threshold], ["p95", 0.5]);
            assert.equal(by("database-free-storage").threshold, Math.round(0.15 * resolveTier(tier).database.storageGiB * 1024 ** 3));
            assert.deepEqual(
                [
                    by("replicas-below-minimum").threshold,
                    by("replicas-below-minimum").comparisonOperator,
                    by("replicas-below-minimum").treatMissingData,
                ],
                [resolveTier(tier).service.minReplicas, "LessThanThreshold", "breaching"],
            );
            const ratio = (by("edge-5xx-ratio").metricQueries as { expression?: string }[]).find((q) => q.expression)!;
            assert.match(ratio.expression!, /100 \* \(FILL\(target5xx, 0\) \+ FILL\(elb5xx, 0\)\) \/ requests/);
            assert.equal(by("edge-5xx-ratio").threshold, 1);
            // Route 53 metrics exist in us-east-1 only.
            assert.equal(by("uptime-check").region, "us-east-1");
            assert.equal(by("uptime-check").namespace, "AWS/Route53");
            assert.deepEqual(
                alarms.filter((a) => a.signal === "cache-memory").map((a) => (a.args.dimensions as Record<string, string>).CacheClusterId),
                ["mcp-cache-001", "mcp-cache-002"],
            );
        });
    }
    it("the uptime alarm trips when the configured number of regions fail, not one fewer", () => {
        const signals = alertSignals(resolveTier("enterprise"));
        const a = awsAlarms(signals, targets("enterprise")).find((x) => x.signal === "uptime-check")!.args;
        // 5 regions, 2 failing: 60 % healthy < 80 %; 1 failing: 80 % is not below.
        assert.equal(a.threshold, 80);
    });
    it("server-side signals read the server's log lines through metric filters in the stack's namespace", () => {
        const signals = alertSignals(resolveTier("prod"));
        const alarms = awsAlarms(signals, targets("prod"));
        for (const m of LOG_METRICS) {
            const a = alarms.find((x) => x.signal === m.signal)!.args;
            assert.deepEqual([a.namespace, a.metricName], ["mcp-infra/prod-aws", m.metricName]);
        }
        assert.equal(alarms.find((x) => x.signal === "audit-checkpoint-late")!.args.threshold, 30 * 60);
    });
    it("an HTTP API edge is alarmed on API Gateway's own metrics", () => {
        const signals = alertSignals(resolveTier("dev"), { scalesToZero: false });
        const alarms = awsAlarms(signals, {
            ...targets("prod"),
            cache: undefined,
            edge: { kind: "httpApi", apiId: "abc", stage: "$default" },
        });
        const p95 = alarms.find((a) => a.signal === "latency-p95")!.args;
        assert.deepEqual([p95.namespace, p95.metricName, p95.threshold], ["AWS/ApiGateway", "Latency", 1000]);
        assert.equal(alarms.find((a) => a.signal === "replicas-below-minimum")!.args.namespace, "ECS/ContainerInsights");
    });
    it("without Container Insights, a pay-per-request edge's replica alarm breaches when the service publishes no CPU datapoint (no task runs)", () => {
        const signals = alertSignals(resolveTier("dev"), { scalesToZero: false });
        const alarms = awsAlarms(signals, {
            ...targets("prod"),
            cache: undefined,
            containerInsights: false,
            edge: { kind: "httpApi", apiId: "abc", stage: "$default" },
        });
        const a = alarms.find((x) => x.signal === "replicas-below-minimum")!.args;
        assert.deepEqual(
            [a.namespace, a.metricName, a.statistic, a.threshold, a.comparisonOperator, a.treatMissingData],
            ["AWS/ECS", "CPUUtilization", "SampleCount", 1, "LessThanThreshold", "breaching"],
        );
    });
    it("an ElastiCache Serverless cache is alarmed on its clusterId: data against the storage limit, and evictions", () => {
        const signals = alertSignals(resolveTier("prod"));
        const alarms = awsAlarms(signals, { ...targets("prod"), cache: { serverless: "mcp-cache", maxDataGb: 1 } });
        const mem = alarms.filter((a) => a.signal === "cache-memory");
        assert.equal(mem.length, 1);
        assert.deepEqual(
            [mem[0].args.metricName, mem[0].args.dimensions, mem[0].args.threshold],
            ["BytesUsedForCache", { clusterId: "mcp-cache" }, 0.8e9],
        );
        const ev = alarms.find((a) => a.signal === "cache-evictions")!.args;
        assert.deepEqual([ev.metricName, ev.dimensions, ev.statistic], ["Evictions", { clusterId: "mcp-cache" }, "Sum"]);
    });
});
