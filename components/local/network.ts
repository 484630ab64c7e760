/**
 * Local network: two user-defined Docker bridge networks on the host.
 *
 * - `front`: the edge (nginx) and the server replicas. The only network with
 *   a published port (the edge's, on 127.0.0.1) and with outbound access.
 * - `data`: the server replicas, PostgreSQL and Redis. `internal`, so nothing
 *   on it can publish a port or reach outside the host, and the edge is not on
 *   it: only the servers reach the data tier.
 *
 * Containers find each other by their aliases through Docker's DNS. The
 * Network component's `cidr` is not used: Docker picks free private ranges
 * that do not collide with the host's own routes (a fixed 10.0.0.0/16 often
 * collides with a VPN or office network).
 */
import * as docker from "@pulumi/docker";
import { Scope } from "../base";
import { NetworkImpl, NetworkInput } from "../contract";
import { labels } from "./common";

export interface LocalNetwork extends NetworkImpl {
    cloud: "local";
    /** Edge and server replicas. */
    front: docker.Network;
    /** Server replicas and the data tier; internal (no published ports, no outbound traffic). */
    data: docker.Network;
}

export function createNetwork(scope: Scope, _input: NetworkInput): LocalNetwork {
    const front = scope.child("front", docker.Network, {
        driver: "bridge",
        internal: false,
        labels: labels(scope, { "mcp-infra.network": "front" }),
    });
    const data = scope.child("data", docker.Network, {
        driver: "bridge",
        internal: true,
        labels: labels(scope, { "mcp-infra.network": "data" }),
    });
    return {
        cloud: "local",
        // One Docker host: one failure domain.
        zones: 1,
        id: front.name,
        front,
        data,
        resources: { front, data },
    };
}
