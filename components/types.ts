/**
 * The cloud-neutral contract between the components and the per-cloud
 * builders. Nothing here imports a provider package.
 */
import * as pulumi from "@pulumi/pulumi";
import { Cloud, EdgeKind, TierName } from "../sizing";

/** A reference to a secret held in the cloud's secret store (ARN, Key Vault URI or Secret Manager id). */
export interface SecretRef {
    /** The secret's identifier in the cloud's secret store. */
    id: pulumi.Output<string>;
    /** The JSON key inside the secret that holds the value, when the secret is a JSON document. */
    key?: string;
    /**
     * `parameter`: the id names a parameter of the platform's own store holding the value alone (AWS SSM
     * Parameter Store, secretStore "platform"). `value`: there is no store but Pulumi's state, the id is the
     * value itself as a Pulumi secret, and the service carries it as its own secret (Azure Container Apps
     * secrets, secretStore "platform").
     */
    store?: "parameter" | "value";
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
    /** The platform scales the service to zero replicas when idle (minReplicas is then 0). */
    scalesToZero: boolean;
    /** CPU architecture the replicas run on. */
    cpuArchitecture: "arm64" | "x86_64";
    publicIp: boolean;
    /** With a public IP: what may open a connection to a replica's address (e.g. dev-aws: the edge only). */
    publicIpInbound?: string;
    logRetentionDays: number;
    /** Where the audit log's checkpoints go (docs/audit.md), and whether that storage is write-once. */
    auditAnchors?: AuditAnchorsSummary;
}

export interface AuditAnchorsSummary {
    /** MCP_AUDIT_ANCHORS as the server gets it. */
    location: string;
    /** True only where the storage itself refuses deletes and overwrites for `retentionDays`. */
    writeOnce: boolean;
    retentionDays: number;
    note: string;
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
    /** A provisioned load balancer, or a per-request edge (API Gateway HTTP API, Container Apps ingress, Cloud Run URL, nginx locally). */
    kind: EdgeKind;
    /** `none` when the endpoint serves plain HTTP (a load balancer without a domain). Per-request edges serve HTTPS on the platform's own name. */
    tls: "none" | "modern" | "restricted";
    /** Plain HTTP is never served: redirected to HTTPS or refused. */
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
    /** null when the server keeps its state in memory (sessionStore "embedded"). */
    cache: CacheSummary | null;
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
    /** OAuth protected-resource metadata (RFC 9728), served in OAuth mode. */
    oauthMetadataPath: "/.well-known/oauth-protected-resource",
    containerName: "mcp-server",
} as const;
