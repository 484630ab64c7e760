/** Pricers for the Azure resources the components create. */
import { FREE, HOURS_PER_MONTH, SECONDS_PER_MONTH } from "./catalog";
import {
    accessLogGb,
    activeSeconds,
    at,
    flowLogGb,
    gib,
    LineSpec,
    month,
    num,
    Pricer,
    PricingContext,
    referenced,
    requirePrice,
    sharedAllowance,
    TRAFFIC_LOGS,
    trafficGiB,
    Unpriced,
} from "./engine";
import { DeclaredResource } from "./types";

/**
 * The Container Apps grant is one per subscription for apps and jobs alike (learn.microsoft.com/azure/container-apps/billing:
 * jobs bill the same vCPU-second and GiB-second meters), so their lines draw on one pool.
 */
const ACA_GRANT = { vcpu: "azure.aca.grant.vcpu", gib: "azure.aca.grant.gib" } as const;

/** Container Apps on the Consumption plan: min replicas bill idle, request time bills active, minus the monthly grant. */
const containerApp: Pricer = (r, ctx) => {
    if (r.inputs.workloadProfileName && r.inputs.workloadProfileName !== "Consumption") {
        throw new Unpriced(`workload profile ${r.inputs.workloadProfileName} (only the Consumption plan is in the catalog)`);
    }
    const containers: Record<string, unknown>[] = at(r.inputs, "template.containers") ?? [];
    if (!containers.length) throw new Unpriced("template.containers is not known");
    const cpu = containers.reduce((s, c) => s + Number(at(c, "resources.cpu") ?? 0), 0);
    const mem = containers.reduce((s, c) => s + gib(at(c, "resources.memory") ?? "0Gi"), 0);
    const replicas = num(r, "template.scale.minReplicas", 0);
    const u = ctx.usage;
    const active = Math.min(activeSeconds(u), Math.max(replicas, 1) * SECONDS_PER_MONTH);
    const idle = Math.max(0, replicas * SECONDS_PER_MONTH - active);
    const label = `${cpu} vCPU / ${mem} GiB`;
    sharedAllowance(
        ctx,
        `the Container Apps grant (${FREE.azureAca.vcpuSeconds.toLocaleString("en-US")} vCPU-s, ${FREE.azureAca.gibSeconds.toLocaleString("en-US")} GiB-s, ${(FREE.azureAca.requests / 1e6).toLocaleString("en-US")} million requests a month)`,
        "subscription",
    );
    return [
        {
            item: `Container Apps vCPU active (${label}, ${Math.round(active)} s serving requests)`,
            quantity: cpu * active,
            priceId: "azure.aca.active.vcpu",
            freeQuantity: FREE.azureAca.vcpuSeconds,
            freePool: ACA_GRANT.vcpu,
            usageBased: true,
        },
        {
            item: `Container Apps vCPU idle (${replicas} min replica${replicas === 1 ? "" : "s"} x ${label})`,
            quantity: cpu * idle,
            priceId: "azure.aca.idle.vcpu",
        },
        {
            item: `Container Apps memory (${replicas} min replica${replicas === 1 ? "" : "s"} x ${mem} GiB, active or idle)`,
            quantity: mem * (active + idle),
            priceId: "azure.aca.active.gib",
            freeQuantity: FREE.azureAca.gibSeconds,
            freePool: ACA_GRANT.gib,
        },
        {
            item: "Container Apps requests (millions)",
            quantity: u.monthlyRequests / 1e6,
            priceId: "azure.aca.requests",
            freeQuantity: FREE.azureAca.requests / 1e6,
            usageBased: true,
        },
    ];
};

/**
 * A Container Apps environment on the Consumption profile has no charge of its
 * own, but one integrated in your VNet gets managed resources billed to the
 * subscription (learn.microsoft.com/azure/container-apps/custom-virtual-networks,
 * "Managed resources", workload profiles): one Standard load balancer, one
 * static public IP for egress, and one more for ingress when the environment
 * is external; plus the data the load balancer processes.
 */
