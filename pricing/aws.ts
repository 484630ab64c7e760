/** Pricers for the AWS resources the components create. */
import { SECONDS_PER_MONTH } from "./catalog";
import {
    accessLogGb,
    at,
    flowLogGb,
    LineSpec,
    month,
    num,
    Pricer,
    PricingContext,
    referenced,
    requirePrice,
    TRAFFIC_LOGS,
    trafficGiB,
    Unpriced,
} from "./engine";
import { DeclaredResource } from "./types";

const fargate: Pricer = (r, ctx) => {
    const launch = r.inputs.launchType ?? "FARGATE";
    if (launch !== "FARGATE") throw new Unpriced(`launchType ${launch} (only Fargate is in the catalog)`);
    const task = referenced(ctx, "aws:ecs/taskDefinition:TaskDefinition", r.inputs.taskDefinition);
    if (!task) throw new Unpriced("its task definition is not among the declared resources");
    const count = num(r, "desiredCount", 1);
    const cpu = num(task, "cpu") / 1024;
    const gb = num(task, "memory") / 1024;
    const arch = at(task.inputs, "runtimePlatform.cpuArchitecture") === "ARM64" ? "arm" : "x86";
    const label = `${count} task${count === 1 ? "" : "s"} x ${cpu} vCPU / ${gb} GB, ${arch === "arm" ? "ARM64 (Graviton)" : "X86_64"}`;
    const lines: LineSpec[] = [
        { item: `Fargate vCPU, ${label}`, quantity: month(count) * cpu, priceId: `aws.fargate.${arch}.vcpu` },
        { item: `Fargate memory, ${label}`, quantity: month(count) * gb, priceId: `aws.fargate.${arch}.gb` },
    ];
    if (at(r.inputs, "networkConfiguration.assignPublicIp") === true) {
        lines.push({
            item: `public IPv4 address per task (${count}), for outbound calls without NAT`,
            quantity: month(count),
            priceId: "aws.ipv4.hour",
        });
    }
    return lines;
};

/** API Gateway: HTTP APIs bill per request, metered in 512 KB increments; no hourly charge. */
const httpApi: Pricer = (r, ctx) => {
    const protocol = r.inputs.protocolType ?? "HTTP";
    if (protocol !== "HTTP") throw new Unpriced(`protocolType ${protocol} (only HTTP APIs are in the catalog)`);
    const u = ctx.usage;
    const units = Math.max(1, Math.ceil(u.avgRequestKiB / 512));
    const millions = (u.monthlyRequests * units) / 1e6;
    if (millions > 300)
        ctx.note(
            "API Gateway HTTP API: requests beyond 300 million a month cost $0.90 per million; the estimate prices all of them at $1.00.",
        );
    ctx.note(
        "API Gateway HTTP API: the 1 million free requests a month of the AWS free tier (first 12 months of a new account) are not subtracted.",
    );
    return [
        {
            item: `API Gateway HTTP API requests (${(u.monthlyRequests / 1e6).toLocaleString("en-US")} million assumed${units > 1 ? `, ${units} x 512 KB units each` : ""})`,
            quantity: millions,
            priceId: "aws.apigw.http.requests",
            usageBased: true,
        },
    ];
};

/** A Cloud Map private DNS namespace creates a Route 53 private hosted zone. */
const cloudMapNamespace: Pricer = () => [
    { item: "Route 53 private hosted zone of the Cloud Map namespace", quantity: 1, priceId: "aws.route53.zone" },
];

/**
 * A Cloud Map service: every ECS task registered in it is a billed instance, and an API Gateway integration
 * that discovers it calls DiscoverInstances (assumed once per request: an upper bound).
 */
