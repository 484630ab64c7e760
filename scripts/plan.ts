/**
 * The offline plan: evaluates the real program for one or more stacks under
 * Pulumi's mocks (no credentials, no network) and prints what each stack would
 * create, as a tree of components and resources with their key properties.
 *
 *   npm run plan -- --stack prod-aws
 *   npm run plan -- --all
 *   npm run plan -- --all --format json
 */
import { ProgramRun, RecordedResource, STACKS_DIR, listStacks, readStackFile, runProgram } from "./harness";

interface Options {
    stacks: string[];
    stacksDir: string;
    all: boolean;
    format: "tree" | "json";
}

const FORMATS = ["tree", "json"] as const;
const USAGE = "usage: npm run plan -- (--stack <name> ... | --all) [--format tree|json] [--stacks-dir DIR]";

/** Thrown for --help: print the usage and stop without error. */
class Usage extends Error {}

export function parseArgs(argv: string[]): Options {
    const opts: Options = { stacks: [], stacksDir: STACKS_DIR, all: false, format: "tree" };
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
        else if (arg === "--format") {
            const f = value();
            if (!(FORMATS as readonly string[]).includes(f)) throw new Error(`--format must be one of ${FORMATS.join(", ")}, got "${f}"`);
            opts.format = f as Options["format"];
        } else if (arg === "--help" || arg === "-h") {
            throw new Usage();
        } else throw new Error(`unknown argument "${arg}"; ${USAGE}`);
    }
    if (opts.all) opts.stacks = listStacks(opts.stacksDir);
    if (!opts.stacks.length) throw new Error(`name a stack with --stack <name> or use --all; stacks: ${listStacks(opts.stacksDir).join(", ")}`);
    return opts;
}

/** Properties worth seeing in the tree, per resource type (the rest is in --format json). */
const KEY_PROPS: Record<string, string[]> = {
    "aws:ec2/vpc:Vpc": ["cidrBlock"],
    "aws:ec2/subnet:Subnet": ["cidrBlock", "availabilityZone", "mapPublicIpOnLaunch"],
    "aws:ec2/natGateway:NatGateway": ["connectivityType"],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["fromPort", "toPort", "cidrIpv4", "referencedSecurityGroupId"],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["fromPort", "toPort", "cidrIpv4", "referencedSecurityGroupId"],
    "aws:rds/instance:Instance": ["instanceClass", "engineVersion", "allocatedStorage", "multiAz", "backupRetentionPeriod", "storageEncrypted", "publiclyAccessible", "deletionProtection", "replicateSourceDb"],
    "aws:elasticache/replicationGroup:ReplicationGroup": ["engine", "nodeType", "numCacheClusters", "automaticFailoverEnabled", "transitEncryptionEnabled", "atRestEncryptionEnabled"],
    "aws:ecs/taskDefinition:TaskDefinition": ["cpu", "memory"],
    "aws:ecs/service:Service": ["launchType", "desiredCount"],
    "aws:appautoscaling/target:Target": ["minCapacity", "maxCapacity"],
    "aws:lb/loadBalancer:LoadBalancer": ["loadBalancerType", "internal", "idleTimeout"],
    "aws:lb/listener:Listener": ["port", "protocol", "sslPolicy"],
    "aws:lb/targetGroup:TargetGroup": ["port", "protocol", "targetType"],
    "aws:cloudwatch/logGroup:LogGroup": ["retentionInDays"],
    "aws:wafv2/webAcl:WebAcl": ["scope"],
    "aws:acm/certificate:Certificate": ["domainName", "validationMethod"],
    "azure-native:app:ContainerApp": ["template.scale.minReplicas", "template.scale.maxReplicas", "configuration.ingress.external"],
    "azure-native:app:ManagedEnvironment": ["zoneRedundant", "vnetConfiguration.internal"],
    "azure-native:dbforpostgresql:Server": ["sku.name", "storage.storageSizeGB", "highAvailability.mode", "backup.backupRetentionDays", "network.publicNetworkAccess", "createMode"],
    "azure-native:redisenterprise:RedisEnterprise": ["sku.name", "highAvailability", "publicNetworkAccess"],
    "azure-native:network:ApplicationGateway": ["sku.name", "sku.tier"],
    "azure-native:network:Subnet": ["addressPrefix"],
    "azure-native:operationalinsights:Workspace": ["retentionInDays"],
    "gcp:cloudrunv2/service:Service": ["ingress", "scaling.minInstanceCount", "scaling.maxInstanceCount", "deletionProtection"],
    "gcp:sql/databaseInstance:DatabaseInstance": ["databaseVersion", "settings.tier", "settings.availabilityType", "settings.ipConfiguration.ipv4Enabled", "settings.ipConfiguration.sslMode", "deletionProtection"],
    "gcp:redis/instance:Instance": ["tier", "memorySizeGb", "authEnabled", "transitEncryptionMode", "replicaCount"],
    "gcp:compute/subnetwork:Subnetwork": ["ipCidrRange"],
    "gcp:compute/globalForwardingRule:GlobalForwardingRule": ["portRange", "loadBalancingScheme"],
    "gcp:compute/securityPolicy:SecurityPolicy": ["type"],
};

/** The value at a dotted path inside a resource's inputs. */
function at(inputs: Record<string, any>, path: string): unknown {
    return path.split(".").reduce<any>((v, k) => (v === undefined || v === null ? undefined : v[k]), inputs);
}

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
    const lines = [`Stack ${run.stack} (cloud ${run.outputs.cloud}, tier ${run.outputs.tier}): ${run.resources.filter((r) => r.custom).length} resources, ${run.resources.filter((r) => !r.custom).length} components`];
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

async function main(): Promise<number> {
    let opts: Options;
    try {
        opts = parseArgs(process.argv.slice(2));
    } catch (e) {
        if (e instanceof Usage) {
            console.log(USAGE);
            return 0;
        }
        console.error(`error: ${(e as Error).message}`);
        return 2;
    }
    const runs: ProgramRun[] = [];
    let failed = 0;
    for (const stack of opts.stacks) {
        try {
            const run = await runProgram(stack, readStackFile(stack, opts.stacksDir));
            runs.push(run);
            if (opts.format === "tree") console.log(renderTree(run) + "\n");
        } catch (e) {
            failed++;
            console.error(`error: stack ${stack}: ${(e as Error).message}`);
        }
    }
    if (opts.format === "json") {
        console.log(JSON.stringify(runs.map((r) => ({ stack: r.stack, outputs: r.outputs, resources: r.resources })), null, 2));
    }
    return failed ? 1 : 0;
}

if (require.main === module) {
    // exitCode, not exit(): exit() would cut a large report short when stdout is a pipe.
    main().then((code) => { process.exitCode = code; }, (e) => {
        console.error(`error: ${(e as Error).stack ?? e}`);
        process.exitCode = 1;
    });
}
