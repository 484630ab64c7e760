/** Pricers for the GCP resources the components create. */
import { FREE, SECONDS_PER_MONTH } from "./catalog";
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
    rankByName,
    requirePrice,
    sharedAllowance,
    TRAFFIC_LOGS,
    trafficGiB,
    Unpriced,
    vcpu,
} from "./engine";

const cloudRun: Pricer = (r, ctx) => {
    const containers: Record<string, unknown>[] = at(r.inputs, "template.containers") ?? [];
    if (!containers.length) throw new Unpriced("template.containers is not known");
    const cpu = containers.reduce((s, c) => s + vcpu(at(c, "resources.limits.cpu") ?? "1"), 0);
    const mem = containers.reduce((s, c) => s + gib(at(c, "resources.limits.memory") ?? "512Mi"), 0);
    const min =
        at(r.inputs, "scaling.minInstanceCount") !== undefined
            ? num(r, "scaling.minInstanceCount")
            : num(r, "template.scaling.minInstanceCount", 0);
    const requestBased = containers.every((c) => at(c, "resources.cpuIdle") !== false);
    const u = ctx.usage;
    const label = `${cpu} vCPU / ${mem} GiB`;
    if (!requestBased) {
        return [
            {
                item: `Cloud Run vCPU, instance-based, ${min} min instance${min === 1 ? "" : "s"} x ${label}`,
                quantity: min * SECONDS_PER_MONTH * cpu,
                priceId: "gcp.run.instance.vcpu",
            },
            {
                item: `Cloud Run memory, instance-based, ${min} x ${mem} GiB`,
                quantity: min * SECONDS_PER_MONTH * mem,
                priceId: "gcp.run.instance.gib",
            },
        ];
    }
    const active = activeSeconds(u);
    const idle = Math.max(0, min * SECONDS_PER_MONTH - active);
    sharedAllowance(
        ctx,
        `the Cloud Run free tier (${FREE.gcpRun.vcpuSeconds.toLocaleString("en-US")} vCPU-s, ${FREE.gcpRun.gibSeconds.toLocaleString("en-US")} GiB-s, ${(FREE.gcpRun.requests / 1e6).toLocaleString("en-US")} million requests a month)`,
        "billing account",
    );
    const lines: LineSpec[] = [
        {
            item: `Cloud Run vCPU while serving (${label}, ${Math.round(active)} s)`,
            quantity: active * cpu,
            priceId: "gcp.run.request.vcpu",
            freeQuantity: FREE.gcpRun.vcpuSeconds,
            usageBased: true,
        },
        {
            item: `Cloud Run memory while serving (${Math.round(active)} s)`,
            quantity: active * mem,
            priceId: "gcp.run.request.gib",
            freeQuantity: FREE.gcpRun.gibSeconds,
            usageBased: true,
        },
        {
            item: "Cloud Run requests (millions)",
            quantity: u.monthlyRequests / 1e6,
            priceId: "gcp.run.requests",
            freeQuantity: FREE.gcpRun.requests / 1e6,
            usageBased: true,
        },
    ];
    if (idle > 0) {
        // Request-based billing charges minimum instances for the time they sit idle, at the idle rate.
        lines.push(
            { item: `Cloud Run idle min instances, vCPU (${min} x ${label})`, quantity: idle * cpu, priceId: "gcp.run.idle.vcpu" },
            { item: `Cloud Run idle min instances, memory (${min} x ${mem} GiB)`, quantity: idle * mem, priceId: "gcp.run.idle.gib" },
        );
    }
    return lines;
};

