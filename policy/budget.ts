/**
 * The budget gate: the stack's estimated monthly cost, from the project's own
 * pricing engine (pricing/, the one `npm run plan` prints), must not exceed
 * `monthlyBudgetUsd`. The engine hands a stack policy every resource with its
 * properties; they are priced exactly as a mock run's resources are.
 *
 * Policy config (per stack; CI writes it from the stack file, see config.ts):
 *   monthlyBudgetUsd  from `mcp-infra:monthlyBudgetUsd`; 0 or absent = no budget (policy not applicable)
 *   monthlyRequests, avgRequestMs, avgRequestKiB, logGiBPerReplica, egressGiB, imageGiB
 *                     usage assumptions (`mcp-infra:<same name>`); absent = the estimate's defaults
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { CostEstimate, DeclaredResource, DEFAULT_USAGE, estimateCost, UsageAssumptions } from "../pricing";
import { knownPlain } from "./util";

export interface BudgetConfig extends Partial<UsageAssumptions> {
    /** Monthly budget in USD; 0 or absent = none. */
    monthlyBudgetUsd?: number;
}

/** Engine bookkeeping resources that are neither priced nor seen by a mock run. */
const BOOKKEEPING = (type: string) => type === "pulumi:pulumi:Stack" || type.startsWith("pulumi:providers:");

/**
 * The stack's resources as the pricing engine reads them. Values unknown at
 * preview are left out; this project's components (`mcp-infra:...`) are
 * marked as such, which the engine uses to group lines by component.
 */
export function declaredResources(resources: Array<Pick<PolicyResource, "type" | "name" | "props">>): DeclaredResource[] {
    return resources
        .filter((r) => !BOOKKEEPING(r.type))
        .map((r) => ({ type: r.type, name: r.name, inputs: knownPlain(r.props), custom: !r.type.startsWith("mcp-infra:") }));
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** The violation: total, budget, overshoot, the biggest components and anything the estimate could not price. */
export function overBudgetMessage(estimate: CostEstimate, budgetUsd: number): string {
    const top = estimate.components
        .slice(0, 3)
        .map((c) => `${c.component} ${usd(c.monthlyUsd)}`)
        .join(", ");
    const unpriced = estimate.unpriced.length
        ? `; not priced (so the real cost is higher): ${estimate.unpriced.map((u) => `${u.type} x${u.count}`).join(", ")}`
        : "";
    return (
        `estimated monthly cost ${usd(estimate.totalMonthlyUsd)} exceeds the budget of ${usd(budgetUsd)} by ${usd(estimate.totalMonthlyUsd - budgetUsd)}` +
        ` (${estimate.cloud}; largest: ${top})${unpriced}`
    );
}

const number = (description: string) => ({ type: "number" as const, minimum: 0, description });

export const costWithinBudget: StackValidationPolicy = {
    name: "cost-within-budget",
    description: "The stack's estimated monthly cost (pricing/, as in `npm run plan`) stays within its monthlyBudgetUsd.",
    enforcementLevel: "mandatory",
    severity: "medium",
    configSchema: {
        properties: {
            monthlyBudgetUsd: number("Monthly budget in USD (mcp-infra:monthlyBudgetUsd); 0 = none."),
            ...Object.fromEntries(
                Object.keys(DEFAULT_USAGE).map((k) => [
                    k,
                    number(`Usage assumption ${k} of the estimate (mcp-infra:${k}); absent = the default.`),
                ]),
            ),
        },
    },
    validateStack: (args, report) => {
        const { monthlyBudgetUsd, ...usage } = args.getConfig<BudgetConfig>();
        if (!monthlyBudgetUsd) {
            args.notApplicable("no monthlyBudgetUsd in the policy config: the stack has no budget");
            return;
        }
        const estimate = estimateCost(declaredResources(args.resources), usage);
        if (estimate.totalMonthlyUsd > monthlyBudgetUsd) report(overBudgetMessage(estimate, monthlyBudgetUsd));
    },
};
