/**
 * Each cloud's cost floor per tier (issue 15): the most a stack of that tier
 * may cost at list price and default usage while keeping every promise of the
 * tier. Printed by the plan next to each estimate, as met or missed.
 *
 * Why the floors differ: Azure's WAF with managed rules needs Application
 * Gateway WAF_v2 (a fixed $262.80 a month) and its zone-redundant PostgreSQL a
 * General Purpose SKU (2 vCPUs, standby billed), where AWS and GCP bill WAF
 * per rule and offer burstable or one-vCPU HA databases.
 */
export const FLOOR_TARGETS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
    aws: { dev: 28.5, prod: 170 },
    gcp: { dev: 30, prod: 225 },
    azure: { dev: 48, prod: 715 },
};

/** The floor target of a cloud and tier, or undefined where none is set (enterprise, local). */
export function floorTarget(cloud: string, tier: string): number | undefined {
    return FLOOR_TARGETS[cloud]?.[tier];
}

/**
 * The component whose cost the floors leave out: the floors were set (issue 15) for the
 * tier's topology before operations monitoring (issue 13: alarms, uptime checks, dashboards,
 * budgets, flow logs) existed. The plan prints that component's cost beside the floor status,
 * so the total a stack pays is never hidden.
 */
export const FLOOR_EXCLUDES_COMPONENT = "mcp-monitor";

/** What a floor target is compared with: the estimate without the monitoring component, and that component's cost. */
export function floorBasis(estimate: { totalMonthlyUsd: number; components: { component: string; monthlyUsd: number }[] }): {
    basisUsd: number;
    monitoringUsd: number;
} {
    const monitoringUsd = estimate.components.find((c) => c.component === FLOOR_EXCLUDES_COMPONENT)?.monthlyUsd ?? 0;
    return { basisUsd: Math.round((estimate.totalMonthlyUsd - monitoringUsd) * 100) / 100, monitoringUsd };
}
