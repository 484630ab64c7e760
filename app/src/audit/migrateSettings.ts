import { DatabaseConfig, parseDatabase } from "../config";
import { resolveFileVars } from "../secretFiles";

type Env = Record<string, string | undefined>;

export interface MigrateSettings {
    db: DatabaseConfig;
    role?: string;
    password?: string;
    /** Credential files readable by every user (accepted, worth a log line). */
    warnings: string[];
}

/**
 * audit:migrate's environment: DATABASE_ADMIN_URL (else DATABASE_URL), MCP_AUDIT_SERVER_ROLE,
 * MCP_AUDIT_SERVER_PASSWORD. The two credentials may be given as files (`DATABASE_ADMIN_URL_FILE`,
 * `MCP_AUDIT_SERVER_PASSWORD_FILE`), read with the server's rules (../secretFiles.ts): setting a
 * variable and its file is an error, a missing, empty or world-writable file is refused.
 */
export function migrateSettings(source: Env): MigrateSettings {
    const { env, warnings } = resolveFileVars(source, ["DATABASE_ADMIN_URL", "MCP_AUDIT_SERVER_PASSWORD"]);
    const adminUrl = env.DATABASE_ADMIN_URL?.trim();
    // The administrator's URL stands in for DATABASE_URL (and any DATABASE_URL_FILE) of the same environment.
    const dbEnv: Env = adminUrl ? Object.assign(Object.create(env) as Env, { DATABASE_URL: adminUrl, DATABASE_URL_FILE: undefined }) : env;
    return {
        db: parseDatabase(dbEnv),
        role: env.MCP_AUDIT_SERVER_ROLE?.trim() || undefined,
        password: env.MCP_AUDIT_SERVER_PASSWORD || undefined,
        warnings,
    };
}
