/**
 * Per-field tier overrides and the project's config keys.
 *
 * `CONFIG_KEYS` is the single source of truth for the keys the program reads;
 * Pulumi.yaml declares the same keys (a test keeps the two in step).
 */
import { ConfigError, formatChoices } from "./errors";
import {
    AuditStorageAccess,
    CLOUDS,
    DbSizing,
    EdgeKind,
    NatMode,
    SecretStore,
    SessionStore,
    TIER_NAMES,
    TierName,
    TierSpec,
    tierSpec,
    WafRuleLayout,
} from "./tiers";

export const EDGE_KINDS: readonly EdgeKind[] = ["loadBalancer", "payPerRequest"];
export const SESSION_STORES: readonly SessionStore[] = ["managed", "embedded"];
export const NAT_MODES: readonly NatMode[] = ["none", "single", "perZone"];
export const CPU_ARCHITECTURES = ["arm64", "x86_64"] as const;
export type CpuArchitecture = (typeof CPU_ARCHITECTURES)[number];
export const WAF_RULE_LAYOUTS: readonly WafRuleLayout[] = ["compact", "separate"];
export const SECRET_STORES: readonly SecretStore[] = ["managed", "platform"];
export const DB_SIZINGS: readonly DbSizing[] = ["sustained", "vcpuCount"];
export const AUDIT_STORAGE_ACCESS: readonly AuditStorageAccess[] = ["privateEndpoint", "serviceEndpoint"];
/** How a managed cache is provisioned: nodes (a primary and replicas) or serverless (AWS ElastiCache Serverless; cluster mode). */
export const CACHE_MODES = ["nodes", "serverless"] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

/** Fields of a tier a stack may override. Every field is optional; unset means "the tier's value". */
export interface TierOverrides {
    /** Replicas always running. @default the tier's (dev 1, prod 2, enterprise 3) */
    minReplicas?: number;
    /** Autoscaling ceiling. @default the tier's (dev 1, prod 6, enterprise 12) */
    maxReplicas?: number;
    /** Autoscaling target, average CPU percent. @default the tier's (70 / 60 / 60) */
    targetCpuPercent?: number;
    /** vCPU per replica in thousandths. @default the tier's (250 / 500 / 1000) */
    serviceMilliCpu?: number;
    /** Memory per replica in MiB. @default the tier's (512 / 1024 / 2048) */
    serviceMemoryMiB?: number;
    /** Database vCPU. @default the tier's (1 / 2 / 2) */
    dbVcpu?: number;
    /** Database memory in GiB. @default the tier's (1 / 2 / 8) */
    dbMemoryGiB?: number;
    /** Database storage in GiB. @default the tier's (20 / 50 / 100) */
    dbStorageGiB?: number;
    /** A concrete database class of the chosen cloud (e.g. `db.t4g.medium`); replaces dbVcpu / dbMemoryGiB. @default chosen from the tier */
    dbInstanceClass?: string;
    /** Cache memory per node in MiB. @default the tier's (512 / 1024 / 6144) */
    cacheMemoryMiB?: number;
    /** A concrete cache node type of the chosen cloud (e.g. `cache.t4g.small`); replaces cacheMemoryMiB. @default chosen from the tier */
    cacheNodeType?: string;
    /** Days logs are kept. @default the tier's (7 / 30 / 90) */
    logRetentionDays?: number;
    /** Kind of edge. @default the tier's (dev payPerRequest; prod, enterprise loadBalancer) */
    edgeKind?: EdgeKind;
    /** Where per-client state lives. @default the tier's (dev embedded; prod, enterprise managed) */
    sessionStore?: SessionStore;
    /** NAT gateways for the replicas' outbound traffic. @default the tier's (dev none, prod single, enterprise perZone) */
    natGateways?: NatMode;
    /** CPU architecture of the replicas. @default the cloud's cheapest that runs the image: arm64 (Graviton) on AWS, x86_64 elsewhere */
    cpuArchitecture?: CpuArchitecture;
    /** Scale to zero when idle where the platform bills per request. @default the tier's (dev true, others false) */
    scaleToZero?: boolean;
    /** How the WAF's managed rule sets are laid out in billed rules. @default the tier's (dev, prod compact; enterprise separate) */
    wafRules?: WafRuleLayout;
    /** Where generated secrets live. @default the tier's (dev platform; prod, enterprise managed), managed on GCP */
    secretStore?: SecretStore;
    /** How a burstable database size maps onto dedicated vCPUs. @default the tier's (sustained) */
    dbSizing?: DbSizing;
    /** Managed cache as nodes or serverless (AWS only). @default serverless on AWS for a burstable managed cache (prod), nodes otherwise */
    cacheMode?: CacheMode;
    /** ECS Container Insights (AWS only). @default on for the 99.99 % tier (enterprise), off otherwise */
    containerInsights?: boolean;
    /** How the service reaches the audit checkpoint storage (a cost on Azure only). @default the tier's (dev serviceEndpoint; prod, enterprise privateEndpoint) */
    auditStorageAccess?: AuditStorageAccess;
}

