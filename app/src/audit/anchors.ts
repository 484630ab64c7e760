import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Write-once storage for audit checkpoints ("anchors"), outside the database: S3 with Object Lock,
 * Azure Blob Storage with a locked immutability policy, GCS with a locked retention policy, or a
 * local directory (not write-once; for development). Each cloud's SDK is loaded only when that
 * backend is configured.
 */
export interface AnchorStore {
    /** The location as configured, for messages (never holds a secret). */
    readonly location: string;
    readonly kind: "s3" | "azure-blob" | "gcs" | "local";
    /** Writes a new object; throws AnchorExistsError when it already exists (never overwrites). */
    put(name: string, body: string): Promise<void>;
    /** Object names under the location, sorted. */
    list(): Promise<string[]>;
    get(name: string): Promise<string>;
    /** Throws an error naming the location when it does not exist or cannot be read. */
    probe(): Promise<void>;
}

export class AnchorExistsError extends Error {
    constructor(location: string, name: string) {
        super(`checkpoint object ${name} already exists in ${location} (write-once: not overwritten)`);
        this.name = "AnchorExistsError";
    }
}

/** Connection settings the location URL does not carry (emulators, injected clients in tests). */
export interface AnchorOptions {
    /** S3-compatible endpoint (path-style), e.g. an emulator; default: AWS for the bucket's region. */
    s3Endpoint?: string;
    s3Region?: string;
    s3Credentials?: { accessKeyId: string; secretAccessKey: string };
    /** Blob service URL, e.g. http://127.0.0.1:10000/devstoreaccount1; default https://<account>.blob.core.windows.net */
    azureBlobEndpoint?: string;
    /** A @azure/core-auth credential; default DefaultAzureCredential (managed identity in Azure). */
    azureCredential?: unknown;
    /** A @google-cloud/storage Storage instance (tests inject one shaped like it). */
    gcsStorage?: GcsStorageLike;
}

export type AnchorLocation =
    | { kind: "s3"; bucket: string; prefix: string }
    | { kind: "gcs"; bucket: string; prefix: string }
    | { kind: "azure-blob"; account: string; container: string; prefix: string }
    | { kind: "local"; dir: string };

/**
 * Parses `s3://bucket/prefix`, `gs://bucket/prefix`, `azblob://account/container/prefix`,
 * `file:///dir` or a directory path. Throws an error naming what is wrong.
 */
export function parseAnchorLocation(location: string): AnchorLocation {
    const bad = (why: string): never => {
        throw new Error(`audit anchor location "${location.slice(0, 200)}" ${why}`);
    };
    const m = /^([a-z0-9+.-]+):\/\/(.*)$/i.exec(location);
    if (m === null) {
        if (location.trim() === "") bad("is empty");
        return { kind: "local", dir: path.resolve(location) };
    }
    const scheme = m[1].toLowerCase();
    const rest = m[2];
    const prefixOf = (parts: string[]) => {
        const p = parts.filter(Boolean).join("/");
        return p === "" ? "" : `${p}/`;
    };
    if (scheme === "file") {
        if (!rest.startsWith("/")) bad("must be file:///absolute/path");
        return { kind: "local", dir: path.resolve(decodeURIComponent(rest)) };
    }
    const [first, ...parts] = rest.split("/");
    if (scheme === "s3" || scheme === "gs") {
        if (!/^[a-z0-9][a-z0-9.\-_]{1,221}[a-z0-9]$/.test(first)) bad(`names no valid bucket ("${first.slice(0, 80)}")`);
        return { kind: scheme === "s3" ? "s3" : "gcs", bucket: first, prefix: prefixOf(parts) };
    }
    if (scheme === "azblob") {
        const [container, ...prefix] = parts;
        if (!/^[a-z0-9]{3,24}$/.test(first)) bad(`names no valid storage account ("${first.slice(0, 80)}")`);
        if (container === undefined || !/^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/.test(container))
            bad("names no valid container (azblob://account/container/prefix)");
        return { kind: "azure-blob", account: first, container, prefix: prefixOf(prefix) };
    }
    return bad(`has an unknown scheme "${scheme}:" (use s3://, gs://, azblob://, file:// or a directory)`);
}

/** Opens the store for `location`; loads only the SDK that backend needs. */
export async function openAnchorStore(location: string, opts: AnchorOptions = {}): Promise<AnchorStore> {
    const loc = parseAnchorLocation(location);
    switch (loc.kind) {
        case "local":
            return new LocalAnchors(location, loc.dir);
        case "s3":
            return S3Anchors.open(location, loc.bucket, loc.prefix, opts);
        case "azure-blob":
            return AzureBlobAnchors.open(location, loc.account, loc.container, loc.prefix, opts);
        case "gcs":
            return GcsAnchors.open(location, loc.bucket, loc.prefix, opts);
    }
}

function described(location: string, what: string, err: unknown): Error {
    const e = err as { name?: string; code?: string | number; statusCode?: number; message?: string };
    const code = e.name && e.name !== "Error" ? e.name : (e.code ?? e.statusCode);
    return new Error(`${what} ${location} failed: ${code !== undefined ? `${String(code)}: ` : ""}${e.message ?? String(err)}`);
}