const cloudMapService: Pricer = (r, ctx) => {
    const registering = ctx.resources.filter(
        (s) =>
            s.type === "aws:ecs/service:Service" &&
            s.inputs.serviceRegistries !== undefined &&
            referenced(ctx, r.type, at(s.inputs, "serviceRegistries.registryArn")) === r,
    );
    const instances = registering.reduce((n, s) => n + num(s, "desiredCount", 1), 0);
    // Private integrations to a load balancer name its listener ARN instead.
    const discoveredBy = ctx.resources.filter(
        (i) =>
            i.type === "aws:apigatewayv2/integration:Integration" &&
            i.inputs.connectionType === "VPC_LINK" &&
            !/elasticloadbalancing/.test(String(i.inputs.integrationUri ?? "")) &&
            referenced(ctx, r.type, i.inputs.integrationUri) === r,
    );
    const lines: LineSpec[] = [
        {
            item: `Cloud Map registered instances (${instances} task${instances === 1 ? "" : "s"} always running)`,
            quantity: instances,
            priceId: "aws.cloudmap.instance",
        },
    ];
    if (discoveredBy.length) {
        lines.push({
            item: "Cloud Map DiscoverInstances calls by API Gateway (one per request assumed: an upper bound)",
            quantity: ctx.usage.monthlyRequests / 1e6,
            priceId: "aws.cloudmap.discover",
            usageBased: true,
        });
    }
    return lines;
};

const loadBalancer: Pricer = (r, ctx) => {
    if ((r.inputs.loadBalancerType ?? "application") !== "application") throw new Unpriced(`loadBalancerType ${r.inputs.loadBalancerType}`);
    const u = ctx.usage;
    // An LCU is the largest of: 25 new connections/s, 3,000 active connections/min, 1 GB/h processed, 1,000 rule evaluations/s.
    const gbPerHour = trafficGiB(u) / month();
    const newConnectionsPerSecond = u.monthlyRequests / SECONDS_PER_MONTH;
    const lcu = Math.max(gbPerHour / 1, newConnectionsPerSecond / 25);
    const lines: LineSpec[] = [
        { item: "Application Load Balancer hours", quantity: month(), priceId: "aws.alb.hour" },
        {
            item: `ALB capacity units (${lcu.toFixed(3)} LCU from the usage assumptions)`,
            quantity: month() * lcu,
            priceId: "aws.alb.lcu",
            usageBased: true,
        },
    ];
    if (r.inputs.internal !== true) {
        const zones = (r.inputs.subnets ?? r.inputs.subnetMappings ?? []).length || 1;
        lines.push({
            item: `public IPv4 addresses of an internet-facing ALB (one per zone: ${zones})`,
            quantity: month(zones),
            priceId: "aws.ipv4.hour",
        });
    }
    return lines;
};

/** Allocated storage of an RDS instance; a read replica inherits its source's. */
function rdsStorage(r: DeclaredResource, ctx: Parameters<Pricer>[1]): number {
    if (r.inputs.allocatedStorage !== undefined && r.inputs.allocatedStorage !== null) return num(r, "allocatedStorage");
    const source =
        r.inputs.replicateSourceDb !== undefined ? referenced(ctx, "aws:rds/instance:Instance", r.inputs.replicateSourceDb) : undefined;
    if (!source || source === r) throw new Unpriced("allocatedStorage is not known");
    return num(source, "allocatedStorage");
}

const rds: Pricer = (r, ctx) => {
    if (!String(r.inputs.engine ?? "postgres").startsWith("postgres") && !r.inputs.replicateSourceDb) {
        throw new Unpriced(`engine ${r.inputs.engine} (only PostgreSQL is in the catalog)`);
    }
    const cls = String(r.inputs.instanceClass);
    const multiAz = r.inputs.multiAz === true;
    const storage = rdsStorage(r, ctx);
    const role = r.inputs.replicateSourceDb ? "read replica" : "instance";
    const lines: LineSpec[] = [
        {
            item: `RDS PostgreSQL ${cls} ${role}${multiAz ? ", Multi-AZ (standby billed)" : ", single-AZ"}`,
            quantity: month(multiAz ? 2 : 1),
            priceId: requirePrice(`aws.rds.pg.${cls}`, `RDS class ${cls}`),
        },
        {
            item: `RDS gp3 storage, ${storage} GB${multiAz ? " (Multi-AZ)" : ""}`,
            quantity: storage,
            priceId: multiAz ? "aws.rds.gp3.multiaz" : "aws.rds.gp3.single",
        },
    ];
    if (num(r, "backupRetentionPeriod", 0) > 0)
        ctx.note("RDS automated backups: assumed within the free allowance (backup storage up to the provisioned storage).");
    return lines;
};

