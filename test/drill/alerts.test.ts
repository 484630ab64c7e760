/**
 * Alert drill: the replicas behind nginx as the failover drills run them, watched by Debian's
 * Prometheus, Alertmanager and blackbox exporter running the generated configuration (the prod
 * tier's rules; scrapes, evaluations and Alertmanager's grouping every second instead of 15 s /
 * 30 s / 5 min, so the drill measures the rule's window and not the waiting between polls).
 * `kill -9` of one replica must reach the webhook as McpReplicasBelowMinimum naming that replica,
 * not before the rule's window (1 minute in prod) and within the stated bound; its restart must
 * reach the webhook as the resolved notification.
 */
import { strict as assert } from "node:assert";
import { alertSignals, resolveTier } from "../../sizing";
import { requireNginx, sleep, Topology, waitFor } from "./harness";
import { Monitoring, requireBinary, WebhookReceiver } from "./monitoring";

/** Seconds between scrapes, between rule evaluations, and Alertmanager's group wait and interval in the drill. */
const INTERVAL_S = 1;

describe("drill: a killed replica pages through Prometheus and Alertmanager, and its restart resolves the page", function () {
    this.timeout(240_000);
    let topo: Topology | undefined;
    let mon: Monitoring | undefined;
    const hook = new WebhookReceiver();

    const spec = resolveTier("prod");
    // Docker (and these processes) never scale to zero, so the replica-count signal applies.
    const signals = alertSignals(spec, { scalesToZero: false });
    const signal = signals.find((s) => s.id === "replicas-below-minimum")!;
    const windowMs = signal.windowMinutes * 60_000;
    /**
     * The bound: the rule's window, plus one scrape to see the replica gone, one evaluation to start
     * the window and one to end it, Alertmanager's group wait, and 15 s for a loaded CI machine.
     */
    const detectBoundMs = windowMs + 4 * INTERVAL_S * 1000 + 15_000;
    /** After the restart: the replica's start, one scrape, one evaluation, one group interval, and the same 15 s. */
    const resolveBoundMs = 4 * INTERVAL_S * 1000 + 15_000;

    before(async function () {
        requireNginx(this);
        const bins = {
            prometheus: requireBinary(this, "prometheus", "prometheus"),
            alertmanager: requireBinary(this, "prometheus-alertmanager", "prometheus-alertmanager"),
            blackbox: requireBinary(this, "prometheus-blackbox-exporter", "prometheus-blackbox-exporter"),
        };
        await hook.start();
        topo = await Topology.start({ name: "alerts" });
        assert.equal(topo.replicas.length, spec.service.minReplicas, "the drill runs the tier's minimum of replicas");
        mon = await Monitoring.start(topo, {
            signals,
            ctx: { milliCpu: spec.service.milliCpu, memoryMiB: spec.service.memoryMiB },
            webhookUrl: hook.url,
            intervalSeconds: INTERVAL_S,
            bins,
        });
    });
    after(async () => {
        await mon?.stop();
        await topo?.stop();
        await hook.stop();
    });

    it("McpReplicasBelowMinimum reaches the webhook within the bound, naming the replica, and resolves after the restart", async () => {
        const t = topo!;
        const m = mon!;
        const [victim, survivor] = t.replicas;
        // Steady state: every replica scraped, the edge probed healthy through nginx, the readiness probes see both dependencies.
        await waitFor(
            "Prometheus to scrape both replicas and probe the edge",
            async () => {
                const up = await m.query('up{job="mcp-server"} == 1');
                const edge = await m.query('probe_success{job="mcp-uptime"} == 1');
                const deps = await m.query("mcp_dependency_up == 1");
                return up.length === 2 && edge.length === 1 && deps.length === 4;
            },
            30_000,
            250,
        );
        await sleep(3 * INTERVAL_S * 1000);
        assert.deepEqual(await m.query('ALERTS{alertstate="firing"}'), [], "nothing fires while everything is up");
        assert.equal(hook.received.length, 0, "no notification while everything is up");

        const killedAt = Date.now();
        await victim.kill9();
        const fired = await waitFor(
            `McpReplicasBelowMinimum for ${victim.name} at the webhook`,
            async () => hook.alerts((a) => a.status === "firing" && a.labels.alertname === signal.name)[0],
            detectBoundMs,
            100,
        );
        const detectMs = fired.at - killedAt;

        await victim.start();
        const restartedAt = Date.now();
        const resolved = await waitFor(
            `the resolved notification for ${victim.name}`,
            async () => hook.alerts((a) => a.status === "resolved" && a.labels.alertname === signal.name)[0],
            resolveBoundMs,
            100,
        );
        const resolveMs = resolved.at - restartedAt;

        console.log(
            `[drill] alert          replica-down detected=${(detectMs / 1000).toFixed(1)} s after kill -9 (window ${signal.windowMinutes} min, bound ${detectBoundMs / 1000} s) ` +
                `resolved=${(resolveMs / 1000).toFixed(1)} s after restart (bound ${resolveBoundMs / 1000} s) | notifications=${hook.received.length}`,
        );

        assert.equal(fired.alert.labels.instance, victim.name, "the page names the replica that went");
        assert.equal(fired.alert.labels.severity, "critical");
        assert.equal(fired.alert.annotations.runbook, signal.runbook, "the runbook line travels with the page");
        assert.ok(
            detectMs >= windowMs,
            `the alert waited its window (${detectMs} ms >= ${windowMs} ms): a blip shorter than the window pages nobody`,
        );
        assert.equal(resolved.alert.labels.instance, victim.name);
        const others = hook.alerts((a) => a.labels.instance === survivor.name || a.labels.alertname !== signal.name);
        assert.deepEqual(
            others.map((o) => `${o.alert.labels.alertname} ${o.alert.labels.instance ?? ""}`),
            [],
            "only the killed replica's alert was sent",
        );
    });
});
