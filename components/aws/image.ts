/**
 * The server image on AWS: the user's own image as given, or the bundled
 * server from app/ built with @pulumi/docker and pushed to a private ECR
 * repository (scanned on push, encrypted, old images expired).
 */
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Scope } from "../base";
import { ImageImpl, ImageInput } from "../cloud";

export interface AwsImage extends ImageImpl {
    /** The ECR repository, when the bundled image is built. */
    repository?: aws.ecr.Repository;
}

/** Images kept in the repository; older ones expire. */
export const KEEP_IMAGES = 20;

export function createImage(scope: Scope, { image, context, dockerfile }: ImageInput): AwsImage {
    if (image !== undefined) {
        return { ref: pulumi.output(image), bundled: false, resources: {} };
    }
    const repository = scope.child("repository", aws.ecr.Repository, {
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: "MUTABLE",
        encryptionConfigurations: [{ encryptionType: "AES256" }],
        forceDelete: true,
    });
    const lifecycle = scope.child("lifecycle", aws.ecr.LifecyclePolicy, {
        repository: repository.name,
        policy: JSON.stringify({
            rules: [{
                rulePriority: 1,
                description: `keep the last ${KEEP_IMAGES} images`,
                selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: KEEP_IMAGES },
                action: { type: "expire" },
            }],
        }),
    });
    const token = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, { parent: scope.parent });
    const built = scope.child("image", docker.Image, {
        imageName: pulumi.interpolate`${repository.repositoryUrl}:latest`,
        build: { context, dockerfile, platform: "linux/amd64" },
        registry: {
            server: repository.repositoryUrl,
            username: token.userName,
            password: pulumi.secret(token.password),
        },
    });
    return { ref: built.repoDigest, bundled: true, repository, resources: { repository, lifecycle, image: built } };
}
