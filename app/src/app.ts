import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { DestinationStream, Logger } from "pino";
import { KeyRing } from "./auth/apiKeys";
import { Authenticator } from "./auth/authenticator";
import { openAnchorStore } from "./audit/anchors";
import { CheckpointWriter } from "./audit/checkpoint";
import { openAuditStore, type SqlAuditStore } from "./audit/store";
import { isLoopbackHost, maskUrl, type AppConfig } from "./config";
import { buildHttpApp, buildMetricsApp } from "./http/server";
import { createLogger } from "./logger";
import { AuditHealth, type McpDeps } from "./mcp";
import { Metrics } from "./metrics";
import { Readiness } from "./readiness";
import { MemorySessionStore } from "./session/memory";
import { RedisSessionStore } from "./session/redis";
import type { SessionStore } from "./session/store";
import { buildRegistry } from "./tools/registry";
import type { ServerFacts } from "./tools/types";
import { SERVER_NAME, SERVER_VERSION } from "./version";

export interface RunningApp {
    /** Base URL on loopback, e.g. http://127.0.0.1:8080 */
    url: string;
    port: number;
    metricsPort?: number;
    log: Logger;
    deps: McpDeps;
    keys: KeyRing;
    /** Stop accepting, finish in-flight requests (and their audit entries), close stores. */
    shutdown(timeoutMs?: number): Promise<void>;
}

export interface StartOptions {
    /** Where JSON logs go (stdout by default). */
    logDestination?: DestinationStream;
    /** How long startup waits for the audit database. @default 30000 */
    databaseWaitMs?: number;
}

async function openAuditWithRetry(
    config: AppConfig,
    metrics: Metrics,
    log: Logger,
    waitMs: number,
    onHead: (seq: number) => void,
): Promise<SqlAuditStore> {
    const deadline = Date.now() + waitMs;
    for (let attempt = 1; ; attempt++) {
        try {
            return await openAuditStore(config.database, {
                onBatch: (seconds, size) => {
                    metrics.auditAppend.observe(seconds);
                    metrics.auditBatchSize.observe(size);
                },
                onHead,
                onPoolError: (err) => log.warn({ err: err.message }, "audit database connection error"),
                migrate: config.audit.migrate,
            });
        } catch (err) {
            if (config.database.kind !== "postgres" || Date.now() > deadline) throw err;
            log.warn({ attempt, err: (err as Error).message }, "audit database not reachable yet; retrying");
            await new Promise((r) => setTimeout(r, Math.min(500 * attempt, 3000)));
        }
    }
}

async function openSessions(config: AppConfig, log: Logger): Promise<SessionStore> {
    if (config.redisUrl === undefined) return new MemorySessionStore();
    let lastError = "";
    const store = new RedisSessionStore(config.redisUrl, {
        tlsCa: config.redisCaCert,
        cluster: config.redisCluster,
        onError: (err) => {
            // ioredis reports every failed reconnect; log each distinct error once.
            if (err.message !== lastError) log.warn({ err: err.message }, "redis connection error");
            lastError = err.message;
        },
        onLocalLimits: (err) => log.warn({ err: err.message }, "redis unreachable: rate limits counted per replica until it returns"),
    });
    try {
        await store.connect();
    } catch (err) {
        log.error({ err: (err as Error).message }, "redis not reachable at startup; will keep retrying (see /ready)");
    }
    return store;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
            server.off("error", reject);
            resolve((server.address() as AddressInfo).port);
        });
    });
}

function tuneServer(server: http.Server): void {
    // Longer than load balancers' idle timeouts (ALB 60 s), so they close idle connections first.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 130_000;
}

