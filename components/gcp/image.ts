/**
 * The server image on GCP: the user's own image as given, or the bundled
 * server from app/ built with @pulumi/docker and pushed to a private Artifact
 * Registry Docker repository (old versions cleaned up). The push authenticates
 * with the provider's own OAuth access token (`oauth2accesstoken`).
 */
import * as docker from "@pulumi/docker";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { Scope } from "../base";
import { ImageImpl, ImageInput } from "../contract";
import { gcpId } from "./common";
import { GcpNetwork } from "./network";

export interface GcpImage extends ImageImpl {
    /** The Artifact Registry repository, when the bundled image is built. */
    repository?: gcp.artifactregistry.Repository;
}

/** Image versions kept in the repository; older ones are deleted after a month. */
export const KEEP_IMAGES = 20;

export function createImage(scope: Scope, { network, image, context, dockerfile }: ImageInput<GcpNetwork>): GcpImage {
    if (image !== undefined) {
        return { ref: pulumi.output(image), bundled: false, resources: {} };
    }
    const net = network;
    const { project, region } = net.location;
    const repository = scope.child(
        "repository",
        gcp.artifactregistry.Repository,
        {
            project,
            location: region,
            repositoryId: gcpId(scope, "repo", 63),
            format: "DOCKER",
            description: "MCP server images",
            dockerConfig: { immutableTags: false },
            cleanupPolicyDryRun: false,
            cleanupPolicies: [
                { id: "keep-recent", action: "KEEP", mostRecentVersions: { keepCount: KEEP_IMAGES } },
                { id: "delete-old", action: "DELETE", condition: { tagState: "ANY", olderThan: "2592000s" } },
            ],
        },
        { dependsOn: net.apis },
    );
    const registry = `${region}-docker.pkg.dev`;
    const client = gcp.organizations.getClientConfigOutput({ parent: scope.parent });
    const built = scope.child("image", docker.Image, {
        imageName: pulumi.interpolate`${registry}/${project}/${repository.repositoryId}/mcp-server:latest`,
        build: { context, dockerfile, platform: "linux/amd64" },
        registry: {
            server: registry,
            username: "oauth2accesstoken",
            password: pulumi.secret(client.accessToken),
        },
    });
    return { ref: built.repoDigest, bundled: true, repository, resources: { repository, image: built } };
}
