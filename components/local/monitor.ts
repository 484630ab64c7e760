/**
 * Monitoring on the local target: Prometheus, Alertmanager and a blackbox exporter as containers on
 * the front network, running the configuration ./prometheus.ts generates from the tier's signals:
 * every replica's /metrics (METRICS_PORT, never published), the edge's /health probed through nginx,
 * every replica's /ready, and Alertmanager routing to `alertWebhookUrl` (a Pulumi secret, uploaded
 * into the container: anyone who may `docker inspect` on this host can read it, as with the other
 * local secrets). Prometheus and Alertmanager publish their UIs on 127.0.0.1 only.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { alertSignals, TierSpec } from "../../sizing";
import { Scope } from "../base";
import { MonitorImpl, MonitorInput } from "../contract";
import { SERVER } from "../types";
import { labels, LOGS, pulledImage } from "./common";
import { LocalCluster, LocalClusterParts } from "./cluster";
import { EDGE_LISTEN_PORT, EDGE_SERVER_NAMES } from "./edge";
import { LocalNetwork } from "./network";
import { renderAlertmanagerConfig, renderBlackboxConfig, renderPrometheusConfig, renderPrometheusRules } from "./prometheus";

/**
 * Pinned by digest like the other third-party images (`name:tag@sha256:...`, the multi-platform
 * index). These are not official images, so docker-library/repo-info does not record them; each
 * digest is the one several independent public repositories pin for that tag (found with the
 * code search; no registry is reachable from where this was written): prometheus v2.55.1 in five
 * repositories, alertmanager v0.27.0 in four, blackbox-exporter v0.25.0 in three. To update:
 * `docker buildx imagetools inspect <image>:<tag>` and take the index digest.
 */
export const MONITORING_IMAGES = {
    prometheus: "prom/prometheus:v2.55.1@sha256:2659f4c2ebb718e7695cb9b25ffa7d6be64db013daba13e05c875451cf51b0d3",
    alertmanager: "prom/alertmanager:v0.27.0@sha256:e13b6ed5cb929eeaee733479dce55e10eb3bc2e9c4586c705a4e8da41e5eacf5",
    blackbox: "prom/blackbox-exporter:v0.25.0@sha256:b04a9fef4fa086a02fc7fcd8dcdbc4b7b35cc30cdee860fdc6a19dd8b208d63e",
} as const;

/** Host ports of the UIs, on 127.0.0.1. */
export const MONITORING_HOST_PORTS = { prometheus: 9090, alertmanager: 9093 } as const;

const PATHS = {
    prometheus: "/etc/prometheus/prometheus.yml",
    rules: "/etc/prometheus/rules.yml",
    alertmanager: "/etc/alertmanager/alertmanager.yml",
    blackbox: "/etc/blackbox_exporter/config.yml",
} as const;

export interface LocalMonitorInput {
    network: LocalNetwork;
    spec: TierSpec;
    /** The replicas' host names on the front network (their MCP_REPLICA_ID). */
    replicaHosts: pulumi.Input<string>[];
    /** The replica containers (Prometheus starts after them). */
    replicas: docker.Container[];
    /** The edge's host name on the front network and the port nginx listens on. */
    edge: { host: pulumi.Input<string>; port: number; serverName: string; container: docker.Container };
    /** Where Alertmanager posts; undefined = nowhere (its UI only). */
    webhookUrl?: pulumi.Output<string>;
}

export interface LocalMonitor extends MonitorImpl {
    prometheus: docker.Container;
    alertmanager: docker.Container;
    blackbox: docker.Container;
    /** Prometheus's UI on this machine. */
    prometheusUrl: string;
    alertmanagerUrl: string;
    resources: Record<string, pulumi.Resource>;
}

/** The parts the local monitor watches. */
export interface LocalMonitorParts extends LocalClusterParts {
    cluster: LocalCluster;
}

/** McpMonitor on the local target. */
export function createMonitor(scope: Scope, input: MonitorInput<LocalMonitorParts>): LocalMonitor {
    const cluster = input.cluster;
    return createLocalMonitor(scope, {
        network: input.network,
        spec: input.spec,
        replicaHosts: cluster.replicas.map((r) => r.hostname),
        replicas: cluster.replicas,
        edge: {
            host: cluster.edgeContainer.hostname,
            port: EDGE_LISTEN_PORT,
            serverName: EDGE_SERVER_NAMES[0],
            container: cluster.edgeContainer,
        },
        webhookUrl: input.alerting.optedOut ? undefined : input.alerting.webhookUrl,
    });
}

