/**
 * AuditDatabase on GCP: Cloud SQL for PostgreSQL (Enterprise edition) with a
 * private IP only (no public IPv4, reached over private services access),
 * TLS required for every connection (ENCRYPTED_ONLY), encrypted at rest by
 * Google, REGIONAL availability (a synchronous standby in another zone with
 * automatic failover) where the tier asks for HA, daily backups with
 * point-in-time recovery, deletion protection set explicitly (Cloud SQL and
 * the provider default it on) and a read replica in enterprise. The generated
 * password lives only in Secret Manager (and Pulumi's encrypted state).
 *
 * Two credentials: the built-in administrator (`admin-url`, read only by the
 * audit:migrate job's service account, see ./cluster.ts) and the append-only
 * `mcp_server` role the service connects as (`url`), which that job creates
 * with the generated `server-password`.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { gcpSizing, sqlTier } from "../../sizing/gcp";
import { Scope } from "../base";
import { AUDIT_SERVER_ROLE, DatabaseImpl, DatabaseInput, POSTGRES } from "../contract";
import { DatabaseSummary } from "../types";
import { gcpId, secretWithValue } from "./common";
import { GcpNetwork } from "./network";

export const POSTGRES_VERSION = `POSTGRES_${POSTGRES.major}`;
export const DB_NAME = POSTGRES.databaseName;
export const DB_USER = POSTGRES.user;
export const DB_PORT = POSTGRES.port;

export interface GcpDatabase extends DatabaseImpl {
    instance: gcp.sql.DatabaseInstance;
    replicas: gcp.sql.DatabaseInstance[];
    /** The private zone and A record that make the instance's DNS name resolve in the VPC; connect only after them. */
    privateDns: { zone: gcp.dns.ManagedZone; record: gcp.dns.RecordSet };
}

/** The server CA mode whose certificates name the instance's DNS name (see the header). */
export const SERVER_CA_MODE = "GOOGLE_MANAGED_CAS_CA";
/** Seconds resolvers may cache the instance's A record (its private IP is stable, also across an HA failover). */
export const DNS_TTL = 300;

/**
 * The instance's own DNS name for private services access, the name its shared-CA certificate carries,
 * fully qualified (with the trailing dot). The singular `dnsName` output is Private Service Connect's.
 */
export function psaDnsName(names: ReadonlyArray<{ name: string; connectionType: string; dnsScope: string }> | undefined): string {
    const found = (names ?? []).filter((n) => n.connectionType === "PRIVATE_SERVICES_ACCESS" && n.dnsScope === "INSTANCE" && n.name);
    if (found.length !== 1)
        throw new Error(
            `Cloud SQL reported ${found.length} private-services-access instance DNS names (dnsNames: ${JSON.stringify(names ?? [])}); ` +
                `verify-full needs exactly one, which server CA mode ${SERVER_CA_MODE} gives`,
        );
    const n = found[0].name;
    return n.endsWith(".") ? n : `${n}.`;
}

/** The private zone's domain for an instance DNS name: the name without its first label, with the trailing dot. */
export function privateZoneDomain(fqdn: string): string {
    const labels = fqdn.replace(/\.$/, "").split(".");
    if (labels.length < 3 || labels.some((l) => !l)) throw new Error(`not an instance DNS name with a domain: "${fqdn}"`);
    return `${labels.slice(1).join(".")}.`;
}

/** The Cloud SQL instance inputs the summary is computed from. */
export interface CloudSqlSummaryInputs {
    databaseVersion: string;
    tier: string;
    diskSize: number;
    availabilityType: string;
    backupsEnabled: boolean;
    retainedBackups: number;
    pointInTimeRecovery: boolean;
    /** Both the provider's `deletionProtection` and the API's `deletionProtectionEnabled`. */
    deletionProtection: boolean;
    deletionProtectionEnabled: boolean;
    ipv4Enabled: boolean;
    sslMode: string;
    replicaCount: number;
}

/** Describes a Cloud SQL deployment in cloud-neutral terms, from the inputs its resources were created with. */
export function summarizeCloudSql(i: CloudSqlSummaryInputs): DatabaseSummary {
    const tier = sqlTier(i.tier);
    return {
        cloud: "gcp",
        engine: "postgres",
        engineVersion: i.databaseVersion.replace(/^POSTGRES_/, ""),
        sku: i.tier,
        vcpu: tier.vcpu,
        memoryGiB: tier.memoryGiB,
        storageGiB: i.diskSize,
        highAvailability: i.availabilityType === "REGIONAL",
        // One automated backup a day: N retained backups cover N days.
        backupRetentionDays: i.backupsEnabled ? i.retainedBackups : 0,
        pointInTimeRestore: i.backupsEnabled && i.pointInTimeRecovery,
        deletionProtection: i.deletionProtection && i.deletionProtectionEnabled,
        readReplicas: i.replicaCount,
        // Cloud SQL always encrypts data at rest (Google-managed keys).
        encryptedAtRest: true,
        tlsRequired: i.sslMode === "ENCRYPTED_ONLY" || i.sslMode === "TRUSTED_CLIENT_CERTIFICATE_REQUIRED",
        publicAccess: i.ipv4Enabled,
    };
}

