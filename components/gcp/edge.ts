/**
 * EdgeLB on GCP: a global external Application Load Balancer
 * (EXTERNAL_MANAGED) on a global static IP, in front of a serverless NEG that
 * points at the Cloud Run service. With a domain: a Google-managed
 * certificate, an SSL policy (MODERN or RESTRICTED profile, TLS 1.2 minimum),
 * an HTTPS forwarding rule, an HTTP forwarding rule whose URL map only
 * redirects to HTTPS, and an A record in the Cloud DNS zone holding the
 * domain. Without one: a single HTTP forwarding rule on the IP. In tiers with
 * a WAF, a Cloud Armor policy on the backend service: preconfigured WAF rules
 * (OWASP CRS 3.3) and a throttle per client IP at the tier's rate per minute.
 * Only ports 80 and 443 of the load balancer are public.
 *
 * Ordering: the composite creates EdgeLB before McpCluster, but the serverless
 * NEG (and so the backend service, URL map and proxies) needs the Cloud Run
 * service. `createEdge` therefore creates what does not depend on the origin
 * (IP, certificate, SSL policy, Cloud Armor policy, HTTP redirect) and returns
 * an `attach` function; `createCluster` calls it once with the service, and it
 * creates the origin-dependent children through the EDGE's Scope, so they are
 * named `<edge>-<role>` and parented under EdgeLB. `url` and `hostnames` are
 * known up front (the domain, or the static IP); `summary` resolves once
 * `attach` has run (an EdgeLB that no McpCluster attaches to never resolves
 * its summary).
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { gcpSizing } from "../../sizing/gcp";
import { EdgeSize, WafRuleSets } from "../../sizing/tiers";
import { Scope } from "../base";
import { EdgeImpl, EdgeInput } from "../cloud";
import { EdgeSummary } from "../types";
import { GcpNetwork } from "./network";

/** Cloud Armor preconfigured WAF rule sets (ModSecurity CRS 3.3) applied for each WAF level. */
export const WAF_RULE_SETS: Readonly<Record<WafRuleSets, readonly string[]>> = {
    none: [],
    baseline: [
        "xss-v33-stable", "lfi-v33-stable", "rfi-v33-stable", "rce-v33-stable", "methodenforcement-v33-stable",
        "scannerdetection-v33-stable", "protocolattack-v33-stable", "sessionfixation-v33-stable", "cve-canary",
    ],
    extended: [
        "xss-v33-stable", "lfi-v33-stable", "rfi-v33-stable", "rce-v33-stable", "methodenforcement-v33-stable",
        "scannerdetection-v33-stable", "protocolattack-v33-stable", "sessionfixation-v33-stable", "cve-canary",
        "sqli-v33-stable", "php-v33-stable", "nodejs-v33-stable",
    ],
};

/** Cloud Armor's rate-limit interval: one minute, so the threshold reads as requests per minute. */
export const RATE_INTERVAL_SECONDS = 60;
const WAF_PRIORITY = 1000;
const RATE_PRIORITY = 9000;
const DEFAULT_PRIORITY = 2147483647;

/**
 * The Cloud Armor rules for an edge size. Cloud Armor stops at the first
 * matching rule and a conforming throttle counts as a match (allow), so the
 * WAF deny rules come first, then the per-IP throttle, then the default allow.
 */
export function armorRules(edge: EdgeSize): gcp.types.input.compute.SecurityPolicyRule[] {
    const waf = WAF_RULE_SETS[edge.waf].map((set, i) => ({
        priority: WAF_PRIORITY + i,
        action: "deny(403)",
        description: `Preconfigured WAF ${set}`,
        match: { expr: { expression: `evaluatePreconfiguredWaf('${set}', {'sensitivity': 1})` } },
    }));
    const rate = edge.rateLimitPerMinute === null ? [] : [{
        priority: RATE_PRIORITY,
        action: "throttle",
        description: "Rate limit per client IP",
        match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } },
        rateLimitOptions: {
            conformAction: "allow",
            exceedAction: "deny(429)",
            enforceOnKey: "IP",
            rateLimitThreshold: { count: edge.rateLimitPerMinute, intervalSec: RATE_INTERVAL_SECONDS },
        },
    }];
    const fallback = {
        priority: DEFAULT_PRIORITY,
        action: "allow",
        description: "Default: allow",
        match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } },
    };
    return [...waf, ...rate, fallback];
}

