import * as pulumi from "@pulumi/pulumi";
import { AlertSignal, Cloud, resolveTier, TierName, TierOverrides } from "../sizing";
import { AuditDatabase } from "./AuditDatabase";
import { componentType, Scope, Transforms } from "./base";
import { AlertTargets, MonitorImpl } from "./contract";
import { EdgeLB } from "./EdgeLB";
import { McpCluster } from "./McpCluster";
import { Network } from "./Network";
import { cloudModule } from "./registry";
import { SessionCache } from "./SessionCache";
import { TransformsFor } from "./transforms";
import { checkParts, registerPart } from "./wiring";

export interface McpMonitorArgs<C extends Cloud = Cloud> {
    /** The deployment's network. */
    network: Network<C>;
    /** Sizing tier: the alert thresholds and windows (sizing/tiers.ts `alerts`). @default the network's tier */
    tier?: TierName;
    /** Per-field overrides of the tier (the replica minimum, the cache store, ... change which signals apply). @default {} */
    overrides?: TierOverrides;
    database: AuditDatabase<NoInfer<C>>;
    cache?: SessionCache<NoInfer<C>>;
    edge: EdgeLB<NoInfer<C>>;
    cluster: McpCluster<NoInfer<C>>;
    /**
     * Where alerts go. prod and enterprise stacks must name a target or opt out (the config reader checks).
     * @default { emails: [], optedOut: false } — the signals are declared, nobody is notified
     * @example { emails: ["oncall@example.com"], webhookUrl: pulumi.secret("https://hooks.slack.com/..."), optedOut: false }
     */
    alerting?: AlertTargets;
    /** The cloud budget: notifications at 80 % forecast and 100 % actual spend. @default undefined — no cloud budget */
    monthlyBudgetUsd?: number;
    /** GCP: the billing account the budget lives on (required there with a budget). @default undefined */
    billingAccountId?: string;
    /** The public DNS name the uptime check probes, when the edge serves one. @default the edge's own name */
    domain?: string;
    /** Hooks keyed by child role (`alerts`, `uptime`, `dashboard`, `budget`, `alarm-<signal>`, ...). @default {} */
    transform?: TransformsFor<C, "McpMonitor">;
}

/**
 * Operations for a deployment, on its cloud: one alarm per signal of the tier (sizing/alerts.ts:
 * edge 5xx, p95, replicas below the minimum, service CPU and memory, database CPU, storage,
 * connections and replica lag, cache memory, evictions and availability, audit failures and
 * checkpoint age), an external uptime check of /health from at least three locations, a
 * dashboard, notifications to the stack's emails and webhook, the cloud budget, and in prod and
 * enterprise the network's flow logs. Locally: Prometheus, Alertmanager and a blackbox exporter.
 * Cost (AWS, prod): about $3 to $5 a month (alarms, health check, dashboard) plus log ingestion.
 */
export class McpMonitor<C extends Cloud = Cloud> extends pulumi.ComponentResource {
    readonly cloud: C;
    /** The signals a rule was declared for. */
    readonly signals: AlertSignal[];
    readonly resources: MonitorImpl["resources"];
    /** @internal */
    readonly impl: MonitorImpl;

    constructor(name: string, args: McpMonitorArgs<C>, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("McpMonitor"), name, {}, opts);
        this.cloud = args.network.cloud;
        checkParts("McpMonitor", name, args.network, {
            database: args.database,
            cache: args.cache,
            edge: args.edge,
            cluster: args.cluster,
        });
        registerPart(this, "McpMonitor", name, args.network);
        const overrides = args.overrides ?? {};
        const spec = resolveTier(args.tier ?? args.network.tier, overrides);
        const scope = new Scope(this, name, args.transform as Transforms | undefined);
        this.impl = cloudModule(args.network.cloud).createMonitor(scope, {
            network: args.network.impl,
            spec,
            overrides,
            database: args.database.impl,
            cache: args.cache?.impl,
            edge: args.edge.impl,
            cluster: args.cluster.impl,
            alerting: args.alerting ?? { emails: [], optedOut: false },
            monthlyBudgetUsd: args.monthlyBudgetUsd,
            billingAccountId: args.billingAccountId,
            domain: args.domain,
        });
        scope.checkTransforms("McpMonitor", args.network.cloud);
        this.signals = this.impl.signals;
        this.resources = this.impl.resources;
        this.registerOutputs({ signals: this.signals.map((s) => s.id) });
    }
}
