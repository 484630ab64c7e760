/**
 * What the internet can reach: the data stores never, the edge on 80/443 only,
 * the service only through the edge. Mirrors the "public access off" and
 * "security groups / NSG / firewall" assertions of test/aws, azure, gcp.test.ts.
 */
import type { PolicyResource, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { baseType, T } from "./types";
import { asList, byType, isWebPortSpec, isWorld, violation, WEB_PORTS } from "./util";

export const dataStoresNotPublic: ResourceValidationPolicy = {
    name: "data-stores-not-public",
    description:
        "The audit database, the session cache and the Key Vault have no public endpoint, the cache requires authentication, and Azure storage (the audit checkpoints) admits no network but the VNet's and no shared key.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: byType({
        [T.rdsInstance]: (p, { name }, report) => {
            if (p.publiclyAccessible === true) violation(report, name, "publiclyAccessible", "must be false");
        },
        [T.cacheGroup]: (p, { name }, report) => {
            if (!p.subnetGroupName) {
                violation(
                    report,
                    name,
                    "subnetGroupName",
                    "must name a subnet group of private subnets (without one ElastiCache uses the default VPC)",
                );
            }
            // `in` checks presence without reading the token, which is unknown at preview.
            if (!("authToken" in p) && asList(p.userGroupIds).length === 0) {
                violation(report, name, "authToken", "must be set (or userGroupIds): the cache must require authentication");
            }
        },
        [T.serverlessCache]: (p, { name }, report) => {
            if (asList(p.subnetIds).length === 0) {
                violation(
                    report,
                    name,
                    "subnetIds",
                    "must name private subnets (without them the serverless cache's endpoint lands in the default VPC)",
                );
            }
            if (!("userGroupId" in p))
                violation(report, name, "userGroupId", "must be set: a serverless cache requires authentication only through a user group");
        },
        [T.pgServer]: (p, { name }, report) => {
            if (p.network?.publicNetworkAccess !== "Disabled") violation(report, name, "network.publicNetworkAccess", "must be Disabled");
        },
        [T.redisCluster]: (p, { name }, report) => {
            if (p.publicNetworkAccess !== "Disabled") violation(report, name, "publicNetworkAccess", "must be Disabled");
        },
        // The audit checkpoint account: behind a private endpoint (public network access off) or a firewall that denies
        // every network but the VNet's subnets (auditStorageAccess serviceEndpoint); Entra ID only, no public blobs.
        [T.storageAccount]: (p, { name }, report) => {
            const rules = p.networkRuleSet ?? {};
            if (p.publicNetworkAccess !== "Disabled") {
                if (rules.defaultAction !== "Deny")
                    violation(report, name, "networkRuleSet.defaultAction", "must be Deny (or publicNetworkAccess Disabled)");
                if (asList(rules.ipRules).length > 0)
                    violation(report, name, "networkRuleSet.ipRules", "must be empty: only the VNet's subnets may reach the account");
            }
            if (p.allowSharedKeyAccess !== false)
                violation(report, name, "allowSharedKeyAccess", "must be false (Entra ID identities only)");
            if (p.allowBlobPublicAccess !== false) violation(report, name, "allowBlobPublicAccess", "must be false");
        },
        [T.keyVault]: (p, { name }, report) => {
            const props = p.properties ?? {};
            if (props.publicNetworkAccess !== "Disabled" && props.networkAcls?.defaultAction !== "Deny") {
                violation(report, name, "properties.publicNetworkAccess", "must be Disabled (or networkAcls.defaultAction Deny)");
            }
        },
        [T.sqlInstance]: (p, { name }, report) => {
            const ip = p.settings?.ipConfiguration ?? {};
            if (ip.ipv4Enabled !== false)
                violation(report, name, "settings.ipConfiguration.ipv4Enabled", "must be false (Cloud SQL gets a public IP by default)");
            if (!ip.privateNetwork)
                violation(
                    report,
                    name,
                    "settings.ipConfiguration.privateNetwork",
                    "must be set: the instance is reached by private IP only",
                );
            if (asList(ip.authorizedNetworks).length > 0)
                violation(report, name, "settings.ipConfiguration.authorizedNetworks", "must be empty");
        },
        [T.redisInstance]: (p, { name }, report) => {
            if (p.connectMode !== "PRIVATE_SERVICE_ACCESS") violation(report, name, "connectMode", "must be PRIVATE_SERVICE_ACCESS");
            if (!p.authorizedNetwork)
                violation(report, name, "authorizedNetwork", "must be the stack's VPC (without it Memorystore joins the default network)");
            if (p.authEnabled !== true) violation(report, name, "authEnabled", "must be true: the cache must require authentication");
        },
    }),
};

