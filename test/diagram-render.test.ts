/**
 * Every stack's topology diagram renders with the real mermaid library in a
 * headless Chromium, as GitHub renders the pull-request comment. Needs Debian's
 * chromium: skipped without it, except when MCP_REQUIRE_CHROMIUM=1 (.ci/run).
 */
import * as assert from "node:assert/strict";
import { topologyDiagram } from "../scripts/diagram";
import { listStacks, runStack } from "../scripts/harness";
import { findChromium, renderAll, withMermaidPage } from "../scripts/mermaid-render";

describe("topology diagrams render with mermaid in headless Chromium", function () {
    this.timeout(300_000);
    const diagrams: Array<{ stack: string; definition: string; service: string }> = [];

    before(async function () {
        if (!findChromium()) {
            if (process.env.MCP_REQUIRE_CHROMIUM === "1")
                throw new Error("Chromium is required (MCP_REQUIRE_CHROMIUM=1) but not installed: apt-get install -y chromium");
            console.log("    (skipped: Chromium is not installed; apt-get install -y chromium)");
            this.skip();
        }
        for (const stack of listStacks()) {
            const run = await runStack(stack);
            const definition = topologyDiagram({ stack, summary: run.outputs.summary, resources: run.resources });
            // The service node's first label line, to find in the drawn SVG.
            const service = /service\["([^<"]+)/.exec(definition)?.[1];
            assert.ok(service, `${stack}: no service node in\n${definition}`);
            diagrams.push({ stack, definition, service });
        }
    });

    it("draws every stack's diagram without a render error, with its nodes and links", async () => {
        assert.ok(diagrams.length >= 11, `only ${diagrams.length} stacks`);
        const results = await withMermaidPage((page) =>
            renderAll(
                page,
                diagrams.map((d) => d.definition),
            ),
        );
        assert.equal(results.length, diagrams.length);
        results.forEach((r, i) => {
            const { stack, definition, service } = diagrams[i];
            assert.equal(r.error, undefined, `${stack}: mermaid failed: ${r.error}\n${definition}`);
            const svg = r.svg!;
            assert.match(svg, /^<svg /, stack);
            assert.doesNotMatch(svg, /Syntax error/i, stack);
            assert.ok(svg.includes(service), `${stack}: the drawn SVG names the service "${service}"`);
            assert.ok(svg.includes("reachable from"), `${stack}: the drawn SVG has the reachable group`);
            const nodes = (definition.match(/^ {4,8}\w+[[(]/gm) ?? []).length;
            const drawn = (svg.match(/class="node /g) ?? []).length;
            assert.equal(drawn, nodes, `${stack}: every declared node is drawn`);
            const links = (definition.match(/-\.?->/g) ?? []).length;
            const paths = (svg.match(/class="edge-thickness-/g) ?? []).length;
            assert.equal(paths, links, `${stack}: every link is drawn`);
        });
    });

    it("reports a definition mermaid rejects (the check can fail)", async () => {
        const [bad] = await withMermaidPage((page) => renderAll(page, ['flowchart LR\n    a["unterminated] --> b']));
        assert.equal(bad.svg, undefined);
        assert.match(bad.error!, /Parse error|Lexical error|Expecting/);
    });
});
