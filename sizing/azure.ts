/**
 * Azure SKU mapping: neutral sizes to Container Apps CPU/memory pairs,
 * PostgreSQL Flexible Server SKUs and storage sizes, Azure Managed Redis
 * (Balanced) SKUs, Log Analytics retention and Application Gateway TLS
 * policies, honouring each service's real constraints.
 * Pure functions and tables; no provider import.
 *
 * Tolerances against the tier table (Azure has no exact SKU, so the nearest
 * larger one wins; the summaries report what was really provisioned):
 * - Log Analytics (PerGB2018) keeps logs 30 to 730 days: dev's 7 days becomes 30.
 * - PostgreSQL Flexible Server storage comes in fixed sizes (32, 64, 128 GiB ...):
 *   dev 20 -> 32, prod 50 -> 64, enterprise 100 -> 128 GiB.
 * - PostgreSQL backups are kept 7 to 35 days: dev's 1 day becomes 7.
 * - PostgreSQL Burstable SKUs start at B1ms (1 vCPU, 2 GiB) and support neither
 *   zone-redundant HA nor read replicas: dev (1 vCPU, 1 GiB) gets B1ms (2 GiB);
 *   prod (burstable, 2 vCPU, 2 GiB, HA) must take General Purpose D2ds_v5
 *   (2 vCPU, 8 GiB: 4x the tier's memory, the smallest SKU that has HA).
 * - Azure Managed Redis HA is a fixed primary + replica pair (no replica count):
 *   enterprise's 2 replicas become 1 (zone-redundant in zonal regions).
 * - Application Gateway's backend request timeout honours idleTimeoutSeconds exactly;
 *   the Container Apps ingress (payPerRequest edge) times idle requests out after
 *   240 s (configurable only with a dedicated ingress profile), below the tier's 300 s.
 * - Container Apps runs linux/amd64 only: replicas are x86_64, and an explicit
 *   `cpuArchitecture: arm64` is refused rather than silently ignored.
 */
import { ConfigError, formatChoices, nearest } from "./errors";
import { CpuArchitecture, overrideKey, TierOverrides } from "./overrides";
import { AuditStorageAccess, EdgeKind, NatMode, SecretStore, TierSpec, TlsProfile } from "./tiers";

/** Container Apps (Consumption profile) vCPU sizes in thousandths; memory is always 2 GiB per vCPU. */
export const CONTAINER_APP_MILLI_CPU: readonly number[] = Array.from({ length: 16 }, (_, i) => (i + 1) * 250);

/** The only memory (MiB) Container Apps' Consumption profile allows with a given vCPU. */
export function containerAppMemoryFor(milliCpu: number): number {
    return (milliCpu * 2048) / 1000;
}

export interface PostgresSku {
    name: string;
    tier: "Burstable" | "GeneralPurpose" | "MemoryOptimized";
    vcpu: number;
    memoryGiB: number;
}

/** PostgreSQL Flexible Server compute SKUs (B-series, Ddsv5, Edsv5). */
export const POSTGRES_SKUS: readonly PostgresSku[] = [
    ...(
        [
            ["B1ms", 1, 2],
            ["B2s", 2, 4],
            ["B2ms", 2, 8],
            ["B4ms", 4, 16],
            ["B8ms", 8, 32],
            ["B12ms", 12, 48],
            ["B16ms", 16, 64],
            ["B20ms", 20, 80],
        ] as const
    ).map(([n, vcpu, mem]) => ({ name: `Standard_${n}`, tier: "Burstable" as const, vcpu, memoryGiB: mem })),
    ...([2, 4, 8, 16, 32, 48, 64, 96] as const).map((vcpu) => ({
        name: `Standard_D${vcpu}ds_v5`,
        tier: "GeneralPurpose" as const,
        vcpu,
        memoryGiB: vcpu * 4,
    })),
    ...([2, 4, 8, 16, 20, 32, 48, 64, 96] as const).map((vcpu) => ({
        name: `Standard_E${vcpu}ds_v5`,
        tier: "MemoryOptimized" as const,
        vcpu,
        memoryGiB: vcpu * 8,
    })),
];

