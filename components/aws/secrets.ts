/**
 * Generated secrets: a JSON document in Secrets Manager, for the ECS task to
 * read key by key (secretStore "managed"), or SSM Parameter Store SecureString
 * parameters, the document and each value the task reads on its own
 * (secretStore "platform": standard parameters carry no charge, about $0.40 a
 * secret a month less; no rotation, which a dev stack does not need).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SecretStore } from "../../sizing/tiers";
import { Scope } from "../base";
import { SecretRef } from "../types";

/**
 * Creates the secret `<role>` and its value `<role>-version`; the value is a
 * Pulumi secret, so it is encrypted in state and never shown in a preview.
 */
export function jsonSecret(
    scope: Scope,
    role: string,
    description: string,
    value: pulumi.Input<Record<string, unknown>>,
    recoveryWindowInDays: number,
): aws.secretsmanager.Secret {
    const secret = scope.child(role, aws.secretsmanager.Secret, { description, recoveryWindowInDays });
    scope.child(`${role}-version`, aws.secretsmanager.SecretVersion, {
        secretId: secret.id,
        secretString: pulumi.secret(pulumi.output(value).apply((v) => JSON.stringify(v))),
    });
    return secret;
}

/** A generated secret in the stack's secret store: the whole document, and a reference to each value the server reads. */
export interface StoredSecret {
    /** The document (Secrets Manager secret, or the SecureString parameter holding the JSON). */
    document: SecretRef;
    /** The reference the task reads one key through. */
    ref(key: string): SecretRef;
    resources: Record<string, pulumi.Resource>;
}

/**
 * Stores a generated JSON document where `store` says; `keys` are the keys the
 * ECS task reads (each its own parameter on Parameter Store, which has no JSON
 * key selector in `valueFrom`).
 */
export function storedSecret(
    scope: Scope,
    role: string,
    description: string,
    value: pulumi.Input<Record<string, unknown>>,
    recoveryWindowInDays: number,
    store: SecretStore,
    keys: readonly string[],
): StoredSecret {
    if (store === "managed") {
        const secret = jsonSecret(scope, role, description, value, recoveryWindowInDays);
        return { document: { id: secret.arn }, ref: (key) => ({ id: secret.arn, key }), resources: { [role]: secret } };
    }
    const doc = pulumi.output(value);
    const parameter = (name: string, text: pulumi.Output<string>, what: string) =>
        scope.child(name, aws.ssm.Parameter, {
            type: "SecureString",
            tier: "Standard",
            description: what,
            value: pulumi.secret(text),
        });
    const whole = parameter(
        role,
        doc.apply((v) => JSON.stringify(v)),
        description,
    );
    const byKey = new Map(
        keys.map((key) => [
            key,
            parameter(
                `${role}-${key}`,
                doc.apply((v) => String(v[key] ?? "")),
                `${description}: ${key}`,
            ),
        ]),
    );
    return {
        document: { id: whole.arn, store: "parameter" },
        ref: (key) => {
            const p = byKey.get(key);
            if (!p) throw new Error(`storedSecret ${role}: key "${key}" was not stored on its own; stored keys: ${keys.join(", ")}`);
            return { id: p.arn, store: "parameter" };
        },
        resources: { [role]: whole, ...Object.fromEntries([...byKey].map(([k, p]) => [`${role}-${k}`, p])) },
    };
}
