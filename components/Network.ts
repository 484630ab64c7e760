import * as pulumi from "@pulumi/pulumi";
import { Cloud, resolveTier, TierName, TierOverrides, TierSpec } from "../sizing";
import { componentType, Scope, Transforms } from "./base";
import { NetworkImpl } from "./contract";
import { cloudModule } from "./registry";
import { TransformsFor } from "./transforms";
import { registerPart } from "./wiring";

export interface NetworkArgs<C extends Cloud = Cloud> {
    /** The cloud every component on this network deploys to. */
    cloud: C;
    /** Sizing tier: decides zones and NAT. @default "dev" */
    tier?: TierName;
    /** Per-field tier overrides. @default {} */
    overrides?: TierOverrides;
    /**
     * Address space of the network.
     * @default "10.0.0.0/16"
     */
    cidr?: string;
    /** Hooks that modify a child's args before it is created, keyed by role (`vpc`, `public-0`, `nat-0`, ...). @default {} */
    transform?: TransformsFor<C, "Network">;
}

/**
 * The private network the other components live in: on AWS a VPC across the
 * tier's zones with public and private subnets and NAT. Cost: NAT gateways are
 * the billable part (about $33 per month each in us-east-1, plus data).
 */
export class Network<C extends Cloud = Cloud> extends pulumi.ComponentResource {
    readonly cloud: C;
    readonly tier: TierName;
    /** The network's id (VPC id on AWS). */
    readonly networkId: pulumi.Output<string>;
    /** Zones the network spans. */
    readonly zones: number;
    /** The raw child resources. */
    readonly resources: NetworkImpl["resources"];
    /** @internal The cloud builder's result, read by the other components. */
    readonly impl: NetworkImpl;

    constructor(name: string, args: NetworkArgs<C>, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("Network"), name, {}, opts);
        const tier = args.tier ?? "dev";
        const spec: TierSpec = resolveTier(tier, args.overrides);
        const cloud = cloudModule(args.cloud);
        this.cloud = args.cloud;
        registerPart(this, "Network", name, this);
        this.tier = tier;
        const scope = new Scope(this, name, args.transform as Transforms | undefined);
        this.impl = cloud.createNetwork(scope, {
            spec,
            overrides: args.overrides ?? {},
            cidr: args.cidr ?? "10.0.0.0/16",
        });
        scope.checkTransforms("Network", args.cloud);
        this.networkId = this.impl.id;
        this.zones = this.impl.zones;
        this.resources = this.impl.resources;
        this.registerOutputs({ networkId: this.networkId });
    }
}
