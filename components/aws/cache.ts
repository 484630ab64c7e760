/**
 * SessionCache on AWS: an ElastiCache for Valkey replication group in the
 * private subnets with encryption at rest and in transit, an AUTH token from
 * Secrets Manager, and automatic Multi-AZ failover when the tier has replicas;
 * or (`cacheMode: serverless`, prod's default) ElastiCache Serverless for
 * Valkey: Multi-AZ by design, always TLS and encrypted, reached only through
 * its VPC endpoint in the private subnets, access by a user group whose one
 * enabled user's password the server reads; it runs in cluster mode, so the
 * server connects with REDIS_CLUSTER=true.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { awsSizing, cacheNodeType } from "../../sizing/aws";
import { Scope } from "../base";
import { CacheImpl, CacheInput, CACHE_PORT as CONTRACT_CACHE_PORT } from "../contract";
import { CacheSummary } from "../types";
import { AwsNetwork } from "./network";
import { SecretStore } from "../../sizing/tiers";
import { storedSecret } from "./secrets";

export const CACHE_ENGINE = "valkey";
export const CACHE_ENGINE_VERSION = "8.0";
export const CACHE_PORT = CONTRACT_CACHE_PORT;

export interface AwsCache extends CacheImpl {
    securityGroup: aws.ec2.SecurityGroup;
    /** The replication group (cacheMode nodes). */
    replicationGroup?: aws.elasticache.ReplicationGroup;
    /** The serverless cache (cacheMode serverless). */
    serverlessCache?: aws.elasticache.ServerlessCache;
}

/** The serverless cache's inputs the summary is computed from. */
export interface ServerlessSummaryInputs {
    engine: string;
    /** cacheUsageLimits.dataStorage.maximum, GB. */
    maxDataGb: number;
    /** Subnets of the VPC endpoint (one per zone). */
    subnetCount: number;
    hasUserGroup: boolean;
}

/**
 * ElastiCache Serverless replicates its data across the zones of its subnets and fails over by itself
 * (aws.amazon.com/elasticache/features: "Multi-AZ by design"); the summary counts that copy as one replica.
 * TLS and encryption at rest are always on; access is by the user group.
 */
export function summarizeServerlessCache(i: ServerlessSummaryInputs): CacheSummary {
    const ha = i.subnetCount >= 2;
    return {
        cloud: "aws",
        engine: i.engine,
        sku: `serverless (at most ${i.maxDataGb} GB)`,
        memoryMiB: i.maxDataGb * 1024,
        highAvailability: ha,
        replicas: ha ? 1 : 0,
        tls: true,
        encryptedAtRest: true,
        authRequired: i.hasUserGroup,
        publicAccess: false,
    };
}

/** The replication group inputs the summary is computed from. */
export interface ElastiCacheSummaryInputs {
    engine: string;
    nodeType: string;
    numCacheClusters: number;
    automaticFailoverEnabled: boolean;
    multiAzEnabled: boolean;
    transitEncryptionEnabled: boolean;
    atRestEncryptionEnabled: boolean;
    hasAuthToken: boolean;
}

export function summarizeElastiCache(i: ElastiCacheSummaryInputs): CacheSummary {
    return {
        cloud: "aws",
        engine: i.engine,
        sku: i.nodeType,
        memoryMiB: cacheNodeType(i.nodeType).memoryMiB,
        highAvailability: i.automaticFailoverEnabled && i.multiAzEnabled && i.numCacheClusters > 1,
        replicas: i.numCacheClusters - 1,
        tls: i.transitEncryptionEnabled,
        encryptedAtRest: i.atRestEncryptionEnabled,
        authRequired: i.hasAuthToken,
        // ElastiCache has no public endpoint; it is reachable only inside the VPC.
        publicAccess: false,
    };
}

export function createCache(scope: Scope, { network, spec, overrides }: CacheInput<AwsNetwork>): AwsCache {
    const net = network;
    const sizing = awsSizing(spec, overrides);
    const ha = spec.cache.highAvailability && spec.cache.replicas > 0;

    const securityGroup = scope.child("sg", aws.ec2.SecurityGroup, {
        vpcId: net.vpc.id,
        description: "Session cache: Valkey from the MCP service only",
    });
    const token = scope.child("auth-token", random.RandomPassword, { length: 48, special: false });
    if (sizing.cacheMode === "serverless")
        return createServerlessCache(scope, net, sizing.cacheMaxDataGb, securityGroup, token, spec.secretStore);

    const subnetGroup = scope.child("subnets", aws.elasticache.SubnetGroup, {
        subnetIds: net.privateSubnetIds,
        description: "Private subnets of the session cache",
    });
    const group = scope.child("replication-group", aws.elasticache.ReplicationGroup, {
        description: "MCP session state and rate limits",
        engine: CACHE_ENGINE,
        engineVersion: CACHE_ENGINE_VERSION,
        nodeType: sizing.cacheNodeType,
        port: CACHE_PORT,
        numCacheClusters: 1 + spec.cache.replicas,
        automaticFailoverEnabled: ha,
        multiAzEnabled: ha,
        atRestEncryptionEnabled: true,
        transitEncryptionEnabled: true,
        authToken: token.result,
        subnetGroupName: subnetGroup.name,
        securityGroupIds: [securityGroup.id],
        autoMinorVersionUpgrade: true,
        snapshotRetentionLimit: 0,
        applyImmediately: !ha,
    });

    const secret = storedSecret(
        scope,
        "auth",
        "Session cache AUTH token and connection URL for the MCP server",
        pulumi.all([group.primaryEndpointAddress, token.result]).apply(([host, t]) => ({
            host,
            port: CACHE_PORT,
            token: t,
            url: `rediss://:${encodeURIComponent(t)}@${host}:${CACHE_PORT}`,
        })),
        0,
        spec.secretStore,
        ["url"],
    );

    const used = scope.inputs<aws.elasticache.ReplicationGroupArgs>("replication-group");
    const summary = pulumi
        .all([
            used.engine,
            used.nodeType,
            used.numCacheClusters,
            used.automaticFailoverEnabled,
            used.multiAzEnabled,
            used.transitEncryptionEnabled,
            used.atRestEncryptionEnabled,
        ])
        .apply(([engine, nodeType, clusters, failover, multiAz, transit, atRest]) =>
            summarizeElastiCache({
                engine: String(engine),
                nodeType: String(nodeType),
                numCacheClusters: Number(clusters ?? 1),
                automaticFailoverEnabled: Boolean(failover),
                multiAzEnabled: Boolean(multiAz),
                transitEncryptionEnabled: Boolean(transit),
                atRestEncryptionEnabled: Boolean(atRest),
                hasAuthToken: used.authToken !== undefined,
            }),
        );

    return {
        endpoint: group.primaryEndpointAddress,
        port: pulumi.output(CACHE_PORT),
        authSecret: secret.document,
        urlSecret: secret.ref("url"),
        summary,
        securityGroup,
        replicationGroup: group,
        resources: { securityGroup, subnetGroup, replicationGroup: group, ...secret.resources },
    };
}