const cache: Pricer = (r) => {
    const engine = String(r.inputs.engine ?? "redis");
    const node = String(r.inputs.nodeType);
    const nodes =
        r.inputs.numCacheClusters !== undefined
            ? num(r, "numCacheClusters")
            : num(r, "numNodeGroups", 1) * (num(r, "replicasPerNodeGroup", 0) + 1);
    return [
        {
            item: `ElastiCache ${engine} ${node} x ${nodes} node${nodes === 1 ? "" : "s"}`,
            quantity: month(nodes),
            priceId: requirePrice(`aws.elasticache.${engine}.${node}`, `ElastiCache ${engine} node ${node}`),
        },
    ];
};

/** ECPUs one MCP request consumes on a serverless cache: the rate-limit script plus a session read or write (an upper bound for small values). */
export const ECPU_PER_REQUEST = 3;

/** Data-storage minimum a serverless cache bills, GB (Valkey 100 MB). */
const SERVERLESS_MIN_GB: Record<string, number> = { valkey: 0.1 };

/**
 * ElastiCache Serverless: data stored (GB-hours, at least the engine's
 * minimum or the cache's own `dataStorage.minimum`) and ECPUs per request.
 * Multi-AZ is built in; no node is billed.
 */
const serverlessCache: Pricer = (r, ctx) => {
    const engine = String(r.inputs.engine ?? "");
    const minimum = SERVERLESS_MIN_GB[engine];
    if (minimum === undefined) throw new Unpriced(`serverless engine ${engine || "(unset)"} (only Valkey is in the catalog)`);
    const unit = at(r.inputs, "cacheUsageLimits.dataStorage.unit") ?? "GB";
    if (unit !== "GB") throw new Unpriced(`cacheUsageLimits.dataStorage.unit ${unit}`);
    const reserved = num(r, "cacheUsageLimits.dataStorage.minimum", 0);
    const stored = ctx.usage.cacheDataMB / 1000;
    const gb = Math.max(minimum, reserved, stored);
    const why =
        gb === stored
            ? `${ctx.usage.cacheDataMB} MB stored assumed`
            : gb === reserved
              ? "the cache's reserved minimum"
              : `the ${minimum * 1000} MB minimum`;
    return [
        {
            item: `ElastiCache Serverless ${engine} data stored, ${gb} GB (${why}; Multi-AZ included)`,
            quantity: month() * gb,
            priceId: `aws.elasticache.serverless.${engine}.gb`,
            usageBased: gb === stored && gb > Math.max(minimum, reserved),
        },
        {
            item: `ElastiCache Serverless ${engine} ECPUs (${ECPU_PER_REQUEST} per request assumed)`,
            quantity: (ctx.usage.monthlyRequests * ECPU_PER_REQUEST) / 1e6,
            priceId: `aws.elasticache.serverless.${engine}.ecpu`,
            usageBased: true,
        },
    ];
};

/**
 * Container Insights metrics of one ECS cluster (standard, not enhanced), billed as CloudWatch custom metrics:
 * per cluster the ten resource metrics (CPU, memory, network, storage and ephemeral storage, each utilized or
 * reserved / read or written) plus TaskCount and ServiceCount; per service the ten plus DesiredTaskCount,
 * RunningTaskCount, PendingTaskCount, DeploymentCount and TaskSetCount; per task definition family the ten.
 * Counted from the metric list in the CloudWatch user guide ("Amazon ECS Container Insights metrics").
 */
export const CONTAINER_INSIGHTS_METRICS = { cluster: 12, service: 15, taskFamily: 10 } as const;

/** KiB of performance log events a running task sends a minute (one Task and one Container event of about 1 KiB each). */
const CONTAINER_INSIGHTS_KIB_PER_TASK_MINUTE = 2;

