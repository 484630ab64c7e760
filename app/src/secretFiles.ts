import * as fs from "node:fs";
import { X509Certificate } from "node:crypto";
import { ConfigError } from "./errors";

type Env = Record<string, string | undefined>;

/**
 * Variables that may be given as a file instead: `<NAME>_FILE=/run/secrets/x` reads the value
 * from that file at start (the convention of the official postgres and redis images), so a
 * secret never sits in the process environment an orchestrator shows, or on a command line.
 * MCP_API_KEYS_FILE is separate: one key per line, re-read on SIGHUP (see auth/apiKeys.ts).
 */
export const FILE_VARS = ["DATABASE_URL", "REDIS_URL", "DATABASE_CA_CERT", "REDIS_CA_CERT"] as const;

/** The ones that carry a credential: their files should not be readable by every user. */
const SECRETS: ReadonlySet<string> = new Set([
    "DATABASE_URL",
    "REDIS_URL",
    "MCP_API_KEYS",
    "DATABASE_ADMIN_URL",
    "MCP_AUDIT_SERVER_PASSWORD",
]);

export interface ConfigFile {
    text: string;
    /** Set when the file is readable by every user of the machine (allowed, but worth a log line). */
    warning?: string;
}

/**
 * Reads a file an environment variable names. Refused: a missing or unreadable file, anything but
 * a regular file, a world-writable file (anyone on the host could swap the value), an empty file
 * (a secret mount that failed). A world-readable credential file is accepted with a warning:
 * Docker and Kubernetes secret mounts are often 0444 inside a single-user container.
 */
export function readConfigFile(variable: string, file: string, secret: boolean): ConfigFile {
    let stat: fs.Stats;
    let text: string;
    try {
        stat = fs.statSync(file);
        if (!stat.isFile()) throw new ConfigError(`${variable}=${file} is not a regular file`);
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        if (err instanceof ConfigError) throw err;
        throw new ConfigError(`${variable}=${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const mode = (stat.mode & 0o777).toString(8).padStart(4, "0");
    if ((stat.mode & 0o002) !== 0) {
        throw new ConfigError(`${variable}=${file} is world-writable (mode ${mode}): anyone on the host could replace it; chmod o-w it`);
    }
    if (text.trim() === "") throw new ConfigError(`${variable}=${file} is empty`);
    const warning =
        secret && (stat.mode & 0o004) !== 0
            ? `${variable}=${file} is readable by every user (mode ${mode}); 0400 or 0440 keeps the secret to the server's user`
            : undefined;
    return { text, warning };
}

/**
 * A copy of `env` where each `<NAME>_FILE` of `names` is replaced by `<NAME>` holding the file's
 * text (surrounding whitespace trimmed). Setting both `<NAME>` and `<NAME>_FILE` is an error.
 */
export function resolveFileVars(env: Env, names: readonly string[] = FILE_VARS): { env: Env; warnings: string[] } {
    // An overlay, not a copy: names nobody asks for are never read (test/contract.test.ts counts the reads).
    const out = Object.create(env) as Env;
    const warnings: string[] = [];
    for (const name of names) {
        const file = env[`${name}_FILE`]?.trim();
        if (file === undefined || file === "") continue;
        if ((env[name] ?? "").trim() !== "") throw new ConfigError(`Set ${name} or ${name}_FILE, not both`);
        const read = readConfigFile(`${name}_FILE`, file, SECRETS.has(name));
        out[name] = read.text.trim();
        out[`${name}_FILE`] = undefined;
        if (read.warning) warnings.push(read.warning);
    }
    return { env: out, warnings };
}

/** Every certificate of a PEM bundle; throws a ConfigError naming `variable` when it holds none or a bad one. */
export function parsePemBundle(variable: string, pem: string): X509Certificate[] {
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) {
        throw new ConfigError(`${variable} must hold PEM certificates (-----BEGIN CERTIFICATE----- ...)`);
    }
    return blocks.map((b, i) => {
        try {
            return new X509Certificate(b);
        } catch (err) {
            throw new ConfigError(`${variable}: certificate ${i + 1} of ${blocks.length} cannot be parsed (${(err as Error).message})`);
        }
    });
}
