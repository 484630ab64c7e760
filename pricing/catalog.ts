/**
 * The price catalog: list prices (USD, on-demand) for every billable item the
 * components create. Each entry keeps its unit, region, source and confidence
 * (scale: O official page or price API, S secondary
 * source, D derived by arithmetic, ? conflicting or unknown).
 *
 * Regions: AWS us-east-1, Azure East US, GCP us-central1. Other regions are
 * priced at these figures and the estimate says so.
 */

export type Confidence = "O" | "S" | "D" | "?";

export interface Price {
    id: string;
    usd: number;
    unit: string;
    region: string;
    source: string;
    confidence: Confidence;
    /** When the figure was collected (YYYY-MM). */
    date: string;
}

export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

const AWS = "us-east-1";
const AZ = "eastus";
const GCP = "us-central1";
const D = "2026-11";

type Row = [id: string, usd: number, unit: string, region: string, source: string, confidence: Confidence];

const ROWS: Row[] = [
    // ---- AWS ----
    ["aws.fargate.x86.vcpu", 0.04048, "vCPU-hour", AWS, "aws.amazon.com/fargate/pricing", "O"],
    ["aws.fargate.x86.gb", 0.004445, "GB-hour", AWS, "aws.amazon.com/fargate/pricing", "O"],
    ["aws.fargate.arm.vcpu", 0.03238, "vCPU-hour", AWS, "aws.amazon.com/fargate/pricing (secondary copy)", "S"],
    ["aws.fargate.arm.gb", 0.00356, "GB-hour", AWS, "aws.amazon.com/fargate/pricing (secondary copy)", "S"],
    ["aws.alb.hour", 0.0225, "ALB-hour", AWS, "aws.amazon.com/elasticloadbalancing/pricing", "O"],
    ["aws.alb.lcu", 0.008, "LCU-hour", AWS, "aws.amazon.com/elasticloadbalancing/pricing", "O"],
    ["aws.nat.hour", 0.045, "NAT gateway-hour", AWS, "aws.amazon.com/vpc/pricing (two secondary sources agree)", "S"],
    ["aws.nat.gb", 0.045, "GB processed", AWS, "aws.amazon.com/vpc/pricing (two secondary sources agree)", "S"],
    [
        "aws.ipv4.hour",
        0.005,
        "public IPv4-hour",
        AWS,
        "aws.amazon.com/blogs/aws/new-aws-public-ipv4-address-charge-public-ip-insights (from 2024-02-01)",
        "S",
    ],
    ["aws.rds.pg.db.t4g.micro", 0.016, "instance-hour (single-AZ)", AWS, "RDS for PostgreSQL on-demand (secondary)", "S"],
    ["aws.rds.pg.db.t4g.small", 0.032, "instance-hour (single-AZ)", AWS, "RDS for PostgreSQL on-demand (secondary)", "S"],
    ["aws.rds.pg.db.t4g.medium", 0.065, "instance-hour (single-AZ)", AWS, "RDS for PostgreSQL on-demand (secondary)", "S"],
    ["aws.rds.pg.db.m7g.large", 0.168, "instance-hour (single-AZ)", AWS, "RDS db.m7g.large (MySQL us-west-2 figure)", "?"],
    ["aws.rds.pg.db.m7g.xlarge", 0.337, "instance-hour (single-AZ)", AWS, "RDS db.m7g.xlarge (MySQL us-west-2 figure)", "?"],
    ["aws.rds.gp3.single", 0.115, "GB-month (single-AZ)", AWS, "aws.amazon.com/rds/postgresql/pricing (secondary)", "S"],
    ["aws.rds.gp3.multiaz", 0.23, "GB-month (Multi-AZ)", AWS, "aws.amazon.com/rds/postgresql/pricing (secondary)", "S"],
    [
        "aws.elasticache.valkey.cache.t4g.micro",
        0.0128,
        "node-hour",
        AWS,
        "Redis OSS cache.t4g.micro $0.016 (official) less Valkey's 20 %",
        "D",
    ],
    ["aws.elasticache.valkey.cache.t4g.small", 0.0256, "node-hour", AWS, "Redis OSS cache.t4g.small $0.032 less Valkey's 20 %", "D"],
    ["aws.elasticache.valkey.cache.t4g.medium", 0.052, "node-hour", AWS, "Redis OSS cache.t4g.medium $0.065 less Valkey's 20 %", "D"],
    ["aws.elasticache.valkey.cache.m7g.large", 0.1264, "node-hour", AWS, "ElastiCache Valkey cache.m7g.large (secondary)", "?"],
    [
        "aws.elasticache.serverless.valkey.gb",
        0.084,
        "GB-hour of data stored (100 MB minimum)",
        AWS,
        "aws.amazon.com/elasticache/pricing, ElastiCache Serverless for Valkey (secondary copy; 33 % below Redis OSS)",
        "S",
    ],
    [
        "aws.elasticache.serverless.valkey.ecpu",
        0.0023,
        "million ElastiCache Processing Units",
        AWS,
        "aws.amazon.com/elasticache/pricing, ElastiCache Serverless for Valkey (secondary copy)",
        "S",
    ],
    [
        "aws.cloudwatch.metric",
        0.3,
        "custom metric-month (first 10,000)",
        AWS,
        "aws.amazon.com/cloudwatch/pricing (secondary); Container Insights metrics bill as custom metrics",
        "S",
    ],
    [
        "aws.ssm.advanced",
        0.05,
        "advanced parameter-month (standard parameters are free)",
        AWS,
        "aws.amazon.com/systems-manager/pricing (secondary)",
        "S",
    ],
    ["aws.ecr.gb", 0.1, "GB-month", AWS, "aws.amazon.com/ecr/pricing (secondary)", "S"],
    ["aws.logs.ingest", 0.5, "GB ingested", AWS, "aws.amazon.com/cloudwatch/pricing (secondary)", "S"],
    ["aws.logs.storage", 0.03, "GB-month stored", AWS, "aws.amazon.com/cloudwatch/pricing (secondary)", "S"],
    ["aws.waf.acl", 5.0, "web ACL-month", AWS, "aws.amazon.com/waf/pricing (secondary)", "S"],
    ["aws.waf.rule", 1.0, "rule-month", AWS, "aws.amazon.com/waf/pricing (secondary)", "S"],
    ["aws.waf.requests", 0.6, "million requests", AWS, "aws.amazon.com/waf/pricing (secondary)", "S"],
    ["aws.secrets.secret", 0.4, "secret-month", AWS, "aws.amazon.com/secrets-manager/pricing (secondary)", "S"],
    ["aws.secrets.calls", 0.05, "10,000 API calls", AWS, "aws.amazon.com/secrets-manager/pricing (secondary)", "S"],
    [
        "aws.apigw.http.requests",
        1.0,
        "million HTTP API requests (first 300 million a month; 512 KB increments)",
        AWS,
        "aws.amazon.com/api-gateway/pricing (secondary: learnaws.org, awsforengineers.com, apigatewaycost.com agree; $0.90 beyond 300 million)",
        "S",
    ],
    [
        "aws.cloudmap.instance",
        0.1,
        "registered instance-month",
        AWS,
        "AWS Price List API dump, AWSCloudMap Resource-Month (huggingface labofsahil/aws-pricing-dataset, 2025-08; other regions' rows seen, same in each)",
        "S",
    ],
    [
        "aws.cloudmap.discover",
        1.0,
        "million DiscoverInstances calls",
        AWS,
        "AWS Price List API dump, AWSCloudMap DIR-API-Calls $0.000001 per call from 0 (huggingface labofsahil/aws-pricing-dataset, 2025-08; no free calls seen)",
        "S",
    ],
    [
        "aws.route53.zone",
        0.5,
        "hosted zone-month (first 25 zones)",
        AWS,
        "aws.amazon.com/route53/pricing (secondary: ns1.com and two write-ups agree)",
        "S",
    ],
    [
        "aws.cloudwatch.alarm",
        0.1,
        "standard-resolution alarm metric-month (a metric-math alarm counts each metric it reads)",
        AWS,
        "aws.amazon.com/cloudwatch/pricing (secondary: c3x.dev aws_cloudwatch_metric_alarm, cloudcostkit.com alarm guide, 2026)",
        "S",
    ],
    [
        "aws.cloudwatch.dashboard",
        3.0,
        "dashboard-month (beyond the account's first 3)",
        AWS,
        "aws.amazon.com/cloudwatch/pricing (secondary: factualminds.com CloudWatch pricing, 2026-06)",
        "S",
    ],
    [
        "aws.cloudwatch.custommetric",
        0.3,
        "custom metric-month (first 10,000)",
        AWS,
        "aws.amazon.com/cloudwatch/pricing (secondary: factualminds.com; PRICES.md Container Insights note)",
        "S",
    ],
    [
        "aws.route53.healthcheck",
        0.5,
        "health check-month (AWS endpoint)",
        AWS,
        "aws.amazon.com/route53/pricing (secondary: wewantcode.com Route 53 lesson; $0.75 for non-AWS endpoints)",
        "S",
    ],
    [
        "aws.route53.healthcheck.https",
        1.0,
        "optional feature-month per health check (HTTPS, AWS endpoint)",
        AWS,
        "aws.amazon.com/route53/pricing (secondary: optional features $1.00 AWS / $2.00 non-AWS endpoints)",
        "?",
    ],
    // S3 Standard, for the audit checkpoint bucket (components/aws/anchors.ts); Object Lock itself has no charge.
    [
        "aws.s3.standard.gb",
        0.023,
        "GB-month (S3 Standard, first 50 TB)",
        AWS,
        "aws.amazon.com/s3/pricing (secondary: deepeshsoni.com S3 pricing guide, us-east-1 first 50 TB)",
        "S",
    ],
    [
        "aws.s3.put",
        0.005,
        "1,000 PUT, COPY, POST or LIST requests (S3 Standard)",
        AWS,
        "aws.amazon.com/s3/pricing (secondary: cloudkaramchari.com per-1,000 PUT/COPY/POST/LIST)",
        "S",
    ],
    [
        "aws.s3.get",
        0.0004,
        "1,000 GET, SELECT and all other requests (S3 Standard)",
        AWS,
        "aws.amazon.com/s3/pricing (secondary; long-standing us-east-1 list price)",
        "S",
    ],
    // ---- Azure ----
    ["azure.aca.active.vcpu", 0.000024, "vCPU-second (active)", AZ, "azure.microsoft.com/pricing/details/container-apps (secondary)", "S"],
    ["azure.aca.active.gib", 0.000003, "GiB-second (active)", AZ, "azure.microsoft.com/pricing/details/container-apps (secondary)", "S"],
    ["azure.aca.idle.vcpu", 0.000003, "vCPU-second (idle)", AZ, "Azure retail price API, eastus, 2026-09", "O"],
    ["azure.aca.idle.gib", 0.000003, "GiB-second (idle)", AZ, "Azure retail price API, eastus, 2026-09", "O"],
    ["azure.aca.requests", 0.4, "million requests", AZ, "azure.microsoft.com/pricing/details/container-apps (secondary)", "S"],
    ["azure.aca.dedicated.mgmt", 0.1, "environment-hour (dedicated plan)", AZ, "Azure retail price API, eastus, 2026-09", "O"],
    ["azure.pg.Standard_B1ms", 0.017, "server-hour", AZ, "Azure retail price API, eastus, 2026-07", "O"],
    ["azure.pg.Standard_D2ds_v5", 0.178, "server-hour", AZ, "Azure retail price API, eastus", "O"],
    ["azure.pg.Standard_D4ds_v5", 0.356, "server-hour", AZ, "2 x Standard_D2ds_v5", "D"],
    ["azure.pg.storage", 0.115, "GB-month", AZ, "Azure retail price API, eastus", "O"],
    ["azure.redis.Balanced_B0", 0.016, "node-hour", AZ, "Azure retail price API, eastus2, 2026-08", "O"],
    ["azure.redis.Balanced_B1", 0.032, "node-hour", AZ, "Azure retail price API, eastus2, 2026-08", "O"],
    ["azure.redis.Balanced_B3", 0.065, "node-hour", AZ, "Azure retail price API, eastus2, 2026-08", "O"],
    ["azure.redis.Balanced_B5", 0.156, "node-hour", AZ, "Azure retail price API, eastus2, 2026-08", "O"],
    // Application Gateway v2, settled 2026-11: the Azure Retail Prices API (product "Application Gateway <SKU> v2",
    // meters "Fixed Cost" / "Capacity Units", eastus) gives WAF_v2 0.36 / 0.0144 and Standard_v2 0.20 / 0.008.
    // The 0.443 / 0.246 of Microsoft Learn's "Understanding pricing" page (2022 copy) are examples the page itself
    // calls "for illustration only". The fixed fee includes the gateway's public IP (same page).
    [
        "azure.appgw.Standard_v2.fixed",
        0.2,
        "gateway-hour (public IP included)",
        AZ,
        "Azure Retail Prices API, Application Gateway Standard v2, Standard Fixed Cost, eastus (as quoted by a public cost tool's SQL check: $0.20 fixed + $0.008 per CU)",
        "S",
    ],
    [
        "azure.appgw.Standard_v2.cu",
        0.008,
        "capacity unit-hour",
        AZ,
        "Azure Retail Prices API, Application Gateway Standard v2, Standard Capacity Units, eastus (same copy; Microsoft Learn's example agrees)",
        "S",
    ],
    [
        "azure.appgw.WAF_v2.fixed",
        0.36,
        "gateway-hour (public IP included)",
        AZ,
        "Azure Retail Prices API, Application Gateway WAF v2, Fixed Cost, eastus, as recorded in infracost's application_gateway_test golden file (730 h = $262.80; the two stored versions of the file agree)",
        "O",
    ],
    [
        "azure.appgw.WAF_v2.cu",
        0.0144,
        "capacity unit-hour",
        AZ,
        "Azure Retail Prices API, Application Gateway WAF v2, Capacity Units, eastus (infracost golden: 1,460 CU = $21.02); Microsoft Learn's example agrees",
        "O",
    ],
    ["azure.logs.ingest", 2.3, "GB ingested (first 5 GB free)", AZ, "azure.microsoft.com/pricing/details/monitor", "O"],
    ["azure.acr.Basic", 0.1666, "registry-day", AZ, "azure.microsoft.com/pricing/details/container-registry", "O"],
    ["azure.acr.Standard", 0.6666, "registry-day", AZ, "azure.microsoft.com/pricing/details/container-registry", "O"],
    ["azure.keyvault.ops", 0.03, "10,000 operations", AZ, "azure.microsoft.com/pricing/details/key-vault (secondary)", "S"],
    [
        "azure.nat.hour",
        0.045,
        "NAT gateway-hour",
        AZ,
        "azure.microsoft.com/pricing/details/azure-nat-gateway (secondary: c3x.dev, cloudcostkit)",
        "S",
    ],
    ["azure.nat.gb", 0.045, "GB processed", AZ, "azure.microsoft.com/pricing/details/azure-nat-gateway (secondary)", "S"],
    [
        "azure.publicip.static",
        0.005,
        "Standard static IP-hour",
        AZ,
        "azure.microsoft.com/pricing/details/ip-addresses (secondary: c3x.dev)",
        "S",
    ],
    [
        "azure.privateendpoint.hour",
        0.01,
        "endpoint-hour",
        AZ,
        "azure.microsoft.com/pricing/details/private-link (secondary: c3x.dev, oneuptime)",
        "S",
    ],
    ["azure.privatedns.zone", 0.5, "zone-month", AZ, "azure.microsoft.com/pricing/details/dns (secondary)", "S"],
    [
        "azure.lb.standard.hour",
        0.025,
        "Standard load balancer-hour (first 5 rules)",
        AZ,
        "azure.microsoft.com/pricing/details/load-balancer (secondary: c3x.dev/resources/azure/azurerm_lb)",
        "S",
    ],
    [
        "azure.lb.standard.gb",
        0.005,
        "GB processed (Standard load balancer)",
        AZ,
        "azure.microsoft.com/pricing/details/load-balancer (secondary: c3x.dev/resources/azure/azurerm_lb)",
        "S",
    ],
    [
        "azure.monitor.metricalert",
        0.1,
        "monitored time series-month (metric alert rule)",
        AZ,
        "azure.microsoft.com/pricing/details/monitor (from memory of the page; not re-checked)",
        "?",
    ],
    [
        "azure.monitor.logalert.1m",
        3.0,
        "log search alert rule-month at 1-minute frequency",
        AZ,
        "azure.microsoft.com/pricing/details/monitor (from memory: $0.50 at 15 min, $1.00 at 10 min, $1.50 at 5 min, $3.00 at 1 min; not re-checked)",
        "?",
    ],
    [
        "azure.monitor.logalert.5m",
        1.5,
        "log search alert rule-month at 5-minute frequency",
        AZ,
        "azure.microsoft.com/pricing/details/monitor (from memory; not re-checked)",
        "?",
    ],
    [
        "azure.appinsights.standardtest",
        0.0006,
        "standard availability test execution",
        AZ,
        "azure.microsoft.com/pricing/details/monitor (from memory; not re-checked)",
        "?",
    ],
    [
        "azure.networkwatcher.flowlogs",
        0.5,
        "GB of flow logs collected (first 5 GB a month per subscription free)",
        AZ,
        "azure.microsoft.com/pricing/details/network-watcher (Network Logs collected; from memory of the page, not re-checked)",
        "?",
    ],
    // Audit checkpoints (issue 11): Blob Storage hot tier, StorageV2, East US.
    [
        "azure.blob.hot.lrs.gb",
        0.0184,
        "GB-month (hot, LRS, first 50 TB)",
        AZ,
        "azure.microsoft.com/pricing/details/storage/blobs (secondary: AZ-900 notes 'about 1.8 cents per GB'; exact figure from memory of the page, not re-checked)",
        "S",
    ],
    [
        "azure.blob.hot.zrs.gb",
        0.023,
        "GB-month (hot, ZRS, first 50 TB)",
        AZ,
        "azure.microsoft.com/pricing/details/storage/blobs (from memory; not re-checked)",
        "?",
    ],
    [
        "azure.blob.hot.write",
        0.065,
        "10,000 write operations (hot; PUT, list and create-container bill as writes)",
        AZ,
        "azure.microsoft.com/pricing/details/storage/blobs (from memory; earlier $0.05; not re-checked)",
        "?",
    ],
    [
        "azure.blob.hot.read",
        0.005,
        "10,000 read operations (hot)",
        AZ,
        "azure.microsoft.com/pricing/details/storage/blobs (from memory; earlier $0.004; not re-checked)",
        "?",
    ],
    // ---- GCP ----
    ["gcp.run.request.vcpu", 0.000024, "vCPU-second (request-based)", GCP, "cloud.google.com/run/pricing", "O"],
    ["gcp.run.request.gib", 0.0000025, "GiB-second (request-based)", GCP, "cloud.google.com/run/pricing", "O"],
    ["gcp.run.requests", 0.4, "million requests", GCP, "cloud.google.com/run/pricing", "O"],
    ["gcp.run.instance.vcpu", 0.000018, "vCPU-second (instance-based)", GCP, "cloud.google.com/run/pricing", "O"],
    ["gcp.run.instance.gib", 0.000002, "GiB-second (instance-based)", GCP, "cloud.google.com/run/pricing (secondary)", "S"],
    [
        "gcp.run.idle.vcpu",
        0.0000025,
        "vCPU-second (idle min instance, request-based)",
        GCP,
        "cloud.google.com/run/pricing Tier 1, as transcribed in firebase-tools src/deploy/functions/pricing.ts (idleVCpu) and cited in ahmetb/cloud-run-faq#142",
        "S",
    ],
    [
        "gcp.run.idle.gib",
        0.0000025,
        "GiB-second (idle min instance, request-based)",
        GCP,
        "cloud.google.com/run/pricing Tier 1 (idle memory at the active memory rate), as transcribed in firebase-tools src/deploy/functions/pricing.ts",
        "S",
    ],
    ["gcp.sql.vcpu", 0.0413, "vCPU-hour (Enterprise)", GCP, "cloud.google.com/sql/pricing (secondary)", "S"],
    ["gcp.sql.ram", 0.007, "GB RAM-hour (Enterprise)", GCP, "cloud.google.com/sql/pricing (secondary)", "S"],
    // Settled 2026-11-29 against stored copies of the pricing pages (../shared/PRICES.md, "Corrections").
    [
        "gcp.sql.db-f1-micro",
        0.0105,
        "instance-hour (shared core; HA 0.021)",
        GCP,
        "cloud.google.com/sql/pricing (stored copy, checked 2026-11-29: db-f1-micro 0.0105 zonal / 0.021 HA)",
        "S",
    ],
    [
        "gcp.sql.db-g1-small",
        0.035,
        "instance-hour (shared core; HA 0.070)",
        GCP,
        "cloud.google.com/sql/pricing (stored copy, checked 2026-11-29: db-g1-small 0.035 zonal / 0.070 HA)",
        "S",
    ],
    [
        "gcp.sql.ssd.zonal",
        0.17,
        "GB-month (zonal SSD)",
        GCP,
        "cloud.google.com/sql/pricing (stored copy, checked 2026-11-29: SSD 0.17 zonal / 0.34 HA)",
        "S",
    ],
    [
        "gcp.sql.ssd.ha",
        0.34,
        "GB-month (HA SSD)",
        GCP,
        "cloud.google.com/sql/pricing (stored copy, checked 2026-11-29: SSD 0.17 zonal / 0.34 HA)",
        "S",
    ],
    ["gcp.redis.BASIC", 0.049, "GiB-hour (Basic M1)", GCP, "cloud.google.com/memorystore/docs/redis/pricing (secondary)", "S"],
    [
        "gcp.redis.STANDARD_HA",
        0.064,
        "GiB-hour (Standard M1, 1-4 GB)",
        GCP,
        "cloud.google.com/memorystore/docs/redis/pricing (stored copy, checked 2026-11-29: Standard M1 0.064, 1 GB about $46.72 a month; the 0.098 seen in other copies was not confirmed)",
        "S",
    ],
    // Google bills the first five forwarding rules of a project as one block, then each further rule.
    [
        "gcp.lb.rule",
        0.025,
        "hour for the first 5 forwarding rules together (one block per project)",
        GCP,
        "cloud.google.com/vpc/network-pricing (forwarding rules: first 5 $0.025/hour, per additional rule $0.01/hour)",
        "O",
    ],
    ["gcp.lb.rule.extra", 0.01, "forwarding rule-hour beyond the first 5", GCP, "cloud.google.com/vpc/network-pricing", "O"],
    ["gcp.lb.data", 0.008, "GiB processed", GCP, "cloud.google.com/vpc/network-pricing", "O"],
    ["gcp.armor.policy", 5.0, "policy-month", GCP, "cloud.google.com/armor/pricing (secondary)", "S"],
    ["gcp.armor.rule", 1.0, "rule-month", GCP, "cloud.google.com/armor/pricing (secondary)", "S"],
    ["gcp.armor.requests", 0.75, "million requests", GCP, "cloud.google.com/armor/pricing (secondary)", "S"],
    ["gcp.ar.gb", 0.1, "GB-month (first 0.5 GB free)", GCP, "cloud.google.com/artifact-registry/pricing", "O"],
    ["gcp.secret.version", 0.06, "active version-month", GCP, "cloud.google.com/secret-manager/pricing", "O"],
    // Cloud DNS lists zones by the hour: $0.000273973 per zone-hour for a billing account's first 25 zones (= $0.20 a month).
    [
        "gcp.dns.zone",
        0.2,
        "managed zone-month (first 25 zones of a billing account)",
        GCP,
        "cloud.google.com/dns/pricing (first 25 zones $0.000273973 per zone-hour; queries $0.40 per million up to 1 billion)",
        "O",
    ],
    ["gcp.dns.queries", 0.4, "million queries (first billion a month)", GCP, "cloud.google.com/dns/pricing", "O"],
    ["gcp.logging.ingest", 0.5, "GiB ingested (first 50 GiB per project free)", GCP, "cloud.google.com/stackdriver/pricing", "S"],
    ["gcp.logging.retention", 0.01, "GiB-month retained beyond 30 days", GCP, "cloud.google.com/stackdriver/pricing", "S"],
    [
        "gcp.monitoring.condition",
        0.1,
        "alerting policy condition-month (plus $0.35 per million time series returned, left out)",
        GCP,
        "cloud.google.com/stackdriver/pricing; per-condition charge confirmed by docs.cloud.google.com/monitoring/alerts/cost-control, amount from memory",
        "?",
    ],
    [
        "gcp.monitoring.uptime",
        0.3,
        "1,000 uptime check executions beyond 1 million a month per project",
        GCP,
        "cloud.google.com/stackdriver/pricing (from memory; not re-checked)",
        "?",
    ],
    // Audit checkpoints (GCS Standard, regional us-central1); the always-free 5 GB-month / 5,000 Class A / 50,000 Class B
    // per billing account (US regions) is not subtracted.
    [
        "gcp.gcs.standard.gb",
        0.02,
        "GB-month (Standard storage, regional)",
        GCP,
        "cloud.google.com/storage/pricing (Iowa us-central1 Standard $0.020; same figure in cloud.google.com/storage/pricing-examples)",
        "O",
    ],
    [
        "gcp.gcs.classA",
        0.005,
        "1,000 Class A operations (object writes, listings)",
        GCP,
        "cloud.google.com/storage/pricing-examples ($0.005 per 1,000 Class A operations, Standard)",
        "O",
    ],
    [
        "gcp.gcs.classB",
        0.0004,
        "1,000 Class B operations (object and bucket metadata reads, gets)",
        GCP,
        "cloud.google.com/storage/pricing-examples ($0.0004 per 1,000 Class B operations, Standard)",
        "O",
    ],
];

