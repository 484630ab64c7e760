import { createHash, timingSafeEqual } from "node:crypto";
import * as fs from "node:fs";
import { ConfigError } from "../errors";

/** Raw keys shorter than this are refused as guessable. */
export const MIN_KEY_LENGTH = 16;

export function sha256Hex(s: string): string {
    return createHash("sha256").update(s).digest("hex");
}

/** Short stable client id derived from the key's hash (never from the key itself). */
export function clientIdForKeyHash(hashHex: string): string {
    return `key-${sha256Hex(`mcp-client-id:${hashHex}`).slice(0, 12)}`;
}

interface KeyEntry {
    hash: Buffer;
    clientId: string;
}

/** Parses one configured entry: a raw key or `sha256:<64 hex>`; the error never echoes the value. */
function parseEntry(entry: string, where: string): KeyEntry {
    let hex: string;
    if (entry.startsWith("sha256:")) {
        hex = entry.slice(7).toLowerCase();
        if (!/^[0-9a-f]{64}$/.test(hex)) throw new ConfigError(`${where}: "sha256:" must be followed by 64 hex digits`);
    } else {
        if (entry.length < MIN_KEY_LENGTH || /\s/.test(entry)) {
            throw new ConfigError(`${where}: an API key must be at least ${MIN_KEY_LENGTH} characters without spaces (or sha256:<hex>)`);
        }
        hex = sha256Hex(entry);
    }
    return { hash: Buffer.from(hex, "hex"), clientId: clientIdForKeyHash(hex) };
}

/** Checks MCP_API_KEYS entries (throws a ConfigError naming the bad entry); returns them unchanged. */
export function validateKeyEntries(entries: string[]): string[] {
    entries.forEach((e, i) => parseEntry(e, `MCP_API_KEYS entry ${i + 1}`));
    return entries;
}

/** Reads a mounted secret file: one entry per line; blank lines and # comments ignored. */
function readKeyFile(file: string): KeyEntry[] {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new ConfigError(`MCP_API_KEYS_FILE ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
    }
    const out: KeyEntry[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
        const t = line.trim();
        if (t !== "" && !t.startsWith("#")) out.push(parseEntry(t, `MCP_API_KEYS_FILE line ${i + 1}`));
    });
    return out;
}

/**
 * The set of valid API keys, held as SHA-256 hashes. Several keys are valid at once so a key
 * can be rotated with overlap: add the new key, move clients, remove the old one. The key file
 * is re-read by `reload()` (on SIGHUP, and by `watch()` when the file changes).
 */
export class KeyRing {
    private fileEntries: KeyEntry[] = [];
    private readonly inline: KeyEntry[];
    private fileStamp = "";
    private timer?: NodeJS.Timeout;

    constructor(
        inline: readonly string[],
        private readonly file?: string,
    ) {
        this.inline = inline.map((e, i) => parseEntry(e, `MCP_API_KEYS entry ${i + 1}`));
        if (file !== undefined) this.reload();
    }

    get hasFile(): boolean {
        return this.file !== undefined;
    }

    get size(): number {
        return this.inline.length + this.fileEntries.length;
    }

    /** Re-reads the key file; throws (keeping the previous keys) when it is invalid. */
    reload(): boolean {
        if (this.file === undefined) return false;
        const stat = fs.statSync(this.file, { throwIfNoEntry: false });
        const stamp = stat === undefined ? "missing" : `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
        const entries = readKeyFile(this.file);
        const changed = stamp !== this.fileStamp;
        this.fileEntries = entries;
        this.fileStamp = stamp;
        return changed;
    }

    /** Polls the key file for changes (mounted secrets are updated in place). */
    watch(intervalMs: number, onResult: (err: Error | undefined, changed: boolean) => void): void {
        if (this.file === undefined || this.timer !== undefined) return;
        this.timer = setInterval(() => {
            const stat = fs.statSync(this.file!, { throwIfNoEntry: false });
            const stamp = stat === undefined ? "missing" : `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
            if (stamp === this.fileStamp) return;
            try {
                onResult(undefined, this.reload());
            } catch (err) {
                this.fileStamp = stamp; // report a bad file once, not every interval
                onResult(err as Error, false);
            }
        }, intervalMs);
        this.timer.unref();
    }

    stop(): void {
        if (this.timer !== undefined) clearInterval(this.timer);
        this.timer = undefined;
    }

    /** The client id of a presented key, or undefined. Compares every hash in constant time. */
    match(presented: string): string | undefined {
        const hash = createHash("sha256").update(presented).digest();
        let found: string | undefined;
        for (const e of [...this.inline, ...this.fileEntries]) {
            if (timingSafeEqual(hash, e.hash) && found === undefined) found = e.clientId;
        }
        return found;
    }
}
