/**
 * Per-field tier overrides and the project's config keys.
 *
 * `CONFIG_KEYS` is the single source of truth for the keys the program reads;
 * Pulumi.yaml declares the same keys (a test keeps the two in step).
 */
import { ConfigError, formatChoices } from "./errors";
import { CLOUDS, TIER_NAMES, TierName, TierSpec, tierSpec } from "./tiers";

/** Fields of a tier a stack may override. Every field is optional; unset means "the tier's value". */
export interface TierOverrides {
    /** Replicas always running. @default the tier's (dev 1, prod 2, enterprise 3) */
    minReplicas?: number;
    /** Autoscaling ceiling. @default the tier's (dev 2, prod 6, enterprise 12) */
    maxReplicas?: number;
    /** Autoscaling target, average CPU percent. @default the tier's (70 / 60 / 60) */
    targetCpuPercent?: number;
    /** vCPU per replica in thousandths. @default the tier's (250 / 500 / 1000) */
    serviceMilliCpu?: number;
    /** Memory per replica in MiB. @default the tier's (512 / 1024 / 2048) */
    serviceMemoryMiB?: number;
    /** Database vCPU. @default the tier's (1 / 2 / 2) */
    dbVcpu?: number;
    /** Database memory in GiB. @default the tier's (1 / 2 / 8) */
    dbMemoryGiB?: number;
    /** Database storage in GiB. @default the tier's (20 / 50 / 100) */
    dbStorageGiB?: number;
    /** A concrete database class of the chosen cloud (e.g. `db.t4g.medium`); replaces dbVcpu / dbMemoryGiB. @default chosen from the tier */
    dbInstanceClass?: string;
    /** Cache memory per node in MiB. @default the tier's (512 / 1024 / 6144) */
    cacheMemoryMiB?: number;
    /** A concrete cache node type of the chosen cloud (e.g. `cache.t4g.small`); replaces cacheMemoryMiB. @default chosen from the tier */
    cacheNodeType?: string;
    /** Days logs are kept. @default the tier's (7 / 30 / 90) */
    logRetentionDays?: number;
}

export type ConfigType = "string" | "integer" | "boolean";

export interface ConfigKey {
    key: string;
    type: ConfigType;
    description: string;
    default: string | number | boolean;
    /** Allowed values, when the key is an enumeration. */
    allowed?: readonly string[];
    /** The TierOverrides field this key sets; for integer keys 0 (and for strings "") means "use the tier's value". */
    override?: keyof TierOverrides;
}

export const PROJECT = "mcp-infra";

export const CONFIG_KEYS: readonly ConfigKey[] = [
    { key: "cloud", type: "string", default: "aws", allowed: CLOUDS, description: "Where to deploy: aws, azure, gcp or local (Docker)." },
    { key: "tier", type: "string", default: "dev", allowed: TIER_NAMES, description: "Sizing tier: dev, prod or enterprise." },
    { key: "domain", type: "string", default: "", description: "Public DNS name of the MCP endpoint. When set, the edge serves HTTPS with a managed certificate and redirects HTTP; empty serves plain HTTP on the load balancer's own name." },
    { key: "dnsZone", type: "string", default: "", description: "DNS zone that holds `domain` (for certificate validation and the alias record). Empty = the domain without its first label." },
    { key: "image", type: "string", default: "", description: "Your own MCP server image to run instead of building the bundled one from app/. Empty = build and push the bundled server." },
    { key: "monthlyBudgetUsd", type: "integer", default: 0, description: "Monthly budget for this stack in USD; the cost review fails a change that exceeds it. 0 = no budget." },
    { key: "minReplicas", type: "integer", default: 0, override: "minReplicas", description: "Override: replicas always running. 0 = the tier's value." },
    { key: "maxReplicas", type: "integer", default: 0, override: "maxReplicas", description: "Override: autoscaling ceiling. 0 = the tier's value." },
    { key: "targetCpuPercent", type: "integer", default: 0, override: "targetCpuPercent", description: "Override: autoscaling target in average CPU percent. 0 = the tier's value." },
    { key: "serviceMilliCpu", type: "integer", default: 0, override: "serviceMilliCpu", description: "Override: vCPU per replica in thousandths (250 = 0.25 vCPU). 0 = the tier's value." },
    { key: "serviceMemoryMiB", type: "integer", default: 0, override: "serviceMemoryMiB", description: "Override: memory per replica in MiB. 0 = the tier's value." },
    { key: "dbVcpu", type: "integer", default: 0, override: "dbVcpu", description: "Override: database vCPU. 0 = the tier's value." },
    { key: "dbMemoryGiB", type: "integer", default: 0, override: "dbMemoryGiB", description: "Override: database memory in GiB. 0 = the tier's value." },
    { key: "dbStorageGiB", type: "integer", default: 0, override: "dbStorageGiB", description: "Override: database storage in GiB. 0 = the tier's value." },
    { key: "dbInstanceClass", type: "string", default: "", override: "dbInstanceClass", description: "Override: a database class of the chosen cloud (e.g. db.t4g.medium on AWS); replaces dbVcpu/dbMemoryGiB. Empty = chosen from the tier." },
    { key: "cacheMemoryMiB", type: "integer", default: 0, override: "cacheMemoryMiB", description: "Override: cache memory per node in MiB. 0 = the tier's value." },
    { key: "cacheNodeType", type: "string", default: "", override: "cacheNodeType", description: "Override: a cache node type of the chosen cloud (e.g. cache.t4g.small on AWS); replaces cacheMemoryMiB. Empty = chosen from the tier." },
    { key: "logRetentionDays", type: "integer", default: 0, override: "logRetentionDays", description: "Override: days logs are kept. 0 = the tier's value." },
];