/** The AWS forms of an ingress rule, normalized: where its sources are, protocol, ports. */
function awsOpenIngress(
    report: ReportViolation,
    name: string,
    path: string,
    sources: unknown[],
    protocol: unknown,
    from: unknown,
    to: unknown,
): void {
    const world = sources.find(isWorld);
    if (world === undefined) return;
    const proto = String(protocol).toLowerCase();
    const tcp = proto === "tcp" || proto === "6";
    if (!tcp || from !== to || !WEB_PORTS.includes(Number(from))) {
        const what = proto === "-1" || proto === "all" ? "all protocols and ports" : `${protocol} ${from === to ? from : `${from}-${to}`}`;
        violation(report, name, path, `${world} opens ${what} to the internet; only the edge's tcp ${WEB_PORTS.join(" and ")} may be open`);
    }
}

/** An Azure NSG rule (standalone or inline) that lets the internet in on anything but 80/443. */
function azureOpenRule(report: ReportViolation, name: string, path: string, rule: any): void {
    if (!rule || rule.access !== "Allow" || (rule.direction ?? "Inbound") !== "Inbound") return;
    const sources = [rule.sourceAddressPrefix, ...asList(rule.sourceAddressPrefixes)];
    const world = sources.find(isWorld);
    if (world === undefined) return;
    const ports = [rule.destinationPortRange, ...asList(rule.destinationPortRanges)].filter((x) => x !== undefined);
    if (ports.length === 0 || !ports.every(isWebPortSpec)) {
        const field = isWorld(rule.sourceAddressPrefix) ? "sourceAddressPrefix" : "sourceAddressPrefixes";
        violation(
            report,
            name,
            `${path}${field}`,
            `${world} is allowed in on ports ${ports.join(",") || "*"}; only the gateway's ${WEB_PORTS.join(" and ")} may be open to the internet`,
        );
    }
}

export const ingressOnlyWhereDesigned: ResourceValidationPolicy = {
    name: "ingress-only-where-designed",
    description:
        "Nothing but the edge's ports 80 and 443 is open to the internet: security groups, NSG rules, firewalls, forwarding rules, Container Apps ingress.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: byType({
        [T.ingressRule]: (p, { name }, report) => {
            awsOpenIngress(
                report,
                name,
                isWorld(p.cidrIpv4) ? "cidrIpv4" : "cidrIpv6",
                [p.cidrIpv4, p.cidrIpv6],
                p.ipProtocol,
                p.fromPort,
                p.toPort,
            );
        },
        [T.securityGroupRule]: (p, { name }, report) => {
            if (p.type !== "ingress") return;
            const v4 = asList(p.cidrBlocks).some(isWorld);
            awsOpenIngress(
                report,
                name,
                v4 ? "cidrBlocks" : "ipv6CidrBlocks",
                [...asList(p.cidrBlocks), ...asList(p.ipv6CidrBlocks)],
                p.protocol,
                p.fromPort,
                p.toPort,
            );
        },
        [T.securityGroup]: (p, { name }, report) => {
            asList(p.ingress).forEach((r: any, i: number) => {
                const v4 = asList(r?.cidrBlocks).some(isWorld);
                awsOpenIngress(
                    report,
                    name,
                    `ingress[${i}].${v4 ? "cidrBlocks" : "ipv6CidrBlocks"}`,
                    [...asList(r?.cidrBlocks), ...asList(r?.ipv6CidrBlocks)],
                    r?.protocol,
                    r?.fromPort,
                    r?.toPort,
                );
            });
        },
        [T.nsgRule]: (p, { name }, report) => azureOpenRule(report, name, "", p),
        [T.nsg]: (p, { name }, report) => {
            asList(p.securityRules).forEach((r: any, i: number) => azureOpenRule(report, name, `securityRules[${i}].`, r));
        },
        [T.containerApp]: (p, { name }, report) => {
            const ingress = p.configuration?.ingress;
            if (!ingress) return;
            if (ingress.allowInsecure === true) violation(report, name, "configuration.ingress.allowInsecure", "must be false");
            const allows = asList(ingress.ipSecurityRestrictions).filter((r: any) => r?.action === "Allow");
            allows.forEach((r: any, i: number) => {
                if (isWorld(r.ipAddressRange))
                    violation(
                        report,
                        name,
                        `configuration.ingress.ipSecurityRestrictions[${i}].ipAddressRange`,
                        "must not admit the whole internet",
                    );
            });
        },
        [T.firewall]: (p, { name }, report) => {
            if ((p.direction ?? "INGRESS") !== "INGRESS" || p.disabled === true || asList(p.allows).length === 0) return;
            const unscoped =
                asList(p.sourceRanges).length === 0 && asList(p.sourceTags).length === 0 && asList(p.sourceServiceAccounts).length === 0;
            if (unscoped || asList(p.sourceRanges).some(isWorld)) {
                violation(
                    report,
                    name,
                    "sourceRanges",
                    "admits the whole internet; the design has no public firewall rule (the external load balancer reaches Cloud Run without one)",
                );
            }
        },
        [T.forwardingRule]: (p, { name }, report) => {
            if (!String(p.loadBalancingScheme ?? "EXTERNAL").startsWith("EXTERNAL")) return;
            const port = String(p.portRange ?? "").replace(/^(\d+)-\1$/, "$1");
            if (!isWebPortSpec(port))
                violation(report, name, "portRange", `${p.portRange ?? "(all ports)"} is public; only ${WEB_PORTS.join(" and ")} may be`);
        },
    }),
};

