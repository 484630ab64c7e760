/** The facts about Azure that the plan, the parity test and pricing read (no provider package loaded). */
import type { CloudDescriptor } from "../contract";

export const descriptor: CloudDescriptor = {
    cloud: "azure",
    // Container Apps runs linux/amd64 replicas only (sizing/azure.ts CONTAINER_APPS_ARCHITECTURE).
    defaultCpuArchitecture: "x86_64",
    cpuArchitectureChoice: false,
    // Container Apps scales to zero replicas when the tier asks and the edge allows it.
    scalesToZero: true,
    // The environment's outbound traffic leaves through Azure's default egress, without a public IP per replica.
    natNone: "platform",
    // The Container Apps ingress's managed certificate needs DNS records that exist only after the environment.
    domainWithPayPerRequestEdge: false,
    hasCostChoices: true,
    replicas: { type: "azure-native:app:ContainerApp", alwaysOn: (inputs) => Number(inputs.template?.scale?.minReplicas ?? 0) },
};
