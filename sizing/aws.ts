/**
 * AWS SKU mapping: neutral sizes to Fargate task sizes, RDS classes and
 * ElastiCache node types, honouring each service's real constraints.
 * Pure functions and tables; no provider import.
 */
import { ConfigError, formatChoices, nearest } from "./errors";
import { CacheMode, CpuArchitecture, overrideKey, TierOverrides } from "./overrides";
import { SecretStore, TierSpec, TlsProfile, WafRuleLayout } from "./tiers";

/** Valid Fargate (Linux) CPU units and the memory sizes (MiB) each allows. */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
    256: [512, 1024, 2048],
    512: range(1024, 4096, 1024),
    1024: range(2048, 8192, 1024),
    2048: range(4096, 16384, 1024),
    4096: range(8192, 30720, 1024),
    8192: range(16384, 61440, 4096),
    16384: range(32768, 122880, 8192),
};

function range(from: number, to: number, step: number): number[] {
    const out: number[] = [];
    for (let v = from; v <= to; v += step) out.push(v);
    return out;
}

export interface InstanceClass {
    name: string;
    vcpu: number;
    memoryGiB: number;
    burstable: boolean;
}

/** RDS for PostgreSQL classes on Graviton (available in every commercial region). */
export const RDS_CLASSES: readonly InstanceClass[] = [
    ...[
        ["micro", 2, 1],
        ["small", 2, 2],
        ["medium", 2, 4],
        ["large", 2, 8],
        ["xlarge", 4, 16],
        ["2xlarge", 8, 32],
    ].map(([size, vcpu, mem]) => ({ name: `db.t4g.${size}`, vcpu: vcpu as number, memoryGiB: mem as number, burstable: true })),
    ...[
        ["large", 2, 8],
        ["xlarge", 4, 16],
        ["2xlarge", 8, 32],
        ["4xlarge", 16, 64],
        ["8xlarge", 32, 128],
        ["12xlarge", 48, 192],
        ["16xlarge", 64, 256],
    ].map(([size, vcpu, mem]) => ({ name: `db.m7g.${size}`, vcpu: vcpu as number, memoryGiB: mem as number, burstable: false })),
    ...[
        ["large", 2, 16],
        ["xlarge", 4, 32],
        ["2xlarge", 8, 64],
        ["4xlarge", 16, 128],
        ["8xlarge", 32, 256],
        ["12xlarge", 48, 384],
        ["16xlarge", 64, 512],
    ].map(([size, vcpu, mem]) => ({ name: `db.r7g.${size}`, vcpu: vcpu as number, memoryGiB: mem as number, burstable: false })),
];

export interface NodeType {
    name: string;
    /** Memory available to the cache engine, MiB (AWS's published figure). */
    memoryMiB: number;
    burstable: boolean;
}

/** ElastiCache node types (Graviton) with their published memory. */
export const CACHE_NODE_TYPES: readonly NodeType[] = (
    [
        ["cache.t4g.micro", 0.5, true],
        ["cache.t4g.small", 1.37, true],
        ["cache.t4g.medium", 3.09, true],
        ["cache.m7g.large", 6.38, false],
        ["cache.m7g.xlarge", 12.93, false],
        ["cache.m7g.2xlarge", 26.04, false],
        ["cache.m7g.4xlarge", 52.26, false],
        ["cache.m7g.8xlarge", 103.68, false],
        ["cache.r7g.large", 13.07, false],
        ["cache.r7g.xlarge", 26.32, false],
        ["cache.r7g.2xlarge", 52.82, false],
        ["cache.r7g.4xlarge", 105.81, false],
        ["cache.r7g.8xlarge", 209.55, false],
        ["cache.r7g.12xlarge", 317.77, false],
        ["cache.r7g.16xlarge", 419.09, false],
    ] as const
).map(([name, gib, burstable]) => ({ name, memoryMiB: Math.round(gib * 1024), burstable }));

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** RDS gp3 storage limits for PostgreSQL, GiB. */
export const RDS_STORAGE_GIB = { min: 20, max: 65536 } as const;

/** ALB security policies: TLS 1.2 and 1.3, forward-secret AEAD ciphers only for `restricted`. */
export const ALB_TLS_POLICIES: Readonly<Record<TlsProfile, string>> = {
    modern: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    restricted: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
};

