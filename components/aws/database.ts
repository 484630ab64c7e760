/**
 * AuditDatabase on AWS: RDS for PostgreSQL in the private subnets, encrypted,
 * never public, SSL forced by parameter, Multi-AZ / backups / deletion
 * protection / final snapshot / read replica as the tier says. The generated
 * password lives only in Secrets Manager (and Pulumi's encrypted state).
 *
 * Two credentials: the master user's secret (`credentials`), which only the
 * audit:migrate init container is given, and the append-only `mcp_server`
 * role's secret (`server-credentials`, a generated password that migrate sets),
 * whose URL the server reads as DATABASE_URL (see docs/audit.md).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { awsSizing, rdsClass } from "../../sizing/aws";
import { Scope } from "../base";
import { AUDIT_SERVER_ROLE, DatabaseImpl, DatabaseInput, POSTGRES } from "../contract";
import { DatabaseSummary } from "../types";
import { AwsNetwork } from "./network";
import { storedSecret } from "./secrets";

export const POSTGRES_MAJOR = POSTGRES.major;
export const DB_NAME = POSTGRES.databaseName;
export const DB_USER = POSTGRES.user;
export const DB_PORT = POSTGRES.port;

export interface AwsDatabase extends DatabaseImpl {
    securityGroup: aws.ec2.SecurityGroup;
    instance: aws.rds.Instance;
    replicas: aws.rds.Instance[];
}

/** The RDS instance inputs the summary is computed from. */
export interface RdsSummaryInputs {
    instanceClass: string;
    engineVersion: string;
    allocatedStorage: number;
    multiAz: boolean;
    backupRetentionPeriod: number;
    deletionProtection: boolean;
    storageEncrypted: boolean;
    publiclyAccessible: boolean;
    /** `rds.force_ssl` from the parameter group. */
    forceSsl: string | undefined;
    replicaCount: number;
}

/** Describes an RDS deployment in cloud-neutral terms, from the inputs its resources were created with. */
export function summarizeRds(i: RdsSummaryInputs): DatabaseSummary {
    const cls = rdsClass(i.instanceClass);
    return {
        cloud: "aws",
        engine: "postgres",
        engineVersion: i.engineVersion,
        sku: i.instanceClass,
        vcpu: cls.vcpu,
        memoryGiB: cls.memoryGiB,
        storageGiB: i.allocatedStorage,
        highAvailability: i.multiAz,
        backupRetentionDays: i.backupRetentionPeriod,
        // RDS restores to any second of the retention window whenever automated backups are on.
        pointInTimeRestore: i.backupRetentionPeriod > 0,
        deletionProtection: i.deletionProtection,
        readReplicas: i.replicaCount,
        encryptedAtRest: i.storageEncrypted,
        tlsRequired: i.forceSsl === "1",
        publicAccess: i.publiclyAccessible,
    };
}

