import * as os from "node:os";
import { isIP } from "node:net";

import { parseAnchorLocation } from "./audit/anchors";
import { validateKeyEntries } from "./auth/apiKeys";
import { ConfigError } from "./errors";
import { parsePemBundle, readConfigFile, resolveFileVars } from "./secretFiles";

export { ConfigError };

export type DatabaseSsl = "disable" | "require" | "verify-full";

export type DatabaseConfig =
    /** `ca`: PEM the server's certificate must chain to (verify-full); without it, Node's public roots. */
    | { kind: "postgres"; url: string; ssl: DatabaseSsl; caFile?: string; ca?: string }
    /** `dataDir: "memory"` keeps the embedded store in memory (lost on exit). */
    | { kind: "embedded"; dataDir: string };

/** Checkpoints of the audit chain to write-once storage, and how the schema is managed. */
export interface AuditConfig {
    /** MCP_AUDIT_ANCHORS: s3://, gs://, azblob://, file:// or a directory; unset: no checkpoints. */
    anchors?: string;
    /** MCP_AUDIT_CHECKPOINT_INTERVAL_S (default 60). */
    checkpointIntervalSeconds: number;
    /** MCP_AUDIT_CHECKPOINT_ENTRIES: checkpoint early once this many entries are unanchored (default 1000). */
    checkpointEntries: number;
    /** MCP_AUDIT_MIGRATE: "auto" (default) upgrades the schema itself; "off" expects audit:migrate to have run. */
    migrate: "auto" | "off";
    /** MCP_AUDIT_S3_ENDPOINT: an S3-compatible endpoint (path-style), e.g. an emulator. */
    s3Endpoint?: string;
    /** MCP_AUDIT_AZURE_BLOB_ENDPOINT: the blob service URL when not https://<account>.blob.core.windows.net. */
    azureBlobEndpoint?: string;
}

export interface OAuthConfig {
    issuer: string;
    audience: string;
    jwksUrl: string;
    /** Public URL of the /mcp resource (RFC 9728 `resource`). */
    resourceUrl: string;
}

export interface AppConfig {
    port: number;
    host: string;
    /** When set, /metrics is served only on this port. */
    metricsPort?: number;
    database: DatabaseConfig;
    redisUrl?: string;
    /** PEM of a private CA the Redis server's TLS certificate chains to (REDIS_CA_CERT). */
    redisCaCert?: string;
    /** REDIS_URL names one node of a Redis Cluster (REDIS_CLUSTER=true), e.g. ElastiCache Serverless. */
    redisCluster: boolean;
    apiKeys: string[];
    apiKeysFile?: string;
    oauth?: OAuthConfig;
    allowUnauthenticated: boolean;
    /** Host header values accepted on /mcp; undefined = loopback names with the bound port. */
    allowedHosts?: string[];
    allowedOrigins: string[];
    tier: string;
    replicaId: string;
    logLevel: string;
    /** LOG_SYNC=true: one write per log line (default: buffered, see logger.ts). */
    logSync: boolean;
    toolsConfig?: string;
    handlersDir?: string;
    maxBodyBytes: number;
    /** Requests per client per minute on /mcp; 0 disables the limit. */
    rateLimitPerMinute: number;
    /** Accepted but risky settings, logged at start (world-readable secret files, unverified database TLS). */
    warnings?: string[];
    audit: AuditConfig;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

type Env = Record<string, string | undefined>;

function get(env: Env, name: string): string | undefined {
    const v = env[name];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
}

function intVar(env: Env, name: string, dflt: number, min: number, max: number): number {
    const raw = get(env, name);
    if (raw === undefined) return dflt;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
        throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    }
    return Number(raw);
}

function list(env: Env, name: string): string[] | undefined {
    const raw = get(env, name);
    if (raw === undefined) return undefined;
    return raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
    const h = host.replace(/^\[|\]$/g, "").toLowerCase();
    if (h === "localhost" || h === "::1") return true;
    return isIP(h) === 4 && h.startsWith("127.");
}

/** Tiers on which the database's certificate must be verified (DATABASE_SSL=require is refused). */
const VERIFIED_DB_TIERS = ["prod", "enterprise"];