const environment: Pricer = (r, ctx) => {
    const profiles: { workloadProfileType?: string }[] = r.inputs.workloadProfiles ?? [];
    const dedicated = profiles.filter((p) => p.workloadProfileType !== "Consumption");
    if (dedicated.length) {
        throw new Unpriced(
            `dedicated workload profiles (${dedicated.map((p) => p.workloadProfileType).join(", ")}) are not in the catalog`,
        );
    }
    if (!at(r.inputs, "vnetConfiguration.infrastructureSubnetId")) return [];
    const internal = at(r.inputs, "vnetConfiguration.internal") === true;
    const ips = internal ? 1 : 2;
    ctx.note(
        "A VNet-integrated Container Apps environment bills a managed Standard load balancer and public IPs in its ME_ resource group; the docs list one egress IP for internal environments too, priced here although their resource list shows only the load balancer.",
    );
    return [
        {
            item: `Container Apps environment: managed Standard load balancer (${internal ? "internal" : "external"})`,
            quantity: month(),
            priceId: "azure.lb.standard.hour",
        },
        {
            item: `Container Apps environment: ${ips} managed static public IP${ips === 1 ? " (egress)" : "s (egress, ingress)"}`,
            quantity: month(ips),
            priceId: "azure.publicip.static",
        },
        {
            item: "Container Apps environment: load balancer data processed (request traffic assumed)",
            quantity: trafficGiB(ctx.usage),
            priceId: "azure.lb.standard.gb",
            usageBased: true,
        },
    ];
};

const registry: Pricer = (r) => {
    const sku = String(at(r.inputs, "sku.name"));
    return [
        {
            item: `Container Registry ${sku}`,
            quantity: HOURS_PER_MONTH / 24,
            priceId: requirePrice(`azure.acr.${sku}`, `Container Registry ${sku}`),
        },
    ];
};

const postgres: Pricer = (r, ctx) => {
    const sku = String(at(r.inputs, "sku.name"));
    const mode = at(r.inputs, "highAvailability.mode");
    const ha = mode === "ZoneRedundant" || mode === "SameZone";
    let storage = at(r.inputs, "storage.storageSizeGB");
    if (storage === undefined) {
        const source = referenced(ctx, "azure-native:dbforpostgresql:Server", r.inputs.sourceServerResourceId);
        storage = source && source !== r ? at(source.inputs, "storage.storageSizeGB") : undefined;
        if (storage === undefined) throw new Unpriced("storage.storageSizeGB is not known");
    }
    const role = r.inputs.createMode === "Replica" ? "read replica" : "server";
    return [
        {
            item: `PostgreSQL Flexible ${sku} ${role}${ha ? ", zone-redundant HA (standby billed)" : ""}`,
            quantity: month(ha ? 2 : 1),
            priceId: requirePrice(`azure.pg.${sku}`, `PostgreSQL Flexible ${sku}`),
        },
        {
            item: `PostgreSQL storage, ${storage} GB${ha ? " x 2 (HA)" : ""}`,
            quantity: Number(storage) * (ha ? 2 : 1),
            priceId: "azure.pg.storage",
        },
    ];
};

const redis: Pricer = (r) => {
    const sku = String(at(r.inputs, "sku.name"));
    const ha = r.inputs.highAvailability !== "Disabled";
    const nodes = ha ? 2 : 1;
    return [
        {
            item: `Azure Managed Redis ${sku}${ha ? ", HA (2 nodes)" : ", no HA (1 node)"}`,
            quantity: month(nodes),
            priceId: requirePrice(`azure.redis.${sku}`, `Azure Managed Redis ${sku}`),
        },
    ];
};

const appGateway: Pricer = (r, ctx) => {
    const sku = String(at(r.inputs, "sku.name"));
    if (sku !== "Standard_v2" && sku !== "WAF_v2") throw new Unpriced(`Application Gateway SKU ${sku}`);
    const min = r.inputs.autoscaleConfiguration ? num(r, "autoscaleConfiguration.minCapacity", 0) : num(r, "sku.capacity", 1);
    // A capacity unit handles 2,500 persistent connections, 2.22 Mbps or 1 compute unit; each reserved instance is about 10 CUs.
    const mbps = (trafficGiB(ctx.usage) * 8 * 1024) / SECONDS_PER_MONTH;
    const used = mbps / 2.22;
    const reserved = min * 10;
    const cu = Math.max(reserved, used);
    return [
        { item: `Application Gateway ${sku} fixed hours (public IP included)`, quantity: month(), priceId: `azure.appgw.${sku}.fixed` },
        {
            item: `Application Gateway capacity units (${reserved ? `${min} reserved instance${min === 1 ? "" : "s"} = ${reserved} CU` : `${used.toFixed(3)} CU from the usage assumptions`})`,
            quantity: month() * cu,
            priceId: `azure.appgw.${sku}.cu`,
            usageBased: !reserved,
        },
    ];
};