const sql: Pricer = (r) => {
    const tier = String(at(r.inputs, "settings.tier"));
    const ha = at(r.inputs, "settings.availabilityType") === "REGIONAL";
    const copies = ha ? 2 : 1;
    const role = r.inputs.masterInstanceName ? "read replica" : "instance";
    const lines: LineSpec[] = [];
    const custom = /^db-custom-(\d+)-(\d+)$/.exec(tier);
    if (custom) {
        const cpus = Number(custom[1]);
        const ramGb = Number(custom[2]) / 1024;
        lines.push(
            {
                item: `Cloud SQL ${tier} ${role} vCPU${ha ? ", HA (standby billed)" : ""}`,
                quantity: month(copies) * cpus,
                priceId: "gcp.sql.vcpu",
            },
            {
                item: `Cloud SQL ${tier} ${role} memory, ${ramGb} GB${ha ? " x 2" : ""}`,
                quantity: month(copies) * ramGb,
                priceId: "gcp.sql.ram",
            },
        );
    } else {
        lines.push({
            item: `Cloud SQL ${tier} ${role}${ha ? ", HA" : ""}`,
            quantity: month(copies),
            priceId: requirePrice(`gcp.sql.${tier}`, `Cloud SQL tier ${tier}`),
        });
    }
    const disk = num(r, "settings.diskSize", 10);
    const type = at(r.inputs, "settings.diskType") ?? "PD_SSD";
    if (type !== "PD_SSD") throw new Unpriced(`disk type ${type}`);
    lines.push({
        item: `Cloud SQL SSD storage, ${disk} GB${ha ? " (HA)" : ""}`,
        quantity: disk,
        priceId: ha ? "gcp.sql.ssd.ha" : "gcp.sql.ssd.zonal",
    });
    return lines;
};

const memorystore: Pricer = (r) => {
    const tier = String(r.inputs.tier ?? "BASIC");
    const gb = num(r, "memorySizeGb");
    return [
        {
            item: `Memorystore for Redis ${tier}, ${gb} GB`,
            quantity: month() * gb,
            priceId: requirePrice(`gcp.redis.${tier}`, `Memorystore tier ${tier}`),
        },
    ];
};

/** Forwarding rules that share the first-five block: Google bills them per project, global rules here. */
const FORWARDING_RULE_BLOCK = 5;

/**
 * Forwarding rules: the first five of a project cost one block ($0.025 an
 * hour together), each further rule $0.01 an hour. The block is carried by
 * the stack's first rule (by name); rules 2 to 5 add nothing, rules 6 and up
 * one "extra" line each. Rules of other stacks in the same project share the
 * block too, which the estimate cannot see: it says so.
 */
const forwardingRule: Pricer = (r, ctx) => {
    const index = rankByName(ctx, r);
    if (index === 0) {
        const rules = ctx.resources.filter((x) => x.type === r.type);
        ctx.note(
            `GCP forwarding rules: the first ${FORWARDING_RULE_BLOCK} of a project are billed as one block; this stack declares ${rules.length}. Other load balancers in the same project share the block (the estimate charges it to this stack in full).`,
        );
        return [
            {
                item: `Forwarding rules 1-${FORWARDING_RULE_BLOCK} of the project, one block (${rules.length} declared here: ports ${rules.map((x) => x.inputs.portRange ?? "?").join(", ")})`,
                quantity: month(),
                priceId: "gcp.lb.rule",
            },
        ];
    }
    if (index < FORWARDING_RULE_BLOCK) return [];
    return [
        {
            item: `Forwarding rule ${index + 1} (port ${r.inputs.portRange ?? "?"}), beyond the first ${FORWARDING_RULE_BLOCK}`,
            quantity: month(),
            priceId: "gcp.lb.rule.extra",
        },
    ];
};

const backendService: Pricer = (_r, ctx) => [
    { item: "Load balancer data processed", quantity: trafficGiB(ctx.usage), priceId: "gcp.lb.data", usageBased: true },
];

const armor: Pricer = (r, ctx) => {
    const rules = (r.inputs.rules ?? []).length;
    return [
        { item: "Cloud Armor policy", quantity: 1, priceId: "gcp.armor.policy" },
        { item: `Cloud Armor rules (${rules})`, quantity: rules, priceId: "gcp.armor.rule" },
        {
            item: "Cloud Armor requests (millions)",
            quantity: ctx.usage.monthlyRequests / 1e6,
            priceId: "gcp.armor.requests",
            usageBased: true,
        },
    ];
};

