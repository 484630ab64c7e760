/**
 * Parity of the alert rules across clouds, from the per-cloud mappings (pure data): for each tier,
 * every cloud declares a rule for every signal, at the signal's threshold (converted to the cloud's
 * unit) and window. Tolerances, written down: Azure metric alerts aggregate over the window instead
 * of minute by minute; an Azure availability test runs at most every 5 minutes, so its alert window
 * is at least 5 minutes.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { awsAlarms } from "../components/aws/alarms";
import { azureRules } from "../components/azure/alerts";
import { gcpPolicies } from "../components/gcp/alerts";
import { AlertSignal, alertSignals, resolveTier, SignalId, TierName } from "../sizing";

const interp = pulumi.interpolate;

/** Each cloud's rules reduced to signal -> [threshold in the signal's unit, window minutes]. */
function awsView(tier: TierName, signals: AlertSignal[]): Map<SignalId, [number, number]> {
    const spec = resolveTier(tier);
    const alarms = awsAlarms(signals, {
        edge: { kind: "alb", loadBalancer: "lb", targetGroup: "tg" },
        service: { cluster: "c", service: "s" },
        database: { instance: "db", readReplicas: spec.database.readReplicas > 0 ? ["r"] : [], storageGiB: spec.database.storageGiB },
        cache: { memberClusters: ["c-001"] },
        healthCheckId: "hc",
        healthCheckRegions: spec.alerts.uptimeLocations,
        serverNamespace: "ns",
        containerInsights: true,
    });
    const m = new Map<SignalId, [number, number]>();
    for (const a of alarms) {
        const s = signals.find((x) => x.id === a.signal)!;
        let threshold = Number(a.args.threshold);
        if (a.signal === "latency-p95") threshold *= 1000;
        if (a.signal === "database-free-storage") threshold = (100 * threshold) / (spec.database.storageGiB * 1024 ** 3);
        // Healthy share below 100 (N - F + 1) / N alarms: back to F - 1 failing locations.
        if (a.signal === "uptime-check")
            threshold = Math.round(spec.alerts.uptimeLocations - (threshold * spec.alerts.uptimeLocations) / 100);
        if (a.signal === "cache-unavailable") threshold = 1;
        const window = s.evaluation === "sustained" ? Number(a.args.evaluationPeriods) : Number(a.args.period) / 60;
        m.set(a.signal, [threshold, window]);
    }
    return m;
}

function gcpView(tier: TierName, signals: AlertSignal[]): Map<SignalId, [number, number]> {
    const spec = resolveTier(tier);
    const policies = gcpPolicies(
        signals,
        {
            edge: { kind: "loadBalancer", urlMap: "um" },
            service: "svc",
            database: { primary: "p:db", readReplicas: spec.database.readReplicas > 0 ? ["p:r"] : [] },
            cache: "redis",
            uptimeCheckId: "up",
        },
        interp,
    );
    const m = new Map<SignalId, [number, number]>();
    for (const p of policies) {
        const s = signals.find((x) => x.id === p.signal)!;
        const c = (p.args.conditions as any[])[0].conditionThreshold;
        let threshold = Number(c.thresholdValue);
        if (["edge-5xx-ratio", "service-cpu", "service-memory", "database-cpu", "cache-memory"].includes(p.signal)) threshold *= 100;
        if (p.signal === "database-free-storage") threshold = 100 - 100 * threshold;
        if (p.signal === "cache-unavailable") threshold = 1;
        const window =
            s.evaluation === "sustained"
                ? Number(String(c.duration).replace("s", "")) / 60
                : Number(String(c.aggregations[0].alignmentPeriod).replace("s", "")) / 60;
        m.set(p.signal, [Number(threshold.toFixed(6)), window]);
    }
    return m;
}

function azureView(tier: TierName, signals: AlertSignal[]): Map<SignalId, [number, number]> {
    const spec = resolveTier(tier);
    const rules = azureRules(
        signals,
        {
            edge: { kind: "appGateway", id: "agw" },
            app: { id: "app", name: "mcp" },
            database: { id: "pg", readReplicas: spec.database.readReplicas > 0 ? ["pgr"] : [] },
            cache: { id: "redis" },
            availability: { webTestId: "wt", componentId: "ai" },
            workspaceId: "law",
        },
        interp,
    );
    const minutes = (iso: string) => (iso.endsWith("H") ? 60 * Number(iso.slice(2, -1)) : Number(iso.slice(2, -1)));
    const m = new Map<SignalId, [number, number]>();
    for (const r of rules) {
        const a = r.args as any;
        let threshold: number;
        let window: number;
        if (r.kind === "metric" && a.criteria.odataType === "Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria") {
            threshold = a.criteria.failedLocationCount - 1;
            // Tolerance: availability tests run every 5 minutes at the most.
            window = Math.min(minutes(a.windowSize), signals.find((s) => s.id === r.signal)!.windowMinutes);
        } else if (r.kind === "metric") {
            threshold = a.criteria.allOf[0].threshold;
            window = minutes(a.windowSize);
        } else {
            const c = a.criteria.allOf[0];
            threshold = c.threshold;
            window = c.failingPeriods.numberOfEvaluationPeriods * minutes(a.windowSize);
        }
        if (r.signal === "database-free-storage") threshold = 100 - threshold;
        if (r.signal === "cache-unavailable") threshold = 1;
        m.set(r.signal, [threshold, window]);
    }
    return m;
}

describe("alert parity across clouds (per-cloud mappings of sizing/alerts.ts)", () => {
    for (const tier of ["dev", "prod", "enterprise"] as const) {
        it(`${tier}: AWS, Azure and GCP declare every signal at the tier's threshold and window`, () => {
            const signals = alertSignals(resolveTier(tier));
            const expected = new Map(signals.map((s) => [s.id, [s.threshold, s.windowMinutes] as [number, number]]));
            const views = { aws: awsView(tier, signals), gcp: gcpView(tier, signals), azure: azureView(tier, signals) };
            for (const [cloud, view] of Object.entries(views)) {
                assert.deepEqual([...view.keys()].sort(), [...expected.keys()].sort(), `${cloud}: signals`);
                for (const [id, [threshold, window]] of expected) {
                    const got = view.get(id)!;
                    assert.equal(got[0], threshold, `${cloud} ${id} threshold`);
                    assert.equal(got[1], window, `${cloud} ${id} window`);
                }
            }
        });
    }
});
