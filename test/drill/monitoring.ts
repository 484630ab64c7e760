/**
 * The local stack's monitoring as real processes on loopback, for the alert drill: Debian's
 * prometheus, prometheus-alertmanager and prometheus-blackbox-exporter running exactly the files
 * components/local/prometheus.ts generates, beside a drill Topology, plus a webhook receiver that
 * records what Alertmanager posts. Everything is stopped by `Monitoring.stop()` (and killed on exit
 * by the harness's hook).
 */
import { type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import {
    renderAlertmanagerConfig,
    renderBlackboxConfig,
    renderPrometheusConfig,
    renderPrometheusRules,
    type LocalRuleContext,
} from "../../components/local/prometheus";
import { AlertSignal } from "../../sizing";
import { canConnect, exited, freePort, RingLog, spawnTracked, stopProcess, Topology, waitFor } from "./harness";

/** A binary from PATH or the Debian install location. */
export function findBinary(name: string): string | undefined {
    const dirs = [...(process.env.PATH ?? "").split(":").filter(Boolean), "/usr/bin", "/usr/sbin"];
    return dirs.map((d) => path.join(d, name)).find((p) => fs.existsSync(p));
}

/** Skips the suite without the binary, or fails it when MCP_REQUIRE_PROMETHEUS=1 (CI installs the packages). */
export function requireBinary(ctx: Mocha.Context, name: string, pkg: string): string {
    const bin = findBinary(name);
    if (bin !== undefined) return bin;
    if (process.env.MCP_REQUIRE_PROMETHEUS === "1")
        throw new Error(`${name} is required (MCP_REQUIRE_PROMETHEUS=1) but not installed: apt-get install -y ${pkg}`);
    console.log(`    (skipped: ${name} is not installed; apt-get install -y ${pkg})`);
    ctx.skip();
}

/** One notification Alertmanager posted (its webhook JSON), with when it arrived. */
export interface Notification {
    at: number;
    status: "firing" | "resolved";
    alerts: {
        status: "firing" | "resolved";
        labels: Record<string, string>;
        annotations: Record<string, string>;
        startsAt: string;
        endsAt: string;
    }[];
}

/** An HTTP receiver on loopback that records every POST body (bounded). */
export class WebhookReceiver {
    readonly received: Notification[] = [];
    private server?: http.Server;
    port = 0;

    get url(): string {
        return `http://127.0.0.1:${this.port}/alerts`;
    }

    async start(): Promise<void> {
        this.server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
                if (req.method === "POST" && this.received.length < 1000) {
                    try {
                        this.received.push({ at: Date.now(), ...JSON.parse(Buffer.concat(chunks).toString("utf8")) });
                    } catch {
                        // not JSON: not Alertmanager
                    }
                }
                res.writeHead(200).end();
            });
        });
        this.port = await new Promise<number>((resolve) =>
            this.server!.listen(0, "127.0.0.1", () => resolve((this.server!.address() as { port: number }).port)),
        );
    }

    async stop(): Promise<void> {
        await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    }

    /** Alerts (with the notification's arrival time) matching `pred`. */
    alerts(pred: (a: Notification["alerts"][number]) => boolean): { at: number; alert: Notification["alerts"][number] }[] {
        return this.received.flatMap((n) => n.alerts.filter(pred).map((alert) => ({ at: n.at, alert })));
    }
}

export interface MonitoringOptions {
    signals: AlertSignal[];
    ctx: LocalRuleContext;
    webhookUrl: string;
    /** Drill timing: seconds between scrapes and rule evaluations, and Alertmanager's group wait and interval. */
    intervalSeconds: number;
    bins: { prometheus: string; alertmanager: string; blackbox: string };
}

/** Prometheus, Alertmanager and the blackbox exporter watching a drill Topology. */
export class Monitoring {
    readonly log = new RingLog(200);
    private readonly children: ChildProcess[] = [];
    promPort = 0;