const nat: Pricer = (_r, ctx) => [
    { item: "NAT gateway hours", quantity: month(), priceId: "azure.nat.hour" },
    {
        item: `NAT data processed (${ctx.usage.egressGiB} GiB assumed)`,
        quantity: ctx.usage.egressGiB,
        priceId: "azure.nat.gb",
        usageBased: true,
    },
];

/** The Application Gateway whose frontend uses this public IP, if any. */
function gatewayOf(ip: DeclaredResource, ctx: Parameters<Pricer>[1]): DeclaredResource | undefined {
    return ctx.resources.find(
        (g) =>
            g.type === "azure-native:network:ApplicationGateway" &&
            ((g.inputs.frontendIPConfigurations ?? []) as Record<string, unknown>[]).some((f) => {
                const ref = at(f, "publicIPAddress.id");
                return ref !== undefined && referenced(ctx, ip.type, ref) === ip;
            }),
    );
}

const publicIp: Pricer = (r, ctx) => {
    if (at(r.inputs, "sku.name") !== "Standard" || r.inputs.publicIPAllocationMethod !== "Static") {
        throw new Unpriced(`public IP ${at(r.inputs, "sku.name")} / ${r.inputs.publicIPAllocationMethod}`);
    }
    const gateway = gatewayOf(r, ctx);
    if (gateway) {
        ctx.note(
            `The public IP of Application Gateway ${gateway.name} is included in the gateway's fixed fee (Microsoft Learn, "Understanding pricing for Application Gateway"): not priced again.`,
        );
        return [];
    }
    return [{ item: "Standard static public IP", quantity: month(), priceId: "azure.publicip.static" }];
};

const privateEndpoint: Pricer = (_r, ctx) => {
    ctx.note("Private endpoints: data processed ($0.01/GB) left out; the session and secret traffic they carry is small.");
    return [{ item: "Private endpoint hours", quantity: month(), priceId: "azure.privateendpoint.hour" }];
};

/**
 * The audit checkpoint account (components/azure/anchors.ts): hot block blobs, one checkpoint
 * (a JSON object plus the entries since the last one as JSON Lines) written per interval, kept
 * for the tier's retention, so the capacity is the retained checkpoints. Reads: a list and a get
 * at each writer start and each `audit:verify --anchors` (a few thousand a month assumed).
 */