/** PostgreSQL Flexible Server storage sizes (GiB, Premium SSD). */
export const POSTGRES_STORAGE_GIB = [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768] as const;

/** PostgreSQL Flexible Server backup retention limits (days). */
export const POSTGRES_BACKUP_DAYS = { min: 7, max: 35 } as const;

export interface RedisSku {
    name: string;
    /** Memory of the cache in MiB (Azure's published GB figure, read as GiB). */
    memoryMiB: number;
}

/** Azure Managed Redis Balanced SKUs and their memory. */
export const REDIS_SKUS: readonly RedisSku[] = (
    [
        ["Balanced_B0", 0.5],
        ["Balanced_B1", 1],
        ["Balanced_B3", 3],
        ["Balanced_B5", 6],
        ["Balanced_B10", 12],
        ["Balanced_B20", 24],
        ["Balanced_B50", 60],
        ["Balanced_B100", 120],
        ["Balanced_B150", 180],
        ["Balanced_B250", 240],
        ["Balanced_B350", 360],
        ["Balanced_B500", 480],
        ["Balanced_B700", 720],
        ["Balanced_B1000", 960],
    ] as const
).map(([name, gib]) => ({ name, memoryMiB: gib * 1024 }));

/** Log Analytics (PerGB2018) workspace retention limits (days). */
export const LOG_ANALYTICS_RETENTION = { min: 30, max: 730 } as const;

/** Application Gateway predefined TLS policies: TLS 1.2 + 1.3; `S` = the strict cipher set. */
export const APPGW_TLS_POLICIES: Readonly<Record<TlsProfile, string>> = {
    modern: "AppGwSslPolicy20220101",
    restricted: "AppGwSslPolicy20220101S",
};

/** The Container Apps ingress's idle request timeout (seconds) on the Consumption ingress; Application Gateway takes the tier's. */
export const CONTAINER_APPS_INGRESS_IDLE_TIMEOUT_SECONDS = 240;

/** The only CPU architecture Container Apps runs (linux/amd64 images). */
export const CONTAINER_APPS_ARCHITECTURE: CpuArchitecture = "x86_64";

export interface AzureSizing {
    /** Container vCPU (0.25 steps). */
    cpu: number;
    /** Container memory, e.g. `0.5Gi`. */
    memory: string;
    cpuArchitecture: CpuArchitecture;
    dbSku: PostgresSku;
    dbStorageGiB: number;
    dbBackupRetentionDays: number;
    /** Geo-redundant backups: for the tier that also keeps a read replica (enterprise). */
    dbGeoRedundantBackup: boolean;
    cacheSku: string;
    logRetentionDays: number;
    /** Zones the Container Apps environment, the database's standby and the gateway spread across. */
    zoneRedundant: boolean;
    sslPolicy: string;
    /** Application Gateway autoscale minimum (reserved instances, about 10 capacity units each). */
    gatewayMinInstances: number;
    /** NAT gateway for the replicas' egress: `none` unless the stack sets natGateways (see azureNatGateways). */
    natGateways: NatMode;
    /** Key Vault behind a private endpoint (managed) or Container Apps' own secrets (platform). */
    secretStore: SecretStore;
    /** The audit checkpoint storage account behind a private endpoint, or its firewall open to the apps subnet's service endpoint. */
    auditStorageAccess: AuditStorageAccess;
}

/**
 * NAT gateways on Azure when the stack does not set `natGateways`: none, in every tier. The Container Apps
 * environment's egress already leaves through its own managed, zone-redundant public IP; an Azure NAT
 * gateway is a zonal resource (one per subnet), so it would add a single-zone egress point and only buy a
 * static address you own for allow-lists (about $37 a month with its IP). Set natGateways to "single"
 * when a partner must allow-list your egress address.
 */
export function azureNatGateways(overrides: TierOverrides): NatMode {
    return overrides.natGateways ?? "none";
}

