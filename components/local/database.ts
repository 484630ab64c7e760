/**
 * AuditDatabase on the local target: one PostgreSQL container on the internal
 * data network, its data in a named Docker volume, no port published on the
 * host, a generated password, and limits from the tier's database vCPU and
 * memory. What a laptop cannot give is reported as it is: no standby, no
 * backups, no encryption at rest, no TLS (the traffic never leaves the host's
 * internal bridge), and no size cap on the volume.
 *
 * The password is applied when the volume is first initialised; PostgreSQL
 * keeps it from then on. It reaches the container as a file (POSTGRES_PASSWORD_FILE,
 * uploaded root:0 0440), never as an environment value: the image's entrypoint reads it as
 * root before it drops to the postgres user (uid 70 in the alpine image), which cannot. Destroying the stack deletes the volume and its data.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ConfigError, overrideKey } from "../../sizing";
import { Scope } from "../base";
import { AUDIT_SERVER_ROLE, DatabaseImpl, DatabaseInput, POSTGRES } from "../contract";
import { DatabaseSummary } from "../types";
import { cpus, IMAGES, imageMajor, labels, LOGS, milliCpuOf, pulledImage, secretUpload, stateJsonSecret } from "./common";
import { LocalNetwork } from "./network";

export const DB_NAME = POSTGRES.databaseName;
export const DB_USER = POSTGRES.user;
export const DB_PORT = POSTGRES.port;
/** PGDATA of the official postgres 17 image: where the volume is mounted. */
export const PG_DATA = "/var/lib/postgresql/data";
/** The administrator's password file (POSTGRES_PASSWORD_FILE), uploaded into the container. */
export const PG_PASSWORD_FILE = "/run/secrets/postgres-password";

export interface LocalDatabase extends DatabaseImpl {
    container: docker.Container;
    volume: docker.Volume;
}

/** The container inputs the summary is computed from. */
export interface PostgresContainerSummaryInputs {
    image: string;
    cpus?: string;
    memoryMiB?: number;
    publishedPorts: number;
}

/** Describes the PostgreSQL container in cloud-neutral terms. */
export function summarizePostgresContainer(i: PostgresContainerSummaryInputs): DatabaseSummary {
    return {
        cloud: "local",
        engine: "postgres",
        engineVersion: imageMajor(i.image),
        sku: i.image,
        vcpu: milliCpuOf(i.cpus) / 1000,
        memoryGiB: (i.memoryMiB ?? 0) / 1024,
        // Docker's local volume driver has no quota: the data may grow to the host's free disk (0 = no cap).
        storageGiB: 0,
        highAvailability: false,
        backupRetentionDays: 0,
        pointInTimeRestore: false,
        deletionProtection: false,
        readReplicas: 0,
        encryptedAtRest: false,
        tlsRequired: false,
        publicAccess: i.publishedPorts > 0,
    };
}

export function createDatabase(scope: Scope, { network, spec, overrides }: DatabaseInput<LocalNetwork>): LocalDatabase {
    if (overrides.dbInstanceClass) {
        throw new ConfigError(
            overrideKey("dbInstanceClass"),
            `"${overrides.dbInstanceClass}" names a cloud instance class; the local database is a container sized by dbVcpu and dbMemoryGiB, so unset dbInstanceClass`,
        );
    }
    const net = network;
    const host = scope.name;

    const image = pulledImage(scope, "image", IMAGES.postgres);
    const password = scope.child("password", random.RandomPassword, { length: 32, special: false });
    // The server's append-only role: audit:migrate creates it with this password (see ./cluster.ts).
    const serverPassword = scope.child("server-password", random.RandomPassword, { length: 32, special: false });
    const volume = scope.child("data", docker.Volume, { driver: "local", labels: labels(scope) });

    const container = scope.child(
        "postgres",
        docker.Container,
        {
            image: image.imageId,
            hostname: host,
            networksAdvanced: [{ name: net.data.name, aliases: [host] }],
            envs: [`POSTGRES_DB=${DB_NAME}`, `POSTGRES_USER=${DB_USER}`, `POSTGRES_PASSWORD_FILE=${PG_PASSWORD_FILE}`],
            uploads: [secretUpload(PG_PASSWORD_FILE, password.result)],
            volumes: [{ volumeName: volume.name, containerPath: PG_DATA }],
            cpus: cpus(spec.database.vcpu * 1000),
            memory: spec.database.memoryGiB * 1024,
            // Ready only once the real server listens on TCP (the init phase listens on the socket only).
            healthcheck: {
                tests: ["CMD", "pg_isready", "-h", "127.0.0.1", "-p", String(DB_PORT), "-U", DB_USER, "-d", DB_NAME],
                interval: "5s",
                timeout: "3s",
                retries: 10,
                startPeriod: "10s",
            },
            wait: true,
            waitTimeout: 120,
            restart: "unless-stopped",
            // Time for a clean shutdown (a checkpoint) before Docker kills it.
            stopTimeout: 60,
            ...LOGS,
            labels: labels(scope),
        },
        {
            // Never two PostgreSQL servers on one data volume, even for a moment.
            deleteBeforeReplace: true,
        },
    );

    const urlOf = (user: string, pw: string) =>
        `postgres://${user}:${encodeURIComponent(pw)}@${host}:${DB_PORT}/${DB_NAME}?sslmode=disable`;
    // `url` (DATABASE_URL of the server) names the append-only role; `adminUrl` only the migrate step reads.
    const credentials = stateJsonSecret(
        pulumi.all([password.result, serverPassword.result]).apply(([pw, spw]) => ({
            engine: "postgres",
            host,
            port: DB_PORT,
            dbname: DB_NAME,
            username: AUDIT_SERVER_ROLE,
            password: spw,
            url: urlOf(AUDIT_SERVER_ROLE, spw),
            adminUsername: DB_USER,
            adminPassword: pw,
            adminUrl: urlOf(DB_USER, pw),
        })),
    );

    const used = scope.inputs<docker.ContainerArgs>("postgres");
    const pulled = scope.inputs<docker.RemoteImageArgs>("image");
    const summary = pulumi.output({ image: pulled.name, cpus: used.cpus, memory: used.memory, ports: used.ports }).apply((u) =>
        summarizePostgresContainer({
            image: String(u.image),
            cpus: u.cpus,
            memoryMiB: u.memory,
            publishedPorts: u.ports?.length ?? 0,
        }),
    );

    return {
        endpoint: pulumi.output(host),
        port: pulumi.output(DB_PORT),
        databaseName: pulumi.output(DB_NAME),
        credentialsSecret: { id: credentials },
        urlSecret: { id: credentials, key: "url" },
        migration: {
            adminUrlSecret: { id: credentials, key: "adminUrl" },
            serverRole: AUDIT_SERVER_ROLE,
            serverPasswordSecret: { id: credentials, key: "password" },
        },
        summary,
        container,
        volume,
        resources: { image, volume, container, serverPassword },
    };
}
