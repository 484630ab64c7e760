/**
 * What every local (Docker) builder shares: pinned third-party images,
 * labels, bounded logs, and how secrets are represented without a secret store.
 *
 * Secrets on the local target: a Docker host has no secret store, so Pulumi's
 * own state is the store. A `SecretRef` of this target holds the secret VALUE
 * in `id`, wrapped as a Pulumi secret (encrypted in the state, `[secret]` in
 * every preview and stack output); when `key` is set, the value is a JSON
 * document and `key` names the field, as with the clouds' JSON secrets. Read
 * one with `pulumi stack output <name> --show-secrets`. The containers get
 * them as files, never as environment values or command-line arguments (which
 * `docker inspect` and `ps` show): Docker's container uploads (`SECRET_FILE_MODE`,
 * owned by root:0), and for the containers with a read-only root file system a
 * volume that an unstarted loader container receives the uploads into
 * (`secretVolume`).
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Scope } from "../base";
import { POSTGRES } from "../contract";
import { SecretRef } from "../types";

/**
 * Third-party images, pinned by digest (`name:tag@sha256:...`, the multi-platform index), so a
 * moved tag never changes what runs: PostgreSQL's major version is the data volume's on-disk
 * format, Redis and nginx stay on a minor line. Docker pulls the digest; the tag is for people.
 * Each digest is the index Docker's official-images bot recorded for that tag in
 * github.com/docker-library/repo-info (`repos/<image>/remote/<tag>.md`), read at these commits:
 * postgres 17-alpine (17.11, Alpine 3.24.2) at 14ad5cc17dd0; redis 7.4-alpine (7.4.11, Alpine
 * 3.21.7) at 1742085aa330; nginx 1.30-alpine (1.30.4, Alpine 3.24.1) at 0844135897966 (1.27, the
 * line used before, is no longer maintained there). To update: take the new digest from that file.
 */
export const IMAGE_DIGESTS = {
    postgres: "sha256:b0f9560a2de083e2cc7382e75f808c7381a32852a7ec49117deedb300e552b24",
    redis: "sha256:ff02b58f971e7d7d156a1267e283fcbbeee91773b6aa36c49dac28ecfe28eadf",
    nginx: "sha256:02b1b2a0445514891a14aa371845f6085d5d9d10d385b30d6aad606a50a29a05",
} as const;
export const IMAGES = {
    postgres: `postgres:${POSTGRES.major}-alpine@${IMAGE_DIGESTS.postgres}`,
    redis: `redis:7.4-alpine@${IMAGE_DIGESTS.redis}`,
    nginx: `nginx:1.30-alpine@${IMAGE_DIGESTS.nginx}`,
} as const;

/** The major version in an image tag: `postgres:17-alpine` -> `17`. */
export function imageMajor(image: string): string {
    return /:(\d+)/.exec(image)?.[1] ?? "";
}

/** A secret held in Pulumi's state: the ref's id is the value itself (see the file comment). */
export function stateSecret(value: pulumi.Input<string>): SecretRef {
    return { id: pulumi.secret(pulumi.output(value)) };
}

/** A JSON document held in Pulumi's state, read key by key through `secretValue`. */
export function stateJsonSecret(value: pulumi.Input<Record<string, unknown>>): pulumi.Output<string> {
    return pulumi.secret(pulumi.output(value).apply((v) => JSON.stringify(v)));
}

/** The value a local SecretRef stands for: the id itself, or its `key` field when the id is a JSON document. */
export function secretValue(ref: SecretRef): pulumi.Output<string> {
    return pulumi.secret(
        ref.id.apply((v) => {
            if (ref.key === undefined) return v;
            const field = (JSON.parse(v) as Record<string, unknown>)[ref.key];
            if (typeof field !== "string") throw new Error(`local secret has no string field "${ref.key}"`);
            return field;
        }),
    );
}

/** `KEY=value` entries for a container's `envs`, in the given order. A secret value stays a secret entry. */
export function envList(env: Record<string, pulumi.Input<string>>): pulumi.Output<string>[] {
    return Object.entries(env).map(([name, value]) => pulumi.interpolate`${name}=${value}`);
}

/**
 * Mode of every uploaded secret file: read-only, readable by its owner (root: Docker's uploads
 * carry uid 0 and gid 0) and group 0, by nobody else. Each process that reads one runs as root or
 * in group 0 (see SECRET_USERS).
 */
export const SECRET_FILE_MODE = "0440";

/**
 * The users the secret-reading containers run as: the image's own unprivileged uid with group 0,
 * so it reads the root:0 0440 files and nothing else changes. node (server image, node:24-slim)
 * is uid 1000; redis (redis:7.4-alpine) is uid 999 (group `redis` is 1000 there). PostgreSQL keeps
 * its image's default (root entrypoint that reads POSTGRES_PASSWORD_FILE, then drops to uid 70).
 */
