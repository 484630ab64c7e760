/**
 * The pricing engine: a monthly estimate from the resources a program run
 * really declared, with their inputs (as Infracost reads a plan). Used by the
 * offline plan, by the program's stack outputs and by the policy pack.
 */
import { DESCRIPTORS } from "../components/registry";
import * as aws from "./aws";
import * as azure from "./azure";
import { price } from "./catalog";
import { LineSpec, PricingContext, Pricer, Unpriced } from "./engine";
import * as gcp from "./gcp";
import { CostEstimate, CostLine, DeclaredResource, UnpricedType, UsageAssumptions } from "./types";

export * from "./types";
export { CATALOG, price } from "./catalog";

/** The usage the estimate assumes unless a stack sets its own (printed with every estimate). */
export const DEFAULT_USAGE: Readonly<UsageAssumptions> = {
    monthlyRequests: 1_000_000,
    avgRequestMs: 200,
    avgRequestKiB: 16,
    logGiBPerReplica: 1,
    imageGiB: 0.3,
    egressGiB: 10,
    cacheDataMB: 100,
};

const PRICERS: Record<string, Pricer> = { ...aws.PRICERS, ...azure.PRICERS, ...gcp.PRICERS };

const FREE_TYPES: Record<string, string> = { ...aws.FREE_TYPES, ...azure.FREE_TYPES, ...gcp.FREE_TYPES };

/** Packages whose resources never cost money by themselves (local Docker, random values). */
const FREE_PACKAGES: Record<string, string> = {
    docker: "runs on your own machine or is priced as registry storage",
    random: "generated locally",
};

/** Why a resource type is free, or undefined when it is not known to be. */
export function freeReason(type: string): string | undefined {
    return FREE_TYPES[type] ?? FREE_PACKAGES[type.split(":")[0]];
}

/** The component a resource belongs to: the longest declared component name that prefixes its name. */
function componentOf(r: DeclaredResource, components: string[]): string {
    const owner = components.filter((c) => c !== r.name && r.name.startsWith(`${c}-`)).sort((a, b) => b.length - a.length)[0];
    return owner ?? r.name.split("-").slice(0, 2).join("-");
}

/** Replicas always running across the run's services (at least 1). */
function alwaysOnReplicas(resources: DeclaredResource[]): number {
    let n = 0;
    for (const r of resources) {
        // Each cloud's descriptor says which resource type runs its replicas and how many one of them keeps running.
        for (const d of Object.values(DESCRIPTORS)) if (r.type === d.replicas.type) n += d.replicas.alwaysOn(r.inputs ?? {});
    }
    return Math.max(n, 1);
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Checks usage assumptions: every field a finite number >= 0. */
export function usageAssumptions(overrides: Partial<UsageAssumptions> = {}): UsageAssumptions {
    const usage = { ...DEFAULT_USAGE };
    for (const [key, value] of Object.entries(overrides)) {
        if (!(key in DEFAULT_USAGE)) throw new Error(`unknown usage assumption "${key}"; known: ${Object.keys(DEFAULT_USAGE).join(", ")}`);
        if (value === undefined) continue;
        if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
            throw new Error(`usage assumption ${key} must be a number >= 0, got ${JSON.stringify(value)}`);
        (usage as Record<string, number>)[key] = value;
    }
    return usage;
}

/** Prices every declared resource. Types it cannot price are listed in `unpriced`, never costed at zero. */
export function estimateCost(resources: DeclaredResource[], usage: Partial<UsageAssumptions> = {}): CostEstimate {
    const assumptions = usageAssumptions(usage);
    const notes = new Set<string>();
    const ctx: PricingContext = { usage: assumptions, resources, replicas: alwaysOnReplicas(resources), note: (t) => notes.add(t) };
    const custom = resources.filter((r) => r.custom !== false);
    const components = resources.filter((r) => r.custom === false).map((r) => r.name);
    const lines: CostLine[] = [];
    const free = new Map<string, number>();
    const unpriced = new Map<string, UnpricedType>();
    const clouds = new Set<string>();
    const markUnpriced = (r: DeclaredResource, reason: string) => {
        const key = `${r.type}\u0000${reason}`;
        const entry = unpriced.get(key) ?? { type: r.type, count: 0, names: [], reason };
        entry.count++;
        entry.names.push(r.name);
        unpriced.set(key, entry);
    };
    const poolUsed = new Map<string, number>();
    for (const r of custom) {
        const pkg = r.type.split(":")[0];
        // A docker image build belongs to whichever cloud's registry it is pushed to; docker containers mean the local target.
        if (pkg === "docker") {
            if (r.type !== "docker:index/image:Image") clouds.add("local");
        } else if (pkg !== "random") clouds.add(pkg === "azure-native" ? "azure" : pkg);
        const pricer = PRICERS[r.type];
        if (!pricer) {
            if (freeReason(r.type) !== undefined) free.set(r.type, (free.get(r.type) ?? 0) + 1);
            else markUnpriced(r, "resource type not in the pricing catalog");
            continue;
        }
        let specs: LineSpec[];
        try {
            specs = pricer(r, ctx);
        } catch (e) {
            if (!(e instanceof Unpriced)) throw e;
            markUnpriced(r, e.message);
            continue;
        }
        if (!specs.length) free.set(r.type, (free.get(r.type) ?? 0) + 1);
        for (const s of specs) {
            const p = price(s.priceId);
            if (!p) throw new Error(`pricing bug: ${r.type} uses catalog id "${s.priceId}", which does not exist`);
            // A pooled grant is what the pool's earlier lines left of it.
            const free = s.freePool ? Math.max(0, (s.freeQuantity ?? 0) - (poolUsed.get(s.freePool) ?? 0)) : (s.freeQuantity ?? 0);
            if (s.freePool) poolUsed.set(s.freePool, (poolUsed.get(s.freePool) ?? 0) + Math.min(free, s.quantity));
            const billable = Math.max(0, s.quantity - free);
            lines.push({
                component: componentOf(r, components),
                resource: r.name,
                type: r.type,
                item: s.item + (s.freeQuantity && s.quantity > 0 ? ` (after ${free.toLocaleString("en-US")} free)` : ""),
                quantity: billable,
                unit: p.unit,
                unitPriceUsd: p.usd,
                monthlyUsd: billable * p.usd,
                priceId: p.id,
                usageBased: s.usageBased === true,
            });
        }
    }
    const byComponent = new Map<string, number>();
    for (const l of lines) byComponent.set(l.component, (byComponent.get(l.component) ?? 0) + l.monthlyUsd);
    if (clouds.size > 1) notes.add(`resources of several clouds in one run: ${[...clouds].join(", ")}`);
    return {
        currency: "USD",
        cloud: [...clouds].join("+") || "none",
        totalMonthlyUsd: round2(lines.reduce((s, l) => s + l.monthlyUsd, 0)),
        components: [...byComponent]
            .map(([component, usd]) => ({ component, monthlyUsd: round2(usd) }))
            .sort((a, b) => b.monthlyUsd - a.monthlyUsd),
        lines: lines.map((l) => ({ ...l, monthlyUsd: round2(l.monthlyUsd), quantity: Math.round(l.quantity * 1000) / 1000 })),
        free: [...free].map(([type, count]) => ({ type, count })).sort((a, b) => a.type.localeCompare(b.type)),
        unpriced: [...unpriced.values()].sort((a, b) => a.type.localeCompare(b.type)),
        assumptions,
        notes: [...notes].sort(),
    };
}