export type ConfigType = "string" | "integer" | "boolean" | "array";

export interface ConfigKey {
    key: string;
    type: ConfigType;
    description: string;
    /** Absent for a secret: Pulumi refuses a plaintext default for a key declared secret. */
    default?: string | number | boolean | readonly string[];
    /** Item type of an `array` key. */
    items?: { type: "string" };
    /** The stack must store the value encrypted (`pulumi config set --secret`). */
    secret?: true;
    /** Allowed values, when the key is an enumeration ("" always means the tier's value). */
    allowed?: readonly string[];
    /** The TierOverrides field this key sets; for integer keys 0 (and for strings "") means "use the tier's value". */
    override?: keyof TierOverrides;
}

export const PROJECT = "mcp-infra";

export const CONFIG_KEYS: readonly ConfigKey[] = [
    { key: "cloud", type: "string", default: "aws", allowed: CLOUDS, description: "Where to deploy: aws, azure, gcp or local (Docker)." },
    { key: "tier", type: "string", default: "dev", allowed: TIER_NAMES, description: "Sizing tier: dev, prod or enterprise." },
    {
        key: "domain",
        type: "string",
        default: "",
        description:
            "Public DNS name of the MCP endpoint. When set, the edge serves HTTPS (a managed certificate on AWS and GCP, `tlsCertificate` on Azure) and redirects HTTP. Required on prod and enterprise with a load-balancer edge; empty elsewhere serves the edge's own name (plain HTTP on a load balancer).",
    },
    {
        key: "dnsZone",
        type: "string",
        default: "",
        description:
            "DNS zone that holds `domain` (for certificate validation and the alias record). Empty = the domain without its first label.",
    },
    {
        key: "tlsCertificate",
        type: "string",
        default: "",
        description:
            "Azure with a domain: path to the PKCS#12 (.pfx) certificate and key for `domain`, given to the Application Gateway directly (it has no managed certificate). Empty elsewhere.",
    },
    {
        key: "tlsCertificatePassword",
        type: "string",
        default: "",
        description: "Password of the `tlsCertificate` PFX; set it with `pulumi config set --secret`. Empty = a PFX without password.",
    },
    {
        key: "image",
        type: "string",
        default: "",
        description:
            "Your own MCP server image to run instead of building the bundled one from app/. Empty = build and push the bundled server.",
    },
    {
        key: "monthlyBudgetUsd",
        type: "integer",
        default: 0,
        description: "Monthly budget for this stack in USD; the cost review fails a change that exceeds it. 0 = no budget.",
    },
    {
        key: "minReplicas",
        type: "integer",
        default: 0,
        override: "minReplicas",
        description: "Override: replicas always running. 0 = the tier's value.",
    },
    {
        key: "maxReplicas",
        type: "integer",
        default: 0,
        override: "maxReplicas",
        description: "Override: autoscaling ceiling. 0 = the tier's value.",
    },
    {
        key: "targetCpuPercent",
        type: "integer",
        default: 0,
        override: "targetCpuPercent",
        description: "Override: autoscaling target in average CPU percent. 0 = the tier's value.",
    },
    {
        key: "serviceMilliCpu",
        type: "integer",
        default: 0,
        override: "serviceMilliCpu",
        description: "Override: vCPU per replica in thousandths (250 = 0.25 vCPU). 0 = the tier's value.",
    },
    {
        key: "serviceMemoryMiB",
        type: "integer",
        default: 0,
        override: "serviceMemoryMiB",
        description: "Override: memory per replica in MiB. 0 = the tier's value.",
    },
    { key: "dbVcpu", type: "integer", default: 0, override: "dbVcpu", description: "Override: database vCPU. 0 = the tier's value." },
    {
        key: "dbMemoryGiB",
        type: "integer",
        default: 0,
        override: "dbMemoryGiB",
        description: "Override: database memory in GiB. 0 = the tier's value.",
    },
    {
        key: "dbStorageGiB",
        type: "integer",
        default: 0,
        override: "dbStorageGiB",
        description: "Override: database storage in GiB. 0 = the tier's value.",
    },
    {
        key: "dbInstanceClass",
        type: "string",
        default: "",
        override: "dbInstanceClass",
        description:
            "Override: a database class of the chosen cloud (e.g. db.t4g.medium on AWS); replaces dbVcpu/dbMemoryGiB. Empty = chosen from the tier.",
    },
    {
        key: "cacheMemoryMiB",
        type: "integer",
        default: 0,
        override: "cacheMemoryMiB",
        description: "Override: cache memory per node in MiB. 0 = the tier's value.",
    },
    {
        key: "cacheNodeType",
        type: "string",
        default: "",
        override: "cacheNodeType",
        description:
            "Override: a cache node type of the chosen cloud (e.g. cache.t4g.small on AWS); replaces cacheMemoryMiB. Empty = chosen from the tier.",
    },
    {
        key: "logRetentionDays",
        type: "integer",
        default: 0,
        override: "logRetentionDays",
        description: "Override: days logs are kept. 0 = the tier's value.",
    },
    {
        key: "edgeKind",
        type: "string",
        default: "",
        allowed: ["", ...EDGE_KINDS],
        override: "edgeKind",
        description:
            "Override: loadBalancer (ALB, Application Gateway, global external ALB; hourly) or payPerRequest (API Gateway HTTP API, Container Apps ingress, Cloud Run URL; no WAF). Empty = the tier's value.",
    },
    {
        key: "sessionStore",
        type: "string",
        default: "",
        allowed: ["", ...SESSION_STORES],
        override: "sessionStore",
        description:
            "Override: managed (the cloud's Redis-compatible cache) or embedded (the server's memory; one replica only). Empty = the tier's value.",
    },
    {
        key: "natGateways",
        type: "string",
        default: "",
        allowed: ["", ...NAT_MODES],
        override: "natGateways",
        description: "Override: none, single or perZone NAT gateways for outbound traffic. Empty = the tier's value.",
    },
    {
        key: "cpuArchitecture",
        type: "string",
        default: "",
        allowed: ["", ...CPU_ARCHITECTURES],
        override: "cpuArchitecture",
        description: "Override: arm64 or x86_64 replicas (arm64 on AWS only). Empty = arm64 (Graviton) on AWS, x86_64 elsewhere.",
    },
    {
        key: "scaleToZero",
        type: "string",
        default: "",
        allowed: ["", "true", "false"],
        override: "scaleToZero",
        description:
            "Override: let the service scale to zero when idle on Cloud Run and Container Apps (true/false). Empty = the tier's value.",
    },
    {
        key: "wafRules",
        type: "string",
        default: "",
        allowed: ["", ...WAF_RULE_LAYOUTS],
        override: "wafRules",
        description:
            "Cost choice: compact (the fewest billed WAF rules that keep managed rules and the per-IP rate limit: Cloud Armor expressions combined; on AWS the core rule set alone) or separate (one billed rule per managed rule set). No difference on Azure. Empty = the tier's value.",
    },
    {
        key: "secretStore",
        type: "string",
        default: "",
        allowed: ["", ...SECRET_STORES],
        override: "secretStore",
        description:
            "Cost choice: managed (Secrets Manager, Key Vault behind a private endpoint, Secret Manager) or platform (SSM Parameter Store SecureString on AWS, Container Apps secrets on Azure; not on GCP). Empty = the tier's value.",
    },
    {
        key: "auditStorageAccess",
        type: "string",
        default: "",
        allowed: ["", ...AUDIT_STORAGE_ACCESS],
        override: "auditStorageAccess",
        description:
            "Cost choice (Azure): how the service reaches the audit checkpoint storage account: privateEndpoint (public network access off, a private endpoint and its DNS zone) or serviceEndpoint (the storage firewall admits only the Container Apps subnet, through a free Microsoft.Storage service endpoint). No difference on AWS and GCP. Empty = the tier's value.",
    },
    {
        key: "dbSizing",
        type: "string",
        default: "",
        allowed: ["", ...DB_SIZINGS],
        override: "dbSizing",
        description:
            "Cost choice: where a burstable database size needs dedicated vCPUs (Cloud SQL with HA), sustained (enough for what the burstable size sustains) or vcpuCount (as many as it has). Empty = the tier's value.",
    },
    {
        key: "cacheMode",
        type: "string",
        default: "",
        allowed: ["", ...CACHE_MODES],
        override: "cacheMode",
        description:
            "Cost choice (AWS): the managed cache as nodes (primary and replica) or serverless (ElastiCache Serverless, Multi-AZ, cluster mode). Empty = serverless for a burstable managed cache (prod), nodes otherwise.",
    },
    {
        key: "containerInsights",
        type: "string",
        default: "",
        allowed: ["", "true", "false"],
        override: "containerInsights",
        description:
            "Cost choice (AWS): ECS Container Insights metrics (true/false), billed as CloudWatch custom metrics. Empty = on for enterprise, off otherwise.",
    },
    {
        key: "alertEmails",
        type: "array",
        items: { type: "string" },
        default: [],
        description:
            "Operations: email addresses every alert and budget notification goes to (set with pulumi config set --path 'alertEmails[0]' oncall@example.com). prod and enterprise need this, alertWebhookUrl, or alerts: none.",
    },
    {
        key: "alertWebhookUrl",
        type: "string",
        secret: true,
        description:
            "Operations: an HTTPS webhook every alert goes to (Slack incoming webhook, PagerDuty Events, any receiver); a secret, set with pulumi config set --secret. Unset = none.",
    },
    {
        key: "alerts",
        type: "string",
        default: "",
        description:
            "Operations: none = notify nobody (the alarms, uptime check and dashboard are still created), an explicit opt-out for prod and enterprise. Empty = notify alertEmails and alertWebhookUrl.",
    },
    {
        key: "billingAccountId",
        type: "string",
        default: "",
        description:
            "GCP: the billing account (XXXXXX-XXXXXX-XXXXXX) the budget for monthlyBudgetUsd is created on; required on gcp when monthlyBudgetUsd is set. Ignored elsewhere.",
    },
    {
        key: "monthlyRequests",
        type: "integer",
        default: 0,
        description: "Cost estimate: MCP requests per month. 0 = the estimate's default (1,000,000).",
    },
    {
        key: "avgRequestMs",
        type: "integer",
        default: 0,
        description: "Cost estimate: average milliseconds a request keeps a replica busy. 0 = the default (200).",
    },
    {
        key: "avgRequestKiB",
        type: "integer",
        default: 0,
        description: "Cost estimate: average KiB per request and response. 0 = the default (16).",
    },
    {
        key: "logGiBPerReplica",
        type: "integer",
        default: 0,
        description: "Cost estimate: log GiB ingested per replica per month. 0 = the default (1).",
    },
    { key: "egressGiB", type: "integer", default: 0, description: "Cost estimate: GiB per month through NAT. 0 = the default (10)." },
    {
        key: "cacheDataMB",
        type: "integer",
        default: 0,
        description: "Cost estimate: MB of session state a serverless cache holds on average. 0 = the default (100, the Valkey minimum).",
    },
];

