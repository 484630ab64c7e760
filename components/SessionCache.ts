import * as pulumi from "@pulumi/pulumi";
import { Cloud, resolveTier, TierName, TierOverrides } from "../sizing";
import { componentType, Scope, Transforms } from "./base";
import { CacheImpl } from "./contract";
import { cloudModule } from "./registry";
import { TransformsFor } from "./transforms";
import { registerPart } from "./wiring";
import { Network } from "./Network";
import { CacheSummary } from "./types";

export interface SessionCacheArgs<C extends Cloud = Cloud> {
    /** The network the cache lives in, privately. */
    network: Network<C>;
    /** Sizing tier. @default the network's tier */
    tier?: TierName;
    /**
     * Per-field overrides of the tier (cacheMemoryMiB, cacheNodeType).
     * @default {}
     * @example { cacheNodeType: "cache.t4g.medium" }
     */
    overrides?: TierOverrides;
    /** Hooks keyed by child role (`replication-group`, `sg`, ...). @default {} */
    transform?: TransformsFor<C, "SessionCache">;
}

/**
 * Redis-compatible cache shared by all replicas for per-client state and rate
 * limits: TLS and AUTH always, encrypted at rest, automatic failover per tier.
 * Cost (AWS, us-east-1, Valkey, from `npm run plan`): prod two
 * cache.t4g.small about $37 per month. Dev creates no cache (`sessionStore`
 * embedded: state in the single replica's memory); with `sessionStore:
 * managed` it is one cache.t4g.micro, about $9.
 */
export class SessionCache<C extends Cloud = Cloud> extends pulumi.ComponentResource {
    /** The cloud it runs on: its network's. */
    readonly cloud: C;
    readonly endpoint: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    /** Reference (ARN on AWS) to the secret holding the AUTH token and a `rediss://` url. */
    readonly authSecret: pulumi.Output<string>;
    readonly summary: pulumi.Output<CacheSummary>;
    readonly resources: CacheImpl["resources"];
    /** @internal */
    readonly impl: CacheImpl;

    constructor(name: string, args: SessionCacheArgs<C>, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("SessionCache"), name, {}, opts);
        this.cloud = args.network.cloud;
        registerPart(this, "SessionCache", name, args.network);
        const overrides = args.overrides ?? {};
        const spec = resolveTier(args.tier ?? args.network.tier, overrides);
        const scope = new Scope(this, name, args.transform as Transforms | undefined);
        this.impl = cloudModule(args.network.cloud).createCache(scope, {
            network: args.network.impl,
            spec,
            overrides,
        });
        scope.checkTransforms("SessionCache", args.network.cloud);
        this.endpoint = this.impl.endpoint;
        this.port = this.impl.port;
        this.authSecret = this.impl.authSecret.id;
        this.summary = this.impl.summary;
        this.resources = this.impl.resources;
        this.registerOutputs({ endpoint: this.endpoint, port: this.port, authSecret: this.authSecret, summary: this.summary });
    }
}
