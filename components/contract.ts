/**
 * The contract between the cloud-neutral components and the per-cloud builders.
 *
 * - What each builder receives (`*Input`) and returns (`*Impl`), generic over the
 *   cloud's own part types (`CloudParts`): the AWS cluster builder is typed
 *   `ClusterInput<AwsParts>` and reads `input.network.vpc` without a downcast.
 * - `CloudModule<P>`: the six builders plus the cloud's `descriptor`. Each cloud's
 *   `index.ts` exports one `module: CloudModule<ItsParts>`; a builder missing there
 *   is a compile error naming that cloud.
 * - The server contract (`serverEnvironment`, `serverSecrets`, `SERVER_PROBES`,
 *   `POSTGRES`): what every cloud hands the bundled server, assembled once here.
 * - `HandOff`: the one edge/cluster hand-off (`EdgeImpl.attach`).
 *
 * This file imports no cloud folder and no cloud provider package; the cloud
 * folders import it. Loading a cloud is the registry's job (./registry.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AlertSignal, Cloud, TierOverrides, TierSpec } from "../sizing";
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
    /**
     * PEM of the CA that signs the database's certificate when it is per instance (Cloud SQL);
     * passed as plain DATABASE_CA_CERT. Elsewhere the server image ships the CA (DATABASE_CA_FILES).
     */
    caCertificate?: pulumi.Output<string>;
    summary: pulumi.Output<DatabaseSummary>;
    /**
     * Where the database has a separate append-only server role: the administrator's URL (for the
     * audit:migrate step only) and the role the server connects as (`urlSecret` is that role's URL).
     */
    migration?: AuditMigration;
}

/** What the audit:migrate step needs; the service identity never reads these. */
export interface AuditMigration {
    /** The administrator's connection URL (DATABASE_ADMIN_URL of the migrate step). */
    adminUrlSecret: SecretRef;
    /** The append-only role the server connects as (MCP_AUDIT_SERVER_ROLE). */
    serverRole: string;
    /** That role's password (MCP_AUDIT_SERVER_PASSWORD), set by the migrate step. */
    serverPasswordSecret: SecretRef;
}

/** The server role every cloud creates through audit:migrate (see docs/audit.md). */
export const AUDIT_SERVER_ROLE = "mcp_server";

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
    /** The cache is a Redis Cluster (ElastiCache Serverless): the server connects with REDIS_CLUSTER=true. */
    clusterMode?: boolean;
    summary: pulumi.Output<CacheSummary>;
}

/**
 * An edge. `attach` is THE hand-off between edge and cluster, the same name on
 * every cloud: the cluster builder calls it exactly once with what the edge
 * needs from the replicas (`Origin`, the cloud's own type) and gets back what
 * the service needs from the edge (`Attached`). Edges whose children depend on
 * the replicas create them inside `attach`, through the edge's own Scope.
 */
export interface EdgeImpl<Origin = never, Attached = unknown> extends Built {
    url: pulumi.Output<string>;
    /** Host names the server must accept in the Host header on /mcp. */
    hostnames: pulumi.Output<string[]>;
    summary: pulumi.Output<EdgeSummary>;
    attach(origin: Origin): Attached;
}

export interface ClusterImpl extends Built {
    serviceName: pulumi.Output<string>;
    apiKeySecret: SecretRef;
    summary: pulumi.Output<ClusterSummary>;
}

/** Where alerts go (stack config alertEmails, alertWebhookUrl, alerts). */
export interface AlertTargets {
    emails: string[];
    /** A Pulumi secret. */
    webhookUrl?: pulumi.Output<string>;
    /** `alerts: none`: the signals are declared, nobody is notified. */
    optedOut: boolean;
}

export interface MonitorImpl extends Built {
    /** The signals this cloud declared a rule for (sizing/alerts.ts). */
    signals: AlertSignal[];
}

/**
 * One cloud's own part types. A cloud declares e.g.
 * `interface AwsParts extends CloudParts { network: AwsNetwork; ... }` and its
 * builders receive exactly those types.
 */
export interface CloudParts {
    network: NetworkImpl;
    image: ImageImpl;
    database: DatabaseImpl;
    cache: CacheImpl;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    edge: EdgeImpl<any, unknown>;
    cluster: ClusterImpl;
    monitor: MonitorImpl;
}

