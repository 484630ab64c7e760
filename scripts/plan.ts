/**
 * The offline plan and cost review: evaluates the real program for one or
 * more stacks under Pulumi's mocks (no credentials, no network), prices every
 * declared resource from its inputs (pricing/) and prints the monthly cost per
 * component and line, or the resource tree.
 *
 *   npm run plan -- --stack prod-aws                      cost table
 *   npm run plan -- --all --format markdown               for a pull-request comment / $GITHUB_STEP_SUMMARY
 *                                                         (each stack's topology as a mermaid diagram, then the costs)
 *   npm run plan -- --all --format json > base.json       a run to compare against later
 *   npm run plan -- --all --diff base.json                the cost change since that run
 *   npm run plan -- --stack prod-aws --format tree        resources under their components
 *
 * Exits 1 when a stack fails to evaluate or its estimate exceeds its
 * `mcp-infra:monthlyBudgetUsd`, naming the stack, the total and the budget.
 */
import * as fs from "fs";
import { parseStackConfig } from "../components/config";
import { cloudDescriptor } from "../components/registry";
import { estimateCost } from "../pricing";
import { at } from "../pricing/engine";
import { floorTarget } from "../pricing/targets";
import { diffCosts, renderDiffMarkdown, renderDiffTable, renderMarkdown, renderTable, StackCost, usd } from "../pricing/report";
import { resolveTier, TierOverrides, TierSpec } from "../sizing";
import { awsSizing } from "../sizing/aws";
import { azureSizing } from "../sizing/azure";
import { gcpSizing } from "../sizing/gcp";
import { topologyMarkdown } from "./diagram";
import { ProgramRun, RecordedResource, STACKS_DIR, listStacks, readStackFile, runProgram } from "./harness";

interface Options {
    stacks: string[];
    stacksDir: string;
    all: boolean;
    format: "table" | "markdown" | "json" | "tree";
    diff?: string;
}

const FORMATS = ["table", "markdown", "json", "tree"] as const;
const USAGE =
    "usage: npm run plan -- (--stack <name> ... | --all) [--format table|markdown|json|tree] [--diff base.json] [--stacks-dir DIR]";

/** Thrown for --help: print the usage and stop without error. */
class Usage extends Error {}

export function parseArgs(argv: string[]): Options {
    const opts: Options = { stacks: [], stacksDir: STACKS_DIR, all: false, format: "table" };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new Error(`${arg} needs a value`);
            return v;
        };
        if (arg === "--stack" || arg === "-s") opts.stacks.push(value());
        else if (arg === "--all") opts.all = true;
        else if (arg === "--stacks-dir") opts.stacksDir = value();
        else if (arg === "--diff") opts.diff = value();
        else if (arg === "--format") {
            const f = value();
            if (!(FORMATS as readonly string[]).includes(f)) throw new Error(`--format must be one of ${FORMATS.join(", ")}, got "${f}"`);
            opts.format = f as Options["format"];
        } else if (arg === "--help" || arg === "-h") {
            throw new Usage();
        } else throw new Error(`unknown argument "${arg}"; ${USAGE}`);
    }
    if (opts.all) opts.stacks = listStacks(opts.stacksDir);
    if (!opts.stacks.length)
        throw new Error(`name a stack with --stack <name> or use --all; stacks: ${listStacks(opts.stacksDir).join(", ")}`);
    return opts;
}

