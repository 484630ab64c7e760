/**
 * The payPerRequest edge on Azure: the Container Apps environment's own
 * ingress. It creates no resource: the cluster makes the environment external
 * (a public IP on the environment's managed load balancer, in its `ME_`
 * resource group) and the app's ingress external with `allowInsecure: false`,
 * so Azure serves it on `https://<app>.<environment default domain>` with its
 * own certificate and redirects plain HTTP to HTTPS. The server accepts that
 * host name (MCP_ALLOWED_HOSTS). The ingress terminates TLS 1.2 and 1.3 with
 * ECDHE AEAD ciphers only (microsoft/azure-container-apps #985 and #572): the
 * tier's `modern` profile. No WAF and no per-client rate limit, which is why
 * only tiers without a WAF may choose it (resolveTier checks that).
 *
 * Health: Container Apps routes to a replica only while its readiness probe
 * (`/ready`) passes and restarts it when the liveness probe (`/health`) fails;
 * the summary reports the liveness path, which is the edge's health check.
 *
 * Cost: nothing of its own: requests are billed with the app ($0.40 per
 * million beyond 2 million a month); the environment's load balancer and IPs
 * are priced on the environment.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONTAINER_APPS_INGRESS_IDLE_TIMEOUT_SECONDS } from "../../sizing/azure";
import { HandOff } from "../contract";
import { EdgeSummary } from "../types";
import type { AzureEdge, EdgeTarget } from "./edge-types";

/** The app inputs a payPerRequest edge is described from. */
export interface IngressSummaryInputs {
    /** ingress.external: reachable from outside the environment (the internet, in an external environment). */
    external: boolean;
    /** The environment is internal (reachable from its VNet only) or closed to the public network. */
    internalEnvironment: boolean;
    allowInsecure: boolean;
    /** ingress.transport (`auto`, `http`, `http2`, `tcp`). */
    transport: string;
    /** Path of the container's liveness probe. */
    livenessPath: string;
}

export function summarizeIngress(i: IngressSummaryInputs): EdgeSummary {
    const httpsPublic = i.external && !i.internalEnvironment && i.transport !== "tcp";
    return {
        cloud: "azure",
        kind: "payPerRequest",
        tls: httpsPublic ? "modern" : "none",
        // allowInsecure false: requests to port 80 are redirected to 443.
        httpRedirect: httpsPublic && !i.allowInsecure,
        waf: false,
        managedRuleSets: [],
        rateLimitPerMinute: null,
        idleTimeoutSeconds: CONTAINER_APPS_INGRESS_IDLE_TIMEOUT_SECONDS,
        healthPath: i.livenessPath,
    };
}

/** The payPerRequest edge: url, host names and summary resolve when the cluster attaches it to its app. */
export function createIngressEdge(): AzureEdge {
    const target = new HandOff<EdgeTarget>("the payPerRequest edge's app");
    const bound = target.value;
    // Each output takes only what it needs from the target: the app's args hold MCP_ALLOWED_HOSTS, which
    // is computed from `hostnames`, so unwrapping the whole target for the host name would wait on itself.
    const hostnames = pulumi.output(bound.then((t) => t.fqdn)).apply((fqdn) => [fqdn]);
    const url = hostnames.apply(([fqdn]) => `https://${fqdn}`);
    const summary = pulumi
        .output(
            bound.then((t) => ({
                ingress: t.app.configuration && pulumi.output(t.app.configuration).apply((c) => c?.ingress),
                containers: t.app.template && pulumi.output(t.app.template).apply((tpl) => tpl?.containers),
                vnet: t.environment.vnetConfiguration,
                publicNetworkAccess: t.environment.publicNetworkAccess,
            })),
        )
        .apply((a) => {
            const ingress = a.ingress;
            const probes = a.containers?.[0]?.probes ?? [];
            return summarizeIngress({
                external: ingress?.external === true,
                internalEnvironment: a.vnet?.internal === true || a.publicNetworkAccess === "Disabled",
                allowInsecure: ingress?.allowInsecure === true,
                transport: String(ingress?.transport ?? "auto"),
                livenessPath: String(probes.find((p) => p.type === "Liveness")?.httpGet?.path ?? "/"),
            });
        });
    return {
        kind: "payPerRequest",
        url,
        hostnames,
        summary,
        attach(t) {
            target.give(t);
            return undefined;
        },
        resources: {},
    };
}
