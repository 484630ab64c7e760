import * as fs from "node:fs";
import * as path from "node:path";

export const SERVER_NAME = "mcp-infra-server";

/** The package version, read from app/package.json (one level above src/ and dist/). */
export const SERVER_VERSION: string = (() => {
    try {
        const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { version?: string };
        return pkg.version ?? "0.0.0";
    } catch {
        return "0.0.0";
    }
})();