/** Builds every dependency from `config` and starts listening. */
export async function startApp(config: AppConfig, opts: StartOptions = {}): Promise<RunningApp> {
    const log = createLogger(config.logLevel, opts.logDestination, config.logSync);
    for (const warning of config.warnings ?? []) log.warn(warning);
    const metrics = new Metrics();
    const registry = buildRegistry(config.toolsConfig, config.handlersDir);
    const keys = new KeyRing(config.apiKeys, config.apiKeysFile);
    const auth = new Authenticator(keys, config.oauth, config.allowUnauthenticated);
    if (auth.open) log.warn({ host: config.host }, "no authentication configured: every caller is 'anonymous'");

    let checkpoints: CheckpointWriter | undefined;
    const audit = await openAuditWithRetry(config, metrics, log, opts.databaseWaitMs ?? 30_000, (seq) => checkpoints?.noteHead(seq));
    if (audit.backend === "postgres") {
        const excess = await audit.excessPrivileges().catch(() => []);
        if (excess.length > 0) {
            log.warn(
                { privileges: excess },
                "the server's database role can rewrite the audit log; run it as the append-only role audit:migrate grants (MCP_AUDIT_SERVER_ROLE)",
            );
        }
    }
    if (config.audit.anchors !== undefined) {
        const anchors = await openAnchorStore(config.audit.anchors, {
            s3Endpoint: config.audit.s3Endpoint,
            azureBlobEndpoint: config.audit.azureBlobEndpoint,
        });
        // Not awaited: storage that is slow or down must not hold up serving (entries stay in the database).
        void anchors
            .probe()
            .catch((err: Error) =>
                log.error(
                    { err: err.message, anchors: anchors.location },
                    "audit anchor storage is not usable; checkpoints will fail until it is (entries stay in the database)",
                ),
            );
        checkpoints = new CheckpointWriter({
            store: audit,
            anchors,
            writer: config.replicaId,
            intervalSeconds: config.audit.checkpointIntervalSeconds,
            everyEntries: config.audit.checkpointEntries,
            onWritten: (h) => log.info({ seq: h.seq, count: h.count, anchors: anchors.location }, "audit checkpoint written"),
            onState: (st) => {
                metrics.lastCheckpointAt = st.writtenAt;
                metrics.auditCheckpointSeq.set(st.seq);
                metrics.auditVerifiedSeq.set(st.verifiedSeq);
            },
            onError: (err) => {
                metrics.auditCheckpointFailures.inc();
                log.error(
                    { err: err.message, anchors: anchors.location },
                    "audit checkpoint failed (entries stay in the database; retried next round)",
                );
            },
        });
        checkpoints.start();
    }
    const sessions = await openSessions(config, log);
    const facts: ServerFacts = {
        name: SERVER_NAME,
        version: SERVER_VERSION,
        replicaId: config.replicaId,
        tier: config.tier,
        auth:
            config.oauth && (config.apiKeys.length > 0 || config.apiKeysFile)
                ? "api-key+oauth"
                : config.oauth
                  ? "oauth"
                  : auth.open
                    ? "none"
                    : "api-key",
    };
    const deps: McpDeps = { audit, sessions, facts, registry, metrics, auditHealth: new AuditHealth() };
    const readiness = new Readiness(audit, sessions, metrics);
    const inFlight = { count: 0 };
    let boundPort = config.port;
    const allowedHosts = config.allowedHosts ?? [];
    const hostsFn = () =>
        config.allowedHosts !== undefined ? allowedHosts : [`localhost:${boundPort}`, `127.0.0.1:${boundPort}`, `[::1]:${boundPort}`];

    const app = buildHttpApp({
        deps,
        auth,
        log,
        metrics,
        readiness,
        inFlight,
        maxBodyBytes: config.maxBodyBytes,
        rateLimitPerMinute: config.rateLimitPerMinute,
        isDraining: () => readiness.draining,
        allowedHosts: hostsFn,
        allowedOrigins: config.allowedOrigins,
        serveMetrics: config.metricsPort === undefined,
    });
    const server = http.createServer(app);
    tuneServer(server);
    boundPort = await listen(server, config.port, config.host);
    let metricsServer: http.Server | undefined;
    let metricsPort: number | undefined;
    if (config.metricsPort !== undefined) {
        metricsServer = http.createServer(buildMetricsApp(metrics, log));
        metricsPort = await listen(metricsServer, config.metricsPort, config.host);
    }
    if (!isLoopbackHost(config.host) && config.allowedHosts === undefined) {
        log.warn("MCP_ALLOWED_HOSTS is not set: /mcp accepts only loopback Host headers; set it to the public host name");
    }
    keys.watch(10_000, (err, changed) => {
        if (err) log.error({ err: err.message }, "API key file invalid; keeping the previous keys");
        else if (changed) log.info({ keys: keys.size }, "API keys reloaded");
    });
    const gaugeTimer = setInterval(() => void readiness.check(), 10_000);
    gaugeTimer.unref();
    await readiness.check();

    log.info(
        {
            port: boundPort,
            host: config.host,
            metricsPort,
            replicaId: config.replicaId,
            tier: config.tier,
            audit: audit.backend,
            anchors: config.audit.anchors,
            database: config.database.kind === "postgres" ? maskUrl(config.database.url) : config.database.dataDir,
            databaseTls: config.database.kind === "postgres" ? config.database.ssl : undefined,
            session: sessions.backend,
            auth: facts.auth,
            tools: registry.names,
        },
        "mcp server listening",
    );

    let shuttingDown: Promise<void> | undefined;
    const shutdown = (timeoutMs = 25_000): Promise<void> => {
        shuttingDown ??= (async () => {
            readiness.draining = true;
            log.info({ inFlight: inFlight.count }, "draining: no new connections; finishing in-flight requests");
            const closed = new Promise<void>((r) => server.close(() => r()));
            metricsServer?.close();
            const deadline = Date.now() + timeoutMs;
            while (inFlight.count > 0 && Date.now() < deadline) {
                server.closeIdleConnections();
                await new Promise((r) => setTimeout(r, 25));
            }
            if (inFlight.count > 0) log.warn({ inFlight: inFlight.count }, "drain timeout; closing remaining connections");
            server.closeAllConnections();
            metricsServer?.closeAllConnections();
            await closed;
            clearInterval(gaugeTimer);
            keys.stop();
            await checkpoints?.stop();
            await audit.close().catch((err: Error) => log.error({ err: err.message }, "closing audit store failed"));
            await sessions.close().catch((err: Error) => log.error({ err: err.message }, "closing session store failed"));
            log.info("shutdown complete");
        })();
        return shuttingDown;
    };

    return { url: `http://127.0.0.1:${boundPort}`, port: boundPort, metricsPort, log, deps, keys, shutdown };
}
