/** The facts about the local (Docker) target that the plan, the parity test and pricing read (no provider package loaded). */
import type { CloudDescriptor } from "../contract";

export const descriptor: CloudDescriptor = {
    cloud: "local",
    // The Docker host's own architecture at run time; x86_64 is what CI and most hosts run.
    defaultCpuArchitecture: "x86_64",
    cpuArchitectureChoice: false,
    // Docker has no autoscaler: exactly minReplicas containers run.
    scalesToZero: false,
    // One Docker host: there is no NAT to choose.
    natNone: "none",
    // The local edge serves plain HTTP on localhost and refuses any domain.
    domainWithPayPerRequestEdge: false,
    // Nothing is billed: the tier's cost choices have nothing to save.
    hasCostChoices: false,
    replicas: {
        type: "docker:index/container:Container",
        // Each replica container carries the label mcp-infra.replica (see ./cluster.ts); nginx, PostgreSQL and Redis do not.
        alwaysOn: (inputs) => (((inputs.labels ?? []) as Array<{ label?: string }>).some((l) => l.label === "mcp-infra.replica") ? 1 : 0),
    },
};
