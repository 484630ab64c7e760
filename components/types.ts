/**
 * The cloud-neutral contract between the components and the per-cloud
 * builders. Nothing here imports a provider package.
 */
import * as pulumi from "@pulumi/pulumi";
import { Cloud, TierName } from "../sizing";

/** A reference to a secret held in the cloud's secret store (ARN, Key Vault URI or Secret Manager id). */
export interface SecretRef {
    /** The secret's identifier in the cloud's secret store. */
    id: pulumi.Output<string>;
    /** The JSON key inside the secret that holds the value, when the secret is a JSON document. */
    key?: string;
}

/** What McpCluster really provisioned, computed from its children's inputs. */
export interface ClusterSummary {
    cloud: Cloud;
    minReplicas: number;
    maxReplicas: number;
    targetCpuPercent: number;
    milliCpu: number;
    memoryMiB: number;
    /** Zones the always-running replicas spread across. */
    zones: number;
    publicIp: boolean;
    logRetentionDays: number;
}

/** What AuditDatabase really provisioned, computed from its children's inputs. */
export interface DatabaseSummary {
    cloud: Cloud;
    engine: "postgres";
    engineVersion: string;
    sku: string;
    vcpu: number;
    memoryGiB: number;
    storageGiB: number;
    highAvailability: boolean;
    backupRetentionDays: number;
    pointInTimeRestore: boolean;
    deletionProtection: boolean;
    readReplicas: number;
    encryptedAtRest: boolean;
    tlsRequired: boolean;
    publicAccess: boolean;
}

/** What SessionCache really provisioned, computed from its children's inputs. */
export interface CacheSummary {
    cloud: Cloud;
    engine: string;
    sku: string;
    memoryMiB: number;
    highAvailability: boolean;
    replicas: number;
    tls: boolean;
    encryptedAtRest: boolean;
    authRequired: boolean;
    publicAccess: boolean;
}

/** What EdgeLB really provisioned, computed from its children's inputs. */
export interface EdgeSummary {
    cloud: Cloud;
    /** `none` when no domain is set (plain HTTP on the load balancer's own name). */
    tls: "none" | "modern" | "restricted";
    httpRedirect: boolean;
    waf: boolean;
    managedRuleSets: string[];
    rateLimitPerMinute: number | null;
    idleTimeoutSeconds: number;
    healthPath: string;
}

export interface DeploymentSummary {
    cloud: Cloud;
    tier: TierName;
    cluster: ClusterSummary;
    database: DatabaseSummary;
    cache: CacheSummary;
    edge: EdgeSummary;
}

/** The bundled server's fixed facts the infrastructure relies on (see app/README.md). */
export const SERVER = {
    port: 8080,
    /** Served on a port the edge never forwards, so /metrics is not public. */
    metricsPort: 9464,
    healthPath: "/health",
    readyPath: "/ready",
    mcpPath: "/mcp",
    containerName: "mcp-server",
} as const;