export interface NetworkInput {
    spec: TierSpec;
    overrides: TierOverrides;
    cidr: string;
}
export interface ImageInput<N extends NetworkImpl = NetworkImpl> {
    network: N;
    image?: pulumi.Input<string>;
    /** Docker build context (the repository root, so the build installs from the workspace lockfile). */
    context: string;
    /** Path of the Dockerfile. */
    dockerfile: string;
}
export interface DatabaseInput<N extends NetworkImpl = NetworkImpl> {
    network: N;
    spec: TierSpec;
    overrides: TierOverrides;
}
export interface CacheInput<N extends NetworkImpl = NetworkImpl> {
    network: N;
    spec: TierSpec;
    overrides: TierOverrides;
}
export interface EdgeInput<N extends NetworkImpl = NetworkImpl> {
    network: N;
    spec: TierSpec;
    domain?: string;
    /** The DNS zone holding `domain`; set whenever `domain` is (EdgeLB resolves the default). */
    dnsZone?: string;
    /** A supplied certificate for `domain` (Azure's Application Gateway, which has no managed one). */
    certificate?: EdgeCertificate;
}

/** A certificate and key for the edge's domain, as PKCS#12: base64 of the .pfx and its password. */
export interface EdgeCertificate {
    pfxBase64: pulumi.Input<string>;
    /** @default "" (a PFX without password) */
    password?: pulumi.Input<string>;
}
/** The parts a cluster is built from, typed by the cloud: `ClusterInput<AwsParts>`. */
export interface ClusterInput<P extends Omit<CloudParts, "cluster" | "monitor"> = CloudParts> {
    network: P["network"];
    spec: TierSpec;
    overrides: TierOverrides;
    image: P["image"];
    database: P["database"];
    cache?: P["cache"];
    edge: P["edge"];
    /** Extra plain (non-secret) environment variables for the server. */
    environment: Record<string, pulumi.Input<string>>;
}

/** What a monitor watches and where it sends alerts, typed by the cloud: `MonitorInput<AwsParts>`. */
export interface MonitorInput<P extends Omit<CloudParts, "monitor"> = CloudParts> {
    network: P["network"];
    spec: TierSpec;
    overrides: TierOverrides;
    database: P["database"];
    cache?: P["cache"];
    edge: P["edge"];
    cluster: P["cluster"];
    alerting: AlertTargets;
    /** The cloud budget's monthly amount; undefined = no cloud budget. */
    monthlyBudgetUsd?: number;
    /** GCP: the billing account the budget is created on. */
    billingAccountId?: string;
    /** The public DNS name, when the edge serves one. */
    domain?: string;
}

/**
 * The facts about one cloud that code outside its folder needs (plan, parity
 * test, pricing, docs). Pure data: no provider package is loaded to read it.
 */
export interface CloudDescriptor {
    cloud: Cloud;
    /** CPU architecture the replicas run on unless `cpuArchitecture` says otherwise. */
    defaultCpuArchitecture: "arm64" | "x86_64";
    /** `cpuArchitecture` may pick the other architecture (the plan lists arm64 as a cost choice there). */
    cpuArchitectureChoice: boolean;
    /** The replica platform scales to zero when idle where the tier asks (`scaleToZero`). */
    scalesToZero: boolean;
    /**
     * What `natGateways: none` means for the replicas' outbound traffic:
     * `publicIp`: they get a public IPv4 of their own (still admitting the edge only);
     * `platform`: the platform gives them egress without a public address;
     * `none`: there is no NAT to choose (one Docker host).
     */
    natNone: "publicIp" | "platform" | "none";
    /** A custom domain can be served by the pay-per-request edge (else `domain` requires `edgeKind: loadBalancer`). */
    domainWithPayPerRequestEdge: boolean;
    /** The tier's cost-saving choices apply (a cloud bill exists to save on). */
    hasCostChoices: boolean;
    /** The resource type that runs the replicas, and how many replicas one such resource keeps running. */
    replicas: {
        type: string;
        /** Always-on replicas of one declared resource of `type` (its inputs as declared). */
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        alwaysOn(inputs: Record<string, any>): number;
    };
}

/**
 * Everything a cloud provides: its descriptor and one builder per component.
 * Properties (not methods), so the compiler checks each builder's parameter
 * types strictly against the cloud's `P`.
 */
