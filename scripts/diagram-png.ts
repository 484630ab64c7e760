/**
 * Renders one stack's topology diagram (the one the pull-request comment
 * shows) to a PNG with mermaid in headless Chromium:
 *
 *   npm run diagram -- --stack prod-aws --out docs/topology-prod-aws.png
 *
 * Needs Debian's chromium (apt-get install -y chromium) or CHROMIUM_PATH.
 */
import * as path from "path";
import { topologyDiagram } from "./diagram";
import { readStackFile, runProgram } from "./harness";
import { renderAll, screenshotSvg, withMermaidPage } from "./mermaid-render";

const USAGE = "usage: npm run diagram -- --stack <name> [--out file.png]";

async function main(argv: string[]): Promise<number> {
    let stack: string | undefined;
    let out: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new Error(`${argv[i - 1]} needs a value; ${USAGE}`);
            return v;
        };
        if (argv[i] === "--stack") stack = value();
        else if (argv[i] === "--out") out = value();
        else throw new Error(`unknown argument "${argv[i]}"; ${USAGE}`);
    }
    if (!stack) throw new Error(`name a stack with --stack; ${USAGE}`);
    const file = path.resolve(out ?? `docs/topology-${stack}.png`);
    const run = await runProgram(stack, readStackFile(stack));
    const definition = topologyDiagram({ stack, summary: run.outputs.summary, resources: run.resources });
    await withMermaidPage(async (page) => {
        const [result] = await renderAll(page, [definition]);
        if (result.error !== undefined) throw new Error(`mermaid rejected the diagram of ${stack}: ${result.error}`);
        await screenshotSvg(page, result.svg, file);
    });
    console.log(`wrote ${path.relative(process.cwd(), file)} (${stack})`);
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (e) => {
            console.error(`error: ${(e as Error).message}`);
            process.exitCode = 1;
        },
    );
}
