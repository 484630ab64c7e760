/**
 * EdgeLB on Azure, by the tier's edge kind (`edgeKind` overrides it).
 *
 * `payPerRequest` (dev): no resource of its own. The Container Apps
 * environment is external and the app's ingress is the public endpoint,
 * billed per request with the app: HTTPS on the app's Azure name
 * (`https://<app>.<environment default domain>`, Azure's certificate, TLS
 * 1.2/1.3), plain HTTP redirected to HTTPS, no WAF and no rate limit (tiers
 * with a WAF cannot choose it). See `ingress.ts`.
 *
 * `loadBalancer` (prod, enterprise): Application Gateway v2 in its own subnet,
 * the only public listener of the stack. Standard_v2 without a WAF; WAF_v2
 * with a WAF policy (Microsoft managed rule sets in Prevention mode and a
 * per-client-IP rate limit) where the tier has one. With a domain: an HTTPS
 * listener with a predefined TLS 1.2+/1.3 policy (strict cipher set for
 * `restricted`), HTTP redirected permanently to HTTPS; without one, plain HTTP
 * on the public IP's Azure DNS name. Health probe on the server's health path;
 * the backend request timeout honours the tier's idle timeout for streamed
 * responses. Autoscaling from 0 reserved instances, except where the tier is
 * built for 99.99 % (see `appGatewayMinInstances`).
 *
 * Why Application Gateway rather than Front Door: it is the regional L7 load
 * balancer inside the VNet that ALB is, so the service's environment stays
 * internal (no public IP, no Private Link approval step) and only the gateway
 * listens publicly; its WAF_v2 has managed rule sets and per-client rate
 * limits in every paid tier; its predefined TLS policies map 1:1 onto the
 * tier's `modern` / `restricted`; and its request timeout reaches 300 s
 * where Front Door's origin timeout stops at 240 s. Cost (East US, Retail
 * Prices API): $146 per month fixed for Standard_v2 and $262.80 for WAF_v2,
 * its public IP included, plus capacity
 * units (a reserved instance is 10 of them: about $58 per month on
 * Standard_v2, $105 on WAF_v2), against Front Door Premium's $330 base in
 * every tier (Premium is needed for both managed WAF rules and a private
 * origin).
 * The catch: Application Gateway has no managed certificate. With `domain`
 * set, the domain's PFX and its password (`mcp-infra:tlsCertificate`,
 * `tlsCertificatePassword`, Pulumi secrets) are given to the gateway itself
 * (`sslCertificates[].data` / `password`), so its HTTPS listener works on the
 * first `pulumi up`: a Key Vault created by the same deployment with public
 * access off could not hold the certificate by then. Point the domain's DNS
 * (CNAME) at the public IP's name. Renew by setting a new PFX and `up`.
 *
 * Ordering: the edge's origin is the Container App's FQDN, which exists only
 * once McpCluster has created the environment. `createEdge` therefore creates
 * what it can up front (public IP with a fixed DNS label, so `url` and
 * `hostnames` are known at once; listener NSG rules; WAF policy) and returns
 * `attach`, which `createCluster` calls with the
 * app's FQDN and inputs: `attach` creates the gateway with the EDGE's Scope (so
 * it is named `<edge>-gateway` and parented under EdgeLB) and resolves
 * `summary` (for `payPerRequest` also `url` and `hostnames`).
 *
 * The edge kind comes with the tier EdgeLB resolved (with its `overrides`);
 * the cluster follows the kind the edge reports, so the two always agree.
 */
import * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, TierSpec } from "../../sizing";
import { azureSizing, checkEdgeDomain } from "../../sizing/azure";
import { EdgeSize, WafRuleSets } from "../../sizing/tiers";
import { Scope } from "../base";
import { EdgeCertificate, EdgeImpl, EdgeInput, HandOff } from "../contract";
import { EdgeSummary, SERVER } from "../types";
import type { AzureEdge, EdgeTarget } from "./edge-types";
import { createIngressEdge } from "./ingress";
import { allowRule, AzureNetwork } from "./network";

/** Name of the certificate (in the edge's Key Vault) the HTTPS listener serves. */
export const CERTIFICATE_NAME = "tls";

