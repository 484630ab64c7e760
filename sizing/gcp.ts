/**
 * GCP SKU mapping: neutral sizes to Cloud Run CPU / memory limits, Cloud SQL
 * machine tiers and Memorystore for Redis sizes, honouring each service's
 * real constraints. Pure functions and tables; no provider import.
 *
 * Tolerances against the tier table (the nearest larger valid size wins when a
 * TIER value has no exact GCP equivalent; an explicit OVERRIDE must be valid
 * as given, else a ConfigError names the key and the nearest valid values):
 * - Cloud Run: below 1 vCPU Cloud Run forces concurrency 1, request-based
 *   billing and the first-generation environment. A server that must hold
 *   several concurrent MCP requests (and Direct VPC egress on gen2) cannot run
 *   that way, so dev's 0.25 vCPU (4x) and prod's 0.5 vCPU (2x) become 1 vCPU.
 * - Cloud SQL: a burstable tier without HA or read replicas (dev) runs on the
 *   smallest shared-core machine holding the tier's memory: db-g1-small (a
 *   0.5 vCPU share that bursts to one vCPU for short periods, 1.7 GB, so 1.7x
 *   the memory). It is the burstable class of Cloud SQL, as db.t4g.micro is
 *   RDS's; it carries no SLA, but a zonal instance has none to lose (the Cloud
 *   SQL SLA excludes shared-core and single-zone instances alike,
 *   cloud.google.com/sql/sla). The summary reports its 0.5 vCPU.
 *   db-custom-1-3840 (a dedicated vCPU) stays one override away
 *   (dbInstanceClass). Every other tier gets the smallest custom machine:
 *   custom machines need at least 3.75 GiB (3840 MiB). A burstable size is
 *   mapped by what it sustains, not by its vCPU count (`dbSizing: sustained`,
 *   see sqlSizeFor): prod's 2 burstable vCPUs sustain 0.4 vCPU, so its HA
 *   instance is db-custom-1-3840 (one dedicated vCPU, 1.9x the memory);
 *   `dbSizing: vcpuCount` gives db-custom-2-3840. Shared-core machines are
 *   refused where the tier asks for HA.
 * - Memorystore: sizes are whole GB from 1, so a 512 MiB cache becomes 1 GB.
 * - CPU architecture: Cloud Run runs linux/amd64 containers only, so the
 *   replicas are x86_64 and an arm64 override is refused.
 * - Backups: Cloud SQL keeps N daily backups, its point-in-time window
 *   (transaction logs) is at most 7 days on the Enterprise edition, and N must
 *   exceed that window: dev keeps 2 backups (tier 1 day, 1-day PITR), prod 8
 *   (tier 7, 7-day PITR), enterprise 30 (7-day PITR, then daily backups).
 */
import { ConfigError, formatChoices, nearest } from "./errors";
import { overrideKey, TierOverrides } from "./overrides";
import { sustainedVcpu, TierSpec, TlsProfile, WafRuleLayout } from "./tiers";

// ---- Cloud Run ---------------------------------------------------------------

/**
 * Cloud Run (second generation, concurrency above 1) vCPU sizes in milli-vCPU
 * and the memory range (MiB) each allows. Source: cloud.google.com/run/docs/
 * configuring/services/cpu and .../memory-limits (gen2 minimum 512 MiB).
 */
export const CLOUD_RUN_SIZES: Readonly<Record<number, { minMiB: number; maxMiB: number }>> = {
    1000: { minMiB: 512, maxMiB: 4096 },
    2000: { minMiB: 512, maxMiB: 8192 },
    4000: { minMiB: 2048, maxMiB: 16384 },
    6000: { minMiB: 4096, maxMiB: 24576 },
    8000: { minMiB: 4096, maxMiB: 32768 },
};
const RUN_CPUS = Object.keys(CLOUD_RUN_SIZES)
    .map(Number)
    .sort((a, b) => a - b);

/** Cloud Run's CPU-utilisation scaling target accepts 10 % to 95 %. */
export const CLOUD_RUN_CPU_TARGET = { min: 10, max: 95 } as const;

/** Cloud Run's `limits.cpu` string for milli-vCPU ("1", "2", ...). */
export function cloudRunCpuLimit(milliCpu: number): string {
    return String(milliCpu / 1000);
}

