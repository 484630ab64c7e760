/**
 * Renders cost estimates for people: a plain-text table for terminals, a
 * markdown report for pull-request comments and $GITHUB_STEP_SUMMARY, and the
 * difference between two runs (what a reviewer wants to see on a change).
 */
import { floorBasis } from "./targets";
import { CostEstimate, CostLine } from "./types";

/** One stack's priced run, as the plan prints it and as `--format json` stores it. */
export interface StackCost {
    stack: string;
    cloud: string;
    tier: string;
    budgetUsd?: number;
    estimate: CostEstimate;
    /** The same stack without the tier's cost-saving choices, when it makes any (the "before"). */
    withoutCostChoices?: { choices: string[]; totalMonthlyUsd: number };
    /** The cloud's floor target for the tier (pricing/targets.ts), when it has one. */
    targetUsd?: number;
}

/**
 * "<= $170.00: met ($163.88 + monitoring $7.56)" / "<= $170.00: MISSED by $3.20 (...)", or
 * undefined without a target. The floor is compared with the estimate without monitoring
 * (pricing/targets.ts, floorBasis); the monitoring cost is printed beside it.
 */
export function targetStatus(s: StackCost): string | undefined {
    if (s.targetUsd === undefined) return undefined;
    const { basisUsd, monitoringUsd } = floorBasis(s.estimate);
    const over = basisUsd - s.targetUsd;
    const parts = monitoringUsd > 0 ? ` (${usd(basisUsd)} + monitoring ${usd(monitoringUsd)})` : "";
    return `<= ${usd(s.targetUsd)}: ${over <= 0 ? "met" : `MISSED by ${usd(over)}`}${parts}`;
}

export const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const signed = (n: number) => (n >= 0 ? `+${usd(n)}` : `-${usd(-n)}`);
/** A unit price with the precision the catalog has (e.g. $0.000024). */
export const unitUsd = (n: number) => `$${n.toLocaleString("en-US", { maximumFractionDigits: 7 })}`;
const qty = (n: number) => (Number.isInteger(n) ? n.toLocaleString("en-US") : n.toLocaleString("en-US", { maximumFractionDigits: 3 }));

export function assumptionsText(e: CostEstimate): string {
    const a = e.assumptions;
    return (
        `${a.monthlyRequests.toLocaleString("en-US")} requests/month of ${a.avgRequestMs} ms and ${a.avgRequestKiB} KiB; ` +
        `${a.logGiBPerReplica} GiB of logs per replica; ${a.imageGiB} GiB of images; ${a.egressGiB} GiB through NAT; ${a.cacheDataMB} MB in a serverless cache`
    );
}

/** The largest line items, for "what dominates". */
export function topLines(e: CostEstimate, n = 3): CostLine[] {
    return [...e.lines]
        .sort((a, b) => b.monthlyUsd - a.monthlyUsd)
        .slice(0, n)
        .filter((l) => l.monthlyUsd > 0);
}

export function budgetStatus(s: StackCost): string {
    if (s.budgetUsd === undefined) return "no budget";
    return s.estimate.totalMonthlyUsd > s.budgetUsd ? `OVER budget ${usd(s.budgetUsd)}` : `within budget ${usd(s.budgetUsd)}`;
}

function pad(cells: string[], widths: number[], right: boolean[]): string {
    return cells
        .map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
        .join("  ")
        .trimEnd();
}

function grid(rows: string[][], right: boolean[]): string[] {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r) => pad(r, widths, right));
}

/** Lines of one stack, grouped by component, largest component first. */
function grouped(e: CostEstimate): Array<{ component: string; monthlyUsd: number; lines: CostLine[] }> {
    return e.components.map((c) => ({
        ...c,
        lines: e.lines.filter((l) => l.component === c.component).sort((a, b) => b.monthlyUsd - a.monthlyUsd),
    }));
}

