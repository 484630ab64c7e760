/**
 * Compares two JSON plans (`npm run plan -- --all --format json`): per stack,
 * the same resources (name and type), identical inputs, outputs and estimate.
 * Used to show a refactor changed no declared resource:
 *
 *   npm run -s plan -- --all --format json > /tmp/after.json
 *   npx ts-node --transpile-only scripts/compare-plans.ts before.json /tmp/after.json
 *
 * Exits 1 and lists every difference when the plans differ. Generated values
 * are produced by the mocks deterministically, so nothing is ignored; the one
 * thing that may legitimately differ is the checkout's path in the docker
 * build context: `--before-root /work/main` reads that path in the first plan
 * as this checkout's root.
 */
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";

interface PlanResource {
    type: string;
    name: string;
    inputs: unknown;
    custom?: boolean;
    parent?: string;
    secretInputs?: unknown;
}
interface PlanStack {
    stack: string;
    resources: PlanResource[];
    outputs: unknown;
    estimate: unknown;
}

function read(file: string, root?: { from: string; to: string }): PlanStack[] {
    let text = fs.readFileSync(file, "utf8");
    if (root) text = text.split(JSON.stringify(root.from).slice(1, -1)).join(JSON.stringify(root.to).slice(1, -1));
    return JSON.parse(text) as PlanStack[];
}

/** Paths (dotted) where two JSON values differ, at most `limit`. */
function diffPaths(a: unknown, b: unknown, path = "", out: string[] = [], limit = 5): string[] {
    if (out.length >= limit || isDeepStrictEqual(a, b)) return out;
    if (a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
        const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
        for (const k of keys)
            diffPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out, limit);
        return out;
    }
    out.push(`${path || "(root)"}: ${JSON.stringify(a)?.slice(0, 120)} -> ${JSON.stringify(b)?.slice(0, 120)}`);
    return out;
}

export function comparePlans(before: PlanStack[], after: PlanStack[]): { lines: string[]; same: boolean } {
    const lines: string[] = [];
    let same = true;
    const afterByStack = new Map(after.map((s) => [s.stack, s]));
    for (const b of before) {
        const a = afterByStack.get(b.stack);
        if (!a) {
            lines.push(`${b.stack}: MISSING after`);
            same = false;
            continue;
        }
        const key = (r: PlanResource) => `${r.type}::${r.name}`;
        const bMap = new Map(b.resources.map((r) => [key(r), r]));
        const aMap = new Map(a.resources.map((r) => [key(r), r]));
        const problems: string[] = [];
        for (const k of bMap.keys()) if (!aMap.has(k)) problems.push(`removed ${k}`);
        for (const k of aMap.keys()) if (!bMap.has(k)) problems.push(`added ${k}`);
        let identical = 0;
        for (const [k, rb] of bMap) {
            const ra = aMap.get(k);
            if (!ra) continue;
            const d = diffPaths(
                { inputs: rb.inputs, secretInputs: rb.secretInputs, custom: rb.custom },
                { inputs: ra.inputs, secretInputs: ra.secretInputs, custom: ra.custom },
            );
            if (d.length) problems.push(`${k}: ${d.join("; ")}`);
            else identical++;
        }
        const out = diffPaths(b.outputs, a.outputs);
        if (out.length) problems.push(`outputs: ${out.join("; ")}`);
        const est = diffPaths(b.estimate, a.estimate);
        if (est.length) problems.push(`estimate: ${est.join("; ")}`);
        if (problems.length) same = false;
        lines.push(
            `${b.stack}: ${b.resources.length} -> ${a.resources.length} resources, ${identical} with identical inputs` +
                (problems.length ? `\n    ${problems.join("\n    ")}` : ", same names/types, same outputs and estimate"),
        );
    }
    for (const a of after)
        if (!before.some((b) => b.stack === a.stack)) {
            lines.push(`${a.stack}: NEW after`);
            same = false;
        }
    return { lines, same };
}

if (require.main === module) {
    const args = process.argv.slice(2);
    const at = args.indexOf("--before-root");
    const root = at >= 0 ? { from: args.splice(at, 2)[1], to: path.resolve(__dirname, "..") } : undefined;
    const [beforeFile, afterFile] = args;
    if (!beforeFile || !afterFile) {
        console.error("usage: compare-plans.ts [--before-root DIR] <before.json> <after.json>");
        process.exit(2);
    }
    const { lines, same } = comparePlans(read(beforeFile, root), read(afterFile));
    console.log(lines.join("\n"));
    process.exit(same ? 0 : 1);
}
