/**
 * Keeps docs/cost.md true to the plan: its cost table, worked examples and
 * price sources are generated from the same runs `npm run plan -- --all`
 * prices, between BEGIN/END markers; the prose around them is written by hand.
 *
 *   npm run cost-doc            rewrite the generated blocks of docs/cost.md
 *   npm run cost-doc -- --check exit 1 (naming the block) when the doc differs from the plan
 *
 * test/costDoc.test.ts runs the check, so a change that moves any figure (a
 * new billable resource, a price, a cost choice) fails until the doc is
 * regenerated: the doc matches the plan to the cent.
 */
import * as fs from "fs";
import * as path from "path";
import { CATALOG } from "../pricing";
import { StackCost, targetStatus, unitUsd, usd } from "../pricing/report";
import { listStacks, readStackFile, runProgram } from "./harness";
import { priceStack } from "./plan";

export const DOC = path.resolve(__dirname, "..", "docs", "cost.md");

/** Stacks whose every line the doc shows as a worked example. */
export const WORKED = ["prod-aws", "prod-gcp", "prod-azure", "dev-aws", "dev-gcp", "dev-azure"];

/** Catalog entries issue 15 settled or added, shown with their source and confidence. */
export const SETTLED_PRICES = [
    "azure.appgw.WAF_v2.fixed",
    "azure.appgw.WAF_v2.cu",
    "azure.appgw.Standard_v2.fixed",
    "azure.appgw.Standard_v2.cu",
    "gcp.lb.rule",
    "gcp.lb.rule.extra",
    "aws.elasticache.serverless.valkey.gb",
    "aws.elasticache.serverless.valkey.ecpu",
    "aws.cloudwatch.metric",
    "aws.ssm.advanced",
    "gcp.redis.STANDARD_HA",
    "gcp.sql.ssd.ha",
    "gcp.sql.db-g1-small",
];

const cell = (t: string) => t.replace(/\|/g, "\\|");
const qty = (n: number) => (Number.isInteger(n) ? n.toLocaleString("en-US") : n.toLocaleString("en-US", { maximumFractionDigits: 3 }));

/** Every stack priced as `npm run plan -- --all` prices it (with the "before" of its cost choices). */
export async function planAll(): Promise<StackCost[]> {
    const out: StackCost[] = [];
    for (const stack of listStacks()) out.push(await priceStack(await runProgram(stack, readStackFile(stack)), true));
    return out;
}

function tableBlock(costs: StackCost[]): string {
    const rows = ["| Stack | Monthly (list price) | Floor target | Before the cost choices | Cost choices |", "|---|---:|---|---:|---|"];
    for (const s of costs) {
        const w = s.withoutCostChoices;
        rows.push(
            `| ${s.stack} | ${usd(s.estimate.totalMonthlyUsd)} | ${targetStatus(s)?.replace("<=", "≤") ?? "–"} | ${w ? usd(w.totalMonthlyUsd) : "–"} | ${w ? cell(w.choices.join("; ")) : "none"} |`,
        );
    }
    const unpriced = costs.filter((s) => s.estimate.unpriced.length).map((s) => s.stack);
    rows.push("", `Not priced: ${unpriced.length ? unpriced.join(", ") : "none, on every stack"}.`);
    return rows.join("\n");
}

function workedBlock(s: StackCost): string {
    const e = s.estimate;
    const rows = [
        `**${s.stack}**: ${usd(e.totalMonthlyUsd)} a month${s.targetUsd !== undefined ? ` (floor target ${targetStatus(s)!.replace("<=", "≤")})` : ""}.`,
        "",
        "| Component | Item | Quantity | × Unit price | = Monthly |",
        "|---|---|---:|---:|---:|",
    ];
    for (const c of e.components) {
        for (const l of e.lines.filter((x) => x.component === c.component).sort((a, b) => b.monthlyUsd - a.monthlyUsd)) {
            rows.push(
                `| ${c.component} | ${cell(l.item)}${l.usageBased ? " \\*" : ""} | ${qty(l.quantity)} | ${unitUsd(l.unitPriceUsd)} / ${cell(l.unit)} | ${usd(l.monthlyUsd)} |`,
            );
        }
        rows.push(`| **${c.component}** | | | | **${usd(c.monthlyUsd)}** |`);
    }
    rows.push(`| **total** | | | | **${usd(e.totalMonthlyUsd)}** |`);
    if (s.withoutCostChoices)
        rows.push(
            "",
            `Cost choices (${s.withoutCostChoices.choices.join("; ")}): ${usd(s.withoutCostChoices.totalMonthlyUsd)} before, ${usd(e.totalMonthlyUsd)} after.`,
        );
    return rows.join("\n");
}

function pricesBlock(): string {
    const rows = ["| Catalog id | Price | Unit | Confidence | Source |", "|---|---:|---|:-:|---|"];
    for (const id of SETTLED_PRICES) {
        const p = CATALOG.get(id);
        if (!p) throw new Error(`docs/cost.md lists ${id}, which the catalog lacks`);
        rows.push(`| \`${id}\` | ${unitUsd(p.usd)} | ${cell(p.unit)} | ${p.confidence} | ${cell(p.source)} |`);
    }
    return rows.join("\n");
}

/** The generated blocks of docs/cost.md, by name. */
export function blocks(costs: StackCost[]): Record<string, string> {
    const out: Record<string, string> = { "cost-table": tableBlock(costs), prices: pricesBlock() };
    for (const stack of WORKED) {
        const s = costs.find((c) => c.stack === stack);
        if (!s) throw new Error(`docs/cost.md works through ${stack}, which is not a stack`);
        out[`worked-${stack}`] = workedBlock(s);
    }
    return out;
}

const begin = (name: string) => `<!-- BEGIN generated: ${name} (npm run cost-doc) -->`;
const end = (name: string) => `<!-- END generated: ${name} -->`;

/** The doc with each named block replaced; throws when the doc lacks a block's markers. */
export function applyBlocks(doc: string, generated: Record<string, string>): string {
    let out = doc;
    for (const [name, body] of Object.entries(generated)) {
        const b = out.indexOf(begin(name));
        const e = out.indexOf(end(name));
        if (b < 0 || e < b) throw new Error(`docs/cost.md has no "${begin(name)}" ... "${end(name)}" markers`);
        out = `${out.slice(0, b)}${begin(name)}\n${body}\n${out.slice(e)}`;
    }
    return out;
}

/** Names of the blocks whose text in the doc differs from what the plan gives now. */
export function staleBlocks(doc: string, generated: Record<string, string>): string[] {
    return Object.keys(generated).filter((name) => applyBlocks(doc, { [name]: generated[name] }) !== doc);
}

async function main(): Promise<number> {
    const check = process.argv.includes("--check");
    const doc = fs.readFileSync(DOC, "utf8");
    const generated = blocks(await planAll());
    if (check) {
        const stale = staleBlocks(doc, generated);
        if (stale.length) {
            console.error(`error: docs/cost.md differs from the plan in: ${stale.join(", ")}; run npm run cost-doc`);
            return 1;
        }
        console.log("docs/cost.md matches the plan");
        return 0;
    }
    fs.writeFileSync(DOC, applyBlocks(doc, generated));
    console.log(`docs/cost.md: ${Object.keys(generated).length} blocks written`);
    return 0;
}

if (require.main === module) {
    main().then(
        (code) => {
            process.exitCode = code;
        },
        (e) => {
            console.error(`error: ${(e as Error).stack ?? e}`);
            process.exitCode = 1;
        },
    );
}
