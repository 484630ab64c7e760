import { strict as assert } from "node:assert";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { RunningApp } from "../src/app";
import { bearer, connect, freshDatabase, randomKey, REDIS_URL, startTestApp, structured, text, waitFor } from "./helpers";

interface Backend {
    name: string;
    setup(): Promise<{ env: Record<string, string>; teardown(): Promise<void> }>;
    audit: string;
    session: string;
}

const backends: Backend[] = [
    {
        name: "embedded defaults (PGlite in memory, in-process session store)",
        audit: "memory",
        session: "memory",
        setup: async () => ({ env: { MCP_DATA_DIR: "memory" }, teardown: async () => undefined }),
    },
    {
        name: "PostgreSQL and Redis",
        audit: "postgres",
        session: "redis",
        setup: async () => {
            const db = await freshDatabase();
            return { env: { DATABASE_URL: db.url, REDIS_URL }, teardown: () => db.drop() };
        },
    },
];

for (const backend of backends) {
    describe(`app protocol and tools: ${backend.name}`, function () {
        let app: RunningApp;
        let teardown: () => Promise<void>;
        let alice: Client;
        let bob: Client;
        const aliceKey = randomKey();
        const bobKey = randomKey();

        before(async () => {
            const s = await backend.setup();
            teardown = s.teardown;
            app = await startTestApp({ ...s.env, MCP_API_KEYS: `${aliceKey},${bobKey}`, MCP_TIER: "prod" });
            alice = await connect(app.url, bearer(aliceKey));
            bob = await connect(app.url, bearer(bobKey));
        });

        after(async () => {
            await alice?.close();
            await bob?.close();
            await app?.shutdown();
            await teardown?.();
        });

        it("negotiates a current protocol version and lists every tool with explicit annotations", async () => {
            const version = (alice.transport as { protocolVersion?: string }).protocolVersion;
            assert.match(String(version), /^20\d\d-\d\d-\d\d$/);
            const { tools } = await alice.listTools();
            const names = tools.map((t) => t.name);
            for (const n of [
                "server_info",
                "scratchpad_put",
                "scratchpad_get",
                "scratchpad_list",
                "scratchpad_delete",
                "audit_recent",
                "audit_verify",
            ]) {
                assert.ok(names.includes(n), `missing ${n}`);
            }
            for (const t of tools) {
                for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const) {
                    assert.equal(typeof t.annotations?.[hint], "boolean", `${t.name}.${hint}`);
                }
                assert.equal(t.inputSchema.type, "object");
                assert.equal(
                    (t.inputSchema as { additionalProperties?: unknown }).additionalProperties,
                    false,
                    `${t.name} must reject unknown properties`,
                );
            }
            const put = tools.find((t) => t.name === "scratchpad_put")!;
            assert.equal(put.annotations?.readOnlyHint, false);
            assert.equal(put.annotations?.destructiveHint, true);
            assert.equal(tools.find((t) => t.name === "server_info")!.annotations?.readOnlyHint, true);
        });

        it("server_info reports version, replica, storage backends and tier", async () => {
            const info = structured(await alice.callTool({ name: "server_info", arguments: {} }));
            assert.equal(info.tier, "prod");
            assert.equal(info.replicaId, app.deps.facts.replicaId);
            assert.deepEqual(info.storage, { audit: backend.audit, session: backend.session });
            assert.match(String(info.version), /^\d+\.\d+\.\d+/);
            assert.match(String(info.clientId), /^key-[0-9a-f]{12}$/);
            assert.ok(!String(info.clientId).includes(aliceKey.slice(5, 17)));
        });

        it("keeps each client's scratchpad to itself, and puts, gets, lists and deletes", async () => {
            const put = await alice.callTool({ name: "scratchpad_put", arguments: { key: "plan", value: "ship it", ttlSeconds: 600 } });
            assert.equal(put.isError, undefined);
            assert.equal(structured(await alice.callTool({ name: "scratchpad_get", arguments: { key: "plan" } })).value, "ship it");
            const listed = structured<{ notes: { key: string }[] }>(await alice.callTool({ name: "scratchpad_list", arguments: {} }));
            assert.deepEqual(
                listed.notes.map((n) => n.key),
                ["plan"],
            );

            const bobGet = await bob.callTool({ name: "scratchpad_get", arguments: { key: "plan" } });
            assert.equal(bobGet.isError, true);
            assert.match(text(bobGet), /no note "plan"/);
            assert.deepEqual(structured<{ notes: unknown[] }>(await bob.callTool({ name: "scratchpad_list", arguments: {} })).notes, []);
            assert.equal(structured(await bob.callTool({ name: "scratchpad_delete", arguments: { key: "plan" } })).deleted, false);

            assert.equal(structured(await alice.callTool({ name: "scratchpad_delete", arguments: { key: "plan" } })).deleted, true);
            assert.equal((await alice.callTool({ name: "scratchpad_get", arguments: { key: "plan" } })).isError, true);
        });

        it("caps note values and expires notes after their TTL", async () => {
            const big = await alice.callTool({ name: "scratchpad_put", arguments: { key: "big", value: "x".repeat(4097) } });
            assert.equal(big.isError, true);
            assert.match(text(big), /4097 bytes; the limit is 4096/);
            await alice.callTool({ name: "scratchpad_put", arguments: { key: "brief", value: "soon gone", ttlSeconds: 1 } });
            await waitFor(
                "note to expire",
                async () => (await alice.callTool({ name: "scratchpad_get", arguments: { key: "brief" } })).isError === true,
                10_000,
            );
            const listed = structured<{ notes: { key: string }[] }>(await alice.callTool({ name: "scratchpad_list", arguments: {} }));
            assert.ok(!listed.notes.some((n) => n.key === "brief"));
        });

        it("audit_recent shows only the caller's own entries, newest first", async () => {
            await bob.callTool({ name: "scratchpad_put", arguments: { key: "creds", value: "v" } });
            await bob.callTool({ name: "server_info", arguments: {} });
            const mine = structured<{ entries: { tool: string; outcome: string; arguments: Record<string, unknown>; seq: number }[] }>(
                await bob.callTool({ name: "audit_recent", arguments: { limit: 10 } }),
            );
            assert.deepEqual(
                mine.entries.slice(0, 2).map((e) => e.tool),
                ["server_info", "scratchpad_put"],
            );
            assert.ok(mine.entries[0].seq > mine.entries[1].seq, "newest first");
            const aliceEntries = structured<{ entries: { tool: string }[] }>(
                await alice.callTool({ name: "audit_recent", arguments: { limit: 100 } }),
            ).entries;
            const bobSeqs = new Set(mine.entries.map((e) => e.seq));
            assert.ok(
                aliceEntries.every((e) => !bobSeqs.has((e as unknown as { seq: number }).seq)),
                "alice must not see bob's entries",
            );
            const bobId = String(structured(await bob.callTool({ name: "server_info", arguments: {} })).clientId);
            const stored = await app.deps.audit.recent(bobId, 50);
            assert.ok(stored.length >= 3 && stored.every((r) => r.clientId === bobId));
        });

        it("audit_verify reports an intact chain that holds every call", async () => {
            const before = await app.deps.audit.verify();
            const r = structured<{ ok: boolean; checked: number; headSeq: number }>(
                await alice.callTool({ name: "audit_verify", arguments: {} }),
            );
            assert.equal(r.ok, true);
            assert.ok(r.checked >= before.checked);
            const after = await app.deps.audit.verify();
            assert.equal(after.ok, true);
            assert.equal(after.headSeq, r.headSeq + 1, "the audit_verify call itself was appended");
        });
    });
}
