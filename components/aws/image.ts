/**
 * The server image on AWS: the user's own image as given, or the bundled
 * server from app/ built with @pulumi/docker for the replicas' CPU
 * architecture (linux/arm64 by default, linux/amd64 with cpuArchitecture
 * x86_64) and pushed to a private ECR repository (scanned on push, encrypted,
 * old images expired). Building arm64 on an x86 machine needs Docker with
 * QEMU/binfmt emulation (Docker Desktop has it; on Linux
 * `docker run --privileged --rm tonistiigi/binfmt --install arm64`).
 */
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { CpuArchitecture } from "../../sizing";
import { DOCKER_PLATFORMS } from "../../sizing/aws";
import { Scope } from "../base";
import { ImageImpl, ImageInput } from "../contract";
import { AwsNetwork } from "./network";

export interface AwsImage extends ImageImpl {
    /** The ECR repository, when the bundled image is built. */
    repository?: aws.ecr.Repository;
    /** The architecture the bundled image is built for; undefined for your own image (its platform is yours to match). */
    cpuArchitecture?: CpuArchitecture;
}

/** Images kept in the repository; older ones expire. */
export const KEEP_IMAGES = 20;

export function createImage(scope: Scope, { network, image, context, dockerfile }: ImageInput<AwsNetwork>): AwsImage {
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
            rules: [
                {
                    rulePriority: 1,
                    description: `keep the last ${KEEP_IMAGES} images`,
                    selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: KEEP_IMAGES },
                    action: { type: "expire" },
                },
            ],
        }),
    });
    const { cpuArchitecture } = network;
    const token = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, { parent: scope.parent });
    const built = scope.child("image", docker.Image, {
        imageName: pulumi.interpolate`${repository.repositoryUrl}:latest`,
        build: { context, dockerfile, platform: DOCKER_PLATFORMS[cpuArchitecture] },
        registry: {
            server: repository.repositoryUrl,
            username: token.userName,
            password: pulumi.secret(token.password),
        },
    });
    return { ref: built.repoDigest, bundled: true, repository, cpuArchitecture, resources: { repository, lifecycle, image: built } };
}