/** Parses Cloud Run's `limits.cpu` ("1", "2", "1000m") back to milli-vCPU. */
export function parseCloudRunCpu(limit: string): number {
    const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(limit.trim());
    if (!m) throw new Error(`not a Cloud Run CPU limit: "${limit}"`);
    return m[2] === "m" ? Number(m[1]) : Math.round(Number(m[1]) * 1000);
}

/** Parses Cloud Run's `limits.memory` ("512Mi", "2Gi") to MiB. */
export function parseCloudRunMemory(limit: string): number {
    const m = /^(\d+)(Mi|Gi)$/.exec(limit.trim());
    if (!m) throw new Error(`not a Cloud Run memory limit: "${limit}"`);
    return Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
}

/**
 * Cloud Run CPU and memory for a neutral service size. Tier values round up to
 * the nearest valid pair; values the user overrode must be valid as given.
 */
export function cloudRunSize(
    milliCpu: number,
    memoryMiB: number,
    overridden: { cpu?: boolean; memory?: boolean } = {},
): { milliCpu: number; memoryMiB: number } {
    const valid = RUN_CPUS.map((c) => c / 1000);
    if (overridden.cpu && !CLOUD_RUN_SIZES[milliCpu]) {
        throw new ConfigError(
            overrideKey("serviceMilliCpu"),
            `${milliCpu} milli-vCPU is not a Cloud Run size for a concurrent server (below 1 vCPU Cloud Run forces concurrency 1; above 1 only whole vCPUs); ` +
                `nearest valid values: ${formatChoices(nearest(milliCpu, RUN_CPUS))} (valid: ${formatChoices(RUN_CPUS)}, i.e. ${formatChoices(valid)} vCPU)`,
        );
    }
    const cpuCandidates = overridden.cpu ? [milliCpu] : RUN_CPUS.filter((c) => c >= milliCpu);
    const maxMemory = CLOUD_RUN_SIZES[RUN_CPUS[RUN_CPUS.length - 1]].maxMiB;
    if (!cpuCandidates.length) {
        throw new ConfigError(
            overrideKey("serviceMilliCpu"),
            `${milliCpu} milli-vCPU is above Cloud Run's largest size; nearest valid values: ${RUN_CPUS[RUN_CPUS.length - 1]}`,
        );
    }
    if (overridden.memory) {
        const range = CLOUD_RUN_SIZES[cpuCandidates[0]];
        const fits = cpuCandidates.find((c) => memoryMiB >= CLOUD_RUN_SIZES[c].minMiB && memoryMiB <= CLOUD_RUN_SIZES[c].maxMiB);
        if (fits === undefined) {
            const near = overridden.cpu ? nearest(memoryMiB, [range.minMiB, range.maxMiB]) : nearest(memoryMiB, [512, maxMemory]);
            throw new ConfigError(
                overrideKey("serviceMemoryMiB"),
                `${memoryMiB} MiB is not valid with ${overridden.cpu ? `${milliCpu} milli-vCPU` : "any Cloud Run vCPU size"} on Cloud Run (gen2); ` +
                    `nearest valid values: ${formatChoices(near.filter((v) => v >= 512 && v <= maxMemory))} (valid: ${formatChoices(RUN_CPUS.map((c) => `${c}: ${CLOUD_RUN_SIZES[c].minMiB}-${CLOUD_RUN_SIZES[c].maxMiB}`))})`,
            );
        }
        return { milliCpu: fits, memoryMiB };
    }
    for (const cpu of cpuCandidates) {
        const { minMiB, maxMiB } = CLOUD_RUN_SIZES[cpu];
        if (memoryMiB <= maxMiB) return { milliCpu: cpu, memoryMiB: Math.max(memoryMiB, minMiB) };
    }
    const key = overridden.cpu ? "serviceMilliCpu" : "serviceMemoryMiB";
    throw new ConfigError(
        overrideKey(key),
        `no Cloud Run size has ${milliCpu} milli-vCPU and ${memoryMiB} MiB; nearest valid values: ${RUN_CPUS[RUN_CPUS.length - 1]} milli-vCPU with up to ${maxMemory} MiB`,
    );
}

