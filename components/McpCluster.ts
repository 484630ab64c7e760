import * as pulumi from "@pulumi/pulumi";
import { Cloud, ConfigError, resolveTier, TierName, TierOverrides } from "../sizing";
import { AuditDatabase } from "./AuditDatabase";
import { componentType, Scope, Transforms } from "./base";
import { ClusterImpl } from "./contract";
import { cloudModule } from "./registry";
import { TransformsFor } from "./transforms";
import { checkParts, registerPart } from "./wiring";
import { EdgeLB } from "./EdgeLB";
import { Network } from "./Network";
import { ServerImage } from "./ServerImage";
import { SessionCache } from "./SessionCache";
import { ClusterSummary } from "./types";

export interface McpClusterArgs<C extends Cloud = Cloud> {
    /** The network the replicas run in, in private subnets. */
    network: Network<C>;
    /** Sizing tier: replicas, vCPU, memory, autoscaling, log retention. @default the network's tier */
    tier?: TierName;
    /**
     * Per-field overrides of the tier (minReplicas, maxReplicas, targetCpuPercent, serviceMilliCpu, serviceMemoryMiB, logRetentionDays).
     * @default {}
     * @example { minReplicas: 3, serviceMilliCpu: 1000, serviceMemoryMiB: 2048 }
     */
    overrides?: TierOverrides;
    /** The image to run. */
    image: ServerImage<NoInfer<C>>;
    /** Where every tool call is audited. The server gets its connection URL as a secret. */
    database: AuditDatabase<NoInfer<C>>;
    /** Shared state and rate limits. @default undefined — the server keeps them in memory (one replica only) */
    cache?: SessionCache<NoInfer<C>>;
    /** The edge that forwards to the replicas; the replicas accept traffic from it only. */
    edge: EdgeLB<NoInfer<C>>;
    /**
     * Extra plain environment variables for the server. Never put a secret here.
     * @default {}
     * @example { LOG_LEVEL: "debug" }
     */
    environment?: Record<string, pulumi.Input<string>>;
    /** Hooks keyed by child role (`task`, `service`, `scaling-policy`, ...). @default {} */
    transform?: TransformsFor<C, "McpCluster">;
}

const SECRET_NAME = /(PASSWORD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|_URL$)/i;

/**
 * The MCP server replicas: private, health-checked, autoscaled between the
 * tier's min and max, logs kept per tier, secrets injected by the platform.
 * Cost (AWS Fargate on Graviton, us-east-1, from `npm run plan`): dev one
 * 0.25 vCPU / 0.5 GiB replica about $7 per month (plus $3.65 for its public
 * IPv4, as dev has no NAT); prod two 0.5 vCPU / 1 GiB about $29.
 */
export class McpCluster<C extends Cloud = Cloud> extends pulumi.ComponentResource {
    /** The cloud it runs on: its network's. */
    readonly cloud: C;
    /** The service's name in the cloud (ECS service name on AWS). */
    readonly serviceName: pulumi.Output<string>;
    /** Reference (ARN on AWS) to the secret holding the API key(s) clients use. */
    readonly apiKeySecret: pulumi.Output<string>;
    readonly summary: pulumi.Output<ClusterSummary>;
    readonly resources: ClusterImpl["resources"];
    /** @internal */
    readonly impl: ClusterImpl;

    constructor(name: string, args: McpClusterArgs<C>, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("McpCluster"), name, {}, opts);
        this.cloud = args.network.cloud;
        // Every part on this cluster's Network (and so its cloud), before any cloud builder reads them.
        checkParts("McpCluster", name, args.network, { image: args.image, database: args.database, cache: args.cache, edge: args.edge });
        registerPart(this, "McpCluster", name, args.network);
        const overrides = args.overrides ?? {};
        const spec = resolveTier(args.tier ?? args.network.tier, overrides);
        for (const key of Object.keys(args.environment ?? {})) {
            if (SECRET_NAME.test(key)) {
                throw new ConfigError(
                    `McpCluster.environment.${key}`,
                    "looks like a secret; plain environment variables are visible in the task definition, so pass secrets through the components (database, cache) instead",
                );
            }
        }
        if (spec.service.maxReplicas > 1 && !args.cache) {
            throw new ConfigError(
                "McpCluster.cache",
                `is required when more than one replica may run (maxReplicas is ${spec.service.maxReplicas}): rate limits and per-client state must be shared`,
            );
        }
        const scope = new Scope(this, name, args.transform as Transforms | undefined);
        this.impl = cloudModule(args.network.cloud).createCluster(scope, {
            network: args.network.impl,
            spec,
            overrides,
            image: args.image.impl,
            database: args.database.impl,
            cache: args.cache?.impl,
            edge: args.edge.impl,
            environment: args.environment ?? {},
        });
        scope.checkTransforms("McpCluster", args.network.cloud);
        this.serviceName = this.impl.serviceName;
        this.apiKeySecret = this.impl.apiKeySecret.id;
        this.summary = this.impl.summary;
        this.resources = this.impl.resources;
        this.registerOutputs({ serviceName: this.serviceName, apiKeySecret: this.apiKeySecret, summary: this.summary });
    }
}