const registry: Pricer = (_r, ctx) => {
    sharedAllowance(ctx, `the first ${FREE.gcpRegistryGb} GB of Artifact Registry storage`, "billing account");
    return [
        {
            item: `Artifact Registry storage (${ctx.usage.imageGiB} GiB of images assumed)`,
            quantity: ctx.usage.imageGiB,
            priceId: "gcp.ar.gb",
            freeQuantity: FREE.gcpRegistryGb,
            usageBased: true,
        },
    ];
};

/**
 * One active version per SecretVersion; the billing account's first 6 are free, given to the stack's first 6
 * versions by name (not by declaration order, so every run of the same stack gives them to the same lines).
 */
const secretVersion: Pricer = (r, ctx) => {
    const rank = rankByName(ctx, r);
    const free = rank >= 0 && rank < FREE.gcpSecretVersions;
    if (free) sharedAllowance(ctx, `the first ${FREE.gcpSecretVersions} active Secret Manager secret versions`, "billing account");
    return [{ item: "Secret Manager active version", quantity: 1, priceId: "gcp.secret.version", ...(free ? { freeQuantity: 1 } : {}) }];
};

/**
 * A Cloud DNS managed zone (the private zone of the Cloud SQL instance's DNS name). Its queries, one lookup per new
 * database connection (and each resolver's TTL), are a few thousand a month at most: $0.40 per million, left out.
 */
const dnsZone: Pricer = (r) => [
    { item: `Cloud DNS ${r.inputs.visibility === "private" ? "private " : ""}managed zone`, quantity: 1, priceId: "gcp.dns.zone" },
];

/** The network log bucket's description (components/gcp/monitor.ts NETWORK_LOGS_DESCRIPTION). */
const NETWORK_LOGS_DESCRIPTION = "MCP VPC flow logs and load balancer request logs";

const logBucket: Pricer = (r, ctx) => {
    const network = r.inputs.description === NETWORK_LOGS_DESCRIPTION;
    const millions = (ctx.usage.monthlyRequests / 1e6).toLocaleString("en-US");
    const lb = ctx.resources.some(
        (x) => x.type === "gcp:compute/backendService:BackendService" && at(x.inputs, "logConfig.enable") === true,
    );
    const gb = network
        ? (flowLogGb(ctx.usage, "gcp") + (lb ? accessLogGb(ctx.usage, TRAFFIC_LOGS.accessLogBytes.gcpLb) : 0)) / 1.073741824
        : ctx.usage.logGiBPerReplica * ctx.replicas;
    const what = network
        ? `VPC flow logs (${millions} million requests x ${TRAFFIC_LOGS.flowRecordsPerRequest} flows x ${TRAFFIC_LOGS.flowRecordBytes.gcp} B, ${TRAFFIC_LOGS.gcpFlowSampling * 100} % sampled)${lb ? ` and load balancer request logs (${TRAFFIC_LOGS.accessLogBytes.gcpLb} B a request)` : ""} assumed`
        : `${ctx.usage.logGiBPerReplica} GiB x ${ctx.replicas} replicas assumed`;
    const days = num(r, "retentionDays", 30);
    sharedAllowance(ctx, `the first ${FREE.gcpLogsGib} GiB a month of Cloud Logging ingestion`, "project");
    if (network)
        ctx.note(
            "GCP network logs: VPC flow logs kept in Cloud Logging are priced as Logging ingestion only (the network telemetry generation charge is waived for them, as read from memory of the pricing page, not re-checked); the project's _Default bucket also receives them and bills its own ingestion, left out (within the free 50 GiB at the assumed volume).",
        );
    const lines: LineSpec[] = [
        {
            item: `Cloud Logging ingestion (${what})`,
            quantity: gb,
            priceId: "gcp.logging.ingest",
            // One allowance for the project: the network bucket gets what the server's logs leave of it.
            freeQuantity: network ? Math.max(0, FREE.gcpLogsGib - ctx.usage.logGiBPerReplica * ctx.replicas) : FREE.gcpLogsGib,
            usageBased: true,
        },
    ];
    if (days > 30)
        lines.push({
            item: `Cloud Logging retention beyond 30 days (${days} days)`,
            quantity: gb * ((days - 30) / 30),
            priceId: "gcp.logging.retention",
            usageBased: true,
        });
    return lines;
};

