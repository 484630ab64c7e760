/**
 * Secrets from files (`<NAME>_FILE`, as Docker and Kubernetes mount them): the server reads
 * DATABASE_URL_FILE, REDIS_URL_FILE, the CA files and MCP_API_KEYS_FILE at start, refuses a
 * missing, empty, non-regular or world-writable file with an error naming the variable, and
 * warns about a world-readable credential file.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, loadConfig } from "../src/config";
import { FILE_VARS, resolveFileVars } from "../src/secretFiles";
import { bearer, connect, freshDatabase, randomKey, REDIS_URL, spawnServer, stopChild, structured } from "./helpers";

describe("secrets from files (*_FILE)", function () {
    this.timeout(90_000);
    let dir: string;
    const file = (name: string, content: string, mode = 0o600) => {
        const f = path.join(dir, name);
        fs.writeFileSync(f, content, { mode });
        fs.chmodSync(f, mode); // writeFileSync's mode is filtered by the umask
        return f;
    };
    const rejects = (env: Record<string, string>, pattern: RegExp) =>
        assert.throws(
            () => loadConfig({ MCP_ALLOW_UNAUTHENTICATED: "true", ...env }),
            (e: unknown) => e instanceof ConfigError && pattern.test(e.message),
        );

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-secret-files-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reads DATABASE_URL_FILE and REDIS_URL_FILE (trailing newline trimmed); no warning for 0600 files", () => {
        const c = loadConfig({
            DATABASE_URL_FILE: file("db-url", "postgres://mcp:s3cret@db.internal:5432/mcp\n"),
            REDIS_URL_FILE: file("redis-url", "rediss://:t0ken@cache.internal:6380\n"),
            MCP_API_KEYS_FILE: file("keys", `# clients\n${randomKey()}\n`),
        });
        assert.equal(c.database.kind === "postgres" && c.database.url, "postgres://mcp:s3cret@db.internal:5432/mcp");
        assert.equal(c.redisUrl, "rediss://:t0ken@cache.internal:6380");
        assert.deepEqual(c.warnings, []);
    });

    it("reads REDIS_CA_CERT_FILE and DATABASE_CA_CERT_FILE (the CA files need no secrecy: 0644 gives no warning)", () => {
        const pem = fs.readFileSync(path.join(__dirname, "..", "certs", "azure-postgres-roots.pem"), "utf8");
        const c = loadConfig({
            MCP_ALLOW_UNAUTHENTICATED: "true",
            DATABASE_URL: "postgres://h/db",
            DATABASE_SSL: "verify-full",
            DATABASE_CA_CERT_FILE: file("db-ca.pem", pem, 0o644),
            REDIS_URL: "rediss://cache:6380",
            REDIS_CA_CERT_FILE: file("redis-ca.pem", pem, 0o644),
        });
        assert.equal(c.database.kind === "postgres" && c.database.ca, pem.trim());
        assert.equal(c.redisCaCert, pem.trim());
        assert.deepEqual(c.warnings, []);
    });

    it("warns (does not refuse) when a credential file is readable by every user", () => {
        const c = loadConfig({ MCP_ALLOW_UNAUTHENTICATED: "true", DATABASE_URL_FILE: file("db-url-644", "postgres://u:p@h/db", 0o644) });
        assert.equal(c.warnings?.length, 1);
        assert.match(c.warnings![0], /DATABASE_URL_FILE=.*db-url-644 is readable by every user \(mode 0644\)/);
    });

    it("refuses a missing file, an empty one, a directory and a world-writable one, naming the variable", () => {
        for (const name of [...FILE_VARS, "MCP_API_KEYS"]) {
            rejects({ [`${name}_FILE`]: path.join(dir, "nope") }, new RegExp(`^${name}_FILE=.*nope cannot be read: ENOENT`));
        }
        rejects({ DATABASE_URL_FILE: file("empty", "\n\n") }, /^DATABASE_URL_FILE=.*empty is empty$/);
        rejects({ REDIS_URL_FILE: dir }, /^REDIS_URL_FILE=.* is not a regular file$/);
        rejects(
            { MCP_API_KEYS_FILE: file("keys-666", `${randomKey()}\n`, 0o666) },
            /^MCP_API_KEYS_FILE=.*keys-666 is world-writable \(mode 0666\)/,
        );
        rejects({ DATABASE_URL_FILE: file("db-666", "postgres://h/db", 0o666) }, /^DATABASE_URL_FILE=.* is world-writable/);
    });

    it("refuses an MCP_API_KEYS_FILE with no key at start (a secret mount that came up empty)", () => {
        rejects({ MCP_API_KEYS_FILE: file("keys-empty", "") }, /^MCP_API_KEYS_FILE=.* is empty$/);
        rejects(
            { MCP_API_KEYS_FILE: file("keys-comments", "# rotated out\n\n") },
            /^MCP_API_KEYS_FILE=.* holds no key \(only blank lines and # comments\)$/,
        );
    });

    it("refuses a value given both inline and as a file", () => {
        rejects(
            { DATABASE_URL: "postgres://h/db", DATABASE_URL_FILE: file("db-url-2", "postgres://h/db") },
            /^Set DATABASE_URL or DATABASE_URL_FILE, not both$/,
        );
        assert.throws(() => resolveFileVars({ REDIS_URL: "redis://h", REDIS_URL_FILE: "/x" }), /Set REDIS_URL or REDIS_URL_FILE, not both/);
    });

    it("a server started with only file paths in its environment reaches PostgreSQL and Redis and authenticates with the key file", async () => {
        const db = await freshDatabase();
        const key = randomKey();
        const env = {
            HOST: "127.0.0.1",
            DATABASE_URL_FILE: file("e2e-db-url", `${db.url}\n`),
            REDIS_URL_FILE: file("e2e-redis-url", `${REDIS_URL}\n`),
            MCP_API_KEYS_FILE: file("e2e-keys", `${key}\n`),
        };
        const server = await spawnServer(env);
        try {
            const environ = fs.readFileSync(`/proc/${server.child.pid}/environ`, "utf8").split("\0");
            assert.ok(
                !environ.some((v) => v.includes(key) || v.startsWith("DATABASE_URL=") || v.startsWith("REDIS_URL=")),
                "no secret in the process environment",
            );
            const client = await connect(server.url, bearer(key));
            const info = structured<{ storage: { audit: string; session: string } }>(
                await client.callTool({ name: "server_info", arguments: {} }),
            );
            await client.close();
            assert.deepEqual(info.storage, { audit: "postgres", session: "redis" });
        } finally {
            await stopChild(server.child, "SIGTERM");
            await db.drop();
        }
    });
});