/** Properties worth seeing in the tree, per resource type (the rest is in --format json). */
const KEY_PROPS: Record<string, string[]> = {
    "aws:ec2/vpc:Vpc": ["cidrBlock"],
    "aws:ec2/subnet:Subnet": ["cidrBlock", "availabilityZone", "mapPublicIpOnLaunch"],
    "aws:ec2/natGateway:NatGateway": ["connectivityType"],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["fromPort", "toPort", "cidrIpv4", "referencedSecurityGroupId"],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["fromPort", "toPort", "cidrIpv4", "referencedSecurityGroupId"],
    "aws:rds/instance:Instance": [
        "instanceClass",
        "engineVersion",
        "allocatedStorage",
        "multiAz",
        "backupRetentionPeriod",
        "storageEncrypted",
        "publiclyAccessible",
        "deletionProtection",
        "replicateSourceDb",
    ],
    "aws:elasticache/replicationGroup:ReplicationGroup": [
        "engine",
        "nodeType",
        "numCacheClusters",
        "automaticFailoverEnabled",
        "transitEncryptionEnabled",
        "atRestEncryptionEnabled",
    ],
    "aws:ecs/taskDefinition:TaskDefinition": ["cpu", "memory", "runtimePlatform.cpuArchitecture"],
    "aws:appautoscaling/target:Target": ["minCapacity", "maxCapacity"],
    "aws:lb/loadBalancer:LoadBalancer": ["loadBalancerType", "internal", "idleTimeout"],
    "aws:lb/listener:Listener": ["port", "protocol", "sslPolicy"],
    "aws:lb/targetGroup:TargetGroup": ["port", "protocol", "targetType"],
    "aws:cloudwatch/logGroup:LogGroup": ["retentionInDays"],
    "aws:wafv2/webAcl:WebAcl": ["scope"],
    "aws:acm/certificate:Certificate": ["domainName", "validationMethod"],
    "aws:apigatewayv2/api:Api": ["protocolType", "disableExecuteApiEndpoint"],
    "aws:apigatewayv2/route:Route": ["routeKey"],
    "aws:apigatewayv2/integration:Integration": ["integrationType", "connectionType", "timeoutMilliseconds"],
    "aws:apigatewayv2/domainName:DomainName": ["domainName", "domainNameConfiguration.securityPolicy"],
    "aws:servicediscovery/service:Service": ["name"],
    "azure-native:app:ManagedEnvironment": ["zoneRedundant", "vnetConfiguration.internal", "publicNetworkAccess"],
    "azure-native:app:ContainerApp": ["template.scale.minReplicas", "template.scale.maxReplicas", "configuration.ingress.external"],
    "azure-native:dbforpostgresql:Server": [
        "sku.name",
        "storage.storageSizeGB",
        "highAvailability.mode",
        "backup.backupRetentionDays",
        "network.publicNetworkAccess",
        "createMode",
    ],
    "azure-native:redisenterprise:RedisEnterprise": ["sku.name", "highAvailability", "publicNetworkAccess"],
    "azure-native:network:ApplicationGateway": ["sku.name", "sku.tier", "autoscaleConfiguration.minCapacity"],
    "azure-native:network:Subnet": ["addressPrefix"],
    "azure-native:operationalinsights:Workspace": ["retentionInDays"],
    "gcp:cloudrunv2/service:Service": ["ingress", "scaling.minInstanceCount", "scaling.maxInstanceCount", "deletionProtection"],
    "aws:ecs/service:Service": ["launchType", "desiredCount", "networkConfiguration.assignPublicIp"],
    "gcp:sql/databaseInstance:DatabaseInstance": [
        "databaseVersion",
        "settings.tier",
        "settings.availabilityType",
        "settings.ipConfiguration.ipv4Enabled",
        "settings.ipConfiguration.sslMode",
        "deletionProtection",
    ],
    "gcp:redis/instance:Instance": ["tier", "memorySizeGb", "authEnabled", "transitEncryptionMode", "replicaCount"],
    "gcp:compute/subnetwork:Subnetwork": ["ipCidrRange"],
    "gcp:compute/globalForwardingRule:GlobalForwardingRule": ["portRange", "loadBalancingScheme"],
    "gcp:compute/securityPolicy:SecurityPolicy": ["type"],
};

function keyProps(r: RecordedResource): string {
    const props = KEY_PROPS[r.type] ?? [];
    return props
        .map((p) => [p, at(r.inputs, p)] as const)
        .filter(([, v]) => v !== undefined && v !== "")
        .map(([p, v]) => `${p}=${typeof v === "object" ? JSON.stringify(v) : v}`)
        .join(" ");
}

