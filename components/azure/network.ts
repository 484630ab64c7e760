/**
 * Azure network: the stack's resource group, a VNet with one subnet per role
 * (Application Gateway, the Container Apps environment, the PostgreSQL
 * server, private endpoints), each behind its own NSG that admits only the
 * traffic its role needs; a NAT gateway for the service's egress where the
 * stack sets `natGateways` (none by default on Azure, every tier: see
 * azureNatGateways); and the stack-wide services every
 * component uses: the Log Analytics workspace (tier's retention) and, with
 * `secretStore: managed` (prod, enterprise), the Key Vault for generated
 * secrets (RBAC, no public access, reached through a private endpoint).
 *
 * Egress without a NAT gateway (`natGateways: none`, the Azure default): the Container Apps
 * environment's own managed load balancer and its egress IP (in the
 * environment's `ME_` resource group, billed to the subscription) carry the
 * replicas' outbound calls; the address is Azure's, not a static one you
 * could allow-list elsewhere. That is the only difference: the database,
 * cache and Key Vault are reached inside the VNet either way.
 *
 * Why the Key Vault, where there is one, keeps its private endpoint (about $7.80 per month with its DNS
 * zone): Container Apps is not a "trusted service" of the Key Vault firewall, and a service endpoint on the
 * environment's subnet is reported not to carry its Key Vault reference fetches
 * (microsoft/azure-container-apps #1287), so the only cheaper vault would be one open to the internet
 * behind Entra ID alone, which the project's policy (policy/exposure.ts: data-stores-not-public) and its
 * security promise rule out. The cheaper form is no vault at all: `secretStore: platform` (dev) keeps each
 * generated secret in Pulumi's state and in the Container App or job that reads it (./private.ts).
 *
 * `auditStorageAccess: serviceEndpoint` (dev) adds a Microsoft.Storage service endpoint (free) to the
 * environment's subnet, so the audit checkpoint account's firewall can admit that subnet alone (./anchors.ts).
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as network from "@pulumi/azure-native/network";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ConfigError, subnetOf, TierSpec } from "../../sizing";
import { azureSizing } from "../../sizing/azure";
import { Scope } from "../base";
import { NetworkImpl, NetworkInput, POSTGRES } from "../contract";
import { createPrivateEndpoint, privateZone } from "./private";

export const DB_PORT = POSTGRES.port;
/** Azure Managed Redis serves TLS on 10000. */
export const REDIS_PORT = 10000;

/** Subnets of the VNet, by role. */
export interface AzureSubnetLayout {
    /** Application Gateway v2 (dedicated subnet). */
    gateway: string;
    /** Container Apps environment (workload profiles; delegated). */
    apps: string;
    /** PostgreSQL Flexible Server (delegated). */
    database: string;
    /** Private endpoints (Key Vault, Redis). */
    endpoints: string;
}

/** Lays the subnets out in `cidr`: a /23 for the environment, /24s for the rest. */
export function azureSubnetLayout(cidr: string): AzureSubnetLayout {
    const prefix = Number(cidr.split("/")[1]);
    if (!(prefix <= 21))
        throw new ConfigError("cidr", `${cidr} is too small for the Azure layout; use a /21 or larger block (e.g. 10.0.0.0/16)`);
    return {
        apps: subnetOf(cidr, 23 - prefix, 0),
        database: subnetOf(cidr, 24 - prefix, 2),
        endpoints: subnetOf(cidr, 24 - prefix, 3),
        gateway: subnetOf(cidr, 24 - prefix, 4),
    };
}

export interface AzureNetwork extends NetworkImpl {
    cloud: "azure";
    /** The tier as resolved with the stack's overrides (the registry's SKU follows it). */
    spec: TierSpec;
    resourceGroup: resources.ResourceGroup;
    resourceGroupName: pulumi.Output<string>;
    subscriptionId: pulumi.Output<string>;
    tenantId: pulumi.Output<string>;
    /** Lower-case random suffix for globally unique names. */
    suffix: pulumi.Output<string>;
    vnet: network.VirtualNetwork;
    layout: AzureSubnetLayout;
    subnets: Record<keyof AzureSubnetLayout, network.Subnet>;
    gatewayNsg: network.NetworkSecurityGroup;
    workspace: operationalinsights.Workspace;
    /** The workspace's args as created (the cluster's summary reads its retention). */
    workspaceArgs: operationalinsights.WorkspaceArgs;
    /** The stack's Key Vault (secretStore managed); undefined with secretStore platform. */
    vault?: keyvault.Vault;
    vaultName?: pulumi.Output<string>;
}