// ---- Cloud SQL ---------------------------------------------------------------

export interface SqlTier {
    name: string;
    vcpu: number;
    memoryGiB: number;
    sharedCore: boolean;
}

/** Shared-core tiers (Enterprise edition only, no SLA); vCPU is the share of one core (each bursts to one vCPU for short periods). */
export const SQL_SHARED_CORE: readonly SqlTier[] = [
    { name: "db-f1-micro", vcpu: 0.2, memoryGiB: 0.6, sharedCore: true },
    { name: "db-g1-small", vcpu: 0.5, memoryGiB: 1.7, sharedCore: true },
];

/** A shared core bursts to at most one vCPU: it can stand in for a burstable tier of at most this many vCPU. */
export const SQL_SHARED_CORE_MAX_BURST_VCPU = 1;

/**
 * The shared-core machine for a database size, or undefined when the size
 * needs a dedicated one: only a burstable size without HA or read replicas,
 * of at most one (burst) vCPU, on the smallest shared core holding its memory.
 */
export function sharedCoreSqlTier(db: TierSpec["database"]): SqlTier | undefined {
    if (db.compute !== "burstable" || db.highAvailability || db.readReplicas > 0 || db.vcpu > SQL_SHARED_CORE_MAX_BURST_VCPU)
        return undefined;
    return SQL_SHARED_CORE.find((t) => t.memoryGiB >= db.memoryGiB);
}

/**
 * The database size Cloud SQL is asked for. A burstable size with HA or read
 * replicas cannot run on a shared core (no SLA), so it needs a custom machine
 * with dedicated vCPUs; with `dbSizing: sustained` (the default) it gets as
 * many as the burstable size sustains (BURSTABLE_BASELINE_PER_VCPU of each
 * vCPU, rounded up: prod's 2 burstable vCPUs sustain 0.4, so one dedicated
 * vCPU, db-custom-1-3840), with `vcpuCount` as many as it has. A vCPU count
 * the user set (dbVcpu) is taken as given.
 */
export function sqlSizeFor(db: TierSpec["database"], overrides: TierOverrides = {}): TierSpec["database"] {
    if (db.compute !== "burstable" || db.sizing !== "sustained" || overrides.dbVcpu !== undefined || sharedCoreSqlTier(db)) return db;
    return { ...db, vcpu: sustainedVcpu(db) };
}

/** Cloud SQL custom machine limits: vCPU 1 or even up to 96; 0.9-6.5 GiB per vCPU in 256 MiB steps, at least 3840 MiB. */
export const SQL_CUSTOM = { maxVcpu: 96, minMiBPerVcpu: 0.9 * 1024, maxMiBPerVcpu: 6.5 * 1024, stepMiB: 256, minMiB: 3840 } as const;

/** Cloud SQL SSD storage limits, GB. */
export const SQL_STORAGE_GB = { min: 10, max: 65536 } as const;

/** Enterprise edition keeps transaction logs (point-in-time window) for at most 7 days. */
export const SQL_MAX_PITR_DAYS = 7;

/**
 * Retained daily backups and point-in-time window (days) for the tier's backup
 * days. Cloud SQL rejects a backup count that is not above the transaction log
 * days ("backup retention should be > transaction log retention"), so the count
 * is raised by one where needed: dev's 1 day keeps 2 backups, prod's 7 keeps 8.
 */
export function sqlBackups(days: number): { retainedBackups: number; pitrDays: number } {
    const pitrDays = Math.min(SQL_MAX_PITR_DAYS, Math.max(1, days));
    return { retainedBackups: Math.max(days, pitrDays + 1), pitrDays };
}

export const SQL_VCPUS: readonly number[] = [1, ...Array.from({ length: SQL_CUSTOM.maxVcpu / 2 }, (_, i) => (i + 1) * 2)];

function customMemoryRange(vcpu: number): { min: number; max: number } {
    const step = SQL_CUSTOM.stepMiB;
    const min = Math.max(SQL_CUSTOM.minMiB, Math.ceil((vcpu * SQL_CUSTOM.minMiBPerVcpu) / step) * step);
    const max = Math.floor((vcpu * SQL_CUSTOM.maxMiBPerVcpu) / step) * step;
    return { min, max };
}

