/**
 * What the bundled server's per-request logging costs, bound as chained pino children (one per
 * fact learned: request id, then client, then traceparent) against bound in place on the
 * request's own child (`setBindings`), side by side in one run. Same logger as the server
 * (app/src/logger.ts: redaction, ISO time, level label), lines to /dev/null through the same
 * buffered destination, one "request" line per request.
 *
 *   npx ts-node --transpile-only bench/log-bindings.ts
 */
import { once } from "node:events";
import pino, { type Logger } from "pino";
import { createLogger } from "../app/src/logger";

const N = 20_000;
const ROUNDS = 7;
const dest = pino.destination({ dest: "/dev/null", sync: false, minLength: 4096 });
const root = createLogger("info", dest);
const requestLine = (l: Logger) => l.info({ method: "POST", rpc: "tools/call", status: 200, ms: 1.2 }, "request");
const reqId = "4bf92f35-77b3-4da6-a3ce-929d0e0e4736";
const client = "key:0123456789abcdef";
const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

const patterns: [string, () => void][] = [
    ["chained children (before)", () => requestLine(root.child({ reqId }).child({ client }).child({ traceparent }))],
    [
        "setBindings on the request's child (now)",
        () => {
            const l = root.child({ reqId });
            l.setBindings({ client });
            l.setBindings({ traceparent });
            requestLine(l);
        },
    ],
    ["reference: one child, all bindings at once", () => requestLine(root.child({ reqId, client, traceparent }))],
];

function microsPerRequest(f: () => void): number {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) f();
    return Number(process.hrtime.bigint() - t0) / 1e3 / N;
}

async function main(): Promise<void> {
    await once(dest, "ready"); // the file is open: every write below is a real one
    const results = patterns.map(([name, f]) => {
        microsPerRequest(f); // warm-up
        const runs = Array.from({ length: ROUNDS }, () => microsPerRequest(f)).sort((a, b) => a - b);
        return { name, median: runs[Math.floor(ROUNDS / 2)], min: runs[0], max: runs[ROUNDS - 1] };
    });
    console.log(`per-request logging, ${N} requests x ${ROUNDS} rounds (median, min-max of rounds), Node ${process.version}`);
    for (const r of results)
        console.log(`${r.name.padEnd(44)} ${r.median.toFixed(2).padStart(6)} µs  (${r.min.toFixed(2)}-${r.max.toFixed(2)})`);
    console.log(`saved per request: ${(results[0].median - results[1].median).toFixed(2)} µs`);
    dest.flushSync();
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
