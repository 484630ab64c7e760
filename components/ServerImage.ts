import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Cloud } from "../sizing";
import { componentType, Scope, Transforms } from "./base";
import { ImageImpl } from "./contract";
import { cloudModule } from "./registry";
import { TransformsFor } from "./transforms";
import { registerPart } from "./wiring";
import { Network } from "./Network";

/** The directory of the bundled MCP server (app/, with its Dockerfile), from the sources or from the built package. */
export const BUNDLED_APP_DIR = findAppDir(__dirname);

function findAppDir(from: string): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "app", "Dockerfile"))) return path.join(dir, "app");
        if (path.dirname(dir) === dir) return path.resolve(from, "..", "app");
    }
}

export interface ServerImageArgs<C extends Cloud = Cloud> {
    /** The network whose cloud hosts the registry. */
    network: Network<C>;
    /**
     * Your own MCP server image (any registry the service can pull from).
     * When given, nothing is built.
     * @default undefined — build the bundled server from app/ and push it to a private registry
     * @example "ghcr.io/acme/my-mcp:1.4.2"
     */
    image?: pulumi.Input<string>;
    /**
     * Build context and Dockerfile of the bundled server.
     * @default the repository root and app/Dockerfile (the image installs from the workspace lockfile)
     */
    build?: { context: string; dockerfile: string };
    /** Hooks keyed by child role (`repository`, `image`). @default {} */
    transform?: TransformsFor<C, "ServerImage">;
}

/**
 * The image the MCP service runs: the user's own, or the bundled server built
 * with @pulumi/docker and pushed to the cloud's private registry (ECR on AWS).
 * Cost: registry storage, about $0.10 per GB-month.
 */
export class ServerImage<C extends Cloud = Cloud> extends pulumi.ComponentResource {
    /** The cloud it runs on: its network's. */
    readonly cloud: C;
    /** An immutable reference (repo@sha256:digest) to the pushed image, or the given image. */
    readonly ref: pulumi.Output<string>;
    readonly bundled: boolean;
    readonly resources: ImageImpl["resources"];
    /** @internal */
    readonly impl: ImageImpl;

    constructor(name: string, args: ServerImageArgs<C>, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("ServerImage"), name, {}, opts);
        this.cloud = args.network.cloud;
        registerPart(this, "ServerImage", name, args.network);
        const scope = new Scope(this, name, args.transform as Transforms | undefined);
        this.impl = cloudModule(args.network.cloud).createImage(scope, {
            network: args.network.impl,
            image: args.image,
            context: args.build?.context ?? path.dirname(BUNDLED_APP_DIR),
            dockerfile: args.build?.dockerfile ?? path.join(BUNDLED_APP_DIR, "Dockerfile"),
        });
        scope.checkTransforms("ServerImage", args.network.cloud);
        this.ref = this.impl.ref;
        this.bundled = this.impl.bundled;
        this.resources = this.impl.resources;
        this.registerOutputs({ ref: this.ref });
    }
}
