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
