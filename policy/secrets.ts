/**
 * No secret in a plain environment variable of the MCP server: credentials,
 * keys and connection URLs come from the secret store (Secrets Manager or
 * Parameter Store, Key Vault, Secret Manager) or, on Azure, from the Container
 * App's or job's own secrets (`configuration.secrets`: a Key Vault reference,
 * or the value itself with secretStore platform), read by `secretRef`. The
 * policy engine shows Pulumi secrets as plain values (pulumi/pulumi-policy
 * #241), so a Container Apps secret's value is accepted as such: it is held by
 * the app, encrypted, and never shown in its revision template, unlike an
 * environment value. Mirrors the "secrets not in env" assertions of
 * test/aws, azure, gcp.test.ts. Docker containers of the local stacks are not
 * checked (their throwaway PostgreSQL / Redis passwords live on one machine).
 */
import type { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "./types";
import { asList, byType, checkEnvironment, violation } from "./util";

/**
 * A Container App or job: each `configuration.secrets` entry is a Key Vault reference (keyVaultUrl and the
 * identity that reads it) or a value, never neither; containers read secrets by `secretRef` naming one of
 * them; no secret-looking plain environment value.
 */
function checkContainerApp(p: Record<string, any>, name: string, report: ReportViolation): void {
    const declared = new Set<string>();
    asList(p.configuration?.secrets).forEach((s: any, i: number) => {
        if (!s) return;
        declared.add(String(s.name));
        const vaultRef = "keyVaultUrl" in s;
        if (vaultRef && !("identity" in s))
            violation(report, name, `configuration.secrets[${i}] (${s.name})`, "references Key Vault without the identity that reads it");
        if (!vaultRef && !("value" in s))
            violation(report, name, `configuration.secrets[${i}] (${s.name})`, "has neither a Key Vault reference nor a value");
    });
    const secretRef = (e: any) => "secretRef" in e;
    const containers = [
        ...asList(p.template?.initContainers).map((c: any, i: number) => [`template.initContainers[${i}].env`, c] as const),
        ...asList(p.template?.containers).map((c: any, i: number) => [`template.containers[${i}].env`, c] as const),
    ];
    for (const [path, c] of containers) {
        checkEnvironment(report, name, path, c?.env, secretRef);
        asList(c?.env).forEach((e: any, i: number) => {
            if (e && secretRef(e) && !declared.has(String(e.secretRef)))
                violation(
                    report,
                    name,
                    `${path}[${i}] (${e.name})`,
                    `reads secret "${e.secretRef}", which configuration.secrets does not declare`,
                );
        });
    }
}

export const noSecretsInPlainEnv: ResourceValidationPolicy = {
    name: "no-secrets-in-plain-env",
    description:
        "Passwords, tokens, API keys and connection URLs reach the server from the cloud's secret store, never as plain environment values.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: byType({
        [T.taskDefinition]: (p, { name }, report) => {
            let defs: unknown = p.containerDefinitions;
            if (typeof defs === "string") {
                try {
                    defs = JSON.parse(defs);
                } catch {
                    violation(report, name, "containerDefinitions", "is not valid JSON, so it cannot be checked for plain secrets");
                    return;
                }
            }
            asList(defs).forEach((c: any, i: number) =>
                checkEnvironment(report, name, `containerDefinitions[${i}].environment`, c?.environment),
            );
        },
        [T.containerApp]: (p, { name }, report) => checkContainerApp(p, name, report),
        [T.containerJob]: (p, { name }, report) => checkContainerApp(p, name, report),
        [T.cloudRun]: (p, { name }, report) => {
            const valueSource = (e: any) => "valueSource" in e;
            asList(p.template?.containers).forEach((c: any, i: number) =>
                checkEnvironment(report, name, `template.containers[${i}].envs`, c?.envs, valueSource),
            );
        },
    }),
};
