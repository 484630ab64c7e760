/**
 * Verified database TLS against a real PostgreSQL: a throwaway cluster of its own (initdb +
 * pg_ctl on a free loopback port, ssl=on, TLS-only pg_hba) with a server certificate from a CA
 * this test makes. The shared server on 5432 is not touched.
 *
 * verify-full connects with the right CA and refuses a certificate from another CA, a host name
 * the certificate does not name, and a private CA when only Node's public roots are trusted;
 * `require` (no verification) is shown to accept an impostor, which is why prod refuses it.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { openAuditStore } from "../src/audit/store";
import { postgresPoolConfig } from "../src/audit/drivers";
import { ConfigError, loadConfig, parseDatabase, type DatabaseConfig } from "../src/config";
import { freePort, LogCapture, startTestApp } from "./helpers";

/** The newest PostgreSQL server binaries on this machine (Debian layout). */
function pgBin(): string {
    const root = "/usr/lib/postgresql";
    const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb"))) : [];
    if (versions.length === 0)
        throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)");
    return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], "bin");
}

const isRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL tool; as root, as the postgres user (initdb and postgres refuse root). */
function pgRun(bin: string, tool: string, args: string[]): string {
    const [cmd, argv] = isRoot ? ["runuser", ["-u", "postgres", "--", path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
    return execFileSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

interface Pki {
    caPem: string;
    otherCaPem: string;
    certFile: string;
    keyFile: string;
}

/** A CA, a server certificate it signs for 127.0.0.1 and db.mcp.test, and a second, unrelated CA. */
function makePki(dir: string): Pki {
    const f = (n: string) => path.join(dir, n);
    const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
    for (const ca of ["ca", "other-ca"]) {
        ssl(
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            f(`${ca}.key`),
            "-out",
            f(`${ca}.pem`),
            "-days",
            "1",
            "-subj",
            `/CN=mcp-test-${ca}`,
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        );
    }
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=db.mcp.test");
    fs.writeFileSync(f("ext.cnf"), "subjectAltName=DNS:db.mcp.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    ssl(
        "x509",
        "-req",
        "-in",
        f("server.csr"),
        "-CA",
        f("ca.pem"),
        "-CAkey",
        f("ca.key"),
        "-CAcreateserial",
        "-out",
        f("server.pem"),
        "-days",
        "1",
        "-extfile",
        f("ext.cnf"),
    );
    fs.chmodSync(f("server.key"), 0o600);
    return {
        caPem: fs.readFileSync(f("ca.pem"), "utf8"),
        otherCaPem: fs.readFileSync(f("other-ca.pem"), "utf8"),
        certFile: f("server.pem"),
        keyFile: f("server.key"),
    };
}

/** Opens one connection the way the server does and reports whether it is encrypted. */
async function sslInUse(db: DatabaseConfig): Promise<boolean> {
    assert.equal(db.kind, "postgres");
    if (db.kind !== "postgres") throw new Error("unreachable");
    const client = new Client(postgresPoolConfig({ url: db.url, ssl: db.ssl, caFile: db.caFile, ca: db.ca }));
    try {
        await client.connect();
        const { rows } = await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
        return rows[0].ssl === true;
    } finally {
        await client.end().catch(() => undefined);
    }
}

describe("database TLS: verify-full against a throwaway PostgreSQL with a test CA", function () {
    this.timeout(120_000);
    let dir: string;
    let dataDir: string;
    let bin: string;
    let port: number;
    let pki: Pki;
    let started = false;
    const url = (host: string) => `postgres://postgres@${host}:${port}/postgres`;

    before(async () => {
        bin = pgBin();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-pg-tls-"));
        pki = makePki(dir);
        dataDir = path.join(dir, "data");
        if (isRoot) execFileSync("chown", ["-R", "postgres:postgres", dir]);
        pgRun(bin, "initdb", ["-D", dataDir, "-U", "postgres", "-A", "trust", "--no-sync"]);
        // TLS only: every TCP connection must be hostssl; plain TCP has no matching line and is refused.
        fs.writeFileSync(path.join(dataDir, "pg_hba.conf"), "local all all trust\nhostssl all all 127.0.0.0/8 trust\n");
        port = await freePort();
        const opts = [
            `-p ${port}`,
            "-c listen_addresses=127.0.0.1,127.0.0.2",
            `-c unix_socket_directories=${dir}`,
            "-c ssl=on",
            `-c ssl_cert_file=${pki.certFile}`,
            `-c ssl_key_file=${pki.keyFile}`,
            "-c ssl_min_protocol_version=TLSv1.2",
            "-c fsync=off",
            "-c max_connections=20",
        ].join(" ");
        pgRun(bin, "pg_ctl", ["-D", dataDir, "-l", path.join(dir, "server.log"), "-o", opts, "-w", "-t", "30", "start"]);
        started = true;
    });

    after(() => {
        try {
            if (started) pgRun(bin, "pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
        } finally {
            if (dir) fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("connects with verify-full and the right CA (DATABASE_CA_CERT), encrypted", async () => {
        const db = parseDatabase({
            DATABASE_URL: url("127.0.0.1"),
            DATABASE_SSL: "verify-full",
            DATABASE_CA_CERT: pki.caPem,
            MCP_TIER: "prod",
        });
        assert.equal(await sslInUse(db), true);
    });

    it("connects with the CA read from DATABASE_CA_CERT_FILE and sslmode=verify-full in the URL, and the audit store migrates over it", async () => {
        const caFile = path.join(dir, "ca-bundle.pem");
        fs.writeFileSync(caFile, pki.otherCaPem + pki.caPem); // a bundle: the right CA need not come first
        const db = parseDatabase({
            DATABASE_URL: `${url("127.0.0.1")}?sslmode=verify-full`,
            DATABASE_CA_CERT_FILE: caFile,
            MCP_TIER: "enterprise",
        });
        assert.equal(db.kind === "postgres" && db.ssl, "verify-full");
        const store = await openAuditStore(db);
        await store.close();
    });

    it("refuses a server whose certificate comes from another CA", async () => {
        const db = parseDatabase({ DATABASE_URL: url("127.0.0.1"), DATABASE_SSL: "verify-full", DATABASE_CA_CERT: pki.otherCaPem });
        await assert.rejects(sslInUse(db), /unable to (verify|get local issuer)|self[- ]signed/i);
    });

    it("refuses a host the certificate does not name (127.0.0.2: same server, same CA)", async () => {
        const db = parseDatabase({ DATABASE_URL: url("127.0.0.2"), DATABASE_SSL: "verify-full", DATABASE_CA_CERT: pki.caPem });
        await assert.rejects(sslInUse(db), (err: NodeJS.ErrnoException) => {
            assert.equal(err.code, "ERR_TLS_CERT_ALTNAME_INVALID");
            assert.match(err.message, /127\.0\.0\.2/);
            return true;
        });
    });

    it("refuses a host name the certificate does not name (localhost: resolves to the same server)", async () => {
        const db = parseDatabase({ DATABASE_URL: url("localhost"), DATABASE_SSL: "verify-full", DATABASE_CA_CERT: pki.caPem });
        await assert.rejects(sslInUse(db), (err: NodeJS.ErrnoException) => {
            assert.equal(err.code, "ERR_TLS_CERT_ALTNAME_INVALID");
            assert.match(err.message, /Host: localhost\. is not in the cert's altnames: DNS:db\.mcp\.test/);
            return true;
        });
    });

    it("refuses the private CA when only Node's public roots are trusted (verify-full without a CA)", async () => {
        const db = parseDatabase({ DATABASE_URL: url("127.0.0.1"), DATABASE_SSL: "verify-full" });
        await assert.rejects(sslInUse(db), /unable to (verify|get local issuer)|self[- ]signed/i);
    });

    it("plain TCP is refused by this server, so the passing cases above really ran over TLS", async () => {
        const db = parseDatabase({ DATABASE_URL: url("127.0.0.1"), DATABASE_SSL: "disable" });
        await assert.rejects(sslInUse(db), /no pg_hba\.conf entry.*no encryption/);
    });

    it("`require` accepts a certificate from any CA (no verification): dev only, refused on prod and enterprise", async () => {
        const config = loadConfig({ DATABASE_URL: url("127.0.0.2"), DATABASE_SSL: "require", MCP_ALLOW_UNAUTHENTICATED: "true" });
        assert.equal(await sslInUse(config.database), true);
        assert.ok(config.warnings?.some((w) => /DATABASE_SSL=require encrypts but does not verify/.test(w)));
        for (const tier of ["prod", "enterprise"]) {
            for (const env of [{ DATABASE_SSL: "require" }, { DATABASE_URL: `${url("127.0.0.1")}?sslmode=require` }]) {
                assert.throws(
                    () => parseDatabase({ DATABASE_URL: url("127.0.0.1"), ...env, MCP_TIER: tier }),
                    (e: unknown) =>
                        e instanceof ConfigError && new RegExp(`the ${tier} tier refuses: set DATABASE_SSL=verify-full`).test(e.message),
                );
            }
        }
    });

    it("the server starts against the database it can verify and refuses to start against one it cannot", async () => {
        const logs = new LogCapture();
        const app = await startTestApp(
            {
                DATABASE_URL: url("127.0.0.1"),
                DATABASE_SSL: "verify-full",
                DATABASE_CA_CERT: pki.caPem,
                MCP_TIER: "prod",
                MCP_ALLOW_UNAUTHENTICATED: "true",
            },
            logs,
        );
        try {
            const ready = await fetch(`${app.url}/ready`);
            assert.equal(ready.status, 200);
            const started = logs.records.find((r) => r.msg === "mcp server listening");
            assert.equal(started?.databaseTls, "verify-full");
            assert.equal(started?.audit, "postgres");
        } finally {
            await app.shutdown();
        }
        await assert.rejects(
            startTestApp({
                DATABASE_URL: url("127.0.0.2"),
                DATABASE_SSL: "verify-full",
                DATABASE_CA_CERT: pki.caPem,
                MCP_TIER: "prod",
                MCP_ALLOW_UNAUTHENTICATED: "true",
            }),
            /127\.0\.0\.2/,
        );
    });

    it("rejects a CA that is not a PEM certificate, and a CA without verify-full", () => {
        assert.throws(
            () => parseDatabase({ DATABASE_URL: url("127.0.0.1"), DATABASE_SSL: "verify-full", DATABASE_CA_CERT: "hello" }),
            /DATABASE_CA_CERT must hold PEM certificates/,
        );
        const broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert.throws(
            () => parseDatabase({ DATABASE_URL: url("127.0.0.1"), DATABASE_SSL: "verify-full", DATABASE_CA_CERT: pki.caPem + broken }),
            /DATABASE_CA_CERT: certificate 2 of 2 cannot be parsed/,
        );
        assert.throws(
            () => parseDatabase({ DATABASE_URL: url("127.0.0.1"), DATABASE_SSL: "require", DATABASE_CA_CERT: pki.caPem }),
            /DATABASE_CA_CERT is only used with DATABASE_SSL=verify-full/,
        );
    });
});
