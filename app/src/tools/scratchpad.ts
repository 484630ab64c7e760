import { z } from "zod";
import { MAX_NOTES_PER_CLIENT } from "../session/store";
import { ToolError, defineTool, jsonResult, type ToolDefinition } from "./types";

/** Largest note value, in UTF-8 bytes. */
export const MAX_NOTE_BYTES = 4096;
/** Longest note lifetime: one day. */
export const MAX_NOTE_TTL_SECONDS = 86_400;

const key = z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, "must be 1-128 characters of letters, digits, '.', '_', ':' or '-'")
    .describe("Note name, unique per client");

const putNote = defineTool({
    name: "scratchpad_put",
    title: "Put a scratchpad note",
    description:
        `Stores a note for the calling client (replacing one with the same key) for ttlSeconds. Values up to ${MAX_NOTE_BYTES} bytes; ` +
        `at most ${MAX_NOTES_PER_CLIENT} notes per client. Notes are visible only to the client that stored them.`,
    schema: z.strictObject({
        key,
        value: z.string().describe(`Note text, at most ${MAX_NOTE_BYTES} bytes`),
        ttlSeconds: z.number().int().min(1).max(MAX_NOTE_TTL_SECONDS).default(3600).describe("Lifetime in seconds"),
    }),
    // Overwrites an existing note with the same key, so it is destructive but idempotent.
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    async run({ key, value, ttlSeconds }, { deps, clientId }) {
        const bytes = Buffer.byteLength(value);
        if (bytes > MAX_NOTE_BYTES) throw new ToolError(`value is ${bytes} bytes; the limit is ${MAX_NOTE_BYTES}`, "value_too_large");
        const stored = await deps.sessions.putNote(clientId, key, value, ttlSeconds);
        if (stored === "limit") {
            throw new ToolError(`this client already holds ${MAX_NOTES_PER_CLIENT} notes; delete one first`, "too_many_notes");
        }
        return jsonResult({ key, stored: true, expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString() });
    },
});

const getNote = defineTool({
    name: "scratchpad_get",
    title: "Get a scratchpad note",
    description: "Returns one of the calling client's notes by key.",
    schema: z.strictObject({ key }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run({ key }, { deps, clientId }) {
        const note = await deps.sessions.getNote(clientId, key);
        if (note === null) throw new ToolError(`no note "${key}" (it may have expired)`, "not_found");
        return jsonResult({ key, value: note.value, expiresAt: note.expiresAt.toISOString() });
    },
});

const listNotes = defineTool({
    name: "scratchpad_list",
    title: "List scratchpad notes",
    description: "Lists the calling client's notes (keys and expiry times, not values).",
    schema: z.strictObject({}),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run(_args, { deps, clientId }) {
        const notes = await deps.sessions.listNotes(clientId);
        return jsonResult({ notes: notes.map((n) => ({ key: n.key, expiresAt: n.expiresAt.toISOString() })) });
    },
});

const deleteNote = defineTool({
    name: "scratchpad_delete",
    title: "Delete a scratchpad note",
    description: "Deletes one of the calling client's notes; reports whether it existed.",
    schema: z.strictObject({ key }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    async run({ key }, { deps, clientId }) {
        return jsonResult({ key, deleted: await deps.sessions.deleteNote(clientId, key) });
    },
});

export const scratchpadTools: readonly ToolDefinition[] = [putNote, getNote, listNotes, deleteNote];
