import { createHash } from "node:crypto";
import Redis, { Cluster, type RedisOptions } from "ioredis";
import { asDependency } from "../errors";
import { MemorySessionStore } from "./memory";
import { MAX_NOTES_PER_CLIENT, type Note, type NoteInfo, type RateDecision, type SessionStore } from "./store";

// KEYS: index zset, note key. ARGV: now ms, expiresAt ms, ttl ms, value, max notes, note name.
const PUT_NOTE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if not redis.call('ZSCORE', KEYS[1], ARGV[6]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[5]) then
  return 0
end
redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[6])
local last = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return 1`;

// KEYS: counter. ARGV: window ms. Returns {count, pttl}.
const HIT = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {c, ttl}`;

interface Scripts {
    mcpPutNote(index: string, note: string, ...argv: (string | number)[]): Promise<number>;
    mcpHit(key: string, windowMs: number): Promise<[number, number]>;
}

type ScriptedRedis = (Redis | Cluster) & Scripts;

/**
 * The hash tag that keeps one client's keys in one Redis Cluster slot (the scripts and MULTI blocks touch
 * two of them). An id Redis would not read as a tag of its own (empty, or holding a brace) is replaced by
 * its SHA-256, so two clients never share a tag and no key falls outside its client's slot.
 */
export function hashTag(id: string): string {
    return id !== "" && !/[{}]/.test(id) ? id : `sha256:${createHash("sha256").update(id).digest("hex")}`;
}

/** Host and port of a redis:// or rediss:// URL, the password and user it carries, and whether it asks for TLS. */
function parseRedisUrl(url: string): { host: string; port: number; username?: string; password?: string; tls: boolean } {
    const u = new URL(url);
    return {
        host: u.hostname.replace(/^\[|\]$/g, ""),
        port: u.port ? Number(u.port) : 6379,
        username: u.username ? decodeURIComponent(u.username) : undefined,
        password: u.password ? decodeURIComponent(u.password) : undefined,
        tls: u.protocol === "rediss:",
    };
}

export interface RedisSessionStoreOptions {
    /** Key prefix, so several deployments can share one Redis. @default "mcp:" */
    prefix?: string;
    /** @default MAX_NOTES_PER_CLIENT */
    maxNotesPerClient?: number;
    onError?: (err: Error) => void;
    /** Called once each time rate limiting falls back to this replica's memory (Redis unreachable). */
    onLocalLimits?: (err: Error) => void;
    /** PEM of a private CA that signs the server's certificate (e.g. Memorystore's); only for rediss:// URLs. */
    tlsCa?: string;
    /**
     * Speak Redis Cluster (REDIS_CLUSTER=true): the URL names one node, the client learns the others and their
     * slots from it and follows MOVED/ASK redirects. Needed for ElastiCache Serverless, which always runs in
     * cluster mode. @default false
     */
    cluster?: boolean;
}

/**
 * Session store in Redis (`redis://`, or `rediss://` for TLS; password in the URL), shared by
 * all replicas. Commands fail fast while Redis is unreachable instead of queueing, and the
 * client reconnects in the background.
 */
export class RedisSessionStore implements SessionStore {
    readonly backend = "redis" as const;
    private readonly redis: ScriptedRedis;
    private readonly prefix: string;
    private readonly maxPerClient: number;
    /**
     * Rate limits while Redis is unreachable: each replica counts in its own memory, so a
     * client may get up to the limit from every replica until Redis returns. Failing open per
     * replica keeps every tool that needs no session state answering through an outage.
     */
    private readonly localLimits = new MemorySessionStore();
    private limitingLocally = false;
    private readonly onLocalLimits?: (err: Error) => void;

