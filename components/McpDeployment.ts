import * as pulumi from "@pulumi/pulumi";
import { Cloud, resolveTier, TierName, TierOverrides } from "../sizing";
import { AuditDatabase } from "./AuditDatabase";
import { componentType } from "./base";
import type { EdgeCertificate } from "./contract";
import { EdgeLB } from "./EdgeLB";
import { McpCluster } from "./McpCluster";
import { McpMonitor } from "./McpMonitor";
import { AlertTargets } from "./contract";
import { Network } from "./Network";
import { ServerImage } from "./ServerImage";
import { SessionCache } from "./SessionCache";
import { DeploymentSummary } from "./types";

export interface McpDeploymentArgs {
    /** Where to deploy. */
    cloud: Cloud;
    /** Sizing tier. @default "dev" */
    tier?: TierName;
    /** Per-field tier overrides, passed to every component. @default {} */
    overrides?: TierOverrides;
    /** Public DNS name of the endpoint (see EdgeLBArgs.domain). @default undefined */
    domain?: string;
    /** DNS zone holding `domain`. @default the domain without its first label */
    dnsZone?: string;
    /** The certificate for `domain` on Azure (see EdgeLBArgs.certificate). @default undefined */
    tlsCertificate?: EdgeCertificate;
    /** Your own server image instead of the bundled one. @default undefined — build app/ */
    image?: pulumi.Input<string>;
    /** Extra plain environment variables for the server. @default {} */
    environment?: Record<string, pulumi.Input<string>>;
    /** Where alerts go (see McpMonitorArgs.alerting). @default nobody is notified */
    alerting?: AlertTargets;
    /** Monthly budget: the cloud's own budget alert (see McpMonitorArgs). @default undefined — none */
    monthlyBudgetUsd?: number;
    /** GCP: the billing account the budget lives on. @default undefined */
    billingAccountId?: string;
}

/**
 * The whole topology the program builds from stack config: network, image,
 * audit database, session cache, edge, the MCP service behind it, and its monitoring.
 */
export class McpDeployment extends pulumi.ComponentResource {
    readonly network: Network;
    readonly image: ServerImage;
    readonly database: AuditDatabase;
    /** The managed session cache; undefined when the tier (or `sessionStore`) keeps state in the single replica's memory. */
    readonly cache?: SessionCache;
    readonly edge: EdgeLB;
    readonly cluster: McpCluster;
    /** Alarms, uptime check, dashboard, budget and flow logs. */
    readonly monitor: McpMonitor;
    /** The MCP endpoint clients connect to. */
    readonly mcpUrl: pulumi.Output<string>;
    readonly summary: pulumi.Output<DeploymentSummary>;

    constructor(name: string, args: McpDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("McpDeployment"), name, {}, opts);
        const tier = args.tier ?? "dev";
        const common = { tier, overrides: args.overrides };
        const parent = { parent: this };
        this.network = new Network(`${name}-network`, { cloud: args.cloud, ...common }, parent);
        this.image = new ServerImage(`${name}-image`, { network: this.network, image: args.image }, parent);
        this.database = new AuditDatabase(`${name}-audit`, { network: this.network, ...common }, parent);
        const spec = resolveTier(tier, args.overrides);
        if (spec.cache.store === "managed") {
            this.cache = new SessionCache(`${name}-cache`, { network: this.network, ...common }, parent);
        }
        this.edge = new EdgeLB(
            `${name}-edge`,
            { network: this.network, ...common, domain: args.domain, dnsZone: args.dnsZone, certificate: args.tlsCertificate },
            parent,
        );
        this.cluster = new McpCluster(
            `${name}-server`,
            {
                network: this.network,
                ...common,
                image: this.image,
                database: this.database,
                cache: this.cache,
                edge: this.edge,
                environment: args.environment,
            },
            parent,
        );
        this.monitor = new McpMonitor(
            `${name}-monitor`,
            {
                network: this.network,
                ...common,
                database: this.database,
                cache: this.cache,
                edge: this.edge,
                cluster: this.cluster,
                alerting: args.alerting,
                monthlyBudgetUsd: args.monthlyBudgetUsd,
                billingAccountId: args.billingAccountId,
                domain: args.domain,
            },
            parent,
        );
        this.mcpUrl = this.edge.mcpUrl;
        const cacheSummary = this.cache ? this.cache.summary : pulumi.output(null);
        this.summary = pulumi
            .all([this.cluster.summary, this.database.summary, cacheSummary, this.edge.summary])
            .apply(([cluster, database, cache, edge]) => ({ cloud: args.cloud, tier, cluster, database, cache, edge }));
        this.registerOutputs({ mcpUrl: this.mcpUrl, summary: this.summary });
    }
}