/**
 * Replicas Container Apps keeps running. With `scaleToZero` the app runs no
 * replica while idle (no charge) and the HTTP scale rule starts one on the
 * first request (a cold start of a few seconds); otherwise the tier's minimum.
 * Behind Application Gateway (`edgeKind: loadBalancer`) the gateway's health
 * probe reaches the app every 15 s from each of its instances, so the app
 * never idles to zero: the tier's default then yields the tier's minimum, and
 * an explicit `scaleToZero: true` is refused rather than reported but not done.
 */
export function containerAppMinReplicas(spec: TierSpec, edgeKind: EdgeKind = spec.edge.kind, overrides: TierOverrides = {}): number {
    if (!spec.service.scaleToZero) return spec.service.minReplicas;
    if (edgeKind === "loadBalancer") {
        if (overrides.scaleToZero === true) {
            throw new ConfigError(
                overrideKey("scaleToZero"),
                `Container Apps cannot scale to zero behind Application Gateway (edgeKind "loadBalancer"): the gateway's health probe keeps a replica awake; set scaleToZero to false (or leave it unset), or use edgeKind "payPerRequest" on a tier without a WAF`,
            );
        }
        return spec.service.minReplicas;
    }
    return 0;
}

/**
 * Application Gateway v2's autoscale minimum. Every v2 gateway runs at least
 * two instances internally, spread over its zones, even with a minimum of 0
 * (Microsoft: "Scaling Application Gateway v2 and WAF v2"); a minimum above 0
 * only reserves capacity ahead of load, about 10 capacity units per instance,
 * billed whether used or not (about $105 per instance-month on WAF_v2). A new
 * instance takes 3 to 7 minutes, so the tier built for 99.99 % (enterprise)
 * reserves one per zone to absorb a zone's loss and bursts without waiting;
 * the others reserve none and pay for the capacity units they use.
 */
export function appGatewayMinInstances(spec: TierSpec): number {
    return spec.availabilityTarget >= 99.99 ? spec.zones : 0;
}

/**
 * Azure Container Registry tier for the bundled image. Every tier is
 * zone-redundant at no extra cost in regions with zones (Microsoft: "Zone
 * redundancy is enabled by default for all Azure container registries",
 * Basic included), so zones no longer call for Standard. The tiers differ in
 * included storage (10 / 100 GiB) and image throughput: one image of about
 * 0.3 GiB pulled by 2 to 6 replicas is the low-usage case Basic is for
 * (about $5 per month against $20). The tier built for 99.99 % keeps
 * Standard: losing a zone restarts up to a third of its 12 replicas at once,
 * and their pulls must not queue behind Basic's throughput limits.
 */
export function registrySku(spec: TierSpec): "Basic" | "Standard" {
    return spec.availabilityTarget >= 99.99 ? "Standard" : "Basic";
}

/**
 * The choices Azure cannot honour whatever the sizes: arm64 replicas (Container
 * Apps runs linux/amd64 images only).
 */
export function checkAzureChoices(overrides: TierOverrides): void {
    if (overrides.cpuArchitecture !== undefined && overrides.cpuArchitecture !== CONTAINER_APPS_ARCHITECTURE) {
        throw new ConfigError(
            overrideKey("cpuArchitecture"),
            `${overrides.cpuArchitecture} is not available on Azure: Container Apps runs linux/amd64 (x86_64) replicas only; allowed values on Azure: ${CONTAINER_APPS_ARCHITECTURE}`,
        );
    }
}

/**
 * A payPerRequest edge serves the app on its own Azure name
 * (`<app>.<environment domain>`, HTTPS with Azure's certificate). A custom
 * domain there needs a Container Apps managed certificate, which can be issued
 * only after the domain's TXT (`asuid.<domain>`: the environment's
 * verification id) and CNAME records exist, i.e. after the environment does,
 * and binding it in the same deployment relies on the preview `Auto` binding
 * type (open regressions: microsoft/azure-container-apps #1395, #1652). Not
 * verifiable without a live API, so the combination is refused.
 */
export function checkEdgeDomain(spec: TierSpec, domain: string | undefined): void {
    if (domain && spec.edge.kind === "payPerRequest") {
        throw new ConfigError(
            "mcp-infra:domain",
            `"${domain}" cannot be served by Azure's payPerRequest edge (the Container Apps ingress) yet: its managed certificate needs DNS records that exist only after the environment does; leave domain empty (the endpoint is then https://<app>.<environment>.azurecontainerapps.io) or set mcp-infra:edgeKind to "loadBalancer" (Application Gateway with your certificate)`,
        );
    }
}