/** DATABASE_CA_CERT (PEM, or DATABASE_CA_CERT_FILE) or the older DATABASE_CA_FILE, checked to parse. */
function databaseCa(env: Env, ssl: DatabaseSsl): { ca?: string; caFile?: string } {
    const caFile = get(env, "DATABASE_CA_FILE");
    let ca = get(env, "DATABASE_CA_CERT");
    if (caFile !== undefined && ca !== undefined)
        throw new ConfigError("Set DATABASE_CA_CERT (or DATABASE_CA_CERT_FILE) or DATABASE_CA_FILE, not both");
    const name = caFile !== undefined ? "DATABASE_CA_FILE" : "DATABASE_CA_CERT";
    if (caFile !== undefined) ca = readConfigFile("DATABASE_CA_FILE", caFile, false).text;
    if (ca === undefined) return {};
    if (ssl !== "verify-full") throw new ConfigError(`${name} is only used with DATABASE_SSL=verify-full`);
    parsePemBundle(name, ca);
    return { ca, caFile };
}

/**
 * The audit database settings alone (DATABASE_URL[_FILE], DATABASE_SSL, DATABASE_CA_CERT[_FILE],
 * MCP_DATA_DIR). DATABASE_SSL: `disable` (plain), `require` (encrypted, server NOT verified:
 * refused on the prod and enterprise tiers), `verify-full` (certificate chain and host name
 * checked against DATABASE_CA_CERT, or Node's public roots when none is given).
 */
export function parseDatabase(env: Env): DatabaseConfig {
    env = resolveFileVars(env, ["DATABASE_URL", "DATABASE_CA_CERT"]).env;
    const url = get(env, "DATABASE_URL");
    if (url === undefined) return { kind: "embedded", dataDir: get(env, "MCP_DATA_DIR") ?? "./data" };
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        throw new ConfigError("DATABASE_URL is not a valid URL (expected postgres://user:password@host:5432/db)");
    }
    if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
        throw new ConfigError(`DATABASE_URL must use postgres:// or postgresql://, got "${parsed.protocol}//"`);
    }
    const sslmode = parsed.searchParams.get("sslmode");
    const fromUrl: DatabaseSsl | undefined =
        sslmode === null
            ? undefined
            : sslmode === "disable"
              ? "disable"
              : sslmode === "verify-full" || sslmode === "verify-ca"
                ? "verify-full"
                : "require";
    const raw = get(env, "DATABASE_SSL");
    if (raw !== undefined && !["disable", "require", "verify-full"].includes(raw)) {
        throw new ConfigError(`DATABASE_SSL must be one of disable, require, verify-full; got "${raw}"`);
    }
    const ssl = (raw as DatabaseSsl | undefined) ?? fromUrl ?? "disable";
    const { ca, caFile } = databaseCa(env, ssl);
    const tier = get(env, "MCP_TIER") ?? "dev";
    if (ssl === "require" && VERIFIED_DB_TIERS.includes(tier)) {
        throw new ConfigError(
            `DATABASE_SSL=require (or sslmode=require) encrypts without verifying the database server, which the ${tier} tier refuses: ` +
                "set DATABASE_SSL=verify-full, with DATABASE_CA_CERT or DATABASE_CA_CERT_FILE unless the server's CA is a public root",
        );
    }
    // TLS is configured from DATABASE_SSL alone, so the URL's own ssl parameters are dropped.
    for (const p of ["sslmode", "ssl", "sslrootcert", "sslcert", "sslkey"]) parsed.searchParams.delete(p);
    return { kind: "postgres", url: parsed.toString(), ssl, caFile, ...(ca !== undefined ? { ca } : {}) };
}

