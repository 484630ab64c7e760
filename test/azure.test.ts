/**
 * The Azure topology for every tier, asserted on the inputs the program gives
 * its resources under Pulumi's mocks, plus the Azure SKU mapping.
 */
import * as assert from "node:assert/strict";
import { readStackFile, runProgram, runStack, ProgramRun } from "../scripts/harness";
import { ConfigError, TIERS, TierName, resolveTier } from "../sizing";
import { azureSizing, containerAppSize, pickPostgresSku, pickRedisSku } from "../sizing/azure";
import { MANAGED_RULE_SETS } from "../components/azure/edge";
import { ROLES } from "../components/azure/private";
import { all, idOf, named } from "./util";

const T = {
    rg: "azure-native:resources:ResourceGroup", vnet: "azure-native:network:VirtualNetwork", subnet: "azure-native:network:Subnet",
    nsg: "azure-native:network:NetworkSecurityGroup", rule: "azure-native:network:SecurityRule", nat: "azure-native:network:NatGateway",
    pe: "azure-native:network:PrivateEndpoint", zone: "azure-native:privatedns:PrivateZone", link: "azure-native:privatedns:VirtualNetworkLink",
    workspace: "azure-native:operationalinsights:Workspace", vault: "azure-native:keyvault:Vault", secret: "azure-native:keyvault:Secret",
    env: "azure-native:app:ManagedEnvironment", app: "azure-native:app:ContainerApp", identity: "azure-native:managedidentity:UserAssignedIdentity",
    role: "azure-native:authorization:RoleAssignment", lock: "azure-native:authorization:ManagementLockByScope",
    server: "azure-native:dbforpostgresql:Server", config: "azure-native:dbforpostgresql:Configuration",
    redis: "azure-native:redisenterprise:RedisEnterprise", redisDb: "azure-native:redisenterprise:Database",
    gateway: "azure-native:network:ApplicationGateway", waf: "azure-native:network:WebApplicationFirewallPolicy",
    registry: "azure-native:containerregistry:Registry",
};
const TIER_LIST = ["dev", "prod", "enterprise"] as const;
const runs: Partial<Record<TierName, ProgramRun>> = {};

before(async () => {
    for (const tier of TIER_LIST) runs[tier] = await runStack(`${tier}-azure`);
});

/** The role-definition GUID at the end of a role assignment's roleDefinitionId. */
const roleGuid = (r: { inputs: Record<string, any> }) => String(r.inputs.roleDefinitionId).split("/").pop();