/** Why a custom machine shape is invalid, or undefined when it is valid. */
function customProblem(vcpu: number, memoryMiB: number): string | undefined {
    if (!SQL_VCPUS.includes(vcpu))
        return `${vcpu} vCPU is not a Cloud SQL custom size (1 or an even number up to 96); nearest valid values: ${formatChoices(nearest(vcpu, SQL_VCPUS))}`;
    const { min, max } = customMemoryRange(vcpu);
    if (memoryMiB % SQL_CUSTOM.stepMiB !== 0 || memoryMiB < min || memoryMiB > max) {
        const lower = Math.floor(memoryMiB / SQL_CUSTOM.stepMiB) * SQL_CUSTOM.stepMiB;
        const near = [...new Set([Math.min(Math.max(lower, min), max), Math.min(Math.max(lower + SQL_CUSTOM.stepMiB, min), max)])];
        return `${memoryMiB} MiB is not valid with ${vcpu} vCPU (${min} to ${max} MiB in ${SQL_CUSTOM.stepMiB} MiB steps); nearest valid values: ${formatChoices(near)} MiB`;
    }
    return undefined;
}

/** The neutral numbers behind a Cloud SQL tier name (shared-core or db-custom-<vCPU>-<MiB>). */
export function sqlTier(name: string): SqlTier {
    const shared = SQL_SHARED_CORE.find((t) => t.name === name);
    if (shared) return shared;
    const m = /^db-custom-(\d+)-(\d+)$/.exec(name);
    if (!m) {
        throw new ConfigError(
            overrideKey("dbInstanceClass"),
            `unknown Cloud SQL tier "${name}"; valid tiers: ${formatChoices(SQL_SHARED_CORE.map((t) => t.name))} or db-custom-<vCPU>-<MiB> such as db-custom-2-7680`,
        );
    }
    const vcpu = Number(m[1]);
    const memoryMiB = Number(m[2]);
    const problem = customProblem(vcpu, memoryMiB);
    if (problem) throw new ConfigError(overrideKey("dbInstanceClass"), `"${name}": ${problem}`);
    return { name, vcpu, memoryGiB: memoryMiB / 1024, sharedCore: false };
}

/**
 * The Cloud SQL machine for a database size: a shared core where
 * `sharedCoreSqlTier` allows one and the user set no size, else the smallest
 * custom machine with at least the tier's vCPU and memory. Values the user
 * overrode (dbVcpu, dbMemoryGiB) must be valid as given, on a custom machine.
 */
export function pickSqlTier(db: TierSpec["database"], overridden: { vcpu?: boolean; memory?: boolean } = {}): SqlTier {
    const shared = overridden.vcpu || overridden.memory ? undefined : sharedCoreSqlTier(db);
    if (shared) return shared;
    if (overridden.vcpu && !SQL_VCPUS.includes(db.vcpu)) {
        throw new ConfigError(
            overrideKey("dbVcpu"),
            `${db.vcpu} is not a Cloud SQL custom vCPU count; nearest valid values: ${formatChoices(nearest(db.vcpu, SQL_VCPUS))}`,
        );
    }
    const wantMiB = db.memoryGiB * 1024;
    const vcpus = overridden.vcpu ? [db.vcpu] : SQL_VCPUS.filter((v) => v >= db.vcpu);
    for (const vcpu of vcpus) {
        const { min, max } = customMemoryRange(vcpu);
        if (overridden.memory) {
            if (wantMiB >= min && wantMiB <= max)
                return { name: `db-custom-${vcpu}-${wantMiB}`, vcpu, memoryGiB: db.memoryGiB, sharedCore: false };
            if (overridden.vcpu || wantMiB < min) {
                const near = nearest(db.memoryGiB, [Math.ceil(min / 1024), Math.floor(max / 1024)]).filter(
                    (g) => g * 1024 >= min && g * 1024 <= max,
                );
                throw new ConfigError(
                    overrideKey("dbMemoryGiB"),
                    `${db.memoryGiB} GiB is not valid with ${vcpu} vCPU on a Cloud SQL custom machine (${min} to ${max} MiB); nearest valid values: ${formatChoices(near)} GiB` +
                        (wantMiB < SQL_CUSTOM.minMiB
                            ? ` (or dbInstanceClass ${formatChoices(SQL_SHARED_CORE.map((t) => t.name))} for a shared core)`
                            : ""),
                );
            }
            continue;
        }
        const memory = Math.max(min, Math.ceil(wantMiB / SQL_CUSTOM.stepMiB) * SQL_CUSTOM.stepMiB);
        if (memory <= max) return { name: `db-custom-${vcpu}-${memory}`, vcpu, memoryGiB: memory / 1024, sharedCore: false };
    }
    throw new ConfigError(
        overrideKey(overridden.vcpu ? "dbVcpu" : "dbMemoryGiB"),
        `no Cloud SQL custom machine has ${db.vcpu} vCPU and ${db.memoryGiB} GiB; nearest valid values: db-custom-96-${customMemoryRange(96).max}`,
    );
}

