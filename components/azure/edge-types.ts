/** The Azure edge's types: what the cluster hands it (`EdgeTarget`) through the hand-off (`attach`). */
import type * as app from "@pulumi/azure-native/app";
import type * as network from "@pulumi/azure-native/network";
import type * as pulumi from "@pulumi/pulumi";
import type { EdgeKind } from "../../sizing/tiers";
import type { EdgeImpl } from "../contract";

/** What the edge serves, given by the cluster. */
export interface EdgeTarget {
    /** The Container App's FQDN (inside the VNet for an internal environment, public for an external one). */
    fqdn: pulumi.Input<string>;
    /** Resources the gateway must wait for (the app, its private DNS record). */
    dependsOn: pulumi.Resource[];
    /** The Container App's and its environment's args as created (a payPerRequest edge is described from them). */
    app: app.ContainerAppArgs;
    environment: app.ManagedEnvironmentArgs;
}

export interface AzureEdge extends EdgeImpl<EdgeTarget, network.ApplicationGateway | undefined> {
    /** The kind of edge built; the cluster makes its environment internal (loadBalancer) or external (payPerRequest) to match. */
    kind: EdgeKind;
    /** The gateway's public IP (loadBalancer only). */
    publicIp?: network.PublicIPAddress;
    wafPolicy?: network.WebApplicationFirewallPolicy;
    /** Puts the edge in front of the target (creates the gateway, if any); called once, by createCluster. */
    attach(target: EdgeTarget): network.ApplicationGateway | undefined;
}