export function renderTable(s: StackCost): string {
    const e = s.estimate;
    const out = [`Stack ${s.stack} (cloud ${s.cloud}, tier ${s.tier}): ${usd(e.totalMonthlyUsd)}/month, ${budgetStatus(s)}`];
    const rows: string[][] = [["component", "monthly", "quantity", "unit price", "item"]];
    for (const g of grouped(e)) {
        rows.push([g.component, usd(g.monthlyUsd), "", "", ""]);
        for (const l of g.lines)
            rows.push([
                "",
                usd(l.monthlyUsd),
                qty(l.quantity),
                `${unitUsd(l.unitPriceUsd)}/${l.unit}`,
                l.item + (l.usageBased ? " *" : ""),
            ]);
    }
    rows.push(["total", usd(e.totalMonthlyUsd), "", "", ""]);
    out.push(...grid(rows, [false, true, true, false, false]).map((r) => `  ${r}`));
    out.push(`  * usage-based: ${assumptionsText(e)}`);
    out.push(`  not priced: ${e.unpriced.length ? e.unpriced.map((u) => `${u.type} x${u.count} (${u.reason})`).join("; ") : "none"}`);
    out.push(`  no charge of their own: ${e.free.reduce((n, f) => n + f.count, 0)} resources of ${e.free.length} types`);
    const target = targetStatus(s);
    if (target) out.push(`  floor target (issue 15) ${target}`);
    if (s.withoutCostChoices) {
        const w = s.withoutCostChoices;
        out.push(`  cost choices (${w.choices.join(", ")}): ${usd(w.totalMonthlyUsd)} before -> ${usd(e.totalMonthlyUsd)} after`);
    }
    for (const n of e.notes) out.push(`  note: ${n}`);
    return out.join("\n");
}

const mdEscape = (t: string) => t.replace(/\|/g, "\\|");

