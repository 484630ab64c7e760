import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, maskUrl, parseDatabase } from "../config";
import { openAuditStore } from "./store";

/**
 * `npm run audit:verify`: checks the audit chain in the database the server is configured with
 * (DATABASE_URL, or the embedded store in MCP_DATA_DIR while the server is stopped).
 * Exit status: 0 intact, 1 broken (the first bad entry is named), 2 could not check.
 */
async function main(): Promise<number> {
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
    const result = await store.verify();
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (result.ok) {
      process.stdout.write(`audit chain intact: ${result.checked} entries, head at ${result.headSeq} (${where})\n`);
      return 0;
    }
    process.stdout.write(`audit chain BROKEN at entry ${result.firstBad!.seq}: ${result.firstBad!.reason} (${where})\n`);
    return 1;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`audit:verify: ${err instanceof ConfigError ? "configuration error: " : ""}${err.message}\n`);
    process.exit(2);
  },
);
