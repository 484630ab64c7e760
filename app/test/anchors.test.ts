import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { AnchorExistsError, openAnchorStore, parseAnchorLocation, type AnchorStore, type GcsStorageLike } from "../src/audit/anchors";
import { CheckpointWriter, checkpointName, parseCheckpoint, verifyAgainstAnchors } from "../src/audit/checkpoint";
import { openAuditStore, type SqlAuditStore } from "../src/audit/store";
import { REPO_DIR, auditEntry, freePort, stopChild, waitFor } from "./helpers";

const S3rver = require("s3rver") as new (o: Record<string, unknown>) => { run(): Promise<{ port: number }>; close(): Promise<void> };

/** Azurite's documented development account (public, emulator only). */
const AZURITE_ACCOUNT = "devstoreaccount1";
const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

const entry = (i: number) => auditEntry(i, { replicaId: "anchors-test" });

function canConnect(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const s = net.connect(port, "127.0.0.1", () => {
            s.end();
            resolve(true);
        });
        s.on("error", () => resolve(false));
    });
}

/** The same behaviour asked of every backend: write-once puts, sorted listing, checkpoints round-trip. */
function exporterContract(open: () => Promise<AnchorStore>) {
    it("writes an object once, refuses to overwrite it, lists sorted and reads it back", async () => {
        const a = await open();
        await a.probe();
        await a.put("checkpoint-00000000000000000002.jsonl", "two\n");
        await a.put("checkpoint-00000000000000000001.jsonl", "one \u0000 \ud83d\ude00\n");
        await assert.rejects(a.put("checkpoint-00000000000000000001.jsonl", "overwrite\n"), AnchorExistsError);
        assert.deepEqual(await a.list(), ["checkpoint-00000000000000000001.jsonl", "checkpoint-00000000000000000002.jsonl"]);
        assert.equal(await a.get("checkpoint-00000000000000000001.jsonl"), "one \u0000 \ud83d\ude00\n");
    });

    it("carries checkpoints the writer makes, and anchored verify reads them back", async () => {
        const a = await open();
        const store = await openAuditStore({ kind: "embedded", dataDir: "memory" });
        try {
            for (let i = 1; i <= 5; i++) await store.append(entry(i));
            const errors: string[] = [];
            const w = new CheckpointWriter({ store, anchors: a, writer: "t", onError: (e) => errors.push(e.message) });
            await w.tick();
            for (let i = 6; i <= 8; i++) await store.append(entry(i));
            await w.tick();
            assert.deepEqual(errors, []);
            const names = (await a.list()).filter(
                (n) => n.endsWith(".jsonl") && n.startsWith("checkpoint-") && !n.endsWith("1.jsonl") && !n.endsWith("2.jsonl"),
            );
            assert.ok(names.includes(checkpointName(6)), names.join(","));
            const cp = parseCheckpoint(checkpointName(6), await a.get(checkpointName(6)));
            assert.deepEqual([cp.header.fromSeq, cp.header.seq, cp.header.count, cp.header.previous.seq], [6, 8, 3, 5]);
        } finally {
            await store.close();
        }
    });
}

describe("app audit anchors: locations", function () {
    it("parses each backend's location and names what is wrong with a bad one", () => {
        assert.deepEqual(parseAnchorLocation("s3://audit-bucket/prod/cp"), { kind: "s3", bucket: "audit-bucket", prefix: "prod/cp/" });
        assert.deepEqual(parseAnchorLocation("gs://audit-bucket"), { kind: "gcs", bucket: "audit-bucket", prefix: "" });
        assert.deepEqual(parseAnchorLocation("azblob://acct123/audit/x"), {
            kind: "azure-blob",
            account: "acct123",
            container: "audit",
            prefix: "x/",
        });
        assert.deepEqual(parseAnchorLocation("file:///var/lib/anchors"), { kind: "local", dir: "/var/lib/anchors" });
        assert.throws(() => parseAnchorLocation("ftp://x/y"), /unknown scheme "ftp:"/);
        assert.throws(() => parseAnchorLocation("s3://Bad_Bucket!/x"), /names no valid bucket/);
        assert.throws(() => parseAnchorLocation("azblob://acct123"), /names no valid container/);
    });

    it("a local directory that does not exist is named", async () => {
        const a = await openAnchorStore(path.join(os.tmpdir(), "mcp-no-such-anchor-dir-xyz"));
        await assert.rejects(a.probe(), /audit anchor directory .*mcp-no-such-anchor-dir-xyz does not exist/);
        await assert.rejects(a.list(), /does not exist/);
    });
});

