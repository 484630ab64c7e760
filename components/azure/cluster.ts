/**
 * McpCluster on Azure: a Container Apps environment (workload profiles,
 * Consumption) in the VNet with an internal load balancer only, zone-redundant
 * where the tier spans zones, logs to the stack's Log Analytics workspace; and
 * one container app with min/max replicas, an HTTP concurrency and a CPU scale
 * rule, startup/liveness/readiness probes, ingress reachable from the gateway
 * subnet only (metrics port never exposed), and secrets referenced from Key
 * Vault through a user-assigned identity that may read exactly those secrets
 * and pull from exactly this registry. Then it binds the edge to the app.
 */
import * as app from "@pulumi/azure-native/app";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as monitor from "@pulumi/azure-native/monitor";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { azureSizing } from "../../sizing/azure";
import { Scope } from "../base";
import { ClusterImpl, ClusterInput } from "../cloud";
import { ClusterSummary, SecretRef, SERVER } from "../types";
import { AzureCache } from "./cache";
import { AzureDatabase } from "./database";
import { AzureEdge } from "./edge";
import { AzureImage } from "./image";
import { AzureNetwork } from "./network";
import { createVaultSecret, grant, privateZone } from "./private";

export const WORKLOAD_PROFILE = "Consumption";
/** Concurrent requests per replica before the HTTP rule adds one. */
export const HTTP_CONCURRENCY = 50;

export interface AzureCluster extends ClusterImpl {
    environment: app.ManagedEnvironment;
    app: app.ContainerApp;
    identity: managedidentity.UserAssignedIdentity;
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
    internal: boolean;
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
        zones: i.zoneRedundant ? Math.min(i.minReplicas, 3) : 1,
        publicIp: !i.internal,
        logRetentionDays: i.logRetentionDays,
    };
}