const storageAccount: Pricer = (r, ctx) => {
    if (at(r.inputs, "tags.mcp-infra:logs") === "vnet-flow") return flowLogStorage(r, ctx);
    const sku = String(at(r.inputs, "sku.name"));
    const redundancy = sku === "Standard_LRS" ? "lrs" : sku === "Standard_ZRS" ? "zrs" : undefined;
    if (!redundancy || (r.inputs.kind ?? "StorageV2") !== "StorageV2" || (r.inputs.accessTier ?? "Hot") !== "Hot") {
        throw new Unpriced(`storage account ${r.inputs.kind} ${sku} ${r.inputs.accessTier} (only StorageV2 hot LRS/ZRS is in the catalog)`);
    }
    const policy = ctx.resources.find((p) => p.type === "azure-native:storage:BlobContainerImmutabilityPolicy");
    const retentionDays = Number(policy?.inputs.immutabilityPeriodSinceCreationInDays ?? 30);
    const app = ctx.resources.find((a) => a.type === "azure-native:app:ContainerApp");
    const envVar = (n: string) =>
        ((at(app?.inputs ?? {}, "template.containers") ?? [])[0]?.env ?? []).find((e: { name?: string; value?: string }) => e.name === n)
            ?.value;
    const intervalS = Number(envVar("MCP_AUDIT_CHECKPOINT_INTERVAL_S") ?? 60);
    const writes = SECONDS_PER_MONTH / intervalS;
    // A checkpoint object and its entries: about 1 KB + 512 bytes per audited request in the interval.
    const gbPerMonth = (writes * 1024 + ctx.usage.monthlyRequests * 512) / 1e9;
    const storedGb = gbPerMonth * Math.max(1, retentionDays / 30);
    ctx.note(
        `Audit checkpoints: one PUT per ${intervalS} s; about 1 KB per checkpoint plus 512 bytes per audited request, kept ${retentionDays} days (${storedGb.toFixed(3)} GB at the assumed traffic).`,
    );
    return [
        {
            item: `Blob storage, hot ${redundancy.toUpperCase()} (audit checkpoints, ${retentionDays}-day retention)`,
            quantity: storedGb,
            priceId: `azure.blob.hot.${redundancy}.gb`,
            usageBased: true,
        },
        {
            item: `Blob write operations (one checkpoint every ${intervalS} s), per 10,000`,
            quantity: writes / 10_000,
            priceId: "azure.blob.hot.write",
        },
        {
            item: "Blob read and list operations (writer starts and audit:verify, 5,000 assumed), per 10,000",
            quantity: 0.5,
            priceId: "azure.blob.hot.read",
            usageBased: true,
        },
    ];
};

/** Network interfaces in a prod VNet whose flows are logged (gateway instances, the environment's, the database's, endpoints), assumed. */
const FLOW_LOG_INTERFACES = 4;

/**
 * The VNet flow logs' account (components/azure/monitor.ts): the month's flow records kept for the flow log's retention
 * (Network Watcher deletes older blobs), and the block writes Network Watcher makes: a block and a block list each
 * minute for each logged network interface.
 */
function flowLogStorage(r: DeclaredResource, ctx: PricingContext): LineSpec[] {
    if (String(at(r.inputs, "sku.name")) !== "Standard_LRS") throw new Unpriced(`flow log account sku ${at(r.inputs, "sku.name")}`);
    const flowLog = ctx.resources.find((f) => f.type === "azure-native:network:FlowLog");
    const days = Number(flowLog?.inputs.retentionPolicy?.days ?? 0);
    if (!(days > 0)) throw new Unpriced("no flow log with a retention policy writes to this account");
    const writes = FLOW_LOG_INTERFACES * 2 * (SECONDS_PER_MONTH / 60);
    return [
        {
            item: `Blob storage, hot LRS (VNet flow logs, ${days}-day retention)`,
            quantity: flowLogGb(ctx.usage, "azure") * Math.max(1, days / 30),
            priceId: "azure.blob.hot.lrs.gb",
            usageBased: true,
        },
        {
            item: `Blob write operations (2 a minute for each of ${FLOW_LOG_INTERFACES} network interfaces assumed), per 10,000`,
            quantity: writes / 10_000,
            priceId: "azure.blob.hot.write",
            usageBased: true,
        },
    ];
}

/** VNet flow logs: Network Watcher bills the GB it collects, after the first 5 GB a month of the subscription. */
const flowLog: Pricer = (_r, ctx) => {
    sharedAllowance(ctx, `the first ${FREE.azureFlowLogsGb} GB a month of Network Watcher flow logs collected`, "subscription");
    return [
        {
            item: `VNet flow logs collected (${(ctx.usage.monthlyRequests / 1e6).toLocaleString("en-US")} million requests x ${TRAFFIC_LOGS.flowRecordsPerRequest} flows x ${TRAFFIC_LOGS.flowRecordBytes.azure} B assumed)`,
            quantity: flowLogGb(ctx.usage, "azure"),
            priceId: "azure.networkwatcher.flowlogs",
            freeQuantity: FREE.azureFlowLogsGb,
            usageBased: true,
        },
    ];
};

/**
 * The Application Gateway's access and firewall logs into the workspace: one access-log row per request (the firewall
 * log adds rows only for matched requests, left out), billed as Log Analytics ingestion after what the workspace's
 * own logs leave of the 5 free GB.
 */