const address: Pricer = (r) => {
    if (r.inputs.addressType === "INTERNAL" || r.inputs.purpose === "VPC_PEERING") return [];
    // A static external address in use by a forwarding rule carries no address charge.
    return [];
};

/** Alerting bills per condition of a policy. */
const alertPolicy: Pricer = (r) => {
    const conditions = (r.inputs.conditions ?? []).length || 1;
    return [
        {
            item: `Cloud Monitoring alerting (${conditions} condition${conditions === 1 ? "" : "s"})`,
            quantity: conditions,
            priceId: "gcp.monitoring.condition",
        },
    ];
};

/** Uptime checks: free up to 1 million executions a month per project. */
const uptime: Pricer = (r) => {
    const regions = (r.inputs.selectedRegions ?? []).length || 3;
    const period = Number(String(r.inputs.period ?? "60s").replace("s", ""));
    const runs = (regions * SECONDS_PER_MONTH) / period;
    return [
        {
            item: `Uptime check (${regions} regions every ${period} s)`,
            quantity: runs / 1000,
            priceId: "gcp.monitoring.uptime",
            freeQuantity: 1000,
        },
    ];
};

/** Bytes one audit entry takes in a checkpoint object (a JSON line with two SHA-256 hashes and the call's fields). */
export const AUDIT_ENTRY_BYTES = 512;
/** GCS returns at most this many objects per listing request (one Class A operation each). */
export const GCS_LIST_PAGE = 1000;

/**
 * The audit anchor bucket (docs/audit.md). Writes: at most one create-only object per checkpoint round, one
 * round every `checkpoint-interval-s` seconds (the bucket's label, the tier's cadence), counted as if every
 * round had new entries. Reads: one `audit:verify --anchors` a month, which lists and reads every object held
 * (the replicas' start-up bucket probes are a handful of Class B operations, left out). Storage: the assumed
 * entries (one per request) times the retention in months (at least one): what the bucket holds once it is
 * that old (nothing deletes objects after their retention ends).
 */
const bucket: Pricer = (r, ctx) => {
    if (r.inputs.storageClass !== undefined && r.inputs.storageClass !== "STANDARD")
        throw new Unpriced(`storage class ${r.inputs.storageClass}`);
    const label = at(r.inputs, "labels.checkpoint-interval-s");
    const interval = Number(label ?? 60);
    if (!(interval > 0)) throw new Unpriced(`checkpoint-interval-s label "${label}"`);
    const retentionDays = Number(at(r.inputs, "retentionPolicy.retentionPeriod") ?? 0) / 86_400;
    const months = Math.max(1, retentionDays / 30);
    const monthlyGb = (ctx.usage.monthlyRequests * AUDIT_ENTRY_BYTES) / 1024 ** 3;
    const rounds = SECONDS_PER_MONTH / interval;
    const held = rounds * months;
    ctx.note(
        `GCS audit anchors: ${ctx.usage.monthlyRequests.toLocaleString("en-US")} entries a month x ${AUDIT_ENTRY_BYTES} bytes, kept ${Math.round(retentionDays)} days (locked; nothing deletes them after that), priced at what the bucket holds once it is that old, with one checkpoint per ${interval} s and one anchored verify a month; the Cloud Storage always-free allowance is not subtracted.`,
    );
    return [
        {
            item: `GCS Standard storage, audit checkpoints (${Math.round(retentionDays)} days retained)`,
            quantity: monthlyGb * months,
            priceId: "gcp.gcs.standard.gb",
            usageBased: true,
        },
        {
            item: `GCS Class A operations: checkpoint writes (one per ${interval} s) and a monthly verify's listings, thousands`,
            quantity: (rounds + Math.ceil(held / GCS_LIST_PAGE)) / 1000,
            priceId: "gcp.gcs.classA",
        },
        {
            item: `GCS Class B operations: a monthly verify reading ${Math.round(held).toLocaleString("en-US")} checkpoints, thousands`,
            quantity: held / 1000,
            priceId: "gcp.gcs.classB",
        },
    ];
};

