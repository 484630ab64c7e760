/**
 * Encryption at rest and in transit for the data stores, and TLS 1.2+ with
 * modern cipher suites on the edge. Mirrors the encryption / TLS assertions
 * of test/aws, azure, gcp.test.ts.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "./types";
import { byType, violation } from "./util";

/** ALB security policies with TLS 1.2 as the lowest version, besides every `ELBSecurityPolicy-TLS13-1-2-*` / `-TLS13-1-3-*`. */
export const ALB_TLS12_POLICIES: readonly string[] = [
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
];

/** True for an ALB/NLB security policy whose lowest protocol is TLS 1.2 or 1.3. */
export function isModernAlbPolicy(policy: unknown): boolean {
    return typeof policy === "string" && (/^ELBSecurityPolicy-TLS13-1-[23]-/.test(policy) || ALB_TLS12_POLICIES.includes(policy));
}

/** Application Gateway predefined policies with TLS 1.2 as the lowest version and only modern suites. */
export const APPGW_MODERN_POLICIES: readonly string[] = ["AppGwSslPolicy20220101", "AppGwSslPolicy20220101S"];

/** Cloud Armor / load balancer SSL policy profiles that allow only modern suites. */
export const GCP_MODERN_PROFILES: readonly string[] = ["MODERN", "RESTRICTED"];

const TLS12_OR_LATER_GCP = ["TLS_1_2", "TLS_1_3"];
const TLS12_OR_LATER_AZURE = ["TLSv1_2", "TLSv1_3"];

export const encryptionAtRestAndInTransit: ResourceValidationPolicy = {
    name: "encryption-at-rest-and-in-transit",
    description: "The audit database and the session cache encrypt data at rest and accept TLS connections only.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: byType({
        [T.rdsInstance]: (p, { name }, report) => {
            if (p.storageEncrypted !== true) violation(report, name, "storageEncrypted", "must be true");
        },
        [T.rdsParams]: (p, { name }, report) => {
            if (!String(p.family ?? "").startsWith("postgres")) return;
            const forceSsl = (Array.isArray(p.parameters) ? p.parameters : []).find((x: any) => x?.name === "rds.force_ssl");
            if (String(forceSsl?.value) !== "1")
                violation(report, name, "parameters", `must set rds.force_ssl to 1 (is ${forceSsl ? forceSsl.value : "unset"})`);
        },
        [T.cacheGroup]: (p, { name }, report) => {
            if (p.atRestEncryptionEnabled !== true) violation(report, name, "atRestEncryptionEnabled", "must be true");
            if (p.transitEncryptionEnabled !== true) violation(report, name, "transitEncryptionEnabled", "must be true");
            if (p.transitEncryptionMode === "preferred")
                violation(report, name, "transitEncryptionMode", "must be required (preferred still accepts plain connections)");
        },
        [T.pgConfiguration]: (p, { name }, report) => {
            // Flexible Server's parameter is require_secure_transport; require_secure_connection was Single Server's and does not exist here.
            if (p.configurationName === "require_secure_connection") {
                violation(
                    report,
                    name,
                    "configurationName",
                    "require_secure_connection is not a Flexible Server parameter; set require_secure_transport",
                );
            }
            if (p.configurationName === "require_secure_transport" && String(p.value).toLowerCase() !== "on") {
                violation(report, name, "value", `of ${p.configurationName} must be on`);
            }
            if (p.configurationName === "ssl_min_protocol_version" && !["TLSv1.2", "TLSv1.3"].includes(p.value)) {
                violation(report, name, "value", `of ssl_min_protocol_version must be TLSv1.2 or TLSv1.3 (is ${p.value})`);
            }
        },
        [T.redisCluster]: (p, { name }, report) => {
            if (["1.0", "1.1"].includes(String(p.minimumTlsVersion)))
                violation(report, name, "minimumTlsVersion", `must be 1.2 or later (is ${p.minimumTlsVersion})`);
        },
        [T.redisDatabase]: (p, { name }, report) => {
            if (p.clientProtocol === "Plaintext") violation(report, name, "clientProtocol", "must be Encrypted");
        },
        [T.sqlInstance]: (p, { name }, report) => {
            const ip = p.settings?.ipConfiguration ?? {};
            const ok =
                ["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"].includes(ip.sslMode) ||
                (ip.sslMode === undefined && ip.requireSsl === true);
            if (!ok)
                violation(
                    report,
                    name,
                    "settings.ipConfiguration.sslMode",
                    `must be ENCRYPTED_ONLY or TRUSTED_CLIENT_CERTIFICATE_REQUIRED (is ${ip.sslMode ?? "unset"})`,
                );
        },
        [T.redisInstance]: (p, { name }, report) => {
            if (p.transitEncryptionMode !== "SERVER_AUTHENTICATION") {
                violation(
                    report,
                    name,
                    "transitEncryptionMode",
                    `must be SERVER_AUTHENTICATION (is ${p.transitEncryptionMode ?? "unset, i.e. DISABLED"})`,
                );
            }
        },
    }),
};

