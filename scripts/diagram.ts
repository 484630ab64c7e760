/**
 * The stack's topology as a mermaid flowchart, for the pull-request comment
 * (`npm run plan -- --format markdown`; GitHub renders mermaid blocks).
 *
 * Pure: it reads only what a program run already has — the deployment's
 * cloud-neutral `summary` (computed by the components from their children's
 * inputs) and the declared resources' types and inputs — and invents nothing.
 * What the internet reaches is decided from the summary (`publicAccess`,
 * `publicIp`), not assumed per cloud.
 */
import type { DeploymentSummary } from "../components/types";

/** The parts of a program run the diagram reads (a `ProgramRun` fits). */
export interface TopologyInput {
    stack: string;
    /** The program's `summary` output. */
    summary: DeploymentSummary;
    resources: ReadonlyArray<{ type: string; name: string; inputs: Record<string, any>; custom: boolean }>;
}

/** What a resource type is called in the picture, per role; the first type present names the part. */
const NAMES = {
    edge: [
        ["aws:lb/loadBalancer:LoadBalancer", "Application Load Balancer"],
        ["aws:apigatewayv2/api:Api", "API Gateway HTTP API"],
        ["azure-native:network:ApplicationGateway", "Application Gateway v2"],
        ["gcp:compute/globalForwardingRule:GlobalForwardingRule", "Global external Application LB"],
    ],
    waf: [
        ["aws:wafv2/webAcl:WebAcl", "AWS WAF"],
        ["azure-native:network:WebApplicationFirewallPolicy", "WAF policy"],
        ["gcp:compute/securityPolicy:SecurityPolicy", "Cloud Armor"],
    ],
    service: [
        ["aws:ecs/service:Service", "ECS Fargate service"],
        ["azure-native:app:ContainerApp", "Container App"],
        ["gcp:cloudrunv2/service:Service", "Cloud Run service"],
    ],
    database: [
        ["aws:rds/instance:Instance", "RDS PostgreSQL"],
        ["azure-native:dbforpostgresql:Server", "PostgreSQL Flexible Server"],
        ["gcp:sql/databaseInstance:DatabaseInstance", "Cloud SQL PostgreSQL"],
    ],
    cache: [
        ["aws:elasticache/replicationGroup:ReplicationGroup", "ElastiCache"],
        ["azure-native:redisenterprise:RedisEnterprise", "Azure Managed Redis"],
        ["gcp:redis/instance:Instance", "Memorystore for Redis"],
    ],
    secrets: [
        ["aws:secretsmanager/secret:Secret", "Secrets Manager"],
        ["azure-native:keyvault:Secret", "Key Vault"],
        ["gcp:secretmanager/secret:Secret", "Secret Manager"],
    ],
    registry: [
        ["aws:ecr/repository:Repository", "ECR repository"],
        ["azure-native:containerregistry:Registry", "Container Registry"],
        ["gcp:artifactregistry/repository:Repository", "Artifact Registry"],
    ],
    logs: [
        ["aws:cloudwatch/logGroup:LogGroup", "CloudWatch Logs"],
        ["azure-native:operationalinsights:Workspace", "Log Analytics"],
        ["gcp:logging/projectBucketConfig:ProjectBucketConfig", "Cloud Logging bucket"],
    ],
    nat: [
        ["aws:ec2/natGateway:NatGateway", "NAT gateway"],
        ["azure-native:network:NatGateway", "NAT gateway"],
    ],
} as const satisfies Record<string, ReadonlyArray<readonly [string, string]>>;

/** The platform's own front door of a per-request edge (no load balancer of ours), per cloud. */
const PLATFORM_EDGE: Record<string, string> = {
    aws: "API Gateway HTTP API",
    azure: "Container Apps ingress",
    gcp: "Cloud Run URL (run.app)",
    local: "nginx container",
};

type Role = keyof typeof NAMES;