export const PRICERS: Record<string, Pricer> = {
    "gcp:storage/bucket:Bucket": bucket,
    "gcp:monitoring/alertPolicy:AlertPolicy": alertPolicy,
    "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig": uptime,
    "gcp:cloudrunv2/service:Service": cloudRun,
    "gcp:sql/databaseInstance:DatabaseInstance": sql,
    "gcp:redis/instance:Instance": memorystore,
    "gcp:compute/globalForwardingRule:GlobalForwardingRule": forwardingRule,
    "gcp:compute/backendService:BackendService": backendService,
    "gcp:compute/securityPolicy:SecurityPolicy": armor,
    "gcp:artifactregistry/repository:Repository": registry,
    "gcp:secretmanager/secretVersion:SecretVersion": secretVersion,
    "gcp:dns/managedZone:ManagedZone": dnsZone,
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": logBucket,
    "gcp:compute/globalAddress:GlobalAddress": address,
};

export const FREE_TYPES: Record<string, string> = {
    "gcp:cloudrunv2/job:Job":
        "one short audit:migrate execution per deploy (seconds of 1 vCPU), within Cloud Run's free tier; not estimated",
    "gcp:storage/bucketIAMMember:BucketIAMMember": "no charge",
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": "no charge",
    "gcp:compute/network:Network": "no charge",
    "gcp:compute/subnetwork:Subnetwork":
        "no charge for the subnet; its flow logs (prod, enterprise) are priced as ingestion on the network log bucket",
    "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup": "no charge (serverless NEG)",
    "gcp:compute/targetHttpProxy:TargetHttpProxy": "priced on the forwarding rule",
    "gcp:compute/targetHttpsProxy:TargetHttpsProxy": "priced on the forwarding rule",
    "gcp:compute/uRLMap:URLMap": "priced on the forwarding rule",
    "gcp:compute/sSLPolicy:SSLPolicy": "no charge",
    "gcp:compute/managedSslCertificate:ManagedSslCertificate": "Google-managed certificates are free",
    "gcp:dns/recordSet:RecordSet":
        "no charge per record: zones are billed (the private zone created here is priced as a ManagedZone, a domain's public zone is the user's); queries negligible",
    "gcp:logging/projectSink:ProjectSink": "no charge (ingestion priced on the bucket)",
    "gcp:projects/service:Service": "no charge",
    "gcp:secretmanager/secret:Secret": "priced per active version",
    "gcp:secretmanager/secretIamMember:SecretIamMember": "no charge",
    "gcp:serviceaccount/account:Account": "no charge",
    "gcp:servicenetworking/connection:Connection": "no charge",
    "gcp:sql/database:Database": "priced on the instance",
    "gcp:sql/user:User": "priced on the instance",
    "gcp:monitoring/notificationChannel:NotificationChannel": "no charge",
    "gcp:monitoring/dashboard:Dashboard": "no charge",
    "gcp:billing/budget:Budget": "no charge",
    "gcp:logging/metric:Metric": "log-based metric samples count as Monitoring ingestion, within the free 150 MiB a month at alert volumes",
};
