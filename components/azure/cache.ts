/**
 * SessionCache on Azure: Azure Managed Redis (a `redisEnterprise` cluster with
 * a Balanced SKU and one database), TLS only (clientProtocol Encrypted, TLS
 * 1.2+), access-key auth, public network access disabled and reached through
 * a private endpoint registered in `privatelink.redis.azure.net`; HA (a
 * replica in another zone) where the tier wants it. The access key and a
 * ready `rediss://` URL live only in Key Vault (secretStore managed), or only
 * in Pulumi's encrypted state and the Container App (platform; ./private.ts).
 */
import * as redisenterprise from "@pulumi/azure-native/redisenterprise";
import * as pulumi from "@pulumi/pulumi";
import { azureSizing, redisSku } from "../../sizing/azure";
import { Scope } from "../base";
import { CacheImpl, CacheInput } from "../contract";
import { CacheSummary } from "../types";
import { AzureNetwork, REDIS_PORT } from "./network";
import { AzureSecret, createPrivateEndpoint, privateZone, storeSecret } from "./private";

export const CACHE_ENGINE = "redis";
/** Azure Managed Redis clusters hold one database, always named `default`. */
export const DATABASE_NAME = "default";

export interface AzureCache extends CacheImpl {
    cluster: redisenterprise.RedisEnterprise;
    database: redisenterprise.Database;
    /** urlSecret as stored (in the vault, the service is granted read on it alone). */
    urlStored: AzureSecret;
}

/** The cluster and database inputs the summary is computed from. */
export interface ManagedRedisSummaryInputs {
    skuName: string;
    highAvailability: string;
    clientProtocol: string;
    minimumTlsVersion: string;
    accessKeysAuthentication: string;
    publicNetworkAccess: string;
}

export function summarizeManagedRedis(i: ManagedRedisSummaryInputs): CacheSummary {
    const ha = i.highAvailability === "Enabled";
    return {
        cloud: "azure",
        engine: CACHE_ENGINE,
        sku: i.skuName,
        memoryMiB: redisSku(i.skuName).memoryMiB,
        highAvailability: ha,
        // With HA, Azure Managed Redis keeps one replica of every shard on another node (and zone).
        replicas: ha ? 1 : 0,
        tls: i.clientProtocol === "Encrypted" && i.minimumTlsVersion === "1.2",
        // Azure Managed Redis always encrypts its disks (persistence, OS) with platform-managed keys.
        encryptedAtRest: true,
        authRequired: i.accessKeysAuthentication === "Enabled",
        publicAccess: i.publicNetworkAccess !== "Disabled",
    };
}

export function createCache(scope: Scope, { network, spec, overrides }: CacheInput<AzureNetwork>): AzureCache {
    const net = network;
    const sizing = azureSizing(spec, overrides);
    const resourceGroupName = net.resourceGroupName;

    const cluster = scope.child("cluster", redisenterprise.RedisEnterprise, {
        resourceGroupName,
        sku: { name: sizing.cacheSku },
        highAvailability: spec.cache.highAvailability ? "Enabled" : "Disabled",
        minimumTlsVersion: "1.2",
        publicNetworkAccess: "Disabled",
    });
    const database = scope.child("database", redisenterprise.Database, {
        resourceGroupName,
        clusterName: cluster.name,
        databaseName: DATABASE_NAME,
        clientProtocol: "Encrypted",
        port: REDIS_PORT,
        clusteringPolicy: "EnterpriseCluster",
        evictionPolicy: "VolatileLRU",
        accessKeysAuthentication: "Enabled",
    });

    const dns = privateZone(scope, "dns", "privatelink.redis.azure.net", resourceGroupName, net.vnet);
    const endpoint = createPrivateEndpoint(scope, "endpoint", {
        resourceGroupName,
        subnetId: net.subnets.endpoints.id,
        targetId: cluster.id,
        groupId: "redisEnterprise",
        zoneId: dns.zone.id,
    });

    const keys = redisenterprise.listDatabaseKeysOutput(
        { resourceGroupName, clusterName: cluster.name, databaseName: database.id.apply(() => DATABASE_NAME) },
        { parent: scope.parent },
    );
    const host = cluster.hostName;
    const key = pulumi.secret(keys.primaryKey);
    const auth = storeSecret(scope, "auth", {
        resourceGroupName,
        vaultName: net.vaultName,
        name: "cache-auth",
        contentType: "application/json",
        value: pulumi.all([host, key]).apply(([h, k]) => JSON.stringify({ host: h, port: REDIS_PORT, token: k })),
    });
    const url = storeSecret(scope, "url", {
        resourceGroupName,
        vaultName: net.vaultName,
        name: "cache-url",
        contentType: "text/plain",
        value: pulumi.all([host, key]).apply(([h, k]) => `rediss://:${encodeURIComponent(k)}@${h}:${REDIS_PORT}`),
    });

    const c = scope.inputs<redisenterprise.RedisEnterpriseArgs>("cluster");
    const d = scope.inputs<redisenterprise.DatabaseArgs>("database");
    const summary = pulumi
        .all([c.sku, c.highAvailability, d.clientProtocol, c.minimumTlsVersion, d.accessKeysAuthentication, c.publicNetworkAccess])
        .apply(([sku, ha, protocol, tlsMin, accessKeys, publicAccess]) =>
            summarizeManagedRedis({
                skuName: String(sku.name),
                highAvailability: String(ha ?? "Enabled"),
                clientProtocol: String(protocol ?? "Encrypted"),
                minimumTlsVersion: String(tlsMin ?? "1.2"),
                accessKeysAuthentication: String(accessKeys ?? "Disabled"),
                publicNetworkAccess: String(publicAccess),
            }),
        );

    return {
        endpoint: host,
        port: pulumi.output(REDIS_PORT),
        authSecret: auth.ref,
        urlSecret: url.ref,
        summary,
        cluster,
        database,
        urlStored: url,
        resources: {
            cluster,
            database,
            privateEndpoint: endpoint.endpoint,
            privateDnsZone: dns.zone,
            ...(auth.vaultSecret ? { auth: auth.vaultSecret, url: url.vaultSecret } : {}),
        },
    };
}
