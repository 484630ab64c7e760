/**
 * SessionCache on AWS: an ElastiCache for Valkey replication group in the
 * private subnets with encryption at rest and in transit, an AUTH token from
 * Secrets Manager, and automatic Multi-AZ failover when the tier has replicas.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { awsSizing, cacheNodeType } from "../../sizing/aws";
import { Scope } from "../base";
import { CacheImpl, CacheInput, CACHE_PORT as CONTRACT_CACHE_PORT } from "../contract";
import { CacheSummary } from "../types";
import { AwsNetwork } from "./network";
import { jsonSecret } from "./secrets";

export const CACHE_ENGINE = "valkey";
export const CACHE_ENGINE_VERSION = "8.0";
export const CACHE_PORT = CONTRACT_CACHE_PORT;

export interface AwsCache extends CacheImpl {
    securityGroup: aws.ec2.SecurityGroup;
    replicationGroup: aws.elasticache.ReplicationGroup;
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
    const subnetGroup = scope.child("subnets", aws.elasticache.SubnetGroup, {
        subnetIds: net.privateSubnetIds,
        description: "Private subnets of the session cache",
    });
    const token = scope.child("auth-token", random.RandomPassword, { length: 48, special: false });

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

    const secret = jsonSecret(scope, "auth", "Session cache AUTH token and connection URL for the MCP server",
        pulumi.all([group.primaryEndpointAddress, token.result]).apply(([host, t]) => ({
            host,
            port: CACHE_PORT,
            token: t,
            url: `rediss://:${encodeURIComponent(t)}@${host}:${CACHE_PORT}`,
        })),
        0);

    const used = scope.inputs<aws.elasticache.ReplicationGroupArgs>("replication-group");
    const summary = pulumi.all([
        used.engine, used.nodeType, used.numCacheClusters, used.automaticFailoverEnabled, used.multiAzEnabled,
        used.transitEncryptionEnabled, used.atRestEncryptionEnabled,
    ]).apply(([engine, nodeType, clusters, failover, multiAz, transit, atRest]) => summarizeElastiCache({
        engine: String(engine),
        nodeType: String(nodeType),
        numCacheClusters: Number(clusters ?? 1),
        automaticFailoverEnabled: Boolean(failover),
        multiAzEnabled: Boolean(multiAz),
        transitEncryptionEnabled: Boolean(transit),
        atRestEncryptionEnabled: Boolean(atRest),
        hasAuthToken: used.authToken !== undefined,
    }));

    return {
        endpoint: group.primaryEndpointAddress,
        port: pulumi.output(CACHE_PORT),
        authSecret: { id: secret.arn },
        urlSecret: { id: secret.arn, key: "url" },
        summary,
        securityGroup,
        replicationGroup: group,
        resources: { securityGroup, subnetGroup, replicationGroup: group, secret },
    };
}
