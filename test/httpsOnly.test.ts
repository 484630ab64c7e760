/**
 * Issue 14, findings 2 and 3: prod and enterprise never answer /mcp over plain HTTP on any cloud,
 * and the Azure gateway has its certificate on the first `up`.
 *
 * - Without a domain, a prod/enterprise load-balancer edge is refused at preview, naming
 *   mcp-infra:domain (it used to serve plain HTTP on the load balancer's name).
 * - The shipped prod/enterprise stacks plan with a placeholder domain: HTTPS with TLS 1.2+, and
 *   port 80 only redirects (the edge summary, and the policy pack's edge-https-only).
 * - enterprise/prod-azure: the gateway gets the PFX and its password directly (it used to read a
 *   Key Vault the same deployment creates with public access off, empty at the first up).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import type { ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { edgeHttpsOnly } from "../policy/https";
import { unknownCheckingProxy } from "../policy/util";
import { ProgramRun, readStackFile, runProgram, runStack } from "../scripts/harness";
import { all, rejectsConfig } from "./util";

const SHIPPED_HTTPS = ["prod-aws", "enterprise-aws", "prod-azure", "enterprise-azure", "prod-gcp", "enterprise-gcp"];
const PFX = "stacks/tls/placeholder-mcp.example.com.pfx";
const GATEWAY = "azure-native:network:ApplicationGateway";

class NotApplicable extends Error {}

/** Runs the edge-https-only stack policy over recorded resources, as the engine would. */
function httpsOnlyViolations(stack: string, resources: ProgramRun["resources"], tier?: string): string[] | "not applicable" {
    const out: string[] = [];
    const args = {
        resources: resources.map((r) => ({
            type: r.type,
            name: r.name,
            urn: `urn:pulumi:${stack}::mcp-infra::${r.type}::${r.name}`,
            props: unknownCheckingProxy(structuredClone(r.inputs)),
            opts: {},
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        })),
        stackTags: new Map(),
        getConfig: () => (tier ? { tier } : {}),
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    } as unknown as StackValidationArgs;
    try {
        edgeHttpsOnly.validateStack(args, ((m: string) => {
            out.push(m);
        }) as ReportViolation);
    } catch (e) {
        if (e instanceof NotApplicable) return "not applicable";
        throw e;
    }
    return out;
}

const runs = new Map<string, ProgramRun>();
before(async () => {
    for (const stack of [...SHIPPED_HTTPS, "dev-aws"]) runs.set(stack, await runStack(stack));
});

