/**
 * Operations in prod and enterprise: the stack declares the seeds' signals as alarms (tagged or
 * labelled with `mcp-infra:signal` / `signal`, see sizing/alerts.ts), an external uptime check, a
 * dashboard, a cloud budget when the stack has one, and at least one notification target, unless
 * the stack opted out explicitly (`alerts: none`, passed as the policy config `alertsOptedOut`);
 * and the traffic logs: flow logs on the network (AWS VPC flow log, Azure VNet flow log, GCP subnet
 * logConfig on every subnet) and access logs on every edge (ALB `accessLogs.enabled`, HTTP API stage
 * `accessLogSettings`, an Application Gateway diagnostic setting with its access log, a backend
 * service with `logConfig.enable`).
 *
 * Policy config (CI writes it from the stack file, see config.ts):
 *   tier            as deletion-protection-and-backups (else the stack name, else prod)
 *   alertsOptedOut  `mcp-infra:alerts` is none
 *   monthlyBudgetUsd  when above 0, a cloud budget must exist
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { SignalId, TIER_NAMES, TierName } from "../sizing";
import { resolveTier } from "./resilience";
import { baseType } from "./types";

export interface OperationsConfig {
    tier?: TierName;
    alertsOptedOut?: boolean;
    monthlyBudgetUsd?: number;
}

/** The signals every prod or enterprise stack must alarm on, whatever its overrides (the seeds' list). */
export const REQUIRED_SIGNALS: readonly SignalId[] = [
    "edge-5xx-ratio",
    "latency-p95",
    "service-cpu",
    "service-memory",
    "database-cpu",
    "database-free-storage",
    "uptime-check",
];

type Res = Pick<PolicyResource, "type" | "props">;

interface CloudShape {
    alarm: (r: Res) => string | undefined;
    /** What is missing of the flow logs, or undefined. */
    flowLogs: (resources: Res[]) => string | undefined;
    /** What is missing of the edge's access logs, or undefined. */
    accessLogs: (resources: Res[]) => string | undefined;
    target: (r: Res) => boolean;
    uptime: string[];
    dashboard: string[];
    budget: string[];
}

const tag = (r: Pick<PolicyResource, "props">, key: string): string | undefined => r.props?.tags?.[key] ?? r.props?.userLabels?.[key];

const of = (resources: Res[], type: string) => resources.filter((r) => baseType(r.type) === type);

/** Every edge resource logs (and there is at least one), else what does not. */
function everyEdgeLogs(edges: Res[], logs: (r: Res) => boolean, what: string): string | undefined {
    if (edges.length === 0) return `no edge access logs (${what})`;
    const silent = edges.filter((r) => !logs(r)).length;
    return silent === 0 ? undefined : `${silent} of ${edges.length} edge resources keep no access logs (${what})`;
}

