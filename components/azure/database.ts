/**
 * AuditDatabase on Azure: PostgreSQL Flexible Server with private access only
 * (delegated subnet + private DNS zone linked to the VNet, public network
 * access disabled), TLS required by server parameter, zone-redundant HA,
 * backups (geo-redundant in enterprise) and a read replica as the tier says,
 * and a CanNotDelete lock where the tier wants deletion protection. The
 * generated password lives only in Key Vault (secretStore managed) or, with
 * secretStore platform, only in Pulumi's encrypted state and the Container
 * Apps job or app that reads it (./private.ts), and never in plain config.
 *
 * Two credentials (docs/audit.md): the administrator's URL (`database-admin-url`), read only by the
 * audit:migrate job's identity, and the append-only `mcp_server` role's URL (`database-url`), the
 * server's DATABASE_URL. The role's password is generated here and set by the migrate job.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { azureSizing, postgresSku } from "../../sizing/azure";
import { Scope } from "../base";
import { AUDIT_SERVER_ROLE, DatabaseImpl, DatabaseInput, POSTGRES } from "../contract";
import { DatabaseSummary } from "../types";
import { AzureNetwork, DB_PORT } from "./network";
import { AzureSecret, privateZone, storeSecret } from "./private";

export const POSTGRES_MAJOR = POSTGRES.major;
export const DB_NAME = POSTGRES.databaseName;
export const DB_USER = POSTGRES.user;

export interface AzureDatabase extends DatabaseImpl {
    server: dbforpostgresql.Server;
    replicas: dbforpostgresql.Server[];
    /** urlSecret as stored: the append-only `mcp_server` role's URL (in the vault, the service is granted read on it alone). */
    urlStored: AzureSecret;
    /**
     * The secrets only the audit:migrate job reads: the administrator's URL and the `mcp_server` role's
     * password (the job sets it). In the vault only the job's identity may read them; with secretStore
     * platform only the job carries them. The service gets neither.
     */
    migrationSecrets: { adminUrl: AzureSecret; serverPassword: AzureSecret };
}

/** The server, parameter and lock inputs the summary is computed from. */
export interface FlexibleServerSummaryInputs {
    skuName: string;
    version: string;
    storageSizeGB: number;
    haMode: string;
    backupRetentionDays: number;
    deleteLock: boolean;
    publicNetworkAccess: string;
    /** `require_secure_transport` as set on the server (Flexible Server's name for it). */
    requireSecureTransport: string | undefined;
    replicaCount: number;
}

/** Describes a Flexible Server deployment in cloud-neutral terms, from the inputs its resources were created with. */
export function summarizeFlexibleServer(i: FlexibleServerSummaryInputs): DatabaseSummary {
    const sku = postgresSku(i.skuName);
    return {
        cloud: "azure",
        engine: "postgres",
        engineVersion: i.version,
        sku: i.skuName,
        vcpu: sku.vcpu,
        memoryGiB: sku.memoryGiB,
        storageGiB: i.storageSizeGB,
        highAvailability: i.haMode === "ZoneRedundant",
        backupRetentionDays: i.backupRetentionDays,
        // Flexible Server restores to any point in its backup window; backups cannot be turned off.
        pointInTimeRestore: i.backupRetentionDays > 0,
        deletionProtection: i.deleteLock,
        readReplicas: i.replicaCount,
        // Flexible Server always encrypts storage and backups (AES-256, service-managed keys by default).
        encryptedAtRest: true,
        tlsRequired: i.requireSecureTransport === "on",
        publicAccess: i.publicNetworkAccess !== "Disabled",
    };
}