const ecsCluster: Pricer = (r, ctx) => {
    const settings: { name?: string; value?: string }[] = r.inputs.settings ?? [];
    const mode = settings.find((x) => x?.name === "containerInsights")?.value ?? "disabled";
    if (mode === "disabled") return [];
    if (mode !== "enabled")
        throw new Unpriced(`containerInsights "${mode}" (enhanced observability bills per observation, not in the catalog)`);
    const services = ctx.resources.filter((x) => x.type === "aws:ecs/service:Service" && referenced(ctx, r.type, x.inputs.cluster) === r);
    const families = new Set(
        services.map((x) => referenced(ctx, "aws:ecs/taskDefinition:TaskDefinition", x.inputs.taskDefinition)?.name ?? x.name),
    );
    const tasks = services.reduce((n, x) => n + num(x, "desiredCount", 1), 0);
    const m = CONTAINER_INSIGHTS_METRICS;
    const metrics = m.cluster + m.service * services.length + m.taskFamily * families.size;
    const gib = (tasks * CONTAINER_INSIGHTS_KIB_PER_TASK_MINUTE * (month() * 60)) / (1024 * 1024);
    ctx.note("ECS Container Insights: its performance log group keeps events 1 day by default; that storage is left out (a few cents).");
    return [
        {
            item: `Container Insights metrics (${m.cluster} per cluster + ${m.service} x ${services.length} service${services.length === 1 ? "" : "s"} + ${m.taskFamily} x ${families.size} task famil${families.size === 1 ? "y" : "ies"})`,
            quantity: metrics,
            priceId: "aws.cloudwatch.metric",
        },
        {
            item: `Container Insights performance events (${tasks} task${tasks === 1 ? "" : "s"} x ${CONTAINER_INSIGHTS_KIB_PER_TASK_MINUTE} KiB a minute)`,
            quantity: gib,
            priceId: "aws.logs.ingest",
        },
    ];
};

/** SSM Parameter Store: standard parameters are free; advanced ones bill a month each. */
const ssmParameter: Pricer = (r) => {
    if ((r.inputs.tier ?? "Standard") === "Standard") return [];
    if (r.inputs.tier === "Advanced") return [{ item: "SSM advanced parameter", quantity: 1, priceId: "aws.ssm.advanced" }];
    throw new Unpriced(`SSM parameter tier ${r.inputs.tier} (Intelligent-Tiering picks the tier at write time)`);
};

const nat: Pricer = (r, ctx) => [
    { item: "NAT gateway hours", quantity: month(), priceId: "aws.nat.hour" },
    {
        item: `NAT data processed (${ctx.usage.egressGiB} GiB assumed)`,
        quantity: ctx.usage.egressGiB,
        priceId: "aws.nat.gb",
        usageBased: true,
    },
];

const eip: Pricer = () => [{ item: "Elastic IP (public IPv4)", quantity: month(), priceId: "aws.ipv4.hour" }];

const vpcEndpoint: Pricer = (r) => {
    if ((r.inputs.vpcEndpointType ?? "Gateway") === "Gateway") return [];
    throw new Unpriced(`vpcEndpointType ${r.inputs.vpcEndpointType} (interface endpoints are not in the catalog)`);
};

const ecr: Pricer = (_r, ctx) => [
    {
        item: `ECR storage (${ctx.usage.imageGiB} GiB of images assumed)`,
        quantity: ctx.usage.imageGiB,
        priceId: "aws.ecr.gb",
        usageBased: true,
    },
];

const logGroup: Pricer = (r, ctx) => {
    const kind = at(r.inputs, "tags.mcp-infra:logs");
    const millions = (ctx.usage.monthlyRequests / 1e6).toLocaleString("en-US");
    const { gb, what } =
        kind === "vpc-flow"
            ? {
                  gb: flowLogGb(ctx.usage, "aws"),
                  what: `VPC flow logs: ${millions} million requests x ${TRAFFIC_LOGS.flowRecordsPerRequest} flow records x ${TRAFFIC_LOGS.flowRecordBytes.aws} B assumed`,
              }
            : kind === "http-api-access"
              ? {
                    gb: accessLogGb(ctx.usage, TRAFFIC_LOGS.accessLogBytes.httpApi),
                    what: `HTTP API access log: ${millions} million requests x ${TRAFFIC_LOGS.accessLogBytes.httpApi} B assumed`,
                }
              : {
                    gb: ctx.usage.logGiBPerReplica * ctx.replicas,
                    what: `${ctx.usage.logGiBPerReplica} GiB x ${ctx.replicas} replicas assumed`,
                };
    const retention = num(r, "retentionInDays", 3653);
    // Stored volume in a steady month: what the retention window keeps, at most the ingestion rate times the window.
    const storedGb = gb * Math.min(retention / 30, 120);
    return [
        {
            item: `CloudWatch Logs ingestion (${what})`,
            quantity: gb,
            priceId: "aws.logs.ingest",
            usageBased: true,
        },
        { item: `CloudWatch Logs storage (${retention}-day retention)`, quantity: storedGb, priceId: "aws.logs.storage", usageBased: true },
    ];
};