export interface CloudModule<P extends CloudParts = CloudParts> {
    readonly descriptor: CloudDescriptor;
    createNetwork: (scope: Scope, input: NetworkInput) => P["network"];
    createImage: (scope: Scope, input: ImageInput<P["network"]>) => P["image"];
    createDatabase: (scope: Scope, input: DatabaseInput<P["network"]>) => P["database"];
    createCache: (scope: Scope, input: CacheInput<P["network"]>) => P["cache"];
    createEdge: (scope: Scope, input: EdgeInput<P["network"]>) => P["edge"];
    createCluster: (scope: Scope, input: ClusterInput<P>) => P["cluster"];
    createMonitor: (scope: Scope, input: MonitorInput<P>) => P["monitor"];
}

/**
 * A component was given parts that cannot work together (another cloud's
 * database, a cache on another network, ...). Thrown at construction, before
 * any cloud builder reads the parts; the message names both sides.
 */
export class WiringError extends Error {
    /** The component argument that was wrong, e.g. `database`. */
    readonly arg: string;

    constructor(component: string, arg: string, message: string) {
        super(`${component}: ${arg}: ${message}`);
        this.name = "WiringError";
        this.arg = arg;
    }
}

/**
 * A value one builder gives another later (the edge's origin-dependent parts,
 * once the cluster exists): `give` once, read `value` any time before.
 */
export class HandOff<T> {
    private settle: ((v: T) => void) | undefined;
    private given = false;
    /** Resolves with the value handed over. */
    readonly value: Promise<T>;

    constructor(private readonly what: string) {
        this.value = new Promise<T>((resolve) => {
            this.settle = resolve;
        });
    }

    /** Hands the value over; a second hand-off is an error. */
    give(v: T): void {
        if (this.given) throw new Error(`${this.what}: already handed over`);
        this.given = true;
        this.settle!(v);
    }

    /** An output of one field of the value. */
    output<R>(pick: (v: T) => pulumi.Input<R>): pulumi.Output<R> {
        return pulumi.output(this.value.then(pick)).apply((r) => r as R);
    }
}

/** The PostgreSQL database every cloud creates for the audit log. */
export const POSTGRES = {
    /** Major version on every cloud (and the local image's tag). */
    major: "17",
    databaseName: "mcp_audit",
    user: "mcp_admin",
    port: 5432,
} as const;

/** The Redis-compatible cache's port on every cloud. */
export const CACHE_PORT = 6379;