describe("app audit anchors: local directory", function () {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-anchors-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    exporterContract(() => openAnchorStore(dir));
});

describe("app audit anchors: S3 (against s3rver)", function () {
    this.timeout(60_000);
    let server: { close(): Promise<void> } | undefined;
    let dir: string;
    let endpoint: string;
    let n = 0;
    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-s3rver-"));
        const port = await freePort();
        const s = new S3rver({ port, address: "127.0.0.1", silent: true, directory: dir, configureBuckets: [{ name: "audit-anchors" }] });
        await s.run();
        server = s;
        endpoint = `http://127.0.0.1:${port}`;
    });
    after(async () => {
        await server?.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });
    const opts = () => ({
        s3Endpoint: endpoint,
        s3Region: "us-east-1",
        s3Credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    });
    exporterContract(() => openAnchorStore(`s3://audit-anchors/run${++n}/cp`, opts()));

    it("names a bucket that does not exist, and the writer fails clearly while entries stay in the database", async () => {
        const a = await openAnchorStore("s3://no-such-bucket/x", opts());
        await assert.rejects(a.probe(), /audit anchor bucket no-such-bucket does not exist/);
        const store = await openAuditStore({ kind: "embedded", dataDir: "memory" });
        try {
            await store.append(entry(1));
            const errors: string[] = [];
            await new CheckpointWriter({ store, anchors: a, writer: "t", onError: (e) => errors.push(e.message) }).tick();
            assert.equal(errors.length, 1);
            assert.match(errors[0], /writing checkpoint-0+1\.jsonl to s3:\/\/no-such-bucket\/x failed: NoSuchBucket/);
            assert.equal((await store.verify()).checked, 1, "the entry is still there");
        } finally {
            await store.close();
        }
    });
});

describe("app audit anchors: Azure Blob (against azurite)", function () {
    this.timeout(90_000);
    let child: ChildProcess | undefined;
    let dir: string;
    let endpoint: string;
    let credential: unknown;
    let n = 0;
    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-azurite-"));
        const port = await freePort();
        child = spawn(
            process.execPath,
            [
                path.join(REPO_DIR, "node_modules", "azurite", "dist", "src", "blob", "main.js"),
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                String(port),
                "--location",
                dir,
                "--silent",
                "--skipApiVersionCheck",
                "--disableTelemetry",
            ],
            { stdio: "ignore" },
        );
        await waitFor(`azurite on ${port}`, () => canConnect(port), 30_000);
        endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
        const blob = await import("@azure/storage-blob");
        credential = new blob.StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
        const svc = new blob.BlobServiceClient(endpoint, credential as InstanceType<typeof blob.StorageSharedKeyCredential>);
        await svc.getContainerClient("audit").create();
    });
    after(async () => {
        if (child) await stopChild(child);
        fs.rmSync(dir, { recursive: true, force: true });
    });
    exporterContract(() =>
        openAnchorStore(`azblob://devstoreaccount1/audit/run${++n}`, { azureBlobEndpoint: endpoint, azureCredential: credential }),
    );

    it("names a container that does not exist", async () => {
        const a = await openAnchorStore("azblob://devstoreaccount1/missing", { azureBlobEndpoint: endpoint, azureCredential: credential });
        await assert.rejects(a.probe(), /audit anchor container missing does not exist/);
    });
});

/**
 * GCS has no emulator installable here (no npm or Debian package). The SDK calls are checked
 * against an object shaped like @google-cloud/storage's Storage: the request each call makes
 * (create-only precondition, prefix, content type) and the mapping of its errors.
 */