const diagnosticSetting: Pricer = (r, ctx) => {
    const logs: { category?: string; enabled?: boolean }[] = r.inputs.logs ?? [];
    // Other settings (the Container Apps environment's) carry the server's own logs, priced on the workspace.
    if (!logs.some((l) => l.category === "ApplicationGatewayAccessLog" && l.enabled)) return [];
    const appGb = ctx.usage.logGiBPerReplica * ctx.replicas;
    return [
        {
            item: `Log Analytics ingestion of the Application Gateway access log (${(ctx.usage.monthlyRequests / 1e6).toLocaleString("en-US")} million requests x ${TRAFFIC_LOGS.accessLogBytes.appGateway} B assumed)`,
            quantity: accessLogGb(ctx.usage, TRAFFIC_LOGS.accessLogBytes.appGateway),
            priceId: "azure.logs.ingest",
            freeQuantity: Math.max(0, FREE.azureLogsGb - appGb),
            usageBased: true,
        },
    ];
};

/** The audit:migrate job: a scheduled run of MIGRATE_SIZE for about 20 s each time. */
const job: Pricer = (r, ctx) => {
    const cron = String(at(r.inputs, "configuration.scheduleTriggerConfig.cronExpression") ?? "");
    const m = /^\*\/(\d+) \* \* \* \*$/.exec(cron);
    if (at(r.inputs, "configuration.triggerType") !== "Schedule" || !m)
        throw new Unpriced(`job trigger ${at(r.inputs, "configuration.triggerType")} "${cron}" (only "*/N * * * *" schedules are priced)`);
    const runs = SECONDS_PER_MONTH / 60 / Number(m[1]);
    const containers: Record<string, unknown>[] = at(r.inputs, "template.containers") ?? [];
    const cpu = containers.reduce((s, c) => s + Number(at(c, "resources.cpu") ?? 0), 0);
    const mem = containers.reduce((s, c) => s + gib(at(c, "resources.memory") ?? "0Gi"), 0);
    const seconds = runs * 20;
    ctx.note(
        `Container Apps job ${r.name}: ${Math.round(runs)} runs a month of about 20 s each (assumed), billed at the active rate; it draws on the same subscription grant as the apps (what they leave of it).`,
    );
    return [
        {
            item: `Container Apps job vCPU (${Math.round(runs)} runs x 20 s x ${cpu} vCPU)`,
            quantity: cpu * seconds,
            priceId: "azure.aca.active.vcpu",
            freeQuantity: FREE.azureAca.vcpuSeconds,
            freePool: ACA_GRANT.vcpu,
            usageBased: true,
        },
        {
            item: `Container Apps job memory (${Math.round(runs)} runs x 20 s x ${mem} GiB)`,
            quantity: mem * seconds,
            priceId: "azure.aca.active.gib",
            freeQuantity: FREE.azureAca.gibSeconds,
            freePool: ACA_GRANT.gib,
            usageBased: true,
        },
    ];
};

const privateZone: Pricer = () => [{ item: "Private DNS zone", quantity: 1, priceId: "azure.privatedns.zone" }];

const workspace: Pricer = (r, ctx) => {
    const gb = ctx.usage.logGiBPerReplica * ctx.replicas;
    if (gb > 0) sharedAllowance(ctx, `the first ${FREE.azureLogsGb} GB a month of Log Analytics ingestion`, "billing account");
    if (num(r, "retentionInDays", 30) > 31)
        ctx.note(
            "Log Analytics retention beyond 31 days is billed per GB-month and not in the catalog; with the assumed volume it is under $1.",
        );
    return [
        {
            item: `Log Analytics ingestion (${ctx.usage.logGiBPerReplica} GiB x ${ctx.replicas} replicas assumed)`,
            quantity: gb,
            priceId: "azure.logs.ingest",
            freeQuantity: FREE.azureLogsGb,
            usageBased: true,
        },
    ];
};

const vault: Pricer = () => [
    {
        item: "Key Vault operations (10,000 assumed: secret reads at replica start)",
        quantity: 1,
        priceId: "azure.keyvault.ops",
        usageBased: true,
    },
];

