import type { AuditStore } from "./audit/store";
import type { Metrics } from "./metrics";
import type { SessionStore } from "./session/store";

export interface ReadyReport {
    ready: boolean;
    /** Dependency name -> "up" or what is wrong. */
    checks: Record<string, string>;
    /** Names of failing dependencies (and "draining" during shutdown). */
    failing: string[];
}

const CHECK_TIMEOUT_MS = 2000;
/** Concurrent /ready probes within this window share one round of checks. */
const CACHE_MS = 500;

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
        p,
        new Promise<void>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
        }),
    ]).finally(() => clearTimeout(timer));
}

/** Readiness: every networked dependency answers, and the server is not draining. */
export class Readiness {
    draining = false;
    private last?: { at: number; report: Promise<ReadyReport> };
    private readonly deps: { name: string; ping: () => Promise<void> }[];

    constructor(
        audit: AuditStore,
        sessions: SessionStore,
        private readonly metrics: Metrics,
    ) {
        this.deps = [{ name: audit.backend === "postgres" ? "postgres" : "audit-store", ping: () => audit.ping() }];
        if (sessions.backend === "redis") this.deps.push({ name: "redis", ping: () => sessions.ping() });
    }

    check(): Promise<ReadyReport> {
        const now = Date.now();
        if (this.last === undefined || now - this.last.at > CACHE_MS) this.last = { at: now, report: this.run() };
        return this.last.report.then((r) => (this.draining ? { ready: false, checks: r.checks, failing: ["draining", ...r.failing] } : r));
    }

    private async run(): Promise<ReadyReport> {
        const results = await Promise.all(
            this.deps.map(async (d) => {
                try {
                    await withTimeout(d.ping(), CHECK_TIMEOUT_MS);
                    this.metrics.dependencyUp.set({ dependency: d.name }, 1);
                    return [d.name, "up"] as const;
                } catch {
                    this.metrics.dependencyUp.set({ dependency: d.name }, 0);
                    return [d.name, "unreachable"] as const;
                }
            }),
        );
        const failing = results.filter(([, s]) => s !== "up").map(([n]) => n);
        return { ready: failing.length === 0, checks: Object.fromEntries(results), failing };
    }
}