/**
 * The replicas' CPU architecture when the stack does not set `cpuArchitecture`: Graviton, about 20 % cheaper
 * per vCPU-hour and GB-hour on Fargate than x86_64. The bundled image is built for it; your own image
 * (`image`) must be built for linux/arm64 (or be multi-platform), or set cpuArchitecture to x86_64.
 */
export const AWS_DEFAULT_CPU_ARCHITECTURE: CpuArchitecture = "arm64";

/** Fargate's `runtimePlatform.cpuArchitecture` for each neutral architecture. */
export const FARGATE_CPU_ARCHITECTURES: Readonly<Record<CpuArchitecture, "ARM64" | "X86_64">> = { arm64: "ARM64", x86_64: "X86_64" };

/** The Docker build platform of the bundled image for each neutral architecture. */
export const DOCKER_PLATFORMS: Readonly<Record<CpuArchitecture, string>> = { arm64: "linux/arm64", x86_64: "linux/amd64" };

/**
 * The only TLS security policy API Gateway offers HTTP API custom domains (TLS 1.2 minimum; the default
 * execute-api endpoint uses the same). It matches the `modern` profile; nothing on an HTTP API matches
 * `restricted`, so a tier with that profile needs the loadBalancer edge.
 */
export const HTTP_API_TLS_POLICIES: Readonly<Partial<Record<TlsProfile, string>>> = { modern: "TLS_1_2" };

/** API Gateway's ceiling for an HTTP API integration: a request that takes longer gets 504 (HTTP APIs also buffer, never stream, responses). */
export const HTTP_API_MAX_TIMEOUT_MS = 30_000;

/**
 * Stage-wide throttling of the pay-per-request edge (all clients together, not per client IP): about what one
 * 0.25 vCPU replica serves, and a bound on what a flood can cost (100 requests/s is at most $0.36 an hour at
 * $1 per million). Change it with the edge's `stage` transform.
 */
export const HTTP_API_THROTTLE = { rateLimitPerSecond: 100, burstLimit: 200 } as const;

/**
 * The managed cache's mode when the stack does not set `cacheMode`: ElastiCache Serverless for Valkey for a
 * burstable managed cache (prod). It is Multi-AZ by design, bills the data stored (100 MB minimum, about
 * $6 a month) and ECPUs instead of two nodes (about $37), and runs in cluster mode: the server connects with
 * REDIS_CLUSTER=true. Dedicated-compute caches (enterprise) keep nodes for predictable latency.
 */
export function awsDefaultCacheMode(spec: TierSpec): CacheMode {
    return spec.cache.store === "managed" && spec.cache.compute === "burstable" ? "serverless" : "nodes";
}

/** A serverless cache's data-storage ceiling (GB, whole, at least 1): the tier's cache memory, so a runaway cannot bill beyond it. */
export function serverlessCacheMaxGb(memoryMiB: number): number {
    return Math.max(1, Math.ceil(memoryMiB / 1024));
}

/**
 * ECS Container Insights when the stack does not set `containerInsights`: on only for the tier built for
 * 99.99 % (enterprise). It bills about 37 CloudWatch custom metrics per service (about $11 a month); no
 * promise of the other tiers needs it: CPU and memory per service are free ECS metrics, and replicas below
 * the minimum show in the load balancer's free HealthyHostCount.
 */
export function awsDefaultContainerInsights(spec: TierSpec): boolean {
    return spec.availabilityTarget >= 99.99;
}

export interface AwsSizing {
    /** Fargate task CPU units (1024 = 1 vCPU). */
    taskCpu: number;
    /** Fargate task memory, MiB. */
    taskMemoryMiB: number;
    dbInstanceClass: string;
    dbStorageGiB: number;
    cacheNodeType: string;
    logRetentionDays: number;
    /** Availability zones the VPC spans (an ALB and an RDS subnet group need at least two). */
    azCount: number;
    sslPolicy: string;
    /** CPU architecture of the Fargate tasks and of the bundled image. */
    cpuArchitecture: CpuArchitecture;
    /** The API Gateway custom domain's TLS policy, when the edge is payPerRequest. */
    httpApiTlsPolicy?: string;
    /** The managed cache as a replication group (nodes) or ElastiCache Serverless (cluster mode). */
    cacheMode: CacheMode;
    /** Data-storage ceiling of a serverless cache, GB. */
    cacheMaxDataGb: number;
    /** ECS Container Insights on the cluster. */
    containerInsights: boolean;
    /** Secrets Manager (managed) or SSM Parameter Store SecureString (platform). */
    secretStore: SecretStore;
    /** compact: the core managed rule group and the rate rule; separate: one rule per managed group. */
    wafRules: WafRuleLayout;
}

