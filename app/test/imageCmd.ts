import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The Node flags app/Dockerfile's `CMD ["node", <flags>, "dist/main.js"]` starts the server with,
 * so that the image test and bench/server-protocol.ts run the server as the image does.
 */
export function imageNodeFlags(dockerfile = fs.readFileSync(path.resolve(__dirname, "..", "Dockerfile"), "utf8")): string[] {
    const line = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    if (line === undefined) throw new Error("app/Dockerfile has no exec-form CMD line");
    const cmd = JSON.parse(line) as unknown;
    if (!Array.isArray(cmd) || cmd[0] !== "node" || cmd[cmd.length - 1] !== "dist/main.js")
        throw new Error(`app/Dockerfile's CMD must be ["node", <flags>, "dist/main.js"], found ${line}`);
    return cmd.slice(1, -1) as string[];
}
