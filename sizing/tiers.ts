/**
 * The three sizing tiers, cloud-neutral. Every component reads its sizes from
 * here; per-cloud code maps these numbers to SKUs (see `aws.ts`, ...).
 *
 * Reference for the availability targets: the uptime table of seeds/000
 * (99.0 % single server, 99.9 % two servers + HA database, 99.99 % multi-zone).
 */

export const TIER_NAMES = ["dev", "prod", "enterprise"] as const;
export type TierName = (typeof TIER_NAMES)[number];

export const CLOUDS = ["aws", "azure", "gcp", "local"] as const;
export type Cloud = (typeof CLOUDS)[number];

/** How many NAT gateways (or equivalent egress gateways) the network gets. */
export type NatMode = "none" | "single" | "perZone";

/** Edge TLS profile: `modern` = TLS 1.2+ with AEAD ciphers and TLS 1.3; `restricted` = the strictest cipher set each cloud offers on TLS 1.2+. */
export type TlsProfile = "modern" | "restricted";

/**
 * What kind of edge serves the endpoint:
 * `loadBalancer` = a provisioned L7 load balancer billed by the hour (ALB, Application Gateway, global external ALB);
 * `payPerRequest` = an edge billed per request with no hourly charge (API Gateway HTTP API on AWS, the Container Apps
 * environment's own ingress on Azure, Cloud Run's own HTTPS URL on GCP). No WAF, so only for tiers without one.
 */
export type EdgeKind = "loadBalancer" | "payPerRequest";

/**
 * Where per-client state and rate limits live: `managed` = the cloud's Redis-compatible cache shared by all replicas;
 * `embedded` = the server's own memory (only valid with a single replica).
 */
export type SessionStore = "managed" | "embedded";

/** Which managed WAF rule sets the edge applies. */
export type WafRuleSets = "none" | "baseline" | "extended";

/**
 * How the WAF's managed protections are laid out in billed rules (AWS WAF and Cloud Armor bill per rule;
 * Application Gateway's WAF policy has no per-rule charge, so both mean the same there):
 * `compact` = the fewest billed rules that keep managed rules and the per-IP rate limit (Cloud Armor: the
 * preconfigured expressions OR-ed together; AWS WAF, which cannot merge managed rule groups: the core rule set
 * alone); `separate` = one billed rule per managed rule set.
 */
export type WafRuleLayout = "compact" | "separate";

/**
 * Where generated secrets (database password, cache token, API keys) live:
 * `managed` = the cloud's secret manager (Secrets Manager, Key Vault behind a private endpoint, Secret Manager),
 * with rotation and access audit; `platform` = the platform's own encrypted settings at no fixed charge
 * (SSM Parameter Store SecureString on AWS, Container Apps secrets on Azure). GCP has only Secret Manager.
 */
export type SecretStore = "managed" | "platform";

/**
 * How the service reaches the audit log's write-once checkpoint storage where the cloud bills the private
 * route (Azure): `privateEndpoint` = the storage account's public network access off, reached through a
 * private endpoint and its private DNS zone (about $7.80 a month on Azure); `serviceEndpoint` = the storage
 * firewall denies everything but the service's subnet, which reaches it through a free service endpoint
 * (Microsoft.Storage). Entra ID identities only either way (no shared keys). AWS (S3 gateway endpoint) and GCP
 * (Private Google Access) reach their storage privately at no charge, so the choice changes nothing there.
 */
export type AuditStorageAccess = "privateEndpoint" | "serviceEndpoint";

/**
 * How a burstable database size maps to a cloud whose classes for the tier's needs are dedicated vCPUs
 * (Cloud SQL custom machines with HA): `sustained` = enough dedicated vCPUs for what the burstable size
 * sustains (its baseline, BURSTABLE_BASELINE_PER_VCPU of each vCPU); `vcpuCount` = as many dedicated vCPUs as
 * the burstable size has.
 */
export type DbSizing = "sustained" | "vcpuCount";

/**
 * Share of each vCPU a burstable class sustains without spending credits: RDS db.t4g.small and .medium
 * baseline 20 % per vCPU; Azure B2s 40 % of 2 vCPUs (20 % each). A burstable 2-vCPU class therefore sustains
 * 0.4 vCPU, less than one dedicated vCPU.
 */
export const BURSTABLE_BASELINE_PER_VCPU = 0.2;

