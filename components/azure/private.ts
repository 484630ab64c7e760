/**
 * Helpers shared by the Azure builders: private DNS zones linked to the VNet,
 * private endpoints registered in them, Key Vault secrets and built-in role
 * assignments. Every child still goes through the caller's Scope.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as pulumi from "@pulumi/pulumi";
import { Scope } from "../base";
import { SecretRef } from "../types";

/** Built-in Azure role definition GUIDs the stack grants (and nothing broader). */
export const ROLES = {
    keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
    acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
} as const;

/** The full id of a built-in role definition in a subscription. */
export function roleDefinitionId(subscriptionId: string, role: keyof typeof ROLES): string {
    return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ROLES[role]}`;
}

/** A private DNS zone linked to the VNet (no auto-registration). */
export function privateZone(
    scope: Scope,
    role: string,
    zoneName: pulumi.Input<string>,
    resourceGroupName: pulumi.Input<string>,
    vnet: network.VirtualNetwork,
) {
    const zone = scope.child(role, privatedns.PrivateZone, { resourceGroupName, privateZoneName: zoneName, location: "global" });
    const link = scope.child(`${role}-link`, privatedns.VirtualNetworkLink, {
        resourceGroupName,
        privateZoneName: zone.name,
        location: "global",
        virtualNetwork: { id: vnet.id },
        registrationEnabled: false,
    });
    return { zone, link };
}

export interface PrivateEndpointInput {
    resourceGroupName: pulumi.Input<string>;
    subnetId: pulumi.Input<string>;
    /** The resource the endpoint connects to. */
    targetId: pulumi.Input<string>;
    /** The target's sub-resource (`vault`, `redisEnterprise`, ...). */
    groupId: string;
    /** The private DNS zone the endpoint registers its address in. */
    zoneId: pulumi.Input<string>;
}

/** A private endpoint in the endpoints subnet with its A record in the private DNS zone. */
export function createPrivateEndpoint(scope: Scope, role: string, i: PrivateEndpointInput) {
    const endpoint = scope.child(role, network.PrivateEndpoint, {
        resourceGroupName: i.resourceGroupName,
        subnet: { id: i.subnetId },
        privateLinkServiceConnections: [{ name: i.groupId, privateLinkServiceId: i.targetId, groupIds: [i.groupId] }],
    });
    const dns = scope.child(`${role}-dns`, network.PrivateDnsZoneGroup, {
        resourceGroupName: i.resourceGroupName,
        privateEndpointName: endpoint.name,
        privateDnsZoneGroupName: "default",
        privateDnsZoneConfigs: [{ name: i.groupId, privateDnsZoneId: i.zoneId }],
    });
    return { endpoint, dns };
}

export interface VaultSecretInput {
    resourceGroupName: pulumi.Input<string>;
    vaultName: pulumi.Input<string>;
    /** The secret's name in the vault. */
    name: string;
    value: pulumi.Input<string>;
    contentType: string;
}

/**
 * A Key Vault secret written through the management plane (so the vault can
 * stay closed to the public network). The reference is the versionless
 * secret URI Container Apps reads with `keyVaultUrl`, so rotations apply on
 * the next revision.
 */
export function createVaultSecret(scope: Scope, role: string, i: VaultSecretInput): { secret: keyvault.Secret; ref: SecretRef } {
    const secret = scope.child(role, keyvault.Secret, {
        resourceGroupName: i.resourceGroupName,
        vaultName: i.vaultName,
        secretName: i.name,
        properties: { value: pulumi.secret(i.value), contentType: i.contentType },
    });
    return { secret, ref: { id: secret.properties.apply((p) => p.secretUri) } };
}

/** Grants a principal one built-in role on exactly one scope. */
export function grant(
    scope: Scope,
    role: string,
    i: {
        principalId: pulumi.Input<string>;
        subscriptionId: pulumi.Input<string>;
        roleName: keyof typeof ROLES;
        scope: pulumi.Input<string>;
        description: string;
    },
): authorization.RoleAssignment {
    return scope.child(role, authorization.RoleAssignment, {
        principalId: i.principalId,
        principalType: "ServicePrincipal",
        roleDefinitionId: pulumi.output(i.subscriptionId).apply((s) => roleDefinitionId(s, i.roleName)),
        scope: i.scope,
        description: i.description,
    });
}
