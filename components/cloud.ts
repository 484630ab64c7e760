/**
 * The contract every cloud implements, and the loader that picks one.
 * Each cloud's module is loaded only when a stack uses it, so an AWS stack
 * never loads the Azure or GCP SDKs.
 */
import * as pulumi from "@pulumi/pulumi";
import { Cloud, CLOUDS, ConfigError, formatChoices, TierOverrides, TierSpec } from "../sizing";
import { Scope } from "./base";
import { CacheSummary, ClusterSummary, DatabaseSummary, EdgeSummary, SecretRef, SERVER } from "./types";
export { SecretRef };

/** What each builder returns besides its outputs: the raw child resources, by role. */
export interface Built {
    resources: Record<string, pulumi.Resource | pulumi.Resource[]>;
}

export interface NetworkImpl extends Built {
    cloud: Cloud;
    /** Zones the network spans. */
    zones: number;
    /** The network's id (VPC id, VNet id, network self-link or Docker network name). */
    id: pulumi.Output<string>;
}

export interface ImageImpl extends Built {
    /** An immutable reference to the image the service runs (digest where the registry gives one). */
    ref: pulumi.Output<string>;
    /** True when the image is built from app/ and pushed by this program. */
    bundled: boolean;
}

export interface DatabaseImpl extends Built {
    endpoint: pulumi.Output<string>;
    port: pulumi.Output<number>;
    databaseName: pulumi.Output<string>;
    /** The secret with username, password, host, port, dbname and a ready connection url. */
    credentialsSecret: SecretRef;
    /** The key of credentialsSecret holding the connection URL the server reads as DATABASE_URL. */
    urlSecret: SecretRef;
    summary: pulumi.Output<DatabaseSummary>;
}

export interface CacheImpl extends Built {
    endpoint: pulumi.Output<string>;
    port: pulumi.Output<number>;
    /** The secret with the auth token and a ready `rediss://` url. */
    authSecret: SecretRef;
    /** The key of authSecret holding the URL the server reads as REDIS_URL. */
    urlSecret: SecretRef;
    /**
     * PEM of the CA that signs the cache's TLS certificate, when that is not a
     * public CA (Memorystore's per-instance CA). Public, so passed as plain
     * REDIS_CA_CERT; the server then verifies the cache against it.
     */
    caCertificate?: pulumi.Output<string>;
    summary: pulumi.Output<CacheSummary>;
}

export interface EdgeImpl extends Built {
    url: pulumi.Output<string>;
    /** Host names the server must accept in the Host header on /mcp. */
    hostnames: pulumi.Output<string[]>;
    summary: pulumi.Output<EdgeSummary>;
}

export interface ClusterImpl extends Built {
    serviceName: pulumi.Output<string>;
    apiKeySecret: SecretRef;
    summary: pulumi.Output<ClusterSummary>;
}

export interface NetworkInput { spec: TierSpec; overrides: TierOverrides; cidr: string }
export interface ImageInput {
    network: NetworkImpl;
    image?: pulumi.Input<string>;
    /** Docker build context (the repository root, so the build installs from the workspace lockfile). */
    context: string;
    /** Path of the Dockerfile. */
    dockerfile: string;
}
export interface DatabaseInput { network: NetworkImpl; spec: TierSpec; overrides: TierOverrides }
export interface CacheInput { network: NetworkImpl; spec: TierSpec; overrides: TierOverrides }
export interface EdgeInput {
    network: NetworkImpl;
    spec: TierSpec;
    domain?: string;
    /** The DNS zone holding `domain`; set whenever `domain` is (EdgeLB resolves the default). */
    dnsZone?: string;
}
export interface ClusterInput {
    network: NetworkImpl;
    spec: TierSpec;
    overrides: TierOverrides;
    image: ImageImpl;
    database: DatabaseImpl;
    cache?: CacheImpl;
    edge: EdgeImpl;
    /** Extra plain (non-secret) environment variables for the server. */
    environment: Record<string, pulumi.Input<string>>;
}

/**
 * The plain (non-secret) environment every cloud gives the server (the contract in
 * app/README.md); each builder adds the secrets (DATABASE_URL, REDIS_URL, MCP_API_KEYS) its way.
 * The user's `environment` comes last, so it may override LOG_LEVEL and the like.
 */
export function serverEnvironment(input: ClusterInput, o: {
    /** Host names the server accepts on /mcp (duplicates removed). */
    allowedHosts: pulumi.Input<string[]>;
    /** `require` towards a managed database; `disable` on the private Docker network. */
    databaseSsl: "require" | "disable";
    /** Set PORT (Cloud Run sets it itself). @default true */
    setPort?: boolean;
    /** Cloud-specific plain variables (e.g. REDIS_CA_CERT). */
    extra?: Record<string, pulumi.Input<string>>;
}): Record<string, pulumi.Input<string>> {
    return {
        NODE_ENV: "production",
        HOST: "0.0.0.0",
        ...(o.setPort === false ? {} : { PORT: String(SERVER.port) }),
        METRICS_PORT: String(SERVER.metricsPort),
        MCP_TIER: input.spec.name,
        ...o.extra,
        MCP_ALLOWED_HOSTS: pulumi.output(o.allowedHosts).apply((h) => [...new Set(h)].join(",")),
        DATABASE_SSL: o.databaseSsl,
        LOG_LEVEL: "info",
        ...input.environment,
    };
}

export interface CloudModule {
    createNetwork(scope: Scope, input: NetworkInput): NetworkImpl;
    createImage(scope: Scope, input: ImageInput): ImageImpl;
    createDatabase(scope: Scope, input: DatabaseInput): DatabaseImpl;
    createCache(scope: Scope, input: CacheInput): CacheImpl;
    createEdge(scope: Scope, input: EdgeInput): EdgeImpl;
    createCluster(scope: Scope, input: ClusterInput): ClusterImpl;
}

/** The builders of each cloud, loaded on first use. A cloud missing here is not available yet. */
const LOADERS: Partial<Record<Cloud, () => CloudModule>> = {
    aws: () => require("./aws"),
    azure: () => require("./azure"),
    gcp: () => require("./gcp"),
    local: () => require("./local"),
};

/** Clouds whose builders exist in this version. */
export const AVAILABLE_CLOUDS: readonly Cloud[] = CLOUDS.filter((c) => LOADERS[c] !== undefined);

export function cloudModule(cloud: Cloud): CloudModule {
    if (!(CLOUDS as readonly string[]).includes(cloud)) {
        throw new ConfigError("mcp-infra:cloud", `unknown cloud "${cloud}"; allowed values: ${formatChoices(CLOUDS)}`);
    }
    const load = LOADERS[cloud];
    if (!load) {
        throw new ConfigError("mcp-infra:cloud",
            `cloud "${cloud}" is not available in this version yet; available: ${formatChoices(AVAILABLE_CLOUDS)}`);
    }
    return load();
}
