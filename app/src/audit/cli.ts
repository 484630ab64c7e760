import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, maskUrl, parseAuditConfig, parseDatabase } from "../config";
import { openAnchorStore, type AnchorStore } from "./anchors";
import { verifyAgainstAnchors } from "./checkpoint";
import type { VerifyResult } from "./entry";
import { openAuditStore } from "./store";

const USAGE =
    "usage: audit:verify [--anchors <s3://bucket/prefix | gs://bucket/prefix | azblob://account/container/prefix | file:///dir | dir>]";

/**
 * `npm run audit:verify [-- --anchors <location>]`: checks the audit chain in the database the
 * server is configured with (DATABASE_URL, or the embedded store in MCP_DATA_DIR while the server
 * is stopped), reporting every break; with --anchors, also against every checkpoint there.
 * Exit status: 0 intact, 1 broken (every break is listed), 2 could not check.
 */
async function main(argv: string[]): Promise<number> {
    let anchorsAt: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--anchors" && argv[i + 1] !== undefined) anchorsAt = argv[++i];
        else if (argv[i].startsWith("--anchors=")) anchorsAt = argv[i].slice("--anchors=".length);
        else {
            process.stderr.write(`audit:verify: unknown argument "${argv[i].slice(0, 100)}"\n${USAGE}\n`);
            return 2;
        }
    }
    let anchors: AnchorStore | undefined;
    if (anchorsAt !== undefined) {
        const audit = parseAuditConfig(process.env);
        anchors = await openAnchorStore(anchorsAt, { s3Endpoint: audit.s3Endpoint, azureBlobEndpoint: audit.azureBlobEndpoint });
        await anchors.probe();
    }
    const db = parseDatabase(process.env);
    const where = db.kind === "postgres" ? maskUrl(db.url) : `embedded store in ${db.dataDir}`;
    if (db.kind === "embedded" && (db.dataDir === "memory" || !fs.existsSync(path.join(db.dataDir, "pglite")))) {
        process.stderr.write(`audit:verify: no embedded audit store in MCP_DATA_DIR=${db.dataDir} (set DATABASE_URL or MCP_DATA_DIR)\n`);
        return 2;
    }
    const store = await openAuditStore(db, { migrate: false });
    try {
        const tables = await store.driver.query("SELECT to_regclass('mcp_audit_log') AS log, to_regclass('mcp_audit_head') AS head");
        if (tables[0].log === null || tables[0].head === null) {
            process.stderr.write(`audit:verify: no audit log found in ${where}\n`);
            return 2;
        }
        const result: VerifyResult & { checkpoints?: number; anchoredSeq?: number } =
            anchors === undefined ? await store.verify() : await verifyAgainstAnchors(store, anchors);
        process.stdout.write(`${JSON.stringify(result)}\n`);
        const against =
            anchors === undefined ? "" : `, against ${result.checkpoints} checkpoints up to ${result.anchoredSeq} in ${anchors.location}`;
        for (const seq of result.outcomeUnknown)
            process.stdout.write(`outcome unknown: entry ${seq} (a state-changing call with no outcome entry)\n`);
        if (result.ok) {
            process.stdout.write(`audit chain intact: ${result.checked} entries, head at ${result.headSeq} (${where}${against})\n`);
            return 0;
        }
        for (const b of result.breaks) process.stdout.write(`break at entry ${b.seq} [${b.kind}]: ${b.reason}\n`);
        process.stdout.write(
            `audit chain BROKEN at entry ${result.firstBad!.seq}: ${result.firstBad!.reason} (${where}${against}; ${result.breaks.length} break(s))\n`,
        );
        return 1;
    } finally {
        await store.close();
    }
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
        process.stderr.write(`audit:verify: ${err instanceof ConfigError ? "configuration error: " : ""}${err.message}\n`);
        process.exit(2);
    },
);