/** Text safe inside a quoted mermaid label (`<br/>` is added by the caller). */
export function mermaidText(text: string): string {
    return text.replace(/[#"<>]/g, (c) => ({ "#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;" })[c]!);
}

const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, ""));
const vcpu = (milli: number) => `${num(milli / 1000)} vCPU`;
const mem = (mib: number) => (mib >= 1024 ? `${num(mib / 1024)} GiB` : `${mib} MiB`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The mermaid flowchart of one stack's topology. */
export function topologyDiagram(input: TopologyInput): string {
    const { summary: s, resources } = input;
    const local = s.cloud === "local";
    const count = (type: string) => resources.filter((r) => r.custom && r.type === type).length;
    const part = (role: Role): { name: string; count: number } | undefined => {
        for (const [type, name] of NAMES[role]) {
            const n = count(type);
            if (n) return { name, count: n };
        }
        return undefined;
    };
    const label = (...lines: Array<string | false | undefined>) =>
        `"${lines
            .filter((l): l is string => !!l)
            .map(mermaidText)
            .join("<br/>")}"`;

    // The edge: a load balancer we declare, or the platform's own front door.
    const lb = part("edge");
    const waf = part("waf");
    const e = s.edge;
    const edgeName = local ? PLATFORM_EDGE.local : e.kind === "loadBalancer" && lb ? lb.name : (PLATFORM_EDGE[s.cloud] ?? "edge");
    const tls = e.tls === "none" ? "plain HTTP (no domain set)" : `HTTPS, TLS ${e.tls}${e.httpRedirect ? ", HTTP redirected" : ""}`;
    const edgeLabel = label(
        edgeName,
        local ? "published on 127.0.0.1:8080 only" : tls,
        e.waf && waf
            ? `${waf.name}: ${plural(e.managedRuleSets.length, "managed rule set")}`
            : e.kind === "payPerRequest"
              ? "no WAF (pay per request)"
              : undefined,
        e.rateLimitPerMinute ? `${e.rateLimitPerMinute} req/min per client IP` : undefined,
        `idle timeout ${e.idleTimeoutSeconds} s`,
    );

    const c = s.cluster;
    const serviceName = local ? "server containers" : (part("service")?.name ?? "service");
    const serviceLabel = label(
        serviceName,
        `${c.minReplicas === c.maxReplicas ? plural(c.minReplicas, "replica") : `${c.minReplicas}–${c.maxReplicas} replicas`}${c.scalesToZero ? " (scales to zero)" : ""}${c.targetCpuPercent ? `, CPU target ${c.targetCpuPercent} %` : ""}`,
        `${vcpu(c.milliCpu)} / ${mem(c.memoryMiB)} each, ${c.cpuArchitecture}`,
        local ? "one Docker host" : plural(c.zones, "zone"),
        c.publicIp ? "public IPv4 for outbound only" : undefined,
    );

    const d = s.database;
    const dbLabel = label(
        local ? `PostgreSQL ${d.engineVersion} container` : `${part("database")?.name ?? "PostgreSQL"} ${d.engineVersion}`,
        `${d.sku}: ${num(d.vcpu)} vCPU, ${num(d.memoryGiB)} GiB${d.storageGiB ? `, ${d.storageGiB} GiB disk` : ""}`,
        [d.highAvailability ? "HA standby" : "single instance", d.readReplicas ? plural(d.readReplicas, "read replica") : ""]
            .filter(Boolean)
            .join(", "),
        d.backupRetentionDays ? `backups ${plural(d.backupRetentionDays, "day")}${d.pointInTimeRestore ? ", PITR" : ""}` : "no backups",
        d.publicAccess ? "PUBLIC endpoint" : undefined,
    );

    const k = s.cache;
    const cacheLabel =
        k &&
        label(
            local ? "Redis container" : `${part("cache")?.name ?? "cache"} (${k.engine})`,
            `${k.sku}: ${mem(k.memoryMiB)}`,
            [k.replicas ? `primary + ${plural(k.replicas, "replica")}` : "one node", k.highAvailability ? "failover" : "no failover"].join(
                ", ",
            ),
            [k.tls ? "TLS" : "no TLS", k.authRequired ? "AUTH" : "no AUTH"].join(", "),
            k.publicAccess ? "PUBLIC endpoint" : undefined,
        );

    // Each label already breaks its own lines: let mermaid wrap only what is longer than any of them.
    const lines: string[] = ["---", "config:", "  flowchart:", "    wrappingWidth: 400", "---", "flowchart LR"];
    const clients = local ? "MCP clients on this host" : "MCP clients (internet)";
    lines.push(`    clients(["${clients}"])`);
    // Reachable from outside: the edge always, anything else only if its summary says so.
    const reachable = [`edge[${edgeLabel}]`];
    const privateParts: string[] = [];
    // A replica's public IPv4 (AWS dev without NAT) is for outbound traffic: its security group
    // admits the edge only, which the policy pack checks (only the edge is open to the internet).
    privateParts.push(`service[${serviceLabel}]`);
    (d.publicAccess ? reachable : privateParts).push(`db[(${dbLabel})]`);
    if (k && cacheLabel) (k.publicAccess ? reachable : privateParts).push(`cache[(${cacheLabel})]`);
    lines.push(`    subgraph public["${local ? "reachable from this host" : "reachable from the internet"}"]`);
    for (const p of reachable) lines.push(`        ${p}`);
    lines.push("    end");
    lines.push(`    subgraph private["${local ? "internal Docker network: no host port" : "not reachable from the internet"}"]`);
    for (const p of privateParts) lines.push(`        ${p}`);
    lines.push("    end");

    // The supporting parts the replicas use, when the stack declares them.
    const secrets = part("secrets");
    const registry = part("registry");
    const logs = part("logs");
    const nat = part("nat");
    if (secrets) lines.push(`    secrets[[${label(secrets.name, plural(secrets.count, "secret"))}]]`);
    if (registry) lines.push(`    registry[[${label(registry.name, "server image")}]]`);
    else if (local) lines.push(`    registry[[${label("image built from app/", "on the Docker host")}]]`);
    if (logs) lines.push(`    logs[[${label(logs.name, c.logRetentionDays ? `kept ${plural(c.logRetentionDays, "day")}` : undefined)}]]`);
    if (nat) lines.push(`    nat[${label(nat.count > 1 ? `${nat.count} NAT gateways` : nat.name, "outbound only")}]`);

    lines.push(`    clients -->|${mermaidText(local ? "HTTP :8080" : e.tls === "none" ? "HTTP :80" : "HTTPS :443")}| edge`);
    lines.push(`    edge -->|${mermaidText("/mcp, /health")}| service`);
    lines.push(`    service -->|${mermaidText(d.tlsRequired ? "audit log, TLS" : "audit log")}| db`);
    if (k) lines.push(`    service -->|${mermaidText(k.tls ? "state, rate limits, TLS" : "state, rate limits")}| cache`);
    if (secrets) lines.push("    service -.->|secret references| secrets");
    if (registry) lines.push("    service -.->|pulls| registry");
    if (logs) lines.push("    service -.->|logs| logs");
    if (nat) lines.push("    service -.->|outbound| nat");

    lines.push("    classDef reachable stroke:#d9480f,stroke-width:2px");
    lines.push("    classDef support stroke-dasharray:4 3");
    lines.push(`    class ${reachable.map((p) => p.slice(0, p.search(/[[(]/))).join(",")} reachable`);
    const support = ["secrets", "registry", "logs", "nat"].filter((id) => lines.some((l) => l.startsWith(`    ${id}[`)));
    if (support.length) lines.push(`    class ${support.join(",")} support`);
    return lines.join("\n");
}

/** The diagram as a markdown section (a heading and a mermaid code block). */
export function topologyMarkdown(input: TopologyInput): string {
    const s = input.summary;
    return [`## Topology of ${input.stack} (${s.cloud}, ${s.tier})`, "", "```mermaid", topologyDiagram(input), "```"].join("\n");
}