/** Inputs of the edge's children the summary is computed from. */
export interface GcpEdgeSummaryInputs {
    /** The SSL policy's profile, when HTTPS is served. */
    sslPolicyProfile?: string;
    sslMinTlsVersion?: string;
    /** The HTTP URL map's default redirect, when HTTP only redirects. */
    httpRedirectsToHttps: boolean;
    /** Cloud Armor rules attached to the backend service, when there is a policy. */
    armorRules?: gcp.types.input.compute.SecurityPolicyRule[];
    keepAliveSeconds: number;
    /** The path Cloud Run probes on the replicas the NEG routes to (serverless NEGs take no LB health check). */
    healthPath: string;
}

export function summarizeGcpEdge(i: GcpEdgeSummaryInputs): EdgeSummary {
    const rules = i.armorRules ?? [];
    const managed = rules
        .map((r) => /evaluatePreconfiguredWaf\('([^']+)'/.exec(String((r.match as any)?.expr?.expression ?? ""))?.[1])
        .filter((n): n is string => !!n);
    const rate = rules.find((r) => (r.action === "throttle" || r.action === "rate_based_ban") && (r.rateLimitOptions as any)?.enforceOnKey === "IP");
    const threshold = (rate?.rateLimitOptions as any)?.rateLimitThreshold;
    const tls = i.sslPolicyProfile === undefined || i.sslMinTlsVersion !== "TLS_1_2"
        ? "none"
        : i.sslPolicyProfile === "RESTRICTED" ? "restricted" : "modern";
    return {
        cloud: "gcp",
        tls,
        httpRedirect: i.httpRedirectsToHttps,
        waf: managed.length > 0,
        managedRuleSets: managed,
        rateLimitPerMinute: threshold ? (Number(threshold.count) * 60) / Number(threshold.intervalSec) : null,
        idleTimeoutSeconds: i.keepAliveSeconds,
        healthPath: i.healthPath,
    };
}

/** What the cluster hands the edge: the Cloud Run service and the path its probes check. */
export interface EdgeOrigin {
    serviceName: pulumi.Input<string>;
    healthPath: pulumi.Input<string>;
}

export interface GcpEdge extends EdgeImpl {
    address: gcp.compute.GlobalAddress;
    securityPolicy?: gcp.compute.SecurityPolicy;
    /** Creates the origin-dependent children (NEG, backend, URL map, proxy, forwarding rule); called once by createCluster. */
    attach(origin: EdgeOrigin): void;
}

