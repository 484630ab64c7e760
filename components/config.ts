/**
 * Reads and checks the stack's config: every `mcp-infra:*` key must be one the
 * project declares, enumerations must hold an allowed value, integers must be
 * integers. Errors name the key and the allowed values, as `pulumi preview`
 * would show them.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import {
    AlertRouting,
    Cloud,
    CONFIG_KEYS,
    ConfigError,
    formatChoices,
    PROJECT,
    resolveAlertRouting,
    resolveBillingAccount,
    TierName,
    TierOverrides,
    USAGE_KEYS,
} from "../sizing";
import { McpDeploymentArgs } from "./McpDeployment";

export interface StackSettings extends McpDeploymentArgs {
    cloud: Cloud;
    tier: TierName;
    monthlyBudgetUsd?: number;
    /** Usage assumptions of the cost estimate the stack sets (the rest use the estimate's defaults). */
    usage: Partial<Record<(typeof USAGE_KEYS)[number], number>>;
    /** Where alerts go (alertEmails, alertWebhookUrl, alerts); the webhook URL is a Pulumi secret. */
    alerting: Omit<AlertRouting, "webhookUrl"> & { webhookUrl?: pulumi.Output<string> };
    /** GCP: the billing account the budget is created on (required there with a budget). */
    billingAccountId?: string;
}

/**
 * Turns raw config (key -> string, as Pulumi stores it) into deployment
 * settings. Pure: tests and the offline plan call it directly.
 */
export function parseStackConfig(raw: Record<string, string>): StackSettings {
    const known = new Map(CONFIG_KEYS.map((k) => [`${PROJECT}:${k.key}`, k]));
    for (const key of Object.keys(raw)) {
        if (key.startsWith(`${PROJECT}:`) && !known.has(key)) {
            throw new ConfigError(
                key,
                `is not a configuration key of this project; known keys: ${formatChoices(CONFIG_KEYS.map((k) => k.key))}`,
            );
        }
    }
    const values: Record<string, string | number | boolean> = {};
    const overrides: TierOverrides = {};
    for (const def of CONFIG_KEYS) {
        // Lists and secrets are read by their own parser below (resolveAlertRouting).
        if (def.type === "array" || def.secret) continue;
        const full = `${PROJECT}:${def.key}`;
        const text = raw[full];
        let value = def.default as string | number | boolean;
        if (text !== undefined) {
            if (def.type === "integer") {
                if (!/^-?\d+$/.test(text.trim())) throw new ConfigError(full, `must be a whole number, got "${text}"`);
                value = Number(text);
            } else if (def.type === "boolean") {
                if (text !== "true" && text !== "false") throw new ConfigError(full, `must be true or false, got "${text}"`);
                value = text === "true";
            } else {
                value = text;
            }
        }
        if (def.allowed && !def.allowed.includes(String(value))) {
            throw new ConfigError(full, `unknown value "${value}"; allowed values: ${formatChoices(def.allowed)}`);
        }
        values[def.key] = value;
        if (def.override && value !== def.default) {
            // Enumerated "true"/"false" strings (so that "" can mean "the tier's value") become booleans.
            const typed = def.allowed?.includes("true") ? value === "true" : value;
            (overrides as Record<string, unknown>)[def.override] = typed;
        }
    }
    const optional = (v: string | number | boolean) => (v === "" ? undefined : String(v));
    const budget = Number(values.monthlyBudgetUsd);
    if (budget < 0)
        throw new ConfigError(`${PROJECT}:monthlyBudgetUsd`, `must be 0 (no budget) or a positive number of USD, got ${budget}`);
    const usage: StackSettings["usage"] = {};
    for (const key of USAGE_KEYS) {
        const v = Number(values[key]);
        if (v < 0) throw new ConfigError(`${PROJECT}:${key}`, `must be 0 (the estimate's default) or a positive whole number, got ${v}`);
        if (v > 0) usage[key] = v;
    }
    const routing = resolveAlertRouting(values.cloud as Cloud, values.tier as TierName, {
        alertEmails: raw[`${PROJECT}:alertEmails`],
        alertWebhookUrl: raw[`${PROJECT}:alertWebhookUrl`],
        alerts: String(values.alerts),
    });
    return {
        cloud: values.cloud as Cloud,
        tier: values.tier as TierName,
        domain: optional(values.domain),
        dnsZone: optional(values.dnsZone),
        tlsCertificate: readPfx(optional(values.tlsCertificate), optional(values.tlsCertificatePassword)),
        image: optional(values.image),
        monthlyBudgetUsd: budget || undefined,
        overrides,
        usage,
        alerting: { ...routing, webhookUrl: routing.webhookUrl === undefined ? undefined : pulumi.secret(routing.webhookUrl) },
        billingAccountId: resolveBillingAccount(values.cloud as Cloud, budget || undefined, String(values.billingAccountId)),
    };
}

/**
 * The PFX `mcp-infra:tlsCertificate` names, as base64 for the gateway (Pulumi secrets, with its
 * password). Refused: a password without a file, a missing or empty file, a file that is not PKCS#12.
 */
function readPfx(file: string | undefined, password: string | undefined): StackSettings["tlsCertificate"] {
    if (file === undefined) {
        if (password !== undefined)
            throw new ConfigError(`${PROJECT}:tlsCertificatePassword`, `is set but ${PROJECT}:tlsCertificate (the PFX it opens) is not`);
        return undefined;
    }
    let pfx: Buffer;
    try {
        pfx = fs.readFileSync(file);
    } catch (err) {
        throw new ConfigError(
            `${PROJECT}:tlsCertificate`,
            `${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? err}); give the path of the .pfx for mcp-infra:domain, relative to the project directory`,
        );
    }
    // PKCS#12 is a DER SEQUENCE: its first byte is 0x30. PEM or an empty file is refused here, not by the gateway.
    if (pfx.length === 0 || pfx[0] !== 0x30) {
        throw new ConfigError(
            `${PROJECT}:tlsCertificate`,
            `${file} is not a PKCS#12 (.pfx) file; convert a PEM pair with: openssl pkcs12 -export -in cert.pem -inkey key.pem -out cert.pfx`,
        );
    }
    return { pfxBase64: pulumi.secret(pfx.toString("base64")), password: pulumi.secret(password ?? "") };
}

/** The current stack's settings, from Pulumi's config. */
export function readStackConfig(): StackSettings {
    return parseStackConfig(pulumi.runtime.allConfig());
}