export const CATALOG: ReadonlyMap<string, Price> = new Map(
    ROWS.map(([id, usd, unit, region, source, confidence]) => [id, { id, usd, unit, region, source, confidence, date: D }]),
);

/** A catalog entry, or undefined when the catalog has no price for it. */
export function price(id: string): Price | undefined {
    return CATALOG.get(id);
}

/**
 * Free allowances the estimate subtracts (per month). Each belongs to a
 * subscription, billing account or project, not to one stack: the estimate
 * subtracts it in full from every stack and says so in its notes, so stacks
 * sharing an account together pay more than the sum of their estimates.
 */
export const FREE = {
    /** Azure Container Apps consumption grant per subscription. */
    azureAca: { vcpuSeconds: 180_000, gibSeconds: 360_000, requests: 2_000_000 },
    /** Cloud Run request-based free tier per billing account. */
    gcpRun: { vcpuSeconds: 180_000, gibSeconds: 360_000, requests: 2_000_000 },
    /** Log Analytics: first 5 GB per billing account. */
    azureLogsGb: 5,
    /** Network Watcher flow logs collected: first 5 GB per subscription. */
    azureFlowLogsGb: 5,
    /** Cloud Logging: first 50 GiB per project. */
    gcpLogsGib: 50,
    /** Artifact Registry: first 0.5 GB per billing account. */
    gcpRegistryGb: 0.5,
    /** Secret Manager: 6 active secret versions per billing account (cloud.google.com/secret-manager/pricing, Always Free). */
    gcpSecretVersions: 6,
} as const;
