/**
 * The policy pack's config for one stack, derived from its stack file, so the
 * policies judge the stack by the tier and budget it declares:
 *
 *   npx ts-node --transpile-only policy/config.ts --stack prod-aws > policy-config.json
 *   pulumi preview --stack prod-aws --policy-pack policy --policy-pack-config policy-config.json
 *
 * The CI workflow (.github/workflows/preview.yml) does exactly this.
 * `mcp-infra:tier` -> deletion-protection-and-backups.tier and edge-https-only.tier;
 * `mcp-infra:monthlyBudgetUsd` and the usage keys (`mcp-infra:monthlyRequests`, ...)
 * -> cost-within-budget; the tier, `mcp-infra:alerts` (none = opted out) and the budget -> operations-signals.
 * The stack file is validated as the program does.
 */
import { parseStackConfig } from "../components/config";
import { readStackFile } from "../scripts/harness";
import { BudgetConfig } from "./budget";
import { HttpsOnlyConfig } from "./https";
import { OperationsConfig } from "./operations";
import { ResilienceConfig } from "./resilience";

/** The JSON `--policy-pack-config` takes: policy name -> that policy's config. */
export interface PolicyPackConfigFile {
    "deletion-protection-and-backups": ResilienceConfig;
    "cost-within-budget": BudgetConfig;
    "edge-https-only": HttpsOnlyConfig;
    "operations-signals": OperationsConfig;
}

/** Policy config for a stack's raw config (`namespace:key` -> string, as in a stack file). */
export function policyConfigFor(raw: Record<string, string>): PolicyPackConfigFile {
    const settings = parseStackConfig(raw);
    return {
        "deletion-protection-and-backups": { tier: settings.tier },
        "cost-within-budget": { monthlyBudgetUsd: settings.monthlyBudgetUsd ?? 0, ...settings.usage },
        "edge-https-only": { tier: settings.tier },
        "operations-signals": {
            tier: settings.tier,
            alertsOptedOut: settings.alerting.optedOut,
            monthlyBudgetUsd: settings.monthlyBudgetUsd ?? 0,
        },
    };
}

/** Policy config for a stack file in stacks/. */
export function policyConfigForStack(stack: string, stacksDir?: string): PolicyPackConfigFile {
    return policyConfigFor(readStackFile(stack, stacksDir));
}

if (require.main === module) {
    const i = process.argv.indexOf("--stack");
    const stack = i > 0 ? process.argv[i + 1] : undefined;
    if (!stack) {
        console.error("usage: ts-node policy/config.ts --stack <name>");
        process.exit(2);
    }
    console.log(JSON.stringify(policyConfigForStack(stack), null, 2));
}
