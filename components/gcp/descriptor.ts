/** The facts about GCP that the plan, the parity test and pricing read (no provider package loaded). */
import type { CloudDescriptor } from "../contract";

export const descriptor: CloudDescriptor = {
    cloud: "gcp",
    // Cloud Run runs linux/amd64 replicas (sizing/gcp.ts CLOUD_RUN_ARCHITECTURE).
    defaultCpuArchitecture: "x86_64",
    cpuArchitectureChoice: false,
    // Cloud Run scales to zero instances when the tier asks.
    scalesToZero: true,
    // Without Cloud NAT the service's outbound traffic leaves through Cloud Run's own egress, without a public IP per replica.
    natNone: "platform",
    // Cloud Run domain mappings are a preview with limited regions: a domain needs the load balancer.
    domainWithPayPerRequestEdge: false,
    hasCostChoices: true,
    replicas: {
        type: "gcp:cloudrunv2/service:Service",
        alwaysOn: (inputs) => Number(inputs.scaling?.minInstanceCount ?? inputs.template?.scaling?.minInstanceCount ?? 0),
    },
};