/** The audit checkpoint and schema settings (MCP_AUDIT_*). */
export function parseAuditConfig(env: Env): AuditConfig {
    const migrate = get(env, "MCP_AUDIT_MIGRATE") ?? "auto";
    if (migrate !== "auto" && migrate !== "off") throw new ConfigError(`MCP_AUDIT_MIGRATE must be "auto" or "off", got "${migrate}"`);
    const anchors = get(env, "MCP_AUDIT_ANCHORS");
    if (anchors !== undefined) {
        try {
            parseAnchorLocation(anchors);
        } catch (err) {
            throw new ConfigError(`MCP_AUDIT_ANCHORS: ${(err as Error).message}`);
        }
    }
    for (const name of ["MCP_AUDIT_S3_ENDPOINT", "MCP_AUDIT_AZURE_BLOB_ENDPOINT"]) {
        const v = get(env, name);
        if (v !== undefined && !/^https?:\/\/[^\s]+$/.test(v))
            throw new ConfigError(`${name} must be an http(s) URL, got "${v.slice(0, 100)}"`);
    }
    return {
        anchors,
        checkpointIntervalSeconds: intVar(env, "MCP_AUDIT_CHECKPOINT_INTERVAL_S", 60, 1, 86_400),
        checkpointEntries: intVar(env, "MCP_AUDIT_CHECKPOINT_ENTRIES", 1000, 1, 1_000_000),
        migrate,
        s3Endpoint: get(env, "MCP_AUDIT_S3_ENDPOINT"),
        azureBlobEndpoint: get(env, "MCP_AUDIT_AZURE_BLOB_ENDPOINT"),
    };
}

function parseOAuth(env: Env): OAuthConfig | undefined {
    const names = ["OAUTH_ISSUER", "OAUTH_AUDIENCE", "OAUTH_JWKS_URL", "MCP_RESOURCE_URL"] as const;
    const values = names.map((n) => get(env, n));
    if (values.every((v) => v === undefined)) return undefined;
    const missing = names.filter((_, i) => values[i] === undefined);
    if (missing.length > 0) {
        throw new ConfigError(`OAuth resource-server mode needs ${names.join(", ")}; missing ${missing.join(", ")}`);
    }
    const [issuer, audience, jwksUrl, resourceUrl] = values as string[];
    for (const [name, v] of [
        ["OAUTH_JWKS_URL", jwksUrl],
        ["MCP_RESOURCE_URL", resourceUrl],
    ] as const) {
        let u: URL;
        try {
            u = new URL(v);
        } catch {
            throw new ConfigError(`${name} must be an absolute http(s) URL, got "${v}"`);
        }
        if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopbackHost(u.hostname))) {
            throw new ConfigError(`${name} must use https:// (http:// is accepted for loopback only), got "${v}"`);
        }
    }
    return { issuer, audience, jwksUrl, resourceUrl };
}

function parseOrigins(env: Env): string[] {
    const origins = list(env, "MCP_ALLOWED_ORIGINS") ?? [];
    for (const o of origins) {
        let u: URL | undefined;
        try {
            u = new URL(o);
        } catch {
            u = undefined;
        }
        if (u === undefined || u.origin !== o.replace(/\/$/, "")) {
            throw new ConfigError(`MCP_ALLOWED_ORIGINS entries must be origins like https://app.example.com (no "*", no path); got "${o}"`);
        }
    }
    return origins.map((o) => o.replace(/\/$/, ""));
}