/** A directory (on a named volume locally). NOT write-once: anyone with the volume can delete. */
export class LocalAnchors implements AnchorStore {
    readonly kind = "local" as const;
    constructor(
        readonly location: string,
        private readonly dir: string,
    ) {}

    async probe(): Promise<void> {
        let st: fs.Stats;
        try {
            st = fs.statSync(this.dir);
        } catch {
            throw new Error(`audit anchor directory ${this.dir} does not exist`);
        }
        if (!st.isDirectory()) throw new Error(`audit anchor location ${this.dir} is not a directory`);
    }

    async put(name: string, body: string): Promise<void> {
        const file = path.join(this.dir, name);
        let fd: number;
        try {
            fd = fs.openSync(file, "wx", 0o444);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === "EEXIST") throw new AnchorExistsError(this.location, name);
            throw described(this.location, `writing ${name} to`, err);
        }
        try {
            fs.writeSync(fd, body);
            fs.fsyncSync(fd);
        } finally {
            fs.closeSync(fd);
        }
    }

    async list(): Promise<string[]> {
        await this.probe();
        return fs
            .readdirSync(this.dir)
            .filter((n) => !n.startsWith("."))
            .sort();
    }

    async get(name: string): Promise<string> {
        return fs.readFileSync(path.join(this.dir, name), "utf8");
    }
}

/** S3 (Object Lock in compliance mode on the bucket makes every object write-once for its retention). */
export class S3Anchors implements AnchorStore {
    readonly kind = "s3" as const;
    private constructor(
        readonly location: string,
        private readonly bucket: string,
        private readonly prefix: string,
        private readonly client: import("@aws-sdk/client-s3").S3Client,
        private readonly sdk: typeof import("@aws-sdk/client-s3"),
    ) {}

    static async open(location: string, bucket: string, prefix: string, opts: AnchorOptions): Promise<S3Anchors> {
        const sdk = await import("@aws-sdk/client-s3");
        const client = new sdk.S3Client({
            ...(opts.s3Region ? { region: opts.s3Region } : {}),
            ...(opts.s3Endpoint ? { endpoint: opts.s3Endpoint, forcePathStyle: true } : {}),
            ...(opts.s3Credentials ? { credentials: opts.s3Credentials } : {}),
        });
        return new S3Anchors(location, bucket, prefix, client, sdk);
    }

    async probe(): Promise<void> {
        try {
            await this.client.send(new this.sdk.HeadBucketCommand({ Bucket: this.bucket }));
        } catch (err) {
            const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
            if (status === 404) throw new Error(`audit anchor bucket ${this.bucket} does not exist (${this.location})`, { cause: err });
            throw described(this.location, "checking the anchor bucket", err);
        }
    }

    async put(name: string, body: string): Promise<void> {
        // IfNoneMatch makes the create atomic on S3; the HEAD first also covers S3-compatible stores that ignore it.
        try {
            await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + name }));
            throw new AnchorExistsError(this.location, name);
        } catch (err) {
            if (err instanceof AnchorExistsError) throw err;
            const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
            if (status !== 404) throw described(this.location, `checking ${name} in`, err);
        }
        try {
            await this.client.send(
                new this.sdk.PutObjectCommand({
                    Bucket: this.bucket,
                    Key: this.prefix + name,
                    Body: body,
                    ContentType: "application/x-ndjson",
                    // Never overwrite (S3 conditional write); Object Lock needs a checksum on the request.
                    IfNoneMatch: "*",
                    ChecksumAlgorithm: "SHA256",
                }),
            );
        } catch (err) {
            const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
            if (status === 412 || (err as Error).name === "PreconditionFailed") throw new AnchorExistsError(this.location, name);
            throw described(this.location, `writing ${name} to`, err);
        }
    }

    async list(): Promise<string[]> {
        const names: string[] = [];
        let token: string | undefined;
        try {
            do {
                const page = await this.client.send(
                    new this.sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token }),
                );
                for (const o of page.Contents ?? []) if (o.Key !== undefined) names.push(o.Key.slice(this.prefix.length));
                token = page.IsTruncated ? page.NextContinuationToken : undefined;
            } while (token !== undefined);
        } catch (err) {
            if ((err as Error).name === "NoSuchBucket")
                throw new Error(`audit anchor bucket ${this.bucket} does not exist (${this.location})`, { cause: err });
            throw described(this.location, "listing", err);
        }
        return names.filter((n) => !n.includes("/")).sort();
    }

    async get(name: string): Promise<string> {
        const out = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + name }));
        return (await out.Body?.transformToString("utf8")) ?? "";
    }
}

/** Azure Blob Storage; identity-based (DefaultAzureCredential) unless a credential is injected. */
export class AzureBlobAnchors implements AnchorStore {
    readonly kind = "azure-blob" as const;
    private constructor(
        readonly location: string,
        private readonly prefix: string,
        private readonly container: import("@azure/storage-blob").ContainerClient,
    ) {}