/** Config keys that set a usage assumption of the cost estimate, by UsageAssumptions field. */
export const USAGE_KEYS = ["monthlyRequests", "avgRequestMs", "avgRequestKiB", "logGiBPerReplica", "egressGiB", "cacheDataMB"] as const;

/** Where an override's problem is reported: the stack config key users set. */
export function overrideKey(field: keyof TierOverrides): string {
    return `${PROJECT}:${field}`;
}

function requireInt(field: keyof TierOverrides, value: number, min: number, max: number): void {
    if (!Number.isInteger(value) || value < min || value > max) {
        throw new ConfigError(overrideKey(field), `must be a whole number from ${min} to ${max}, got ${value}`);
    }
}

function requireOneOf<T extends string>(field: keyof TierOverrides, value: unknown, allowed: readonly T[]): void {
    if (!(allowed as readonly unknown[]).includes(value)) {
        throw new ConfigError(overrideKey(field), `unknown value ${JSON.stringify(value)}; allowed values: ${formatChoices(allowed)}`);
    }
}

/**
 * The tier's spec with the overrides applied and checked for what no cloud can
 * honour (negative sizes, min above max). Cloud-specific limits (valid Fargate
 * pairs, existing classes) are checked by each cloud's sizing module.
 */
export function resolveTier(tier: TierName, overrides: TierOverrides = {}): TierSpec {
    if (!(TIER_NAMES as readonly string[]).includes(tier)) {
        throw new ConfigError(`${PROJECT}:tier`, `unknown tier "${tier}"; allowed values: ${formatChoices(TIER_NAMES)}`);
    }
    const spec = tierSpec(tier);
    const o = overrides;
    if (o.minReplicas !== undefined) {
        requireInt("minReplicas", o.minReplicas, 1, 100);
        spec.service.minReplicas = o.minReplicas;
    }
    if (o.maxReplicas !== undefined) {
        requireInt("maxReplicas", o.maxReplicas, 1, 100);
        spec.service.maxReplicas = o.maxReplicas;
    }
    if (spec.service.minReplicas > spec.service.maxReplicas) {
        const field = o.maxReplicas !== undefined ? "maxReplicas" : "minReplicas";
        throw new ConfigError(
            overrideKey(field),
            `minReplicas (${spec.service.minReplicas}) is above maxReplicas (${spec.service.maxReplicas}); set maxReplicas to at least ${spec.service.minReplicas}`,
        );
    }
    if (o.targetCpuPercent !== undefined) {
        requireInt("targetCpuPercent", o.targetCpuPercent, 10, 95);
        spec.service.targetCpuPercent = o.targetCpuPercent;
    }
    if (o.serviceMilliCpu !== undefined) {
        requireInt("serviceMilliCpu", o.serviceMilliCpu, 1, 64000);
        spec.service.milliCpu = o.serviceMilliCpu;
    }
    if (o.serviceMemoryMiB !== undefined) {
        requireInt("serviceMemoryMiB", o.serviceMemoryMiB, 128, 512 * 1024);
        spec.service.memoryMiB = o.serviceMemoryMiB;
    }
    if (o.dbVcpu !== undefined) {
        requireInt("dbVcpu", o.dbVcpu, 1, 128);
        spec.database.vcpu = o.dbVcpu;
    }
    if (o.dbMemoryGiB !== undefined) {
        requireInt("dbMemoryGiB", o.dbMemoryGiB, 1, 4096);
        spec.database.memoryGiB = o.dbMemoryGiB;
    }
    if (o.dbStorageGiB !== undefined) {
        requireInt("dbStorageGiB", o.dbStorageGiB, 1, 65536);
        spec.database.storageGiB = o.dbStorageGiB;
    }
    if (o.cacheMemoryMiB !== undefined) {
        requireInt("cacheMemoryMiB", o.cacheMemoryMiB, 1, 1024 * 1024);
        spec.cache.memoryMiB = o.cacheMemoryMiB;
    }
    if (o.logRetentionDays !== undefined) {
        requireInt("logRetentionDays", o.logRetentionDays, 1, 3653);
        spec.logRetentionDays = o.logRetentionDays;
    }
    if (o.edgeKind !== undefined) {
        requireOneOf("edgeKind", o.edgeKind, EDGE_KINDS);
        spec.edge.kind = o.edgeKind;
    }
    if (o.sessionStore !== undefined) {
        requireOneOf("sessionStore", o.sessionStore, SESSION_STORES);
        spec.cache.store = o.sessionStore;
    }
    if (o.natGateways !== undefined) {
        requireOneOf("natGateways", o.natGateways, NAT_MODES);
        spec.nat = o.natGateways;
    }
    if (o.cpuArchitecture !== undefined) requireOneOf("cpuArchitecture", o.cpuArchitecture, CPU_ARCHITECTURES);
    if (o.scaleToZero !== undefined) {
        if (typeof o.scaleToZero !== "boolean")
            throw new ConfigError(overrideKey("scaleToZero"), `must be true or false, got ${JSON.stringify(o.scaleToZero)}`);
        spec.service.scaleToZero = o.scaleToZero;
    }
    if (o.wafRules !== undefined) {
        requireOneOf("wafRules", o.wafRules, WAF_RULE_LAYOUTS);
        spec.edge.wafRules = o.wafRules;
    }
    if (o.secretStore !== undefined) {
        requireOneOf("secretStore", o.secretStore, SECRET_STORES);
        spec.secretStore = o.secretStore;
    }
    if (o.auditStorageAccess !== undefined) {
        requireOneOf("auditStorageAccess", o.auditStorageAccess, AUDIT_STORAGE_ACCESS);
        spec.audit.storageAccess = o.auditStorageAccess;
    }
    if (o.dbSizing !== undefined) {
        requireOneOf("dbSizing", o.dbSizing, DB_SIZINGS);
        spec.database.sizing = o.dbSizing;
    }
    if (o.cacheMode !== undefined) {
        requireOneOf("cacheMode", o.cacheMode, CACHE_MODES);
        if (spec.cache.store === "embedded") {
            throw new ConfigError(
                overrideKey("cacheMode"),
                `sessionStore "embedded" has no managed cache to provision as ${o.cacheMode}; set sessionStore to "managed" or leave cacheMode empty`,
            );
        }
    }
    if (o.containerInsights !== undefined && typeof o.containerInsights !== "boolean") {
        throw new ConfigError(overrideKey("containerInsights"), `must be true or false, got ${JSON.stringify(o.containerInsights)}`);
    }
    if (spec.cache.store === "embedded" && spec.service.maxReplicas > 1) {
        const field = o.maxReplicas !== undefined && o.sessionStore === undefined ? "maxReplicas" : "sessionStore";
        throw new ConfigError(
            overrideKey(field),
            `sessionStore "embedded" keeps per-client state in one replica's memory, but maxReplicas is ${spec.service.maxReplicas}; set maxReplicas to 1 or sessionStore to "managed"`,
        );
    }
    if (spec.edge.kind === "payPerRequest" && spec.edge.waf !== "none") {
        throw new ConfigError(
            overrideKey("edgeKind"),
            `the ${tier} tier filters traffic with a WAF, which a payPerRequest edge does not have; use edgeKind "loadBalancer"`,
        );
    }
    return spec;
}