export function createDatabase(scope: Scope, { network, spec, overrides }: DatabaseInput<AwsNetwork>): AwsDatabase {
    const net = network;
    const sizing = awsSizing(spec, overrides);
    const db = spec.database;

    const securityGroup = scope.child("sg", aws.ec2.SecurityGroup, {
        vpcId: net.vpc.id,
        description: "Audit database: PostgreSQL from the MCP service only",
    });
    const subnetGroup = scope.child("subnets", aws.rds.SubnetGroup, {
        subnetIds: net.privateSubnetIds,
        description: "Private subnets of the audit database",
    });
    const parameterGroup = scope.child("params", aws.rds.ParameterGroup, {
        family: `postgres${POSTGRES_MAJOR}`,
        description: "Forces TLS for every connection",
        parameters: [
            { name: "rds.force_ssl", value: "1" },
            { name: "log_min_duration_statement", value: "1000" },
        ],
    });
    const password = scope.child("password", random.RandomPassword, {
        length: 32,
        special: false,
    });
    const snapshotSuffix = scope.child("snapshot-suffix", random.RandomId, { byteLength: 4 });

    const instanceArgs: aws.rds.InstanceArgs = {
        engine: "postgres",
        engineVersion: POSTGRES_MAJOR,
        instanceClass: sizing.dbInstanceClass,
        allocatedStorage: sizing.dbStorageGiB,
        maxAllocatedStorage: sizing.dbStorageGiB * 2,
        storageType: "gp3",
        storageEncrypted: true,
        dbName: DB_NAME,
        username: DB_USER,
        password: password.result,
        port: DB_PORT,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: [securityGroup.id],
        parameterGroupName: parameterGroup.name,
        publiclyAccessible: false,
        multiAz: db.highAvailability,
        backupRetentionPeriod: db.backupRetentionDays,
        deletionProtection: db.deletionProtection,
        skipFinalSnapshot: !db.deletionProtection,
        finalSnapshotIdentifier: db.deletionProtection ? pulumi.interpolate`${scope.name}-final-${snapshotSuffix.hex}` : undefined,
        copyTagsToSnapshot: true,
        autoMinorVersionUpgrade: true,
        caCertIdentifier: "rds-ca-rsa2048-g1",
        performanceInsightsEnabled: db.compute === "standard",
        applyImmediately: !db.deletionProtection,
    };
    const instance = scope.child("instance", aws.rds.Instance, instanceArgs);

    const replicas = [...Array(db.readReplicas).keys()].map((i) =>
        scope.child(`replica-${i}`, aws.rds.Instance, {
            replicateSourceDb: instance.identifier,
            instanceClass: sizing.dbInstanceClass,
            storageType: "gp3",
            storageEncrypted: true,
            vpcSecurityGroupIds: [securityGroup.id],
            parameterGroupName: parameterGroup.name,
            publiclyAccessible: false,
            multiAz: false,
            backupRetentionPeriod: 0,
            deletionProtection: db.deletionProtection,
            skipFinalSnapshot: true,
            autoMinorVersionUpgrade: true,
            caCertIdentifier: "rds-ca-rsa2048-g1",
            performanceInsightsEnabled: db.compute === "standard",
        }),
    );

    const urlOf = (user: string, pw: string, host: string) =>
        `postgres://${user}:${encodeURIComponent(pw)}@${host}:${DB_PORT}/${DB_NAME}?sslmode=verify-full`;
    // The master user's credentials: named only in the audit:migrate init container's secrets.
    const secret = storedSecret(
        scope,
        "credentials",
        "Audit database master credentials: for the audit:migrate step only, never the MCP server",
        pulumi.all([instance.address, password.result]).apply(([host, pw]) => ({
            engine: "postgres",
            host,
            port: DB_PORT,
            dbname: DB_NAME,
            username: DB_USER,
            password: pw,
            url: urlOf(DB_USER, pw, host),
        })),
        db.deletionProtection ? 30 : 0,
        spec.secretStore,
        ["url"],
    );
    // The append-only role the server connects as; audit:migrate creates it with this password.
    const serverPassword = scope.child("server-password", random.RandomPassword, { length: 32, special: false });
    const serverSecret = storedSecret(
        scope,
        "server-credentials",
        `Audit database credentials of the append-only ${AUDIT_SERVER_ROLE} role and the MCP server's connection URL`,
        pulumi.all([instance.address, serverPassword.result]).apply(([host, pw]) => ({
            engine: "postgres",
            host,
            port: DB_PORT,
            dbname: DB_NAME,
            username: AUDIT_SERVER_ROLE,
            password: pw,
            url: urlOf(AUDIT_SERVER_ROLE, pw, host),
        })),
        db.deletionProtection ? 30 : 0,
        spec.secretStore,
        ["url", "password"],
    );

    const params = scope.inputs<aws.rds.ParameterGroupArgs>("params");
    const used = scope.inputs<aws.rds.InstanceArgs>("instance");
    const summary = pulumi
        .output({
            instanceClass: used.instanceClass,
            engineVersion: used.engineVersion,
            allocatedStorage: used.allocatedStorage,
            multiAz: used.multiAz,
            backups: used.backupRetentionPeriod,
            deletion: used.deletionProtection,
            encrypted: used.storageEncrypted,
            isPublic: used.publiclyAccessible,
            parameters: params.parameters,
        })
        .apply((u) =>
            summarizeRds({
                instanceClass: String(u.instanceClass),
                engineVersion: String(u.engineVersion),
                allocatedStorage: Number(u.allocatedStorage),
                multiAz: Boolean(u.multiAz),
                backupRetentionPeriod: Number(u.backups ?? 0),
                deletionProtection: Boolean(u.deletion),
                storageEncrypted: Boolean(u.encrypted),
                publiclyAccessible: Boolean(u.isPublic),
                forceSsl: u.parameters?.find((p) => p.name === "rds.force_ssl")?.value,
                replicaCount: replicas.length,
            }),
        );

    return {
        endpoint: instance.address,
        port: pulumi.output(DB_PORT),
        databaseName: pulumi.output(DB_NAME),
        credentialsSecret: serverSecret.document,
        urlSecret: serverSecret.ref("url"),
        migration: {
            adminUrlSecret: secret.ref("url"),
            serverRole: AUDIT_SERVER_ROLE,
            serverPasswordSecret: serverSecret.ref("password"),
        },
        summary,
        securityGroup,
        instance,
        replicas,
        resources: {
            securityGroup,
            subnetGroup,
            parameterGroup,
            instance,
            replicas,
            serverPassword,
            ...secret.resources,
            ...serverSecret.resources,
        },
    };
}