export const SECRET_USERS = { server: "1000:0", redis: "999:0" } as const;

/** Where the server and migrate containers find their secret files (a read-only volume). */
export const SECRETS_DIR = "/run/secrets";

/** One uploaded secret file: a Docker container upload, secret content, SECRET_FILE_MODE. */
export function secretUpload(file: string, content: pulumi.Input<string>): docker.types.input.ContainerUpload {
    return { file, content: pulumi.secret(pulumi.output(content)), permissions: SECRET_FILE_MODE };
}

export interface SecretVolume {
    volume: docker.Volume;
    /** The unstarted container the files are uploaded through. */
    loader: docker.Container;
    /** Each file's full path by its variable name (e.g. DATABASE_URL -> /run/secrets/database-url). */
    paths: Record<string, string>;
    /** The volume, to mount read-only at SECRETS_DIR. */
    mount: docker.types.input.ContainerVolume;
}

/**
 * Secret files for a container with a read-only root file system. Docker refuses any copy into
 * such a container (the provider extracts its uploads at `/`, which is not in a volume), so the
 * files go through `<role>-loader`: a container of `image` that is created and never started,
 * with the volume mounted read-write at SECRETS_DIR; Docker extracts the uploads into the volume.
 * The readers mount it read-only. `files` maps each variable to its file name and content.
 */
export function secretVolume(
    scope: Scope,
    role: string,
    image: pulumi.Input<string>,
    files: Record<string, { name: string; content: pulumi.Input<string> }>,
): SecretVolume {
    const volume = scope.child(`${role}`, docker.Volume, { driver: "local", labels: labels(scope, { "mcp-infra.secrets": role }) });
    const paths = Object.fromEntries(Object.entries(files).map(([v, f]) => [v, `${SECRETS_DIR}/${f.name}`]));
    const loader = scope.child(`${role}-loader`, docker.Container, {
        image,
        // Created, never started: it only holds the volume while Docker copies the files in.
        start: false,
        mustRun: false,
        restart: "no",
        networkMode: "none",
        volumes: [{ volumeName: volume.name, containerPath: SECRETS_DIR }],
        uploads: Object.entries(files).map(([v, f]) => secretUpload(paths[v], f.content)),
        labels: labels(scope, { "mcp-infra.secrets": role }),
    });
    return { volume, loader, paths, mount: { volumeName: volume.name, containerPath: SECRETS_DIR, readOnly: true } };
}

/** Labels that let `docker ps --filter label=mcp-infra.stack=<stack>` find what a stack runs. */
export function labels(scope: Scope, extra: Record<string, string> = {}): docker.types.input.ContainerLabel[] {
    return Object.entries({
        "mcp-infra.project": pulumi.getProject(),
        "mcp-infra.stack": pulumi.getStack(),
        "mcp-infra.component": scope.name,
        ...extra,
    }).map(([label, value]) => ({ label, value }));
}

/**
 * Container logs: Docker's json-file driver, rotated by size (three files of
 * 10 MB per container), so they never fill the disk. Docker has no retention
 * by days; logs go with the container.
 */
export const LOGS = { logDriver: "json-file", logOpts: { "max-size": "10m", "max-file": "3" } } as const;

/** A third-party image, pulled once and kept when the stack is destroyed (other projects may use it too). */
export function pulledImage(scope: Scope, role: string, name: string): docker.RemoteImage {
    return scope.child(role, docker.RemoteImage, { name, keepLocally: true });
}

/** Docker's `cpus` for a size in thousandths of a vCPU: 250 -> "0.25". */
export function cpus(milliCpu: number): string {
    return String(milliCpu / 1000);
}

/** Thousandths of a vCPU from Docker's `cpus`: "0.25" -> 250. */
export function milliCpuOf(value: string | undefined): number {
    return Math.round(Number(value ?? 0) * 1000);
}

export type Architecture = "arm64" | "x86_64";

/** Docker's platform for each architecture. */
export const PLATFORMS: Readonly<Record<Architecture, string>> = { arm64: "linux/arm64", x86_64: "linux/amd64" };

/**
 * The Docker host's CPU architecture, taken to be this machine's: the local
 * target expects its Docker engine on the machine that runs `pulumi up`.
 */
export function hostArchitecture(arch: string = process.arch): Architecture {
    if (arch === "arm64") return "arm64";
    if (arch === "x64") return "x86_64";
    throw new Error(`the local target runs on x86_64 and arm64 Docker hosts; this machine is ${arch}`);
}

/** The architecture a Docker platform names (`linux/arm64` -> arm64), or the host's when none is set. */
export function architectureOf(platform: string | undefined): Architecture {
    const found = (Object.keys(PLATFORMS) as Architecture[]).find((a) => PLATFORMS[a] === platform);
    return found ?? hostArchitecture();
}
