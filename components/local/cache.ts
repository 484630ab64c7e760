/**
 * SessionCache on the local target: one Redis container on the internal data
 * network, no port published on the host, AUTH required (`--requirepass`
 * with a generated password), memory capped at the tier's cache size with
 * TTL-aware eviction, and no persistence (session state and rate-limit
 * counters are short-lived, as on the clouds' caches without snapshots).
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
import { envList, IMAGES, labels, LOGS, pulledImage, stateJsonSecret } from "./common";
import { LocalNetwork } from "./network";

export const CACHE_PORT = CONTRACT_CACHE_PORT;

export interface LocalCache extends CacheImpl {
    container: docker.Container;
}

/** The Redis server's command line for a memory cap and a password. */
export function redisCommand(maxMemoryMiB: number, password: pulumi.Input<string>): pulumi.Input<string>[] {
    return [
        "redis-server",
        "--port", String(CACHE_PORT),
        "--requirepass", password,
        "--maxmemory", `${maxMemoryMiB}mb`,
        // Every key the server writes has a TTL: evict the least recently used of those first.
        "--maxmemory-policy", "volatile-lru",
        "--save", "",
        "--appendonly", "no",
    ];
}

/** The value following a flag on a command line, if any. */
function flag(command: string[], name: string): string | undefined {
    const i = command.indexOf(name);
    return i >= 0 ? command[i + 1] : undefined;
}

/** The container inputs the summary is computed from. */
export interface RedisContainerSummaryInputs {
    image: string;
    command: string[];
    publishedPorts: number;
}

/** Describes the Redis container in cloud-neutral terms, from its command line. */
export function summarizeRedisContainer(i: RedisContainerSummaryInputs): CacheSummary {
    const maxMemory = /^(\d+)mb$/i.exec(flag(i.command, "--maxmemory") ?? "");
    return {
        cloud: "local",
        engine: "redis",
        sku: i.image,
        memoryMiB: maxMemory ? Number(maxMemory[1]) : 0,
        highAvailability: false,
        replicas: 0,
        tls: flag(i.command, "--tls-port") !== undefined,
        encryptedAtRest: false,
        authRequired: !!flag(i.command, "--requirepass"),
        publicAccess: i.publishedPorts > 0,
    };
}

export function createCache(scope: Scope, { network, spec, overrides }: CacheInput<LocalNetwork>): LocalCache {
    if (overrides.cacheNodeType) {
        throw new ConfigError(overrideKey("cacheNodeType"),
            `"${overrides.cacheNodeType}" names a cloud node type; the local cache is a container sized by cacheMemoryMiB, so unset cacheNodeType`);
    }
    const net = network;
    const host = scope.name;

    const image = pulledImage(scope, "image", IMAGES.redis);
    const password = scope.child("password", random.RandomPassword, { length: 48, special: false });
    const secret = pulumi.secret(password.result);

    const container = scope.child("redis", docker.Container, {
        image: image.imageId,
        hostname: host,
        networksAdvanced: [{ name: net.data.name, aliases: [host] }],
        command: redisCommand(spec.cache.memoryMiB, secret),
        // redis-cli reads its password from REDISCLI_AUTH, so the health check carries none.
        envs: envList({ REDISCLI_AUTH: secret }),
        healthcheck: {
            tests: ["CMD-SHELL", "redis-cli ping | grep -q PONG"],
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
    }, {
        // Never two containers under one alias, so the servers reconnect to the new one only.
        deleteBeforeReplace: true,
    });

    const auth = stateJsonSecret(password.result.apply((t) => ({
        host,
        port: CACHE_PORT,
        token: t,
        url: `redis://:${encodeURIComponent(t)}@${host}:${CACHE_PORT}`,
    })));

    const used = scope.inputs<docker.ContainerArgs>("redis");
    const pulled = scope.inputs<docker.RemoteImageArgs>("image");
    // The command line holds the password; the summary keeps only whether one is required, so it is not a secret.
    const summary = pulumi.unsecret(pulumi.output({ image: pulled.name, command: used.command, ports: used.ports })
        .apply((u) => summarizeRedisContainer({
            image: String(u.image),
            command: (u.command ?? []).map(String),
            publishedPorts: u.ports?.length ?? 0,
        })));

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
