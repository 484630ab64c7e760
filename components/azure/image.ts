/**
 * The server image on Azure: the user's own image as given, or the bundled
 * server from app/ built with @pulumi/docker and pushed to a private Azure
 * Container Registry (admin user off, anonymous pull off). The service pulls
 * with its managed identity (AcrPull on this registry only, granted by the
 * cluster). The image is built for linux/amd64, the only platform Container
 * Apps runs. Cost: Basic about $5 per month, Standard (enterprise) $20.
 *
 * Push authentication: with the admin user disabled there is no registry
 * password to list. The push logs in as ACR's token user
 * (00000000-0000-0000-0000-000000000000) with the deployer's own Entra ID
 * token from `authorization.getClientToken` (the deployer needs AcrPush or
 * Contributor on the registry). ACR documents exchanging that token at
 * `https://<registry>/oauth2/exchange` for an ACR refresh token; whether the
 * docker login takes the Entra token directly was not verified here (no
 * Docker engine or Azure account on these machines). If it does not, run
 * `az acr login -n <registry>` before `pulumi up` and drop `registry` through
 * the `image` transform so docker uses its stored credentials.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { registrySku } from "../../sizing/azure";
import { Scope } from "../base";
import { ImageImpl, ImageInput } from "../contract";
import { AzureNetwork } from "./network";

/** ACR's fixed user name for token-based logins. */
export const ACR_TOKEN_USER = "00000000-0000-0000-0000-000000000000";

export interface AzureImage extends ImageImpl {
    /** The registry, when the bundled image is built. */
    registry?: containerregistry.Registry;
}

export function createImage(scope: Scope, { network, image, context, dockerfile }: ImageInput<AzureNetwork>): AzureImage {
    if (image !== undefined) {
        return { ref: pulumi.output(image), bundled: false, resources: {} };
    }
    const net = network;
    const registry = scope.child("registry", containerregistry.Registry, {
        resourceGroupName: net.resourceGroupName,
        registryName: pulumi.interpolate`mcpacr${net.suffix}`,
        // Basic, or Standard for the 99.99 % tier (see registrySku); zone-redundant either way.
        sku: { name: registrySku(net.spec) },
        adminUserEnabled: false,
        anonymousPullEnabled: false,
    });
    const token = authorization.getClientTokenOutput({}, { parent: scope.parent });
    const built = scope.child("image", docker.Image, {
        imageName: pulumi.interpolate`${registry.loginServer}/mcp-server:latest`,
        build: { context, dockerfile, platform: "linux/amd64" },
        registry: {
            server: registry.loginServer,
            username: ACR_TOKEN_USER,
            password: pulumi.secret(token.token),
        },
    });
    return { ref: built.repoDigest, bundled: true, registry, resources: { registry, image: built } };
}