/** The server's probes, the same on every cloud (each platform spells them its own way). */
export const SERVER_PROBES = {
    /** The container health check: exits 0 when /health answers 2xx. */
    healthCommand: [
        "CMD",
        "node",
        "-e",
        `fetch('http://127.0.0.1:${SERVER.port}${SERVER.healthPath}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
    ],
    intervalSeconds: 15,
    timeoutSeconds: 5,
    retries: 3,
    startPeriodSeconds: 30,
    /** Platform HTTP probes (Container Apps, Cloud Run): period and failures before the replica counts as failed. */
    startup: { periodSeconds: 5, failureThreshold: 24 },
    liveness: { periodSeconds: 15, failureThreshold: 3 },
    readiness: { periodSeconds: 10, failureThreshold: 3 },
} as const;

/**
 * CA bundles the server image ships (app/certs, copied to /srv/app/certs by app/Dockerfile) for
 * `DATABASE_SSL=verify-full`: AWS's global RDS bundle, and the two public roots Azure Database
 * for PostgreSQL chains to. Cloud SQL's CA is per instance and comes from the instance's outputs.
 */
export const DATABASE_CA_FILES = {
    aws: "/srv/app/certs/rds-global-bundle.pem",
    azure: "/srv/app/certs/azure-postgres-roots.pem",
} as const;

/**
 * The plain (non-secret) environment every cloud gives the server (the contract in
 * app/README.md); the secrets come from `serverSecrets`.
 * The user's `environment` comes last, so it may override LOG_LEVEL and the like.
 */
export function serverEnvironment(
    input: Pick<ClusterInput, "spec" | "environment">,
    o: {
        /** Host names the server accepts on /mcp (duplicates removed). */
        allowedHosts: pulumi.Input<string[]>;
        /**
         * `verify-full` towards a managed database (the server checks the certificate chain and the
         * host name, and refuses `require` on prod and enterprise); `disable` on the private Docker network.
         */
        databaseSsl: "verify-full" | "disable";
        /** The CA the database's certificate chains to: a file in the image, or PEM (Cloud SQL's per-instance CA). */
        databaseCa?: { file: string } | { pem: pulumi.Input<string> };
        /** Set PORT (Cloud Run sets it itself). @default true */
        setPort?: boolean;
        /** Cloud-specific plain variables (e.g. REDIS_CA_CERT). */
        extra?: Record<string, pulumi.Input<string>>;
        /**
         * Audit checkpoints to this location (MCP_AUDIT_ANCHORS), at the tier's cadence, with the schema
         * left to the audit:migrate step (MCP_AUDIT_MIGRATE=off).
         */
        auditAnchors?: pulumi.Input<string>;
    },
): Record<string, pulumi.Input<string>> {
    return {
        NODE_ENV: "production",
        HOST: "0.0.0.0",
        ...(o.setPort === false ? {} : { PORT: String(SERVER.port) }),
        METRICS_PORT: String(SERVER.metricsPort),
        MCP_TIER: input.spec.name,
        ...o.extra,
        MCP_ALLOWED_HOSTS: pulumi.output(o.allowedHosts).apply((h) => [...new Set(h)].join(",")),
        DATABASE_SSL: o.databaseSsl,
        ...(o.databaseCa === undefined
            ? {}
            : "file" in o.databaseCa
              ? { DATABASE_CA_CERT_FILE: o.databaseCa.file }
              : { DATABASE_CA_CERT: o.databaseCa.pem }),
        LOG_LEVEL: "info",
        ...(o.auditAnchors === undefined
            ? {}
            : {
                  MCP_AUDIT_ANCHORS: o.auditAnchors,
                  MCP_AUDIT_MIGRATE: "off",
                  MCP_AUDIT_CHECKPOINT_INTERVAL_S: String(input.spec.audit.checkpointIntervalSeconds),
                  MCP_AUDIT_CHECKPOINT_ENTRIES: String(input.spec.audit.checkpointEntries),
              }),
        ...input.environment,
    };
}

/** Every plain variable serverEnvironment may set (the CA only where the cache has a private CA). */
export const SERVER_ENVIRONMENT_NAMES = [
    "NODE_ENV",
    "HOST",
    "PORT",
    "METRICS_PORT",
    "MCP_TIER",
    "REDIS_CA_CERT",
    "REDIS_CLUSTER",
    "MCP_ALLOWED_HOSTS",
    "DATABASE_SSL",
    "DATABASE_CA_CERT_FILE",
    "DATABASE_CA_CERT",
    "LOG_LEVEL",
    "MCP_AUDIT_ANCHORS",
    "MCP_AUDIT_MIGRATE",
    "MCP_AUDIT_CHECKPOINT_INTERVAL_S",
    "MCP_AUDIT_CHECKPOINT_ENTRIES",
] as const;

/** The secrets the server reads, by environment variable. */
export type ServerSecretName = "DATABASE_URL" | "REDIS_URL" | "MCP_API_KEYS";
export const SERVER_SECRET_NAMES: readonly ServerSecretName[] = ["DATABASE_URL", "REDIS_URL", "MCP_API_KEYS"];

/** One secret the server reads: its variable, the part it comes from, and where the cloud keeps it. */
export interface ServerSecret<S = unknown> {
    env: ServerSecretName;
    from: "database" | "cache" | "apiKeys";
    ref: SecretRef;
    /** What the cloud's `store` returned, for the API keys; undefined for the parts' own secrets. */
    stored?: S;
}

/**
 * The server's secrets, assembled once for every cloud: DATABASE_URL from the
 * database, REDIS_URL from the cache (when there is one), and MCP_API_KEYS, a
 * generated key (child `api-key`) that the cloud keeps with `store` (which says
 * how that cloud stores a secret and returns a reference the service can use).
 */
export function serverSecrets<S extends { ref: SecretRef }>(
    scope: Scope,
    input: Pick<ClusterInput, "database" | "cache">,
    store: (apiKeys: pulumi.Output<string>) => S,
): { apiKey: random.RandomPassword; apiKeys: S; secrets: ServerSecret<S>[] } {
    const apiKey = scope.child("api-key", random.RandomPassword, { length: 40, special: false });
    const apiKeys = store(apiKey.result);
    return {
        apiKey,
        apiKeys,
        secrets: [
            { env: "DATABASE_URL", from: "database", ref: input.database.urlSecret },
            ...(input.cache ? [{ env: "REDIS_URL" as const, from: "cache" as const, ref: input.cache.urlSecret }] : []),
            { env: "MCP_API_KEYS", from: "apiKeys", ref: apiKeys.ref, stored: apiKeys },
        ],
    };
}