const waf: Pricer = (r, ctx) => {
    const rules = (r.inputs.rules ?? []).length;
    return [
        { item: "WAF web ACL", quantity: 1, priceId: "aws.waf.acl" },
        { item: `WAF rules and managed rule groups (${rules})`, quantity: rules, priceId: "aws.waf.rule" },
        {
            item: "WAF requests inspected (millions)",
            quantity: ctx.usage.monthlyRequests / 1e6,
            priceId: "aws.waf.requests",
            usageBased: true,
        },
    ];
};

const secret: Pricer = () => [{ item: "Secrets Manager secret", quantity: 1, priceId: "aws.secrets.secret" }];

/** Bytes of one stored audit entry in a checkpoint object (a JSON line with two SHA-256 hex hashes; ~500-700 measured in docs/audit.md's example). */
export const AUDIT_ENTRY_BYTES = 600;
const OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";

/** The checkpoint interval the stack's task definitions give the server (MCP_AUDIT_CHECKPOINT_INTERVAL_S). */
function checkpointIntervalSeconds(ctx: PricingContext): number | undefined {
    for (const t of ctx.resources.filter((x) => x.type === "aws:ecs/taskDefinition:TaskDefinition")) {
        const defs =
            typeof t.inputs.containerDefinitions === "string"
                ? JSON.parse(t.inputs.containerDefinitions)
                : (t.inputs.containerDefinitions ?? []);
        for (const c of defs) {
            const v = (c.environment ?? []).find((e: { name: string }) => e.name === "MCP_AUDIT_CHECKPOINT_INTERVAL_S")?.value;
            if (v !== undefined) return Number(v);
        }
    }
    return undefined;
}

/**
 * The audit checkpoint bucket (S3 Standard, Object Lock): the entries of a month kept for the lock's
 * retention (every request audited once, AUDIT_ENTRY_BYTES each), one HEAD + one PUT per checkpoint,
 * and one anchored verify a month reading that month's checkpoints (GETs, one LIST per 1,000).
 */
const s3Bucket: Pricer = (r, ctx) => {
    if (at(r.inputs, "tags.mcp-infra:logs") === "alb-access") return albLogBucket(r, ctx);
    if (!r.inputs.objectLockEnabled)
        throw new Unpriced("S3 buckets other than the audit checkpoint bucket (Object Lock) are not in the estimate");
    const lock = referenced(ctx, OBJECT_LOCK, r.name);
    const retentionDays = Number(lock?.inputs.rule?.defaultRetention?.days ?? 0);
    if (!(retentionDays > 0)) throw new Unpriced(`no default retention found for bucket ${r.name} (aws.s3.BucketObjectLockConfiguration)`);
    let interval = checkpointIntervalSeconds(ctx);
    if (interval === undefined) {
        interval = 60;
        ctx.note(
            "S3 audit checkpoints: no MCP_AUDIT_CHECKPOINT_INTERVAL_S found in a task definition; priced at the server's default of one a minute.",
        );
    }
    const checkpoints = SECONDS_PER_MONTH / interval;
    const monthGb = (ctx.usage.monthlyRequests * AUDIT_ENTRY_BYTES) / 1e9;
    const months = Math.max(1, retentionDays / 30);
    ctx.note(
        `S3 audit checkpoints: storage is the volume after one ${retentionDays}-day retention (no lifecycle rule expires objects after it, so it keeps growing slowly); versioning adds nothing while objects are never overwritten.`,
    );
    return [
        {
            item: `S3 Standard storage of audit checkpoints (${(ctx.usage.monthlyRequests / 1e6).toLocaleString("en-US")} million entries a month x ${AUDIT_ENTRY_BYTES} B, kept ${retentionDays} days)`,
            quantity: monthGb * months,
            priceId: "aws.s3.standard.gb",
            usageBased: true,
        },
        { item: `S3 PUT requests (one checkpoint every ${interval} s)`, quantity: checkpoints / 1000, priceId: "aws.s3.put" },
        {
            item: "S3 GET/HEAD requests (a HEAD before each checkpoint, one anchored verify a month)",
            quantity: (2 * checkpoints) / 1000,
            priceId: "aws.s3.get",
        },
        { item: "S3 LIST requests (one anchored verify a month)", quantity: Math.ceil(checkpoints / 1000) / 1000, priceId: "aws.s3.put" },
    ];
};

