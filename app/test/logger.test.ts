import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { loadConfig, ConfigError } from "../src/config";

/** Runs a script in a child Node (the built logger, dist/) and collects its stdout with arrival times. */
function runChild(
    script: string,
): Promise<{ lines: { at: number; line: string }[]; code: number | null; closedAt: number; stderr: string }> {
    return new Promise((resolve, reject) => {
        const started = Date.now();
        const child = spawn(process.execPath, ["-e", script], { cwd: path.resolve(__dirname, ".."), stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
        const lines: { at: number; line: string }[] = [];
        let rest = "";
        child.stdout.on("data", (chunk: Buffer) => {
            const parts = (rest + chunk.toString("utf8")).split("\n");
            rest = parts.pop() ?? "";
            for (const line of parts) lines.push({ at: Date.now() - started, line });
        });
        child.on("error", reject);
        child.on("close", (code) => resolve({ lines, code, closedAt: Date.now() - started, stderr }));
    });
}

describe("app logs on stdout: buffered by default, LOG_SYNC=true for one write per line", function () {
    this.timeout(30_000);
    const logger = JSON.stringify(path.resolve(__dirname, "../src/logger.ts"));
    const preamble = `require("ts-node").register({ transpileOnly: true, project: ${JSON.stringify(path.resolve(__dirname, "../tsconfig.json"))} }); const { createLogger } = require(${logger});`;

    it("a buffered line under light load is written within the flush interval, not held until 4 KB", async () => {
        // One line, then 1.5 s of idling before the exit: the line must arrive well before the exit.
        const r = await runChild(
            `${preamble} const log = createLogger("info"); setTimeout(() => { log.info("lonely line"); setTimeout(() => process.exit(0), 1500); }, 200);`,
        );
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.lines.length, 1, JSON.stringify(r.lines));
        assert.match(r.lines[0].line, /lonely line/);
        // Held in the buffer until exit, it would arrive with the exit; flushed by the timer, over a second before it.
        assert.ok(r.closedAt - r.lines[0].at > 1000, `line at ${r.lines[0].at} ms, exit at ${r.closedAt} ms`);
    });

    it("every line logged before process.exit reaches stdout (pino flushes the buffer at exit)", async () => {
        const r = await runChild(
            `${preamble} const log = createLogger("info"); for (let i = 0; i < 5000; i++) log.info({ i }, "line"); process.exit(0);`,
        );
        assert.equal(r.code, 0);
        const seen = r.lines.map((l) => JSON.parse(l.line).i as number);
        assert.equal(seen.length, 5000);
        assert.deepEqual(seen.slice(0, 3), [0, 1, 2]);
        assert.equal(seen[4999], 4999);
    });

    it("buffers: 2,000 short lines leave the process in far fewer writes than lines", async () => {
        // Counting write(2) calls from inside: wrap fs.writeSync / fs.write, which sonic-boom uses.
        const count = (sync: boolean) =>
            runChild(
                `const fs = require("fs"); let writes = 0; for (const k of ["write", "writeSync"]) { const f = fs[k]; fs[k] = function (fd, ...a) { if (fd === 1) writes++; return f.call(this, fd, ...a); }; } ${preamble} const log = createLogger("info", undefined, ${sync}); for (let i = 0; i < 2000; i++) log.info({ i }, "line"); setTimeout(() => { process.stderr.write("WRITES " + writes + "\\n"); process.exit(0); }, 600);`,
            );
        const [buffered, synced] = await Promise.all([count(false), count(true)]);
        const writes = (r: { stderr: string }) => Number(/WRITES (\d+)/.exec(r.stderr)?.[1] ?? NaN);
        assert.equal(buffered.lines.length, 2000, buffered.stderr);
        assert.equal(synced.lines.length, 2000, synced.stderr);
        assert.ok(writes(synced) >= 2000, synced.stderr);
        // ~80-byte lines, 4 KB per write: about 40 writes; allow for partial writes and the timer.
        assert.ok(writes(buffered) <= 200, `buffered: ${writes(buffered)} writes for 2000 lines`);
        console.log(`      writes to stdout for 2,000 lines: buffered ${writes(buffered)}, LOG_SYNC=true ${writes(synced)}`);
    });

    it("LOG_SYNC takes true or false and names itself otherwise", () => {
        assert.equal(loadConfig({ MCP_DATA_DIR: "memory" }).logSync, false);
        assert.equal(loadConfig({ MCP_DATA_DIR: "memory", LOG_SYNC: "true" }).logSync, true);
        assert.throws(
            () => loadConfig({ MCP_DATA_DIR: "memory", LOG_SYNC: "yes" }),
            (e: Error) => e instanceof ConfigError && /LOG_SYNC must be "true" or "false", got "yes"/.test(e.message),
        );
    });
});
