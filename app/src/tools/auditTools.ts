import { z } from "zod";
import { asDependency } from "../errors";
import { defineTool, jsonResult, type ToolDefinition } from "./types";

/** Named in the error a caller sees when the store cannot be read ("audit log store is unavailable; retry later"). */
const AUDIT_STORE = "audit log store";

const auditRecent = defineTool({
    name: "audit_recent",
    title: "Recent audit entries",
    description: "Returns the calling client's own most recent audit log entries, newest first.",
    schema: z.strictObject({
        limit: z.number().int().min(1).max(100).default(20).describe("How many entries to return"),
    }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run({ limit }, { deps, clientId }) {
        const records = await asDependency(AUDIT_STORE, () => deps.audit.recent(clientId, limit));
        return jsonResult({
            entries: records.map((r) => ({
                seq: r.seq,
                ts: r.ts.toISOString(),
                kind: r.kind ?? "call",
                ...(r.ref != null ? { ref: r.ref } : {}),
                tool: r.tool,
                arguments: JSON.parse(r.args) as unknown,
                // An intent with no outcome entry: the call may or may not have run (a crash in between).
                outcome: r.outcomeUnknown ? "unknown" : r.outcome,
                errorCode: r.errorCode,
                durationMs: r.durationMs,
                replicaId: r.replicaId,
                ...(r.traceparent != null ? { traceparent: r.traceparent } : {}),
                hash: r.hash,
            })),
        });
    },
});

const auditVerify = defineTool({
    name: "audit_verify",
    title: "Verify the audit chain",
    description:
        "Recomputes the audit log's hash chain and reports whether it is intact; when it is not, lists every break " +
        "(edited, deleted, inserted, reordered or truncated) with its sequence number, and the state-changing calls whose outcome is unknown.",
    schema: z.strictObject({}),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    timeoutMs: 60_000,
    // It reads the whole chain, so it is limited well below ordinary tools.
    rateLimitPerMinute: 6,
    async run(_args, { deps }) {
        const result = await asDependency(AUDIT_STORE, () => deps.audit.verify());
        return jsonResult({ ...result });
    },
});

export const auditTools: readonly ToolDefinition[] = [auditRecent, auditVerify];