/** Nodes an ALB writes access log files from (one per zone it spans at the assumed load). */
const ALB_LOG_NODES = 3;

/**
 * The ALB's access-log bucket (components/aws/alb.ts): a month of log lines kept until the lifecycle rule expires them
 * (the tier's retention), and one PUT per ALB node every 5 minutes (the delivery interval). No charge from ELB itself.
 */
function albLogBucket(r: DeclaredResource, ctx: PricingContext): LineSpec[] {
    const lifecycle = referenced(ctx, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `${r.name}-expiry`);
    const days = Number(lifecycle?.inputs.rules?.[0]?.expiration?.days ?? 0);
    if (!(days > 0)) throw new Unpriced(`no expiration found for the access-log bucket ${r.name} (aws.s3.BucketLifecycleConfiguration)`);
    const gb = accessLogGb(ctx.usage, TRAFFIC_LOGS.accessLogBytes.alb);
    const puts = (ALB_LOG_NODES * SECONDS_PER_MONTH) / 300;
    return [
        {
            item: `S3 Standard storage of ALB access logs (${(ctx.usage.monthlyRequests / 1e6).toLocaleString("en-US")} million requests x ${TRAFFIC_LOGS.accessLogBytes.alb} B uncompressed, kept ${days} days)`,
            quantity: gb * Math.max(1, days / 30),
            priceId: "aws.s3.standard.gb",
            usageBased: true,
        },
        {
            item: `S3 PUT requests (a log file every 5 minutes from each of ${ALB_LOG_NODES} ALB nodes)`,
            quantity: puts / 1000,
            priceId: "aws.s3.put",
        },
    ];
}

/** A CloudWatch alarm: billed per metric it reads (each metric of a metric-math expression counts). */
const alarm: Pricer = (r) => {
    const queries: { metric?: unknown }[] = r.inputs.metricQueries ?? [];
    const metrics = queries.length > 0 ? queries.filter((q) => q.metric !== undefined).length : 1;
    return [
        { item: `CloudWatch alarm (${metrics} metric${metrics === 1 ? "" : "s"})`, quantity: metrics, priceId: "aws.cloudwatch.alarm" },
    ];
};

const dashboard: Pricer = (_r, ctx) => {
    ctx.note("CloudWatch dashboards: the account's first 3 are free; the estimate prices this one in full.");
    return [{ item: "CloudWatch dashboard", quantity: 1, priceId: "aws.cloudwatch.dashboard" }];
};

/** A metric filter publishes one custom metric. */
const metricFilter: Pricer = () => [
    { item: "CloudWatch custom metric from a log metric filter", quantity: 1, priceId: "aws.cloudwatch.custommetric" },
];

const healthCheck: Pricer = (r) => {
    const lines: LineSpec[] = [{ item: "Route 53 health check (AWS endpoint)", quantity: 1, priceId: "aws.route53.healthcheck" }];
    if (String(r.inputs.type ?? "").startsWith("HTTPS"))
        lines.push({ item: "Route 53 health check HTTPS option", quantity: 1, priceId: "aws.route53.healthcheck.https" });
    return lines;
};

