import { MAX_NOTES_PER_CLIENT, type Note, type NoteInfo, type RateDecision, type SessionStore } from "./store";

interface Slot<T> {
    value: T;
    expiresAt: number;
}

/** A Map bounded by entry count, evicting the least recently used entry, with per-entry TTL. */
export class LruTtlMap<T> {
    private readonly map = new Map<string, Slot<T>>();

    constructor(
        private readonly maxEntries: number,
        private readonly onEvict?: (key: string) => void,
    ) {}

    get size(): number {
        return this.map.size;
    }

    get(key: string, now = Date.now()): Slot<T> | undefined {
        const slot = this.map.get(key);
        if (slot === undefined) return undefined;
        if (slot.expiresAt <= now) {
            this.delete(key);
            return undefined;
        }
        this.map.delete(key); // move to most recently used
        this.map.set(key, slot);
        return slot;
    }

    set(key: string, value: T, expiresAt: number): void {
        this.map.delete(key);
        this.map.set(key, { value, expiresAt });
        while (this.map.size > this.maxEntries) {
            const oldest = this.map.keys().next().value as string;
            this.delete(oldest);
        }
    }

    delete(key: string): boolean {
        const had = this.map.delete(key);
        if (had) this.onEvict?.(key);
        return had;
    }
}

export interface MemorySessionStoreOptions {
    /** Notes kept in this process across all clients. @default 10000 */
    maxNotes?: number;
    /** Rate-limit windows kept at once. @default 50000 */
    maxBuckets?: number;
    /** @default MAX_NOTES_PER_CLIENT */
    maxNotesPerClient?: number;
}

const SEP = "\u0000";

/**
 * In-process session store for single-replica and development use: bounded in size, every
 * entry has a TTL, and nothing is shared between replicas (each counts its own rate limits).
 */
export class MemorySessionStore implements SessionStore {
    readonly backend = "memory" as const;
    private readonly perClient = new Map<string, Set<string>>();
    private readonly notes: LruTtlMap<string>;
    private readonly buckets: LruTtlMap<number>;
    private readonly maxPerClient: number;

    constructor(opts: MemorySessionStoreOptions = {}) {
        this.maxPerClient = opts.maxNotesPerClient ?? MAX_NOTES_PER_CLIENT;
        this.notes = new LruTtlMap<string>(opts.maxNotes ?? 10_000, (k) => this.forget(k));
        this.buckets = new LruTtlMap<number>(opts.maxBuckets ?? 50_000);
    }

    private forget(compound: string): void {
        const [clientId, key] = compound.split(SEP);
        const keys = this.perClient.get(clientId);
        keys?.delete(key);
        if (keys?.size === 0) this.perClient.delete(clientId);
    }

    /** Drops the client's expired notes so they do not count against its limit. */
    private live(clientId: string, now: number): string[] {
        const keys = [...(this.perClient.get(clientId) ?? [])];
        return keys.filter((k) => this.notes.get(clientId + SEP + k, now) !== undefined);
    }

    async putNote(clientId: string, key: string, value: string, ttlSeconds: number): Promise<"stored" | "limit"> {
        const now = Date.now();
        const live = this.live(clientId, now);
        if (!live.includes(key) && live.length >= this.maxPerClient) return "limit";
        this.notes.set(clientId + SEP + key, value, now + ttlSeconds * 1000);
        let keys = this.perClient.get(clientId);
        if (keys === undefined) this.perClient.set(clientId, (keys = new Set()));
        keys.add(key);
        return "stored";
    }

    async getNote(clientId: string, key: string): Promise<Note | null> {
        const slot = this.notes.get(clientId + SEP + key);
        return slot === undefined ? null : { key, value: slot.value, expiresAt: new Date(slot.expiresAt) };
    }

    async listNotes(clientId: string): Promise<NoteInfo[]> {
        const now = Date.now();
        return this.live(clientId, now)
            .sort()
            .map((key) => ({ key, expiresAt: new Date(this.notes.get(clientId + SEP + key, now)!.expiresAt) }));
    }

    async deleteNote(clientId: string, key: string): Promise<boolean> {
        return this.notes.get(clientId + SEP + key) !== undefined && this.notes.delete(clientId + SEP + key);
    }

    async hit(bucket: string, limit: number, windowSeconds: number): Promise<RateDecision> {
        const now = Date.now();
        const slot = this.buckets.get(bucket, now);
        const count = (slot?.value ?? 0) + 1;
        const resetAt = slot?.expiresAt ?? now + windowSeconds * 1000;
        this.buckets.set(bucket, count, resetAt);
        return {
            allowed: count <= limit,
            remaining: Math.max(0, limit - count),
            retryAfterSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)),
        };
    }

    async ping(): Promise<void> {}

    async close(): Promise<void> {}
}
