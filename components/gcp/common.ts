/**
 * Shared GCP helpers: the project and region from the provider's own config
 * (so no invoke is needed to learn them), names for the few resources whose
 * id GCP requires up front, and Secret Manager secrets.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../sizing";
import { Scope } from "../base";

export interface GcpLocation {
    project: string;
    region: string;
}

/** `gcp:project` and `gcp:region` from the stack's config. */
export function gcpLocation(): GcpLocation {
    const config = new pulumi.Config("gcp");
    const project = config.get("project");
    const region = config.get("region");
    if (!project) throw new ConfigError("gcp:project", "is required for cloud gcp (e.g. pulumi config set gcp:project my-project)");
    if (!region) throw new ConfigError("gcp:region", "is required for cloud gcp (e.g. pulumi config set gcp:region us-central1)");
    return { project, region };
}

/** Zones in every GCP region that hosts Cloud Run, Cloud SQL and Memorystore (at least three). */
export const REGION_ZONES = 3;

/**
 * A GCP resource id for `${stack}-${component}-${role}`: lowercase letters,
 * digits and hyphens, starting with a letter, at most `max` characters (a
 * short hash keeps truncated ids unique). Used where GCP needs the id up
 * front (service accounts, repositories, log buckets), so stacks sharing one
 * project never collide.
 */
export function gcpId(scope: Scope, role: string, max: number): string {
    const raw = `${pulumi.getStack()}-${scope.name}-${role}`
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^[^a-z]+/, "");
    if (raw.length <= max) return raw.replace(/-+$/, "");
    let hash = 0;
    for (const ch of raw) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    const suffix = hash.toString(36).slice(0, 6);
    return `${raw.slice(0, max - suffix.length - 1).replace(/-+$/, "")}-${suffix}`;
}

/** Cloud Run service names: lowercase letters, digits and hyphens, at most 49 characters. */
export const CLOUD_RUN_NAME_MAX = 49;

/**
 * The host of a Cloud Run service's deterministic URL,
 * `https://SERVICE-PROJECT_NUMBER.REGION.run.app`, known before the service
 * exists (cloud.google.com/run/docs/triggering/https-request). Cloud Run gives
 * it only while `SERVICE-PROJECT_NUMBER` fits one DNS label (63 characters).
 */
export function runAppHost(serviceName: string, projectNumber: string, region: string): string {
    const label = `${serviceName}-${projectNumber}`;
    if (label.length > 63) {
        throw new Error(
            `the Cloud Run service name "${serviceName}" is too long for a deterministic run.app URL ("${label}" is ${label.length} characters, at most 63); use a shorter stack or component name, or mcp-infra:edgeKind "loadBalancer"`,
        );
    }
    return `${label}.${region}.run.app`;
}

/** A Secret Manager secret with one version holding `value`; returns the secret. */
export function secretWithValue(
    scope: Scope,
    role: string,
    value: pulumi.Input<string>,
    description: string,
    opts: pulumi.CustomResourceOptions = {},
): gcp.secretmanager.Secret {
    const secret = scope.child(
        role,
        gcp.secretmanager.Secret,
        {
            replication: { auto: {} },
            labels: { "mcp-infra": "true" },
            annotations: { description },
        },
        opts,
    );
    scope.child(`${role}-version`, gcp.secretmanager.SecretVersion, {
        secret: secret.id,
        secretData: pulumi.secret(value),
    });
    return secret;
}
