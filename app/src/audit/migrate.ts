import { ConfigError, maskUrl } from "../config";
import { migrateSettings } from "./migrateSettings";
import { SCHEMA_VERSION, openAuditStore } from "./store";

/**
 * `npm run audit:migrate`: the one step that holds the database administrator's credentials.
 * Creates or upgrades the audit schema and makes MCP_AUDIT_SERVER_ROLE the server's append-only
 * role (SELECT + INSERT on the log, the head moved forward only; no UPDATE, DELETE or TRUNCATE).
 * Deployments run it as a one-shot job before the replicas start (an init container on ECS and
 * Container Apps, a Cloud Run job, a one-shot container locally); the replicas never get these
 * credentials, and run with MCP_AUDIT_MIGRATE=off.
 *
 * Environment: DATABASE_ADMIN_URL or DATABASE_ADMIN_URL_FILE (else DATABASE_URL[_FILE]),
 * MCP_AUDIT_SERVER_ROLE, and MCP_AUDIT_SERVER_PASSWORD or MCP_AUDIT_SERVER_PASSWORD_FILE to create
 * the role or set its password (see ./migrateSettings.ts). Exit status: 0 done, 2 failed (the message says why).
 */
async function main(): Promise<number> {
    const { db, role, password, warnings } = migrateSettings(process.env);
    for (const w of warnings) process.stderr.write(`audit:migrate: warning: ${w}\n`);
    if (role !== undefined && db.kind !== "postgres")
        throw new ConfigError("MCP_AUDIT_SERVER_ROLE needs DATABASE_URL (PostgreSQL): the embedded store has no roles");
    const store = await openAuditStore(db, { migrate: false });
    try {
        await store.migrate({ serverRole: role, serverPassword: password });
        const where = db.kind === "postgres" ? maskUrl(db.url) : db.dataDir;
        process.stdout.write(
            `audit schema at version ${SCHEMA_VERSION} in ${where}${role ? `; ${role} is the append-only server role` : ""}\n`,
        );
        return 0;
    } finally {
        await store.close();
    }
}

main().then(
    (code) => process.exit(code),
    (err: Error) => {
        process.stderr.write(`audit:migrate: ${err instanceof ConfigError ? "configuration error: " : ""}${err.message}\n`);
        process.exit(2);
    },
);