function albListener(p: Record<string, any>, name: string, report: (m: string) => void): void {
    if (!["HTTPS", "TLS"].includes(p.protocol)) return;
    if (p.sslPolicy === undefined) {
        violation(report, name, "sslPolicy", "must be set: the default, ELBSecurityPolicy-2016-08, accepts TLS 1.0");
    } else if (!isModernAlbPolicy(p.sslPolicy)) {
        violation(
            report,
            name,
            "sslPolicy",
            `${p.sslPolicy} accepts TLS older than 1.2; use ELBSecurityPolicy-TLS13-1-2-2021-06 or stricter`,
        );
    }
}

export const edgeTlsModern: ResourceValidationPolicy = {
    name: "edge-tls-modern",
    description: "Every HTTPS listener of the edge accepts TLS 1.2 or later with modern cipher suites only.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: byType({
        [T.lbListener]: (p, { name }, report) => albListener(p, name, report),
        [T.albListener]: (p, { name }, report) => albListener(p, name, report),
        [T.apiDomain]: (p, { name }, report) => {
            // The pay-per-request edge's custom domain (API Gateway HTTP API); TLS_1_2 is the modern choice it offers.
            const policy = p.domainNameConfiguration?.securityPolicy;
            if (policy !== "TLS_1_2")
                violation(report, name, "domainNameConfiguration.securityPolicy", `must be TLS_1_2 (is ${policy ?? "unset"})`);
        },
        [T.appGateway]: (p, { name }, report) => {
            const https = (Array.isArray(p.httpListeners) ? p.httpListeners : []).some((l: any) => l?.protocol === "Https");
            const policy = p.sslPolicy;
            if (!policy) {
                if (https)
                    violation(
                        report,
                        name,
                        "sslPolicy",
                        `must be set on a gateway with an Https listener (one of ${APPGW_MODERN_POLICIES.join(", ")})`,
                    );
                return;
            }
            if (policy.policyType === "Custom" || policy.policyType === "CustomV2") {
                if (!TLS12_OR_LATER_AZURE.includes(policy.minProtocolVersion)) {
                    violation(
                        report,
                        name,
                        "sslPolicy.minProtocolVersion",
                        `must be TLSv1_2 or TLSv1_3 (is ${policy.minProtocolVersion ?? "unset"})`,
                    );
                }
            } else if (!APPGW_MODERN_POLICIES.includes(policy.policyName)) {
                violation(
                    report,
                    name,
                    "sslPolicy.policyName",
                    `${policy.policyName ?? "(unset)"} is not a TLS 1.2+ modern policy; use ${APPGW_MODERN_POLICIES.join(" or ")}`,
                );
            }
        },
        [T.httpsProxy]: (p, { name }, report) => {
            if (!p.sslPolicy)
                violation(report, name, "sslPolicy", "must reference an SSL policy: without one the load balancer accepts TLS 1.0");
        },
        [T.sslPolicy]: (p, { name }, report) => {
            if (!TLS12_OR_LATER_GCP.includes(p.minTlsVersion))
                violation(report, name, "minTlsVersion", `must be TLS_1_2 or later (is ${p.minTlsVersion ?? "unset, i.e. TLS_1_0"})`);
            if (!GCP_MODERN_PROFILES.includes(p.profile))
                violation(report, name, "profile", `must be MODERN or RESTRICTED (is ${p.profile ?? "unset, i.e. COMPATIBLE"})`);
        },
    }),
};
