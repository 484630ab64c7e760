/**
 * The audit log's write-once checkpoint store on Azure (docs/audit.md): a
 * StorageV2 account with no shared keys (so Entra ID identities only), no
 * public blobs and TLS 1.2, one container with a time-based immutability
 * policy of the tier's `audit.anchorRetentionDays`, and a custom role that
 * lets the server's identity create, read and list blobs and nothing else (no
 * delete).
 *
 * Reached by `audit.storageAccess` (stack config `auditStorageAccess`):
 * - `privateEndpoint` (prod, enterprise): public network access disabled, a
 *   blob private endpoint in the endpoints subnet and the
 *   `privatelink.blob.core.windows.net` zone (about $7.80 a month).
 * - `serviceEndpoint` (dev): the account's firewall denies every network
 *   (`defaultAction: Deny`, no trusted-service bypass) but the Container Apps
 *   subnet, which reaches it through its Microsoft.Storage service endpoint
 *   (free; ./network.ts). The public endpoint answers nothing else, and the
 *   role assignment still limits who may write.
 *
 * Locking: the ARM API creates a time-based policy Unlocked only (the
 * resource has no `state` input); locking is a separate POST
 * (`.../immutabilityPolicies/default/lock` with the policy's ETag), which
 * azure-native does not model. While Unlocked the policy already refuses
 * every delete and overwrite of a blob younger than the period; only an
 * administrator with management-plane rights can shorten or remove the
 * policy. Lock it once after the first `up` (irreversible):
 *   az storage container immutability-policy lock --account-name <account> \
 *     --container-name <container> --if-match "$(az storage container immutability-policy show \
 *     --account-name <account> --container-name <container> --query etag -o tsv)"
 * (the summary reports `locked: false` until the policy's state reads Locked).
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";
import { Scope } from "../base";
import { TierSpec } from "../../sizing";
import { AuditStorageAccess } from "../../sizing/tiers";
import { AzureNetwork } from "./network";
import { createPrivateEndpoint, privateZone } from "./private";

export const ANCHOR_CONTAINER = "audit-anchors";
export const ANCHOR_PREFIX = "checkpoints";

/**
 * What the server's identity may do on the container's blobs: read, create (write/add) and list
 * (list is blobs/read). No `blobs/delete`, no `deleteBlobVersion`, no immutability-policy or
 * legal-hold actions, no management-plane action.
 */
export const ANCHOR_WRITER_DATA_ACTIONS = [
    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action",
] as const;

export interface AzureAnchors {
    account: storage.StorageAccount;
    container: storage.BlobContainer;
    policy: storage.BlobContainerImmutabilityPolicy;
    role: authorization.RoleDefinition;
    assignment: authorization.RoleAssignment;
    /** The blob private endpoint and its DNS zone (auditStorageAccess privateEndpoint); undefined with a service endpoint. */
    endpoint?: ReturnType<typeof createPrivateEndpoint>;
    privateDnsZone?: ReturnType<typeof privateZone>["zone"];
    /** `azblob://<account>/<container>/checkpoints`, the server's MCP_AUDIT_ANCHORS. */
    location: pulumi.Output<string>;
}

export function createAnchors(
    scope: Scope,
    i: {
        network: AzureNetwork;
        spec: TierSpec;
        zoneRedundant: boolean;
        /** The server's identity (the only writer). */
        principalId: pulumi.Input<string>;
        access: AuditStorageAccess;
    },
): AzureAnchors {
    const net = i.network;
    const resourceGroupName = net.resourceGroupName;
    // 3-24 lower-case letters and digits, globally unique.
    const accountName = pulumi.interpolate`mcpaudit${net.suffix}`;
    const account = scope.child("anchors", storage.StorageAccount, {
        resourceGroupName,
        accountName,
        kind: "StorageV2",
        sku: { name: i.zoneRedundant ? "Standard_ZRS" : "Standard_LRS" },
        accessTier: "Hot",
        allowSharedKeyAccess: false,
        defaultToOAuthAuthentication: true,
        allowBlobPublicAccess: false,
        allowCrossTenantReplication: false,
        ...(i.access === "privateEndpoint"
            ? { publicNetworkAccess: "Disabled", networkRuleSet: { defaultAction: "Deny", bypass: "None" } }
            : {
                  // Only the Container Apps subnet, through its service endpoint; every other network is refused.
                  publicNetworkAccess: "Enabled",
                  networkRuleSet: {
                      defaultAction: "Deny",
                      bypass: "None",
                      virtualNetworkRules: [{ virtualNetworkResourceId: net.subnets.apps.id, action: "Allow" }],
                  },
              }),
        minimumTlsVersion: "TLS1_2",
        enableHttpsTrafficOnly: true,
        isLocalUserEnabled: false,
        isSftpEnabled: false,
    });
    const container = scope.child("anchors-container", storage.BlobContainer, {
        resourceGroupName,
        accountName: account.name,
        containerName: ANCHOR_CONTAINER,
        publicAccess: "None",
    });
    const policy = scope.child(
        "anchors-retention",
        storage.BlobContainerImmutabilityPolicy,
        {
            resourceGroupName,
            accountName: account.name,
            containerName: ANCHOR_CONTAINER,
            immutabilityPolicyName: "default",
            immutabilityPeriodSinceCreationInDays: i.spec.audit.anchorRetentionDays,
            // Checkpoints are whole block blobs written once: no appends to protected blobs.
            allowProtectedAppendWrites: false,
        },
        { dependsOn: [container] },
    );

    let dns: ReturnType<typeof privateZone> | undefined;
    let endpoint: ReturnType<typeof createPrivateEndpoint> | undefined;
    if (i.access === "privateEndpoint") {
        dns = privateZone(scope, "anchors-dns", "privatelink.blob.core.windows.net", resourceGroupName, net.vnet);
        endpoint = createPrivateEndpoint(scope, "anchors-endpoint", {
            resourceGroupName,
            subnetId: net.subnets.endpoints.id,
            targetId: account.id,
            groupId: "blob",
            zoneId: dns.zone.id,
        });
    }

    const role = scope.child("anchors-writer-role", authorization.RoleDefinition, {
        scope: account.id,
        roleName: pulumi.interpolate`MCP audit anchor writer (${account.name})`,
        description: "Create, read and list audit checkpoint blobs; never delete (the immutability policy refuses overwrites)",
        roleType: "CustomRole",
        assignableScopes: [account.id],
        permissions: [{ actions: [], notActions: [], dataActions: [...ANCHOR_WRITER_DATA_ACTIONS], notDataActions: [] }],
    });
    const assignment = scope.child(
        "anchors-write",
        authorization.RoleAssignment,
        {
            principalId: i.principalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: role.id,
            // On the container only, not the account.
            scope: pulumi.interpolate`${account.id}/blobServices/default/containers/${ANCHOR_CONTAINER}`,
            description: "MCP server writes audit checkpoints to this container only",
        },
        { dependsOn: [container] },
    );

    return {
        account,
        container,
        policy,
        role,
        assignment,
        endpoint,
        privateDnsZone: dns?.zone,
        // The account's name as requested (azure-native keeps it), once the account exists.
        location: pulumi.all([accountName, account.id]).apply(([n]) => `azblob://${n}/${ANCHOR_CONTAINER}/${ANCHOR_PREFIX}`),
    };
}
