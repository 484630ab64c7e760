/**
 * The prod and enterprise tiers promise TLS 1.2+ at the edge, so their edge
 * must not answer /mcp (API keys in the Authorization header) over plain HTTP:
 * port 80 may only redirect to HTTPS. Checked on the whole stack, because an
 * Application Gateway's listeners and rules, and a GCP proxy and its URL map,
 * are separate objects. The tier comes from the policy config (`tier`), else
 * from the stack name, as in `deletion-protection-and-backups`.
 */
import type { PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { HTTPS_ONLY_TIERS, TierName } from "../sizing/tiers";
import { resolveTier } from "./resilience";
import { baseType, T } from "./types";
import { asList } from "./util";

export interface HttpsOnlyConfig {
    tier?: TierName;
}

const GCP_HTTP_PROXY = "gcp:compute/targetHttpProxy:TargetHttpProxy";
const GCP_URL_MAP = "gcp:compute/uRLMap:URLMap";

function stackViolation(report: ReportViolation, r: PolicyResource, path: string, text: string): void {
    report(`${r.name}: ${path} ${text}`, r.urn);
}

/** An ALB listener action list that only sends the client to HTTPS. */
function onlyRedirectsToHttps(actions: unknown): boolean {
    const list = asList(actions);
    return list.length > 0 && list.every((a: any) => a?.type === "redirect" && String(a?.redirect?.protocol).toUpperCase() === "HTTPS");
}

/** The last path segment of an Application Gateway sub-resource reference (`.../httpListeners/http` -> `http`). */
const refName = (ref: any): string =>
    String(ref?.id ?? "")
        .split("/")
        .pop() ?? "";

function checkAppGateway(report: ReportViolation, gw: PolicyResource): void {
    const p = gw.props;
    const protocolOf = new Map<string, string>(asList(p.httpListeners).map((l: any) => [String(l?.name), String(l?.protocol)]));
    const redirects = new Map<string, any>(asList(p.redirectConfigurations).map((r: any) => [String(r?.name), r]));
    asList(p.requestRoutingRules).forEach((rule: any, i: number) => {
        const listener = refName(rule?.httpListener);
        if (protocolOf.get(listener) !== "Http") return;
        const redirect = redirects.get(refName(rule?.redirectConfiguration));
        const toHttps =
            redirect !== undefined &&
            (protocolOf.get(refName(redirect.targetListener)) === "Https" || /^https:\/\//.test(String(redirect.targetUrl ?? "")));
        if (rule?.backendAddressPool !== undefined || !toHttps) {
            stackViolation(
                report,
                gw,
                `requestRoutingRules[${i}]`,
                `serves the plain-HTTP listener "${listener}"; on this tier it may only redirect to an Https listener`,
            );
        }
    });
}

export const edgeHttpsOnly: StackValidationPolicy = {
    name: "edge-https-only",
    description:
        "On the prod and enterprise tiers the edge answers only over HTTPS: plain HTTP listeners (ALB port 80, Application Gateway Http listeners, GCP HTTP proxies) only redirect to HTTPS.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateStack: (args, report) => {
        const config = args.getConfig<HttpsOnlyConfig>();
        const { tier, source } = resolveTier(config, args.resources[0]?.urn);
        if (!HTTPS_ONLY_TIERS.includes(tier)) args.notApplicable(`tier ${tier} (from ${source}) may serve plain HTTP`);
        const of = (type: string) => args.resources.filter((r) => baseType(r.type) === type);
        for (const listener of [...of(T.lbListener), ...of(T.albListener)]) {
            const p = listener.props;
            const plain = String(p.protocol ?? (Number(p.port) === 80 ? "HTTP" : "")).toUpperCase() === "HTTP";
            if (plain && !onlyRedirectsToHttps(p.defaultActions)) {
                stackViolation(
                    report,
                    listener,
                    "defaultActions",
                    `answer plain HTTP on port ${p.port} (tier ${tier}); an HTTP listener may only redirect to HTTPS`,
                );
            }
        }
        for (const gw of of(T.appGateway)) checkAppGateway(report, gw);
        for (const app of of(T.containerApp)) {
            if (app.props.configuration?.ingress?.allowInsecure === true) {
                stackViolation(report, app, "configuration.ingress.allowInsecure", `must be false (tier ${tier})`);
            }
        }
        const maps = of(GCP_URL_MAP);
        for (const proxy of of(GCP_HTTP_PROXY)) {
            // The engine links the proxy to its URL map; the offline harness leaves the link empty, and ids carry the map's name.
            const linked = proxy.propertyDependencies?.urlMap?.filter((r) => baseType(r.type) === GCP_URL_MAP) ?? [];
            const target = linked.length > 0 ? linked : maps.filter((m) => String(proxy.props.urlMap ?? "").includes(m.name));
            const redirects = target.length > 0 && target.every((m) => m.props.defaultUrlRedirect?.httpsRedirect === true);
            if (!redirects) {
                stackViolation(
                    report,
                    proxy,
                    "urlMap",
                    `serves plain HTTP (tier ${tier}); the HTTP proxy's URL map may only redirect to HTTPS (defaultUrlRedirect.httpsRedirect)`,
                );
            }
        }
    },
};
