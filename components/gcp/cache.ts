/**
 * SessionCache on GCP: Memorystore for Redis on private services access (no
 * public endpoint), AUTH on, in-transit encryption (SERVER_AUTHENTICATION, so
 * the port is 6378 and clients verify the instance's CA), encrypted at rest by
 * Google. BASIC (one node) where the tier has no HA; STANDARD_HA (automatic
 * failover to a replica in another zone) otherwise, with read replicas mode
 * when the tier asks for more than one replica. The AUTH string comes from the
 * instance's own `authString` output and is kept in Secret Manager.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { gcpSizing, redisSku } from "../../sizing/gcp";
import { Scope } from "../base";
import { CacheImpl, CacheInput } from "../contract";
import { CacheSummary } from "../types";
import { secretWithValue } from "./common";
import { GcpNetwork } from "./network";

export const REDIS_VERSION = "REDIS_7_2";

export interface GcpCache extends CacheImpl {
    instance: gcp.redis.Instance;
}

/** The Memorystore instance inputs the summary is computed from. */
export interface MemorystoreSummaryInputs {
    tier: string;
    memorySizeGb: number;
    replicaCount: number;
    readReplicasMode: string;
    authEnabled: boolean;
    transitEncryptionMode: string;
    connectMode: string;
}

export function summarizeMemorystore(i: MemorystoreSummaryInputs): CacheSummary {
    const standard = i.tier === "STANDARD_HA";
    return {
        cloud: "gcp",
        engine: "redis",
        sku: redisSku(i.tier, i.memorySizeGb),
        memoryMiB: i.memorySizeGb * 1024,
        highAvailability: standard,
        // STANDARD_HA always has one failover replica; read replicas mode holds replicaCount of them.
        replicas: standard ? (i.readReplicasMode === "READ_REPLICAS_ENABLED" ? i.replicaCount : 1) : 0,
        tls: i.transitEncryptionMode === "SERVER_AUTHENTICATION",
        // Memorystore always encrypts data at rest (Google-managed keys).
        encryptedAtRest: true,
        authRequired: i.authEnabled,
        // Private services access / direct peering: Memorystore has no public endpoint in either mode.
        publicAccess: false,
    };
}

export function createCache(scope: Scope, { network, spec, overrides }: CacheInput<GcpNetwork>): GcpCache {
    const net = network;
    const { project, region } = net.location;
    const sizing = gcpSizing(spec, overrides);

    const instance = scope.child(
        "instance",
        gcp.redis.Instance,
        {
            project,
            region,
            tier: sizing.cacheTier,
            memorySizeGb: sizing.cacheMemoryGb,
            redisVersion: REDIS_VERSION,
            authorizedNetwork: net.network.id,
            connectMode: "PRIVATE_SERVICE_ACCESS",
            reservedIpRange: net.privateRangeName,
            authEnabled: true,
            transitEncryptionMode: "SERVER_AUTHENTICATION",
            replicaCount: sizing.cacheReplicas,
            readReplicasMode: sizing.cacheReadReplicas ? "READ_REPLICAS_ENABLED" : "READ_REPLICAS_DISABLED",
            // Session state and rate-limit counters are rebuilt by clients; no persistence needed.
            persistenceConfig: { persistenceMode: "DISABLED" },
            redisConfigs: { "maxmemory-policy": "volatile-lru" },
            maintenancePolicy: { weeklyMaintenanceWindows: [{ day: "SUNDAY", startTime: { hours: 4, minutes: 0, seconds: 0, nanos: 0 } }] },
            labels: { "mcp-infra": "sessions" },
        },
        { dependsOn: [net.privateServices] },
    );

    const caCert = instance.serverCaCerts.apply((certs) => certs?.[0]?.cert ?? "");
    const url = pulumi
        .all([instance.host, instance.port, instance.authString])
        .apply(([host, port, token]) => `rediss://:${encodeURIComponent(token)}@${host}:${port}`);
    const auth = secretWithValue(
        scope,
        "auth",
        pulumi
            .all([instance.host, instance.port, instance.authString, url, caCert])
            .apply(([host, port, token, u, ca]) => JSON.stringify({ host, port, token, url: u, caCert: ca })),
        "Session cache AUTH string, CA certificate and connection URL (operators)",
        { dependsOn: net.apis },
    );
    const urlSecret = secretWithValue(scope, "url", url, "REDIS_URL of the MCP server", { dependsOn: net.apis });

    const used = scope.inputs<gcp.redis.InstanceArgs>("instance");
    const summary = pulumi
        .all([
            used.tier,
            used.memorySizeGb,
            used.replicaCount,
            used.readReplicasMode,
            used.authEnabled,
            used.transitEncryptionMode,
            used.connectMode,
        ])
        .apply(([tier, gb, replicas, mode, authOn, transit, connect]) =>
            summarizeMemorystore({
                tier: String(tier ?? "BASIC"),
                memorySizeGb: Number(gb),
                replicaCount: Number(replicas ?? 0),
                readReplicasMode: String(mode ?? "READ_REPLICAS_DISABLED"),
                authEnabled: Boolean(authOn),
                transitEncryptionMode: String(transit ?? "DISABLED"),
                connectMode: String(connect ?? "DIRECT_PEERING"),
            }),
        );

    return {
        endpoint: instance.host,
        port: instance.port,
        authSecret: { id: auth.id },
        urlSecret: { id: urlSecret.id },
        caCertificate: caCert,
        summary,
        instance,
        resources: { instance, auth, urlSecret },
    };
}
