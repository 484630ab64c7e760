/**
 * EdgeLB on GCP, one of two kinds (the tier's `edge.kind`, or the `edgeKind`
 * override):
 *
 * `loadBalancer`: a global external Application Load Balancer
 * (EXTERNAL_MANAGED) on a global static IP, in front of a serverless NEG that
 * points at the Cloud Run service. With a domain: a Google-managed
 * certificate, an SSL policy (MODERN or RESTRICTED profile, TLS 1.2 minimum),
 * an HTTPS forwarding rule, an HTTP forwarding rule whose URL map only
 * redirects to HTTPS, and an A record in the Cloud DNS zone holding the
 * domain. Without one: a single HTTP forwarding rule on the IP. In tiers with
 * a WAF, a Cloud Armor policy on the backend service: preconfigured WAF rules
 * (OWASP CRS 3.3) and a throttle per client IP at the tier's rate per minute.
 * Only ports 80 and 443 of the load balancer are public. Cost: a forwarding
 * rule about $18 per month (two with a domain), Cloud Armor $5 per policy plus
 * $1 per rule, plus data processed.
 *
 * `payPerRequest`: no resource of its own. The Cloud Run service takes all
 * ingress and clients reach it on its deterministic HTTPS URL,
 * `https://SERVICE-PROJECT_NUMBER.REGION.run.app`, where Google's front end
 * terminates TLS with a Google-managed certificate and redirects HTTP to HTTPS.
 * No WAF and no edge rate limit (the server applies its own per-client limit),
 * so only for tiers without a WAF; no custom domain (Cloud Run domain mappings
 * are in preview with limited regions, so a domain is refused: use
 * `loadBalancer`). Cost: nothing beyond Cloud Run's per-request price.
 *
 * Ordering: the composite creates EdgeLB before McpCluster, but the serverless
 * NEG (and so the backend service, URL map and proxies) needs the Cloud Run
 * service. `createEdge` therefore creates what does not depend on the origin
 * (IP, certificate, SSL policy, Cloud Armor policy, HTTP redirect) and returns
 * an `attach` function; `createCluster` calls it once with the service, and it
 * creates the origin-dependent children through the EDGE's Scope, so they are
 * named `<edge>-<role>` and parented under EdgeLB. For a load balancer `url`
 * and `hostnames` are known up front (the domain, or the static IP); for a
 * per-request edge they resolve once `attach` has run, so the cluster builds
 * the host for MCP_ALLOWED_HOSTS itself from the service's fixed name (see
 * cluster.ts). `summary` resolves once `attach` has run (an EdgeLB that no
 * McpCluster attaches to never resolves its summary, nor a per-request edge's
 * url).
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, EdgeKind, overrideKey, TierOverrides, TierSpec } from "../../sizing";
import { gcpSizing, packWafRuleSets } from "../../sizing/gcp";
import { EdgeSize, WafRuleSets } from "../../sizing/tiers";
import { Scope } from "../base";
import { EdgeImpl, EdgeInput, HandOff } from "../contract";
import { EdgeSummary } from "../types";
import { GcpNetwork } from "./network";

/** Cloud Armor preconfigured WAF rule sets (ModSecurity CRS 3.3) applied for each WAF level. */
export const WAF_RULE_SETS: Readonly<Record<WafRuleSets, readonly string[]>> = {
    none: [],
    baseline: [
        "xss-v33-stable",
        "lfi-v33-stable",
        "rfi-v33-stable",
        "rce-v33-stable",
        "methodenforcement-v33-stable",
        "scannerdetection-v33-stable",
        "protocolattack-v33-stable",
        "sessionfixation-v33-stable",
        "cve-canary",
    ],
    extended: [
        "xss-v33-stable",
        "lfi-v33-stable",
        "rfi-v33-stable",
        "rce-v33-stable",
        "methodenforcement-v33-stable",
        "scannerdetection-v33-stable",
        "protocolattack-v33-stable",
        "sessionfixation-v33-stable",
        "cve-canary",
        "sqli-v33-stable",
        "php-v33-stable",
        "nodejs-v33-stable",
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
    // wafRules "compact" packs the sets five to a rule (Cloud Armor's subexpression limit): each rule denies what
    // any of its sets matches, so the protection is the same in fewer billed rules (9 sets: 2 rules).
    const waf = packWafRuleSets(WAF_RULE_SETS[edge.waf], edge.wafRules).map((sets, i) => ({
        priority: WAF_PRIORITY + i,
        action: "deny(403)",
        description: `Preconfigured WAF ${sets.join(", ")}`.slice(0, 64),
        match: { expr: { expression: sets.map((set) => `evaluatePreconfiguredWaf('${set}', {'sensitivity': 1})`).join(" || ") } },
    }));
    const rate =
        edge.rateLimitPerMinute === null
            ? []
            : [
                  {
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
                  },
              ];
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
    const managed = rules.flatMap((r) =>
        [
            ...String(
                (r.match as pulumi.Unwrap<gcp.types.input.compute.SecurityPolicyRuleMatch> | undefined)?.expr?.expression ?? "",
            ).matchAll(/evaluatePreconfiguredWaf\('([^']+)'/g),
        ].map((m) => m[1]),
    );
    const rate = rules.find(
        (r) =>
            (r.action === "throttle" || r.action === "rate_based_ban") &&
            (r.rateLimitOptions as pulumi.Unwrap<gcp.types.input.compute.SecurityPolicyRuleRateLimitOptions> | undefined)?.enforceOnKey ===
                "IP",
    );
    const threshold = (rate?.rateLimitOptions as pulumi.Unwrap<gcp.types.input.compute.SecurityPolicyRuleRateLimitOptions> | undefined)
        ?.rateLimitThreshold;
    const tls =
        i.sslPolicyProfile === undefined || i.sslMinTlsVersion !== "TLS_1_2"
            ? "none"
            : i.sslPolicyProfile === "RESTRICTED"
              ? "restricted"
              : "modern";
    return {
        cloud: "gcp",
        kind: "loadBalancer",
        tls,
        httpRedirect: i.httpRedirectsToHttps,
        waf: managed.length > 0,
        managedRuleSets: managed,
        rateLimitPerMinute: threshold ? (Number(threshold.count) * 60) / Number(threshold.intervalSec) : null,
        idleTimeoutSeconds: i.keepAliveSeconds,
        healthPath: i.healthPath,
    };
}

/** Inputs of the Cloud Run service a per-request edge's summary is computed from. */
export interface RunUrlSummaryInputs {
    /** The service's `ingress`. */
    ingress: string;
    /** The service's `defaultUriDisabled` (its run.app URLs switched off). */
    defaultUriDisabled: boolean;
    /** The service's request timeout (`template.timeout`), seconds. */
    timeoutSeconds: number;
    /** The path Cloud Run's probes check. */
    healthPath: string;
}

/**
 * Describes a per-request edge: the Cloud Run service's own run.app URL, where
 * Google's front end terminates TLS with a Google-managed certificate and
 * answers plain HTTP with a redirect to HTTPS. Its TLS policy is Google's, not
 * configurable here: it negotiates TLS 1.3 or 1.2 with current clients but may
 * still accept older protocol versions from legacy ones. It is reported as the
 * "modern" profile the contract asks for per-request edges; a tier asking for
 * "restricted" is refused (`gcpEdgeKind`), and a strict TLS 1.2 floor needs
 * edgeKind "loadBalancer" (its SSL policy).
 */
export function summarizeRunUrlEdge(i: RunUrlSummaryInputs): EdgeSummary {
    if (i.ingress !== "INGRESS_TRAFFIC_ALL" || i.defaultUriDisabled) {
        throw new Error(
            `the payPerRequest edge serves the Cloud Run service's own run.app URL, but the service has ingress ${i.ingress}${i.defaultUriDisabled ? " and its run.app URL disabled" : ""}`,
        );
    }
    return {
        cloud: "gcp",
        kind: "payPerRequest",
        tls: "modern",
        httpRedirect: true,
        waf: false,
        managedRuleSets: [],
        rateLimitPerMinute: null,
        idleTimeoutSeconds: i.timeoutSeconds,
        healthPath: i.healthPath,
    };
}

/**
 * The kind of edge to build on GCP: the `edgeKind` override the network was
 * built with (EdgeLB resolves its tier without overrides), else the tier's.
 * A per-request edge (Cloud Run's own URL) is refused where the tier filters
 * traffic (WAF, edge rate limit) or asks for the restricted TLS profile, which
 * only a load balancer's SSL policy enforces, and with a custom domain.
 */
export function gcpEdgeKind(spec: TierSpec, overrides: TierOverrides, domain?: string): EdgeKind {
    const kind = overrides.edgeKind ?? spec.edge.kind;
    if (kind !== "payPerRequest") return kind;
    const field = overrides.edgeKind !== undefined ? overrideKey("edgeKind") : "mcp-infra:tier";
    if (spec.edge.waf !== "none" || spec.edge.rateLimitPerMinute !== null) {
        throw new ConfigError(
            field,
            `the ${spec.name} tier filters traffic with a WAF and a per-client rate limit, which Cloud Run's own URL does not have; use edgeKind "loadBalancer"`,
        );
    }
    if (spec.edge.tlsProfile !== "modern") {
        throw new ConfigError(
            field,
            `the ${spec.name} tier asks for the ${spec.edge.tlsProfile} TLS profile, which only a load balancer's SSL policy enforces (Cloud Run's run.app URL uses Google's own TLS policy); use edgeKind "loadBalancer"`,
        );
    }
    if (domain) {
        throw new ConfigError(
            "mcp-infra:domain",
            `"${domain}" needs a load balancer on GCP: a payPerRequest edge serves Cloud Run's own https://<service>-<project number>.<region>.run.app URL, and Cloud Run domain mappings are a preview with limited regions; leave domain empty or set mcp-infra:edgeKind to "loadBalancer"`,
        );
    }
    return kind;
}

/** What the cluster hands the edge: the Cloud Run service, as created. */
export interface EdgeOrigin {
    serviceName: pulumi.Input<string>;
    /** The path Cloud Run's probes check on the replicas. */
    healthPath: pulumi.Input<string>;
    /** The service's `ingress` input. */
    ingress: pulumi.Input<string>;
    /** The service's `defaultUriDisabled` input. */
    defaultUriDisabled: pulumi.Input<boolean>;
    /** The service's request timeout, seconds. */
    timeoutSeconds: pulumi.Input<number>;
    /** The URLs Cloud Run serves the service on (its `urls` output). */
    urls: pulumi.Input<string[]>;
    /** The host of the service's deterministic run.app URL (per-request edge only). */
    runHost?: pulumi.Input<string>;
}

export interface GcpEdge extends EdgeImpl<EdgeOrigin, void> {
    /** Which edge was built; the cluster sets the service's ingress from it. */
    kind: EdgeKind;
    /** The load balancer's static IP (loadBalancer only). */
    address?: gcp.compute.GlobalAddress;
    securityPolicy?: gcp.compute.SecurityPolicy;
    /** Creates the origin-dependent children (NEG, backend, URL map, proxy, forwarding rule) or binds the run.app URL; called once by createCluster. */
    attach(origin: EdgeOrigin): void;
}

export function createEdge(scope: Scope, input: EdgeInput<GcpNetwork>): GcpEdge {
    const net = input.network;
    return gcpEdgeKind(input.spec, net.overrides, input.domain) === "payPerRequest"
        ? createRunUrlEdge(scope)
        : createLoadBalancer(scope, input);
}

/** The per-request edge: nothing to create; `attach` binds the service's run.app URL. */
function createRunUrlEdge(scope: Scope): GcpEdge {
    type Bound = { url: pulumi.Output<string>; hostnames: pulumi.Output<string[]>; summary: pulumi.Output<EdgeSummary> };
    const bound = new HandOff<Bound>(`${scope.name}: the edge's origin`);
    const attach = (origin: EdgeOrigin) => {
        if (origin.runHost === undefined) throw new Error(`${scope.name}: a payPerRequest edge needs the service's run.app host`);
        const host = pulumi.output(origin.runHost);
        bound.give({
            // The URL is the deterministic one, whose host the server accepts; Cloud Run must really serve it.
            url: pulumi.all([origin.urls, host]).apply(([urls, h]) => {
                const want = `https://${h}`;
                if (!(urls ?? []).includes(want)) {
                    throw new Error(
                        `${scope.name}: Cloud Run serves the service on ${(urls ?? []).join(", ") || "no URL"}, not on ${want}, the only host in MCP_ALLOWED_HOSTS`,
                    );
                }
                return want;
            }),
            hostnames: host.apply((h) => [h]),
            summary: pulumi
                .all([origin.ingress, origin.defaultUriDisabled, origin.timeoutSeconds, origin.healthPath])
                .apply(([ingress, disabled, timeout, healthPath]) =>
                    summarizeRunUrlEdge({
                        ingress: String(ingress),
                        defaultUriDisabled: Boolean(disabled),
                        timeoutSeconds: Number(timeout),
                        healthPath: String(healthPath),
                    }),
                ),
        });
    };
    return {
        kind: "payPerRequest",
        url: bound.output((b) => b.url),
        hostnames: bound.output((b) => b.hostnames),
        summary: bound.output((b) => b.summary),
        attach,
        resources: {},
    };
}

function createLoadBalancer(scope: Scope, { network, spec, domain, dnsZone }: EdgeInput<GcpNetwork>): GcpEdge {
    const net = network;
    const { project, region } = net.location;
    const { sslPolicyProfile } = gcpSizing(spec, {});
    const edge = spec.edge;
    const after = { dependsOn: net.apis };

    const address = scope.child(
        "ip",
        gcp.compute.GlobalAddress,
        {
            project,
            addressType: "EXTERNAL",
            ipVersion: "IPV4",
            description: "MCP endpoint",
        },
        after,
    );

    let securityPolicy: gcp.compute.SecurityPolicy | undefined;
    if (edge.waf !== "none" || edge.rateLimitPerMinute !== null) {
        securityPolicy = scope.child(
            "armor",
            gcp.compute.SecurityPolicy,
            {
                project,
                type: "CLOUD_ARMOR",
                description: "MCP edge: WAF and per-client rate limit",
                // Parse JSON bodies (MCP is JSON-RPC) so WAF rules see values, not raw JSON syntax.
                advancedOptionsConfig: { jsonParsing: "STANDARD", logLevel: "NORMAL" },
                rules: armorRules(edge),
            },
            after,
        );
    }

    let certificate: gcp.compute.ManagedSslCertificate | undefined;
    let sslPolicy: gcp.compute.SSLPolicy | undefined;
    if (domain) {
        certificate = scope.child("certificate", gcp.compute.ManagedSslCertificate, { project, managed: { domains: [domain] } }, after);
        sslPolicy = scope.child(
            "ssl-policy",
            gcp.compute.SSLPolicy,
            { project, profile: sslPolicyProfile, minTlsVersion: "TLS_1_2" },
            after,
        );
        // HTTP only redirects: it never reaches the service.
        const redirect = scope.child(
            "http-redirect",
            gcp.compute.URLMap,
            {
                project,
                description: "Redirect HTTP to HTTPS",
                defaultUrlRedirect: { httpsRedirect: true, redirectResponseCode: "MOVED_PERMANENTLY_DEFAULT", stripQuery: false },
            },
            after,
        );
        const httpProxy = scope.child("http-proxy", gcp.compute.TargetHttpProxy, {
            project,
            urlMap: redirect.id,
            httpKeepAliveTimeoutSec: edge.idleTimeoutSeconds,
        });
        scope.child("http", gcp.compute.GlobalForwardingRule, {
            project,
            target: httpProxy.id,
            ipAddress: address.address,
            portRange: "80",
            ipProtocol: "TCP",
            loadBalancingScheme: "EXTERNAL_MANAGED",
        });
        const zoneName = dnsZone ?? domain;
        const zones = gcp.dns.getManagedZonesOutput({ project }, { parent: scope.parent });
        const zone = zones.managedZones.apply((all) => {
            const found = all.find((z) => z.dnsName === `${zoneName}.` && z.visibility !== "private");
            if (!found)
                throw new Error(
                    `mcp-infra:dnsZone: no public Cloud DNS zone for "${zoneName}" in project ${project}; create it or set dnsZone`,
                );
            return found.name!;
        });
        scope.child("dns", gcp.dns.RecordSet, {
            project,
            managedZone: zone,
            name: `${domain}.`,
            type: "A",
            ttl: 300,
            rrdatas: [address.address],
        });
    }

    const summary = new HandOff<pulumi.Output<EdgeSummary>>(`${scope.name}: the edge's origin`);
    scope.later(["neg", "backend", "urlmap", domain ? "https-proxy" : "http-proxy", domain ? "https" : "http"]);
    const resources: Record<string, pulumi.Resource | pulumi.Resource[]> = {
        address,
        ...(securityPolicy ? { securityPolicy } : {}),
        ...(certificate ? { certificate } : {}),
        ...(sslPolicy ? { sslPolicy } : {}),
    };

    const attach = (origin: EdgeOrigin) => {
        const neg = scope.child("neg", gcp.compute.RegionNetworkEndpointGroup, {
            project,
            region,
            networkEndpointType: "SERVERLESS",
            cloudRun: { service: origin.serviceName },
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
                  project,
                  urlMap: urlMap.id,
                  sslCertificates: [certificate!.id],
                  sslPolicy: sslPolicy!.id,
                  httpKeepAliveTimeoutSec: edge.idleTimeoutSeconds,
                  quicOverride: "NONE",
              })
            : scope.child("http-proxy", gcp.compute.TargetHttpProxy, {
                  project,
                  urlMap: urlMap.id,
                  httpKeepAliveTimeoutSec: edge.idleTimeoutSeconds,
              });
        const rule = scope.child(domain ? "https" : "http", gcp.compute.GlobalForwardingRule, {
            project,
            target: proxy.id,
            ipAddress: address.address,
            portRange: domain ? "443" : "80",
            ipProtocol: "TCP",
            loadBalancingScheme: "EXTERNAL_MANAGED",
        });
        Object.assign(resources, { neg, backend, urlMap, proxy, forwardingRule: rule });

        const proxyArgs = scope.inputs<gcp.compute.TargetHttpProxyArgs>(domain ? "https-proxy" : "http-proxy");
        const sslArgs = domain ? scope.inputs<gcp.compute.SSLPolicyArgs>("ssl-policy") : undefined;
        const redirectArgs = domain ? scope.inputs<gcp.compute.URLMapArgs>("http-redirect") : undefined;
        const armorArgs = securityPolicy ? scope.inputs<gcp.compute.SecurityPolicyArgs>("armor") : undefined;
        const backendArgs = scope.inputs<gcp.compute.BackendServiceArgs>("backend");
        summary.give(
            pulumi
                .all([
                    sslArgs?.profile,
                    sslArgs?.minTlsVersion,
                    redirectArgs?.defaultUrlRedirect,
                    armorArgs?.rules,
                    backendArgs.securityPolicy,
                    proxyArgs.httpKeepAliveTimeoutSec,
                    origin.healthPath,
                ])
                .apply(([profile, minTls, redirect, rules, attachedPolicy, keepAlive, healthPath]) =>
                    summarizeGcpEdge({
                        sslPolicyProfile: profile,
                        sslMinTlsVersion: minTls,
                        httpRedirectsToHttps: Boolean(redirect?.httpsRedirect),
                        // A policy counts only when the backend service really uses it.
                        armorRules: attachedPolicy ? (rules as gcp.types.input.compute.SecurityPolicyRule[] | undefined) : undefined,
                        keepAliveSeconds: Number(keepAlive ?? 610),
                        healthPath: String(healthPath),
                    }),
                ),
        );
    };

    const ip = address.address;
    return {
        kind: "loadBalancer",
        url: domain ? pulumi.output(`https://${domain}`) : pulumi.interpolate`http://${ip}`,
        hostnames: domain ? pulumi.output([domain]) : ip.apply((a) => [a]),
        summary: summary.output((s) => s),
        address,
        securityPolicy,
        attach,
        resources,
    };
}
