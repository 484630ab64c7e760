/**
 * The Azure topology for every tier, asserted on the inputs the program gives
 * its resources under Pulumi's mocks, plus the Azure SKU mapping.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { readStackFile, runProgram, runStack, ProgramRun } from "../scripts/harness";
import { ConfigError, TIERS, TierName, resolveTier } from "../sizing";
import {
    appGatewayMinInstances,
    azureSizing,
    checkEdgeDomain,
    containerAppMinReplicas,
    containerAppSize,
    pickPostgresSku,
    pickRedisSku,
    registrySku,
} from "../sizing/azure";
import { MANAGED_RULE_SETS } from "../components/azure/edge";
import { summarizeIngress } from "../components/azure/ingress";
import { CONTAINER_APP_SECRET_NAME, containerAppSecretName, ROLES, storeSecret } from "../components/azure/private";
import * as lib from "../lib";
import { estimateCost } from "../pricing";
import { all, idOf, named } from "./util";

const T = {
    rg: "azure-native:resources:ResourceGroup",
    vnet: "azure-native:network:VirtualNetwork",
    subnet: "azure-native:network:Subnet",
    nsg: "azure-native:network:NetworkSecurityGroup",
    rule: "azure-native:network:SecurityRule",
    nat: "azure-native:network:NatGateway",
    pe: "azure-native:network:PrivateEndpoint",
    zone: "azure-native:privatedns:PrivateZone",
    link: "azure-native:privatedns:VirtualNetworkLink",
    workspace: "azure-native:operationalinsights:Workspace",
    vault: "azure-native:keyvault:Vault",
    secret: "azure-native:keyvault:Secret",
    env: "azure-native:app:ManagedEnvironment",
    app: "azure-native:app:ContainerApp",
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    role: "azure-native:authorization:RoleAssignment",
    lock: "azure-native:authorization:ManagementLockByScope",
    server: "azure-native:dbforpostgresql:Server",
    config: "azure-native:dbforpostgresql:Configuration",
    redis: "azure-native:redisenterprise:RedisEnterprise",
    redisDb: "azure-native:redisenterprise:Database",
    gateway: "azure-native:network:ApplicationGateway",
    waf: "azure-native:network:WebApplicationFirewallPolicy",
    registry: "azure-native:containerregistry:Registry",
    ip: "azure-native:network:PublicIPAddress",
};
const TIER_LIST = ["dev", "prod", "enterprise"] as const;
const runs: Partial<Record<TierName, ProgramRun>> = {};

before(async () => {
    for (const tier of TIER_LIST) runs[tier] = await runStack(`${tier}-azure`);
});

/** The role-definition GUID at the end of a role assignment's roleDefinitionId. */
const roleGuid = (r: { inputs: Record<string, any> }) => String(r.inputs.roleDefinitionId).split("/").pop();

/** The mocked environment's default domain and the app's own name in it (see scripts/mocks/azure.ts). */
const ENV_DOMAIN = `${"mcp-server-environment-1a2b3c".replace(/[^a-z0-9]/g, "")}.eastus.azurecontainerapps.io`;
const APP_FQDN = `mcp-server.${ENV_DOMAIN}`;

/** Every NSG allow rule (inline or standalone) whose source is the internet. */
function internetRules(run: ProgramRun): any[] {
    return [...all(run, T.rule).map((r) => r.inputs), ...all(run, T.nsg).flatMap((n) => n.inputs.securityRules ?? [])].filter(
        (r: any) => r.access === "Allow" && ["Internet", "*", "0.0.0.0/0"].includes(r.sourceAddressPrefix),
    );
}

