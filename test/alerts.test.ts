/** The neutral alert model (sizing/alerts.ts): which signals each tier declares, at which thresholds and windows. */
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import * as fs from "node:fs";
import * as path from "node:path";
import { renderRunbook, renderSignalTable } from "../scripts/signals";
import {
    ALERT_WINDOWS_MINUTES,
    alertSignals,
    BUDGET_NOTIFICATIONS,
    ConfigError,
    resolveTier,
    SIGNAL_IDS,
    TIER_NAMES,
    TierSpec,
    tierSpec,
} from "../sizing";

const byId = (spec: TierSpec, opts = {}) => new Map(alertSignals(spec, opts).map((s) => [s.id, s]));

describe("alert signals (sizing/alerts.ts)", () => {
    it("prod alerts on the seeds' thresholds: errors > 1 %, p95 > 500 ms, CPU > 80 %, memory > 85 %, free storage < 15 %, 5-minute windows", () => {
        const s = byId(resolveTier("prod"));
        const pick = (id: string) => {
            const x = s.get(id as never)!;
            return [x.comparison, x.threshold, x.windowMinutes];
        };
        assert.deepEqual(pick("edge-5xx-ratio"), ["above", 1, 5]);
        assert.deepEqual(pick("latency-p95"), ["above", 500, 5]);
        assert.deepEqual(pick("service-cpu"), ["above", 80, 5]);
        assert.deepEqual(pick("service-memory"), ["above", 85, 5]);
        assert.deepEqual(pick("database-cpu"), ["above", 80, 5]);
        assert.deepEqual(pick("database-free-storage"), ["below", 15, 5]);
        assert.deepEqual(pick("cache-memory"), ["above", 80, 5]);
        // Availability signals hold for one minute: with probes every minute, a page within 5 minutes of the failure.
        assert.deepEqual(pick("replicas-below-minimum"), ["below", 2, 1]);
        assert.deepEqual(pick("uptime-check"), ["above", 1, 1]);
        assert.equal(s.get("audit-checkpoint-late")!.threshold, 30 * 60);
    });
    it("prod and enterprise declare every signal but replica lag (enterprise only, it has the read replica): at least 6 each", () => {
        const prod = alertSignals(resolveTier("prod")).map((s) => s.id);
        const ent = alertSignals(resolveTier("enterprise")).map((s) => s.id);
        assert.deepEqual(
            prod,
            SIGNAL_IDS.filter((id) => id !== "database-replica-lag"),
        );
        assert.deepEqual(ent, [...SIGNAL_IDS]);
        assert.ok(prod.length >= 6 && ent.length >= 6);
        assert.equal(byId(resolveTier("enterprise")).get("database-replica-lag")!.threshold, 30);
    });
    it("dev keeps no replica-count or cache signals (one replica that may scale to zero, state in memory) and looser thresholds", () => {
        const dev = byId(resolveTier("dev"));
        for (const id of ["replicas-below-minimum", "cache-memory", "cache-evictions", "cache-unavailable", "database-replica-lag"])
            assert.ok(!dev.has(id as never), id);
        assert.equal(dev.get("edge-5xx-ratio")!.threshold, 5);
        assert.equal(dev.get("latency-p95")!.threshold, 1000);
        // A platform that never scales to zero (Fargate, Docker) still counts replicas.
        assert.equal(byId(resolveTier("dev"), { scalesToZero: false }).get("replicas-below-minimum")!.threshold, 1);
    });
    it("overrides reach the signals: minReplicas, sessionStore", () => {
        assert.equal(byId(resolveTier("prod", { minReplicas: 4, maxReplicas: 8 })).get("replicas-below-minimum")!.threshold, 4);
        assert.ok(!byId(resolveTier("prod", { sessionStore: "embedded", maxReplicas: 1, minReplicas: 1 })).has("cache-unavailable"));
    });
    it("every signal has a name, title, metric, runbook line and a window every cloud evaluates", () => {
        for (const tier of TIER_NAMES) {
            const names = new Set<string>();
            for (const s of alertSignals(resolveTier(tier), { scalesToZero: false })) {
                assert.match(s.name, /^Mcp[A-Za-z0-9]+$/);
                assert.ok(!names.has(s.name), `${s.name} twice`);
                names.add(s.name);
                assert.ok(s.title.length > 10 && s.metric.length > 10 && s.runbook.length > 40, s.id);
                assert.ok((ALERT_WINDOWS_MINUTES as readonly number[]).includes(s.windowMinutes), `${tier} ${s.id}`);
                assert.ok(["critical", "warning"].includes(s.severity));
            }
        }
    });
    it("stricter tiers never alert later or on worse values than looser ones", () => {
        const [dev, prod, ent] = TIER_NAMES.map((t) => resolveTier(t).alerts);
        for (const [loose, strict] of [
            [dev, prod],
            [prod, ent],
        ]) {
            assert.ok(strict.windowMinutes <= loose.windowMinutes && strict.availabilityWindowMinutes <= loose.availabilityWindowMinutes);
            assert.ok(strict.errorRatePercent <= loose.errorRatePercent && strict.p95LatencyMs <= loose.p95LatencyMs);
            assert.ok(strict.uptimeLocations >= loose.uptimeLocations && strict.uptimeIntervalSeconds <= loose.uptimeIntervalSeconds);
            assert.ok(strict.auditCheckpointMaxAgeMinutes <= loose.auditCheckpointMaxAgeMinutes);
        }
    });
    it("a threshold table no cloud can honour is refused, naming the field", () => {
        const bad = (patch: Partial<TierSpec["alerts"]>, field: string) => {
            const spec = tierSpec("prod");
            Object.assign(spec.alerts, patch);
            assert.throws(
                () => alertSignals(spec),
                (e: unknown) => e instanceof ConfigError && e.key === `tiers.prod.alerts.${field}`,
            );
        };
        bad({ windowMinutes: 7 }, "windowMinutes");
        bad({ availabilityWindowMinutes: 0 }, "availabilityWindowMinutes");
        bad({ errorRatePercent: 100 }, "errorRatePercent");
        bad({ uptimeLocations: 2, uptimeFailingLocations: 1 }, "uptimeLocations");
        bad({ uptimeFailingLocations: 6 }, "uptimeFailingLocations");
        bad({ p95LatencyMs: 0 }, "p95LatencyMs");
    });
    it("any window outside the clouds' common set is refused; any inside is kept as is", () => {
        fc.assert(
            fc.property(fc.integer({ min: -5, max: 200 }), (w) => {
                const spec = tierSpec("prod");
                spec.alerts.windowMinutes = w;
                if ((ALERT_WINDOWS_MINUTES as readonly number[]).includes(w)) {
                    return alertSignals(spec).find((s) => s.id === "service-cpu")!.windowMinutes === w;
                }
                assert.throws(() => alertSignals(spec), ConfigError);
                return true;
            }),
        );
    });
    it("the budget notifies at 80 % forecast and 100 % actual", () => {
        assert.deepEqual(BUDGET_NOTIFICATIONS, [
            { kind: "forecast", percent: 80 },
            { kind: "actual", percent: 100 },
        ]);
    });
    it("docs/operations.md shows exactly this table and runbook (scripts/signals.ts prints them)", () => {
        const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "operations.md"), "utf8");
        assert.ok(doc.includes(renderSignalTable()), "the thresholds table in docs/operations.md is stale: rerun scripts/signals.ts");
        assert.ok(doc.includes(renderRunbook()), "the runbook in docs/operations.md is stale: rerun scripts/signals.ts");
    });
});
