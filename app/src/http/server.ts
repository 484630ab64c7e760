import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { Logger } from "pino";
import type { Metrics } from "../metrics";
import type { Readiness } from "../readiness";
import { hostAndOriginGuard, requestId, securityHeaders } from "./guards";
import { mcpRoute, type McpRouteOptions } from "./mcpRoute";
import { RPC, rpcError } from "./respond";

export interface HttpAppOptions extends McpRouteOptions {
    log: Logger;
    metrics: Metrics;
    readiness: Readiness;
    allowedHosts: () => readonly string[];
    allowedOrigins: readonly string[];
    /** Serve /metrics on this app (false when METRICS_PORT moves it elsewhere). */
    serveMetrics: boolean;
}

function metricsHandler(metrics: Metrics) {
    return async (_req: Request, res: Response): Promise<void> => {
        res.setHeader("Content-Type", metrics.registry.contentType);
        res.end(await metrics.registry.metrics());
    };
}

function finish(app: Express, log: Logger): void {
    app.use((req: Request, res: Response) => {
        res.status(404).json({ error: "not_found", message: `No route for ${req.method} ${req.path}` });
    });
    // Last resort: log the detail, answer without it.
    app.use((err: Error, req: Request, res: Response, _next: NextFunction) => {
        (req.log ?? log).error({ err }, "unhandled error");
        rpcError(res, 500, RPC.INTERNAL_ERROR, `Internal error (request ${req.id ?? "unknown"})`);
    });
}

/** The public app: /mcp, /health, /ready, Protected Resource Metadata, and /metrics unless moved. */
export function buildHttpApp(o: HttpAppOptions): Express {
    const app = express();
    app.disable("x-powered-by");
    app.disable("etag");
    app.use(requestId(o.log));
    app.use(securityHeaders);

    // Liveness: no dependencies, any Host (load balancers probe with arbitrary Host headers).
    app.get("/health", (_req, res) => {
        res.json({ status: "ok" });
    });
    app.get("/ready", async (_req, res) => {
        const r = await o.readiness.check();
        res.status(r.ready ? 200 : 503).json({
            status: r.ready ? "ready" : "not ready",
            ...(r.ready
                ? {}
                : {
                      reason: `${r.failing.join(", ")} ${r.failing.length === 1 && r.failing[0] === "draining" ? "in progress" : "unavailable"}`,
                  }),
            checks: r.checks,
            failing: r.failing,
        });
    });

    const prm = o.auth.protectedResourceMetadata(o.deps.registry.scopes);
    const prmHandler = (_req: Request, res: Response) => {
        if (prm === undefined) {
            res.status(404).json({ error: "not_found", message: "OAuth resource-server mode is not configured" });
            return;
        }
        res.setHeader("Cache-Control", "public, max-age=3600");
        res.json(prm);
    };
    app.get("/.well-known/oauth-protected-resource", prmHandler);
    app.get("/.well-known/oauth-protected-resource/mcp", prmHandler);

    if (o.serveMetrics) app.get("/metrics", metricsHandler(o.metrics));

    app.all("/mcp", hostAndOriginGuard(o.allowedHosts, o.allowedOrigins), mcpRoute(o));
    finish(app, o.log);
    return app;
}

/** The private metrics app for METRICS_PORT. */
export function buildMetricsApp(metrics: Metrics, log: Logger): Express {
    const app = express();
    app.disable("x-powered-by");
    app.use(requestId(log));
    app.get("/metrics", metricsHandler(metrics));
    finish(app, log);
    return app;
}