// ---- Memorystore for Redis -----------------------------------------------------

/** Memorystore for Redis sizes in whole GB; read replicas need at least 5 GB. */
export const REDIS_GB = { min: 1, max: 300, minWithReadReplicas: 5 } as const;
/** Standard tier holds 1 to 5 read replicas (read replicas mode) or exactly 1 failover replica. */
export const REDIS_MAX_REPLICAS = 5;

/** The SKU string of a Memorystore instance: `<tier>-<GB>GB`, e.g. `STANDARD_HA-6GB`. */
export function redisSku(tier: string, gb: number): string {
    return `${tier}-${gb}GB`;
}

/** Parses a cacheNodeType override ("6GB") to GB; BASIC or STANDARD_HA follows the tier's HA. */
export function parseRedisNodeType(name: string): number {
    const m = /^(\d+)GB$/.exec(name.trim());
    const gb = m ? Number(m[1]) : NaN;
    if (!m || gb < REDIS_GB.min || gb > REDIS_GB.max) {
        throw new ConfigError(
            overrideKey("cacheNodeType"),
            `"${name}" is not a Memorystore for Redis size; Memorystore has no node types, only a memory size: use "<GB>GB" from ${REDIS_GB.min}GB to ${REDIS_GB.max}GB (e.g. "5GB")`,
        );
    }
    return gb;
}

/** Memorystore size (GB) for a neutral cache size. */
export function redisMemoryGb(spec: TierSpec["cache"], overrides: TierOverrides): number {
    const readReplicas = spec.replicas > 1;
    let gb: number;
    if (overrides.cacheNodeType) {
        gb = parseRedisNodeType(overrides.cacheNodeType);
    } else if (overrides.cacheMemoryMiB !== undefined) {
        const mib = overrides.cacheMemoryMiB;
        if (mib % 1024 !== 0 || mib / 1024 < REDIS_GB.min || mib / 1024 > REDIS_GB.max) {
            const near = [Math.floor(mib / 1024), Math.ceil(mib / 1024)].map(
                (g) => Math.min(Math.max(g, REDIS_GB.min), REDIS_GB.max) * 1024,
            );
            throw new ConfigError(
                overrideKey("cacheMemoryMiB"),
                `${mib} MiB is not a Memorystore for Redis size (whole GB from ${REDIS_GB.min} to ${REDIS_GB.max}); nearest valid values: ${formatChoices([...new Set(near)])}`,
            );
        }
        gb = mib / 1024;
    } else {
        gb = Math.max(REDIS_GB.min, Math.ceil(spec.memoryMiB / 1024), readReplicas ? REDIS_GB.minWithReadReplicas : 0);
        if (gb > REDIS_GB.max) {
            throw new ConfigError(
                overrideKey("cacheMemoryMiB"),
                `${spec.memoryMiB} MiB is above Memorystore's largest size; nearest valid values: ${REDIS_GB.max * 1024}`,
            );
        }
    }
    if (readReplicas && gb < REDIS_GB.minWithReadReplicas) {
        const key = overrides.cacheNodeType ? "cacheNodeType" : "cacheMemoryMiB";
        throw new ConfigError(
            overrideKey(key),
            `${gb} GB is too small for Memorystore read replicas (this tier has ${spec.replicas}); nearest valid values: ${key === "cacheNodeType" ? `${REDIS_GB.minWithReadReplicas}GB` : REDIS_GB.minWithReadReplicas * 1024}`,
        );
    }
    return gb;
}

