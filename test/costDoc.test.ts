/**
 * docs/cost.md matches the plan to the cent: its cost table, worked examples and
 * price sources are regenerated from the plan's own runs and compared with the page.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import { applyBlocks, blocks, DOC, planAll, staleBlocks, WORKED } from "../scripts/costdoc";
import { usd } from "../pricing/report";
import { StackCost } from "../pricing/report";

describe("docs/cost.md", function () {
    this.timeout(600_000);
    let costs: StackCost[];
    let doc: string;
    before(async () => {
        costs = await planAll();
        doc = fs.readFileSync(DOC, "utf8");
    });

    it("matches the plan in every generated block (run npm run cost-doc after a change that moves a figure)", () => {
        assert.deepEqual(staleBlocks(doc, blocks(costs)), []);
    });

    it("shows every stack's total and every worked line as the plan prices it", () => {
        for (const s of costs) assert.ok(doc.includes(`| ${s.stack} | ${usd(s.estimate.totalMonthlyUsd)} |`), `${s.stack} row`);
        for (const stack of WORKED) {
            const s = costs.find((c) => c.stack === stack)!;
            for (const l of s.estimate.lines) assert.ok(doc.includes(`| ${usd(l.monthlyUsd)} |`), `${stack}: ${l.item}`);
            assert.ok(doc.includes(`| **total** | | | | **${usd(s.estimate.totalMonthlyUsd)}** |`), `${stack} total`);
        }
        assert.match(doc, /Not priced: none, on every stack\./);
    });

    it("refuses a page that lost a block's markers, and finds a stale figure", () => {
        const generated = blocks(costs);
        assert.throws(() => applyBlocks("# no markers", generated), /has no "<!-- BEGIN generated: cost-table/);
        const tampered = doc.replace(/\| prod-aws \| \$[\d,.]+ \|/, "| prod-aws | $1.00 |");
        assert.notEqual(tampered, doc);
        assert.deepEqual(staleBlocks(tampered, generated), ["cost-table"]);
    });
});
