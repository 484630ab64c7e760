/**
 * Mocked Docker provider behaviour for the local target. Answers only what
 * differs from the shared docker mock in ./aws.ts (an image built with
 * skipPush, whose repoDigest is the local image ID) and the Docker resources
 * only the local target creates. Random is answered by the AWS module.
 */
import { createHash } from "crypto";

/** A stable fake sha256 per resource name. */
function sha(name: string): string {
    return createHash("sha256").update(name).digest("hex");
}

/** Fake outputs a provider would compute, per resource type, so the program's applies can run. */
export function computedOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, any> | undefined {
    const n = inputs.name ?? `${name}-1a2b3c`;
    switch (type) {
        case "docker:index/image:Image":
            // A pushed image is answered by ./aws.ts (repo@sha256:...); a local-only one has its image ID here.
            return inputs.skipPush ? { imageName: inputs.imageName, repoDigest: `sha256:${sha(name)}` } : undefined;
        case "docker:index/remoteImage:RemoteImage": {
            const repo = String(inputs.name)
                .split("@")[0]
                .replace(/:[^/:]+$/, "");
            return { name: inputs.name, imageId: `sha256:${sha(name)}`, repoDigest: `${repo}@sha256:${sha(`${name}-digest`)}` };
        }
        case "docker:index/network:Network":
            return { name: n, driver: inputs.driver ?? "bridge", internal: inputs.internal ?? false, scope: "local" };
        case "docker:index/volume:Volume":
            return { name: n, driver: inputs.driver ?? "local", mountpoint: `/var/lib/docker/volumes/${n}/_data` };
        case "docker:index/container:Container":
            return {
                name: n,
                hostname: inputs.hostname ?? n,
                exitCode: 0,
                networkDatas: (inputs.networksAdvanced ?? []).map((net: any, i: number) => ({
                    networkName: net.name,
                    ipAddress: `172.30.${i}.${10 + (parseInt(sha(name).slice(0, 2), 16) % 200)}`,
                    ipPrefixLength: 24,
                    gateway: `172.30.${i}.1`,
                    macAddress: "02:42:ac:1e:00:0a",
                    globalIpv6Address: "",
                    globalIpv6PrefixLength: 0,
                    ipv6Gateway: "",
                })),
            };
        default:
            return undefined;
    }
}

/** The local target makes no invokes. */
export function invokeResult(_token: string, _inputs: Record<string, any>): Record<string, any> | undefined {
    return undefined;
}