/** A finding about one resource of the stack: `<name>: <path> <text>`, attached to its URN. */
function stackViolation(report: ReportViolation, r: PolicyResource, path: string, text: string): void {
    report(`${r.name}: ${path} ${text}`, r.urn);
}

/**
 * Where the design puts the server behind a load balancer (the prod and
 * enterprise edge), the server must not be reachable around it. Where the
 * service's own endpoint is the edge (the pay-per-request edge: Cloud Run's
 * URL, the Container Apps environment's ingress) it may be public; it is then
 * HTTPS-only by the platform and `allowInsecure` is checked above. This needs
 * the whole stack, hence a stack policy.
 */
export const serviceBehindEdge: StackValidationPolicy = {
    name: "service-behind-edge",
    description:
        "When the stack has a load-balancer edge, the MCP service accepts traffic only through it (Cloud Run ingress internal + load balancer, Container Apps in an internal environment restricted to the gateway subnet).",
    enforcementLevel: "mandatory",
    severity: "high",
    validateStack: (args, report) => {
        const of = (type: string) => args.resources.filter((r) => baseType(r.type) === type);
        if (of(T.appGateway).length > 0) {
            for (const env of of(T.appEnvironment)) {
                if (env.props.vnetConfiguration?.internal !== true)
                    stackViolation(
                        report,
                        env,
                        "vnetConfiguration.internal",
                        "must be true: the Application Gateway is the only public entry",
                    );
                if (env.props.publicNetworkAccess === "Enabled")
                    stackViolation(report, env, "publicNetworkAccess", "must be Disabled behind the Application Gateway");
            }
            for (const app of of(T.containerApp)) {
                const ingress = app.props.configuration?.ingress;
                if (ingress?.external !== true) continue;
                const allows = asList(ingress.ipSecurityRestrictions).filter((r: any) => r?.action === "Allow");
                if (allows.length === 0)
                    stackViolation(
                        report,
                        app,
                        "configuration.ingress.ipSecurityRestrictions",
                        "must allow only the Application Gateway's subnet: the app is external behind the gateway",
                    );
            }
        }
        const lb = of(T.serverlessNeg).some((n) => "cloudRun" in n.props) || of(T.backendService).length > 0;
        if (lb) {
            for (const svc of of(T.cloudRun)) {
                const ingress = svc.props.ingress;
                if (!["INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER", "INGRESS_TRAFFIC_INTERNAL_ONLY"].includes(ingress)) {
                    stackViolation(
                        report,
                        svc,
                        "ingress",
                        `is ${ingress ?? "unset (INGRESS_TRAFFIC_ALL)"}; must be INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER behind the load balancer`,
                    );
                }
            }
        }
    },
};
