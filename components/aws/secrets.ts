/** A generated JSON document in Secrets Manager, for the ECS task to read key by key. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Scope } from "../base";

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
