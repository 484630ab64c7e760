/**
 * McpCluster on the local target: N server containers (N = the tier's
 * minReplicas after overrides; Docker has no autoscaler, so N is also the
 * maximum), each on the front network (the edge reaches it) and the internal
 * data network (it reaches PostgreSQL and Redis), with no published port, a
 * read-only root filesystem, no Linux capabilities, the tier's vCPU and memory
 * as limits, a health check on /health, a restart policy and size-bounded
 * logs. DATABASE_URL, REDIS_URL and MCP_API_KEYS are Pulumi secrets that reach
 * the replicas as files only (`*_FILE` variables naming root:0 0440 files on a
 * read-only volume, the replicas running as node, uid 1000, in group 0); the
 * generated API key is the cluster's `apiKeySecret` (see ./common.ts for how
 * the local target represents secrets). It then attaches itself to the edge.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, overrideKey } from "../../sizing";
import { Scope } from "../base";
import { ClusterImpl, ClusterInput, serverEnvironment, serverSecrets, SERVER_PROBES } from "../contract";
import { ClusterSummary, SERVER } from "../types";
import { LocalCache } from "./cache";
import {
    architectureOf,
    cpus,
    envList,
    hostArchitecture,
    labels,
    LOGS,
    milliCpuOf,
    secretValue,
    secretVolume,
    SECRET_USERS,
    stateSecret,
} from "./common";
import { LocalDatabase } from "./database";
import { LocalEdge } from "./edge";
import { LocalImage } from "./image";
import { LocalNetwork } from "./network";

/** Where the audit-anchors volume is mounted in each replica (created, owned by `node`, in app/Dockerfile). */
export const AUDIT_ANCHORS_PATH = "/var/lib/mcp/anchors";

export interface LocalCluster extends ClusterImpl {
    replicas: docker.Container[];
    /** The edge's nginx container, created when the cluster attached to it. */
    edgeContainer: docker.Container;
}

/** A replica's name on the Docker networks (and its MCP_REPLICA_ID): `<cluster>-<i>`. */
export function replicaHost(cluster: string, i: number): string {
    return `${cluster}-${i}`;
}

/** One replica container's inputs the summary is computed from. */
export interface ReplicaSummaryInputs {
    cpus?: string;
    memoryMiB?: number;
    publishedPorts: number;
}

/** Describes the replica containers, and the platform of the image they run, in cloud-neutral terms. */
export function summarizeReplicas(replicas: ReplicaSummaryInputs[], imagePlatform: string | undefined): ClusterSummary {
    return {
        cloud: "local",
        // Docker runs exactly these replicas: no autoscaler, so no CPU target either (0), and never zero replicas.
        minReplicas: replicas.length,
        maxReplicas: replicas.length,
        targetCpuPercent: 0,
        scalesToZero: false,
        cpuArchitecture: architectureOf(imagePlatform),
        milliCpu: Math.min(...replicas.map((r) => milliCpuOf(r.cpus))),
        memoryMiB: Math.min(...replicas.map((r) => r.memoryMiB ?? 0)),
        // One Docker host.
        zones: 1,
        publicIp: replicas.some((r) => r.publishedPorts > 0),
        // json-file logs rotate by size (see LOGS), not by days.
        logRetentionDays: 0,
    };
}

/** The local parts a cluster is built from. */
export interface LocalClusterParts {
    network: LocalNetwork;
    image: LocalImage;
    database: LocalDatabase;
    cache: LocalCache;
    edge: LocalEdge;
}

