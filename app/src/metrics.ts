import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** JSON-RPC methods reported by name; anything else is "other" so labels stay bounded. */
const KNOWN_METHODS = new Set([
    "initialize",
    "notifications/initialized",
    "ping",
    "tools/list",
    "tools/call",
    "notifications/cancelled",
    "resources/list",
    "prompts/list",
    "logging/setLevel",
    "server/discover",
    "batch",
]);

export function methodLabel(method: unknown): string {
    return typeof method === "string" && KNOWN_METHODS.has(method) ? method : "other";
}

/** Prometheus metrics of one server instance, in their own registry. */
export class Metrics {
    readonly registry = new Registry();
    readonly requests = new Counter({
        name: "mcp_http_requests_total",
        help: "HTTP requests on /mcp by JSON-RPC method and HTTP status",
        labelNames: ["method", "status"] as const,
        registers: [this.registry],
    });
    readonly requestDuration = new Histogram({
        name: "mcp_http_request_duration_seconds",
        help: "Latency of /mcp requests by JSON-RPC method",
        labelNames: ["method"] as const,
        buckets: LATENCY_BUCKETS,
        registers: [this.registry],
    });
    readonly toolCalls = new Counter({
        name: "mcp_tool_calls_total",
        help: "tools/call requests by tool and outcome",
        labelNames: ["tool", "outcome"] as const,
        registers: [this.registry],
    });
    readonly toolDuration = new Histogram({
        name: "mcp_tool_call_duration_seconds",
        help: "Tool run time (validation, handler and audit append) by tool",
        labelNames: ["tool"] as const,
        buckets: LATENCY_BUCKETS,
        registers: [this.registry],
    });
    readonly auditAppend = new Histogram({
        name: "mcp_audit_append_duration_seconds",
        help: "Time to commit one batch of audit entries",
        buckets: LATENCY_BUCKETS,
        registers: [this.registry],
    });
    readonly auditBatchSize = new Histogram({
        name: "mcp_audit_append_batch_size",
        help: "Audit entries committed per transaction (group commit)",
        buckets: [1, 2, 5, 10, 20, 50, 100, 256],
        registers: [this.registry],
    });
    readonly auditFailures = new Counter({
        name: "mcp_audit_append_failures_total",
        help: "Audit entries that could not be written (the call was answered with an error)",
        registers: [this.registry],
    });
    readonly auditCheckpointSeq = new Gauge({
        name: "mcp_audit_checkpoint_seq",
        help: "Sequence number of the last audit entry anchored in a checkpoint in write-once storage",
        registers: [this.registry],
    });
    /** When the last checkpoint was written (any replica's); the age gauge is computed at scrape time. */
    lastCheckpointAt?: Date;
    readonly auditCheckpointAge = new Gauge({
        name: "mcp_audit_checkpoint_age_seconds",
        help: "Seconds since the last audit checkpoint was written to write-once storage (absent before the first)",
        registers: [this.registry],
        collect: () => {
            if (this.lastCheckpointAt !== undefined) this.auditCheckpointAge.set((Date.now() - this.lastCheckpointAt.getTime()) / 1000);
        },
    });
    readonly auditVerifiedSeq = new Gauge({
        name: "mcp_audit_last_verified_seq",
        help: "Highest audit entry seq verified (by the checkpoint writer's chain check or audit_verify)",
        registers: [this.registry],
    });
    readonly auditCheckpointFailures = new Counter({
        name: "mcp_audit_checkpoint_failures_total",
        help: "Checkpoint rounds that failed (storage unwritable or unreachable, or the chain no longer continues the last checkpoint)",
        registers: [this.registry],
    });
    readonly dependencyUp = new Gauge({
        name: "mcp_dependency_up",
        help: "1 when the dependency answered its last check, else 0",
        labelNames: ["dependency"] as const,
        registers: [this.registry],
    });
    readonly rateLimited = new Counter({
        name: "mcp_rate_limited_total",
        help: "Requests refused with 429, by scope (client or tool)",
        labelNames: ["scope"] as const,
        registers: [this.registry],
    });
    readonly authFailures = new Counter({
        name: "mcp_auth_failures_total",
        help: "Requests refused by authentication, by reason",
        labelNames: ["reason"] as const,
        registers: [this.registry],
    });
    readonly inFlight = new Gauge({
        name: "mcp_http_requests_in_flight",
        help: "/mcp requests being served",
        registers: [this.registry],
    });

    constructor() {
        collectDefaultMetrics({ register: this.registry });
    }
}
