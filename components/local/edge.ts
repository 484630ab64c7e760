/**
 * EdgeLB on the local target: an nginx container on the front network that
 * publishes one port on the host's loopback address (http://localhost:8080)
 * and balances over the server replicas, with the configuration that
 * `renderNginxConfig` (./nginx.ts) generates uploaded as /etc/nginx/nginx.conf:
 * least connections, passive health checks, streaming, the tier's per-client
 * rate limit and security headers. Plain HTTP only (no certificate on a
 * laptop), no WAF; a `domain` is refused.
 *
 * Ordering, as on GCP: the composite creates EdgeLB before McpCluster, but
 * nginx's configuration names the replicas. `createEdge` therefore pulls the
 * image and fixes the URL and host names up front (the server needs them in
 * MCP_ALLOWED_HOSTS), and returns an `attach` function; `createCluster` calls
 * it once with the replicas, and it creates the nginx container through the
 * EDGE's Scope (named `<edge>-nginx`, parented under EdgeLB). `summary`
 * resolves once `attach` has run.
 *
 * nginx resolves the replicas' names when it starts, so the container carries
 * a label with the replicas' container IDs: replacing a replica replaces
 * nginx too, and it never keeps the address of a container that is gone.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../sizing";
import { Scope } from "../base";
import { EdgeImpl, EdgeInput, HandOff } from "../contract";
import { EdgeSummary } from "../types";
import { IMAGES, labels, LOGS, pulledImage } from "./common";
import { LocalNetwork } from "./network";
import { NginxUpstream, renderNginxConfig } from "./nginx";

/** The host port the edge publishes, on 127.0.0.1 only. */
export const EDGE_HOST_PORT = 8080;
/** The port nginx listens on inside its container. */
export const EDGE_LISTEN_PORT = 8080;
/** Names clients reach the edge by; nginx answers 421 for any other Host. */
export const EDGE_SERVER_NAMES = ["localhost", "127.0.0.1"] as const;
export const NGINX_CONF_PATH = "/etc/nginx/nginx.conf";

/** What the cluster hands the edge. */
export interface EdgeOrigin {
    /** The replicas, as nginx reaches them on the front network. */
    upstreams: NginxUpstream[];
    /** The replica containers: nginx starts after them and is replaced with them. */
    replicas: docker.Container[];
    /** The path the replicas' health checks probe. */
    healthPath: pulumi.Input<string>;
}

export interface LocalEdge extends EdgeImpl<EdgeOrigin, docker.Container> {
    image: docker.RemoteImage;
    /** Creates the nginx container for these replicas; called once by createCluster. */
    attach(origin: EdgeOrigin): docker.Container;
}

/** Describes an nginx configuration (as uploaded) in cloud-neutral terms. */
export function summarizeNginx(conf: string, healthPath: string): EdgeSummary {
    const zone = /limit_req_zone\s+\S+\s+zone=([\w-]+):\S+\s+rate=(\d+)r\/(s|m);/.exec(conf);
    const limited = zone !== null && new RegExp(`\\blimit_req\\s+zone=${zone[1]}\\b`).test(conf);
    const readTimeout = /proxy_read_timeout\s+(\d+)s?;/.exec(conf);
    const tlsListener = /\blisten\s[^;]*\bssl\b/.test(conf);
    const protocols = /ssl_protocols\s+([^;]+);/.exec(conf)?.[1].trim().split(/\s+/) ?? [];
    const modern = protocols.length > 0 && protocols.every((p) => p === "TLSv1.2" || p === "TLSv1.3");
    return {
        cloud: "local",
        // nginx in front of the replicas is a load balancer the stack runs (at no charge), not a per-request edge.
        kind: "loadBalancer",
        tls: tlsListener && modern ? "modern" : "none",
        httpRedirect: /\breturn\s+30[18]\s+https:\/\//.test(conf),
        waf: false,
        managedRuleSets: [],
        rateLimitPerMinute: limited ? Number(zone![2]) * (zone![3] === "s" ? 60 : 1) : null,
        // nginx's default proxy_read_timeout is 60 s.
        idleTimeoutSeconds: readTimeout ? Number(readTimeout[1]) : 60,
        healthPath,
    };
}

export function createEdge(scope: Scope, { network, spec, domain }: EdgeInput<LocalNetwork>): LocalEdge {
    if (domain !== undefined) {
        throw new ConfigError(
            "mcp-infra:domain",
            `"${domain}" cannot be served by the local edge (plain HTTP on http://localhost:${EDGE_HOST_PORT}, no certificate); unset it for cloud local`,
        );
    }
    const net = network;
    const image = pulledImage(scope, "image", IMAGES.nginx);

    const summary = new HandOff<pulumi.Output<EdgeSummary>>(`${scope.name}: the edge's origin`);
    scope.later(["nginx"]);
    const resources: Record<string, pulumi.Resource | pulumi.Resource[]> = { image };

    const attach = (origin: EdgeOrigin): docker.Container => {
        const conf = renderNginxConfig({
            listenPort: EDGE_LISTEN_PORT,
            upstreams: origin.upstreams,
            rateLimitPerMinute: spec.edge.rateLimitPerMinute,
            serverNames: [...EDGE_SERVER_NAMES],
            // Streamed MCP responses may stay idle this long.
            readTimeoutSeconds: spec.edge.idleTimeoutSeconds,
        });
        const container = scope.child(
            "nginx",
            docker.Container,
            {
                image: image.imageId,
                hostname: scope.name,
                networksAdvanced: [{ name: net.front.name, aliases: [scope.name] }],
                // Loopback only: the local stack is for this machine.
                ports: [{ internal: EDGE_LISTEN_PORT, external: EDGE_HOST_PORT, ip: "127.0.0.1", protocol: "tcp" }],
                uploads: [{ file: NGINX_CONF_PATH, content: conf }],
                // Through nginx to a replica: healthy when the whole path answers.
                healthcheck: {
                    tests: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${EDGE_LISTEN_PORT}/health`],
                    interval: "10s",
                    timeout: "3s",
                    retries: 3,
                    startPeriod: "5s",
                },
                wait: true,
                waitTimeout: 60,
                restart: "unless-stopped",
                ...LOGS,
                labels: [
                    ...labels(scope),
                    { label: "mcp-infra.upstreams", value: pulumi.all(origin.replicas.map((r) => r.id)).apply((ids) => ids.join(",")) },
                ],
            },
            {
                dependsOn: origin.replicas,
                // The host port is fixed: the old container must release it before the new one starts.
                deleteBeforeReplace: true,
            },
        );
        resources.container = container;

        const used = scope.inputs<docker.ContainerArgs>("nginx");
        summary.give(
            pulumi.all([used.uploads, origin.healthPath]).apply(([uploads, healthPath]) => {
                const file = (uploads ?? []).find((u) => u.file === NGINX_CONF_PATH);
                return summarizeNginx(String(file?.content ?? ""), String(healthPath));
            }),
        );
        return container;
    };

    return {
        url: pulumi.output(`http://localhost:${EDGE_HOST_PORT}`),
        // nginx passes the Host header on as the client sent it, port included.
        hostnames: pulumi.output(EDGE_SERVER_NAMES.map((h) => `${h}:${EDGE_HOST_PORT}`)),
        summary: summary.output((s) => s),
        image,
        attach,
        resources,
    };
}