/** A metric alert watches one time series (no dimensions split it). */
const metricAlert: Pricer = () => [
    { item: "Azure Monitor metric alert (1 time series)", quantity: 1, priceId: "azure.monitor.metricalert" },
];

/** A log search alert, by how often it runs. */
const logAlert: Pricer = (r) => {
    const every = String(r.inputs.evaluationFrequency ?? "PT5M");
    if (every === "PT1M")
        return [{ item: "Azure Monitor log search alert, every minute", quantity: 1, priceId: "azure.monitor.logalert.1m" }];
    if (every === "PT5M")
        return [{ item: "Azure Monitor log search alert, every 5 minutes", quantity: 1, priceId: "azure.monitor.logalert.5m" }];
    throw new Unpriced(`log alert evaluated every ${every} (only 1 and 5 minutes are in the catalog)`);
};

/** A standard availability test: one execution per location per period. */
const webTest: Pricer = (r) => {
    const locations = (r.inputs.locations ?? []).length;
    const period = num(r, "frequency", 300);
    const runs = (locations * SECONDS_PER_MONTH) / period;
    return [
        {
            item: `Standard availability test (${locations} locations every ${period} s)`,
            quantity: runs,
            priceId: "azure.appinsights.standardtest",
        },
    ];
};

export const PRICERS: Record<string, Pricer> = {
    "azure-native:monitor:MetricAlert": metricAlert,
    "azure-native:monitor:ScheduledQueryRule": logAlert,
    "azure-native:applicationinsights:WebTest": webTest,
    "azure-native:app:ContainerApp": containerApp,
    "azure-native:app:Job": job,
    "azure-native:storage:StorageAccount": storageAccount,
    "azure-native:app:ManagedEnvironment": environment,
    "azure-native:containerregistry:Registry": registry,
    "azure-native:dbforpostgresql:Server": postgres,
    "azure-native:redisenterprise:RedisEnterprise": redis,
    "azure-native:network:ApplicationGateway": appGateway,
    "azure-native:network:NatGateway": nat,
    "azure-native:network:PublicIPAddress": publicIp,
    "azure-native:network:PrivateEndpoint": privateEndpoint,
    "azure-native:privatedns:PrivateZone": privateZone,
    "azure-native:operationalinsights:Workspace": workspace,
    "azure-native:keyvault:Vault": vault,
    "azure-native:network:FlowLog": flowLog,
    "azure-native:monitor:DiagnosticSetting": diagnosticSetting,
};

export const FREE_TYPES: Record<string, string> = {
    "azure-native:resources:ResourceGroup": "no charge",
    "azure-native:network:VirtualNetwork": "no charge",
    "azure-native:network:Subnet": "no charge",
    "azure-native:network:NetworkSecurityGroup": "no charge",
    "azure-native:network:SecurityRule": "no charge",
    "azure-native:network:PrivateDnsZoneGroup": "no charge",
    "azure-native:network:WebApplicationFirewallPolicy": "included in the WAF_v2 gateway price",
    "azure-native:privatedns:VirtualNetworkLink": "no charge for resolution links",
    "azure-native:privatedns:PrivateRecordSet": "priced on the zone (queries negligible)",
    "azure-native:authorization:ManagementLockByScope": "no charge",
    "azure-native:authorization:RoleAssignment": "no charge",
    "azure-native:managedidentity:UserAssignedIdentity": "no charge",
    "azure-native:dbforpostgresql:Configuration": "no charge",
    "azure-native:dbforpostgresql:Database": "priced on the server",
    "azure-native:redisenterprise:Database": "priced on the cluster",
    "azure-native:keyvault:Secret": "priced as vault operations",
    "azure-native:monitor:ActionGroup": "the first 1,000 emails a month and webhook calls at alert volumes carry no charge",
    "azure-native:applicationinsights:Component":
        "a workspace-based component bills ingestion on the workspace (availability results are small)",
    "azure-native:applicationinsights:Workbook": "no charge",
    "azure-native:consumption:Budget": "no charge",
    "azure-native:storage:BlobContainer": "priced on the storage account",
    "azure-native:storage:BlobContainerImmutabilityPolicy": "no charge (immutable blobs bill as ordinary capacity)",
    "azure-native:authorization:RoleDefinition": "no charge",
};
