/**
 * McpCluster on Azure: a Container Apps environment (workload profiles,
 * Consumption) in the VNet, zone-redundant where the tier spans zones, logs to
 * the stack's Log Analytics workspace; and one container app with min/max
 * replicas, an HTTP concurrency and a CPU scale rule, startup/liveness/
 * readiness probes, HTTPS-only ingress (metrics port never exposed), and
 * its secrets as Container Apps secrets read from the environment by
 * `secretRef`: Key Vault references through a user-assigned identity that may
 * read exactly those secrets (secretStore managed), or the values themselves,
 * Pulumi secrets, held by the app (platform; see ./private.ts). The identity
 * pulls from exactly this registry. Then it attaches the edge to the app
 * (`edge.attach`).
 *
 * The environment follows the edge: behind Application Gateway (loadBalancer)
 * it is internal (an internal load balancer only, public network access off)
 * and the app admits the gateway subnet only; as the payPerRequest edge it is
 * external and the app's ingress is the public endpoint.
 *
 * Scale to zero (`scaleToZero`, dev): minReplicas 0, so no replica runs (or
 * bills) while idle; the HTTP rule starts one on the first request. The CPU
 * rule cannot wake an app from zero, but with the HTTP rule beside it the app
 * can still scale to zero and back. Not behind Application Gateway, whose
 * health probe keeps a replica awake (see containerAppMinReplicas).
 *
 * Cost: besides the replicas, a VNet-integrated environment bills a Standard
 * load balancer and one public IP (two when external) in its `ME_` resource
 * group: about $22 per month internal, $26 external (priced on the environment).
 */
import * as app from "@pulumi/azure-native/app";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as monitor from "@pulumi/azure-native/monitor";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";
import { azureSizing, CONTAINER_APPS_ARCHITECTURE, containerAppMinReplicas } from "../../sizing/azure";
import { Scope } from "../base";
import { ClusterImpl, ClusterInput, DATABASE_CA_FILES, serverEnvironment, serverSecrets, SERVER_PROBES } from "../contract";
import { ClusterSummary, SERVER } from "../types";
import { AzureCache } from "./cache";
import { AzureDatabase } from "./database";
import { AzureEdge } from "./edge";
import { AzureImage } from "./image";
import { AzureNetwork } from "./network";
import { createAnchors } from "./anchors";
import { AzureSecret, containerAppSecret, containerAppSecretName, grant, privateZone, storeSecret } from "./private";

export const WORKLOAD_PROFILE = "Consumption";
/** Concurrent requests per replica before the HTTP rule adds one. */
export const HTTP_CONCURRENCY = 50;
/**
 * When the audit:migrate job runs. Azure has no "run once on create" for a job (a Manual job
 * needs `az containerapp job start`), so it runs on a schedule: the first run follows `up` by at
 * most this period (until then /ready reports the missing schema), and later runs re-apply the
 * grants and the server role's password (audit:migrate is idempotent).
 */
export const MIGRATE_CRON = "*/15 * * * *";
/** The migrate job's container size (the smallest Consumption size). */
export const MIGRATE_SIZE = { cpu: 0.25, memory: "0.5Gi" } as const;

export interface AzureCluster extends ClusterImpl {
    environment: app.ManagedEnvironment;
    app: app.ContainerApp;
    identity: managedidentity.UserAssignedIdentity;
    /** audit:migrate: a Container Apps job with its own identity, the only reader of the administrator's URL. */
    migrateJob: app.Job;
    migrateIdentity: managedidentity.UserAssignedIdentity;
}

/** Inputs of the environment, app and workspace the summary is computed from. */
export interface ContainerAppSummaryInputs {
    cpu: number;
    memory: string;
    minReplicas: number;
    maxReplicas: number;
    /** `value` of the custom `cpu` scale rule. */
    cpuTarget: number;
    zoneRedundant: boolean;
    logRetentionDays: number;
}

/** `0.5Gi` -> 512 (MiB). */
export function parseGi(memory: string): number {
    const m = /^([\d.]+)Gi$/.exec(memory);
    if (!m) throw new Error(`unexpected Container Apps memory "${memory}"`);
    return Math.round(Number(m[1]) * 1024);
}

export function summarizeContainerApp(i: ContainerAppSummaryInputs): ClusterSummary {
    return {
        cloud: "azure",
        minReplicas: i.minReplicas,
        maxReplicas: i.maxReplicas,
        targetCpuPercent: i.cpuTarget,
        milliCpu: Math.round(i.cpu * 1000),
        memoryMiB: parseGi(i.memory),
        // A zone-redundant environment spreads replicas across the region's three zones.
        zones: i.zoneRedundant ? Math.min(Math.max(i.minReplicas, 1), 3) : 1,
        scalesToZero: i.minReplicas === 0,
        cpuArchitecture: CONTAINER_APPS_ARCHITECTURE,
        // Replicas take private addresses from the environment's subnet; an external environment's public
        // address belongs to its load balancer (the payPerRequest edge), never to a replica.
        publicIp: false,
        logRetentionDays: i.logRetentionDays,
    };
}