/** One inbound NSG rule, as written inline in an NSG. */
export interface NsgRule {
    name: string;
    priority: number;
    direction: "Inbound";
    access: "Allow" | "Deny";
    protocol: string;
    sourceAddressPrefix: string;
    sourcePortRange: string;
    destinationAddressPrefix: string;
    destinationPortRanges?: string[];
    destinationPortRange?: string;
}
const allow = (name: string, priority: number, from: string, to: string, ports: string[], protocol = "Tcp"): NsgRule => ({
    name,
    priority,
    direction: "Inbound",
    access: "Allow",
    protocol,
    sourceAddressPrefix: from,
    sourcePortRange: "*",
    destinationAddressPrefix: to,
    // The API takes "*" only in the singular field; the list holds ports and ranges.
    ...(ports.length === 1 && ports[0] === "*" ? { destinationPortRange: "*" } : { destinationPortRanges: ports }),
});
/** Overrides Azure's default AllowVnetInBound: nothing else inside the VNet reaches the subnet. */
const denyVnet: NsgRule = {
    name: "deny-vnet-inbound",
    priority: 4000,
    direction: "Inbound",
    access: "Deny",
    protocol: "*",
    sourceAddressPrefix: "VirtualNetwork",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "*",
};

/** The NSG rules of each subnet but the gateway's (whose listener rules the edge adds). */
export function nsgRules(l: AzureSubnetLayout): Record<"apps" | "database" | "endpoints", NsgRule[]> {
    return {
        apps: [
            allow("gateway-to-ingress", 100, l.gateway, l.apps, ["443"]),
            allow("environment-internal", 110, l.apps, l.apps, ["*"], "*"),
            allow("azure-load-balancer", 120, "AzureLoadBalancer", "*", ["*"], "*"),
            denyVnet,
        ],
        database: [
            allow("service-to-postgres", 100, l.apps, l.database, [String(DB_PORT)]),
            allow("server-replication", 110, l.database, l.database, ["*"], "*"),
            denyVnet,
        ],
        endpoints: [
            allow("service-to-redis", 100, l.apps, l.endpoints, [String(REDIS_PORT)]),
            allow("service-to-key-vault", 110, l.apps, l.endpoints, ["443"]),
            allow("gateway-to-key-vault", 120, l.gateway, l.endpoints, ["443"]),
            denyVnet,
        ],
    };
}

export { allow as allowRule };