/** The neutral numbers behind an RDS class name. */
export function rdsClass(name: string): InstanceClass {
    const found = RDS_CLASSES.find((c) => c.name === name);
    if (!found)
        throw new ConfigError(
            overrideKey("dbInstanceClass"),
            `unknown RDS class "${name}"; valid classes: ${formatChoices(RDS_CLASSES.map((c) => c.name))}`,
        );
    return found;
}

/** The neutral numbers behind an ElastiCache node type. */
export function cacheNodeType(name: string): NodeType {
    const found = CACHE_NODE_TYPES.find((c) => c.name === name);
    if (!found)
        throw new ConfigError(
            overrideKey("cacheNodeType"),
            `unknown ElastiCache node type "${name}"; valid node types: ${formatChoices(CACHE_NODE_TYPES.map((c) => c.name))}`,
        );
    return found;
}

/** Fargate CPU units and memory for a neutral service size, or a ConfigError naming the nearest valid pair. */
export function fargateSize(milliCpu: number, memoryMiB: number): { cpu: number; memoryMiB: number } {
    const cpu = Math.round((milliCpu * 1024) / 1000);
    const cpus = Object.keys(FARGATE_SIZES).map(Number);
    const memories = FARGATE_SIZES[cpu];
    if (!memories) {
        const near = nearest(cpu, cpus).map((c) => (c * 1000) / 1024);
        throw new ConfigError(
            overrideKey("serviceMilliCpu"),
            `${milliCpu} is not a Fargate CPU size; nearest valid values: ${formatChoices(near)} (valid: ${formatChoices(cpus.map((c) => (c * 1000) / 1024))})`,
        );
    }
    if (!memories.includes(memoryMiB)) {
        throw new ConfigError(
            overrideKey("serviceMemoryMiB"),
            `${memoryMiB} MiB is not valid with ${milliCpu} milli-vCPU on Fargate; nearest valid values: ${formatChoices(nearest(memoryMiB, memories))} (valid: ${formatChoices(memories)})`,
        );
    }
    return { cpu, memoryMiB };
}

/** The smallest RDS class with at least the requested vCPU and memory, burstable first when the tier allows it. */
export function pickRdsClass(spec: TierSpec["database"]): InstanceClass {
    const fits = (c: InstanceClass) => c.vcpu >= spec.vcpu && c.memoryGiB >= spec.memoryGiB;
    const byCost = (a: InstanceClass, b: InstanceClass) => a.vcpu - b.vcpu || a.memoryGiB - b.memoryGiB;
    const families = spec.compute === "burstable" ? [true, false] : [false];
    for (const burstable of families) {
        const candidates = RDS_CLASSES.filter((c) => c.burstable === burstable && fits(c)).sort(byCost);
        if (candidates.length) return candidates[0];
    }
    const largest = [...RDS_CLASSES].sort(byCost).pop()!;
    const key = spec.memoryGiB > largest.memoryGiB ? "dbMemoryGiB" : "dbVcpu";
    throw new ConfigError(
        overrideKey(key),
        `no RDS class has ${spec.vcpu} vCPU and ${spec.memoryGiB} GiB; nearest valid values: ${largest.name} (${largest.vcpu} vCPU, ${largest.memoryGiB} GiB)`,
    );
}

/** The smallest ElastiCache node type with at least the requested memory. */
export function pickCacheNodeType(memoryMiB: number, preferBurstable: boolean): NodeType {
    const fits = CACHE_NODE_TYPES.filter((n) => n.memoryMiB >= memoryMiB).sort((a, b) => a.memoryMiB - b.memoryMiB);
    const choice = (preferBurstable && fits.find((n) => n.burstable)) || fits.find((n) => !n.burstable) || fits[0];
    if (!choice) {
        const sizes = CACHE_NODE_TYPES.map((n) => n.memoryMiB);
        throw new ConfigError(
            overrideKey("cacheMemoryMiB"),
            `no ElastiCache node type has ${memoryMiB} MiB; nearest valid values: ${formatChoices(nearest(memoryMiB, sizes))}`,
        );
    }
    return choice;
}