/** The parent of each resource: the component whose name is the longest `<name>-` prefix of its name. */
export function parentsByName(resources: RecordedResource[]): Map<RecordedResource, RecordedResource | undefined> {
    const components = resources.filter((r) => !r.custom);
    const parents = new Map<RecordedResource, RecordedResource | undefined>();
    for (const r of resources) {
        const candidates = components.filter((c) => c !== r && r.name.startsWith(`${c.name}-`));
        parents.set(r, candidates.sort((a, b) => b.name.length - a.name.length)[0]);
    }
    return parents;
}

export function renderTree(run: ProgramRun): string {
    const parents = parentsByName(run.resources);
    const children = (p: RecordedResource | undefined) => run.resources.filter((r) => parents.get(r) === p);
    const lines = [
        `Stack ${run.stack} (cloud ${run.outputs.cloud}, tier ${run.outputs.tier}): ${run.resources.filter((r) => r.custom).length} resources, ${run.resources.filter((r) => !r.custom).length} components`,
    ];
    const walk = (node: RecordedResource, prefix: string, last: boolean) => {
        const props = keyProps(node);
        lines.push(`${prefix}${last ? "└─ " : "├─ "}${node.name}  ${node.type}${props ? `  ${props}` : ""}`);
        const kids = children(node);
        kids.forEach((k, i) => walk(k, prefix + (last ? "   " : "│  "), i === kids.length - 1));
    };
    const roots = children(undefined);
    roots.forEach((r, i) => walk(r, "", i === roots.length - 1));
    lines.push(`Outputs: mcpUrl=${run.outputs.mcpUrl}`);
    return lines.join("\n");
}

/** The resources of a run as the pricing engine reads them. */
export function declared(run: ProgramRun) {
    return run.resources.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, custom: r.custom }));
}

/**
 * The config keys that undo the cost-saving choices the stack's tier makes and
 * the stack does not set itself, with a label for each ("before" of the plan's
 * before/after). Empty when the stack makes none. `pending` also lists the
 * choices the builders do not follow yet (for tests of the decision).
 */
export function costChoices(
    config: Record<string, string>,
    opts: { pending?: boolean } = {},
): { undo: Record<string, string>; labels: string[] } {
    const settings = parseStackConfig(config);
    const cloud = cloudDescriptor(settings.cloud);
    if (!cloud.hasCostChoices) return { undo: {}, labels: [] };
    const spec = resolveTier(settings.tier, settings.overrides);
    const unset = (key: string) => config[`mcp-infra:${key}`] === undefined || config[`mcp-infra:${key}`] === "";
    const undo: Record<string, string> = {};
    const labels: string[] = [];
    const choose = (key: string, value: string, label: string) => {
        undo[`mcp-infra:${key}`] = value;
        labels.push(label);
    };
    if (spec.edge.kind === "payPerRequest" && unset("edgeKind"))
        choose("edgeKind", "loadBalancer", "pay-per-request edge instead of a load balancer");
    if (spec.cache.store === "embedded" && unset("sessionStore"))
        choose("sessionStore", "managed", "in-memory state instead of a managed cache");
    if (spec.nat === "none" && unset("natGateways")) choose("natGateways", "single", "no NAT gateway");
    if (cloud.cpuArchitectureChoice && cloud.defaultCpuArchitecture === "arm64" && unset("cpuArchitecture"))
        choose("cpuArchitecture", "x86_64", "arm64 (Graviton) replicas");
    if (spec.service.scaleToZero && cloud.scalesToZero && unset("scaleToZero")) choose("scaleToZero", "false", "scale to zero when idle");
    for (const c of CLOUD_CHOICES) {
        if (c.cloud !== settings.cloud || !(c.followed || opts.pending) || !unset(c.key) || (c.applies && !c.applies(spec))) continue;
        const value = typeof c.undo === "function" ? c.undo(spec) : c.undo;
        if (value === undefined) continue;
        const undone = parseStackConfig({ ...config, [`mcp-infra:${c.key}`]: value });
        const now = c.effect(spec, settings.overrides ?? {});
        const before = c.effect(resolveTier(undone.tier, undone.overrides), undone.overrides ?? {});
        if (now !== before) choose(c.key, value, c.label(now, before));
    }
    return { undo, labels };
}

