/**
 * Helpers shared by the Azure builders: private DNS zones linked to the VNet,
 * private endpoints registered in them, generated secrets (in Key Vault, or
 * carried by the Container Apps that read them) and built-in role
 * assignments. Every child still goes through the caller's Scope.
 *
 * Secrets by `secretStore`: `managed` writes each generated secret to the
 * stack's Key Vault, and the app or job references it (`keyVaultUrl` and a
 * user-assigned identity granted Key Vault Secrets User on that secret only).
 * `platform` creates no vault: the value stays a Pulumi secret (encrypted in
 * the state, `[secret]` in every preview and output) and the Container App or
 * job that reads it holds it as its own secret (`configuration.secrets[].value`,
 * encrypted by Container Apps, readable only by principals with management
 * rights on that app or job), referenced from the environment by `secretRef`.
 * A SecretRef of that mode has `store: "value"`: its id is the value itself,
 * read with `pulumi stack output <name> --show-secrets`. Microsoft advises Key
 * Vault references for production (learn.microsoft.com/azure/container-apps/manage-secrets),
 * which is what the prod and enterprise tiers keep.
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

/**
 * A generated secret as the Azure builders hand it on: the Key Vault secret (`managed`), or the value alone
 * (`platform`) for the Container App or job that reads it to carry as its own secret.
 */
export interface AzureSecret {
    ref: SecretRef;
    /** secretStore managed: the vault secret (the reader's identity is granted read on it alone). */
    vaultSecret?: keyvault.Secret;
    /** secretStore platform: the value, a Pulumi secret. */
    value?: pulumi.Output<string>;
}

/**
 * Stores a generated secret where the stack keeps them: in the vault when there is one (`vaultName`), else
 * nowhere but Pulumi's state, for the Container App or job that reads it (see the file comment).
 */
export function storeSecret(
    scope: Scope,
    role: string,
    i: Omit<VaultSecretInput, "vaultName"> & { vaultName: pulumi.Input<string> | undefined },
): AzureSecret {
    if (i.vaultName !== undefined) {
        const { secret, ref } = createVaultSecret(scope, role, { ...i, vaultName: i.vaultName });
        return { ref, vaultSecret: secret };
    }
    const value = pulumi.secret(pulumi.output(i.value));
    return { ref: { id: value, store: "value" }, value };
}

/**
 * Container Apps secret names: lower-case letters, digits and '-', starting and ending with a letter or
 * digit, at most 253 characters (the API's ContainerAppInvalidSecretName error gives these rules).
 */
export const CONTAINER_APP_SECRET_NAME = /^[a-z0-9]([a-z0-9-]{0,251}[a-z0-9])?$/;

/** The Container Apps secret name for an environment variable (`DATABASE_URL` -> `database-url`), checked. */
export function containerAppSecretName(envName: string): string {
    const name = envName.toLowerCase().replace(/_/g, "-");
    if (!CONTAINER_APP_SECRET_NAME.test(name)) {
        throw new Error(
            `"${name}" (from ${envName}) is not a valid Container Apps secret name: lower-case letters, digits and '-', ending in a letter or digit, 253 characters at most`,
        );
    }
    return name;
}

/** One `configuration.secrets` entry of a Container App or job: a Key Vault reference read with `identity`, or the value itself. */
export function containerAppSecret(name: string, secret: AzureSecret, identity: pulumi.Input<string>) {
    if (!CONTAINER_APP_SECRET_NAME.test(name)) throw new Error(`"${name}" is not a valid Container Apps secret name`);
    if (secret.vaultSecret) return { name, keyVaultUrl: secret.ref.id, identity };
    if (!secret.value) throw new Error(`secret ${name} has neither a vault secret nor a value`);
    return { name, value: secret.value };
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