export function createCluster(scope: Scope, input: ClusterInput): AzureCluster {
    const net = input.network as AzureNetwork;
    const edge = input.edge as AzureEdge;
    const database = input.database as AzureDatabase;
    const cache = input.cache as AzureCache | undefined;
    const image = input.image as AzureImage;
    const { spec } = input;
    const sizing = azureSizing(spec, input.overrides);
    const resourceGroupName = net.resourceGroupName;

    const environment = scope.child("environment", app.ManagedEnvironment, {
        resourceGroupName,
        vnetConfiguration: { infrastructureSubnetId: net.subnets.apps.id, internal: true },
        workloadProfiles: [{ name: WORKLOAD_PROFILE, workloadProfileType: WORKLOAD_PROFILE }],
        zoneRedundant: sizing.zoneRedundant,
        publicNetworkAccess: "Disabled",
        peerTrafficConfiguration: { encryption: { enabled: true } },
        appLogsConfiguration: { destination: "azure-monitor" },
    });
    const logs = scope.child("environment-logs", monitor.DiagnosticSetting, {
        resourceUri: environment.id,
        workspaceId: net.workspace.id,
        logs: [{ categoryGroup: "allLogs", enabled: true }],
    });
    // The environment's default domain resolves, inside the VNet only, to its internal load balancer.
    const dns = privateZone(scope, "dns", environment.defaultDomain, resourceGroupName, net.vnet);
    const wildcard = scope.child("dns-wildcard", privatedns.PrivateRecordSet, {
        resourceGroupName,
        privateZoneName: dns.zone.name,
        recordType: "A",
        relativeRecordSetName: "*",
        ttl: 300,
        aRecords: [{ ipv4Address: environment.staticIp }],
    });

    // The server's API key: generated, kept in Key Vault, referenced by the app.
    const apiKey = scope.child("api-key", random.RandomPassword, { length: 40, special: false });
    const apiKeys = createVaultSecret(scope, "api-keys", {
        resourceGroupName,
        vaultName: net.vaultName,
        name: "mcp-api-keys",
        contentType: "text/plain",
        value: apiKey.result,
    });

    // Identity: read these three secrets, pull from this registry. Nothing else.
    const identity = scope.child("identity", managedidentity.UserAssignedIdentity, { resourceGroupName });
    const secrets: Array<{ env: string; name: string; ref: SecretRef; secretId: pulumi.Input<string> }> = [
        { env: "DATABASE_URL", name: "database-url", ref: database.urlSecret, secretId: database.urlVaultSecret.id },
        ...(cache ? [{ env: "REDIS_URL", name: "redis-url", ref: cache.urlSecret, secretId: cache.urlVaultSecret.id }] : []),
        { env: "MCP_API_KEYS", name: "mcp-api-keys", ref: apiKeys.ref, secretId: apiKeys.secret.id },
    ];
    const grants = secrets.map((s) => grant(scope, `read-${s.name}`, {
        principalId: identity.principalId,
        subscriptionId: net.subscriptionId,
        roleName: "keyVaultSecretsUser",
        scope: s.secretId,
        description: `MCP server reads ${s.env} from this secret only`,
    }));
    if (image.registry) {
        grants.push(grant(scope, "pull", {
            principalId: identity.principalId,
            subscriptionId: net.subscriptionId,
            roleName: "acrPull",
            scope: image.registry.id,
            description: "MCP server pulls its image from this registry only",
        }));
    }

    const appName = scope.name.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 32);
    const appFqdn = pulumi.interpolate`${appName}.${environment.defaultDomain}`;
    const environmentVars: Record<string, pulumi.Input<string>> = {
        NODE_ENV: "production",
        HOST: "0.0.0.0",
        PORT: String(SERVER.port),
        METRICS_PORT: String(SERVER.metricsPort),
        MCP_TIER: spec.name,
        // The gateway forwards with the app's own host name (the environment routes on it).
        MCP_ALLOWED_HOSTS: pulumi.all([edge.hostnames, appFqdn]).apply(([h, f]) => [...h, f].join(",")),
        DATABASE_SSL: "require",
        LOG_LEVEL: "info",
        ...input.environment,
    };
    const probe = (type: string, path: string, extra: { periodSeconds: number; failureThreshold: number }) => ({
        type, httpGet: { path, port: SERVER.port, scheme: "HTTP" }, timeoutSeconds: 5, ...extra,
    });

    const containerApp = scope.child("app", app.ContainerApp, {
        resourceGroupName,
        containerAppName: appName,
        managedEnvironmentId: environment.id,
        workloadProfileName: WORKLOAD_PROFILE,
        identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
        configuration: {
            activeRevisionsMode: "Single",
            ingress: {
                // In an internal environment "external" means reachable from the VNet (the gateway), never the internet.
                external: true,
                targetPort: SERVER.port,
                transport: "http",
                allowInsecure: false,
                ipSecurityRestrictions: [{ name: "gateway-subnet", description: "Application Gateway only", ipAddressRange: net.layout.gateway, action: "Allow" }],
            },
            secrets: secrets.map((s) => ({ name: s.name, keyVaultUrl: s.ref.id, identity: identity.id })),
            registries: image.registry ? [{ server: image.registry.loginServer, identity: identity.id }] : [],
        },
        template: {
            terminationGracePeriodSeconds: 30,
            containers: [{
                name: SERVER.containerName,
                image: input.image.ref,
                resources: { cpu: sizing.cpu, memory: sizing.memory },
                env: [
                    ...Object.entries(environmentVars).map(([name, value]) => ({ name, value })),
                    ...secrets.map((s) => ({ name: s.env, secretRef: s.name })),
                ],
                probes: [
                    probe("Startup", SERVER.healthPath, { periodSeconds: 5, failureThreshold: 24 }),
                    probe("Liveness", SERVER.healthPath, { periodSeconds: 15, failureThreshold: 3 }),
                    probe("Readiness", SERVER.readyPath, { periodSeconds: 10, failureThreshold: 3 }),
                ],
            }],
            scale: {
                minReplicas: spec.service.minReplicas,
                maxReplicas: spec.service.maxReplicas,
                rules: [
                    { name: "http-concurrency", http: { metadata: { concurrentRequests: String(HTTP_CONCURRENCY) } } },
                    { name: "cpu", custom: { type: "cpu", metadata: { type: "Utilization", value: String(spec.service.targetCpuPercent) } } },
                ],
            },
        },
    }, { dependsOn: [...grants, logs] });

    edge.bind({ fqdn: appFqdn, dependsOn: [containerApp, wildcard] });

    const env = scope.inputs<app.ManagedEnvironmentArgs>("environment");
    const used = scope.inputs<app.ContainerAppArgs>("app");
    const summary = pulumi.output({
        template: used.template, zoneRedundant: env.zoneRedundant, vnet: env.vnetConfiguration, retention: net.workspaceArgs.retentionInDays,
    }).apply((u) => {
        const container = u.template?.containers?.[0];
        const cpuRule = (u.template?.scale?.rules ?? []).find((r) => r.custom?.type === "cpu");
        return summarizeContainerApp({
            cpu: Number(container?.resources?.cpu),
            memory: String(container?.resources?.memory),
            minReplicas: Number(u.template?.scale?.minReplicas ?? 0),
            maxReplicas: Number(u.template?.scale?.maxReplicas ?? 10),
            cpuTarget: Number(cpuRule?.custom?.metadata?.value),
            zoneRedundant: Boolean(u.zoneRedundant),
            internal: Boolean(u.vnet?.internal),
            logRetentionDays: Number(u.retention),
        });
    });

    return {
        serviceName: containerApp.name,
        apiKeySecret: apiKeys.ref,
        summary,
        environment,
        app: containerApp,
        identity,
        resources: { environment, app: containerApp, identity, apiKeySecret: apiKeys.secret, privateDnsZone: dns.zone, roleAssignments: grants },
    };
}