// ---- Edge, logs ------------------------------------------------------------------

/** Cloud Armor needs the SSL policy profile; both enforce TLS 1.2 as the minimum. */
export const SSL_POLICY_PROFILES: Readonly<Record<TlsProfile, string>> = { modern: "MODERN", restricted: "RESTRICTED" };

/** Cloud Armor: an advanced match condition holds at most five subexpressions (cloud.google.com/armor/docs/rules-language-reference). */
export const ARMOR_MAX_SUBEXPRESSIONS = 5;

/**
 * The preconfigured WAF rule sets grouped into Cloud Armor rules: `separate`
 * gives one rule per set; `compact` packs them into as few rules as the
 * five-subexpression limit allows (9 sets: 2 rules), each rule's expression
 * the OR of its sets, so every set still denies what it matches.
 */
export function packWafRuleSets(sets: readonly string[], layout: WafRuleLayout): string[][] {
    if (layout === "separate") return sets.map((s) => [s]);
    const out: string[][] = [];
    for (let i = 0; i < sets.length; i += ARMOR_MAX_SUBEXPRESSIONS) out.push(sets.slice(i, i + ARMOR_MAX_SUBEXPRESSIONS));
    return out;
}

/** Cloud Logging custom buckets keep logs 1 to 3650 days. */
export const LOG_RETENTION = { min: 1, max: 3650 } as const;

/** A global external Application LB's HTTP keep-alive timeout accepts 5 to 1200 seconds. */
export const KEEPALIVE_SECONDS = { min: 5, max: 1200 } as const;

/** Cloud Run runs linux/amd64 images only (its container contract's x86_64 ABI). */
export const CLOUD_RUN_ARCHITECTURE = "x86_64" as const;

export interface GcpSizing {
    /** CPU architecture of the replicas (always x86_64 on Cloud Run). */
    cpuArchitecture: typeof CLOUD_RUN_ARCHITECTURE;
    /** Cloud Run `limits.cpu` in milli-vCPU. */
    serviceMilliCpu: number;
    /** Cloud Run `limits.memory` in MiB. */
    serviceMemoryMiB: number;
    dbTier: string;
    dbStorageGb: number;
    /** Retained daily backups (= the tier's backup days). */
    dbRetainedBackups: number;
    /** Point-in-time window, days (at most 7). */
    dbPitrDays: number;
    cacheTier: "BASIC" | "STANDARD_HA";
    cacheMemoryGb: number;
    cacheReplicas: number;
    cacheReadReplicas: boolean;
    logRetentionDays: number;
    sslPolicyProfile: string;
}

/**
 * Maps a resolved tier (with overrides) to GCP SKUs. Throws a ConfigError that
 * names the key and the nearest valid values for anything GCP cannot honour.
 */
