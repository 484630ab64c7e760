/**
 * Parity: for each tier, every available cloud provisions the same service
 * level, read from each component's summary (computed from the resources it
 * created), and each meets the tier table.
 *
 * Tolerances, where a cloud has no exact SKU (the nearest larger one wins):
 * - every size is at least the tier's figure and at most TOLERANCE[field]
 *   times it. 2x is the general bound; wider bounds, each for a named reason:
 *   - replica vCPU 4x: Cloud Run below 1 vCPU forces concurrency 1 and the
 *     first-generation environment, unusable for concurrent MCP calls, so
 *     dev's 0.25 vCPU runs on 1 vCPU on GCP;
 *   - database memory 4x: Cloud SQL custom machines start at 3840 MiB (dev's
 *     1 GiB becomes 3.75 GiB on GCP), and Azure PostgreSQL has no zone-redundant
 *     HA on Burstable SKUs, so prod's 2 vCPU / 2 GiB becomes D2ds_v5 (8 GiB);
 *   - database vCPU down to 0.5x for a burstable tier without HA (dev): Cloud
 *     SQL's shared-core db-g1-small (a 0.5 vCPU share bursting to one vCPU) is
 *     the class under $30 a month; Cloud SQL's SLA excludes zonal instances anyway;
 *   - database vCPU by sustained capacity for a burstable tier with HA (prod):
 *     a burstable class sustains BURSTABLE_BASELINE_PER_VCPU (20 %) of each
 *     vCPU without credits (RDS db.t4g.small: 2 vCPU at 20 % = 0.4 vCPU), so
 *     where HA needs dedicated vCPUs the size is the sustained figure rounded
 *     up to whole vCPUs (sustainedVcpu: prod 2 x 0.2 = 0.4, so 1). The mapping:
 *       tier (burstable)   AWS (burstable)       Azure (HA needs GP)   GCP (HA needs custom)
 *       dev  1 vCPU/1 GiB  db.t4g.micro 2 vCPU   B1ms 1 vCPU           db-g1-small 0.5 shared
 *       prod 2 vCPU/2 GiB  db.t4g.small 2 vCPU   D2ds_v5 2 dedicated   db-custom-1-3840 1 dedicated
 *     (Azure's smallest General Purpose SKU has 2 vCPUs; with dbSizing
 *     "vcpuCount" GCP takes db-custom-2-3840);
 *   - cache memory 4x: Memorystore sizes are whole GB and Azure Managed Redis
 *     SKUs step in powers of two.
 * - log retention and backup retention: at least the tier's figure (Azure Log
 *   Analytics keeps 30 days at minimum; Azure PostgreSQL keeps 7 days of backups
 *   at minimum).
 * - cache replicas: HA tiers need at least one replica in another zone; a cloud
 *   whose managed Redis fixes the replica count may differ from the tier's.
 * - scale to zero: where the tier allows it, platforms billed per request
 *   (Container Apps, Cloud Run) scale to zero when idle and report minReplicas 0;
 *   Fargate keeps the tier's minReplicas running.
 * - replica public IP: AWS without a NAT gateway (natGateways "none", dev) gives
 *   each task a public IPv4 for its outbound calls; its security group admits
 *   traffic only from the edge. Azure and GCP replicas egress through the
 *   platform without a public address.
 * - arm64 replicas where the cloud runs them (Fargate on Graviton), x86_64 elsewhere.
 * Everything else (replica counts, zones, HA, point-in-time restore, deletion
 * protection, read replicas, TLS, encryption, public access, WAF, edge rate
 * limit, redirect) must be equal across clouds and equal to the tier.
 */
import * as assert from "node:assert/strict";
import { AVAILABLE_CLOUDS, cloudDescriptor } from "../components/registry";
import { DeploymentSummary } from "../components/types";
import { listStacks, runStack } from "../scripts/harness";
import { sustainedVcpu, TIERS, TIER_NAMES, TierSpec } from "../sizing";

const TOLERANCE = { replicaCpu: 4, replicaMemory: 2, dbVcpu: 2, dbMemory: 4, dbStorage: 2, cacheMemory: 4 } as const;

function within(actual: number, wanted: number, factor: number, what: string) {
    assert.ok(actual >= wanted, `${what}: ${actual} is below the tier's ${wanted}`);
    assert.ok(actual <= wanted * factor, `${what}: ${actual} is more than ${factor}x the tier's ${wanted}`);
}

/** The fields that must be identical on every cloud. */
function exactFields(s: DeploymentSummary) {
    const c = s.cache;
    return {
        maxReplicas: s.cluster.maxReplicas,
        targetCpuPercent: s.cluster.targetCpuPercent,
        zones: s.cluster.zones,
        dbHa: s.database.highAvailability,
        pitr: s.database.pointInTimeRestore,
        deletionProtection: s.database.deletionProtection,
        readReplicas: s.database.readReplicas,
        dbEncrypted: s.database.encryptedAtRest,
        dbTls: s.database.tlsRequired,
        dbPublic: s.database.publicAccess,
        cache: c && { ha: c.highAvailability, tls: c.tls, encrypted: c.encryptedAtRest, auth: c.authRequired, public: c.publicAccess },
        edgeKind: s.edge.kind,
        edgeTls: s.edge.tls,
        redirect: s.edge.httpRedirect,
        waf: s.edge.waf,
        rateLimit: s.edge.rateLimitPerMinute,
        healthPath: s.edge.healthPath,
    };
}