/** The neutral numbers behind a PostgreSQL Flexible Server SKU name. */
export function postgresSku(name: string): PostgresSku {
    const found = POSTGRES_SKUS.find((s) => s.name === name);
    if (!found)
        throw new ConfigError(
            overrideKey("dbInstanceClass"),
            `unknown PostgreSQL Flexible Server SKU "${name}"; valid SKUs: ${formatChoices(POSTGRES_SKUS.map((s) => s.name))}`,
        );
    return found;
}

/** The neutral numbers behind an Azure Managed Redis SKU name. */
export function redisSku(name: string): RedisSku {
    const found = REDIS_SKUS.find((s) => s.name === name);
    if (!found)
        throw new ConfigError(
            overrideKey("cacheNodeType"),
            `unknown Azure Managed Redis SKU "${name}"; valid SKUs: ${formatChoices(REDIS_SKUS.map((s) => s.name))}`,
        );
    return found;
}

/** Container Apps CPU and memory for a neutral service size, or a ConfigError naming the nearest valid values. */
export function containerAppSize(milliCpu: number, memoryMiB: number): { cpu: number; memory: string } {
    if (!CONTAINER_APP_MILLI_CPU.includes(milliCpu)) {
        throw new ConfigError(
            overrideKey("serviceMilliCpu"),
            `${milliCpu} is not a Container Apps CPU size; nearest valid values: ${formatChoices(nearest(milliCpu, CONTAINER_APP_MILLI_CPU))} (valid: 250 to 4000 in steps of 250)`,
        );
    }
    const memory = containerAppMemoryFor(milliCpu);
    if (memoryMiB !== memory) {
        throw new ConfigError(
            overrideKey("serviceMemoryMiB"),
            `${memoryMiB} MiB is not valid with ${milliCpu} milli-vCPU on Container Apps (2 GiB per vCPU); nearest valid values: ${memory}`,
        );
    }
    return { cpu: milliCpu / 1000, memory: `${memory / 1024}Gi` };
}

/**
 * The smallest PostgreSQL SKU with at least the requested vCPU and memory.
 * Burstable first when the tier allows it and needs neither HA nor replicas
 * (Burstable supports neither).
 */
export function pickPostgresSku(spec: TierSpec["database"]): PostgresSku {
    const needsStandard = spec.highAvailability || spec.readReplicas > 0;
    const fits = (s: PostgresSku) => s.vcpu >= spec.vcpu && s.memoryGiB >= spec.memoryGiB;
    const byCost = (a: PostgresSku, b: PostgresSku) => a.vcpu - b.vcpu || a.memoryGiB - b.memoryGiB;
    const tiers: PostgresSku["tier"][] =
        spec.compute === "burstable" && !needsStandard
            ? ["Burstable", "GeneralPurpose", "MemoryOptimized"]
            : ["GeneralPurpose", "MemoryOptimized"];
    for (const tier of tiers) {
        const candidates = POSTGRES_SKUS.filter((s) => s.tier === tier && fits(s)).sort(byCost);
        if (candidates.length) return candidates[0];
    }
    const largest = [...POSTGRES_SKUS].sort((a, b) => a.memoryGiB - b.memoryGiB).pop()!;
    const key = spec.memoryGiB > largest.memoryGiB ? "dbMemoryGiB" : "dbVcpu";
    throw new ConfigError(
        overrideKey(key),
        `no PostgreSQL Flexible Server SKU has ${spec.vcpu} vCPU and ${spec.memoryGiB} GiB; nearest valid values: ${largest.name} (${largest.vcpu} vCPU, ${largest.memoryGiB} GiB)`,
    );
}