const SHAPES: Record<"aws" | "azure" | "gcp", CloudShape> = {
    aws: {
        flowLogs: (rs) => (of(rs, "aws:ec2/flowLog:FlowLog").length > 0 ? undefined : "no VPC flow logs (aws:ec2/flowLog:FlowLog)"),
        accessLogs: (rs) =>
            everyEdgeLogs(
                [...of(rs, "aws:lb/loadBalancer:LoadBalancer"), ...of(rs, "aws:apigatewayv2/stage:Stage")],
                (r) =>
                    r.type === "aws:lb/loadBalancer:LoadBalancer"
                        ? r.props?.accessLogs?.enabled === true
                        : r.props?.accessLogSettings !== undefined,
                "ALB accessLogs.enabled, API Gateway stage accessLogSettings",
            ),
        alarm: (r) => (r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" ? tag(r, "mcp-infra:signal") : undefined),
        target: (r) => r.type === "aws:sns/topicSubscription:TopicSubscription" && ["email", "https"].includes(r.props?.protocol),
        uptime: ["aws:route53/healthCheck:HealthCheck"],
        dashboard: ["aws:cloudwatch/dashboard:Dashboard"],
        budget: ["aws:budgets/budget:Budget"],
    },
    azure: {
        flowLogs: (rs) =>
            of(rs, "azure-native:network:FlowLog").some((r) => r.props?.enabled !== false)
                ? undefined
                : "no VNet flow logs (azure-native:network:FlowLog)",
        accessLogs: (rs) => {
            const gateways = of(rs, "azure-native:network:ApplicationGateway");
            const logged = of(rs, "azure-native:monitor:DiagnosticSetting").some((d) =>
                (d.props?.logs ?? []).some(
                    (l: { category?: string; enabled?: boolean }) => l.category === "ApplicationGatewayAccessLog" && l.enabled,
                ),
            );
            if (gateways.length === 0)
                return "no edge access logs (an Application Gateway with a diagnostic setting for ApplicationGatewayAccessLog)";
            return logged
                ? undefined
                : "the Application Gateway's access log is not sent anywhere (a diagnostic setting with ApplicationGatewayAccessLog)";
        },
        alarm: (r) =>
            ["azure-native:monitor:MetricAlert", "azure-native:monitor:ScheduledQueryRule"].includes(baseType(r.type))
                ? tag(r, "mcp-infra:signal")
                : undefined,
        target: (r) =>
            baseType(r.type) === "azure-native:monitor:ActionGroup" &&
            ((r.props?.emailReceivers ?? []).length > 0 || (r.props?.webhookReceivers ?? []).length > 0),
        uptime: ["azure-native:applicationinsights:WebTest"],
        dashboard: ["azure-native:applicationinsights:Workbook", "azure-native:portal:Dashboard"],
        budget: ["azure-native:consumption:Budget"],
    },
    gcp: {
        flowLogs: (rs) => {
            const subnets = of(rs, "gcp:compute/subnetwork:Subnetwork");
            if (subnets.length === 0) return "no subnet to keep flow logs for (gcp:compute/subnetwork:Subnetwork)";
            const silent = subnets.filter((s) => s.props?.logConfig === undefined).length;
            return silent === 0 ? undefined : `${silent} of ${subnets.length} subnets keep no VPC flow logs (logConfig)`;
        },
        accessLogs: (rs) =>
            everyEdgeLogs(
                of(rs, "gcp:compute/backendService:BackendService"),
                (r) => r.props?.logConfig?.enable === true,
                "backend service logConfig.enable",
            ),
        alarm: (r) => (r.type === "gcp:monitoring/alertPolicy:AlertPolicy" ? tag(r, "signal") : undefined),
        target: (r) => r.type === "gcp:monitoring/notificationChannel:NotificationChannel",
        uptime: ["gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig"],
        dashboard: ["gcp:monitoring/dashboard:Dashboard"],
        budget: ["gcp:billing/budget:Budget"],
    },
};

function cloudOf(resources: Pick<PolicyResource, "type">[]): keyof typeof SHAPES | undefined {
    if (resources.some((r) => r.type.startsWith("aws:"))) return "aws";
    if (resources.some((r) => r.type.startsWith("azure-native:"))) return "azure";
    if (resources.some((r) => r.type.startsWith("gcp:"))) return "gcp";
    return undefined;
}

/** What is missing, one message per gap (empty when the stack meets the rule). */
export function operationsGaps(resources: Res[], config: OperationsConfig): string[] {
    const cloud = cloudOf(resources);
    if (cloud === undefined) return [];
    const shape = SHAPES[cloud];
    const gaps: string[] = [];
    const alarms = resources.map((r) => shape.alarm(r)).filter((s): s is string => s !== undefined);
    const missing = REQUIRED_SIGNALS.filter((s) => !alarms.includes(s));
    if (missing.length > 0) gaps.push(`no alarm for the signals ${missing.join(", ")} (alarms carry the tag mcp-infra:signal)`);
    if (alarms.length < 6) gaps.push(`${alarms.length} alarm conditions declared; at least 6 are required`);
    if (!resources.some((r) => shape.uptime.includes(baseType(r.type))))
        gaps.push(`no external uptime check (${shape.uptime.join(" or ")})`);
    if (!resources.some((r) => shape.dashboard.includes(baseType(r.type)))) gaps.push(`no dashboard (${shape.dashboard.join(" or ")})`);
    if ((config.monthlyBudgetUsd ?? 0) > 0 && !resources.some((r) => shape.budget.includes(baseType(r.type)))) {
        gaps.push(`monthlyBudgetUsd is ${config.monthlyBudgetUsd} but no cloud budget is declared (${shape.budget.join(" or ")})`);
    }
    for (const gap of [shape.flowLogs(resources), shape.accessLogs(resources)]) if (gap) gaps.push(gap);
    if (!config.alertsOptedOut && !resources.some((r) => shape.target(r))) {
        gaps.push("no notification target (email or webhook): set alertEmails or alertWebhookUrl, or opt out with alerts: none");
    }
    return gaps;
}

export const operationsSignals: StackValidationPolicy = {
    name: "operations-signals",
    description:
        "prod and enterprise stacks alarm on the seeds' signals, probe /health from outside, have a dashboard and a cloud budget, keep flow and edge access logs, and notify someone (or opt out explicitly).",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: {
        properties: {
            tier: { type: "string", enum: [...TIER_NAMES], description: "Sizing tier of the stack (mcp-infra:tier)." },
            alertsOptedOut: { type: "boolean", description: "mcp-infra:alerts is none: nobody is notified, on purpose." },
            monthlyBudgetUsd: { type: "number", minimum: 0, description: "Monthly budget in USD (mcp-infra:monthlyBudgetUsd); 0 = none." },
        },
    },
    validateStack: (args, report) => {
        const config = args.getConfig<OperationsConfig>();
        const { tier, source } = resolveTier(config, args.resources[0]?.urn);
        if (tier === "dev") {
            args.notApplicable(`tier dev (from ${source}) may run without alerts`);
            return;
        }
        for (const gap of operationsGaps(args.resources, config)) report(`${gap} (tier ${tier}, from ${source})`);
    },
};
