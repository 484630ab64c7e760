/**
 * audit:migrate's settings (app/src/audit/migrateSettings.ts): the administrator's URL and the
 * server role's password may come from files (DATABASE_ADMIN_URL_FILE,
 * MCP_AUDIT_SERVER_PASSWORD_FILE), read with the server's *_FILE rules, so the local stack's
 * one-shot migrate container holds no credential in its environment.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { migrateSettings } from "../src/audit/migrateSettings";
import { ConfigError } from "../src/config";

describe("audit:migrate settings from files", () => {
    let dir: string;
    const file = (name: string, content: string, mode = 0o440) => {
        const f = path.join(dir, name);
        fs.writeFileSync(f, content);
        fs.chmodSync(f, mode);
        return f;
    };
    const refuses = (env: Record<string, string>, pattern: RegExp) =>
        assert.throws(
            () => migrateSettings(env),
            (e: unknown) => e instanceof ConfigError && pattern.test(e.message),
        );

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-migrate-settings-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reads DATABASE_ADMIN_URL_FILE and MCP_AUDIT_SERVER_PASSWORD_FILE (0440: no warning)", () => {
        const s = migrateSettings({
            DATABASE_ADMIN_URL_FILE: file("admin-url", "postgres://mcp_admin:adm1n@mcp-audit:5432/mcp_audit?sslmode=disable\n"),
            DATABASE_SSL: "disable",
            MCP_AUDIT_SERVER_ROLE: "mcp_server",
            MCP_AUDIT_SERVER_PASSWORD_FILE: file("server-password", "s3rver\n"),
        });
        assert.equal(s.db.kind, "postgres");
        assert.equal(s.db.kind === "postgres" && new URL(s.db.url).username, "mcp_admin");
        assert.equal(s.db.kind === "postgres" && new URL(s.db.url).password, "adm1n");
        assert.deepEqual([s.role, s.password, s.warnings], ["mcp_server", "s3rver", []]);
    });

    it("prefers the administrator's URL over DATABASE_URL_FILE of the same environment", () => {
        const s = migrateSettings({
            DATABASE_URL_FILE: file("server-url", "postgres://mcp_server:x@db/mcp"),
            DATABASE_ADMIN_URL_FILE: file("admin-url-2", "postgres://mcp_admin:y@db/mcp"),
            DATABASE_SSL: "disable",
        });
        assert.equal(s.db.kind === "postgres" && new URL(s.db.url).username, "mcp_admin");
    });

    it("falls back to DATABASE_URL without an administrator's URL", () => {
        const s = migrateSettings({ DATABASE_URL: "postgres://owner:z@db/mcp", DATABASE_SSL: "disable" });
        assert.equal(s.db.kind === "postgres" && new URL(s.db.url).username, "owner");
        assert.equal(s.password, undefined);
    });

    it("refuses a variable set twice, a world-writable or missing file, and warns about a world-readable one", () => {
        refuses(
            { DATABASE_ADMIN_URL: "postgres://a:b@db/mcp", DATABASE_ADMIN_URL_FILE: file("admin-url-3", "postgres://a:b@db/mcp") },
            /Set DATABASE_ADMIN_URL or DATABASE_ADMIN_URL_FILE, not both/,
        );
        refuses(
            { DATABASE_ADMIN_URL_FILE: file("admin-url-666", "postgres://a:b@db/mcp", 0o666) },
            /DATABASE_ADMIN_URL_FILE=.* is world-writable/,
        );
        refuses(
            { MCP_AUDIT_SERVER_PASSWORD_FILE: path.join(dir, "absent") },
            /MCP_AUDIT_SERVER_PASSWORD_FILE=.*absent cannot be read: ENOENT/,
        );
        refuses({ MCP_AUDIT_SERVER_PASSWORD_FILE: file("empty", "\n") }, /MCP_AUDIT_SERVER_PASSWORD_FILE=.* is empty/);
        const s = migrateSettings({
            DATABASE_ADMIN_URL_FILE: file("admin-url-644", "postgres://a:b@db/mcp", 0o644),
            DATABASE_SSL: "disable",
        });
        assert.equal(s.warnings.length, 1);
        assert.match(s.warnings[0], /DATABASE_ADMIN_URL_FILE=.*admin-url-644 is readable by every user \(mode 0644\)/);
    });
});