for (const tier of TIER_LIST) {
    const spec = TIERS[tier];
    const ha = tier !== "dev";
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
                    assert.ok(rules.filter((r: any) => r.access === "Allow").every((r: any) => r.priority < deny.priority && r.sourceAddressPrefix !== "Internet" && r.sourceAddressPrefix !== "*"));
                }
                const db = named(run(), T.nsg, "mcp-network-database-nsg").inputs.securityRules.find((r: any) => r.name === "service-to-postgres");
                assert.equal(db.sourceAddressPrefix, subnet("apps").inputs.addressPrefix);
                assert.deepEqual(db.destinationPortRanges, ["5432"]);
            });
            it("sends the environment's egress through a NAT gateway", () => {
                const nat = named(run(), T.nat, "mcp-network-nat");
                assert.equal(subnet("apps").inputs.natGateway.id, idOf(nat));
            });
            it("keeps logs for the tier's retention, raised to Log Analytics' 30-day minimum", () => {
                assert.equal(named(run(), T.workspace, "mcp-network-logs").inputs.retentionInDays, Math.max(30, spec.logRetentionDays));
            });
            it("holds secrets in a Key Vault with RBAC, no public access, a private endpoint and purge protection where the tier protects deletion", () => {
                const vault = named(run(), T.vault, "mcp-network-vault");
                assert.equal(vault.inputs.properties.enableRbacAuthorization, true);
                assert.equal(vault.inputs.properties.publicNetworkAccess, "Disabled");
                assert.equal(vault.inputs.properties.networkAcls.defaultAction, "Deny");
                assert.equal(vault.inputs.properties.enablePurgeProtection, spec.database.deletionProtection ? true : undefined);
                const pe = named(run(), T.pe, "mcp-network-vault-endpoint");
                assert.equal(pe.inputs.privateLinkServiceConnections[0].privateLinkServiceId, idOf(vault));
                assert.equal(pe.inputs.subnet.id, idOf(subnet("endpoints")));
            });
        });

        describe("McpCluster (Container Apps)", () => {
            const app = () => named(run(), T.app, "mcp-server-app");
            const container = () => app().inputs.template.containers[0];
            it(`runs in an internal VNet environment${ha ? ", zone-redundant" : ""}`, () => {
                const env = named(run(), T.env, "mcp-server-environment");
                assert.equal(env.inputs.vnetConfiguration.internal, true);
                assert.equal(env.inputs.vnetConfiguration.infrastructureSubnetId, idOf(subnet("apps")));
                assert.equal(env.inputs.zoneRedundant, ha);
                assert.equal(env.inputs.publicNetworkAccess, "Disabled");
                assert.equal(app().inputs.managedEnvironmentId, idOf(env));
            });
            it("scales between the tier's min and max with an HTTP rule and a CPU rule", () => {
                const scale = app().inputs.template.scale;
                assert.equal(scale.minReplicas, spec.service.minReplicas);
                assert.equal(scale.maxReplicas, spec.service.maxReplicas);
                assert.ok(scale.rules.some((r: any) => Number(r.http?.metadata?.concurrentRequests) > 0));
                assert.equal(scale.rules.find((r: any) => r.custom?.type === "cpu").custom.metadata.value, String(spec.service.targetCpuPercent));
            });
            it("sizes the container per tier and probes liveness on /health and readiness on /ready", () => {
                assert.equal(container().resources.cpu, spec.service.milliCpu / 1000);
                assert.equal(container().resources.memory, `${spec.service.memoryMiB / 1024}Gi`);
                const probe = (type: string) => container().probes.find((p: any) => p.type === type);
                assert.equal(probe("Liveness").httpGet.path, "/health");
                assert.equal(probe("Readiness").httpGet.path, "/ready");
                assert.ok(container().probes.every((p: any) => p.httpGet.port === 8080));
            });
            it("accepts traffic only from the gateway subnet, on the server port, never the metrics port", () => {
                const ingress = app().inputs.configuration.ingress;
                assert.equal(ingress.targetPort, 8080);
                assert.equal(ingress.allowInsecure, false);
                assert.equal(ingress.additionalPortMappings, undefined);
                assert.deepEqual(ingress.ipSecurityRestrictions.map((r: any) => [r.ipAddressRange, r.action]), [[subnet("gateway").inputs.addressPrefix, "Allow"]]);
            });
            it("gets DATABASE_URL, REDIS_URL and MCP_API_KEYS as Key Vault references, never as plain values", () => {
                const identityId = idOf(named(run(), T.identity, "mcp-server-identity"));
                const secrets = app().inputs.configuration.secrets;
                assert.ok(secrets.every((s: any) => s.value === undefined && /^https:\/\/mcpkv-[0-9a-f]+\.vault\.azure\.net\/secrets\//.test(s.keyVaultUrl) && s.identity === identityId));
                const env = container().env;
                for (const name of ["DATABASE_URL", "REDIS_URL", "MCP_API_KEYS"]) {
                    const e = env.find((v: any) => v.name === name);
                    assert.ok(e.secretRef && e.value === undefined, name);
                    assert.ok(secrets.some((s: any) => s.name === e.secretRef), name);
                }
                const plain = Object.fromEntries(env.filter((v: any) => v.value !== undefined).map((v: any) => [v.name, v.value]));
                assert.deepEqual(Object.keys(plain).sort(), ["DATABASE_SSL", "HOST", "LOG_LEVEL", "MCP_ALLOWED_HOSTS", "MCP_TIER", "METRICS_PORT", "NODE_ENV", "PORT"]);
                assert.equal(plain.DATABASE_SSL, "require");
                assert.ok(!Object.values(plain).some((v) => /mock-secret|mock-redis-key|postgres:\/\/|rediss:\/\//.test(String(v))));
            });
            it("has a user-assigned identity that may read exactly its three secrets and pull from exactly its registry", () => {
                const grants = all(run(), T.role).filter((r) => r.name.startsWith("mcp-server-"));
                const secretIds = ["mcp-audit-url", "mcp-cache-url", "mcp-server-api-keys"].map((n) => idOf(named(run(), T.secret, n)));
                const reads = grants.filter((g) => roleGuid(g) === ROLES.keyVaultSecretsUser);
                assert.deepEqual(reads.map((g) => g.inputs.scope).sort(), [...secretIds].sort());
                const pulls = grants.filter((g) => roleGuid(g) === ROLES.acrPull);
                assert.deepEqual(pulls.map((g) => g.inputs.scope), [idOf(named(run(), T.registry, "mcp-image-registry"))]);
                assert.equal(grants.length, 4);
                assert.ok(grants.every((g) => g.inputs.principalType === "ServicePrincipal" && String(g.inputs.principalId).length > 0));
                assert.equal(new Set(grants.map((g) => g.inputs.principalId)).size, 1, "all grants go to the one service identity");
            });
            it("pulls from a registry without an admin user", () => {
                const registry = named(run(), T.registry, "mcp-image-registry");
                assert.equal(registry.inputs.adminUserEnabled, false);
                assert.equal(registry.inputs.anonymousPullEnabled, false);
                assert.deepEqual(app().inputs.configuration.registries, [{ server: `${registry.inputs.registryName}.azurecr.io`, identity: idOf(named(run(), T.identity, "mcp-server-identity")) }]);
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
                assert.equal(named(run(), T.link, "mcp-audit-dns-link").inputs.virtualNetwork.id, idOf(named(run(), T.vnet, "mcp-network-vnet")));
            });
            it("requires TLS for every connection", () => {
                const tls = named(run(), T.config, "mcp-audit-require-tls");
                assert.equal(tls.inputs.configurationName, "require_secure_connection");
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
            it("keeps credentials and a sslmode=require URL in Key Vault only", () => {
                const url = named(run(), T.secret, "mcp-audit-url");
                assert.match(url.inputs.properties.value, /^postgres:\/\/mcp_admin:.+@mcp-audit-server.*\.postgres\.database\.azure\.com:5432\/mcp_audit\?sslmode=require$/);
                assert.equal(url.inputs.vaultName, named(run(), T.vault, "mcp-network-vault").inputs.vaultName);
            });
        });

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
                assert.match(named(run(), T.secret, "mcp-cache-url").inputs.properties.value, /^rediss:\/\/:mock-redis-key-.+@.+\.redis\.azure\.net:10000$/);
            });
        });

        describe("EdgeLB (Application Gateway v2)", () => {
            const gw = () => named(run(), T.gateway, "mcp-edge-gateway");
            const hasDomain = tier === "enterprise";
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
                const envDomain = `mcp-server-environment-1a2b3c`.replace(/[^a-z0-9]/g, "");
                assert.deepEqual(gw().inputs.backendAddressPools[0].backendAddresses, [{ fqdn: `mcp-server.${envDomain}.eastus.azurecontainerapps.io` }]);
                assert.equal(gw().inputs.gatewayIPConfigurations[0].subnet.id, idOf(subnet("gateway")));
            });
            it(hasDomain ? "serves HTTPS with the strict TLS policy and redirects HTTP permanently" : "serves plain HTTP only (no domain)", () => {
                const protocols = gw().inputs.httpListeners.map((l: any) => l.protocol).sort();
                if (hasDomain) {
                    assert.deepEqual(protocols, ["Http", "Https"]);
                    assert.equal(gw().inputs.sslPolicy.policyName, spec.edge.tlsProfile === "restricted" ? "AppGwSslPolicy20220101S" : "AppGwSslPolicy20220101");
                    assert.match(gw().inputs.sslCertificates[0].keyVaultSecretId, /^https:\/\/mcpcert-.+\.vault\.azure\.net\/secrets\/tls$/);
                    const redirect = gw().inputs.redirectConfigurations[0];
                    assert.equal(redirect.redirectType, "Permanent");
                    assert.match(redirect.targetListener.id, /\/httpListeners\/https$/);
                    const httpRule = gw().inputs.requestRoutingRules.find((r: any) => /\/httpListeners\/http$/.test(r.httpListener.id));
                    assert.ok(httpRule.redirectConfiguration && !httpRule.backendAddressPool);
                    const reader = named(run(), T.role, "mcp-edge-certificates-reader");
                    assert.equal(reader.inputs.scope, idOf(named(run(), T.vault, "mcp-edge-certificates")));
                } else {
                    assert.deepEqual(protocols, ["Http"]);
                    assert.equal(gw().inputs.redirectConfigurations, undefined);
                }
            });
            it("is the only thing open to the internet, on its listener ports only", () => {
                const open = [...all(run(), T.rule).map((r) => r.inputs), ...all(run(), T.nsg).flatMap((n) => n.inputs.securityRules ?? [])]
                    .filter((r: any) => r.access === "Allow" && ["Internet", "*", "0.0.0.0/0"].includes(r.sourceAddressPrefix));
                assert.deepEqual(open.flatMap((r: any) => r.destinationPortRanges).sort(), hasDomain ? ["443", "80"] : ["80"]);
                const gatewayNsg = named(run(), T.nsg, "mcp-network-gateway-nsg");
                assert.ok(all(run(), T.rule).filter((r) => open.includes(r.inputs)).every((r) => r.inputs.networkSecurityGroupName === `${gatewayNsg.name}-1a2b3c`));
            });
        });

        it("summaries match the tier table (Azure's nearest larger SKUs where it has no exact one)", () => {
            const s = run().outputs.summary;
            assert.equal(s.cloud, "azure");
            assert.deepEqual(
                [s.cluster.minReplicas, s.cluster.maxReplicas, s.cluster.milliCpu, s.cluster.memoryMiB, s.cluster.zones, s.cluster.targetCpuPercent, s.cluster.publicIp],
                [spec.service.minReplicas, spec.service.maxReplicas, spec.service.milliCpu, spec.service.memoryMiB, spec.zones, spec.service.targetCpuPercent, false]);
            assert.equal(s.cluster.logRetentionDays, Math.max(30, spec.logRetentionDays));
            const sku = pickPostgresSku(spec.database);
            assert.deepEqual([s.database.sku, s.database.vcpu, s.database.memoryGiB], [sku.name, sku.vcpu, sku.memoryGiB]);
            assert.ok(s.database.vcpu >= spec.database.vcpu && s.database.memoryGiB >= spec.database.memoryGiB);
            assert.ok(s.database.storageGiB >= spec.database.storageGiB && s.database.storageGiB < spec.database.storageGiB * 2);
            assert.deepEqual(
                [s.database.highAvailability, s.database.deletionProtection, s.database.readReplicas, s.database.tlsRequired, s.database.publicAccess, s.database.pointInTimeRestore],
                [spec.database.highAvailability, spec.database.deletionProtection, spec.database.readReplicas, true, false, true]);
            assert.equal(s.database.backupRetentionDays, Math.max(7, spec.database.backupRetentionDays));
            assert.deepEqual([s.cache.memoryMiB, s.cache.highAvailability, s.cache.replicas, s.cache.tls, s.cache.authRequired, s.cache.publicAccess],
                [spec.cache.memoryMiB, spec.cache.highAvailability, spec.cache.highAvailability ? 1 : 0, true, true, false]);
            assert.deepEqual([s.edge.waf, s.edge.rateLimitPerMinute, s.edge.idleTimeoutSeconds, s.edge.healthPath, s.edge.tls, s.edge.httpRedirect],
                [spec.edge.waf !== "none", spec.edge.rateLimitPerMinute, spec.edge.idleTimeoutSeconds, "/health", tier === "enterprise" ? spec.edge.tlsProfile : "none", tier === "enterprise"]);
        });

        it("names every child <component>-<role>", () => {
            const components = run().resources.filter((r) => r.type.startsWith("mcp-infra:index:")).map((r) => r.name).filter((n) => n !== "mcp");
            assert.deepEqual([...components].sort(), ["mcp-audit", "mcp-cache", "mcp-edge", "mcp-image", "mcp-network", "mcp-server"]);
            for (const r of run().resources.filter((x) => x.custom)) {
                assert.ok(components.some((c) => r.name.startsWith(`${c}-`)), `${r.type} ${r.name}`);
            }
        });
    });
}