export function createDatabase(scope: Scope, { network, spec, overrides }: DatabaseInput<AzureNetwork>): AzureDatabase {
    const net = network;
    const sizing = azureSizing(spec, overrides);
    const db = spec.database;
    const resourceGroupName = net.resourceGroupName;

    const dns = privateZone(
        scope,
        "dns",
        pulumi.interpolate`mcp-${net.suffix}.private.postgres.database.azure.com`,
        resourceGroupName,
        net.vnet,
    );
    const password = scope.child("password", random.RandomPassword, { length: 32, special: false });
    const serverPassword = scope.child("server-password", random.RandomPassword, { length: 32, special: false });

    const sku = { name: sizing.dbSku.name, tier: sizing.dbSku.tier };
    const serverNetwork = {
        delegatedSubnetResourceId: net.subnets.database.id,
        privateDnsZoneArmResourceId: dns.zone.id,
        publicNetworkAccess: "Disabled",
    };
    const server = scope.child(
        "server",
        dbforpostgresql.Server,
        {
            resourceGroupName,
            createMode: "Create",
            version: POSTGRES_MAJOR,
            sku,
            storage: { storageSizeGB: sizing.dbStorageGiB, autoGrow: "Enabled" },
            administratorLogin: DB_USER,
            administratorLoginPassword: password.result,
            authConfig: { passwordAuth: "Enabled", activeDirectoryAuth: "Disabled" },
            network: serverNetwork,
            availabilityZone: sizing.zoneRedundant ? "1" : undefined,
            highAvailability: db.highAvailability ? { mode: "ZoneRedundant", standbyAvailabilityZone: "2" } : { mode: "Disabled" },
            backup: {
                backupRetentionDays: sizing.dbBackupRetentionDays,
                geoRedundantBackup: sizing.dbGeoRedundantBackup ? "Enabled" : "Disabled",
            },
        },
        { dependsOn: [dns.link] },
    );

    // Server parameters are applied one at a time (the server rejects concurrent updates).
    const tls = scope.child("require-tls", dbforpostgresql.Configuration, {
        resourceGroupName,
        serverName: server.name,
        configurationName: "require_secure_transport",
        value: "on",
        source: "user-override",
    });
    const tlsVersion = scope.child(
        "tls-version",
        dbforpostgresql.Configuration,
        {
            resourceGroupName,
            serverName: server.name,
            configurationName: "ssl_min_protocol_version",
            value: "TLSv1.2",
            source: "user-override",
        },
        { dependsOn: [tls] },
    );
    const database = scope.child(
        "database",
        dbforpostgresql.Database,
        {
            resourceGroupName,
            serverName: server.name,
            databaseName: DB_NAME,
            charset: "UTF8",
            collation: "en_US.utf8",
        },
        { dependsOn: [tlsVersion] },
    );

    const replicas = [...Array(db.readReplicas).keys()].map((i) =>
        scope.child(
            `replica-${i}`,
            dbforpostgresql.Server,
            {
                resourceGroupName,
                createMode: "Replica",
                sourceServerResourceId: server.id,
                sku,
                storage: { storageSizeGB: sizing.dbStorageGiB, autoGrow: "Enabled" },
                network: serverNetwork,
                availabilityZone: sizing.zoneRedundant ? "3" : undefined,
            },
            { dependsOn: [database] },
        ),
    );

    if (db.deletionProtection) {
        scope.child("lock", authorization.ManagementLockByScope, {
            scope: server.id,
            level: "CanNotDelete",
            notes: "Audit database: remove this lock deliberately before deleting the server",
        });
    }

    const host = server.fullyQualifiedDomainName;
    const credentials = storeSecret(scope, "credentials", {
        resourceGroupName,
        vaultName: net.vaultName,
        name: "database-credentials",
        contentType: "application/json",
        value: pulumi.all([host, password.result]).apply(([h, pw]) =>
            JSON.stringify({
                engine: "postgres",
                host: h,
                port: DB_PORT,
                dbname: DB_NAME,
                username: DB_USER,
                password: pw,
            }),
        ),
    });
    const urlOf = (user: string, pw: string, h: string) =>
        `postgres://${user}:${encodeURIComponent(pw)}@${h}:${DB_PORT}/${DB_NAME}?sslmode=verify-full`;
    // The administrator's URL: for the audit:migrate job only (schema, grants, the server role's password).
    const adminUrl = storeSecret(scope, "admin-url", {
        resourceGroupName,
        vaultName: net.vaultName,
        name: "database-admin-url",
        contentType: "text/plain",
        value: pulumi.all([host, password.result]).apply(([h, pw]) => urlOf(DB_USER, pw, h)),
    });
    const serverPasswordSecret = storeSecret(scope, "server-password-secret", {
        resourceGroupName,
        vaultName: net.vaultName,
        name: "database-server-password",
        contentType: "text/plain",
        value: serverPassword.result,
    });
    // The server's DATABASE_URL: the append-only role the migrate job creates (no UPDATE, DELETE or TRUNCATE on the log).
    const url = storeSecret(scope, "url", {
        resourceGroupName,
        vaultName: net.vaultName,
        name: "database-url",
        contentType: "text/plain",
        value: pulumi.all([host, serverPassword.result]).apply(([h, pw]) => urlOf(AUDIT_SERVER_ROLE, pw, h)),
    });

    const used = scope.inputs<dbforpostgresql.ServerArgs>("server");
    const tlsArgs = scope.inputs<dbforpostgresql.ConfigurationArgs>("require-tls");
    const hasLock = scope.childRoles().includes("lock");
    const summary = pulumi
        .output({
            sku: used.sku,
            version: used.version,
            storage: used.storage,
            ha: used.highAvailability,
            backup: used.backup,
            net: used.network,
            requireTls: tlsArgs.value,
        })
        .apply((u) =>
            summarizeFlexibleServer({
                skuName: String(u.sku?.name),
                version: String(u.version),
                storageSizeGB: Number(u.storage?.storageSizeGB),
                haMode: String(u.ha?.mode ?? "Disabled"),
                backupRetentionDays: Number(u.backup?.backupRetentionDays ?? 7),
                deleteLock: hasLock,
                publicNetworkAccess: String(u.net?.publicNetworkAccess ?? "Enabled"),
                requireSecureTransport: u.requireTls,
                replicaCount: replicas.length,
            }),
        );

    return {
        endpoint: host,
        port: pulumi.output(DB_PORT),
        databaseName: pulumi.output(DB_NAME),
        credentialsSecret: credentials.ref,
        urlSecret: url.ref,
        summary,
        server,
        replicas,
        urlStored: url,
        migration: { adminUrlSecret: adminUrl.ref, serverRole: AUDIT_SERVER_ROLE, serverPasswordSecret: serverPasswordSecret.ref },
        migrationSecrets: { adminUrl, serverPassword: serverPasswordSecret },
        resources: {
            server,
            replicas,
            database,
            privateDnsZone: dns.zone,
            ...(credentials.vaultSecret
                ? {
                      credentials: credentials.vaultSecret,
                      url: url.vaultSecret,
                      adminUrl: adminUrl.vaultSecret,
                      serverPassword: serverPasswordSecret.vaultSecret,
                  }
                : {}),
        },
    };
}
