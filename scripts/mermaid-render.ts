/**
 * Renders mermaid diagrams with the real `mermaid` library in a headless
 * Chromium, as GitHub does for a pull-request comment. Used by the diagram
 * test (every stack must render) and by `npm run diagram` (the PNG in docs/).
 *
 * The browser is the system's (Debian: `apt-get install -y chromium`), driven
 * by playwright-core; nothing is downloaded. The page and mermaid's bundle are
 * served from node_modules on 127.0.0.1, and every other request is refused.
 */
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import { chromium, Browser, Page } from "playwright-core";

/** Chromium's flags: headless, no sandbox (CI runs as root), and no traffic of its own. */
export const CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
];

/** The Chromium to drive: $CHROMIUM_PATH, else Debian's; undefined when none is installed. */
export function findChromium(): string | undefined {
    const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
    return candidates.find((p): p is string => !!p && fs.existsSync(p));
}

/** One diagram's result: the SVG mermaid drew, or the error it raised. */
export type Rendered = { svg: string; error?: undefined } | { svg?: undefined; error: string };

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>mermaid</title>
<style>body { margin: 0; background: #fff; font-family: sans-serif; } #out { display: inline-block; padding: 16px; }</style>
<script src="/mermaid.min.js"></script>
<script>
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "default" });
  window.renderAll = async (definitions) => {
    const results = [];
    for (let i = 0; i < definitions.length; i++) {
      try {
        await mermaid.parse(definitions[i]);
        const { svg } = await mermaid.render("diagram" + i, definitions[i]);
        results.push({ svg });
      } catch (e) {
        results.push({ error: String((e && e.message) || e) });
      }
    }
    return results;
  };
</script></head><body><div id="out"></div></body></html>`;

/** Serves the page and mermaid's browser bundle on a free loopback port. */
async function serve(): Promise<{ url: string; close: () => Promise<void> }> {
    const bundle = fs.readFileSync(require.resolve("mermaid/dist/mermaid.min.js"));
    const server = http.createServer((req, res) => {
        if (req.url === "/") {
            res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
        } else if (req.url === "/mermaid.min.js") {
            res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
        } else {
            res.writeHead(404).end();
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}/`,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}

/** A Chromium page with mermaid loaded, for `fn`; everything is closed afterwards. */
export async function withMermaidPage<T>(fn: (page: Page) => Promise<T>, executablePath = findChromium()): Promise<T> {
    if (!executablePath) throw new Error("no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)");
    const site = await serve();
    let browser: Browser | undefined;
    try {
        browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
        const page = await browser.newPage({ deviceScaleFactor: 1.5 });
        const pageErrors: string[] = [];
        page.on("pageerror", (e) => pageErrors.push(e.message));
        // Only the loopback page and its bundle: the render must not depend on the network.
        await page.route("**/*", (route) => (route.request().url().startsWith(site.url) ? route.continue() : route.abort()));
        await page.goto(site.url);
        await page.waitForFunction(() => typeof (globalThis as any).renderAll === "function", undefined, { timeout: 30_000 });
        if (pageErrors.length) throw new Error(`the mermaid page failed to load: ${pageErrors.join("; ")}`);
        return await fn(page);
    } finally {
        await browser?.close();
        await site.close();
    }
}

/** Renders each definition with mermaid; a definition mermaid rejects gets its error, never an SVG. */
export function renderAll(page: Page, definitions: string[]): Promise<Rendered[]> {
    return page.evaluate((defs) => (globalThis as any).renderAll(defs), definitions);
}

/** Draws one rendered SVG on the page and saves it as a PNG. */
export async function screenshotSvg(page: Page, svg: string, file: string): Promise<void> {
    // Runs in the page (the project compiles without the DOM library, hence `any`).
    await page.evaluate((markup) => {
        const out = (globalThis as any).document.getElementById("out");
        out.innerHTML = markup;
        // mermaid sizes the SVG as width 100% with a max-width; draw it at that natural width.
        const el = out.querySelector("svg");
        el.style.width = el.style.maxWidth || `${el.viewBox.baseVal.width}px`;
    }, svg);
    await page.locator("#out").screenshot({ path: file });
}