/** One of issue 15's per-cloud cost choices: the key that undoes it and what it changes in the cloud's sizing. */
interface CloudChoice {
    cloud: "aws" | "azure" | "gcp";
    key: string;
    /** The value that undoes the choice (or, from the tier, undefined when there is nothing to undo). */
    undo: string | ((spec: TierSpec) => string | undefined);
    /** Whether the choice exists for this tier at all (e.g. a cache mode needs a managed cache). @default always */
    applies?: (spec: TierSpec) => boolean;
    /** The cloud's builder follows the key; until it does the plan prints no such choice (it would change nothing). */
    followed: boolean;
    /** What the choice decides in the cloud's sizing; a choice is printed where undoing it changes this. */
    effect: (spec: TierSpec, overrides: TierOverrides) => string;
    label: (now: string, before: string) => string;
}

const waf = (spec: TierSpec) => (spec.edge.waf === "none" ? "no WAF" : spec.edge.wafRules);

export const CLOUD_CHOICES: readonly CloudChoice[] = [
    {
        cloud: "gcp",
        key: "dbSizing",
        undo: "vcpuCount",
        followed: true,
        effect: (spec, o) => gcpSizing(spec, o).dbTier,
        label: (now, before) => `database sized by sustained capacity (${now} instead of ${before})`,
    },
    {
        cloud: "gcp",
        key: "wafRules",
        undo: "separate",
        followed: true,
        effect: waf,
        label: () => "Cloud Armor's preconfigured WAF sets five to a rule",
    },
    {
        cloud: "aws",
        key: "cacheMode",
        undo: "nodes",
        followed: true,
        applies: (spec) => spec.cache.store === "managed",
        effect: (spec, o) => awsSizing(spec, o).cacheMode,
        label: () => "ElastiCache Serverless for Valkey instead of cache nodes",
    },
    {
        cloud: "aws",
        key: "containerInsights",
        undo: "true",
        followed: true,
        effect: (spec, o) => String(awsSizing(spec, o).containerInsights),
        label: () => "no ECS Container Insights",
    },
    {
        cloud: "aws",
        key: "wafRules",
        undo: "separate",
        followed: true,
        effect: waf,
        label: () => "the core managed WAF rule group and the rate rule",
    },
    {
        cloud: "aws",
        key: "secretStore",
        undo: "managed",
        followed: true,
        effect: (spec, o) => awsSizing(spec, o).secretStore,
        label: () => "SSM Parameter Store instead of Secrets Manager",
    },
    {
        cloud: "azure",
        key: "secretStore",
        undo: "managed",
        followed: true,
        effect: (spec, o) => azureSizing(spec, o).secretStore,
        label: () => "Container Apps secrets instead of Key Vault behind a private endpoint",
    },
    {
        cloud: "azure",
        key: "auditStorageAccess",
        undo: "privateEndpoint",
        followed: true,
        effect: (spec, o) => azureSizing(spec, o).auditStorageAccess,
        label: () => "audit checkpoint storage behind its firewall and a free service endpoint instead of a private endpoint",
    },
    {
        // The tier-wide "no NAT gateway" above covers tiers without one; this is Azure's own default for the others.
        cloud: "azure",
        key: "natGateways",
        undo: (spec) => (spec.nat === "none" ? undefined : spec.nat),
        followed: true,
        effect: (spec, o) => azureSizing(spec, o).natGateways,
        label: () => "no NAT gateway (Container Apps egress through the environment's own IP)",
    },
];