    constructor(url: string, opts: RedisSessionStoreOptions = {}) {
        this.onLocalLimits = opts.onLocalLimits;
        this.prefix = opts.prefix ?? "mcp:";
        this.maxPerClient = opts.maxNotesPerClient ?? MAX_NOTES_PER_CLIENT;
        const common: RedisOptions = {
            connectTimeout: 3000,
            commandTimeout: 3000,
            ...(opts.tlsCa ? { tls: { ca: opts.tlsCa } } : {}),
        };
        // Commands issued in one turn of the event loop (several requests' rate-limit hits) go out as
        // one pipeline, one write(2) instead of one each; while a pipeline is in flight the next one
        // collects (per node in a cluster). docs/server-protocol.md, "Redis commands, pipelined".
        const enableAutoPipelining = true;
        let redis: Redis | Cluster;
        if (opts.cluster) {
            const node = parseRedisUrl(url);
            redis = new Cluster([{ host: node.host, port: node.port }], {
                enableAutoPipelining,
                lazyConnect: true,
                enableOfflineQueue: false,
                maxRedirections: 16,
                slotsRefreshTimeout: 3000,
                clusterRetryStrategy: (times) => Math.min(times * 200, 2000),
                // Nodes announce addresses that their TLS certificates name (ElastiCache serverless: one endpoint name):
                // connect to them as announced instead of resolving them to IPs the certificate does not list.
                dnsLookup: (address, callback) => callback(null, address),
                redisOptions: {
                    ...common,
                    username: node.username,
                    password: node.password,
                    maxRetriesPerRequest: 1,
                    ...(node.tls ? { tls: { ...(opts.tlsCa ? { ca: opts.tlsCa } : {}) } } : {}),
                },
            });
        } else {
            redis = new Redis(url, {
                ...common,
                enableAutoPipelining,
                lazyConnect: true,
                enableOfflineQueue: false,
                maxRetriesPerRequest: 1,
                retryStrategy: (times) => Math.min(times * 200, 2000),
            });
        }
        redis.on("error", (err: Error) => opts.onError?.(err));
        redis.defineCommand("mcpPutNote", { numberOfKeys: 2, lua: PUT_NOTE });
        redis.defineCommand("mcpHit", { numberOfKeys: 1, lua: HIT });
        this.redis = redis as ScriptedRedis;
    }

    /** First connection; when it fails the client keeps retrying in the background. */
    async connect(): Promise<void> {
        await this.redis.connect();
    }

    // The {client} hash tag keeps a client's keys in one Redis Cluster slot.
    private indexKey(clientId: string): string {
        return `${this.prefix}notes:{${hashTag(clientId)}}`;
    }

    private noteKey(clientId: string, key: string): string {
        return `${this.prefix}note:{${hashTag(clientId)}}:${key}`;
    }

    async putNote(clientId: string, key: string, value: string, ttlSeconds: number): Promise<"stored" | "limit"> {
        return asDependency("session store (Redis)", async () => {
            const now = Date.now();
            const ttlMs = ttlSeconds * 1000;
            const stored = await this.redis.mcpPutNote(
                this.indexKey(clientId),
                this.noteKey(clientId, key),
                now,
                now + ttlMs,
                ttlMs,
                value,
                this.maxPerClient,
                key,
            );
            return stored === 1 ? "stored" : "limit";
        });
    }

    async getNote(clientId: string, key: string): Promise<Note | null> {
        return asDependency("session store (Redis)", async () => {
            const res = await this.redis.multi().get(this.noteKey(clientId, key)).pttl(this.noteKey(clientId, key)).exec();
            const value = res?.[0]?.[1] as string | null;
            const pttl = res?.[1]?.[1] as number;
            if (value === null || value === undefined || pttl < 0) return null;
            return { key, value, expiresAt: new Date(Date.now() + pttl) };
        });
    }

    async listNotes(clientId: string): Promise<NoteInfo[]> {
        return asDependency("session store (Redis)", async () => {
            const flat = await this.redis.zrangebyscore(this.indexKey(clientId), `(${Date.now()}`, "+inf", "WITHSCORES");
            const out: NoteInfo[] = [];
            for (let i = 0; i < flat.length; i += 2) out.push({ key: flat[i], expiresAt: new Date(Number(flat[i + 1])) });
            return out.sort((a, b) => a.key.localeCompare(b.key));
        });
    }

    async deleteNote(clientId: string, key: string): Promise<boolean> {
        return asDependency("session store (Redis)", async () => {
            const res = await this.redis.multi().del(this.noteKey(clientId, key)).zrem(this.indexKey(clientId), key).exec();
            return (res?.[0]?.[1] as number) === 1;
        });
    }

    async hit(bucket: string, limit: number, windowSeconds: number): Promise<RateDecision> {
        let decision: RateDecision;
        try {
            const [count, pttl] = await this.redis.mcpHit(`${this.prefix}rl:{${hashTag(bucket)}}`, windowSeconds * 1000);
            decision = {
                allowed: count <= limit,
                remaining: Math.max(0, limit - count),
                retryAfterSeconds: Math.max(1, Math.ceil(pttl / 1000)),
            };
        } catch (err) {
            if (!this.limitingLocally) this.onLocalLimits?.(err as Error);
            this.limitingLocally = true;
            return this.localLimits.hit(bucket, limit, windowSeconds);
        }
        this.limitingLocally = false;
        return decision;
    }

    async ping(): Promise<void> {
        await this.redis.ping();
    }

    async close(): Promise<void> {
        await this.redis.quit().catch(() => this.redis.disconnect());
    }
}
