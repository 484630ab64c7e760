/**
 * Prints the alert signals of every tier as the Markdown docs/operations.md shows them
 * (a test keeps the two in step):
 *
 *   npx ts-node --transpile-only scripts/signals.ts
 */
import { AlertSignal, alertSignals, resolveTier, SIGNAL_IDS, TIER_NAMES, TierSpec } from "../sizing";

const UNITS: Record<AlertSignal["unit"], string> = {
    percent: " %",
    milliseconds: " ms",
    seconds: " s",
    replicas: " replicas",
    count: "",
    locations: " locations",
};

function condition(s: AlertSignal, spec: TierSpec): string {
    if (s.id === "uptime-check") return `≥ ${s.threshold + 1} of ${spec.alerts.uptimeLocations} locations fail`;
    if (s.unit === "count" && s.threshold === 0) return s.evaluation === "total" ? "any in the window" : "any failing";
    if (s.id === "cache-unavailable") return "not answering";
    if (s.id === "audit-checkpoint-late") return `> ${s.threshold / 60} min old`;
    return `${s.comparison === "above" ? ">" : "<"} ${s.threshold}${UNITS[s.unit]}`;
}

/** One row per signal, one column per tier: condition, window (minutes), severity; "–" where the tier does not declare it. */
export function renderSignalTable(): string {
    const perTier = TIER_NAMES.map((t) => new Map(alertSignals(resolveTier(t)).map((s) => [s.id, s])));
    const lines = [
        `| alert | ${TIER_NAMES.map((t) => `${t} (${resolveTier(t).availabilityTarget} %)`).join(" | ")} | severity |`,
        `|---|${TIER_NAMES.map(() => "---").join("|")}|---|`,
    ];
    for (const id of SIGNAL_IDS) {
        const any = perTier.map((m) => m.get(id)).find((s) => s !== undefined)!;
        const cells = perTier.map((m, i) => {
            const s = m.get(id);
            return s === undefined ? "–" : `${condition(s, resolveTier(TIER_NAMES[i]))}, ${s.windowMinutes} min`;
        });
        lines.push(`| \`${any.name}\` | ${cells.join(" | ")} | ${any.severity} |`);
    }
    return lines.join("\n");
}

/** The runbook: one line per alert, what to look at first. */
export function renderRunbook(): string {
    const seen = new Map<string, AlertSignal>();
    for (const t of TIER_NAMES)
        for (const s of alertSignals(resolveTier(t), { scalesToZero: false })) if (!seen.has(s.id)) seen.set(s.id, s);
    return SIGNAL_IDS.filter((id) => seen.has(id))
        .map((id) => {
            const s = seen.get(id)!;
            return `- **\`${s.name}\`** (${s.metric}): ${s.runbook}`;
        })
        .join("\n");
}

if (require.main === module) {
    console.log(renderSignalTable());
    console.log();
    console.log(renderRunbook());
}