export function gcpSizing(spec: TierSpec, overrides: TierOverrides = {}): GcpSizing {
    if (overrides.cpuArchitecture !== undefined && overrides.cpuArchitecture !== CLOUD_RUN_ARCHITECTURE) {
        throw new ConfigError(
            overrideKey("cpuArchitecture"),
            `Cloud Run runs x86_64 (linux/amd64) containers only, so "${overrides.cpuArchitecture}" is not available on GCP; nearest valid values: ${CLOUD_RUN_ARCHITECTURE} (or leave it empty)`,
        );
    }
    const run = cloudRunSize(spec.service.milliCpu, spec.service.memoryMiB, {
        cpu: overrides.serviceMilliCpu !== undefined,
        memory: overrides.serviceMemoryMiB !== undefined,
    });
    if (spec.service.scaleToZero && overrides.minReplicas !== undefined) {
        // Cloud Run's minimum instances would be 0: refuse rather than drop the user's minimum silently.
        throw new ConfigError(
            overrideKey("minReplicas"),
            `${overrides.minReplicas} replicas cannot be kept running while the service scales to zero when idle; set mcp-infra:scaleToZero to false to keep them, or leave minReplicas empty`,
        );
    }
    const target = spec.service.targetCpuPercent;
    if (target < CLOUD_RUN_CPU_TARGET.min || target > CLOUD_RUN_CPU_TARGET.max) {
        throw new ConfigError(
            overrideKey("targetCpuPercent"),
            `Cloud Run accepts ${CLOUD_RUN_CPU_TARGET.min} to ${CLOUD_RUN_CPU_TARGET.max}; nearest valid values: ${target < CLOUD_RUN_CPU_TARGET.min ? CLOUD_RUN_CPU_TARGET.min : CLOUD_RUN_CPU_TARGET.max}`,
        );
    }

    if (overrides.dbInstanceClass && (overrides.dbVcpu !== undefined || overrides.dbMemoryGiB !== undefined)) {
        throw new ConfigError(overrideKey("dbInstanceClass"), "set either dbInstanceClass or dbVcpu/dbMemoryGiB, not both");
    }
    if (overrides.secretStore === "platform") {
        throw new ConfigError(
            overrideKey("secretStore"),
            `Cloud Run has no secret store of its own: secrets live in Secret Manager (about $0.06 per secret a month); allowed values on GCP: managed (or leave it empty)`,
        );
    }
    const dbTier = overrides.dbInstanceClass
        ? sqlTier(overrides.dbInstanceClass)
        : pickSqlTier(sqlSizeFor(spec.database, overrides), {
              vcpu: overrides.dbVcpu !== undefined,
              memory: overrides.dbMemoryGiB !== undefined,
          });
    if (dbTier.sharedCore && spec.database.highAvailability) {
        // Shared-core instances are allowed with REGIONAL, but carry no SLA: refuse them where the tier promises HA.
        throw new ConfigError(
            overrideKey("dbInstanceClass"),
            `shared-core ${dbTier.name} has no SLA and cannot back a highly available tier; nearest valid values: db-custom-1-3840 or db-custom-2-3840`,
        );
    }
    const storage = spec.database.storageGiB;
    if (storage < SQL_STORAGE_GB.min || storage > SQL_STORAGE_GB.max) {
        throw new ConfigError(
            overrideKey("dbStorageGiB"),
            `${storage} GB is outside Cloud SQL SSD limits; nearest valid values: ${storage < SQL_STORAGE_GB.min ? SQL_STORAGE_GB.min : SQL_STORAGE_GB.max} (valid: ${SQL_STORAGE_GB.min} to ${SQL_STORAGE_GB.max})`,
        );
    }

    if (overrides.cacheNodeType && overrides.cacheMemoryMiB !== undefined) {
        throw new ConfigError(overrideKey("cacheNodeType"), "set either cacheNodeType or cacheMemoryMiB, not both");
    }
    const cache = spec.cache;
    if (cache.replicas > REDIS_MAX_REPLICAS) {
        throw new ConfigError(
            overrideKey("cacheNodeType"),
            `Memorystore holds at most ${REDIS_MAX_REPLICAS} replicas; this tier asks for ${cache.replicas}`,
        );
    }
    const cacheMemoryGb = redisMemoryGb(cache, overrides);

    const days = spec.logRetentionDays;
    if (days < LOG_RETENTION.min || days > LOG_RETENTION.max) {
        throw new ConfigError(
            overrideKey("logRetentionDays"),
            `Cloud Logging buckets keep logs ${LOG_RETENTION.min} to ${LOG_RETENTION.max} days; nearest valid values: ${days < LOG_RETENTION.min ? LOG_RETENTION.min : LOG_RETENTION.max}`,
        );
    }

    return {
        cpuArchitecture: CLOUD_RUN_ARCHITECTURE,
        serviceMilliCpu: run.milliCpu,
        serviceMemoryMiB: run.memoryMiB,
        dbTier: dbTier.name,
        dbStorageGb: storage,
        dbRetainedBackups: sqlBackups(spec.database.backupRetentionDays).retainedBackups,
        dbPitrDays: sqlBackups(spec.database.backupRetentionDays).pitrDays,
        cacheTier: cache.highAvailability && cache.replicas > 0 ? "STANDARD_HA" : "BASIC",
        cacheMemoryGb,
        cacheReplicas: cache.highAvailability ? Math.max(1, cache.replicas) : 0,
        cacheReadReplicas: cache.highAvailability && cache.replicas > 1,
        logRetentionDays: days,
        sslPolicyProfile: SSL_POLICY_PROFILES[spec.edge.tlsProfile],
    };
}