    static async open(
        location: string,
        account: string,
        container: string,
        prefix: string,
        opts: AnchorOptions,
    ): Promise<AzureBlobAnchors> {
        const blob = await import("@azure/storage-blob");
        const credential = opts.azureCredential ?? new (await import("@azure/identity")).DefaultAzureCredential();
        const url = opts.azureBlobEndpoint ?? `https://${account}.blob.core.windows.net`;
        const service = new blob.BlobServiceClient(url, credential as import("@azure/storage-blob").StorageSharedKeyCredential);
        return new AzureBlobAnchors(location, prefix, service.getContainerClient(container));
    }

    async probe(): Promise<void> {
        let exists: boolean;
        try {
            exists = await this.container.exists();
        } catch (err) {
            throw described(this.location, "checking the anchor container", err);
        }
        if (!exists) throw new Error(`audit anchor container ${this.container.containerName} does not exist (${this.location})`);
    }

    async put(name: string, body: string): Promise<void> {
        try {
            await this.container.getBlockBlobClient(this.prefix + name).upload(body, Buffer.byteLength(body), {
                conditions: { ifNoneMatch: "*" },
                blobHTTPHeaders: { blobContentType: "application/x-ndjson" },
            });
        } catch (err) {
            const e = err as { statusCode?: number; code?: string };
            if (e.statusCode === 409 || e.code === "BlobAlreadyExists") throw new AnchorExistsError(this.location, name);
            throw described(this.location, `writing ${name} to`, err);
        }
    }

    async list(): Promise<string[]> {
        const names: string[] = [];
        try {
            for await (const b of this.container.listBlobsFlat({ prefix: this.prefix })) names.push(b.name.slice(this.prefix.length));
        } catch (err) {
            if ((err as { statusCode?: number }).statusCode === 404)
                throw new Error(`audit anchor container ${this.container.containerName} does not exist (${this.location})`, { cause: err });
            throw described(this.location, "listing", err);
        }
        return names.filter((n) => !n.includes("/")).sort();
    }

    async get(name: string): Promise<string> {
        return (await this.container.getBlobClient(this.prefix + name).downloadToBuffer()).toString("utf8");
    }
}

/** The part of @google-cloud/storage's Storage the GCS anchors use. */
export interface GcsStorageLike {
    bucket(name: string): {
        exists(): Promise<[boolean]>;
        file(name: string): {
            save(
                body: string,
                opts: { resumable: boolean; contentType: string; preconditionOpts: { ifGenerationMatch: number } },
            ): Promise<unknown>;
            download(): Promise<[Buffer]>;
        };
        getFiles(opts: { prefix: string; autoPaginate: boolean }): Promise<[{ name: string }[]]>;
    };
}

/** GCS (a locked retention policy on the bucket makes objects undeletable for its period). */
export class GcsAnchors implements AnchorStore {
    readonly kind = "gcs" as const;
    private constructor(
        readonly location: string,
        private readonly bucketName: string,
        private readonly prefix: string,
        private readonly storage: GcsStorageLike,
    ) {}

    static async open(location: string, bucket: string, prefix: string, opts: AnchorOptions): Promise<GcsAnchors> {
        const storage = opts.gcsStorage ?? (new (await import("@google-cloud/storage")).Storage() as unknown as GcsStorageLike);
        return new GcsAnchors(location, bucket, prefix, storage);
    }

    private get bucket() {
        return this.storage.bucket(this.bucketName);
    }

    async probe(): Promise<void> {
        let exists: boolean;
        try {
            [exists] = await this.bucket.exists();
        } catch (err) {
            throw described(this.location, "checking the anchor bucket", err);
        }
        if (!exists) throw new Error(`audit anchor bucket ${this.bucketName} does not exist (${this.location})`);
    }

    async put(name: string, body: string): Promise<void> {
        try {
            // ifGenerationMatch 0: create only, never a new generation of an existing object.
            await this.bucket
                .file(this.prefix + name)
                .save(body, { resumable: false, contentType: "application/x-ndjson", preconditionOpts: { ifGenerationMatch: 0 } });
        } catch (err) {
            if ((err as { code?: number }).code === 412) throw new AnchorExistsError(this.location, name);
            throw described(this.location, `writing ${name} to`, err);
        }
    }

    async list(): Promise<string[]> {
        let files: { name: string }[];
        try {
            [files] = await this.bucket.getFiles({ prefix: this.prefix, autoPaginate: true });
        } catch (err) {
            if ((err as { code?: number }).code === 404)
                throw new Error(`audit anchor bucket ${this.bucketName} does not exist (${this.location})`, { cause: err });
            throw described(this.location, "listing", err);
        }
        return files
            .map((f) => f.name.slice(this.prefix.length))
            .filter((n) => !n.includes("/"))
            .sort();
    }

    async get(name: string): Promise<string> {
        const [buf] = await this.bucket.file(this.prefix + name).download();
        return buf.toString("utf8");
    }
}