describe("Azure sizing", () => {
    it("maps Container Apps sizes only to valid CPU/memory pairs", () => {
        assert.deepEqual(containerAppSize(250, 512), { cpu: 0.25, memory: "0.5Gi" });
        assert.deepEqual(containerAppSize(1000, 2048), { cpu: 1, memory: "2Gi" });
        assert.throws(() => containerAppSize(500, 4096), (e: any) => e instanceof ConfigError && e.key === "mcp-infra:serviceMemoryMiB" && /nearest valid values: 1024/.test(e.message));
    });
    it("never picks a Burstable PostgreSQL SKU for HA or replicas, and rounds up to the next SKU otherwise", () => {
        assert.equal(pickPostgresSku(TIERS.dev.database).tier, "Burstable");
        assert.equal(pickPostgresSku({ ...TIERS.dev.database, vcpu: 2, memoryGiB: 1 }).name, "Standard_B2s");
        assert.equal(pickPostgresSku({ ...TIERS.dev.database, vcpu: 1, memoryGiB: 1 }).name, "Standard_B1ms");
        assert.equal(pickPostgresSku(TIERS.prod.database).name, "Standard_D2ds_v5");
        assert.equal(pickPostgresSku(TIERS.enterprise.database).name, "Standard_D2ds_v5");
    });
    it("maps cache memory to the nearest larger Balanced SKU", () => {
        assert.deepEqual([512, 1024, 6144, 2000].map((m) => pickRedisSku(m).name), ["Balanced_B0", "Balanced_B1", "Balanced_B5", "Balanced_B3"]);
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
        fails("prod-azure", { "mcp-infra:dbInstanceClass": "Standard_B2s" }, "mcp-infra:dbInstanceClass", /nearest valid values: Standard_D2ds_v5/));
    it("an unknown cacheNodeType lists the Azure Managed Redis SKUs", () =>
        fails("dev-azure", { "mcp-infra:cacheNodeType": "cache.t4g.micro" }, "mcp-infra:cacheNodeType", /Balanced_B0/));
    it("logRetentionDays above Log Analytics' limit names 730", () =>
        fails("dev-azure", { "mcp-infra:logRetentionDays": "1000" }, "mcp-infra:logRetentionDays", /nearest valid values: 730/));
    it("dbStorageGiB above the largest disk names 32768", () =>
        fails("dev-azure", { "mcp-infra:dbStorageGiB": "40000" }, "mcp-infra:dbStorageGiB", /nearest valid values: 32768/));
});