export function createNetwork(scope: Scope, { spec, overrides, cidr }: NetworkInput): AzureNetwork {
    const sizing = azureSizing(spec, overrides);
    const layout = azureSubnetLayout(cidr);
    const client = authorization.getClientConfigOutput({ parent: scope.parent });

    const suffix = scope.child("suffix", random.RandomId, { byteLength: 4 });
    const resourceGroup = scope.child("rg", resources.ResourceGroup, {});
    const resourceGroupName = resourceGroup.name;

    const workspace = scope.child("logs", operationalinsights.Workspace, {
        resourceGroupName,
        sku: { name: "PerGB2018" },
        retentionInDays: sizing.logRetentionDays,
    });

    const nsg = (role: string, securityRules?: network.NetworkSecurityGroupArgs["securityRules"]) =>
        scope.child(`${role}-nsg`, network.NetworkSecurityGroup, { resourceGroupName, ...(securityRules ? { securityRules } : {}) });
    const rules = nsgRules(layout);
    const gatewayNsg = nsg("gateway");
    const appsNsg = nsg("apps", rules.apps);
    const databaseNsg = nsg("database", rules.database);
    const endpointsNsg = nsg("endpoints", rules.endpoints);
    // Application Gateway v2's infrastructure rules; the edge adds the public listener's.
    scope.child("gateway-nsg-manager", network.SecurityRule, {
        resourceGroupName,
        networkSecurityGroupName: gatewayNsg.name,
        ...allow("gateway-manager", 100, "GatewayManager", "*", ["65200-65535"]),
    });
    scope.child("gateway-nsg-lb", network.SecurityRule, {
        resourceGroupName,
        networkSecurityGroupName: gatewayNsg.name,
        ...allow("azure-load-balancer", 110, "AzureLoadBalancer", "*", ["*"], "*"),
    });
    scope.child("gateway-nsg-deny-vnet", network.SecurityRule, {
        resourceGroupName,
        networkSecurityGroupName: gatewayNsg.name,
        ...denyVnet,
    });

    const vnet = scope.child(
        "vnet",
        network.VirtualNetwork,
        {
            resourceGroupName,
            addressSpace: { addressPrefixes: [cidr] },
        },
        { ignoreChanges: ["subnets"] },
    );

    let natGateway: network.NatGateway | undefined;
    // NAT only where the stack sets natGateways (azureNatGateways): the environment's own zone-redundant IP
    // already carries the replicas' egress, and a NAT gateway, zonal, would only add a static address.
    if (sizing.natGateways !== "none") {
        // One NAT gateway serves the environment's subnet (a subnet takes exactly one).
        const natIp = scope.child("nat-ip", network.PublicIPAddress, {
            resourceGroupName,
            sku: { name: "Standard", tier: "Regional" },
            publicIPAllocationMethod: "Static",
            zones: sizing.zoneRedundant ? ["1", "2", "3"] : undefined,
        });
        natGateway = scope.child("nat", network.NatGateway, {
            resourceGroupName,
            sku: { name: "Standard" },
            publicIpAddresses: [{ id: natIp.id }],
            idleTimeoutInMinutes: 10,
        });
    }

    const subnet = (role: keyof AzureSubnetLayout, extra: Partial<network.SubnetArgs>, dependsOn: pulumi.Resource[] = []) =>
        scope.child(
            `${role}-subnet`,
            network.Subnet,
            {
                resourceGroupName,
                virtualNetworkName: vnet.name,
                addressPrefix: layout[role],
                defaultOutboundAccess: false,
                ...extra,
            },
            { dependsOn },
        );
    // Subnets of one VNet are created one after another (Azure rejects concurrent subnet writes).
    const gatewaySubnet = subnet("gateway", { networkSecurityGroup: { id: gatewayNsg.id } });
    const appsSubnet = subnet(
        "apps",
        {
            networkSecurityGroup: { id: appsNsg.id },
            delegations: [{ name: "containerapps", serviceName: "Microsoft.App/environments" }],
            natGateway: natGateway ? { id: natGateway.id } : undefined,
            // The audit checkpoint account's firewall admits this subnet through it (auditStorageAccess serviceEndpoint).
            serviceEndpoints: sizing.auditStorageAccess === "serviceEndpoint" ? [{ service: "Microsoft.Storage" }] : undefined,
        },
        [gatewaySubnet],
    );
    const databaseSubnet = subnet(
        "database",
        {
            networkSecurityGroup: { id: databaseNsg.id },
            delegations: [{ name: "postgres", serviceName: "Microsoft.DBforPostgreSQL/flexibleServers" }],
        },
        [appsSubnet],
    );
    const endpointsSubnet = subnet(
        "endpoints",
        {
            networkSecurityGroup: { id: endpointsNsg.id },
            privateEndpointNetworkPolicies: "Enabled",
        },
        [databaseSubnet],
    );
    const subnets = { gateway: gatewaySubnet, apps: appsSubnet, database: databaseSubnet, endpoints: endpointsSubnet };

    // secretStore platform: no vault; each secret stays in Pulumi's state and the Container App or job that reads it.
    let vault: keyvault.Vault | undefined;
    if (sizing.secretStore === "managed") {
        vault = scope.child("vault", keyvault.Vault, {
            resourceGroupName,
            vaultName: pulumi.interpolate`mcpkv-${suffix.hex}`,
            properties: {
                tenantId: client.tenantId,
                sku: { family: "A", name: "standard" },
                enableRbacAuthorization: true,
                enableSoftDelete: true,
                softDeleteRetentionInDays: spec.database.deletionProtection ? 90 : 7,
                // Purge protection cannot be turned off again once on; only tiers with deletion protection get it.
                enablePurgeProtection: spec.database.deletionProtection ? true : undefined,
                publicNetworkAccess: "Disabled",
                networkAcls: { defaultAction: "Deny", bypass: "AzureServices" },
            },
        });
        const vaultZone = privateZone(scope, "vault-dns", "privatelink.vaultcore.azure.net", resourceGroupName, vnet);
        createPrivateEndpoint(scope, "vault-endpoint", {
            resourceGroupName,
            subnetId: endpointsSubnet.id,
            targetId: vault.id,
            groupId: "vault",
            zoneId: vaultZone.zone.id,
        });
    }

    return {
        cloud: "azure",
        spec,
        zones: sizing.zoneRedundant ? 3 : 1,
        id: vnet.id,
        resourceGroup,
        resourceGroupName,
        subscriptionId: client.subscriptionId,
        tenantId: client.tenantId,
        suffix: suffix.hex,
        vnet,
        layout,
        subnets,
        gatewayNsg,
        workspace,
        workspaceArgs: scope.inputs<operationalinsights.WorkspaceArgs>("logs"),
        vault,
        vaultName: vault?.name,
        resources: {
            resourceGroup,
            vnet,
            workspace,
            ...(vault ? { vault } : {}),
            subnets: Object.values(subnets),
            securityGroups: [gatewayNsg, appsNsg, databaseNsg, endpointsNsg],
            ...(natGateway ? { natGateway } : {}),
        },
    };
}
