/**
 * The audit log's two credentials and write-once checkpoints on Azure (docs/audit.md, issue 11),
 * asserted on dev-azure, prod-azure and enterprise-azure under Pulumi's mocks.
 */
import * as assert from "node:assert/strict";
import { runStack, ProgramRun } from "../scripts/harness";
import { TIERS, TierName } from "../sizing";
import { ANCHOR_WRITER_DATA_ACTIONS } from "../components/azure/anchors";
import { MIGRATE_CRON } from "../components/azure/cluster";
import { ROLES } from "../components/azure/private";
import { estimateCost } from "../pricing";
import { all, idOf, named } from "./util";

const T = {
    app: "azure-native:app:ContainerApp",
    job: "azure-native:app:Job",
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    secret: "azure-native:keyvault:Secret",
    role: "azure-native:authorization:RoleAssignment",
    roleDef: "azure-native:authorization:RoleDefinition",
    account: "azure-native:storage:StorageAccount",
    container: "azure-native:storage:BlobContainer",
    policy: "azure-native:storage:BlobContainerImmutabilityPolicy",
    pe: "azure-native:network:PrivateEndpoint",
    zone: "azure-native:privatedns:PrivateZone",
    zoneGroup: "azure-native:network:PrivateDnsZoneGroup",
    subnet: "azure-native:network:Subnet",
};
const TIER_LIST = ["dev", "prod", "enterprise"] as const;
const runs: Partial<Record<TierName, ProgramRun>> = {};

before(async () => {
    for (const tier of TIER_LIST) runs[tier] = await runStack(`${tier}-azure`);
});

const roleGuid = (r: { inputs: Record<string, any> }) => String(r.inputs.roleDefinitionId).split("/").pop();
const envOf = (c: any) => Object.fromEntries(c.env.map((v: any) => [v.name, v]));

