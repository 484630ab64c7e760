/**
 * The server image on the local target: the user's own image, pulled (or
 * found) on the Docker host, or the bundled server from app/ built by the
 * host's Docker engine and kept there (nothing is pushed to any registry).
 * Either way the image is for the host's own platform (no emulation), and the
 * replicas run it by its ID, so a rebuild or a new pull replaces them.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Scope } from "../base";
import { ImageImpl, ImageInput } from "../contract";
import { hostArchitecture, PLATFORMS } from "./common";

export interface LocalImage extends ImageImpl {
    image: docker.Image | docker.RemoteImage;
    /** The Docker platform the image is built or pulled for, from the image's inputs (`linux/amd64` or `linux/arm64`). */
    platform: pulumi.Output<string | undefined>;
}

/** The local repository name of the bundled image; the tag is the stack's name. */
export const BUNDLED_REPOSITORY = "mcp-infra-server";

/** A Docker tag from a stack name: letters, digits, `_`, `.` and `-`, not starting with `.` or `-`. */
export function imageTag(stack: string): string {
    return (
        stack
            .replace(/[^A-Za-z0-9_.-]/g, "-")
            .replace(/^[.-]+/, "")
            .slice(0, 128) || "latest"
    );
}

export function createImage(scope: Scope, { image, context, dockerfile }: ImageInput): LocalImage {
    const platform = PLATFORMS[hostArchitecture()];
    if (image !== undefined) {
        // Found locally when it is there (an image you built yourself), pulled otherwise; kept on destroy.
        const remote = scope.child("image", docker.RemoteImage, { name: image, platform, keepLocally: true });
        const used = scope.inputs<docker.RemoteImageArgs>("image");
        return { ref: remote.imageId, bundled: false, image: remote, platform: pulumi.output(used.platform), resources: { image: remote } };
    }
    const built = scope.child("image", docker.Image, {
        imageName: `${BUNDLED_REPOSITORY}:${imageTag(pulumi.getStack())}`,
        build: { context, dockerfile, platform },
        skipPush: true,
    });
    const used = scope.inputs<docker.ImageArgs>("image");
    // With skipPush, repoDigest is the local image ID (sha256:...).
    return {
        ref: built.repoDigest,
        bundled: true,
        image: built,
        platform: pulumi.output(used.build).apply((b) => b?.platform),
        resources: { image: built },
    };
}