export function createDatabase(scope: Scope, { network, spec, overrides }: DatabaseInput<GcpNetwork>): GcpDatabase {
    const net = network;
    const { project, region } = net.location;
    const sizing = gcpSizing(spec, overrides);
    const db = spec.database;

    const ipConfiguration = {
        ipv4Enabled: false,
        privateNetwork: net.network.id,
        allocatedIpRange: net.privateRangeName,
        sslMode: "ENCRYPTED_ONLY",
        // The shared Google-managed CA: its server certificates name the instance's DNS name (dnsNames,
        // private services access), so the server can verify the host (verify-full); the per-instance CA's
        // certificates name neither the private IP nor a DNS name.
        serverCaMode: SERVER_CA_MODE,
        enablePrivatePathForGoogleCloudServices: false,
    };
    const flags = [{ name: "log_min_duration_statement", value: "1000" }];

    const instance = scope.child(
        "instance",
        gcp.sql.DatabaseInstance,
        {
            project,
            region,
            databaseVersion: POSTGRES_VERSION,
            deletionProtection: db.deletionProtection,
            settings: {
                // PostgreSQL 16+ defaults to Enterprise Plus, which has no custom or shared-core tiers.
                edition: "ENTERPRISE",
                tier: sizing.dbTier,
                availabilityType: db.highAvailability ? "REGIONAL" : "ZONAL",
                diskType: "PD_SSD",
                diskSize: sizing.dbStorageGb,
                diskAutoresize: true,
                diskAutoresizeLimit: sizing.dbStorageGb * 2,
                deletionProtectionEnabled: db.deletionProtection,
                retainBackupsOnDelete: db.deletionProtection,
                ipConfiguration,
                backupConfiguration: {
                    enabled: true,
                    startTime: "03:00",
                    pointInTimeRecoveryEnabled: db.pointInTimeRestore,
                    transactionLogRetentionDays: sizing.dbPitrDays,
                    backupRetentionSettings: { retainedBackups: sizing.dbRetainedBackups, retentionUnit: "COUNT" },
                },
                databaseFlags: flags,
                insightsConfig: { queryInsightsEnabled: spec.database.compute === "standard" },
                maintenanceWindow: { day: 7, hour: 4, updateTrack: "stable" },
                userLabels: { "mcp-infra": "audit" },
            },
        },
        { dependsOn: [net.privateServices] },
    );

    const replicas = [...Array(db.readReplicas).keys()].map((i) =>
        scope.child(
            `replica-${i}`,
            gcp.sql.DatabaseInstance,
            {
                project,
                region,
                databaseVersion: POSTGRES_VERSION,
                masterInstanceName: instance.name,
                replicaConfiguration: { failoverTarget: false },
                deletionProtection: db.deletionProtection,
                settings: {
                    edition: "ENTERPRISE",
                    tier: sizing.dbTier,
                    availabilityType: "ZONAL",
                    diskType: "PD_SSD",
                    diskSize: sizing.dbStorageGb,
                    diskAutoresize: true,
                    diskAutoresizeLimit: sizing.dbStorageGb * 2,
                    deletionProtectionEnabled: db.deletionProtection,
                    ipConfiguration,
                    // Replicas take no backups of their own; the primary's cover them.
                    backupConfiguration: { enabled: false },
                    databaseFlags: flags,
                    userLabels: { "mcp-infra": "audit-replica" },
                },
            },
            { dependsOn: [net.privateServices] },
        ),
    );

    const database = scope.child("database", gcp.sql.Database, { project, instance: instance.name, name: DB_NAME });
    const password = scope.child("password", random.RandomPassword, { length: 32, special: false });
    const user = scope.child("user", gcp.sql.User, {
        project,
        instance: instance.name,
        name: DB_USER,
        password: password.result,
        type: "BUILT_IN",
    });

    // The server's append-only role: the audit:migrate job creates it with this password (see ./cluster.ts).
    const serverPassword = scope.child("server-password", random.RandomPassword, { length: 32, special: false });

    // The instance's DNS name (the name its certificate carries), made to resolve inside the VPC: a private zone
    // for its domain, visible to the stack's network only, and an A record to the instance's private IP.
    const fqdn = instance.dnsNames.apply(psaDnsName);
    const zone = scope.child(
        "private-dns",
        gcp.dns.ManagedZone,
        {
            project,
            name: gcpId(scope, "sql-dns", 63),
            dnsName: fqdn.apply(privateZoneDomain),
            visibility: "private",
            privateVisibilityConfig: { networks: [{ networkUrl: net.network.id }] },
            description: "Cloud SQL instance DNS names (private services access) inside the MCP server network, for verify-full",
            labels: { "mcp-infra": "audit" },
        },
        { dependsOn: net.apis },
    );
    const record = scope.child("dns-record", gcp.dns.RecordSet, {
        project,
        managedZone: zone.name,
        name: fqdn,
        type: "A",
        ttl: DNS_TTL,
        rrdatas: [instance.privateIpAddress],
    });
    // Without the trailing dot, as clients and certificates spell it.
    const host = fqdn.apply((n) => n.replace(/\.$/, ""));
    const urlOf = (user: string, pw: string, h: string) =>
        `postgres://${user}:${encodeURIComponent(pw)}@${h}:${DB_PORT}/${DB_NAME}?sslmode=verify-full`;
    const adminUrl = pulumi.all([host, password.result]).apply(([h, pw]) => urlOf(DB_USER, pw, h));
    const url = pulumi.all([host, serverPassword.result]).apply(([h, pw]) => urlOf(AUDIT_SERVER_ROLE, pw, h));
    // The CAs that sign the server certificate (current, and the next during a rotation), for DATABASE_CA_CERT.
    const caCertificate = instance.serverCaCerts.apply((certs) => certs.map((c) => c.cert.trim()).join("\n"));
    const credentials = secretWithValue(
        scope,
        "credentials",
        pulumi.all([host, password.result, adminUrl]).apply(([host, pw, u]) =>
            JSON.stringify({
                engine: "postgres",
                host,
                port: DB_PORT,
                dbname: DB_NAME,
                username: DB_USER,
                password: pw,
                url: u,
            }),
        ),
        "Audit database administrator credentials and connection URL (operators)",
        { dependsOn: net.apis },
    );
    // Secret Manager holds whole values (no JSON keys), so each URL and password has its own secret.
    // DATABASE_URL of the service: the append-only role (no UPDATE, DELETE or TRUNCATE on the audit log).
    const urlSecret = secretWithValue(scope, "url", url, `DATABASE_URL of the MCP server (the append-only ${AUDIT_SERVER_ROLE} role)`, {
        dependsOn: [...net.apis, user, database],
    });
    // DATABASE_ADMIN_URL and the server role's password: read only by the audit:migrate job.
    const adminUrlSecret = secretWithValue(scope, "admin-url", adminUrl, "DATABASE_ADMIN_URL of the audit:migrate job (administrator)", {
        dependsOn: [...net.apis, user, database],
    });
    const serverPasswordSecret = secretWithValue(
        scope,
        "server-password-secret",
        serverPassword.result,
        `Password of the ${AUDIT_SERVER_ROLE} role, set by the audit:migrate job`,
        { dependsOn: net.apis },
    );

    const used = scope.inputs<gcp.sql.DatabaseInstanceArgs>("instance");
    const summary = pulumi
        .output({
            version: used.databaseVersion,
            deletion: used.deletionProtection,
            settings: used.settings,
        })
        .apply(({ version, deletion, settings }) =>
            summarizeCloudSql({
                databaseVersion: String(version),
                tier: String(settings?.tier),
                diskSize: Number(settings?.diskSize),
                availabilityType: String(settings?.availabilityType ?? "ZONAL"),
                backupsEnabled: Boolean(settings?.backupConfiguration?.enabled),
                retainedBackups: Number(settings?.backupConfiguration?.backupRetentionSettings?.retainedBackups ?? 7),
                pointInTimeRecovery: Boolean(settings?.backupConfiguration?.pointInTimeRecoveryEnabled),
                // The provider's deletion protection defaults to true when unset.
                deletionProtection: deletion ?? true,
                deletionProtectionEnabled: Boolean(settings?.deletionProtectionEnabled),
                ipv4Enabled: settings?.ipConfiguration?.ipv4Enabled ?? true,
                sslMode: String(settings?.ipConfiguration?.sslMode ?? "ALLOW_UNENCRYPTED_AND_ENCRYPTED"),
                replicaCount: replicas.length,
            }),
        );

    return {
        endpoint: instance.privateIpAddress,
        port: pulumi.output(DB_PORT),
        databaseName: pulumi.output(DB_NAME),
        credentialsSecret: { id: credentials.id },
        urlSecret: { id: urlSecret.id },
        migration: {
            adminUrlSecret: { id: adminUrlSecret.id },
            serverRole: AUDIT_SERVER_ROLE,
            serverPasswordSecret: { id: serverPasswordSecret.id },
        },
        caCertificate,
        summary,
        instance,
        replicas,
        privateDns: { zone, record },
        resources: {
            instance,
            replicas,
            privateDnsZone: zone,
            dnsRecord: record,
            database,
            user,
            credentials,
            urlSecret,
            serverPassword,
            adminUrlSecret,
            serverPasswordSecret,
        },
    };
}