function meetsTier(s: DeploymentSummary, t: TierSpec, hasDomain: boolean) {
    const where = `${s.cloud} ${t.name}`;
    const https = hasDomain || t.edge.kind === "payPerRequest";
    assert.deepEqual(
        exactFields(s),
        {
            maxReplicas: t.service.maxReplicas,
            targetCpuPercent: t.service.targetCpuPercent,
            zones: t.zones,
            dbHa: t.database.highAvailability,
            pitr: t.database.pointInTimeRestore,
            deletionProtection: t.database.deletionProtection,
            readReplicas: t.database.readReplicas,
            dbEncrypted: true,
            dbTls: true,
            dbPublic: false,
            cache:
                t.cache.store === "embedded"
                    ? null
                    : { ha: t.cache.highAvailability, tls: true, encrypted: true, auth: true, public: false },
            edgeKind: t.edge.kind,
            edgeTls: https ? t.edge.tlsProfile : "none",
            redirect: https,
            waf: t.edge.waf !== "none",
            rateLimit: t.edge.rateLimitPerMinute,
            healthPath: "/health",
        },
        where,
    );
    const cloud = cloudDescriptor(s.cloud);
    const toZero = t.service.scaleToZero && cloud.scalesToZero;
    assert.equal(s.cluster.scalesToZero, toZero, `${where} scales to zero`);
    assert.equal(s.cluster.minReplicas, toZero ? 0 : t.service.minReplicas, `${where} min replicas`);
    assert.equal(s.cluster.publicIp, cloud.natNone === "publicIp" && t.nat === "none", `${where} replica public IP`);
    assert.equal(s.cluster.cpuArchitecture, cloud.defaultCpuArchitecture, `${where} CPU architecture`);
    within(s.cluster.milliCpu, t.service.milliCpu, TOLERANCE.replicaCpu, `${where} vCPU per replica`);
    within(s.cluster.memoryMiB, t.service.memoryMiB, TOLERANCE.replicaMemory, `${where} memory per replica`);
    assert.ok(s.cluster.logRetentionDays >= t.logRetentionDays, `${where} log retention`);
    // A burstable database without HA may run on a shared core (Cloud SQL db-g1-small: a 0.5 vCPU share bursting to 1);
    // with HA it may run on the dedicated vCPUs that sustain what the burstable size sustains (sustainedVcpu).
    const burstable = t.database.compute === "burstable";
    const shared = burstable && !t.database.highAvailability && t.database.readReplicas === 0;
    const lowest = shared ? t.database.vcpu * 0.5 : burstable ? Math.min(t.database.vcpu, sustainedVcpu(t.database)) : t.database.vcpu;
    assert.ok(s.database.vcpu >= lowest, `${where} database vCPU: ${s.database.vcpu} is below ${lowest} (the tier's sustained capacity)`);
    assert.ok(
        s.database.vcpu <= t.database.vcpu * TOLERANCE.dbVcpu,
        `${where} database vCPU: ${s.database.vcpu} is more than ${TOLERANCE.dbVcpu}x the tier's ${t.database.vcpu}`,
    );
    within(s.database.memoryGiB, t.database.memoryGiB, TOLERANCE.dbMemory, `${where} database memory`);
    within(s.database.storageGiB, t.database.storageGiB, TOLERANCE.dbStorage, `${where} database storage`);
    assert.ok(s.database.backupRetentionDays >= t.database.backupRetentionDays, `${where} backup retention`);
    if (s.cache) {
        within(s.cache.memoryMiB, t.cache.memoryMiB, TOLERANCE.cacheMemory, `${where} cache memory`);
        if (t.cache.highAvailability) assert.ok(s.cache.replicas >= 1, `${where} cache replicas`);
        else assert.equal(s.cache.replicas, 0, `${where} cache replicas`);
    }
}

describe("parity between clouds", () => {
    const stacks = listStacks();
    for (const tier of TIER_NAMES) {
        const clouds = AVAILABLE_CLOUDS.filter((c) => c !== "local" && stacks.includes(`${tier}-${c}`));
        it(`${tier}: ${clouds.join(", ")} provision the same service level and meet the tier`, async () => {
            assert.ok(clouds.length >= 1);
            const runs = [];
            for (const c of clouds) runs.push(await runStack(`${tier}-${c}`)); // one mocked program at a time
            for (const run of runs) meetsTier(run.outputs.summary, TIERS[tier], Boolean(run.config["mcp-infra:domain"]));
            const first = exactFields(runs[0].outputs.summary);
            for (const run of runs.slice(1)) assert.deepEqual(exactFields(run.outputs.summary), first, `${run.stack} vs ${runs[0].stack}`);
        });
    }
});