/**
 * Maps a resolved tier (with overrides) to AWS SKUs. Throws a ConfigError that
 * names the key and the nearest valid values for anything AWS cannot honour.
 */
export function awsSizing(spec: TierSpec, overrides: TierOverrides = {}): AwsSizing {
    const task = fargateSize(spec.service.milliCpu, spec.service.memoryMiB);

    if (overrides.dbInstanceClass && (overrides.dbVcpu !== undefined || overrides.dbMemoryGiB !== undefined)) {
        throw new ConfigError(overrideKey("dbInstanceClass"), "set either dbInstanceClass or dbVcpu/dbMemoryGiB, not both");
    }
    const dbClass = overrides.dbInstanceClass ? rdsClass(overrides.dbInstanceClass) : pickRdsClass(spec.database);

    const storage = spec.database.storageGiB;
    if (storage < RDS_STORAGE_GIB.min || storage > RDS_STORAGE_GIB.max) {
        throw new ConfigError(
            overrideKey("dbStorageGiB"),
            `${storage} GiB is outside RDS gp3 limits; nearest valid values: ${storage < RDS_STORAGE_GIB.min ? RDS_STORAGE_GIB.min : RDS_STORAGE_GIB.max} (valid: ${RDS_STORAGE_GIB.min} to ${RDS_STORAGE_GIB.max})`,
        );
    }

    if (overrides.cacheNodeType && overrides.cacheMemoryMiB !== undefined) {
        throw new ConfigError(overrideKey("cacheNodeType"), "set either cacheNodeType or cacheMemoryMiB, not both");
    }
    const node = overrides.cacheNodeType
        ? cacheNodeType(overrides.cacheNodeType)
        : pickCacheNodeType(spec.cache.memoryMiB, spec.cache.compute === "burstable");
    const cacheMode = overrides.cacheMode ?? (overrides.cacheNodeType ? "nodes" : awsDefaultCacheMode(spec));
    if (cacheMode === "serverless" && overrides.cacheNodeType) {
        throw new ConfigError(
            overrideKey("cacheNodeType"),
            `a serverless cache has no node type; leave cacheNodeType empty or set cacheMode to "nodes"`,
        );
    }

    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(spec.logRetentionDays)) {
        throw new ConfigError(
            overrideKey("logRetentionDays"),
            `${spec.logRetentionDays} is not a CloudWatch Logs retention period; nearest valid values: ${formatChoices(nearest(spec.logRetentionDays, LOG_RETENTION_DAYS))}`,
        );
    }

    const httpApiTlsPolicy = HTTP_API_TLS_POLICIES[spec.edge.tlsProfile];
    if (spec.edge.kind === "payPerRequest" && httpApiTlsPolicy === undefined) {
        throw new ConfigError(
            overrideKey("edgeKind"),
            `API Gateway HTTP APIs offer only the TLS_1_2 policy, not the ${spec.edge.tlsProfile} TLS profile of the ${spec.name} tier; use edgeKind "loadBalancer"`,
        );
    }

    return {
        taskCpu: task.cpu,
        taskMemoryMiB: task.memoryMiB,
        dbInstanceClass: dbClass.name,
        dbStorageGiB: storage,
        cacheNodeType: node.name,
        logRetentionDays: spec.logRetentionDays,
        azCount: Math.max(2, spec.zones),
        sslPolicy: ALB_TLS_POLICIES[spec.edge.tlsProfile],
        cpuArchitecture: overrides.cpuArchitecture ?? AWS_DEFAULT_CPU_ARCHITECTURE,
        httpApiTlsPolicy: spec.edge.kind === "payPerRequest" ? httpApiTlsPolicy : undefined,
        cacheMode,
        cacheMaxDataGb: serverlessCacheMaxGb(spec.cache.memoryMiB),
        containerInsights: overrides.containerInsights ?? awsDefaultContainerInsights(spec),
        secretStore: spec.secretStore,
        wafRules: spec.edge.wafRules,
    };
}