export function createCluster(scope: Scope, input: ClusterInput<LocalClusterParts>): LocalCluster {
    const net = input.network;
    const edge = input.edge;
    const database = input.database;
    const cache = input.cache;
    const image = input.image;
    const { spec, overrides } = input;
    if (overrides.cpuArchitecture !== undefined && overrides.cpuArchitecture !== hostArchitecture()) {
        throw new ConfigError(
            overrideKey("cpuArchitecture"),
            `the local target runs images for the Docker host's own architecture (${hostArchitecture()}), not ${overrides.cpuArchitecture}; unset cpuArchitecture`,
        );
    }

    // The server's secrets (the contract's); locally the generated API key is kept (encrypted) in Pulumi's state.
    const { apiKey, apiKeys, secrets: serverSecretList } = serverSecrets(scope, input, (keys) => ({ ref: stateSecret(keys) }));
    const apiKeysRef = apiKeys.ref;

    // Audit checkpoints go to a named volume (NOT write-once: anyone with access to the Docker host can change it).
    const anchors = scope.child("audit-anchors", docker.Volume, { driver: "local", labels: labels(scope) });

    // PostgreSQL is reached over the internal Docker bridge, without TLS (see ./database.ts).
    const environment = serverEnvironment(input, {
        allowedHosts: edge.hostnames,
        databaseSsl: "disable",
        auditAnchors: `file://${AUDIT_ANCHORS_PATH}`,
    });
    // The secrets as files on a volume the replicas mount read-only; the environment names the files.
    const fileName = (v: string) => v.toLowerCase().replace(/_/g, "-");
    const serverFiles = secretVolume(
        scope,
        "secrets",
        input.image.ref,
        Object.fromEntries(serverSecretList.map((s) => [s.env, { name: fileName(s.env), content: secretValue(s.ref) }])),
    );
    const secretFileVars = Object.fromEntries(Object.entries(serverFiles.paths).map(([v, p]) => [`${v}_FILE`, p]));
    const healthcheck = {
        tests: [...SERVER_PROBES.healthCommand],
        interval: `${SERVER_PROBES.intervalSeconds}s`,
        timeout: `${SERVER_PROBES.timeoutSeconds}s`,
        retries: SERVER_PROBES.retries,
        startPeriod: `${SERVER_PROBES.startPeriodSeconds}s`,
    };
    const dataTier = [database.container, ...(cache ? [cache.container] : [])];

    // audit:migrate, the only container given the administrator's URL: creates the schema and the
    // append-only role the replicas connect as, then exits. `attach` makes the provider wait for it.
    const migration = database.migration!;
    // Its own secret volume: the replicas never mount the administrator's URL.
    const migrateFiles = secretVolume(scope, "migrate-secrets", input.image.ref, {
        DATABASE_ADMIN_URL: { name: "database-admin-url", content: secretValue(migration.adminUrlSecret) },
        MCP_AUDIT_SERVER_PASSWORD: { name: "audit-server-password", content: secretValue(migration.serverPasswordSecret) },
    });
    const migrate = scope.child(
        "audit-migrate",
        docker.Container,
        {
            image: input.image.ref,
            hostname: `${scope.name}-migrate`,
            command: ["node", "dist/audit/migrate.js"],
            networksAdvanced: [{ name: net.data.name }],
            user: SECRET_USERS.server,
            envs: envList({
                DATABASE_ADMIN_URL_FILE: migrateFiles.paths.DATABASE_ADMIN_URL,
                DATABASE_SSL: "disable",
                MCP_AUDIT_SERVER_ROLE: migration.serverRole,
                MCP_AUDIT_SERVER_PASSWORD_FILE: migrateFiles.paths.MCP_AUDIT_SERVER_PASSWORD,
            }),
            volumes: [migrateFiles.mount],
            attach: true,
            logs: true,
            mustRun: false,
            restart: "no",
            readOnly: true,
            capabilities: { drops: ["ALL"] },
            securityOpts: ["no-new-privileges:true"],
            ...LOGS,
            labels: [
                ...labels(scope, { "mcp-infra.job": "audit-migrate" }),
                // A new loader (new secrets) replaces this container, so it runs again with them.
                { label: "mcp-infra.secrets", value: migrateFiles.loader.id },
            ],
        },
        { dependsOn: [...dataTier, migrateFiles.loader] },
    );

    const replicas = [...Array(spec.service.minReplicas).keys()].map((i) => {
        const host = replicaHost(scope.name, i);
        return scope.child(
            `replica-${i}`,
            docker.Container,
            {
                image: input.image.ref,
                hostname: host,
                networksAdvanced: [
                    { name: net.front.name, aliases: [host] },
                    { name: net.data.name, aliases: [host] },
                ],
                // Runs as the image's node user (uid 1000) in group 0, which reads the root:0 0440 secret files.
                user: SECRET_USERS.server,
                envs: envList({ ...environment, MCP_REPLICA_ID: host, ...input.environment, ...secretFileVars }),
                cpus: cpus(spec.service.milliCpu),
                memory: spec.service.memoryMiB,
                readOnly: true,
                tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
                volumes: [{ volumeName: anchors.name, containerPath: AUDIT_ANCHORS_PATH }, serverFiles.mount],
                capabilities: { drops: ["ALL"] },
                securityOpts: ["no-new-privileges:true"],
                healthcheck,
                wait: true,
                waitTimeout: 120,
                restart: "unless-stopped",
                // The server drains for up to 25 s on SIGTERM.
                stopTimeout: 30,
                ...LOGS,
                labels: [
                    ...labels(scope, { "mcp-infra.service": scope.name, "mcp-infra.replica": String(i) }),
                    // The server reads its secret files at start: new secrets (a new loader) replace the replica.
                    { label: "mcp-infra.secrets", value: serverFiles.loader.id },
                ],
            },
            {
                dependsOn: [...dataTier, migrate, serverFiles.loader],
                // Never two containers under one alias: nginx would resolve both and keep the address of the one that goes.
                deleteBeforeReplace: true,
            },
        );
    });

    const first = scope.inputs<docker.ContainerArgs>("replica-0");
    const edgeContainer = edge.attach({
        upstreams: replicas.map((_, i) => ({ host: replicaHost(scope.name, i), port: SERVER.port })),
        replicas,
        healthPath: pulumi.output(first.healthcheck).apply((h) => {
            const probe = (h?.tests ?? []).join(" ");
            return /127\.0\.0\.1:\d+(\/[\w./-]*)/.exec(probe)?.[1] ?? "/";
        }),
    });

    const used = replicas.map((_, i) => scope.inputs<docker.ContainerArgs>(`replica-${i}`));
    const summary = pulumi
        .all([pulumi.all(used.map((a) => pulumi.output({ cpus: a.cpus, memory: a.memory, ports: a.ports }))), image.platform])
        .apply(([rs, platform]) =>
            summarizeReplicas(
                rs.map((r) => ({
                    cpus: r.cpus,
                    memoryMiB: r.memory,
                    publishedPorts: r.ports?.length ?? 0,
                })),
                platform,
            ),
        )
        .apply((s) => ({
            ...s,
            auditAnchors: {
                location: `file://${AUDIT_ANCHORS_PATH}`,
                writeOnce: false,
                retentionDays: 0,
                note: "a Docker volume: NOT write-once; anyone with access to the Docker host can change or delete the checkpoints",
            },
        }));

    return {
        // Docker has no service object: the replicas carry the label mcp-infra.service=<this name>.
        serviceName: pulumi.output(scope.name),
        apiKeySecret: apiKeysRef,
        summary,
        replicas,
        edgeContainer,
        resources: {
            apiKey,
            replicas,
            anchors,
            migrate,
            secrets: serverFiles.volume,
            secretsLoader: serverFiles.loader,
            migrateSecrets: migrateFiles.volume,
            migrateSecretsLoader: migrateFiles.loader,
        },
    };
}