for (const tier of TIER_LIST) {
    const spec = TIERS[tier];
    const ha = tier !== "dev";
    const gateway = spec.edge.kind === "loadBalancer";
    const managedCache = spec.cache.store === "managed";
    // secretStore managed: Key Vault references; platform (dev): the values as the Container App's own secrets.
    const vaulted = spec.secretStore === "managed";
    describe(`Azure ${tier}`, () => {
        const run = () => runs[tier]!;
        const subnet = (role: string) => named(run(), T.subnet, `mcp-network-${role}-subnet`);

        describe("network", () => {
            it("has one subnet per role, the environment's a /23 delegated to Container Apps and the database's delegated to PostgreSQL", () => {
                assert.equal(all(run(), T.subnet).length, 4);
                assert.match(subnet("apps").inputs.addressPrefix, /\/23$/);
                assert.equal(subnet("apps").inputs.delegations[0].serviceName, "Microsoft.App/environments");
                assert.equal(subnet("database").inputs.delegations[0].serviceName, "Microsoft.DBforPostgreSQL/flexibleServers");
                assert.ok(all(run(), T.subnet).every((s) => s.inputs.defaultOutboundAccess === false && s.inputs.networkSecurityGroup?.id));
            });
            it("closes every subnet to the rest of the VNet and admits only its role's traffic", () => {
                for (const role of ["apps", "database", "endpoints"]) {
                    const rules = named(run(), T.nsg, `mcp-network-${role}-nsg`).inputs.securityRules;
                    const deny = rules.find((r: any) => r.access === "Deny");
                    assert.equal(deny.sourceAddressPrefix, "VirtualNetwork");
                    assert.ok(
                        rules
                            .filter((r: any) => r.access === "Allow")
                            .every(
                                (r: any) =>
                                    r.priority < deny.priority && r.sourceAddressPrefix !== "Internet" && r.sourceAddressPrefix !== "*",
                            ),
                    );
                }
                const db = named(run(), T.nsg, "mcp-network-database-nsg").inputs.securityRules.find(
                    (r: any) => r.name === "service-to-postgres",
                );
                assert.equal(db.sourceAddressPrefix, subnet("apps").inputs.addressPrefix);
                assert.deepEqual(db.destinationPortRanges, ["5432"]);
            });
            // Issue 15: no NAT gateway on Azure unless the stack sets natGateways, in every tier (azureNatGateways).
            it("has no NAT gateway and no NAT IP: the environment egresses through its own managed load balancer", () => {
                assert.equal(all(run(), T.nat).length, 0);
                assert.ok(!run().resources.some((r) => r.name === "mcp-network-nat-ip"));
                assert.equal(subnet("apps").inputs.natGateway, undefined);
            });
            if (spec.nat !== "none") {
                it("sends the environment's egress through a NAT gateway when the stack sets natGateways", async () => {
                    const r = await runProgram(`${tier}-azure`, { ...readStackFile(`${tier}-azure`), "mcp-infra:natGateways": spec.nat });
                    const nat = named(r, T.nat, "mcp-network-nat");
                    const apps = named(r, T.subnet, "mcp-network-apps-subnet");
                    assert.equal(apps.inputs.natGateway.id, idOf(nat));
                    assert.deepEqual(nat.inputs.publicIpAddresses, [{ id: idOf(named(r, T.ip, "mcp-network-nat-ip")) }]);
                });
            }
            it("keeps logs for the tier's retention, raised to Log Analytics' 30-day minimum", () => {
                assert.equal(named(run(), T.workspace, "mcp-network-logs").inputs.retentionInDays, Math.max(30, spec.logRetentionDays));
            });
            it(
                vaulted
                    ? "holds secrets in a Key Vault with RBAC, no public access, a private endpoint and purge protection where the tier protects deletion"
                    : "has no Key Vault, no vault private endpoint and no privatelink.vaultcore.azure.net zone (secretStore platform)",
                () => {
                    if (!vaulted) {
                        assert.equal(all(run(), T.vault).length + all(run(), T.secret).length, 0);
                        assert.ok(!run().resources.some((r) => r.name.startsWith("mcp-network-vault")), "nothing named mcp-network-vault*");
                        assert.ok(!all(run(), T.zone).some((z) => z.inputs.privateZoneName === "privatelink.vaultcore.azure.net"));
                        return;
                    }
                    const vault = named(run(), T.vault, "mcp-network-vault");
                    assert.equal(vault.inputs.properties.enableRbacAuthorization, true);
                    assert.equal(vault.inputs.properties.publicNetworkAccess, "Disabled");
                    assert.equal(vault.inputs.properties.networkAcls.defaultAction, "Deny");
                    assert.equal(vault.inputs.properties.enablePurgeProtection, spec.database.deletionProtection ? true : undefined);
                    const pe = named(run(), T.pe, "mcp-network-vault-endpoint");
                    assert.equal(pe.inputs.privateLinkServiceConnections[0].privateLinkServiceId, idOf(vault));
                    assert.equal(pe.inputs.subnet.id, idOf(subnet("endpoints")));
                    assert.equal(named(run(), T.zone, "mcp-network-vault-dns").inputs.privateZoneName, "privatelink.vaultcore.azure.net");
                },
            );
        });

        describe("McpCluster (Container Apps)", () => {
            const app = () => named(run(), T.app, "mcp-server-app");
            const container = () => app().inputs.template.containers[0];
            it(`runs in ${gateway ? "an internal" : "an external"} VNet environment${ha ? ", zone-redundant" : ""}`, () => {
                const env = named(run(), T.env, "mcp-server-environment");
                assert.equal(env.inputs.vnetConfiguration.internal, gateway);
                assert.equal(env.inputs.vnetConfiguration.infrastructureSubnetId, idOf(subnet("apps")));
                assert.equal(env.inputs.zoneRedundant, ha);
                assert.equal(env.inputs.publicNetworkAccess, gateway ? "Disabled" : "Enabled");
                assert.equal(app().inputs.managedEnvironmentId, idOf(env));
                // Only an internal environment's domain needs a private zone (an external one's is public DNS).
                assert.equal(
                    run().resources.some((r) => r.name === "mcp-server-dns"),
                    gateway,
                );
            });
            it(`scales between ${spec.service.scaleToZero ? "zero" : "the tier's min"} and the tier's max with an HTTP rule and a CPU rule`, () => {
                const scale = app().inputs.template.scale;
                assert.equal(scale.minReplicas, spec.service.scaleToZero ? 0 : spec.service.minReplicas);
                assert.equal(scale.maxReplicas, spec.service.maxReplicas);
                assert.ok(scale.rules.some((r: any) => Number(r.http?.metadata?.concurrentRequests) > 0));
                assert.equal(
                    scale.rules.find((r: any) => r.custom?.type === "cpu").custom.metadata.value,
                    String(spec.service.targetCpuPercent),
                );
            });
            it("sizes the container per tier and probes liveness on /health and readiness on /ready", () => {
                assert.equal(container().resources.cpu, spec.service.milliCpu / 1000);
                assert.equal(container().resources.memory, `${spec.service.memoryMiB / 1024}Gi`);
                const probe = (type: string) => container().probes.find((p: any) => p.type === type);
                assert.equal(probe("Liveness").httpGet.path, "/health");
                assert.equal(probe("Readiness").httpGet.path, "/ready");
                assert.ok(container().probes.every((p: any) => p.httpGet.port === 8080));
            });
            it(`accepts its edge's host name${gateway ? " and its own (the gateway forwards with it)" : ", which is its own"}`, () => {
                const hosts = container()
                    .env.find((v: any) => v.name === "MCP_ALLOWED_HOSTS")
                    .value.split(",");
                const url = new URL(run().outputs.mcpUrl);
                assert.ok(hosts.includes(url.hostname), url.hostname);
                assert.ok(hosts.includes(APP_FQDN));
                assert.equal(new Set(hosts).size, hosts.length, "no host twice");
            });
            it(
                gateway
                    ? "accepts traffic only from the gateway subnet, HTTPS only, on the server port, never the metrics port"
                    : "is the public endpoint itself: external ingress, HTTPS only (HTTP redirected), on the server port, never the metrics port",
                () => {
                    const ingress = app().inputs.configuration.ingress;
                    assert.equal(ingress.external, true);
                    assert.equal(ingress.targetPort, 8080);
                    assert.equal(ingress.allowInsecure, false);
                    assert.equal(ingress.additionalPortMappings, undefined);
                    if (gateway) {
                        assert.deepEqual(
                            ingress.ipSecurityRestrictions.map((r: any) => [r.ipAddressRange, r.action]),
                            [[subnet("gateway").inputs.addressPrefix, "Allow"]],
                        );
                    } else {
                        assert.equal(ingress.ipSecurityRestrictions, undefined);
                    }
                },
            );
            it(`gets DATABASE_URL${managedCache ? ", REDIS_URL" : ""} and MCP_API_KEYS as ${vaulted ? "Key Vault references" : "Container Apps secrets holding Pulumi secrets"}, never as plain values`, () => {
                const identityId = idOf(named(run(), T.identity, "mcp-server-identity"));
                const secrets = app().inputs.configuration.secrets;
                if (vaulted) {
                    assert.ok(
                        secrets.every(
                            (s: any) =>
                                s.value === undefined &&
                                /^https:\/\/mcpkv-[0-9a-f]+\.vault\.azure\.net\/secrets\//.test(s.keyVaultUrl) &&
                                s.identity === identityId,
                        ),
                    );
                } else {
                    // secretStore platform: each value lives in the app's own secrets (never in the template), as a Pulumi secret.
                    assert.ok(secrets.every((s: any) => s.value && s.keyVaultUrl === undefined && s.identity === undefined));
                    assert.ok(app().secretInputs.includes("configuration"), "the secret values are Pulumi secrets");
                    assert.ok(!app().secretInputs.includes("template"), "the environment holds no secret value");
                    const byName = Object.fromEntries(secrets.map((s: any) => [s.name, s.value]));
                    assert.match(byName["database-url"], /^postgres:\/\/mcp_server:.+@.+:5432\/mcp_audit\?sslmode=verify-full$/);
                    assert.equal(
                        byName["mcp-api-keys"],
                        run().outputs.apiKeySecret,
                        "apiKeySecret is the key itself, a Pulumi secret output",
                    );
                    assert.ok(!JSON.stringify(app().inputs.template).includes("mock-secret"));
                }
                const env = container().env;
                for (const name of ["DATABASE_URL", "REDIS_URL", "MCP_API_KEYS"]) {
                    const e = env.find((v: any) => v.name === name);
                    if (name === "REDIS_URL" && !managedCache) {
                        assert.equal(e, undefined, "no cache, no REDIS_URL: the server keeps its state in memory");
                        continue;
                    }
                    assert.ok(e.secretRef && e.value === undefined, name);
                    assert.ok(
                        secrets.some((s: any) => s.name === e.secretRef),
                        name,
                    );
                }
                assert.equal(secrets.length, managedCache ? 3 : 2);
                const plain = Object.fromEntries(env.filter((v: any) => v.value !== undefined).map((v: any) => [v.name, v.value]));
                assert.deepEqual(Object.keys(plain).sort(), [
                    "DATABASE_CA_CERT_FILE",
                    "DATABASE_SSL",
                    "HOST",
                    "LOG_LEVEL",
                    "MCP_ALLOWED_HOSTS",
                    // Issue 11: checkpoints to the write-once container, schema left to the audit:migrate job.
                    "MCP_AUDIT_ANCHORS",
                    "MCP_AUDIT_CHECKPOINT_ENTRIES",
                    "MCP_AUDIT_CHECKPOINT_INTERVAL_S",
                    "MCP_AUDIT_MIGRATE",
                    "MCP_TIER",
                    "METRICS_PORT",
                    "NODE_ENV",
                    "PORT",
                ]);
                // Issue 14: verified TLS to the flexible server, against the Azure roots the image ships.
                assert.equal(plain.DATABASE_SSL, "verify-full");
                assert.equal(plain.DATABASE_CA_CERT_FILE, "/srv/app/certs/azure-postgres-roots.pem");
                assert.ok(!Object.values(plain).some((v) => /mock-secret|mock-redis-key|postgres:\/\/|rediss:\/\//.test(String(v))));
            });
            it(`has a user-assigned identity that may ${vaulted ? `read exactly its ${managedCache ? "three" : "two"} secrets and ` : ""}pull from exactly its registry`, () => {
                // Issue 11: the audit:migrate job's grants (its own identity) and the checkpoint writer's custom role are in test/azure-audit.test.ts.
                const grants = all(run(), T.role).filter(
                    (r) =>
                        r.name.startsWith("mcp-server-") &&
                        !r.name.startsWith("mcp-server-migrate-") &&
                        r.name !== "mcp-server-anchors-write",
                );
                const secretIds = vaulted
                    ? ["mcp-audit-url", ...(managedCache ? ["mcp-cache-url"] : []), "mcp-server-api-keys"].map((n) =>
                          idOf(named(run(), T.secret, n)),
                      )
                    : [];
                const reads = grants.filter((g) => roleGuid(g) === ROLES.keyVaultSecretsUser);
                assert.deepEqual(reads.map((g) => g.inputs.scope).sort(), [...secretIds].sort());
                const pulls = grants.filter((g) => roleGuid(g) === ROLES.acrPull);
                assert.deepEqual(
                    pulls.map((g) => g.inputs.scope),
                    [idOf(named(run(), T.registry, "mcp-image-registry"))],
                );
                assert.equal(grants.length, secretIds.length + 1);
                assert.ok(grants.every((g) => g.inputs.principalType === "ServicePrincipal" && String(g.inputs.principalId).length > 0));
                assert.equal(new Set(grants.map((g) => g.inputs.principalId)).size, 1, "all grants go to the one service identity");
            });
            it(`pulls from a ${registrySku(spec)} registry without an admin user`, () => {
                const registry = named(run(), T.registry, "mcp-image-registry");
                assert.equal(registry.inputs.sku.name, tier === "enterprise" ? "Standard" : "Basic");
                assert.equal(registry.inputs.adminUserEnabled, false);
                assert.equal(registry.inputs.anonymousPullEnabled, false);
                assert.deepEqual(app().inputs.configuration.registries, [
                    {
                        server: `${registry.inputs.registryName}.azurecr.io`,
                        identity: idOf(named(run(), T.identity, "mcp-server-identity")),
                    },
                ]);
            });
        });

        describe("AuditDatabase (PostgreSQL Flexible Server)", () => {
            const server = () => named(run(), T.server, "mcp-audit-server");
            it("has private access only: delegated subnet, private DNS zone linked to the VNet, public access disabled", () => {
                const net = server().inputs.network;
                assert.equal(net.publicNetworkAccess, "Disabled");
                assert.equal(net.delegatedSubnetResourceId, idOf(subnet("database")));
                const zone = named(run(), T.zone, "mcp-audit-dns");
                assert.match(zone.inputs.privateZoneName, /\.postgres\.database\.azure\.com$/);
                assert.equal(net.privateDnsZoneArmResourceId, idOf(zone));
                assert.equal(
                    named(run(), T.link, "mcp-audit-dns-link").inputs.virtualNetwork.id,
                    idOf(named(run(), T.vnet, "mcp-network-vnet")),
                );
            });
            it("requires TLS for every connection", () => {
                const tls = named(run(), T.config, "mcp-audit-require-tls");
                assert.equal(tls.inputs.configurationName, "require_secure_transport");
                assert.equal(tls.inputs.value, "on");
            });
            it(`${ha ? "is zone-redundant HA" : "has no standby"}, keeps ${Math.max(7, spec.database.backupRetentionDays)} days of backups${tier === "enterprise" ? ", geo-redundant" : ""}`, () => {
                assert.equal(server().inputs.highAvailability.mode, ha ? "ZoneRedundant" : "Disabled");
                assert.equal(server().inputs.backup.backupRetentionDays, Math.max(7, spec.database.backupRetentionDays));
                assert.equal(server().inputs.backup.geoRedundantBackup, tier === "enterprise" ? "Enabled" : "Disabled");
                if (ha) assert.notEqual(server().inputs.sku.tier, "Burstable", "Burstable has no HA");
            });
            it(`${spec.database.deletionProtection ? "is locked against deletion" : "has no delete lock"}`, () => {
                const locks = all(run(), T.lock);
                assert.equal(locks.length, spec.database.deletionProtection ? 1 : 0);
                if (locks.length) {
                    assert.equal(locks[0].inputs.scope, idOf(server()));
                    assert.equal(locks[0].inputs.level, "CanNotDelete");
                }
            });
            it(`has ${spec.database.readReplicas} read replica(s)`, () => {
                const replicas = all(run(), T.server).filter((s) => s.inputs.createMode === "Replica");
                assert.equal(replicas.length, spec.database.readReplicas);
                for (const r of replicas) {
                    assert.equal(r.inputs.sourceServerResourceId, idOf(server()));
                    assert.equal(r.inputs.network.publicNetworkAccess, "Disabled");
                }
            });
            it(`keeps credentials and a sslmode=verify-full URL ${vaulted ? "in Key Vault only" : "in Pulumi's state and the Container App only"}`, () => {
                if (!vaulted) {
                    const creds = JSON.parse(run().outputs.databaseCredentialsSecret);
                    assert.deepEqual(Object.keys(creds).sort(), ["dbname", "engine", "host", "password", "port", "username"]);
                    assert.equal(creds.username, "mcp_admin");
                    assert.ok(!all(run(), T.secret).length, "no Key Vault secret");
                    return;
                }
                const url = named(run(), T.secret, "mcp-audit-url");
                // Issue 11: the server's URL is the append-only role's; the administrator's is mcp-audit-admin-url.
                assert.match(
                    url.inputs.properties.value,
                    /^postgres:\/\/mcp_server:.+@mcp-audit-server.*\.postgres\.database\.azure\.com:5432\/mcp_audit\?sslmode=verify-full$/,
                );
                assert.equal(url.inputs.vaultName, named(run(), T.vault, "mcp-network-vault").inputs.vaultName);
            });
        });

        if (!managedCache) {
            it("has no session cache: no Redis, no cache private endpoint or DNS zone, no cache secrets", () => {
                assert.equal(all(run(), T.redis).length + all(run(), T.redisDb).length, 0);
                assert.ok(!run().resources.some((r) => r.name.startsWith("mcp-cache")), "nothing named mcp-cache-*");
                assert.deepEqual(
                    all(run(), T.pe).map((r) => r.name),
                    [
                        ...(vaulted ? ["mcp-network-vault-endpoint"] : []),
                        ...(spec.audit.storageAccess === "privateEndpoint" ? ["mcp-server-anchors-endpoint"] : []),
                    ],
                    "the vault's (secretStore managed) and the audit checkpoint account's (auditStorageAccess privateEndpoint), no cache's",
                );
                assert.equal(run().outputs.cacheEndpoint, undefined);
            });
        } else
            describe("SessionCache (Azure Managed Redis)", () => {
                const cluster = () => named(run(), T.redis, "mcp-cache-cluster");
                it("is TLS-only with access keys and no public access", () => {
                    assert.equal(cluster().inputs.publicNetworkAccess, "Disabled");
                    assert.equal(cluster().inputs.minimumTlsVersion, "1.2");
                    const db = named(run(), T.redisDb, "mcp-cache-database");
                    assert.equal(db.inputs.clientProtocol, "Encrypted");
                    assert.equal(db.inputs.accessKeysAuthentication, "Enabled");
                });
                it(`uses ${azureSizing(resolveTier(tier)).cacheSku}${ha ? " with HA" : " without HA"}`, () => {
                    assert.equal(cluster().inputs.sku.name, pickRedisSku(spec.cache.memoryMiB).name);
                    assert.equal(cluster().inputs.highAvailability, ha ? "Enabled" : "Disabled");
                });
                it("is reached through a private endpoint registered in privatelink.redis.azure.net", () => {
                    const pe = named(run(), T.pe, "mcp-cache-endpoint");
                    assert.equal(pe.inputs.privateLinkServiceConnections[0].privateLinkServiceId, idOf(cluster()));
                    assert.deepEqual(pe.inputs.privateLinkServiceConnections[0].groupIds, ["redisEnterprise"]);
                    assert.equal(named(run(), T.zone, "mcp-cache-dns").inputs.privateZoneName, "privatelink.redis.azure.net");
                });
                it("keeps a rediss:// URL with the access key in Key Vault only", () => {
                    assert.match(
                        named(run(), T.secret, "mcp-cache-url").inputs.properties.value,
                        /^rediss:\/\/:mock-redis-key-.+@.+\.redis\.azure\.net:10000$/,
                    );
                });
            });

        if (!gateway)
            describe("EdgeLB (payPerRequest: the Container Apps ingress)", () => {
                it("creates no Application Gateway, no WAF policy, no edge public IP and no listener rule", () => {
                    assert.equal(all(run(), T.gateway).length, 0);
                    assert.equal(all(run(), T.waf).length, 0);
                    assert.ok(!run().resources.some((r) => r.custom && r.name.startsWith("mcp-edge-")), "the edge has no child of its own");
                    assert.deepEqual(
                        all(run(), T.ip).map((r) => r.name),
                        spec.nat === "none" ? [] : ["mcp-network-nat-ip"],
                    );
                });
                it("serves HTTPS on the app's own Azure name", () => {
                    assert.equal(run().outputs.mcpUrl, `https://${APP_FQDN}/mcp`);
                });
                it("opens no NSG rule to the internet (an external environment's ingress does not pass the subnet)", () => {
                    assert.deepEqual(internetRules(run()), []);
                });
            });
        if (gateway)
            describe("EdgeLB (Application Gateway v2)", () => {
                const gw = () => named(run(), T.gateway, "mcp-edge-gateway");
                // Issue 14: prod and enterprise serve HTTPS only; their stack files carry a placeholder domain.
                const hasDomain = tier !== "dev";
                it(`autoscales from ${appGatewayMinInstances(spec)} reserved instances`, () => {
                    assert.deepEqual(gw().inputs.autoscaleConfiguration, { minCapacity: appGatewayMinInstances(spec), maxCapacity: 10 });
                });
                it(`is ${spec.edge.waf === "none" ? "Standard_v2 without" : "WAF_v2 with"} a WAF policy`, () => {
                    assert.equal(gw().inputs.sku.name, spec.edge.waf === "none" ? "Standard_v2" : "WAF_v2");
                    const wafs = all(run(), T.waf);
                    assert.equal(wafs.length, spec.edge.waf === "none" ? 0 : 1);
                    if (wafs.length) assert.equal(gw().inputs.firewallPolicy.id, idOf(wafs[0]));
                });
                if (spec.edge.waf !== "none") {
                    it("applies managed rule sets in Prevention mode and a per-client-IP rate limit", () => {
                        const waf = named(run(), T.waf, "mcp-edge-waf");
                        assert.equal(waf.inputs.policySettings.mode, "Prevention");
                        assert.deepEqual(waf.inputs.managedRules.managedRuleSets, MANAGED_RULE_SETS[spec.edge.waf]);
                        const rate = waf.inputs.customRules.find((r: any) => r.ruleType === "RateLimitRule");
                        assert.equal(rate.rateLimitThreshold, spec.edge.rateLimitPerMinute);
                        assert.equal(rate.rateLimitDuration, "OneMin");
                        assert.deepEqual(rate.groupByUserSession, [{ groupByVariables: [{ variableName: "ClientAddr" }] }]);
                        assert.equal(rate.action, "Block");
                    });
                }
                it("health-probes /health and forwards over HTTPS to the Container App with the tier's idle timeout", () => {
                    assert.equal(gw().inputs.probes[0].path, "/health");
                    const settings = gw().inputs.backendHttpSettingsCollection[0];
                    assert.equal(settings.protocol, "Https");
                    assert.equal(settings.requestTimeout, spec.edge.idleTimeoutSeconds);
                    assert.deepEqual(gw().inputs.backendAddressPools[0].backendAddresses, [{ fqdn: APP_FQDN }]);
                    assert.equal(gw().inputs.gatewayIPConfigurations[0].subnet.id, idOf(subnet("gateway")));
                });
                it(
                    hasDomain
                        ? "serves HTTPS with the strict TLS policy and redirects HTTP permanently"
                        : "serves plain HTTP only (no domain)",
                    () => {
                        const protocols = gw()
                            .inputs.httpListeners.map((l: any) => l.protocol)
                            .sort();
                        if (hasDomain) {
                            assert.deepEqual(protocols, ["Http", "Https"]);
                            assert.equal(
                                gw().inputs.sslPolicy.policyName,
                                spec.edge.tlsProfile === "restricted" ? "AppGwSslPolicy20220101S" : "AppGwSslPolicy20220101",
                            );
                            // Issue 14, finding 2: the PFX is given to the gateway itself, not read from a vault.
                            assert.ok(gw().inputs.sslCertificates[0].data && gw().inputs.sslCertificates[0].keyVaultSecretId === undefined);
                            const redirect = gw().inputs.redirectConfigurations[0];
                            assert.equal(redirect.redirectType, "Permanent");
                            assert.match(redirect.targetListener.id, /\/httpListeners\/https$/);
                            const httpRule = gw().inputs.requestRoutingRules.find((r: any) =>
                                /\/httpListeners\/http$/.test(r.httpListener.id),
                            );
                            assert.ok(httpRule.redirectConfiguration && !httpRule.backendAddressPool);
                            assert.equal(all(run(), T.role).filter((r) => r.name === "mcp-edge-certificates-reader").length, 0);
                        } else {
                            assert.deepEqual(protocols, ["Http"]);
                            assert.equal(gw().inputs.redirectConfigurations, undefined);
                        }
                    },
                );
                it("is the only thing open to the internet, on its listener ports only", () => {
                    const open = internetRules(run());
                    assert.deepEqual(open.flatMap((r: any) => r.destinationPortRanges).sort(), hasDomain ? ["443", "80"] : ["80"]);
                    const gatewayNsg = named(run(), T.nsg, "mcp-network-gateway-nsg");
                    assert.ok(
                        all(run(), T.rule)
                            .filter((r) => open.includes(r.inputs))
                            .every((r) => r.inputs.networkSecurityGroupName === `${gatewayNsg.name}-1a2b3c`),
                    );
                });
            });

        it("summaries match the tier table (Azure's nearest larger SKUs where it has no exact one)", () => {
            const s = run().outputs.summary;
            assert.equal(s.cloud, "azure");
            assert.deepEqual(
                [
                    s.cluster.minReplicas,
                    s.cluster.scalesToZero,
                    s.cluster.maxReplicas,
                    s.cluster.milliCpu,
                    s.cluster.memoryMiB,
                    s.cluster.zones,
                    s.cluster.targetCpuPercent,
                ],
                [
                    spec.service.scaleToZero ? 0 : spec.service.minReplicas,
                    spec.service.scaleToZero,
                    spec.service.maxReplicas,
                    spec.service.milliCpu,
                    spec.service.memoryMiB,
                    spec.zones,
                    spec.service.targetCpuPercent,
                ],
            );
            assert.deepEqual([s.cluster.publicIp, s.cluster.cpuArchitecture], [false, "x86_64"]);
            assert.equal(s.cluster.logRetentionDays, Math.max(30, spec.logRetentionDays));
            const sku = pickPostgresSku(spec.database);
            assert.deepEqual([s.database.sku, s.database.vcpu, s.database.memoryGiB], [sku.name, sku.vcpu, sku.memoryGiB]);
            assert.ok(s.database.vcpu >= spec.database.vcpu && s.database.memoryGiB >= spec.database.memoryGiB);
            assert.ok(s.database.storageGiB >= spec.database.storageGiB && s.database.storageGiB < spec.database.storageGiB * 2);
            assert.deepEqual(
                [
                    s.database.highAvailability,
                    s.database.deletionProtection,
                    s.database.readReplicas,
                    s.database.tlsRequired,
                    s.database.publicAccess,
                    s.database.pointInTimeRestore,
                ],
                [spec.database.highAvailability, spec.database.deletionProtection, spec.database.readReplicas, true, false, true],
            );
            assert.equal(s.database.backupRetentionDays, Math.max(7, spec.database.backupRetentionDays));
            if (managedCache) {
                assert.deepEqual(
                    [
                        s.cache.memoryMiB,
                        s.cache.highAvailability,
                        s.cache.replicas,
                        s.cache.tls,
                        s.cache.authRequired,
                        s.cache.publicAccess,
                    ],
                    [spec.cache.memoryMiB, spec.cache.highAvailability, spec.cache.highAvailability ? 1 : 0, true, true, false],
                );
            } else {
                assert.equal(s.cache, null);
            }
            // HTTPS where there is a domain (prod's and enterprise's gateway) and always on the payPerRequest edge (the platform's name).
            const https = tier !== "dev" || !gateway;
            assert.deepEqual(
                [s.edge.kind, s.edge.waf, s.edge.rateLimitPerMinute, s.edge.healthPath, s.edge.tls, s.edge.httpRedirect],
                [
                    spec.edge.kind,
                    spec.edge.waf !== "none",
                    spec.edge.rateLimitPerMinute,
                    "/health",
                    https ? spec.edge.tlsProfile : "none",
                    https,
                ],
            );
            // Application Gateway honours the tier's idle timeout; the Consumption Container Apps ingress stops at 240 s.
            assert.equal(s.edge.idleTimeoutSeconds, gateway ? spec.edge.idleTimeoutSeconds : 240);
        });

        it("names every child <component>-<role>", () => {
            const components = run()
                .resources.filter((r) => r.type.startsWith("mcp-infra:index:"))
                .map((r) => r.name)
                .filter((n) => n !== "mcp");
            assert.deepEqual([...components].sort(), [
                "mcp-audit",
                ...(managedCache ? ["mcp-cache"] : []),
                "mcp-edge",
                "mcp-image",
                "mcp-monitor",
                "mcp-network",
                "mcp-server",
            ]);
            for (const r of run().resources.filter((x) => x.custom)) {
                assert.ok(
                    components.some((c) => r.name.startsWith(`${c}-`)),
                    `${r.type} ${r.name}`,
                );
            }
        });
    });
}

describe("Azure sizing", () => {
    it("maps Container Apps sizes only to valid CPU/memory pairs", () => {
        assert.deepEqual(containerAppSize(250, 512), { cpu: 0.25, memory: "0.5Gi" });
        assert.deepEqual(containerAppSize(1000, 2048), { cpu: 1, memory: "2Gi" });
        assert.throws(
            () => containerAppSize(500, 4096),
            (e: any) => e instanceof ConfigError && e.key === "mcp-infra:serviceMemoryMiB" && /nearest valid values: 1024/.test(e.message),
        );
    });
    it("never picks a Burstable PostgreSQL SKU for HA or replicas, and rounds up to the next SKU otherwise", () => {
        assert.equal(pickPostgresSku(TIERS.dev.database).tier, "Burstable");
        assert.equal(pickPostgresSku({ ...TIERS.dev.database, vcpu: 2, memoryGiB: 1 }).name, "Standard_B2s");
        assert.equal(pickPostgresSku({ ...TIERS.dev.database, vcpu: 1, memoryGiB: 1 }).name, "Standard_B1ms");
        assert.equal(pickPostgresSku(TIERS.prod.database).name, "Standard_D2ds_v5");
        assert.equal(pickPostgresSku(TIERS.enterprise.database).name, "Standard_D2ds_v5");
    });
    it("maps cache memory to the nearest larger Balanced SKU", () => {
        assert.deepEqual(
            [512, 1024, 6144, 2000].map((m) => pickRedisSku(m).name),
            ["Balanced_B0", "Balanced_B1", "Balanced_B5", "Balanced_B3"],
        );
    });
});

describe("Azure overrides it cannot honour fail at preview", () => {
    const fails = async (stack: string, extra: Record<string, string>, key: string, near: RegExp) => {
        await assert.rejects(runProgram(stack, { ...readStackFile(stack), ...extra }), (e: any) => {
            assert.ok(e instanceof ConfigError, String(e));
            assert.equal(e.key, key);
            assert.match(e.message, near);
            return true;
        });
    };
    it("serviceMilliCpu 300 names the key and 250 or 500", () =>
        fails("dev-azure", { "mcp-infra:serviceMilliCpu": "300" }, "mcp-infra:serviceMilliCpu", /nearest valid values: 250 or 500/));
    it("a Burstable dbInstanceClass on an HA tier names the nearest General Purpose SKU", () =>
        fails(
            "prod-azure",
            { "mcp-infra:dbInstanceClass": "Standard_B2s" },
            "mcp-infra:dbInstanceClass",
            /nearest valid values: Standard_D2ds_v5/,
        ));
    it("an unknown cacheNodeType lists the Azure Managed Redis SKUs", () =>
        fails("dev-azure", { "mcp-infra:cacheNodeType": "cache.t4g.micro" }, "mcp-infra:cacheNodeType", /Balanced_B0/));
    it("logRetentionDays above Log Analytics' limit names 730", () =>
        fails("dev-azure", { "mcp-infra:logRetentionDays": "1000" }, "mcp-infra:logRetentionDays", /nearest valid values: 730/));
    it("dbStorageGiB above the largest disk names 32768", () =>
        fails("dev-azure", { "mcp-infra:dbStorageGiB": "40000" }, "mcp-infra:dbStorageGiB", /nearest valid values: 32768/));
});

describe("Azure choices of the tier, each overridable in stack config", () => {
    const variants = {
        devBehindGateway: ["dev-azure", { "mcp-infra:edgeKind": "loadBalancer" }],
        devWithDomainBehindGateway: [
            "dev-azure",
            {
                "mcp-infra:edgeKind": "loadBalancer",
                "mcp-infra:domain": "mcp.example.com",
                "mcp-infra:tlsCertificate": "stacks/tls/placeholder-mcp.example.com.pfx",
            },
        ],
        devWithNat: ["dev-azure", { "mcp-infra:natGateways": "single" }],
        prodWithoutNat: ["prod-azure", { "mcp-infra:natGateways": "none" }],
        devAlwaysOn: ["dev-azure", { "mcp-infra:scaleToZero": "false" }],
        devToZero: ["dev-azure", { "mcp-infra:scaleToZero": "true" }],
        devWithCache: ["dev-azure", { "mcp-infra:sessionStore": "managed", "mcp-infra:maxReplicas": "2" }],
        devX86: ["dev-azure", { "mcp-infra:cpuArchitecture": "x86_64" }],
        devVault: ["dev-azure", { "mcp-infra:secretStore": "managed" }],
        devVaultWithCache: [
            "dev-azure",
            { "mcp-infra:secretStore": "managed", "mcp-infra:sessionStore": "managed", "mcp-infra:maxReplicas": "2" },
        ],
        devAnchorsPrivate: ["dev-azure", { "mcp-infra:auditStorageAccess": "privateEndpoint" }],
        prodPlatform: ["prod-azure", { "mcp-infra:secretStore": "platform", "mcp-infra:auditStorageAccess": "serviceEndpoint" }],
    } as const;
    const got: Partial<Record<keyof typeof variants, ProgramRun>> = {};
    const estimate = (run: ProgramRun) =>
        estimateCost(run.resources.map(({ type, name, inputs, custom }) => ({ type, name, inputs, custom })));
    const v = (name: keyof typeof variants) => got[name]!;
    before(async () => {
        for (const [name, [stack, extra]] of Object.entries(variants)) {
            got[name as keyof typeof variants] = await runProgram(stack, { ...readStackFile(stack), ...extra });
        }
    });
    const fails = async (stack: string, extra: Record<string, string>, key: string, ...says: RegExp[]) => {
        await assert.rejects(runProgram(stack, { ...readStackFile(stack), ...extra }), (e: any) => {
            assert.ok(e instanceof ConfigError, String(e));
            assert.equal(e.key, key);
            for (const s of says) assert.match(e.message, s);
            return true;
        });
    };

    describe("edgeKind", () => {
        it("loadBalancer on dev brings Application Gateway back, in front of an internal environment that admits only its subnet", () => {
            const run = v("devBehindGateway");
            const gw = named(run, T.gateway, "mcp-edge-gateway");
            assert.equal(gw.inputs.sku.name, "Standard_v2");
            assert.equal(gw.inputs.autoscaleConfiguration.minCapacity, 0);
            assert.deepEqual(gw.inputs.backendAddressPools[0].backendAddresses, [{ fqdn: APP_FQDN }]);
            const env = named(run, T.env, "mcp-server-environment");
            assert.deepEqual([env.inputs.vnetConfiguration.internal, env.inputs.publicNetworkAccess], [true, "Disabled"]);
            assert.equal(named(run, T.zone, "mcp-server-dns").inputs.privateZoneName, ENV_DOMAIN);
            const ingress = named(run, T.app, "mcp-server-app").inputs.configuration.ingress;
            assert.deepEqual(
                ingress.ipSecurityRestrictions.map((r: any) => r.ipAddressRange),
                [named(run, T.subnet, "mcp-network-gateway-subnet").inputs.addressPrefix],
            );
            assert.match(run.outputs.mcpUrl, /^http:\/\/mcp-[0-9a-f]+\.eastus\.cloudapp\.azure\.com\/mcp$/);
            assert.deepEqual(
                internetRules(run).flatMap((r: any) => r.destinationPortRanges),
                ["80"],
            );
            const s = run.outputs.summary.edge;
            assert.deepEqual([s.kind, s.tls, s.httpRedirect, s.waf, s.idleTimeoutSeconds], ["loadBalancer", "none", false, false, 300]);
        });
        it("loadBalancer on dev with a domain serves HTTPS on it and redirects HTTP", () => {
            const run = v("devWithDomainBehindGateway");
            const gw = named(run, T.gateway, "mcp-edge-gateway");
            assert.deepEqual(gw.inputs.httpListeners.map((l: any) => l.protocol).sort(), ["Http", "Https"]);
            assert.equal(run.outputs.mcpUrl, "https://mcp.example.com/mcp");
            assert.deepEqual([run.outputs.summary.edge.tls, run.outputs.summary.edge.httpRedirect], ["modern", true]);
        });
        it("a domain on the payPerRequest edge is refused, naming mcp-infra:domain and the ways out", () =>
            fails(
                "dev-azure",
                { "mcp-infra:domain": "mcp.example.com" },
                "mcp-infra:domain",
                /payPerRequest/,
                /leave domain empty/,
                /edgeKind to "loadBalancer"/,
            ));
        it("payPerRequest on a tier with a WAF is refused, naming mcp-infra:edgeKind", () =>
            fails("prod-azure", { "mcp-infra:edgeKind": "payPerRequest" }, "mcp-infra:edgeKind", /WAF/));
    });

    describe("natGateways", () => {
        it("single on dev puts one NAT gateway with its static IP on the environment's subnet", () => {
            const run = v("devWithNat");
            const nat = named(run, T.nat, "mcp-network-nat");
            assert.deepEqual(nat.inputs.publicIpAddresses, [{ id: idOf(named(run, T.ip, "mcp-network-nat-ip")) }]);
            assert.equal(named(run, T.subnet, "mcp-network-apps-subnet").inputs.natGateway.id, idOf(nat));
        });
        it("none on prod leaves out the NAT gateway and its IP; nothing else changes", () => {
            const run = v("prodWithoutNat");
            assert.equal(all(run, T.nat).length, 0);
            assert.deepEqual(
                all(run, T.ip).map((r) => r.name),
                ["mcp-edge-ip"],
            );
            assert.equal(named(run, T.subnet, "mcp-network-apps-subnet").inputs.natGateway, undefined);
            assert.equal(all(run, T.gateway).length, 1);
        });
    });

    describe("scaleToZero", () => {
        it("false on dev keeps the tier's one replica running", () => {
            const run = v("devAlwaysOn");
            assert.equal(named(run, T.app, "mcp-server-app").inputs.template.scale.minReplicas, TIERS.dev.service.minReplicas);
            assert.deepEqual(
                [run.outputs.summary.cluster.minReplicas, run.outputs.summary.cluster.scalesToZero],
                [TIERS.dev.service.minReplicas, false],
            );
        });
        it("true on dev lets the app scale to zero (the HTTP rule wakes it)", () => {
            const run = v("devToZero");
            const scale = named(run, T.app, "mcp-server-app").inputs.template.scale;
            assert.deepEqual([scale.minReplicas, scale.maxReplicas], [0, TIERS.dev.service.maxReplicas]);
            assert.ok(
                scale.rules.some((r: any) => r.http),
                "an HTTP rule, which can scale from zero",
            );
            assert.deepEqual([run.outputs.summary.cluster.minReplicas, run.outputs.summary.cluster.scalesToZero], [0, true]);
        });
        it("behind Application Gateway the tier's default keeps the tier's minimum (the gateway's probe would keep a replica awake)", () => {
            const run = v("devBehindGateway");
            assert.equal(named(run, T.app, "mcp-server-app").inputs.template.scale.minReplicas, TIERS.dev.service.minReplicas);
            assert.deepEqual(
                [run.outputs.summary.cluster.minReplicas, run.outputs.summary.cluster.scalesToZero],
                [TIERS.dev.service.minReplicas, false],
            );
        });
        it("true behind Application Gateway (prod) is refused, naming mcp-infra:scaleToZero", () =>
            fails("prod-azure", { "mcp-infra:scaleToZero": "true" }, "mcp-infra:scaleToZero", /health probe keeps a replica awake/));
    });

    describe("sessionStore", () => {
        it("managed with maxReplicas 2 on dev brings the Redis cache back: private endpoint, REDIS_URL from Key Vault", () => {
            const run = v("devWithCache");
            const cluster = named(run, T.redis, "mcp-cache-cluster");
            assert.deepEqual(
                [cluster.inputs.sku.name, cluster.inputs.highAvailability, cluster.inputs.publicNetworkAccess],
                ["Balanced_B0", "Disabled", "Disabled"],
            );
            assert.equal(
                named(run, T.pe, "mcp-cache-endpoint").inputs.privateLinkServiceConnections[0].privateLinkServiceId,
                idOf(cluster),
            );
            const app = named(run, T.app, "mcp-server-app");
            const redis = app.inputs.template.containers[0].env.find((e: any) => e.name === "REDIS_URL");
            assert.ok(redis?.secretRef && redis.value === undefined);
            assert.equal(app.inputs.template.scale.maxReplicas, 2);
            assert.equal(run.outputs.summary.cache.engine, "redis");
            assert.equal(run.outputs.summary.cluster.maxReplicas, 2);
        });
    });

    describe("cpuArchitecture", () => {
        it("arm64 is refused, naming mcp-infra:cpuArchitecture and x86_64", () =>
            fails(
                "dev-azure",
                { "mcp-infra:cpuArchitecture": "arm64" },
                "mcp-infra:cpuArchitecture",
                /Container Apps runs linux\/amd64/,
                /allowed values on Azure: x86_64/,
            ));
        it("x86_64 is what Azure runs anyway: the image is built for linux/amd64", () => {
            const run = v("devX86");
            assert.equal(run.outputs.summary.cluster.cpuArchitecture, "x86_64");
            assert.equal(run.resources.find((r) => r.type === "docker:index/image:Image")!.inputs.build.platform, "linux/amd64");
        });
    });

    describe("secretStore", () => {
        it("managed on dev brings the Key Vault back: private (RBAC, public access off, private endpoint), every secret a Key Vault reference", () => {
            for (const run of [v("devVault"), v("devVaultWithCache")]) {
                const vault = named(run, T.vault, "mcp-network-vault");
                assert.deepEqual(
                    [
                        vault.inputs.properties.publicNetworkAccess,
                        vault.inputs.properties.networkAcls.defaultAction,
                        vault.inputs.properties.enableRbacAuthorization,
                    ],
                    ["Disabled", "Deny", true],
                );
                assert.equal(
                    named(run, T.pe, "mcp-network-vault-endpoint").inputs.privateLinkServiceConnections[0].privateLinkServiceId,
                    idOf(vault),
                );
                assert.equal(named(run, T.zone, "mcp-network-vault-dns").inputs.privateZoneName, "privatelink.vaultcore.azure.net");
                for (const type of [T.app, "azure-native:app:Job"]) {
                    const secrets = all(run, type)[0].inputs.configuration.secrets;
                    assert.ok(secrets.length > 0 && secrets.every((s: any) => s.keyVaultUrl && s.identity && s.value === undefined), type);
                }
                assert.match(run.outputs.apiKeySecret, /^https:\/\/mcpkv-[0-9a-f]+\.vault\.azure\.net\/secrets\/mcp-api-keys$/);
            }
            const cached = v("devVaultWithCache");
            assert.ok(named(cached, T.secret, "mcp-cache-url").inputs.properties.value.startsWith("rediss://"));
        });
        it("platform is the dev default: no vault, the app's and the job's secrets hold values that are Pulumi secrets, read by secretRef", () => {
            const run = runs.dev!;
            assert.equal(all(run, T.vault).length, 0);
            for (const type of [T.app, "azure-native:app:Job"]) {
                const r = all(run, type)[0];
                const secrets = r.inputs.configuration.secrets;
                assert.ok(secrets.length >= 2 && secrets.every((s: any) => typeof s.value === "string" && s.value.length > 0), type);
                assert.ok(r.secretInputs.includes("configuration"), `${type}: the values are Pulumi secrets`);
                const refs = r.inputs.template.containers[0].env.filter((e: any) => e.secretRef).map((e: any) => e.secretRef);
                assert.deepEqual([...refs].sort(), secrets.map((s: any) => s.name).sort(), `${type}: every secret is read by secretRef`);
                for (const s of secrets) assert.match(s.name, CONTAINER_APP_SECRET_NAME);
            }
        });
        it("platform on prod drops the vault and the anchors' private endpoint there too; prod's other private endpoints stay", () => {
            const run = v("prodPlatform");
            assert.equal(all(run, T.vault).length, 0);
            assert.deepEqual(
                all(run, T.pe).map((r) => r.name),
                ["mcp-cache-endpoint"],
            );
            const redis = named(run, T.app, "mcp-server-app").inputs.configuration.secrets.find((s: any) => s.name === "redis-url");
            assert.match(redis.value, /^rediss:\/\/:.+@.+:10000$/);
            assert.deepEqual(JSON.parse(run.outputs.cacheAuthSecret).port, 10000);
        });
        it("the cost choice: undoing it (managed) costs the vault's private endpoint and DNS zone", () => {
            const total = (r: ProgramRun) => estimate(r).totalMonthlyUsd;
            const diff = total(v("devVault")) - total(runs.dev!);
            assert.ok(diff > 7.7 && diff < 8, String(diff));
        });
    });

    describe("auditStorageAccess", () => {
        it("privateEndpoint on dev brings the blob private endpoint and its zone back, public network access off, no service endpoint", () => {
            const run = v("devAnchorsPrivate");
            const account = named(run, "azure-native:storage:StorageAccount", "mcp-server-anchors");
            assert.equal(account.inputs.publicNetworkAccess, "Disabled");
            assert.equal(account.inputs.networkRuleSet.virtualNetworkRules, undefined);
            assert.equal(
                named(run, T.pe, "mcp-server-anchors-endpoint").inputs.privateLinkServiceConnections[0].privateLinkServiceId,
                idOf(account),
            );
            assert.equal(named(run, T.subnet, "mcp-network-apps-subnet").inputs.serviceEndpoints, undefined);
            const diff = estimate(run).totalMonthlyUsd - estimate(runs.dev!).totalMonthlyUsd;
            assert.ok(diff > 7.7 && diff < 7.9, String(diff));
        });
        it("an unknown value is refused, naming mcp-infra:auditStorageAccess", () =>
            fails(
                "dev-azure",
                { "mcp-infra:auditStorageAccess": "public" },
                "mcp-infra:auditStorageAccess",
                /privateEndpoint or serviceEndpoint/,
            ));
    });

    describe("cost estimate (pricing engine)", () => {
        const envLines = (run: ProgramRun) => estimate(run).lines.filter((l) => l.resource === "mcp-server-environment");
        it("prices every resource of every tier and choice: nothing unpriced", () => {
            for (const run of [...TIER_LIST.map((t) => runs[t]!), ...Object.values(got)]) {
                assert.deepEqual(estimate(run!).unpriced, [], run!.stack);
            }
        });
        it("prices a VNet-integrated environment's managed load balancer and public IPs: two IPs when external, one when internal", () => {
            const ips = (run: ProgramRun) => envLines(run).find((l) => l.priceId === "azure.publicip.static")!.quantity / 730;
            assert.equal(ips(runs.dev!), 2);
            assert.equal(ips(runs.prod!), 1);
            assert.equal(ips(v("devBehindGateway")), 1);
            for (const run of [runs.dev!, runs.prod!])
                assert.equal(envLines(run).find((l) => l.priceId === "azure.lb.standard.hour")!.quantity, 730);
        });
        it("bills no idle replica for an app that scales to zero, and one for an app that does not", () => {
            const idle = (run: ProgramRun) => estimate(run).lines.find((l) => l.priceId === "azure.aca.idle.vcpu")!.quantity;
            assert.equal(idle(runs.dev!), 0);
            assert.ok(idle(v("devAlwaysOn")) > 0);
        });
        it("reserves gateway capacity only in the 99.99 % tier; dev has no gateway, no NAT and no cache to pay for", () => {
            const cu = (run: ProgramRun) =>
                estimate(run).lines.find((l) => l.priceId.startsWith("azure.appgw.") && l.priceId.endsWith(".cu"))!;
            assert.equal(cu(runs.prod!).usageBased, true);
            assert.equal(cu(runs.enterprise!).quantity, 730 * 10 * appGatewayMinInstances(TIERS.enterprise));
            const dev = estimate(runs.dev!);
            assert.ok(!dev.lines.some((l) => /appgw|nat|redis/.test(l.priceId)), dev.lines.map((l) => l.priceId).join(", "));
        });
    });
});

describe("Azure components used one by one", () => {
    it("the cluster follows the edge it is given: an EdgeLB overridden to loadBalancer puts an internal environment behind a gateway", async () => {
        const run = await runProgram("lib-azure", { "azure-native:location": "eastus" }, () => {
            const network = new lib.Network("n", { cloud: "azure", tier: "dev" });
            const image = new lib.ServerImage("img", { network, image: "ghcr.io/acme/mcp:1.2.3" });
            const database = new lib.AuditDatabase("db", { network });
            const edge = new lib.EdgeLB("lb", { network, overrides: { edgeKind: "loadBalancer" } });
            const cluster = new lib.McpCluster("svc", { network, image, database, edge });
            return { edge: edge.summary, svc: cluster.summary, url: edge.mcpUrl };
        });
        assert.equal(named(run, T.gateway, "lb-gateway").inputs.sku.name, "Standard_v2");
        assert.equal(named(run, T.env, "svc-environment").inputs.vnetConfiguration.internal, true);
        assert.equal(run.outputs.edge.kind, "loadBalancer");
        assert.equal(run.outputs.svc.minReplicas, TIERS.dev.service.minReplicas, "no scale to zero behind the gateway");
        assert.equal(all(run, T.registry).length, 0, "a user image needs no registry");
    });
});

describe("Azure choices as pure functions", () => {
    it("keeps no replica running when the tier scales to zero on the payPerRequest edge, else the tier's minimum", () => {
        assert.equal(containerAppMinReplicas(TIERS.dev), 0);
        assert.equal(containerAppMinReplicas(resolveTier("dev", { scaleToZero: false })), TIERS.dev.service.minReplicas);
        assert.equal(containerAppMinReplicas(TIERS.dev, "loadBalancer"), TIERS.dev.service.minReplicas);
        assert.equal(containerAppMinReplicas(TIERS.prod), TIERS.prod.service.minReplicas);
        const prodToZero = resolveTier("prod", { scaleToZero: true });
        assert.throws(
            () => containerAppMinReplicas(prodToZero, "loadBalancer", { scaleToZero: true }),
            (e: any) => e instanceof ConfigError && e.key === "mcp-infra:scaleToZero",
        );
    });
    it("reserves Application Gateway instances (one per zone) only for the tier built for 99.99 %", () => {
        assert.deepEqual(
            TIER_LIST.map((t) => appGatewayMinInstances(TIERS[t])),
            [0, 0, TIERS.enterprise.zones],
        );
    });
    it("refuses a domain on the payPerRequest edge only", () => {
        assert.throws(
            () => checkEdgeDomain(TIERS.dev, "mcp.example.com"),
            (e: any) => e instanceof ConfigError && e.key === "mcp-infra:domain",
        );
        assert.doesNotThrow(() => checkEdgeDomain(TIERS.dev, undefined));
        assert.doesNotThrow(() => checkEdgeDomain(TIERS.prod, "mcp.example.com"));
    });
    it("describes the Container Apps ingress as HTTPS with redirect when public and allowInsecure is off, and as nothing public otherwise", () => {
        const base = { external: true, internalEnvironment: false, allowInsecure: false, transport: "http", livenessPath: "/health" };
        const s = summarizeIngress(base);
        assert.deepEqual(
            [s.kind, s.tls, s.httpRedirect, s.waf, s.rateLimitPerMinute, s.healthPath],
            ["payPerRequest", "modern", true, false, null, "/health"],
        );
        assert.equal(summarizeIngress({ ...base, allowInsecure: true }).httpRedirect, false);
        assert.equal(summarizeIngress({ ...base, internalEnvironment: true }).tls, "none");
        assert.equal(summarizeIngress({ ...base, external: false }).tls, "none");
    });
});

describe("Azure secrets as pure functions", () => {
    it("names Container Apps secrets after their variable, within the API's rules (lower case, digits, '-', at most 253)", () => {
        assert.equal(containerAppSecretName("DATABASE_URL"), "database-url");
        assert.equal(containerAppSecretName("MCP_API_KEYS"), "mcp-api-keys");
        for (const bad of ["_LEADING", "TRAILING_", "A.B", "x".repeat(254)]) assert.throws(() => containerAppSecretName(bad), bad);
        assert.ok(CONTAINER_APP_SECRET_NAME.test("a".repeat(253)));
        assert.ok(!CONTAINER_APP_SECRET_NAME.test("Upper"));
    });
    it("keeps a platform secret's value as a Pulumi secret, and its ref says the value is the id (store: value)", async () => {
        const s = storeSecret(undefined as any, "unused", {
            resourceGroupName: "rg",
            vaultName: undefined,
            name: "n",
            contentType: "text/plain",
            value: "v",
        });
        assert.equal(s.vaultSecret, undefined);
        assert.equal(s.ref.store, "value");
        assert.equal(await pulumi.isSecret(s.value!), true);
        assert.equal(await pulumi.isSecret(s.ref.id), true);
    });
});