/** Dedicated vCPUs that sustain at least what a database size sustains (whole vCPUs). */
export function sustainedVcpu(db: { compute: "burstable" | "standard"; vcpu: number }): number {
    return db.compute === "burstable" ? Math.max(1, Math.ceil(db.vcpu * BURSTABLE_BASELINE_PER_VCPU)) : db.vcpu;
}

export interface ServiceSize {
    /** Replicas always running. */
    minReplicas: number;
    /** Upper bound for autoscaling. */
    maxReplicas: number;
    /** Average CPU utilisation (percent) the autoscaler keeps replicas at. */
    targetCpuPercent: number;
    /** vCPU per replica, in thousandths (250 = a quarter vCPU). */
    milliCpu: number;
    /** Memory per replica in MiB. */
    memoryMiB: number;
    /**
     * On platforms billed per request (Cloud Run, Container Apps) the service may scale to zero replicas when idle;
     * the first request after an idle period pays a cold start. Fargate keeps minReplicas running.
     */
    scaleToZero: boolean;
}

export interface DatabaseSize {
    /** `burstable` (credit-based) or `standard` (dedicated) compute. */
    compute: "burstable" | "standard";
    vcpu: number;
    memoryGiB: number;
    storageGiB: number;
    /** A synchronous standby in another zone with automatic failover. */
    highAvailability: boolean;
    backupRetentionDays: number;
    pointInTimeRestore: boolean;
    deletionProtection: boolean;
    /** Read replicas beside the primary (and its standby). */
    readReplicas: number;
    /** How a burstable size maps onto dedicated vCPUs where the tier's needs leave no burstable class. */
    sizing: DbSizing;
}

export interface CacheSize {
    /** Managed cache, or the server's own memory for a single replica. */
    store: SessionStore;
    /** `burstable` (credit-based) or `standard` (dedicated) nodes. */
    compute: "burstable" | "standard";
    /** Usable memory per node in MiB. */
    memoryMiB: number;
    /** Automatic failover to a replica in another zone. */
    highAvailability: boolean;
    /** Replica nodes beside the primary. */
    replicas: number;
    /** TLS between the server and the cache. Always on in every tier. */
    tls: true;
}

export interface EdgeSize {
    kind: EdgeKind;
    tlsProfile: TlsProfile;
    /** Minimum TLS version accepted at the edge. */
    minTlsVersion: "1.2";
    waf: WafRuleSets;
    /** How the managed rule sets are laid out in billed WAF rules. */
    wafRules: WafRuleLayout;
    /** Requests per minute allowed from one client IP before the edge blocks it; null = no edge rate limit. */
    rateLimitPerMinute: number | null;
    /** Seconds an idle client connection is kept open (long enough for streamed MCP responses). */
    idleTimeoutSeconds: number;
}

/** The audit log's checkpoints to write-once storage (see docs/audit.md). */
export interface AuditAnchoring {
    /**
     * Days each checkpoint object stays write-once and undeletable: S3 Object Lock default
     * retention (compliance mode), the Azure immutability period, the GCS retention policy.
     */
    anchorRetentionDays: number;
    /** The server writes a checkpoint this often (MCP_AUDIT_CHECKPOINT_INTERVAL_S)... */
    checkpointIntervalSeconds: number;
    /** ...and as soon as this many entries are not yet anchored (MCP_AUDIT_CHECKPOINT_ENTRIES). */
    checkpointEntries: number;
    /** How the service reaches the checkpoint storage (a cost only on Azure). */
    storageAccess: AuditStorageAccess;
}

/**
 * What the operations signals alert on (sizing/alerts.ts turns these into the signals every cloud
 * and the local stack declare). Windows are minutes every cloud can evaluate: 1, 5, 15, 30 or 60.
 */
export interface AlertThresholds {
    /** Minutes an error, latency or saturation signal must hold, minute after minute, before it alerts. */
    windowMinutes: number;
    /** Minutes an availability signal (replicas down, dependency unreachable, uptime check failing) must hold. */
    availabilityWindowMinutes: number;
    /** Edge 5xx responses, percent of all responses. */
    errorRatePercent: number;
    /** 95th percentile request latency, milliseconds. */
    p95LatencyMs: number;
    /** Service CPU, percent of what a replica is given. */
    serviceCpuPercent: number;
    /** Service memory, percent of what a replica is given. */
    serviceMemoryPercent: number;
    /** Database CPU, percent. */
    databaseCpuPercent: number;
    /** Alert when the database's free storage falls below this percent of its size. */
    databaseFreeStoragePercent: number;
    /** Read replica lag, seconds (only where a read replica exists). */
    replicaLagSeconds: number;
    /** Cache memory used, percent of the cache's maximum. */
    cacheMemoryPercent: number;
    /** Locations the external uptime check probes `/health` from. */
    uptimeLocations: number;
    /** Probe locations that must see `/health` fail before the uptime check alerts. */
    uptimeFailingLocations: number;
    /** Seconds between two probes from one location (each cloud takes the nearest period it offers at or below this). */
    uptimeIntervalSeconds: number;
    /** Minutes the newest audit checkpoint may age before it counts as late (the export checkpoints several times within it). */
    auditCheckpointMaxAgeMinutes: number;
}

