/**
 * SessionCache on the local target: one Redis container on the internal data
 * network, no port published on the host, AUTH required (`requirepass` with a
 * generated password), memory capped at the tier's cache size with TTL-aware
 * eviction, and no persistence (session state and rate-limit counters are
 * short-lived, as on the clouds' caches without snapshots).
 *
 * The settings, password included, are a config file (`renderRedisConfig`)
 * uploaded root:0 0440 and named on the command line (`redis-server <file>`),
 * so the password is in no environment value and no command line; Redis runs
 * as its image's uid 999 in group 0 to read it, and the health check reads the
 * password from the same file.
 *
 * No TLS: the server reaches Redis over the host's internal Docker bridge, so
 * REDIS_URL is `redis://` and the summary says `tls: false`. There is no
 * replica and no encryption at rest either.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ConfigError, overrideKey } from "../../sizing";
import { Scope } from "../base";
import { CacheImpl, CacheInput, CACHE_PORT as CONTRACT_CACHE_PORT } from "../contract";
import { CacheSummary } from "../types";
import { IMAGES, labels, LOGS, pulledImage, secretUpload, SECRET_USERS, stateJsonSecret } from "./common";
import { LocalNetwork } from "./network";

export const CACHE_PORT = CONTRACT_CACHE_PORT;

export interface LocalCache extends CacheImpl {
    container: docker.Container;
}

/** Where the Redis config file is uploaded (the path the official image's documentation uses). */
export const REDIS_CONF_PATH = "/usr/local/etc/redis/redis.conf";

/** The Redis server's configuration for a memory cap and a password. */
export function renderRedisConfig(maxMemoryMiB: number, password: string): string {
    // Unquoted in the file and read back by the health check with sed: no blank, quote or backslash.
    if (!/^[\x21-\x7e]+$/.test(password) || /["'\\]/.test(password)) {
        throw new Error("the Redis password must be printable ASCII without blanks, quotes or backslashes");
    }
    return [
        `port ${CACHE_PORT}`,
        `requirepass ${password}`,
        `maxmemory ${maxMemoryMiB}mb`,
        // Every key the server writes has a TTL: evict the least recently used of those first.
        "maxmemory-policy volatile-lru",
        'save ""',
        "appendonly no",
        "",
    ].join("\n");
}

/** The value of a directive in a Redis config file, if any. */
function directive(config: string, name: string): string | undefined {
    return new RegExp(`^${name}[ \\t]+(.*)$`, "m").exec(config)?.[1].trim();
}

/** The health check: PING with the password read from the config file (never on a command line). */
export const REDIS_HEALTH_COMMAND = `REDISCLI_AUTH="$(sed -n 's/^requirepass //p' ${REDIS_CONF_PATH})" redis-cli -p ${CACHE_PORT} ping | grep -q PONG`;

/** The container inputs the summary is computed from. */
export interface RedisContainerSummaryInputs {
    image: string;
    /** The uploaded config file. */
    config: string;
    publishedPorts: number;
}

/** Describes the Redis container in cloud-neutral terms, from its config file. */
export function summarizeRedisContainer(i: RedisContainerSummaryInputs): CacheSummary {
    const maxMemory = /^(\d+)mb$/i.exec(directive(i.config, "maxmemory") ?? "");
    return {
        cloud: "local",
        engine: "redis",
        sku: i.image,
        memoryMiB: maxMemory ? Number(maxMemory[1]) : 0,
        highAvailability: false,
        replicas: 0,
        tls: directive(i.config, "tls-port") !== undefined,
        encryptedAtRest: false,
        authRequired: !!directive(i.config, "requirepass"),
        publicAccess: i.publishedPorts > 0,
    };
}

export function createCache(scope: Scope, { network, spec, overrides }: CacheInput<LocalNetwork>): LocalCache {
    if (overrides.cacheNodeType) {
        throw new ConfigError(
            overrideKey("cacheNodeType"),
            `"${overrides.cacheNodeType}" names a cloud node type; the local cache is a container sized by cacheMemoryMiB, so unset cacheNodeType`,
        );
    }
    const net = network;
    const host = scope.name;

    const image = pulledImage(scope, "image", IMAGES.redis);
    const password = scope.child("password", random.RandomPassword, { length: 48, special: false });
    const config = pulumi.secret(password.result.apply((pw) => renderRedisConfig(spec.cache.memoryMiB, pw)));

    const container = scope.child(
        "redis",
        docker.Container,
        {
            image: image.imageId,
            hostname: host,
            networksAdvanced: [{ name: net.data.name, aliases: [host] }],
            command: ["redis-server", REDIS_CONF_PATH],
            // The image's redis user, in group 0 to read the root:0 0440 config (the entrypoint then skips its su-exec).
            user: SECRET_USERS.redis,
            uploads: [secretUpload(REDIS_CONF_PATH, config)],
            healthcheck: {
                tests: ["CMD-SHELL", REDIS_HEALTH_COMMAND],
                interval: "5s",
                timeout: "3s",
                retries: 10,
                startPeriod: "5s",
            },
            wait: true,
            waitTimeout: 60,
            restart: "unless-stopped",
            ...LOGS,
            labels: labels(scope),
        },
        {
            // Never two containers under one alias, so the servers reconnect to the new one only.
            deleteBeforeReplace: true,
        },
    );

    const auth = stateJsonSecret(
        password.result.apply((t) => ({
            host,
            port: CACHE_PORT,
            token: t,
            url: `redis://:${encodeURIComponent(t)}@${host}:${CACHE_PORT}`,
        })),
    );

    const used = scope.inputs<docker.ContainerArgs>("redis");
    const pulled = scope.inputs<docker.RemoteImageArgs>("image");
    // The config file holds the password; the summary keeps only whether one is required, so it is not a secret.
    const summary = pulumi.unsecret(
        pulumi.output({ image: pulled.name, uploads: used.uploads, ports: used.ports }).apply((u) =>
            summarizeRedisContainer({
                image: String(u.image),
                config: String((u.uploads ?? []).find((f) => f.file === REDIS_CONF_PATH)?.content ?? ""),
                publishedPorts: u.ports?.length ?? 0,
            }),
        ),
    );

    return {
        endpoint: pulumi.output(host),
        port: pulumi.output(CACHE_PORT),
        authSecret: { id: auth },
        urlSecret: { id: auth, key: "url" },
        summary,
        container,
        resources: { image, container },
    };
}