    private constructor(
        readonly topo: Topology,
        readonly dir: string,
    ) {}

    static async start(topo: Topology, o: MonitoringOptions): Promise<Monitoring> {
        const m = new Monitoring(topo, path.join(topo.dir, "monitoring"));
        try {
            await m.run(o);
            return m;
        } catch (err) {
            await m.stop().catch(() => undefined);
            throw new Error(`${(err as Error).message}\n${m.log.tail(20)}`, { cause: err });
        }
    }

    private async run(o: MonitoringOptions): Promise<void> {
        fs.mkdirSync(this.dir, { recursive: true });
        const [promPort, amPort, bbPort] = await Promise.all([freePort(), freePort(), freePort()]);
        this.promPort = promPort;
        const file = (name: string, text: string) => {
            const p = path.join(this.dir, name);
            fs.writeFileSync(p, text);
            return p;
        };
        const rules = file("rules.yml", renderPrometheusRules(o.signals, o.ctx));
        const replicas = this.topo.replicas.map((r) => ({ name: r.name, host: "127.0.0.1", port: r.metricsPort! }));
        const prom = file(
            "prometheus.yml",
            renderPrometheusConfig({
                rulesFile: rules,
                replicas,
                readyTargets: this.topo.replicas.map((r) => ({ name: r.name, host: "127.0.0.1", port: r.port })),
                edgeHealthUrl: `${this.topo.url}/health`,
                blackbox: { host: "127.0.0.1", port: bbPort },
                alertmanager: { host: "127.0.0.1", port: amPort },
                scrapeIntervalSeconds: o.intervalSeconds,
                evaluationIntervalSeconds: o.intervalSeconds,
            }),
        );
        const am = file(
            "alertmanager.yml",
            renderAlertmanagerConfig({
                webhookUrl: o.webhookUrl,
                groupWaitSeconds: o.intervalSeconds,
                groupIntervalSeconds: o.intervalSeconds,
                repeatIntervalSeconds: 3600,
            }),
        );
        const bb = file("blackbox.yml", renderBlackboxConfig({ edgeHost: "localhost" }));

        const start = async (bin: string, args: string[], port: number) => {
            const child = spawnTracked(bin, args, process.env, this.log, "SIGTERM");
            this.children.push(child);
            await waitFor(
                `${path.basename(bin)} on ${port}`,
                async () => {
                    if (exited(child)) throw new Error(`${bin} exited (${child.exitCode ?? child.signalCode})`);
                    return canConnect(port);
                },
                20_000,
                100,
            );
        };
        await start(o.bins.blackbox, [`--config.file=${bb}`, `--web.listen-address=127.0.0.1:${bbPort}`], bbPort);
        await start(
            o.bins.alertmanager,
            [
                `--config.file=${am}`,
                `--storage.path=${path.join(this.dir, "alertmanager")}`,
                `--web.listen-address=127.0.0.1:${amPort}`,
                "--cluster.listen-address=",
            ],
            amPort,
        );
        await start(
            o.bins.prometheus,
            [
                `--config.file=${prom}`,
                `--storage.tsdb.path=${path.join(this.dir, "prometheus")}`,
                `--web.listen-address=127.0.0.1:${promPort}`,
            ],
            promPort,
        );
    }

    /** A PromQL instant query's result. */
    async query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
        const res = await fetch(`http://127.0.0.1:${this.promPort}/api/v1/query?query=${encodeURIComponent(expr)}`);
        const body = (await res.json()) as {
            status: string;
            data: { result: { metric: Record<string, string>; value: [number, string] }[] };
            error?: string;
        };
        if (body.status !== "success") throw new Error(`query ${expr}: ${body.error}`);
        return body.data.result;
    }

    async stop(): Promise<void> {
        await Promise.all(this.children.map((c) => stopProcess(c, "SIGTERM", 5_000)));
    }
}