export const PRICERS: Record<string, Pricer> = {
    "aws:cloudwatch/metricAlarm:MetricAlarm": alarm,
    "aws:cloudwatch/dashboard:Dashboard": dashboard,
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": metricFilter,
    "aws:route53/healthCheck:HealthCheck": healthCheck,
    "aws:ecs/service:Service": fargate,
    "aws:lb/loadBalancer:LoadBalancer": loadBalancer,
    "aws:rds/instance:Instance": rds,
    "aws:elasticache/replicationGroup:ReplicationGroup": cache,
    "aws:elasticache/serverlessCache:ServerlessCache": serverlessCache,
    "aws:ecs/cluster:Cluster": ecsCluster,
    "aws:ssm/parameter:Parameter": ssmParameter,
    "aws:ec2/natGateway:NatGateway": nat,
    "aws:ec2/eip:Eip": eip,
    "aws:ec2/vpcEndpoint:VpcEndpoint": vpcEndpoint,
    "aws:ecr/repository:Repository": ecr,
    "aws:cloudwatch/logGroup:LogGroup": logGroup,
    "aws:wafv2/webAcl:WebAcl": waf,
    "aws:secretsmanager/secret:Secret": secret,
    "aws:s3/bucket:Bucket": s3Bucket,
    "aws:apigatewayv2/api:Api": httpApi,
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": cloudMapNamespace,
    "aws:servicediscovery/service:Service": cloudMapService,
};

/** Types that carry no charge of their own, with the reason. */
export const FREE_TYPES: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "no charge",
    "aws:ec2/subnet:Subnet": "no charge",
    "aws:ec2/internetGateway:InternetGateway": "no charge",
    "aws:ec2/routeTable:RouteTable": "no charge",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "no charge",
    "aws:ec2/securityGroup:SecurityGroup": "no charge",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "no charge",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "no charge",
    "aws:iam/role:Role": "no charge",
    "aws:iam/rolePolicy:RolePolicy": "no charge",
    "aws:ecs/taskDefinition:TaskDefinition": "priced on the ECS service that runs it",
    "aws:appautoscaling/target:Target": "no charge",
    "aws:appautoscaling/policy:Policy": "no charge",
    "aws:lb/listener:Listener": "priced on the load balancer",
    "aws:lb/targetGroup:TargetGroup": "priced on the load balancer",
    "aws:rds/parameterGroup:ParameterGroup": "no charge",
    "aws:rds/subnetGroup:SubnetGroup": "no charge",
    "aws:elasticache/subnetGroup:SubnetGroup": "no charge",
    "aws:elasticache/user:User": "no charge (ElastiCache RBAC users)",
    "aws:elasticache/userGroup:UserGroup": "no charge (ElastiCache RBAC user groups)",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "no charge",
    "aws:secretsmanager/secretVersion:SecretVersion": "priced on the secret",
    "aws:acm/certificate:Certificate": "public ACM certificates are free",
    "aws:acm/certificateValidation:CertificateValidation": "no charge",
    "aws:route53/record:Record": "alias queries to AWS resources are free; the hosted zone is not created here",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "priced on the web ACL",
    "aws:apigatewayv2/stage:Stage": "requests are priced on the HTTP API",
    "aws:apigatewayv2/route:Route": "requests are priced on the HTTP API",
    "aws:apigatewayv2/integration:Integration": "requests are priced on the HTTP API; its DiscoverInstances calls on the Cloud Map service",
    "aws:apigatewayv2/vpcLink:VpcLink": "VPC links for HTTP APIs carry no charge",
    "aws:apigatewayv2/domainName:DomainName": "custom domain names carry no charge (the ACM certificate is free)",
    "aws:apigatewayv2/apiMapping:ApiMapping": "no charge",
    "aws:sns/topic:Topic":
        "SNS topics carry no charge; alert volumes stay within the free 1,000 emails and 100,000 HTTP deliveries a month",
    "aws:sns/topicPolicy:TopicPolicy": "no charge",
    "aws:sns/topicSubscription:TopicSubscription": "deliveries priced on the topic (free at alert volumes)",
    "aws:budgets/budget:Budget": "budgets without actions are free",
    "aws:ec2/flowLog:FlowLog": "ingestion and storage are priced on its CloudWatch log group",
    "aws:s3/bucketVersioning:BucketVersioning": "stored versions are priced on the bucket",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration":
        "S3 Object Lock carries no charge of its own (storage and requests are priced on the bucket)",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "no charge",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "SSE-S3 carries no charge",
    "aws:s3/bucketPolicy:BucketPolicy": "no charge",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "no charge (expiring objects is free for S3 Standard)",
};
