import * as pulumi from "@pulumi/pulumi";
import { Cloud, ConfigError, HTTPS_ONLY_TIERS, resolveTier, TierName, TierOverrides, TierSpec } from "../sizing";
import { componentType, Scope, Transforms } from "./base";
import { EdgeCertificate, EdgeImpl } from "./contract";
import { cloudModule } from "./registry";
import { TransformsFor } from "./transforms";
import { registerPart } from "./wiring";
import { Network } from "./Network";
import { EdgeSummary } from "./types";

/**
 * Refuses, at preview, an edge that would answer /mcp over plain HTTP on a tier that promises
 * TLS: a load-balancer edge has no HTTPS name of its own, so prod and enterprise need a domain.
 * (The pay-per-request edges are HTTPS on the platform's name; the local edge listens on the
 * Docker host for local use.) Also refuses a certificate where it would be ignored.
 */
export function checkHttpsOnly(cloud: Cloud, spec: TierSpec, domain: string | undefined, certificate: EdgeCertificate | undefined): void {
    if (domain === undefined && cloud !== "local" && spec.edge.kind === "loadBalancer" && HTTPS_ONLY_TIERS.includes(spec.name)) {
        throw new ConfigError(
            "mcp-infra:domain",
            `the ${spec.name} tier serves /mcp over HTTPS only, and its load-balancer edge has no HTTPS name of its own: set mcp-infra:domain ` +
                "to a name you control (and mcp-infra:dnsZone when its zone is not the domain without its first label)" +
                (cloud === "azure" ? ", with its certificate in mcp-infra:tlsCertificate" : "; the edge gets a managed certificate") +
                ". For the cloud's own HTTPS endpoint without a domain, set mcp-infra:edgeKind to payPerRequest",
        );
    }
    if (certificate !== undefined && (cloud !== "azure" || domain === undefined)) {
        throw new ConfigError(
            "mcp-infra:tlsCertificate",
            cloud !== "azure"
                ? `is used on Azure only (its Application Gateway has no managed certificate); on ${cloud} the edge gets a managed certificate for mcp-infra:domain, so unset it`
                : "needs mcp-infra:domain, the name the certificate is for",
        );
    }
}

export interface EdgeLBArgs<C extends Cloud = Cloud> {
    /** The network the edge fronts (on AWS, its public subnets hold the load balancer). */
    network: Network<C>;
    /** Sizing tier: kind of edge, TLS profile, WAF and per-client rate limit. @default the network's tier */
    tier?: TierName;
    /**
     * Per-field overrides of the tier; the edge reads `edgeKind`.
     * @default {}
     * @example { edgeKind: "loadBalancer" }
     */
    overrides?: TierOverrides;
    /**
     * Public DNS name. When set: a certificate (managed on AWS and GCP; imported
     * into Key Vault on Azure), HTTPS with the tier's TLS policy, HTTP
     * redirected to HTTPS and a DNS record. When unset: a load balancer serves
     * plain HTTP on its own name (for trials only); a pay-per-request edge
     * serves HTTPS on the platform's name. A pay-per-request edge takes a
     * domain on AWS only.
     * @default undefined
     * @example "mcp.example.com"
     */
    domain?: string;
    /** DNS zone holding `domain`. @default the domain without its first label */
    dnsZone?: string;
    /**
     * The certificate for `domain` on Azure (Application Gateway has no managed certificate): the
     * PFX and its password, handed to the gateway directly, so it serves HTTPS from the first `up`.
     * AWS and GCP issue a managed certificate instead. @default undefined
     */
    certificate?: EdgeCertificate;
    /** Hooks keyed by child role (`alb`, `targets`, `https`, `waf`, ...). @default {} */
    transform?: TransformsFor<C, "EdgeLB">;
}

/** The DNS zone that holds `domain`: the given zone (without a trailing dot), else the domain without its first label. */
export function dnsZoneFor(domain: string, dnsZone?: string): string {
    if (dnsZone) return dnsZone.replace(/\.$/, "");
    const labels = domain.split(".");
    return labels.length > 2 ? labels.slice(1).join(".") : domain;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * The public entry point, of the tier's `edgeKind`:
 * - `loadBalancer` (prod, enterprise): AWS ALB, Azure Application Gateway v2
 *   or GCP global external Application LB; health-checks the replicas,
 *   terminates TLS and filters traffic with a WAF and a per-client rate limit.
 * - `payPerRequest` (dev): API Gateway HTTP API (VPC link + Cloud Map) on
 *   AWS, the Container Apps ingress on Azure, Cloud Run's own URL on GCP;
 *   HTTPS, no WAF, billed per request.
 * - `cloud: local`: an nginx container on 127.0.0.1:8080.
 * Create it before the McpCluster that serves it.
 * Cost (AWS, us-east-1, from `npm run plan`): ALB about $16 per month plus
 * its public IPv4s and capacity units; WAF about $5 per ACL plus $1 per rule
 * and $0.60 per million requests; HTTP API $1 per million requests.
 */
export class EdgeLB<C extends Cloud = Cloud> extends pulumi.ComponentResource {
    /** The cloud it runs on: its network's. */
    readonly cloud: C;
    /** The public base URL (https://domain, or http://<load balancer name>). */
    readonly url: pulumi.Output<string>;
    /** The MCP endpoint: `${url}/mcp`. */
    readonly mcpUrl: pulumi.Output<string>;
    readonly summary: pulumi.Output<EdgeSummary>;
    readonly resources: EdgeImpl["resources"];
    /** @internal */
    readonly impl: EdgeImpl;

    constructor(name: string, args: EdgeLBArgs<C>, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("EdgeLB"), name, {}, opts);
        this.cloud = args.network.cloud;
        registerPart(this, "EdgeLB", name, args.network);
        const domain = args.domain?.trim().toLowerCase() || undefined;
        if (domain !== undefined && !DOMAIN.test(domain)) {
            throw new ConfigError("mcp-infra:domain", `"${args.domain}" is not a DNS name such as mcp.example.com`);
        }
        const spec = resolveTier(args.tier ?? args.network.tier, args.overrides);
        checkHttpsOnly(args.network.cloud, spec, domain, args.certificate);
        const scope = new Scope(this, name, args.transform as Transforms | undefined);
        this.impl = cloudModule(args.network.cloud).createEdge(scope, {
            network: args.network.impl,
            spec,
            domain,
            dnsZone: domain ? dnsZoneFor(domain, args.dnsZone || undefined) : undefined,
            certificate: args.certificate,
        });
        scope.checkTransforms("EdgeLB", args.network.cloud);
        this.url = this.impl.url;
        this.mcpUrl = this.url.apply((u) => `${u}/mcp`);
        this.summary = this.impl.summary;
        this.resources = this.impl.resources;
        this.registerOutputs({ url: this.url, mcpUrl: this.mcpUrl, summary: this.summary });
    }
}