/** Reads and checks the whole configuration from environment variables. */
export function loadConfig(env: Env = process.env): AppConfig {
    const files = resolveFileVars(env);
    env = files.env;
    const warnings = files.warnings;
    const host = get(env, "HOST") ?? "127.0.0.1";
    const port = intVar(env, "PORT", 8080, 0, 65535);
    const metricsPort = get(env, "METRICS_PORT") === undefined ? undefined : intVar(env, "METRICS_PORT", 0, 0, 65535);
    const redisUrl = get(env, "REDIS_URL");
    if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
        throw new ConfigError("REDIS_URL must start with redis:// or rediss:// (TLS)");
    }
    const redisCaCert = get(env, "REDIS_CA_CERT");
    if (redisCaCert !== undefined) {
        if (!redisUrl?.startsWith("rediss://")) throw new ConfigError("REDIS_CA_CERT is only used with a rediss:// REDIS_URL");
        if (!redisCaCert.includes("-----BEGIN CERTIFICATE-----")) {
            throw new ConfigError("REDIS_CA_CERT must hold a PEM certificate (-----BEGIN CERTIFICATE----- ...)");
        }
    }
    const clusterRaw = get(env, "REDIS_CLUSTER");
    if (clusterRaw !== undefined && clusterRaw !== "true" && clusterRaw !== "false") {
        throw new ConfigError(`REDIS_CLUSTER must be "true" or "false", got "${clusterRaw}"`);
    }
    if (clusterRaw === "true" && redisUrl === undefined)
        throw new ConfigError("REDIS_CLUSTER=true needs REDIS_URL (one node of the cluster)");
    const allowRaw = get(env, "MCP_ALLOW_UNAUTHENTICATED");
    if (allowRaw !== undefined && allowRaw !== "true" && allowRaw !== "false") {
        throw new ConfigError(`MCP_ALLOW_UNAUTHENTICATED must be "true" or "false", got "${allowRaw}"`);
    }
    const logLevel = get(env, "LOG_LEVEL") ?? "info";
    if (!LOG_LEVELS.includes(logLevel)) {
        throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}; got "${logLevel}"`);
    }
    const logSyncRaw = get(env, "LOG_SYNC");
    if (logSyncRaw !== undefined && logSyncRaw !== "true" && logSyncRaw !== "false") {
        throw new ConfigError(`LOG_SYNC must be "true" or "false", got "${logSyncRaw}"`);
    }
    const apiKeysFile = get(env, "MCP_API_KEYS_FILE");
    if (apiKeysFile !== undefined) {
        const keys = readConfigFile("MCP_API_KEYS_FILE", apiKeysFile, true);
        if (!keys.text.split(/\r?\n/).some((l) => l.trim() !== "" && !l.trim().startsWith("#"))) {
            throw new ConfigError(`MCP_API_KEYS_FILE=${apiKeysFile} holds no key (only blank lines and # comments)`);
        }
        if (keys.warning) warnings.push(keys.warning);
    }
    const allowedHosts = list(env, "MCP_ALLOWED_HOSTS")?.map((h) => h.toLowerCase());
    if (allowedHosts?.includes("*")) throw new ConfigError('MCP_ALLOWED_HOSTS must list host names; "*" is not allowed');

    const config: AppConfig = {
        port,
        host,
        metricsPort,
        database: parseDatabase(env),
        redisUrl,
        redisCaCert,
        redisCluster: clusterRaw === "true",
        apiKeys: validateKeyEntries(list(env, "MCP_API_KEYS") ?? []),
        apiKeysFile,
        oauth: parseOAuth(env),
        allowUnauthenticated: allowRaw === "true",
        allowedHosts,
        allowedOrigins: parseOrigins(env),
        tier: get(env, "MCP_TIER") ?? "dev",
        replicaId: get(env, "MCP_REPLICA_ID") ?? `${os.hostname()}-${process.pid}`,
        logLevel,
        logSync: logSyncRaw === "true",
        toolsConfig: get(env, "MCP_TOOLS_CONFIG"),
        handlersDir: get(env, "MCP_HANDLERS_DIR"),
        maxBodyBytes: intVar(env, "MCP_MAX_BODY_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024),
        rateLimitPerMinute: intVar(env, "MCP_RATE_LIMIT_PER_MINUTE", 120, 0, 1_000_000),
        warnings,
        audit: parseAuditConfig(env),
    };
    if (config.database.kind === "postgres" && config.database.ssl === "require") {
        warnings.push("DATABASE_SSL=require encrypts but does not verify the database server's certificate; use verify-full");
    }
    const hasAuth = config.apiKeys.length > 0 || config.apiKeysFile !== undefined || config.oauth !== undefined;
    if (!hasAuth && !config.allowUnauthenticated && !isLoopbackHost(host)) {
        throw new ConfigError(
            `Refusing to listen on non-loopback HOST=${host} without authentication: set MCP_API_KEYS, ` +
                "MCP_API_KEYS_FILE or OAUTH_* variables, or MCP_ALLOW_UNAUTHENTICATED=true to run unauthenticated on purpose",
        );
    }
    if (config.toolsConfig !== undefined && config.handlersDir === undefined) {
        throw new ConfigError("MCP_TOOLS_CONFIG needs MCP_HANDLERS_DIR: handler modules load only from that directory");
    }
    return config;
}

/** The database URL with its password masked, for logs. */
export function maskUrl(url: string): string {
    try {
        const u = new URL(url);
        if (u.password !== "") u.password = "***";
        return u.toString();
    } catch {
        return "(unparseable URL)";
    }
}
