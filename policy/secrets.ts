/**
 * No secret in a plain environment variable of the MCP server: credentials,
 * keys and connection URLs come from Secrets Manager, Key Vault or Secret
 * Manager references. Mirrors the "secrets not in env" assertions of
 * test/aws, azure, gcp.test.ts. Docker containers of the local stacks are not
 * checked (their throwaway PostgreSQL / Redis passwords live on one machine).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "./types";
import { asList, byType, checkEnvironment, violation } from "./util";

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
        [T.containerApp]: (p, { name }, report) => {
            asList(p.configuration?.secrets).forEach((s: any, i: number) => {
                if (s && "value" in s)
                    violation(
                        report,
                        name,
                        `configuration.secrets[${i}] (${s.name})`,
                        "holds a literal value; reference Key Vault (keyVaultUrl + identity)",
                    );
            });
            const secretRef = (e: any) => "secretRef" in e;
            asList(p.template?.initContainers).forEach((c: any, i: number) =>
                checkEnvironment(report, name, `template.initContainers[${i}].env`, c?.env, secretRef),
            );
            asList(p.template?.containers).forEach((c: any, i: number) =>
                checkEnvironment(report, name, `template.containers[${i}].env`, c?.env, secretRef),
            );
        },
        [T.cloudRun]: (p, { name }, report) => {
            const valueSource = (e: any) => "valueSource" in e;
            asList(p.template?.containers).forEach((c: any, i: number) =>
                checkEnvironment(report, name, `template.containers[${i}].envs`, c?.envs, valueSource),
            );
        },
    }),
};