describe("HTTPS-only prod and enterprise (issue 14, findings 2 and 3)", () => {
    for (const stack of SHIPPED_HTTPS) {
        it(`${stack}: refused at preview without a domain, naming mcp-infra:domain`, async () => {
            await rejectsConfig(
                stack,
                { "mcp-infra:domain": "", "mcp-infra:tlsCertificate": "" },
                "mcp-infra:domain",
                /serves \/mcp over HTTPS only/,
                /edgeKind to payPerRequest/,
            );
        });
        it(`${stack}: the shipped stack serves HTTPS (TLS 1.2+) on its placeholder domain and port 80 only redirects`, () => {
            const run = runs.get(stack)!;
            assert.equal(run.config["mcp-infra:domain"], "mcp.example.com");
            const edge = run.outputs.summary.edge;
            assert.notEqual(edge.tls, "none");
            assert.equal(edge.httpRedirect, true);
            assert.equal(run.outputs.mcpUrl, "https://mcp.example.com/mcp");
            assert.deepEqual(httpsOnlyViolations(stack, run.resources), []);
        });
    }

    it("edge-https-only flags a plain-HTTP answer on each cloud and leaves dev alone", () => {
        const tamper = (stack: string, type: string, fix: (i: any) => void) =>
            runs.get(stack)!.resources.map((r) =>
                r.type === type
                    ? {
                          ...r,
                          inputs: (() => {
                              const i = structuredClone(r.inputs);
                              fix(i);
                              return i;
                          })(),
                      }
                    : r,
            );
        // AWS: the port-80 listener forwards instead of redirecting.
        const aws = tamper("prod-aws", "aws:lb/listener:Listener", (i) => {
            if (i.port === 80) i.defaultActions = [{ type: "forward", targetGroupArn: "tg" }];
        });
        assert.match(String(httpsOnlyViolations("prod-aws", aws)), /defaultActions answer plain HTTP on port 80 \(tier prod\)/);
        // Azure: the http listener's rule goes to the backend.
        const azure = tamper("prod-azure", GATEWAY, (i) => {
            const rule = i.requestRoutingRules.find((r: any) => String(r.httpListener.id).endsWith("/http"));
            delete rule.redirectConfiguration;
            rule.backendAddressPool = { id: "pool" };
        });
        assert.match(String(httpsOnlyViolations("prod-azure", azure)), /serves the plain-HTTP listener "http"/);
        // GCP: the HTTP proxy points at the serving URL map.
        const gcpRun = runs.get("enterprise-gcp")!;
        const serving = gcpRun.resources.find((r) => r.type === "gcp:compute/uRLMap:URLMap" && !r.inputs.defaultUrlRedirect)!;
        const gcp = tamper("enterprise-gcp", "gcp:compute/targetHttpProxy:TargetHttpProxy", (i) => {
            i.urlMap = `${serving.name}-id`;
        });
        assert.match(String(httpsOnlyViolations("enterprise-gcp", gcp, "enterprise")), /serves plain HTTP \(tier enterprise\)/);
        // dev may serve plain HTTP.
        assert.equal(httpsOnlyViolations("dev-aws", runs.get("dev-aws")!.resources), "not applicable");
    });

    describe("the Application Gateway's certificate on the first up (finding 2)", () => {
        for (const stack of ["prod-azure", "enterprise-azure"]) {
            it(`${stack}: the gateway holds the PFX and its password itself; no vault, no identity, no Key Vault reference`, () => {
                const run = runs.get(stack)!;
                const [gw] = all(run, GATEWAY);
                assert.equal(gw.inputs.sslCertificates.length, 1);
                const [cert] = gw.inputs.sslCertificates;
                assert.equal(cert.data, fs.readFileSync(PFX).toString("base64"));
                assert.equal(cert.password, "");
                assert.equal(cert.keyVaultSecretId, undefined);
                assert.equal(gw.inputs.identity, undefined);
                assert.equal(all(run, "azure-native:keyvault:Vault").filter((v) => v.name.includes("certificates")).length, 0);
                const https = gw.inputs.httpListeners.find((l: any) => l.protocol === "Https");
                assert.match(String(https.sslCertificate.id), /\/sslCertificates\/tls$/);
            });
        }
        it("refuses a domain without a certificate, a password without one, a PEM file, and a certificate outside Azure", async () => {
            await rejectsConfig(
                "enterprise-azure",
                { "mcp-infra:tlsCertificate": "" },
                "mcp-infra:tlsCertificate",
                /has no managed certificate/,
                /pulumi config set --secret mcp-infra:tlsCertificatePassword/,
            );
            await rejectsConfig(
                "enterprise-azure",
                { "mcp-infra:tlsCertificate": "", "mcp-infra:tlsCertificatePassword": "x" },
                "mcp-infra:tlsCertificatePassword",
                /is set but mcp-infra:tlsCertificate/,
            );
            await rejectsConfig(
                "enterprise-azure",
                { "mcp-infra:tlsCertificate": "stacks/tls/README.md" },
                "mcp-infra:tlsCertificate",
                /is not a PKCS#12/,
            );
            await rejectsConfig(
                "enterprise-azure",
                { "mcp-infra:tlsCertificate": "stacks/tls/missing.pfx" },
                "mcp-infra:tlsCertificate",
                /cannot be read \(ENOENT\)/,
            );
            await rejectsConfig("prod-aws", { "mcp-infra:tlsCertificate": PFX }, "mcp-infra:tlsCertificate", /is used on Azure only/);
        });
        it("a PFX password reaches the gateway and appears in no stack output", async () => {
            const run = await runProgram("prod-azure", { ...readStackFile("prod-azure"), "mcp-infra:tlsCertificatePassword": "pfx-pass" });
            const [gw] = all(run, GATEWAY);
            assert.equal(gw.inputs.sslCertificates[0].password, "pfx-pass");
            assert.ok(!JSON.stringify(run.outputs).includes("pfx-pass"), "the password is in no stack output");
        });
    });
});