/** Valkey's serverless data-storage unit. */
const SERVERLESS_UNIT = "GB";

function createServerlessCache(
    scope: Scope,
    net: AwsNetwork,
    maxDataGb: number,
    securityGroup: aws.ec2.SecurityGroup,
    token: random.RandomPassword,
    store: SecretStore,
): AwsCache {
    // User ids are unique per account and region: a random suffix keeps stacks apart.
    const suffix = scope.child("user-suffix", random.RandomId, { byteLength: 4 });
    const app = scope.child("app-user", aws.elasticache.User, {
        userId: pulumi.interpolate`mcp-app-${suffix.hex}`,
        userName: "mcp-app",
        engine: CACHE_ENGINE,
        accessString: "on ~* &* +@all",
        authenticationMode: pulumi.secret(token.result.apply((t) => ({ type: "password", passwords: [t] }))),
    });
    // A user group may have to hold a user named default; it holds one that is switched off, with its own password.
    const offPassword = scope.child("default-user-password", random.RandomPassword, { length: 48, special: false });
    const off = scope.child("default-user", aws.elasticache.User, {
        userId: pulumi.interpolate`mcp-default-${suffix.hex}`,
        userName: "default",
        engine: CACHE_ENGINE,
        accessString: "off ~* -@all",
        authenticationMode: pulumi.secret(offPassword.result.apply((t) => ({ type: "password", passwords: [t] }))),
    });
    const users = scope.child("user-group", aws.elasticache.UserGroup, {
        userGroupId: pulumi.interpolate`mcp-${suffix.hex}`,
        engine: CACHE_ENGINE,
        userIds: [app.userId, off.userId],
    });
    const cache = scope.child("serverless", aws.elasticache.ServerlessCache, {
        engine: CACHE_ENGINE,
        majorEngineVersion: CACHE_ENGINE_VERSION.split(".")[0],
        description: "MCP session state and rate limits (serverless, cluster mode)",
        // The ceiling keeps a runaway from billing beyond the tier's cache size; the floor is Valkey's 100 MB.
        cacheUsageLimits: { dataStorage: { maximum: maxDataGb, unit: SERVERLESS_UNIT } },
        subnetIds: net.privateSubnetIds,
        securityGroupIds: [securityGroup.id],
        userGroupId: users.userGroupId,
        snapshotRetentionLimit: 0,
    });
    const host = cache.endpoints.apply((e) => e?.[0]?.address ?? "");
    const secret = storedSecret(
        scope,
        "auth",
        "Session cache user, password and connection URL (cluster mode) for the MCP server",
        pulumi.all([host, token.result]).apply(([h, t]) => ({
            host: h,
            port: CACHE_PORT,
            user: "mcp-app",
            token: t,
            url: `rediss://mcp-app:${encodeURIComponent(t)}@${h}:${CACHE_PORT}`,
        })),
        0,
        store,
        ["url"],
    );

    const used = scope.inputs<aws.elasticache.ServerlessCacheArgs>("serverless");
    const summary = pulumi.all([used.engine, used.cacheUsageLimits, used.subnetIds]).apply(([engine, limits, subnets]) =>
        summarizeServerlessCache({
            engine: String(engine),
            maxDataGb: Number(limits?.dataStorage?.maximum ?? 0),
            subnetCount: (subnets as unknown[] | undefined)?.length ?? 0,
            hasUserGroup: used.userGroupId !== undefined,
        }),
    );

    return {
        endpoint: host,
        port: pulumi.output(CACHE_PORT),
        authSecret: secret.document,
        urlSecret: secret.ref("url"),
        clusterMode: true,
        summary,
        securityGroup,
        serverlessCache: cache,
        resources: { securityGroup, serverlessCache: cache, userGroup: users, appUser: app, defaultUser: off, ...secret.resources },
    };
}
