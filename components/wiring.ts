/**
 * Checks that the parts a component is built from belong together: every part
 * on the component's own Network (so on the same cloud). A cloud builder
 * receives its own cloud's types only because of this check; without it, an
 * AWS cluster handed a GCP database would fail deep inside a builder.
 */
import type * as pulumi from "@pulumi/pulumi";
import { WiringError } from "./contract";

/** A Network component, as far as this check needs it. */
type Network = pulumi.Resource & { readonly cloud: string };

interface PartInfo {
    kind: string;
    name: string;
    network: Network;
    cloud: string;
}

const parts = new WeakMap<pulumi.Resource, PartInfo>();

/** Records which network (and cloud) a component was built on. */
export function registerPart(part: pulumi.Resource, kind: string, name: string, network: Network): void {
    parts.set(part, { kind, name, network, cloud: network.cloud });
}

function describe(p: PartInfo): string {
    return `${p.kind} "${p.name}" is on the ${p.cloud} network "${parts.get(p.network)?.name ?? "?"}"`;
}

/**
 * Throws a WiringError naming both sides when a part is not on `network`.
 * `given` maps the component's argument name to the part (undefined parts are skipped).
 */
export function checkParts(kind: string, name: string, network: Network, given: Record<string, pulumi.Resource | undefined>): void {
    const self = parts.get(network);
    if (!self) throw new WiringError(`${kind} "${name}"`, "network", "is not a Network component");
    for (const [arg, part] of Object.entries(given)) {
        if (part === undefined) continue;
        const info = parts.get(part);
        if (!info) throw new WiringError(`${kind} "${name}"`, arg, "is not an mcp-infra component");
        if (info.network !== network) {
            throw new WiringError(
                `${kind} "${name}"`,
                arg,
                `${describe(info)}, but this ${kind} is on the ${self.cloud} network "${self.name}"; build every part of a deployment on the same Network`,
            );
        }
    }
}