/** Where an override's problem is reported: the stack config key users set. */
export function overrideKey(field: keyof TierOverrides): string {
    return `${PROJECT}:${field}`;
}

function requireInt(field: keyof TierOverrides, value: number, min: number, max: number): void {
    if (!Number.isInteger(value) || value < min || value > max) {
        throw new ConfigError(overrideKey(field), `must be a whole number from ${min} to ${max}, got ${value}`);
    }
}

/**
 * The tier's spec with the overrides applied and checked for what no cloud can
 * honour (negative sizes, min above max). Cloud-specific limits (valid Fargate
 * pairs, existing classes) are checked by each cloud's sizing module.
 */
export function resolveTier(tier: TierName, overrides: TierOverrides = {}): TierSpec {
    if (!(TIER_NAMES as readonly string[]).includes(tier)) {
        throw new ConfigError(`${PROJECT}:tier`, `unknown tier "${tier}"; allowed values: ${formatChoices(TIER_NAMES)}`);
    }
    const spec = tierSpec(tier);
    const o = overrides;
    if (o.minReplicas !== undefined) { requireInt("minReplicas", o.minReplicas, 1, 100); spec.service.minReplicas = o.minReplicas; }
    if (o.maxReplicas !== undefined) { requireInt("maxReplicas", o.maxReplicas, 1, 100); spec.service.maxReplicas = o.maxReplicas; }
    if (spec.service.minReplicas > spec.service.maxReplicas) {
        const field = o.maxReplicas !== undefined ? "maxReplicas" : "minReplicas";
        throw new ConfigError(overrideKey(field), `minReplicas (${spec.service.minReplicas}) is above maxReplicas (${spec.service.maxReplicas}); set maxReplicas to at least ${spec.service.minReplicas}`);
    }
    if (o.targetCpuPercent !== undefined) { requireInt("targetCpuPercent", o.targetCpuPercent, 10, 95); spec.service.targetCpuPercent = o.targetCpuPercent; }
    if (o.serviceMilliCpu !== undefined) { requireInt("serviceMilliCpu", o.serviceMilliCpu, 1, 64000); spec.service.milliCpu = o.serviceMilliCpu; }
    if (o.serviceMemoryMiB !== undefined) { requireInt("serviceMemoryMiB", o.serviceMemoryMiB, 128, 512 * 1024); spec.service.memoryMiB = o.serviceMemoryMiB; }
    if (o.dbVcpu !== undefined) { requireInt("dbVcpu", o.dbVcpu, 1, 128); spec.database.vcpu = o.dbVcpu; }
    if (o.dbMemoryGiB !== undefined) { requireInt("dbMemoryGiB", o.dbMemoryGiB, 1, 4096); spec.database.memoryGiB = o.dbMemoryGiB; }
    if (o.dbStorageGiB !== undefined) { requireInt("dbStorageGiB", o.dbStorageGiB, 1, 65536); spec.database.storageGiB = o.dbStorageGiB; }
    if (o.cacheMemoryMiB !== undefined) { requireInt("cacheMemoryMiB", o.cacheMemoryMiB, 1, 1024 * 1024); spec.cache.memoryMiB = o.cacheMemoryMiB; }
    if (o.logRetentionDays !== undefined) { requireInt("logRetentionDays", o.logRetentionDays, 1, 3653); spec.logRetentionDays = o.logRetentionDays; }
    return spec;
}