for (const tier of TIER_LIST) {
    const spec = TIERS[tier];
    // secretStore managed: Key Vault secrets read by identity; platform (dev): Container Apps secrets holding the values.
    const vaulted = spec.secretStore === "managed";
    const privateEndpoint = spec.audit.storageAccess === "privateEndpoint";
    describe(`Azure ${tier}: audit log credentials and checkpoints`, () => {
        const run = () => runs[tier]!;
        const app = () => named(run(), T.app, "mcp-server-app");
        const job = () => named(run(), T.job, "mcp-server-audit-migrate");
        const serverIdentity = () => named(run(), T.identity, "mcp-server-identity");
        const jobIdentity = () => named(run(), T.identity, "mcp-server-migrate-identity");
        const account = () => named(run(), T.account, "mcp-server-anchors");

        describe("two credentials", () => {
            it("gives the server the append-only mcp_server role's URL as DATABASE_URL, and keeps the administrator's URL in its own secret", () => {
                if (!vaulted) {
                    // secretStore platform: the app carries the server's URL, the job the administrator's and the role's password.
                    const appSecret = (n: string) => app().inputs.configuration.secrets.find((x: any) => x.name === n)?.value;
                    const jobSecret = (n: string) => job().inputs.configuration.secrets.find((x: any) => x.name === n)?.value;
                    const url = appSecret(envOf(app().inputs.template.containers[0]).DATABASE_URL.secretRef);
                    assert.match(
                        url,
                        /^postgres:\/\/mcp_server:.+@.+\.postgres\.database\.azure\.com:5432\/mcp_audit\?sslmode=verify-full$/,
                    );
                    assert.match(jobSecret("database-admin-url"), /^postgres:\/\/mcp_admin:.+@/);
                    const password = jobSecret("database-server-password");
                    assert.ok(url.includes(`:${encodeURIComponent(password)}@`));
                    assert.ok(!jobSecret("database-admin-url").includes(password));
                    assert.equal(all(run(), T.secret).length, 0, "no Key Vault secret");
                    return;
                }
                const url = named(run(), T.secret, "mcp-audit-url");
                assert.match(
                    url.inputs.properties.value,
                    /^postgres:\/\/mcp_server:.+@.+\.postgres\.database\.azure\.com:5432\/mcp_audit\?sslmode=verify-full$/,
                );
                const admin = named(run(), T.secret, "mcp-audit-admin-url");
                assert.equal(admin.inputs.secretName, "database-admin-url");
                assert.match(admin.inputs.properties.value, /^postgres:\/\/mcp_admin:.+@/);
                const password = named(run(), T.secret, "mcp-audit-server-password-secret");
                // The URL the server gets carries exactly the password the migrate job sets.
                assert.ok(url.inputs.properties.value.includes(`:${encodeURIComponent(password.inputs.properties.value)}@`));
                assert.ok(!admin.inputs.properties.value.includes(password.inputs.properties.value));
                const dbUrl = envOf(app().inputs.template.containers[0]).DATABASE_URL;
                const ref = app().inputs.configuration.secrets.find((s: any) => s.name === dbUrl.secretRef);
                assert.match(ref.keyVaultUrl, /\/secrets\/database-url$/);
            });
            it("grants the server's identity no role on the administrator's URL or the role's password; only the migrate job's identity reads them", () => {
                if (!vaulted) {
                    // No vault, no read grants: only the job holds the two values; the app neither holds nor references them.
                    assert.ok(!all(run(), T.role).some((g) => roleGuid(g) === ROLES.keyVaultSecretsUser));
                    assert.deepEqual(app().inputs.identity.userAssignedIdentities, [idOf(serverIdentity())]);
                    assert.ok(!JSON.stringify(app().inputs).includes("database-admin-url"));
                    assert.ok(!JSON.stringify(app().inputs).includes("database-server-password"));
                    assert.ok(!JSON.stringify(app().inputs).includes("mcp_admin"));
                    return;
                }
                const adminId = idOf(named(run(), T.secret, "mcp-audit-admin-url"));
                const passwordId = idOf(named(run(), T.secret, "mcp-audit-server-password-secret"));
                const onAdmin = all(run(), T.role).filter((g) => [adminId, passwordId].includes(g.inputs.scope));
                assert.equal(onAdmin.length, 2);
                assert.ok(onAdmin.every((g) => roleGuid(g) === ROLES.keyVaultSecretsUser));
                // Both go to the job's identity, which the app does not carry.
                assert.equal(new Set(onAdmin.map((g) => g.inputs.principalId)).size, 1);
                const serverGrants = all(run(), T.role).filter((g) => g.inputs.description?.startsWith("MCP server"));
                assert.ok(serverGrants.length >= 3);
                assert.equal(new Set(serverGrants.map((g) => g.inputs.principalId)).size, 1);
                assert.notEqual(onAdmin[0].inputs.principalId, serverGrants[0].inputs.principalId);
                assert.deepEqual(app().inputs.identity.userAssignedIdentities, [idOf(serverIdentity())]);
                assert.ok(!JSON.stringify(app().inputs).includes("database-admin-url"));
                assert.ok(!JSON.stringify(app().inputs).includes("database-server-password"));
            });
        });

        describe("audit:migrate (Container Apps job)", () => {
            it(`runs node dist/audit/migrate.js with the administrator's URL and the role's password ${vaulted ? "from Key Vault" : "as its own Container Apps secrets"}, under its own identity`, () => {
                const j = job().inputs;
                assert.deepEqual(j.identity, { type: "UserAssigned", userAssignedIdentities: [idOf(jobIdentity())] });
                assert.equal(j.environmentId, idOf(named(run(), "azure-native:app:ManagedEnvironment", "mcp-server-environment")));
                const c = j.template.containers[0];
                assert.deepEqual(c.command, ["node", "dist/audit/migrate.js"]);
                assert.equal(c.image, app().inputs.template.containers[0].image);
                const env = envOf(c);
                assert.equal(env.MCP_AUDIT_SERVER_ROLE.value, "mcp_server");
                assert.equal(env.DATABASE_SSL.value, "verify-full");
                for (const name of ["DATABASE_ADMIN_URL", "MCP_AUDIT_SERVER_PASSWORD"]) {
                    assert.ok(env[name].secretRef && env[name].value === undefined, name);
                }
                const secrets = j.configuration.secrets;
                if (vaulted) {
                    assert.deepEqual(secrets.map((s: any) => s.keyVaultUrl.split("/").pop()).sort(), [
                        "database-admin-url",
                        "database-server-password",
                    ]);
                    assert.ok(secrets.every((s: any) => s.identity === idOf(jobIdentity()) && s.value === undefined));
                    assert.ok(!JSON.stringify(j).includes("mock-secret"), "no secret value inline");
                } else {
                    assert.deepEqual(secrets.map((s: any) => s.name).sort(), ["database-admin-url", "database-server-password"]);
                    assert.ok(secrets.every((s: any) => s.value && s.keyVaultUrl === undefined && s.identity === undefined));
                    assert.ok(job().secretInputs.includes("configuration"), "the values are Pulumi secrets");
                    assert.ok(!job().secretInputs.includes("template"), "the container's environment holds no secret value");
                    assert.ok(!JSON.stringify(j.template).includes("mock-secret"), "no secret value in the environment");
                }
                assert.deepEqual(
                    Object.values(env)
                        .filter((e: any) => e.secretRef)
                        .map((e: any) => e.secretRef)
                        .sort(),
                    secrets.map((s: any) => s.name).sort(),
                );
            });
            it(`runs on a schedule (${MIGRATE_CRON}), one replica at a time`, () => {
                const cfg = job().inputs.configuration;
                assert.equal(cfg.triggerType, "Schedule");
                assert.equal(cfg.scheduleTriggerConfig.cronExpression, MIGRATE_CRON);
                assert.equal(cfg.scheduleTriggerConfig.parallelism, 1);
                assert.ok(cfg.replicaTimeout > 0);
            });
            it("pulls the image with its own identity", () => {
                const regs = job().inputs.configuration.registries;
                assert.equal(regs.length, 1);
                assert.equal(regs[0].identity, idOf(jobIdentity()));
                const pulls = all(run(), T.role).filter((g) => roleGuid(g) === ROLES.acrPull);
                assert.equal(pulls.length, 2, "one pull grant for the app, one for the job");
            });
        });

        describe("write-once checkpoint storage", () => {
            it(`is a StorageV2 account without shared keys or public blobs, TLS 1.2 only, ${privateEndpoint ? "public network access off" : "its firewall admitting the Container Apps subnet alone"}`, () => {
                const a = account().inputs;
                assert.equal(a.kind, "StorageV2");
                assert.equal(a.allowSharedKeyAccess, false);
                assert.equal(a.allowBlobPublicAccess, false);
                assert.equal(a.publicNetworkAccess, privateEndpoint ? "Disabled" : "Enabled");
                assert.equal(a.minimumTlsVersion, "TLS1_2");
                assert.equal(a.enableHttpsTrafficOnly, true);
                assert.equal(a.networkRuleSet.defaultAction, "Deny");
                assert.equal(a.networkRuleSet.bypass, "None");
                const apps = named(run(), T.subnet, "mcp-network-apps-subnet");
                if (privateEndpoint) {
                    assert.equal(a.networkRuleSet.virtualNetworkRules, undefined);
                    assert.equal(apps.inputs.serviceEndpoints, undefined);
                } else {
                    assert.deepEqual(a.networkRuleSet.virtualNetworkRules, [{ virtualNetworkResourceId: idOf(apps), action: "Allow" }]);
                    assert.deepEqual(apps.inputs.serviceEndpoints, [{ service: "Microsoft.Storage" }]);
                    assert.equal(a.networkRuleSet.ipRules, undefined, "no IP range admitted");
                }
                assert.match(a.accountName, /^[a-z0-9]{3,24}$/);
                assert.equal(a.sku.name, tier === "dev" ? "Standard_LRS" : "Standard_ZRS");
            });
            it(
                privateEndpoint
                    ? "is reached through a blob private endpoint registered in privatelink.blob.core.windows.net"
                    : "has no private endpoint or privatelink.blob.core.windows.net zone (auditStorageAccess serviceEndpoint)",
                () => {
                    if (!privateEndpoint) {
                        assert.ok(!all(run(), T.pe).some((r) => r.name.startsWith("mcp-server-anchors")));
                        assert.ok(!all(run(), T.zone).some((r) => r.inputs.privateZoneName === "privatelink.blob.core.windows.net"));
                        return;
                    }
                    const pe = named(run(), T.pe, "mcp-server-anchors-endpoint").inputs;
                    assert.equal(pe.privateLinkServiceConnections[0].privateLinkServiceId, idOf(account()));
                    assert.deepEqual(pe.privateLinkServiceConnections[0].groupIds, ["blob"]);
                    assert.equal(pe.subnet.id, idOf(named(run(), T.subnet, "mcp-network-endpoints-subnet")));
                    const zone = named(run(), T.zone, "mcp-server-anchors-dns");
                    assert.equal(zone.inputs.privateZoneName, "privatelink.blob.core.windows.net");
                    const group = named(run(), T.zoneGroup, "mcp-server-anchors-endpoint-dns").inputs;
                    assert.equal(group.privateDnsZoneConfigs[0].privateDnsZoneId, idOf(zone));
                },
            );
            it(`keeps checkpoints in a private container under a ${spec.audit.anchorRetentionDays}-day time-based immutability policy`, () => {
                const c = named(run(), T.container, "mcp-server-anchors-container").inputs;
                assert.equal(c.publicAccess, "None");
                const p = named(run(), T.policy, "mcp-server-anchors-retention").inputs;
                assert.equal(p.immutabilityPeriodSinceCreationInDays, spec.audit.anchorRetentionDays);
                assert.equal(p.containerName, c.containerName);
                assert.equal(p.allowProtectedAppendWrites, false);
            });
            it("lets the server's identity create, read and list blobs in that container and never delete", () => {
                const def = named(run(), T.roleDef, "mcp-server-anchors-writer-role").inputs;
                const perms = def.permissions[0];
                assert.deepEqual([...perms.dataActions].sort(), [...ANCHOR_WRITER_DATA_ACTIONS].sort());
                assert.ok(!perms.dataActions.some((a: string) => /delete|immutability|legalHold|\*/i.test(a)));
                assert.deepEqual(perms.actions, []);
                assert.deepEqual(def.assignableScopes, [idOf(account())]);
                const write = named(run(), T.role, "mcp-server-anchors-write").inputs;
                assert.equal(write.roleDefinitionId, idOf(named(run(), T.roleDef, "mcp-server-anchors-writer-role")));
                assert.equal(write.scope, `${idOf(account())}/blobServices/default/containers/audit-anchors`);
                const serverPrincipal = all(run(), T.role).find(
                    (g) => roleGuid(g) === ROLES.acrPull && g.inputs.description?.startsWith("MCP server"),
                )!.inputs.principalId;
                assert.equal(write.principalId, serverPrincipal);
                // Nobody else is granted on the account.
                assert.equal(all(run(), T.role).filter((g) => String(g.inputs.scope).startsWith(idOf(account()))).length, 1);
            });
        });

        it("gives the server MCP_AUDIT_ANCHORS=azblob://<account>/audit-anchors/checkpoints, MCP_AUDIT_MIGRATE=off and the tier's cadence", () => {
            const env = envOf(app().inputs.template.containers[0]);
            assert.equal(env.MCP_AUDIT_ANCHORS.value, `azblob://${account().inputs.accountName}/audit-anchors/checkpoints`);
            assert.equal(env.MCP_AUDIT_MIGRATE.value, "off");
            assert.equal(env.MCP_AUDIT_CHECKPOINT_INTERVAL_S.value, String(spec.audit.checkpointIntervalSeconds));
            assert.equal(env.MCP_AUDIT_CHECKPOINT_ENTRIES.value, String(spec.audit.checkpointEntries));
            assert.equal(env.DATABASE_ADMIN_URL, undefined);
            assert.equal(env.MCP_AUDIT_SERVER_PASSWORD, undefined);
        });

        it(`prices the account's capacity, checkpoint writes, reads${privateEndpoint ? " and its private endpoint" : " (no private endpoint to price)"}`, () => {
            const est = estimateCost(run().resources.map(({ type, name, inputs, custom }) => ({ type, name, inputs, custom })));
            const lines = est.lines.filter((l: any) => l.resource === "mcp-server-anchors" || l.resource === "mcp-server-anchors-endpoint");
            const ids = lines.map((l: any) => l.priceId);
            assert.ok(
                ids.some((i: string) => /^azure\.blob\.hot\.(lrs|zrs)\.gb$/.test(i)),
                ids.join(),
            );
            assert.ok(ids.includes("azure.blob.hot.write"), ids.join());
            assert.ok(ids.includes("azure.blob.hot.read"), ids.join());
            assert.equal(ids.includes("azure.privateendpoint.hour"), privateEndpoint, ids.join());
            assert.ok(
                !est.unpriced.some((u: any) => /storage|app:Job|RoleDefinition/.test(JSON.stringify(u))),
                JSON.stringify(est.unpriced),
            );
        });
    });
}