/** The smallest Azure Managed Redis SKU with at least the requested memory. */
export function pickRedisSku(memoryMiB: number): RedisSku {
    const choice = REDIS_SKUS.find((s) => s.memoryMiB >= memoryMiB);
    if (!choice) {
        throw new ConfigError(
            overrideKey("cacheMemoryMiB"),
            `no Azure Managed Redis SKU has ${memoryMiB} MiB; nearest valid values: ${formatChoices(
                nearest(
                    memoryMiB,
                    REDIS_SKUS.map((s) => s.memoryMiB),
                ),
            )}`,
        );
    }
    return choice;
}

/**
 * Maps a resolved tier (with overrides) to Azure SKUs. Throws a ConfigError
 * that names the key and the nearest valid values for anything Azure cannot honour.
 */
export function azureSizing(spec: TierSpec, overrides: TierOverrides = {}): AzureSizing {
    checkAzureChoices(overrides);
    const size = containerAppSize(spec.service.milliCpu, spec.service.memoryMiB);

    if (overrides.dbInstanceClass && (overrides.dbVcpu !== undefined || overrides.dbMemoryGiB !== undefined)) {
        throw new ConfigError(overrideKey("dbInstanceClass"), "set either dbInstanceClass or dbVcpu/dbMemoryGiB, not both");
    }
    const dbSku = overrides.dbInstanceClass ? postgresSku(overrides.dbInstanceClass) : pickPostgresSku(spec.database);
    if (dbSku.tier === "Burstable" && (spec.database.highAvailability || spec.database.readReplicas > 0)) {
        const alt = pickPostgresSku({ ...spec.database, compute: "standard", vcpu: dbSku.vcpu, memoryGiB: dbSku.memoryGiB });
        throw new ConfigError(
            overrideKey("dbInstanceClass"),
            `${dbSku.name} is Burstable, which supports neither high availability nor read replicas (this tier needs them); nearest valid values: ${alt.name}`,
        );
    }

    const wanted = spec.database.storageGiB;
    const storage = POSTGRES_STORAGE_GIB.find((s) => s >= wanted);
    if (storage === undefined) {
        throw new ConfigError(
            overrideKey("dbStorageGiB"),
            `${wanted} GiB is above PostgreSQL Flexible Server's largest disk; nearest valid values: ${POSTGRES_STORAGE_GIB[POSTGRES_STORAGE_GIB.length - 1]} (valid: ${formatChoices(POSTGRES_STORAGE_GIB)})`,
        );
    }
    const backups = Math.min(POSTGRES_BACKUP_DAYS.max, Math.max(POSTGRES_BACKUP_DAYS.min, spec.database.backupRetentionDays));

    if (overrides.cacheNodeType && overrides.cacheMemoryMiB !== undefined) {
        throw new ConfigError(overrideKey("cacheNodeType"), "set either cacheNodeType or cacheMemoryMiB, not both");
    }
    const cache = overrides.cacheNodeType ? redisSku(overrides.cacheNodeType) : pickRedisSku(spec.cache.memoryMiB);

    if (spec.logRetentionDays > LOG_ANALYTICS_RETENTION.max) {
        throw new ConfigError(
            overrideKey("logRetentionDays"),
            `${spec.logRetentionDays} days is above Log Analytics' limit; nearest valid values: ${LOG_ANALYTICS_RETENTION.max} (valid: ${LOG_ANALYTICS_RETENTION.min} to ${LOG_ANALYTICS_RETENTION.max}; shorter periods are raised to ${LOG_ANALYTICS_RETENTION.min})`,
        );
    }

    return {
        cpu: size.cpu,
        memory: size.memory,
        cpuArchitecture: CONTAINER_APPS_ARCHITECTURE,
        dbSku,
        dbStorageGiB: storage,
        dbBackupRetentionDays: backups,
        dbGeoRedundantBackup: spec.database.readReplicas > 0,
        cacheSku: cache.name,
        logRetentionDays: Math.max(LOG_ANALYTICS_RETENTION.min, spec.logRetentionDays),
        zoneRedundant: spec.zones > 1,
        sslPolicy: APPGW_TLS_POLICIES[spec.edge.tlsProfile],
        gatewayMinInstances: appGatewayMinInstances(spec),
        natGateways: azureNatGateways(overrides),
        secretStore: spec.secretStore,
        auditStorageAccess: spec.audit.storageAccess,
    };
}