/** Prices one evaluated stack, and the same stack without its tier's cost choices. */
export async function priceStack(run: ProgramRun, withBefore: boolean): Promise<StackCost> {
    const settings = parseStackConfig(run.config);
    const cost: StackCost = {
        stack: run.stack,
        cloud: settings.cloud,
        tier: settings.tier,
        budgetUsd: settings.monthlyBudgetUsd,
        estimate: estimateCost(declared(run), settings.usage),
        targetUsd: floorTarget(settings.cloud, settings.tier),
    };
    const choices = withBefore ? costChoices(run.config) : { undo: {}, labels: [] };
    if (choices.labels.length) {
        const before = await runProgram(run.stack, { ...run.config, ...choices.undo });
        cost.withoutCostChoices = {
            choices: choices.labels,
            totalMonthlyUsd: estimateCost(declared(before), settings.usage).totalMonthlyUsd,
        };
    }
    return cost;
}

/** Stack costs from a JSON plan run (`--format json`), for --diff. */
export function readBase(file: string): StackCost[] {
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new Error(`--diff ${file}: not a readable JSON plan (${(e as Error).message})`, { cause: e });
    }
    if (!Array.isArray(doc) || doc.some((s) => typeof s?.stack !== "string" || typeof s?.estimate?.totalMonthlyUsd !== "number")) {
        throw new Error(`--diff ${file}: expected the output of \`npm run plan -- --format json\` (a list of stacks with an estimate)`);
    }
    return doc as StackCost[];
}

async function main(): Promise<number> {
    let opts: Options;
    let base: StackCost[] | undefined;
    try {
        opts = parseArgs(process.argv.slice(2));
        if (opts.diff) base = readBase(opts.diff);
    } catch (e) {
        if (e instanceof Usage) {
            console.log(USAGE);
            return 0;
        }
        console.error(`error: ${(e as Error).message}`);
        return 2;
    }
    const costs: StackCost[] = [];
    const runs: ProgramRun[] = [];
    let failed = 0;
    for (const stack of opts.stacks) {
        try {
            const run = await runProgram(stack, readStackFile(stack, opts.stacksDir));
            runs.push(run);
            if (opts.format === "tree") {
                console.log(renderTree(run) + "\n");
                continue;
            }
            const cost = await priceStack(run, opts.format !== "json");
            costs.push(cost);
            if (opts.format === "table") console.log(renderTable(cost) + "\n");
        } catch (e) {
            failed++;
            console.error(`error: stack ${stack}: ${(e as Error).message}`);
        }
    }
    const diffs = base ? diffCosts(base, costs) : undefined;
    if (opts.format === "markdown") {
        for (const run of runs)
            console.log(topologyMarkdown({ stack: run.stack, summary: run.outputs.summary, resources: run.resources }) + "\n");
        console.log(renderMarkdown(costs));
        if (diffs) console.log("\n" + renderDiffMarkdown(diffs));
    } else if (opts.format === "table" && diffs) {
        console.log(renderDiffTable(diffs));
    } else if (opts.format === "json") {
        const byStack = new Map(runs.map((r) => [r.stack, r]));
        console.log(
            JSON.stringify(
                costs.map((c) => ({
                    ...c,
                    outputs: byStack.get(c.stack)?.outputs,
                    resources: byStack.get(c.stack)?.resources,
                    ...(diffs ? { diff: diffs.find((d) => d.stack === c.stack) } : {}),
                })),
                null,
                2,
            ),
        );
    }
    for (const c of costs) {
        if (c.budgetUsd !== undefined && c.estimate.totalMonthlyUsd > c.budgetUsd) {
            failed++;
            console.error(
                `error: stack ${c.stack}: estimated ${usd(c.estimate.totalMonthlyUsd)}/month exceeds its budget of ${usd(c.budgetUsd)} (mcp-infra:monthlyBudgetUsd)`,
            );
        }
    }
    return failed ? 1 : 0;
}

if (require.main === module) {
    // exitCode, not exit(): exit() would cut a large report short when stdout is a pipe.
    main().then(
        (code) => {
            process.exitCode = code;
        },
        (e) => {
            console.error(`error: ${(e as Error).stack ?? e}`);
            process.exitCode = 1;
        },
    );
}
