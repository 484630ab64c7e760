/**
 * Deletion protection and backups of the audit database where the tier asks
 * for them (prod and enterprise, per sizing/tiers.ts). The builders set no
 * tier tag or label on their resources, so the tier comes from the policy
 * config (`tier`, written by CI from the stack's `mcp-infra:tier`), else from
 * the stack name in the URN when it starts with `<tier>-` (the stacks/
 * convention), else prod: a stack that does not say what it is gets prod's rules.
 */
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { TIER_NAMES, TIERS, TierName } from "../sizing/tiers";
import { T } from "./types";
import { byType, violation } from "./util";

export interface ResilienceConfig {
    /** dev, prod or enterprise. */
    tier?: TierName;
    /** Days of backups required; default: the tier's (7 prod, 30 enterprise). */
    minBackupRetentionDays?: number;
}

export interface ResolvedTier {
    tier: TierName;
    /** Where it came from, for the message: "policy config", "stack name" or "default". */
    source: string;
}

/** The stack name in a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function stackOfUrn(urn: string | undefined): string | undefined {
    return /^urn:pulumi:([^:]+)::/.exec(urn ?? "")?.[1];
}

export function resolveTier(config: ResilienceConfig, urn: string | undefined): ResolvedTier {
    if (config.tier !== undefined) {
        if (!TIER_NAMES.includes(config.tier))
            throw new Error(`policy config tier must be one of ${TIER_NAMES.join(", ")}, not "${config.tier}"`);
        return { tier: config.tier, source: "policy config" };
    }
    const fromStack = TIER_NAMES.find((t) => new RegExp(`^${t}(-|$)`).test(stackOfUrn(urn) ?? ""));
    if (fromStack) return { tier: fromStack, source: "stack name" };
    return { tier: "prod", source: "default" };
}

/** The requirement the resource is held to, or undefined when its tier has none (dev). */
function requirement(args: ResourceValidationArgs): { days: number; why: string } | undefined {
    const config = args.getConfig<ResilienceConfig>();
    const { tier, source } = resolveTier(config, args.urn);
    if (!TIERS[tier].database.deletionProtection) return undefined;
    const days = config.minBackupRetentionDays ?? TIERS[tier].database.backupRetentionDays;
    return { days, why: `(tier ${tier}, from ${source})` };
}

export const deletionProtectionAndBackups: ResourceValidationPolicy = {
    name: "deletion-protection-and-backups",
    description:
        "In prod and enterprise the audit database is protected against deletion and keeps the tier's days of backups with point-in-time recovery.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: {
        properties: {
            tier: { type: "string", enum: [...TIER_NAMES], description: "Sizing tier of the stack (mcp-infra:tier)." },
            minBackupRetentionDays: { type: "integer", minimum: 1, description: "Days of backups required; default: the tier's." },
        },
    },
    validateResource: byType({
        [T.rdsInstance]: (p, args, report) => {
            const need = requirement(args);
            if (!need) return;
            if (p.deletionProtection !== true) violation(report, args.name, "deletionProtection", `must be true ${need.why}`);
            if (p.replicateSourceDb) return; // a read replica keeps no backups of its own
            if (!(Number(p.backupRetentionPeriod) >= need.days)) {
                violation(
                    report,
                    args.name,
                    "backupRetentionPeriod",
                    `must be at least ${need.days} days ${need.why} (is ${p.backupRetentionPeriod ?? "unset"})`,
                );
            }
            if (p.skipFinalSnapshot === true) violation(report, args.name, "skipFinalSnapshot", `must be false ${need.why}`);
        },
        [T.lb]: (p, args, report) => {
            const need = requirement(args);
            if (need && p.enableDeletionProtection !== true)
                violation(report, args.name, "enableDeletionProtection", `must be true ${need.why}`);
        },
        [T.alb]: (p, args, report) => {
            const need = requirement(args);
            if (need && p.enableDeletionProtection !== true)
                violation(report, args.name, "enableDeletionProtection", `must be true ${need.why}`);
        },
        [T.pgServer]: (p, args, report) => {
            // Deletion protection on Azure is a CanNotDelete lock, a separate resource this rule cannot see.
            const need = requirement(args);
            if (!need || p.createMode === "Replica") return;
            const days = p.backup?.backupRetentionDays;
            if (!(Number(days) >= need.days))
                violation(
                    report,
                    args.name,
                    "backup.backupRetentionDays",
                    `must be at least ${need.days} ${need.why} (is ${days ?? "unset"})`,
                );
        },
        [T.sqlInstance]: (p, args, report) => {
            const need = requirement(args);
            if (!need) return;
            if (p.deletionProtection === false) violation(report, args.name, "deletionProtection", `must not be false ${need.why}`);
            if (p.settings?.deletionProtectionEnabled !== true)
                violation(report, args.name, "settings.deletionProtectionEnabled", `must be true ${need.why}`);
            if (p.masterInstanceName) return; // replicas take no backups
            const backup = p.settings?.backupConfiguration ?? {};
            if (backup.enabled !== true) violation(report, args.name, "settings.backupConfiguration.enabled", `must be true ${need.why}`);
            if (backup.pointInTimeRecoveryEnabled !== true)
                violation(report, args.name, "settings.backupConfiguration.pointInTimeRecoveryEnabled", `must be true ${need.why}`);
            const kept = backup.backupRetentionSettings?.retainedBackups ?? 7; // Cloud SQL keeps 7 daily backups by default
            if (!(Number(kept) >= need.days)) {
                violation(
                    report,
                    args.name,
                    "settings.backupConfiguration.backupRetentionSettings.retainedBackups",
                    `must be at least ${need.days} ${need.why} (is ${kept})`,
                );
            }
        },
    }),
};