/** Managed rule sets the WAF policy applies for each WAF level. */
export const MANAGED_RULE_SETS: Readonly<Record<WafRuleSets, ReadonlyArray<{ ruleSetType: string; ruleSetVersion: string }>>> = {
    none: [],
    baseline: [{ ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1" }],
    extended: [
        { ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1" },
        { ruleSetType: "Microsoft_BotManagerRuleSet", ruleSetVersion: "1.1" },
    ],
};

/** The WAF policy's custom rules: a rate limit per client IP over every request. */
export function wafCustomRules(edge: EdgeSize): network.WebApplicationFirewallPolicyArgs["customRules"] {
    if (edge.rateLimitPerMinute === null) return [];
    return [
        {
            name: "RateLimitPerClientIp",
            priority: 10,
            ruleType: "RateLimitRule",
            rateLimitDuration: "OneMin",
            rateLimitThreshold: edge.rateLimitPerMinute,
            groupByUserSession: [{ groupByVariables: [{ variableName: "ClientAddr" }] }],
            // "Not from 255.255.255.255" matches every request, so the limit counts all of a client's traffic.
            matchConditions: [
                {
                    matchVariables: [{ variableName: "RemoteAddr" }],
                    operator: "IPMatch",
                    negationConditon: true,
                    matchValues: ["255.255.255.255/32"],
                },
            ],
            action: "Block",
            state: "Enabled",
        },
    ];
}

/** The gateway and WAF policy inputs the edge summary is computed from. */
export interface AppGatewaySummaryInputs {
    skuName: string;
    sslPolicyName?: string;
    /** Protocols of the listeners. */
    listenerProtocols: string[];
    /** Redirects from HTTP to the HTTPS listener. */
    httpsRedirects: boolean;
    requestTimeout: number;
    probePath: string;
    firewallPolicy: boolean;
    managedRuleSets: Array<{ ruleSetType: string; ruleSetVersion: string }>;
    customRules: Array<{ ruleType: string; rateLimitDuration?: string; rateLimitThreshold?: number }>;
}

export function summarizeAppGateway(i: AppGatewaySummaryInputs): EdgeSummary {
    const https = i.listenerProtocols.includes("Https");
    const waf = i.firewallPolicy && i.skuName === "WAF_v2";
    const rate = waf ? i.customRules.find((r) => r.ruleType === "RateLimitRule") : undefined;
    return {
        cloud: "azure",
        kind: "loadBalancer",
        tls: !https ? "none" : i.sslPolicyName?.endsWith("S") ? "restricted" : "modern",
        httpRedirect: i.httpsRedirects,
        waf,
        managedRuleSets: waf ? i.managedRuleSets.map((s) => `${s.ruleSetType}_${s.ruleSetVersion}`) : [],
        rateLimitPerMinute: rate ? Number(rate.rateLimitThreshold) / (rate.rateLimitDuration === "FiveMins" ? 5 : 1) : null,
        idleTimeoutSeconds: i.requestTimeout,
        healthPath: i.probePath,
    };
}

export type { AzureEdge, EdgeTarget } from "./edge-types";

export function createEdge(scope: Scope, { network, spec, domain, certificate }: EdgeInput<AzureNetwork>): AzureEdge {
    checkEdgeDomain(spec, domain);
    return spec.edge.kind === "payPerRequest" ? createIngressEdge() : createGatewayEdge(scope, network, spec, domain, certificate);
}

/** Application Gateway v2 (Standard_v2, or WAF_v2 with the tier's WAF policy). */
function createGatewayEdge(
    scope: Scope,
    net: AzureNetwork,
    spec: TierSpec,
    domain: string | undefined,
    certificate: EdgeCertificate | undefined,
): AzureEdge {
    const sizing = azureSizing(spec, {});
    const edge = spec.edge;
    const resourceGroupName = net.resourceGroupName;
    const zones = sizing.zoneRedundant ? ["1", "2", "3"] : undefined;

    const publicIp = scope.child("ip", network.PublicIPAddress, {
        resourceGroupName,
        sku: { name: "Standard", tier: "Regional" },
        publicIPAllocationMethod: "Static",
        zones,
        dnsSettings: { domainNameLabel: pulumi.interpolate`mcp-${net.suffix}` },
    });
    const listenPorts = domain ? [80, 443] : [80];
    const listenerRules = listenPorts.map((port, i) =>
        scope.child(`nsg-in-${port}`, network.SecurityRule, {
            resourceGroupName,
            networkSecurityGroupName: net.gatewayNsg.name,
            ...allowRule(`internet-${port}`, 200 + i, "Internet", "*", [String(port)]),
            description: port === 443 ? "HTTPS from anywhere" : "HTTP from anywhere",
        }),
    );

    let wafPolicy: network.WebApplicationFirewallPolicy | undefined;
    if (edge.waf !== "none") {
        wafPolicy = scope.child("waf", network.WebApplicationFirewallPolicy, {
            resourceGroupName,
            policySettings: { state: "Enabled", mode: "Prevention", requestBodyCheck: true },
            managedRules: { managedRuleSets: MANAGED_RULE_SETS[edge.waf].map((s) => ({ ...s })) },
            customRules: wafCustomRules(edge),
        });
    }

    const gatewayDeps: pulumi.Resource[] = [...listenerRules];
    if (domain && !certificate) {
        throw new ConfigError(
            "mcp-infra:tlsCertificate",
            `Application Gateway has no managed certificate: give the certificate for "${domain}" as a PFX file ` +
                "(pulumi config set mcp-infra:tlsCertificate path/to/cert.pfx, and pulumi config set --secret mcp-infra:tlsCertificatePassword <password>); " +
                "the gateway gets it directly, so HTTPS works from the first pulumi up",
        );
    }

    const hostnames = domain ? pulumi.output([domain]) : publicIp.dnsSettings.apply((d) => [String(d?.fqdn)]);
    const url = domain ? pulumi.output(`https://${domain}`) : hostnames.apply((h) => `http://${h[0]}`);

    const bound = new HandOff<{ gateway: network.ApplicationGatewayArgs; waf?: network.WebApplicationFirewallPolicyArgs }>(
        `${scope.name}: the gateway's origin`,
    );
    const resources: EdgeImpl["resources"] = { publicIp, ...(wafPolicy ? { wafPolicy } : {}) };

    const gatewayName = `${scope.name}-gateway`;
    scope.later(["gateway"]);
    const attach = (target: EdgeTarget): network.ApplicationGateway => {
        const base = pulumi.interpolate`/subscriptions/${net.subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Network/applicationGateways/${gatewayName}`;
        const ref = (kind: string, name: string) => ({ id: pulumi.interpolate`${base}/${kind}/${name}` });
        const toBackend = {
            backendAddressPool: ref("backendAddressPools", "service"),
            backendHttpSettings: ref("backendHttpSettingsCollection", "service"),
        };
        const skuName = wafPolicy ? "WAF_v2" : "Standard_v2";
        const gateway = scope.child(
            "gateway",
            network.ApplicationGateway,
            {
                resourceGroupName,
                applicationGatewayName: gatewayName,
                sku: { name: skuName, tier: skuName },
                autoscaleConfiguration: { minCapacity: sizing.gatewayMinInstances, maxCapacity: 10 },
                zones,
                enableHttp2: true,
                firewallPolicy: wafPolicy ? { id: wafPolicy.id } : undefined,
                gatewayIPConfigurations: [{ name: "gateway", subnet: { id: net.subnets.gateway.id } }],
                frontendIPConfigurations: [{ name: "public", publicIPAddress: { id: publicIp.id } }],
                frontendPorts: listenPorts.map((port) => ({ name: port === 443 ? "https" : "http", port })),
                sslPolicy: { policyType: "Predefined", policyName: sizing.sslPolicy },
                // The PFX and its password go to the gateway itself (secrets in Pulumi's state): no vault
                // the gateway must reach, so the HTTPS listener has its certificate on the first up.
                sslCertificates:
                    domain && certificate
                        ? [
                              {
                                  name: CERTIFICATE_NAME,
                                  data: pulumi.secret(certificate.pfxBase64),
                                  password: pulumi.secret(certificate.password ?? ""),
                              },
                          ]
                        : undefined,
                backendAddressPools: [{ name: "service", backendAddresses: [{ fqdn: target.fqdn }] }],
                probes: [
                    {
                        name: "health",
                        protocol: "Https",
                        path: SERVER.healthPath,
                        interval: 15,
                        timeout: 5,
                        unhealthyThreshold: 3,
                        pickHostNameFromBackendHttpSettings: true,
                        match: { statusCodes: ["200"] },
                    },
                ],
                // End-to-end TLS to the environment's ingress, which routes on the app's own host name.
                backendHttpSettingsCollection: [
                    {
                        name: "service",
                        port: 443,
                        protocol: "Https",
                        pickHostNameFromBackendAddress: true,
                        cookieBasedAffinity: "Disabled",
                        requestTimeout: edge.idleTimeoutSeconds,
                        connectionDraining: { enabled: true, drainTimeoutInSec: 30 },
                        probe: ref("probes", "health"),
                    },
                ],
                httpListeners: [
                    {
                        name: "http",
                        protocol: "Http",
                        frontendIPConfiguration: ref("frontendIPConfigurations", "public"),
                        frontendPort: ref("frontendPorts", "http"),
                    },
                    ...(domain
                        ? [
                              {
                                  name: "https",
                                  protocol: "Https",
                                  hostNames: [domain],
                                  requireServerNameIndication: true,
                                  frontendIPConfiguration: ref("frontendIPConfigurations", "public"),
                                  frontendPort: ref("frontendPorts", "https"),
                                  sslCertificate: ref("sslCertificates", CERTIFICATE_NAME),
                              },
                          ]
                        : []),
                ],
                redirectConfigurations: domain
                    ? [
                          {
                              name: "http-to-https",
                              redirectType: "Permanent",
                              targetListener: ref("httpListeners", "https"),
                              includePath: true,
                              includeQueryString: true,
                          },
                      ]
                    : undefined,
                requestRoutingRules: domain
                    ? [
                          { name: "https", ruleType: "Basic", priority: 100, httpListener: ref("httpListeners", "https"), ...toBackend },
                          {
                              name: "http-to-https",
                              ruleType: "Basic",
                              priority: 200,
                              httpListener: ref("httpListeners", "http"),
                              redirectConfiguration: ref("redirectConfigurations", "http-to-https"),
                          },
                      ]
                    : [{ name: "http", ruleType: "Basic", priority: 100, httpListener: ref("httpListeners", "http"), ...toBackend }],
            },
            { dependsOn: [...gatewayDeps, ...target.dependsOn] },
        );
        resources.gateway = gateway;
        bound.give({
            gateway: scope.inputs<network.ApplicationGatewayArgs>("gateway"),
            waf: wafPolicy ? scope.inputs<network.WebApplicationFirewallPolicyArgs>("waf") : undefined,
        });
        return gateway;
    };

    const summary = pulumi
        .output(bound.value)
        .apply(({ gateway: g, waf }) =>
            pulumi.output({
                sku: g.sku,
                ssl: g.sslPolicy,
                listeners: g.httpListeners,
                redirects: g.redirectConfigurations,
                settings: g.backendHttpSettingsCollection,
                probes: g.probes,
                firewall: g.firewallPolicy,
                ruleSets: waf?.managedRules,
                rules: waf?.customRules,
            }),
        )
        .apply((u) =>
            summarizeAppGateway({
                skuName: String(u.sku?.name),
                sslPolicyName: u.ssl?.policyName,
                listenerProtocols: (u.listeners ?? []).map((l) => String(l.protocol)),
                httpsRedirects: (u.redirects ?? []).some(
                    (r) => r.redirectType === "Permanent" && String(r.targetListener?.id).endsWith("/httpListeners/https"),
                ),
                requestTimeout: Number(u.settings?.[0]?.requestTimeout ?? 30),
                probePath: String(u.probes?.[0]?.path ?? "/"),
                firewallPolicy: u.firewall !== undefined,
                managedRuleSets: (u.ruleSets?.managedRuleSets ?? []).map((s) => ({
                    ruleSetType: String(s.ruleSetType),
                    ruleSetVersion: String(s.ruleSetVersion),
                })),
                customRules: (u.rules ?? []).map((r) => ({
                    ruleType: String(r.ruleType),
                    rateLimitDuration: r.rateLimitDuration,
                    rateLimitThreshold: r.rateLimitThreshold,
                })),
            }),
        );

    return { kind: "loadBalancer", url, hostnames, summary, publicIp, wafPolicy, attach, resources };
}