export function renderMarkdown(stacks: StackCost[]): string {
    const out = ["## Monthly cost estimate (list prices, USD)", ""];
    out.push("| Stack | Cloud | Tier | Monthly | Budget | Largest items |", "|---|---|---|---:|---|---|");
    for (const s of stacks) {
        const top = topLines(s.estimate)
            .map((l) => `${mdEscape(l.item)} ${usd(l.monthlyUsd)}`)
            .join("; ");
        out.push(`| ${s.stack} | ${s.cloud} | ${s.tier} | ${usd(s.estimate.totalMonthlyUsd)} | ${budgetStatus(s)} | ${top} |`);
    }
    for (const s of stacks) {
        const e = s.estimate;
        out.push("", `<details><summary><b>${s.stack}</b>: ${usd(e.totalMonthlyUsd)}/month (${budgetStatus(s)})</summary>`, "");
        out.push("| Component | Item | Quantity | Unit price | Monthly |", "|---|---|---:|---:|---:|");
        for (const g of grouped(e)) {
            for (const l of g.lines) {
                out.push(
                    `| ${g.component} | ${mdEscape(l.item)}${l.usageBased ? " \\*" : ""} | ${qty(l.quantity)} | ${unitUsd(l.unitPriceUsd)} / ${mdEscape(l.unit)} | ${usd(l.monthlyUsd)} |`,
                );
            }
            out.push(`| **${g.component}** | | | | **${usd(g.monthlyUsd)}** |`);
        }
        out.push(`| **total** | | | | **${usd(e.totalMonthlyUsd)}** |`, "");
        out.push(
            `\\* usage-based: ${assumptionsText(e)} (set them with the \`mcp-infra:monthlyRequests\`, \`avgRequestMs\`, \`avgRequestKiB\`, \`logGiBPerReplica\`, \`egressGiB\` and \`cacheDataMB\` config keys).`,
            "",
        );
        out.push(
            `Not priced: ${e.unpriced.length ? e.unpriced.map((u) => `\`${u.type}\` x${u.count} (${u.reason})`).join("; ") : "none"}.`,
        );
        const target = targetStatus(s);
        if (target) out.push("", `Floor target ${target.replace("<=", "≤")}.`);
        if (s.withoutCostChoices) {
            const w = s.withoutCostChoices;
            out.push(
                "",
                `Cost choices of this stack (${w.choices.join(", ")}): ${usd(w.totalMonthlyUsd)} before, ${usd(e.totalMonthlyUsd)} after.`,
            );
        }
        for (const n of e.notes) out.push("", `Note: ${n}`);
        out.push("", "</details>");
    }
    return out.join("\n");
}

export interface StackDiff {
    stack: string;
    /** undefined when the stack is new. */
    beforeUsd?: number;
    /** undefined when the stack was removed. */
    afterUsd?: number;
    components: Array<{ component: string; beforeUsd: number; afterUsd: number }>;
    lines: Array<{ resource: string; item: string; beforeUsd: number; afterUsd: number }>;
}

/** The cost change from an earlier run (`base`) to this one, per stack, component and line. */
export function diffCosts(base: StackCost[], current: StackCost[]): StackDiff[] {
    const names = [...new Set([...base.map((s) => s.stack), ...current.map((s) => s.stack)])];
    return names.map((stack) => {
        const b = base.find((s) => s.stack === stack)?.estimate;
        const a = current.find((s) => s.stack === stack)?.estimate;
        const comps = new Set([...(b?.components ?? []), ...(a?.components ?? [])].map((c) => c.component));
        const compUsd = (e: CostEstimate | undefined, c: string) => e?.components.find((x) => x.component === c)?.monthlyUsd ?? 0;
        const key = (l: CostLine) => `${l.resource}\u0000${l.priceId}`;
        const lineMap = (e?: CostEstimate) => new Map((e?.lines ?? []).map((l) => [key(l), l]));
        const bl = lineMap(b);
        const al = lineMap(a);
        const lines = [...new Set([...bl.keys(), ...al.keys()])]
            .map((k) => ({
                resource: (al.get(k) ?? bl.get(k))!.resource,
                item: (al.get(k) ?? bl.get(k))!.item,
                beforeUsd: bl.get(k)?.monthlyUsd ?? 0,
                afterUsd: al.get(k)?.monthlyUsd ?? 0,
            }))
            .filter((l) => Math.abs(l.afterUsd - l.beforeUsd) >= 0.005)
            .sort((x, y) => Math.abs(y.afterUsd - y.beforeUsd) - Math.abs(x.afterUsd - x.beforeUsd));
        return {
            stack,
            beforeUsd: b?.totalMonthlyUsd,
            afterUsd: a?.totalMonthlyUsd,
            components: [...comps]
                .map((c) => ({ component: c, beforeUsd: compUsd(b, c), afterUsd: compUsd(a, c) }))
                .filter((c) => Math.abs(c.afterUsd - c.beforeUsd) >= 0.005),
            lines,
        };
    });
}

function totalText(d: StackDiff): string {
    if (d.beforeUsd === undefined) return `new stack: ${usd(d.afterUsd!)}`;
    if (d.afterUsd === undefined) return `removed (was ${usd(d.beforeUsd)})`;
    const delta = d.afterUsd - d.beforeUsd;
    const pct = d.beforeUsd ? ` (${delta >= 0 ? "+" : ""}${((delta / d.beforeUsd) * 100).toFixed(1)} %)` : "";
    return `${usd(d.beforeUsd)} -> ${usd(d.afterUsd)}: ${signed(delta)}${pct}`;
}

export function renderDiffTable(diffs: StackDiff[]): string {
    const out = ["Cost change against the base run:"];
    for (const d of diffs) {
        out.push(`  ${d.stack}: ${totalText(d)}`);
        for (const l of d.lines) out.push(`    ${signed(l.afterUsd - l.beforeUsd).padStart(11)}  ${l.resource}: ${l.item}`);
    }
    return out.join("\n");
}

export function renderDiffMarkdown(diffs: StackDiff[]): string {
    const out = ["## Cost change against the base branch", "", "| Stack | Before | After | Change |", "|---|---:|---:|---:|"];
    for (const d of diffs) {
        const change =
            d.beforeUsd !== undefined && d.afterUsd !== undefined
                ? signed(d.afterUsd - d.beforeUsd)
                : d.afterUsd === undefined
                  ? "removed"
                  : "new";
        out.push(
            `| ${d.stack} | ${d.beforeUsd === undefined ? "–" : usd(d.beforeUsd)} | ${d.afterUsd === undefined ? "–" : usd(d.afterUsd)} | ${change} |`,
        );
    }
    const changed = diffs.filter((d) => d.lines.length);
    for (const d of changed) {
        out.push("", `**${d.stack}**`, "", "| Resource | Item | Before | After | Change |", "|---|---|---:|---:|---:|");
        for (const l of d.lines)
            out.push(
                `| ${l.resource} | ${mdEscape(l.item)} | ${usd(l.beforeUsd)} | ${usd(l.afterUsd)} | ${signed(l.afterUsd - l.beforeUsd)} |`,
            );
    }
    if (!changed.length) out.push("", "No cost change.");
    return out.join("\n");
}