describe("app audit anchors: GCS (request shaping; no emulator available)", function () {
    function fakeStorage() {
        const objects = new Map<string, string>();
        const calls: unknown[] = [];
        const storage: GcsStorageLike = {
            bucket: (name) => ({
                exists: async () => [name === "audit-bucket"],
                file: (key) => ({
                    save: async (body, opts) => {
                        calls.push({ op: "save", bucket: name, key, opts });
                        if (name !== "audit-bucket") throw Object.assign(new Error("The specified bucket does not exist."), { code: 404 });
                        if (opts.preconditionOpts.ifGenerationMatch === 0 && objects.has(key))
                            throw Object.assign(new Error("At least one of the pre-conditions you specified did not hold."), { code: 412 });
                        objects.set(key, body);
                    },
                    download: async () => [Buffer.from(objects.get(key) ?? "", "utf8")],
                }),
                getFiles: async (opts) => {
                    calls.push({ op: "getFiles", bucket: name, opts });
                    return [[...objects.keys()].filter((k) => k.startsWith(opts.prefix)).map((k) => ({ name: k }))];
                },
            }),
        };
        return { storage, calls };
    }
    let n = 0;
    const shared = fakeStorage();
    exporterContract(() => openAnchorStore(`gs://audit-bucket/run${++n}`, { gcsStorage: shared.storage }));

    it("creates objects with ifGenerationMatch 0 (never a new generation), non-resumable, under the prefix", async () => {
        const { storage, calls } = fakeStorage();
        const a = await openAnchorStore("gs://audit-bucket/prod", { gcsStorage: storage });
        await a.put("checkpoint-00000000000000000001.jsonl", "x\n");
        await a.list();
        assert.deepEqual(calls, [
            {
                op: "save",
                bucket: "audit-bucket",
                key: "prod/checkpoint-00000000000000000001.jsonl",
                opts: { resumable: false, contentType: "application/x-ndjson", preconditionOpts: { ifGenerationMatch: 0 } },
            },
            { op: "getFiles", bucket: "audit-bucket", opts: { prefix: "prod/", autoPaginate: true } },
        ]);
        const missing = await openAnchorStore("gs://other-bucket/prod", { gcsStorage: storage });
        await assert.rejects(missing.probe(), /audit anchor bucket other-bucket does not exist/);
    });
});

describe("app audit anchored verify", function () {
    let dir: string;
    let store: SqlAuditStore;
    beforeEach(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-anchored-"));
        store = await openAuditStore({ kind: "embedded", dataDir: "memory" });
    });
    afterEach(async () => {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("reports a checkpoint that does not parse, naming the object and line, and a missing one", async () => {
        const a = await openAnchorStore(dir);
        const w = new CheckpointWriter({ store, anchors: a, writer: "t" });
        for (let i = 1; i <= 3; i++) await store.append(entry(i));
        await w.tick();
        for (let i = 4; i <= 6; i++) await store.append(entry(i));
        await w.tick();
        for (let i = 7; i <= 9; i++) await store.append(entry(i));
        await w.tick();
        for (let i = 10; i <= 12; i++) await store.append(entry(i));
        await w.tick();
        const good = await verifyAgainstAnchors(store, a);
        assert.deepEqual([good.ok, good.checkpoints, good.anchoredSeq], [true, 4, 12]);
        // Local storage is not write-once: an operator can damage it, and verify says how.
        fs.chmodSync(path.join(dir, checkpointName(4)), 0o644);
        fs.writeFileSync(path.join(dir, checkpointName(4)), "{not json\n");
        fs.rmSync(path.join(dir, checkpointName(7)));
        const r = await verifyAgainstAnchors(store, a);
        assert.equal(r.ok, false);
        assert.deepEqual(
            r.breaks.map((b) => [b.seq, b.kind]),
            [
                [4, "bad-checkpoint"],
                [4, "missing-checkpoint"],
            ],
        );
        assert.match(r.breaks[0].reason, /checkpoint object checkpoint-0+4\.jsonl does not parse: line 1: not JSON/);
        assert.match(r.breaks[1].reason, /entries 4\.\.9 are in no checkpoint: the checkpoint object checkpoint-0+4\.jsonl is missing/);
    });
});