export interface TierSpec {
    name: TierName;
    /** Availability the topology is designed for, in percent. */
    availabilityTarget: number;
    /** Zones the service replicas and the data tier's standbys spread across. */
    zones: number;
    nat: NatMode;
    service: ServiceSize;
    database: DatabaseSize;
    cache: CacheSize;
    edge: EdgeSize;
    /** Days application logs are kept. */
    logRetentionDays: number;
    /** Where generated secrets live. */
    secretStore: SecretStore;
    audit: AuditAnchoring;
    /** Alert thresholds and windows. */
    alerts: AlertThresholds;
}

export const TIERS: Readonly<Record<TierName, TierSpec>> = {
    dev: {
        name: "dev",
        availabilityTarget: 99.0,
        zones: 1,
        // Replicas reach the internet without a NAT gateway (public IP on AWS, the platform's own egress elsewhere).
        nat: "none",
        // One replica keeps its state in memory (no managed cache) and scales to zero where billed per request.
        service: { minReplicas: 1, maxReplicas: 1, targetCpuPercent: 70, milliCpu: 250, memoryMiB: 512, scaleToZero: true },
        database: {
            compute: "burstable",
            vcpu: 1,
            memoryGiB: 1,
            storageGiB: 20,
            highAvailability: false,
            backupRetentionDays: 1,
            pointInTimeRestore: true,
            deletionProtection: false,
            readReplicas: 0,
            sizing: "sustained",
        },
        cache: { store: "embedded", compute: "burstable", memoryMiB: 512, highAvailability: false, replicas: 0, tls: true },
        edge: {
            kind: "payPerRequest",
            tlsProfile: "modern",
            minTlsVersion: "1.2",
            waf: "none",
            wafRules: "compact",
            rateLimitPerMinute: null,
            idleTimeoutSeconds: 300,
        },
        logRetentionDays: 7,
        // No rotation or access audit needed for a development stack: the platform's encrypted settings.
        secretStore: "platform",
        // A day: enough to try verification, nothing to keep.
        // The storage firewall admits the service's subnet through a free service endpoint (no private endpoint).
        audit: { anchorRetentionDays: 1, checkpointIntervalSeconds: 60, checkpointEntries: 1000, storageAccess: "serviceEndpoint" },
        // 99.0 %: about 7 hours of downtime a month; looser thresholds, slower uptime probes, nobody paged by default.
        alerts: {
            windowMinutes: 15,
            availabilityWindowMinutes: 5,
            errorRatePercent: 5,
            p95LatencyMs: 1000,
            serviceCpuPercent: 90,
            serviceMemoryPercent: 90,
            databaseCpuPercent: 90,
            databaseFreeStoragePercent: 10,
            replicaLagSeconds: 60,
            cacheMemoryPercent: 90,
            uptimeLocations: 3,
            uptimeFailingLocations: 2,
            uptimeIntervalSeconds: 900,
            auditCheckpointMaxAgeMinutes: 120,
        },
    },
    prod: {
        name: "prod",
        availabilityTarget: 99.9,
        zones: 2,
        nat: "single",
        service: { minReplicas: 2, maxReplicas: 6, targetCpuPercent: 60, milliCpu: 500, memoryMiB: 1024, scaleToZero: false },
        database: {
            compute: "burstable",
            vcpu: 2,
            memoryGiB: 2,
            storageGiB: 50,
            highAvailability: true,
            backupRetentionDays: 7,
            pointInTimeRestore: true,
            deletionProtection: true,
            readReplicas: 0,
            sizing: "sustained",
        },
        cache: { store: "managed", compute: "burstable", memoryMiB: 1024, highAvailability: true, replicas: 1, tls: true },
        edge: {
            kind: "loadBalancer",
            tlsProfile: "modern",
            minTlsVersion: "1.2",
            waf: "baseline",
            wafRules: "compact",
            rateLimitPerMinute: 600,
            idleTimeoutSeconds: 300,
        },
        logRetentionDays: 30,
        secretStore: "managed",
        // A year of audit history that no one, the administrator included, can delete.
        audit: { anchorRetentionDays: 365, checkpointIntervalSeconds: 60, checkpointEntries: 1000, storageAccess: "privateEndpoint" },
        // 99.9 %: 43 minutes a month; detection within 5 minutes (the seeds' signals and thresholds).
        alerts: {
            windowMinutes: 5,
            availabilityWindowMinutes: 1,
            errorRatePercent: 1,
            p95LatencyMs: 500,
            serviceCpuPercent: 80,
            serviceMemoryPercent: 85,
            databaseCpuPercent: 80,
            databaseFreeStoragePercent: 15,
            replicaLagSeconds: 30,
            cacheMemoryPercent: 80,
            uptimeLocations: 3,
            uptimeFailingLocations: 2,
            uptimeIntervalSeconds: 60,
            auditCheckpointMaxAgeMinutes: 30,
        },
    },
    enterprise: {
        name: "enterprise",
        availabilityTarget: 99.99,
        zones: 3,
        nat: "perZone",
        service: { minReplicas: 3, maxReplicas: 12, targetCpuPercent: 60, milliCpu: 1000, memoryMiB: 2048, scaleToZero: false },
        database: {
            compute: "standard",
            vcpu: 2,
            memoryGiB: 8,
            storageGiB: 100,
            highAvailability: true,
            backupRetentionDays: 30,
            pointInTimeRestore: true,
            deletionProtection: true,
            readReplicas: 1,
            sizing: "sustained",
        },
        cache: { store: "managed", compute: "standard", memoryMiB: 6144, highAvailability: true, replicas: 2, tls: true },
        edge: {
            kind: "loadBalancer",
            tlsProfile: "restricted",
            minTlsVersion: "1.2",
            waf: "extended",
            wafRules: "separate",
            rateLimitPerMinute: 600,
            idleTimeoutSeconds: 300,
        },
        logRetentionDays: 90,
        secretStore: "managed",
        // Seven years (7 x 365 days), the usual retention of financial and compliance records.
        audit: { anchorRetentionDays: 2555, checkpointIntervalSeconds: 60, checkpointEntries: 1000, storageAccess: "privateEndpoint" },
        // 99.99 %: 4.3 minutes a month; the same thresholds, probed from more places, checkpoints watched closer.
        alerts: {
            windowMinutes: 5,
            availabilityWindowMinutes: 1,
            errorRatePercent: 1,
            p95LatencyMs: 500,
            serviceCpuPercent: 80,
            serviceMemoryPercent: 85,
            databaseCpuPercent: 80,
            databaseFreeStoragePercent: 15,
            replicaLagSeconds: 30,
            cacheMemoryPercent: 80,
            uptimeLocations: 5,
            uptimeFailingLocations: 2,
            uptimeIntervalSeconds: 60,
            auditCheckpointMaxAgeMinutes: 15,
        },
    },
};

/** A deep copy of a tier's spec, safe to modify. */
export function tierSpec(name: TierName): TierSpec {
    return structuredClone(TIERS[name]) as TierSpec;
}

/**
 * Tiers whose edge answers /mcp over HTTPS only: they promise TLS 1.2+, and API keys travel in a
 * header. EdgeLB refuses such an edge without a domain; the policy pack's edge-https-only checks it.
 */
export const HTTPS_ONLY_TIERS: readonly TierName[] = ["prod", "enterprise"];

/**
 * Tiers that keep network and edge traffic logs: VPC/VNet/subnet flow logs and the edge's access
 * logs (ALB to S3, API Gateway stage to CloudWatch Logs, Application Gateway to Log Analytics,
 * the global load balancer's request logs), each kept for the tier's `logRetentionDays`.
 * dev keeps none: every one of them bills per GB.
 */
export const TRAFFIC_LOG_TIERS: readonly TierName[] = ["prod", "enterprise"];

/** Whether a tier keeps flow and edge access logs (TRAFFIC_LOG_TIERS). */
export function keepsTrafficLogs(spec: Pick<TierSpec, "name">): boolean {
    return TRAFFIC_LOG_TIERS.includes(spec.name);
}
