/** Outcome of counting one request against a rate limit. */
export interface RateDecision {
    allowed: boolean;
    /** Requests left in the current window. */
    remaining: number;
    /** Seconds until the window resets (for Retry-After). */
    retryAfterSeconds: number;
}

export interface NoteInfo {
    key: string;
    expiresAt: Date;
}

export interface Note extends NoteInfo {
    value: string;
}

/**
 * Per-client state shared by all replicas (Redis) or kept in this process (bounded memory):
 * scratchpad notes with a TTL and rate-limit counters.
 */
export interface SessionStore {
    readonly backend: "redis" | "memory";
    /** Stores a note; "limit" when the client already holds the maximum number of notes. */
    putNote(clientId: string, key: string, value: string, ttlSeconds: number): Promise<"stored" | "limit">;
    getNote(clientId: string, key: string): Promise<Note | null>;
    listNotes(clientId: string): Promise<NoteInfo[]>;
    deleteNote(clientId: string, key: string): Promise<boolean>;
    /** Counts one request in `bucket` (fixed window starting at its first request). */
    hit(bucket: string, limit: number, windowSeconds: number): Promise<RateDecision>;
    /** Throws when the store cannot be reached. */
    ping(): Promise<void>;
    close(): Promise<void>;
}

/** Notes one client may hold at once. */
export const MAX_NOTES_PER_CLIENT = 100;