/** The Azure parts a cluster is built from. */
export interface AzureClusterParts {
    network: AzureNetwork;
    image: AzureImage;
    database: AzureDatabase;
    cache: AzureCache;
    edge: AzureEdge;
}

export function createCluster(scope: Scope, input: ClusterInput<AzureClusterParts>): AzureCluster {
    const net = input.network;
    const edge = input.edge;
    const database = input.database;
    const cache = input.cache;
    const image = input.image;
    const { spec } = input;
    const sizing = azureSizing(spec, input.overrides);
    const resourceGroupName = net.resourceGroupName;
    // Behind Application Gateway the environment is internal; as the payPerRequest edge it is the public endpoint.
    const internal = edge.kind === "loadBalancer";

    const environment = scope.child("environment", app.ManagedEnvironment, {
        resourceGroupName,
        vnetConfiguration: { infrastructureSubnetId: net.subnets.apps.id, internal },
        workloadProfiles: [{ name: WORKLOAD_PROFILE, workloadProfileType: WORKLOAD_PROFILE }],
        zoneRedundant: sizing.zoneRedundant,
        publicNetworkAccess: internal ? "Disabled" : "Enabled",
        peerTrafficConfiguration: { encryption: { enabled: true } },
        appLogsConfiguration: { destination: "azure-monitor" },
    });
    const logs = scope.child("environment-logs", monitor.DiagnosticSetting, {
        resourceUri: environment.id,
        workspaceId: net.workspace.id,
        logs: [{ categoryGroup: "allLogs", enabled: true }],
    });
    // An internal environment's default domain resolves, inside the VNet only, to its internal load balancer
    // (an external one's is in public DNS).
    let dns: ReturnType<typeof privateZone> | undefined;
    let wildcard: privatedns.PrivateRecordSet | undefined;
    if (internal) {
        dns = privateZone(scope, "dns", environment.defaultDomain, resourceGroupName, net.vnet);
        wildcard = scope.child("dns-wildcard", privatedns.PrivateRecordSet, {
            resourceGroupName,
            privateZoneName: dns.zone.name,
            recordType: "A",
            relativeRecordSetName: "*",
            ttl: 300,
            aRecords: [{ ipv4Address: environment.staticIp }],
        });
    }

    // The server's secrets (the contract's); the generated API key goes where the stack keeps secrets (vault or state).
    const { apiKeys, secrets: serverSecretList } = serverSecrets(scope, input, (keys) =>
        storeSecret(scope, "api-keys", {
            resourceGroupName,
            vaultName: net.vaultName,
            name: "mcp-api-keys",
            contentType: "text/plain",
            value: keys,
        }),
    );

    // Identity: read these three secrets (from the vault, when there is one), pull from this registry. Nothing else.
    const identity = scope.child("identity", managedidentity.UserAssignedIdentity, { resourceGroupName });
    // Each secret is named after its variable in the app (database-url, redis-url, mcp-api-keys).
    const stored: Record<string, AzureSecret | undefined> = { database: database.urlStored, cache: cache?.urlStored, apiKeys };
    const secrets = serverSecretList.map((s) => ({ env: s.env, name: containerAppSecretName(s.env), stored: stored[s.from]! }));
    const grants = secrets
        .filter((s) => s.stored.vaultSecret)
        .map((s) =>
            grant(scope, `read-${s.name}`, {
                principalId: identity.principalId,
                subscriptionId: net.subscriptionId,
                roleName: "keyVaultSecretsUser",
                scope: s.stored.vaultSecret!.id,
                description: `MCP server reads ${s.env} from this secret only`,
            }),
        );
    if (image.registry) {
        grants.push(
            grant(scope, "pull", {
                principalId: identity.principalId,
                subscriptionId: net.subscriptionId,
                roleName: "acrPull",
                scope: image.registry.id,
                description: "MCP server pulls its image from this registry only",
            }),
        );
    }

    // Write-once checkpoints: the server's identity may create, read and list blobs in the container, never delete.
    const anchors = createAnchors(scope, {
        network: net,
        spec,
        zoneRedundant: sizing.zoneRedundant,
        principalId: identity.principalId,
        access: sizing.auditStorageAccess,
    });
    grants.push(anchors.assignment);

    // audit:migrate with the administrator's URL, in a job with its own identity: the only principal granted
    // Key Vault Secrets User on database-admin-url and database-server-password (secretStore managed), or the
    // only holder of their values (platform). The app's identity has no role on them, the app does not carry
    // them, and the job's identity is not attached to the app (identities attached to one app are usable by
    // every container in it, which is why this is a job and not an init container).
    const migration = database.migration!;
    const migrateIdentity = scope.child("migrate-identity", managedidentity.UserAssignedIdentity, { resourceGroupName });
    const migrateSecrets = [
        { env: "DATABASE_ADMIN_URL", name: "database-admin-url", stored: database.migrationSecrets.adminUrl },
        { env: "MCP_AUDIT_SERVER_PASSWORD", name: "database-server-password", stored: database.migrationSecrets.serverPassword },
    ];
    const migrateGrants = migrateSecrets
        .filter((s) => s.stored.vaultSecret)
        .map((s) =>
            grant(scope, `migrate-read-${s.name}`, {
                principalId: migrateIdentity.principalId,
                subscriptionId: net.subscriptionId,
                roleName: "keyVaultSecretsUser",
                scope: s.stored.vaultSecret!.id,
                description: `audit:migrate reads ${s.env} from this secret only`,
            }),
        );
    if (image.registry) {
        migrateGrants.push(
            grant(scope, "migrate-pull", {
                principalId: migrateIdentity.principalId,
                subscriptionId: net.subscriptionId,
                roleName: "acrPull",
                scope: image.registry.id,
                description: "audit:migrate pulls the server image from this registry only",
            }),
        );
    }
    const migrateJob = scope.child(
        "audit-migrate",
        app.Job,
        {
            resourceGroupName,
            environmentId: environment.id,
            workloadProfileName: WORKLOAD_PROFILE,
            identity: { type: "UserAssigned", userAssignedIdentities: [migrateIdentity.id] },
            configuration: {
                triggerType: "Schedule",
                scheduleTriggerConfig: { cronExpression: MIGRATE_CRON, parallelism: 1, replicaCompletionCount: 1 },
                replicaTimeout: 300,
                replicaRetryLimit: 1,
                secrets: migrateSecrets.map((s) => containerAppSecret(s.name, s.stored, migrateIdentity.id)),
                registries: image.registry ? [{ server: image.registry.loginServer, identity: migrateIdentity.id }] : [],
            },
            template: {
                containers: [
                    {
                        name: "audit-migrate",
                        image: input.image.ref,
                        command: ["node", "dist/audit/migrate.js"],
                        resources: { ...MIGRATE_SIZE },
                        env: [
                            { name: "NODE_ENV", value: "production" },
                            { name: "DATABASE_SSL", value: "verify-full" },
                            { name: "DATABASE_CA_CERT_FILE", value: DATABASE_CA_FILES.azure },
                            { name: "MCP_AUDIT_SERVER_ROLE", value: migration.serverRole },
                            ...migrateSecrets.map((s) => ({ name: s.env, secretRef: s.name })),
                        ],
                    },
                ],
            },
        },
        { dependsOn: migrateGrants },
    );

    const appName = scope.name
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, "-")
        .slice(0, 32);
    const appFqdn = pulumi.interpolate`${appName}.${environment.defaultDomain}`;
    const environmentVars = serverEnvironment(input, {
        // The edge's names, and the app's own (the gateway forwards with it; it is the payPerRequest edge's name).
        allowedHosts: pulumi.all([edge.hostnames, appFqdn]).apply(([h, f]) => [...h, f]),
        // The flexible server's certificate chains to DigiCert Global Root G2 / Microsoft RSA Root CA 2017.
        databaseSsl: "verify-full",
        databaseCa: { file: DATABASE_CA_FILES.azure },
        auditAnchors: anchors.location,
    });
    const probe = (type: string, path: string, extra: { periodSeconds: number; failureThreshold: number }) => ({
        type,
        httpGet: { path, port: SERVER.port, scheme: "HTTP" },
        timeoutSeconds: SERVER_PROBES.timeoutSeconds,
        ...extra,
    });

    const containerApp = scope.child(
        "app",
        app.ContainerApp,
        {
            resourceGroupName,
            containerAppName: appName,
            managedEnvironmentId: environment.id,
            workloadProfileName: WORKLOAD_PROFILE,
            identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
            configuration: {
                activeRevisionsMode: "Single",
                ingress: {
                    // In an internal environment "external" means reachable from the VNet (the gateway), never the internet;
                    // in an external one it is the public endpoint. HTTP is redirected to HTTPS (allowInsecure false).
                    external: true,
                    targetPort: SERVER.port,
                    transport: "http",
                    allowInsecure: false,
                    ipSecurityRestrictions: internal
                        ? [
                              {
                                  name: "gateway-subnet",
                                  description: "Application Gateway only",
                                  ipAddressRange: net.layout.gateway,
                                  action: "Allow",
                              },
                          ]
                        : undefined,
                },
                secrets: secrets.map((s) => containerAppSecret(s.name, s.stored, identity.id)),
                registries: image.registry ? [{ server: image.registry.loginServer, identity: identity.id }] : [],
            },
            template: {
                terminationGracePeriodSeconds: 30,
                containers: [
                    {
                        name: SERVER.containerName,
                        image: input.image.ref,
                        resources: { cpu: sizing.cpu, memory: sizing.memory },
                        env: [
                            ...Object.entries(environmentVars).map(([name, value]) => ({ name, value })),
                            ...secrets.map((s) => ({ name: s.env, secretRef: s.name })),
                        ],
                        probes: [
                            probe("Startup", SERVER.healthPath, SERVER_PROBES.startup),
                            probe("Liveness", SERVER.healthPath, SERVER_PROBES.liveness),
                            probe("Readiness", SERVER.readyPath, SERVER_PROBES.readiness),
                        ],
                    },
                ],
                scale: {
                    minReplicas: containerAppMinReplicas(spec, edge.kind, input.overrides),
                    maxReplicas: spec.service.maxReplicas,
                    rules: [
                        { name: "http-concurrency", http: { metadata: { concurrentRequests: String(HTTP_CONCURRENCY) } } },
                        {
                            name: "cpu",
                            custom: { type: "cpu", metadata: { type: "Utilization", value: String(spec.service.targetCpuPercent) } },
                        },
                    ],
                },
            },
        },
        { dependsOn: [...grants, logs, migrateJob] },
    );

    const env = scope.inputs<app.ManagedEnvironmentArgs>("environment");
    const used = scope.inputs<app.ContainerAppArgs>("app");
    edge.attach({ fqdn: appFqdn, dependsOn: [containerApp, ...(wildcard ? [wildcard] : [])], app: used, environment: env });

    const summary = pulumi
        .output({
            template: used.template,
            zoneRedundant: env.zoneRedundant,
            retention: net.workspaceArgs.retentionInDays,
        })
        .apply((u) => {
            const container = u.template?.containers?.[0];
            const cpuRule = (u.template?.scale?.rules ?? []).find((r) => r.custom?.type === "cpu");
            return summarizeContainerApp({
                cpu: Number(container?.resources?.cpu),
                memory: String(container?.resources?.memory),
                minReplicas: Number(u.template?.scale?.minReplicas ?? 0),
                maxReplicas: Number(u.template?.scale?.maxReplicas ?? 10),
                cpuTarget: Number(cpuRule?.custom?.metadata?.value),
                zoneRedundant: Boolean(u.zoneRedundant),
                logRetentionDays: Number(u.retention),
            });
        });
    const policyArgs = scope.inputs<storage.BlobContainerImmutabilityPolicyArgs>("anchors-retention");
    const withAnchors = pulumi
        .all([summary, anchors.location, policyArgs.immutabilityPeriodSinceCreationInDays, anchors.policy.state])
        .apply(([s, location, days, state]) => ({
            ...s,
            auditAnchors: {
                location,
                writeOnce: true,
                retentionDays: Number(days),
                note:
                    state === "Locked"
                        ? "Blob container with a Locked time-based immutability policy"
                        : "Blob container with a time-based immutability policy, created Unlocked (deletes and overwrites refused; the policy itself can still be removed by an administrator until it is locked: docs/audit.md)",
            },
        }));

    return {
        serviceName: containerApp.name,
        apiKeySecret: apiKeys.ref,
        summary: withAnchors,
        migrateJob,
        migrateIdentity,
        environment,
        app: containerApp,
        identity,
        resources: {
            environment,
            app: containerApp,
            identity,
            ...(apiKeys.vaultSecret ? { apiKeySecret: apiKeys.vaultSecret } : {}),
            roleAssignments: grants,
            migrateJob,
            migrateIdentity,
            migrateRoleAssignments: migrateGrants,
            anchorsAccount: anchors.account,
            anchorsContainer: anchors.container,
            anchorsPolicy: anchors.policy,
            anchorsRole: anchors.role,
            ...(anchors.endpoint ? { anchorsEndpoint: anchors.endpoint.endpoint, anchorsPrivateDnsZone: anchors.privateDnsZone! } : {}),
            ...(dns ? { privateDnsZone: dns.zone } : {}),
        },
    };
}
