/** The facts about AWS that the plan, the parity test and pricing read (no provider package loaded). */
import type { CloudDescriptor } from "../contract";

export const descriptor: CloudDescriptor = {
    cloud: "aws",
    // Fargate on Graviton; cpuArchitecture x86_64 picks X86_64.
    defaultCpuArchitecture: "arm64",
    cpuArchitectureChoice: true,
    // Fargate keeps minCapacity tasks running.
    scalesToZero: false,
    // Without NAT gateways the tasks run in the public subnets with a public IPv4 (outbound only).
    natNone: "publicIp",
    // API Gateway HTTP APIs take a custom domain name (with an ACM certificate).
    domainWithPayPerRequestEdge: true,
    hasCostChoices: true,
    replicas: { type: "aws:ecs/service:Service", alwaysOn: (inputs) => Number(inputs.desiredCount ?? 1) },
};