export function createLocalMonitor(scope: Scope, input: LocalMonitorInput): LocalMonitor {
    const { network: net, spec } = input;
    // Docker never scales to zero: the replica count always applies.
    const signals = alertSignals(spec, { scalesToZero: false });
    const host = (role: string) => `${scope.name}-${role}`;
    const rules = renderPrometheusRules(signals, { milliCpu: spec.service.milliCpu, memoryMiB: spec.service.memoryMiB });
    const promConfig = pulumi.all([pulumi.all(input.replicaHosts), input.edge.host]).apply(([hosts, edgeHost]) =>
        renderPrometheusConfig({
            rulesFile: PATHS.rules,
            replicas: hosts.map((h) => ({ name: h, host: h, port: SERVER.metricsPort })),
            readyTargets: hosts.map((h) => ({ name: h, host: h, port: SERVER.port })),
            edgeHealthUrl: `http://${edgeHost}:${input.edge.port}${SERVER.healthPath}`,
            blackbox: { host: host("blackbox"), port: 9115 },
            alertmanager: { host: host("alertmanager"), port: 9093 },
        }),
    );
    const amConfig: pulumi.Input<string> =
        input.webhookUrl === undefined
            ? renderAlertmanagerConfig({})
            : pulumi.secret(input.webhookUrl.apply((url) => renderAlertmanagerConfig({ webhookUrl: url })));

    const common = (role: string) => ({
        hostname: host(role),
        networksAdvanced: [{ name: net.front.name, aliases: [host(role)] }],
        restart: "unless-stopped",
        capabilities: { drops: ["ALL"] },
        securityOpts: ["no-new-privileges:true"],
        ...LOGS,
        labels: labels(scope, { "mcp-infra.monitoring": role }),
    });

    const blackboxImage = pulledImage(scope, "blackbox-image", MONITORING_IMAGES.blackbox);
    const blackbox = scope.child("blackbox", docker.Container, {
        ...common("blackbox"),
        image: blackboxImage.imageId,
        command: [`--config.file=${PATHS.blackbox}`],
        uploads: [{ file: PATHS.blackbox, content: renderBlackboxConfig({ edgeHost: input.edge.serverName }) }],
    });
    const alertmanagerImage = pulledImage(scope, "alertmanager-image", MONITORING_IMAGES.alertmanager);
    const alertmanager = scope.child(
        "alertmanager",
        docker.Container,
        {
            ...common("alertmanager"),
            image: alertmanagerImage.imageId,
            // One instance: no gossip cluster.
            command: [`--config.file=${PATHS.alertmanager}`, "--storage.path=/alertmanager", "--cluster.listen-address="],
            uploads: [{ file: PATHS.alertmanager, content: amConfig }],
            ports: [{ internal: 9093, external: MONITORING_HOST_PORTS.alertmanager, ip: "127.0.0.1", protocol: "tcp" }],
        },
        { deleteBeforeReplace: true },
    );
    const prometheusImage = pulledImage(scope, "prometheus-image", MONITORING_IMAGES.prometheus);
    const prometheus = scope.child(
        "prometheus",
        docker.Container,
        {
            ...common("prometheus"),
            image: prometheusImage.imageId,
            command: [
                `--config.file=${PATHS.prometheus}`,
                "--storage.tsdb.path=/prometheus",
                `--storage.tsdb.retention.time=${spec.logRetentionDays}d`,
            ],
            uploads: [
                { file: PATHS.prometheus, content: promConfig },
                { file: PATHS.rules, content: rules },
            ],
            ports: [{ internal: 9090, external: MONITORING_HOST_PORTS.prometheus, ip: "127.0.0.1", protocol: "tcp" }],
        },
        { dependsOn: [...input.replicas, input.edge.container, alertmanager, blackbox], deleteBeforeReplace: true },
    );

    return {
        signals,
        prometheus,
        alertmanager,
        blackbox,
        prometheusUrl: `http://127.0.0.1:${MONITORING_HOST_PORTS.prometheus}`,
        alertmanagerUrl: `http://127.0.0.1:${MONITORING_HOST_PORTS.alertmanager}`,
        resources: { blackboxImage, blackbox, alertmanagerImage, alertmanager, prometheusImage, prometheus },
    };
}
