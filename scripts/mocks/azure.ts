/** Mocked Azure (azure-native) provider behaviour for the harness (random and docker are answered by the AWS module). */

export const MOCK_LOCATION = "eastus";
export const MOCK_SUBSCRIPTION = "00000000-1111-2222-3333-444444444444";
export const MOCK_TENANT = "99999999-8888-7777-6666-555555555555";

/** The inputs that name each resource type (azure-native takes the name from a type-specific input). */
const NAME_INPUTS = [
    "vaultName",
    "secretName",
    "registryName",
    "serverName",
    "clusterName",
    "databaseName",
    "containerAppName",
    "environmentName",
    "privateZoneName",
    "applicationGatewayName",
    "resourceName",
    "workspaceName",
    "virtualNetworkName",
    "subnetName",
    "networkSecurityGroupName",
    "publicIpAddressName",
    "natGatewayName",
    "privateEndpointName",
    "policyName",
];

/** Pulumi's marker for a secret value inside mock inputs. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** The plain value of an input that may arrive wrapped as a secret. */
function unwrap(v: any): any {
    return v && typeof v === "object" && SECRET_SIG in v ? v.value : v;
}

/** A deterministic GUID-shaped string from a name. */
function guidOf(name: string): string {
    let h = 0;
    for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    const hex = h.toString(16).padStart(8, "0");
    return `${hex}-0000-4000-8000-${hex}${hex.slice(0, 4)}`;
}

/** Fake outputs a provider would compute, per resource type, so the program's applies can run. */
export function computedOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, any> | undefined {
    if (!type.startsWith("azure-native:")) return undefined;
    const own = (key: string) => (typeof inputs[key] === "string" ? inputs[key] : undefined);
    switch (type) {
        case "azure-native:resources:ResourceGroup":
            return { name: `${name}-1a2b3c`, location: MOCK_LOCATION };
        case "azure-native:keyvault:Vault": {
            const n = own("vaultName") ?? `${name}-1a2b3c`;
            return { name: n, properties: { ...unwrap(inputs.properties), vaultUri: `https://${n}.vault.azure.net/` } };
        }
        case "azure-native:keyvault:Secret": {
            const n = own("secretName") ?? `${name}-1a2b3c`;
            const uri = `https://${inputs.vaultName}.vault.azure.net/secrets/${n}`;
            return {
                name: n,
                properties: {
                    ...unwrap(inputs.properties),
                    secretUri: uri,
                    secretUriWithVersion: `${uri}/0123456789abcdef0123456789abcdef`,
                },
            };
        }
        case "azure-native:dbforpostgresql:Server": {
            const n = own("serverName") ?? `${name}-1a2b3c`;
            return { name: n, fullyQualifiedDomainName: `${n}.postgres.database.azure.com`, state: "Ready" };
        }
        case "azure-native:redisenterprise:RedisEnterprise": {
            const n = own("clusterName") ?? `${name}-1a2b3c`;
            return { name: n, hostName: `${n}.${MOCK_LOCATION}.redis.azure.net` };
        }
        case "azure-native:app:ManagedEnvironment": {
            const n = own("environmentName") ?? `${name}-1a2b3c`;
            return {
                name: n,
                defaultDomain: `${n.replace(/[^a-z0-9]/g, "")}.${MOCK_LOCATION}.azurecontainerapps.io`,
                staticIp: "10.0.1.250",
            };
        }
        case "azure-native:app:ContainerApp": {
            const n = own("containerAppName") ?? `${name}-1a2b3c`;
            return { name: n, latestRevisionFqdn: `${n}--0000001.internal.${MOCK_LOCATION}.azurecontainerapps.io` };
        }
        case "azure-native:managedidentity:UserAssignedIdentity":
            return {
                name: `${name}-1a2b3c`,
                principalId: guidOf(`${name}-principal`),
                clientId: guidOf(`${name}-client`),
                tenantId: MOCK_TENANT,
            };
        case "azure-native:containerregistry:Registry": {
            const n = own("registryName") ?? `${name}1a2b3c`;
            return { name: n, loginServer: `${n}.azurecr.io` };
        }
        case "azure-native:network:PublicIPAddress":
            return {
                name: `${name}-1a2b3c`,
                ipAddress: "20.121.34.56",
                dnsSettings: inputs.dnsSettings
                    ? { ...inputs.dnsSettings, fqdn: `${inputs.dnsSettings.domainNameLabel}.${MOCK_LOCATION}.cloudapp.azure.com` }
                    : undefined,
            };
        default: {
            const key = NAME_INPUTS.find((k) => own(k));
            return { name: key ? own(key) : `${name}-1a2b3c` };
        }
    }
}

/** Answers for the invokes the program makes; any other invoke is an error. */
export function invokeResult(token: string, inputs: Record<string, any>): Record<string, any> | undefined {
    switch (token) {
        case "azure-native:authorization:getClientConfig":
            return {
                clientId: guidOf("deployer-client"),
                objectId: guidOf("deployer"),
                subscriptionId: MOCK_SUBSCRIPTION,
                tenantId: MOCK_TENANT,
            };
        case "azure-native:authorization:getClientToken":
            return { token: "mock-entra-access-token" };
        case "azure-native:redisenterprise:listDatabaseKeys":
            return { primaryKey: `mock-redis-key-${inputs.clusterName}`, secondaryKey: "mock-redis-key-2" };
        default:
            return undefined;
    }
}