export function createEdge(scope: Scope, { network, spec, domain, dnsZone }: EdgeInput): GcpEdge {
    const net = network as GcpNetwork;
    const { project, region } = net.location;
    const { sslPolicyProfile } = gcpSizing(spec, {});
    const edge = spec.edge;
    const after = { dependsOn: net.apis };

    const address = scope.child("ip", gcp.compute.GlobalAddress, {
        project, addressType: "EXTERNAL", ipVersion: "IPV4", description: "MCP endpoint",
    }, after);

    let securityPolicy: gcp.compute.SecurityPolicy | undefined;
    if (edge.waf !== "none" || edge.rateLimitPerMinute !== null) {
        securityPolicy = scope.child("armor", gcp.compute.SecurityPolicy, {
            project,
            type: "CLOUD_ARMOR",
            description: "MCP edge: WAF and per-client rate limit",
            // Parse JSON bodies (MCP is JSON-RPC) so WAF rules see values, not raw JSON syntax.
            advancedOptionsConfig: { jsonParsing: "STANDARD", logLevel: "NORMAL" },
            rules: armorRules(edge),
        }, after);
    }

    let certificate: gcp.compute.ManagedSslCertificate | undefined;
    let sslPolicy: gcp.compute.SSLPolicy | undefined;
    if (domain) {
        certificate = scope.child("certificate", gcp.compute.ManagedSslCertificate, { project, managed: { domains: [domain] } }, after);
        sslPolicy = scope.child("ssl-policy", gcp.compute.SSLPolicy, { project, profile: sslPolicyProfile, minTlsVersion: "TLS_1_2" }, after);
        // HTTP only redirects: it never reaches the service.
        const redirect = scope.child("http-redirect", gcp.compute.URLMap, {
            project,
            description: "Redirect HTTP to HTTPS",
            defaultUrlRedirect: { httpsRedirect: true, redirectResponseCode: "MOVED_PERMANENTLY_DEFAULT", stripQuery: false },
        }, after);
        const httpProxy = scope.child("http-proxy", gcp.compute.TargetHttpProxy, {
            project, urlMap: redirect.id, httpKeepAliveTimeoutSec: edge.idleTimeoutSeconds,
        });
        scope.child("http", gcp.compute.GlobalForwardingRule, {
            project, target: httpProxy.id, ipAddress: address.address, portRange: "80", ipProtocol: "TCP",
            loadBalancingScheme: "EXTERNAL_MANAGED",
        });
        const zoneName = dnsZone ?? domain;
        const zones = gcp.dns.getManagedZonesOutput({ project }, { parent: scope.parent });
        const zone = zones.managedZones.apply((all) => {
            const found = all.find((z) => z.dnsName === `${zoneName}.` && z.visibility !== "private");
            if (!found) throw new Error(`mcp-infra:dnsZone: no public Cloud DNS zone for "${zoneName}" in project ${project}; create it or set dnsZone`);
            return found.name!;
        });
        scope.child("dns", gcp.dns.RecordSet, { project, managedZone: zone, name: `${domain}.`, type: "A", ttl: 300, rrdatas: [address.address] });
    }

    let resolveSummary!: (s: pulumi.Output<EdgeSummary>) => void;
    const summaryPromise = new Promise<pulumi.Output<EdgeSummary>>((resolve) => { resolveSummary = resolve; });
    const resources: Record<string, pulumi.Resource | pulumi.Resource[]> = {
        address, ...(securityPolicy ? { securityPolicy } : {}), ...(certificate ? { certificate } : {}), ...(sslPolicy ? { sslPolicy } : {}),
    };
    let attached = false;

    const attach = (origin: EdgeOrigin) => {
        if (attached) throw new Error(`${scope.name}: the edge already has an origin`);
        attached = true;
        const neg = scope.child("neg", gcp.compute.RegionNetworkEndpointGroup, {
            project, region, networkEndpointType: "SERVERLESS", cloudRun: { service: origin.serviceName },
        });
        // Serverless NEG backends take neither a health check nor timeoutSec: Cloud Run's own probes and request timeout apply.
        const backend = scope.child("backend", gcp.compute.BackendService, {
            project,
            loadBalancingScheme: "EXTERNAL_MANAGED",
            protocol: "HTTPS",
            backends: [{ group: neg.id }],
            securityPolicy: securityPolicy?.id,
            logConfig: { enable: true, sampleRate: 1 },
        });
        const urlMap = scope.child("urlmap", gcp.compute.URLMap, { project, defaultService: backend.id });
        const proxy = domain
            ? scope.child("https-proxy", gcp.compute.TargetHttpsProxy, {
                project, urlMap: urlMap.id, sslCertificates: [certificate!.id], sslPolicy: sslPolicy!.id,
                httpKeepAliveTimeoutSec: edge.idleTimeoutSeconds, quicOverride: "NONE",
            })
            : scope.child("http-proxy", gcp.compute.TargetHttpProxy, { project, urlMap: urlMap.id, httpKeepAliveTimeoutSec: edge.idleTimeoutSeconds });
        const rule = scope.child(domain ? "https" : "http", gcp.compute.GlobalForwardingRule, {
            project, target: proxy.id, ipAddress: address.address, portRange: domain ? "443" : "80", ipProtocol: "TCP",
            loadBalancingScheme: "EXTERNAL_MANAGED",
        });
        Object.assign(resources, { neg, backend, urlMap, proxy, forwardingRule: rule });

        const proxyArgs = scope.inputs<gcp.compute.TargetHttpProxyArgs>(domain ? "https-proxy" : "http-proxy");
        const sslArgs = domain ? scope.inputs<gcp.compute.SSLPolicyArgs>("ssl-policy") : undefined;
        const redirectArgs = domain ? scope.inputs<gcp.compute.URLMapArgs>("http-redirect") : undefined;
        const armorArgs = securityPolicy ? scope.inputs<gcp.compute.SecurityPolicyArgs>("armor") : undefined;
        const backendArgs = scope.inputs<gcp.compute.BackendServiceArgs>("backend");
        resolveSummary(pulumi.all([
            sslArgs?.profile, sslArgs?.minTlsVersion, redirectArgs?.defaultUrlRedirect, armorArgs?.rules, backendArgs.securityPolicy,
            proxyArgs.httpKeepAliveTimeoutSec, origin.healthPath,
        ]).apply(([profile, minTls, redirect, rules, attachedPolicy, keepAlive, healthPath]) => summarizeGcpEdge({
            sslPolicyProfile: profile,
            sslMinTlsVersion: minTls,
            httpRedirectsToHttps: Boolean(redirect?.httpsRedirect),
            // A policy counts only when the backend service really uses it.
            armorRules: attachedPolicy ? (rules as gcp.types.input.compute.SecurityPolicyRule[] | undefined) : undefined,
            keepAliveSeconds: Number(keepAlive ?? 610),
            healthPath: String(healthPath),
        })));
    };

    const ip = address.address;
    return {
        url: domain ? pulumi.output(`https://${domain}`) : pulumi.interpolate`http://${ip}`,
        hostnames: domain ? pulumi.output([domain]) : ip.apply((a) => [a]),
        summary: pulumi.output(summaryPromise).apply((s) => s),
        address,
        securityPolicy,
        attach,
        resources,
    };
}
