/**
 * The local (Docker) topology: the real program under mocks for the local
 * stacks, with assertions on the inputs the containers, networks and volume
 * were created with, the nginx configuration the edge uploads, how secrets
 * travel, the summaries, overrides and the errors bad input gets.
 */
import * as assert from "node:assert/strict";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as lib from "../lib";
import { summarizeNginx } from "../components/local/edge";
import { renderNginxConfig } from "../components/local/nginx";
import { main } from "../components/program";
import { ProgramRun, readStackFile, RecordedResource, runProgram, runStack } from "../scripts/harness";
import { parseStackConfig } from "../components/config";
import { resolveTier, TierName } from "../sizing";
import { all, named, rejectsConfig } from "./util";

const T = {
    network: "docker:index/network:Network",
    volume: "docker:index/volume:Volume",
    container: "docker:index/container:Container",
    image: "docker:index/image:Image",
    remoteImage: "docker:index/remoteImage:RemoteImage",
    password: "random:index/randomPassword:RandomPassword",
};

/** A container's `envs` as a map. */
function envOf(c: RecordedResource): Record<string, string> {
    return Object.fromEntries(
        (c.inputs.envs ?? []).map((e: string) => {
            const i = e.indexOf("=");
            return [e.slice(0, i), e.slice(i + 1)];
        }),
    );
}

/** A container's uploads by path: content and permissions. */
function uploadsOf(c: RecordedResource): Record<string, { content: string; permissions?: string }> {
    return Object.fromEntries((c.inputs.uploads ?? []).map((u: any) => [u.file, { content: u.content, permissions: u.permissions }]));
}

/**
 * The secret files a container reads, by variable: the `<NAME>_FILE` variables of its environment,
 * each resolved through the read-only secret volume it mounts to the upload of that volume's loader.
 */
function secretFilesOf(run: ProgramRun, c: RecordedResource): Record<string, { path: string; content: string; permissions?: string }> {
    const env = envOf(c);
    const out: Record<string, { path: string; content: string; permissions?: string }> = {};
    for (const v of c.inputs.volumes ?? []) {
        if (v.containerPath !== "/run/secrets") continue;
        assert.equal(v.readOnly, true, `${c.name} mounts its secrets read-only`);
        const loaders = all(run, T.container).filter(
            (l) => (l.inputs.volumes ?? []).some((lv: any) => lv.volumeName === v.volumeName) && l.inputs.start === false,
        );
        assert.equal(loaders.length, 1, `one loader fills ${v.volumeName}`);
        const files = uploadsOf(loaders[0]);
        for (const [name, value] of Object.entries(env)) {
            if (!name.endsWith("_FILE") || !value.startsWith("/run/secrets/")) continue;
            assert.ok(files[value], `${c.name}: ${name}=${value} is uploaded by ${loaders[0].name}`);
            out[name.slice(0, -5)] = { path: value, ...files[value] };
        }
    }
    return out;
}

/** The names of the Docker networks a container is attached to. */
function networksOf(c: RecordedResource): string[] {
    return (c.inputs.networksAdvanced ?? []).map((n: any) => n.name);
}

const replicasOf = (run: ProgramRun) =>
    all(run, T.container)
        .filter((c) => /^mcp-server-replica-\d+$/.test(c.name))
        .sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));

/** The generated secrets, as the stack outputs give them (the harness resolves secret outputs). */
function generatedSecrets(run: ProgramRun): string[] {
    const db = JSON.parse(run.outputs.databaseCredentialsSecret);
    const cache = run.outputs.cacheAuthSecret === undefined ? [] : [JSON.parse(run.outputs.cacheAuthSecret).token];
    return [run.outputs.apiKeySecret, db.password, db.adminPassword, ...cache];
}

/** This machine's architecture as the summaries name it (the local target builds for the Docker host, here). */
const HOST_ARCH = process.arch === "arm64" ? "arm64" : "x86_64";

const tiers: TierName[] = ["dev", "prod"];
const runs: Partial<Record<TierName, ProgramRun>> = {};

describe("local (Docker) topology", function () {
    this.timeout(120_000);

    before(async () => {
        for (const tier of tiers) runs[tier] = await runStack(`${tier}-local`);
    });

    for (const tier of tiers) {
        // The tier as the stack file sets it (dev-local keeps a Redis cache: locally it costs nothing).
        const spec = resolveTier(tier, parseStackConfig(readStackFile(`${tier}-local`)).overrides);
        const run = () => runs[tier]!;
        const front = () => named(run(), T.network, "mcp-network-front");
        const data = () => named(run(), T.network, "mcp-network-data");
        // The mocked provider names a network `<resource name>-1a2b3c` (as Pulumi's auto-naming would, with another suffix).
        const frontName = () => `${front().name}-1a2b3c`;
        const dataName = () => `${data().name}-1a2b3c`;

        describe(`${tier}-local`, () => {
            it("has a front bridge network and an internal data network", () => {
                assert.equal(all(run(), T.network).length, 2);
                assert.equal(front().inputs.driver, "bridge");
                assert.equal(front().inputs.internal, false);
                assert.equal(data().inputs.driver, "bridge");
                assert.equal(data().inputs.internal, true, "the data tier has no route out and cannot publish ports");
            });

            it("builds the bundled server from app/ on the host and pushes it nowhere", () => {
                const image = named(run(), T.image, "mcp-image-image");
                const root = path.resolve(__dirname, "..");
                assert.equal(image.inputs.skipPush, true);
                assert.equal(image.inputs.registry, undefined);
                assert.equal(image.inputs.build.context, root);
                assert.equal(image.inputs.build.dockerfile, path.join(root, "app", "Dockerfile"));
                assert.equal(image.inputs.build.platform, HOST_ARCH === "arm64" ? "linux/arm64" : "linux/amd64", "the host's own platform");
                assert.equal(image.inputs.imageName, `mcp-infra-server:${tier}-local`);
                for (const r of replicasOf(run()))
                    assert.match(r.inputs.image, /^sha256:[0-9a-f]{64}$/, "replicas run the built image by its ID");
            });

            describe("AuditDatabase (postgres container)", () => {
                const pg = () => named(run(), T.container, "mcp-audit-postgres");
                it("runs a pinned postgres 17 image", () => {
                    const image = named(run(), T.remoteImage, "mcp-audit-image");
                    assert.match(image.inputs.name, /^postgres:17[.-]/);
                    assert.equal(image.inputs.keepLocally, true);
                });
                it("keeps its data in a named volume mounted at the data directory", () => {
                    const volume = named(run(), T.volume, "mcp-audit-data");
                    assert.deepEqual(pg().inputs.volumes, [
                        { volumeName: `${volume.name}-1a2b3c`, containerPath: "/var/lib/postgresql/data" },
                    ]);
                });
                it("publishes no host port and lives on the data network only", () => {
                    assert.ok(!pg().inputs.ports?.length, "no host port");
                    assert.deepEqual(networksOf(pg()), [dataName()]);
                    assert.deepEqual(pg().inputs.networksAdvanced[0].aliases, ["mcp-audit"]);
                });
                it("gets a generated password as a secret file (POSTGRES_PASSWORD_FILE, 0440) and a TCP readiness check", () => {
                    const env = envOf(pg());
                    // The administrator's password (the server connects as the append-only role, with another one).
                    const admin = JSON.parse(run().outputs.databaseCredentialsSecret).adminPassword;
                    assert.equal(env.POSTGRES_PASSWORD, undefined, "no password in the environment");
                    assert.equal(env.POSTGRES_PASSWORD_FILE, "/run/secrets/postgres-password");
                    assert.deepEqual(uploadsOf(pg())[env.POSTGRES_PASSWORD_FILE], { content: admin, permissions: "0440" });
                    assert.ok(admin.length >= 32);
                    assert.ok(pg().secretInputs.includes("uploads"), "the password file is a Pulumi secret");
                    assert.equal(pg().inputs.user, undefined, "the entrypoint reads the file as root, then drops to uid 70");
                    assert.deepEqual(pg().inputs.healthcheck.tests.slice(0, 3), ["CMD", "pg_isready", "-h"]);
                    assert.equal(pg().inputs.restart, "unless-stopped");
                });
                it("is limited to the tier's database vCPU and memory", () => {
                    assert.equal(Number(pg().inputs.cpus), spec.database.vcpu);
                    assert.equal(pg().inputs.memory, spec.database.memoryGiB * 1024);
                });
            });

            if (spec.cache.store === "embedded") {
                it("runs no cache: the single replica keeps its state in memory", () => {
                    assert.equal(all(run(), T.container).filter((c) => c.name.startsWith("mcp-cache-")).length, 0);
                    assert.equal(run().outputs.cacheAuthSecret, undefined);
                    assert.equal(run().outputs.summary.cache, null);
                    assert.ok(!envOf(replicasOf(run())[0]).REDIS_URL);
                });
            } else {
                describe("SessionCache (redis container)", () => {
                    const redis = () => named(run(), T.container, "mcp-cache-redis");
                    it("runs a pinned redis 7 image on the data network only, with no host port", () => {
                        assert.match(
                            named(run(), T.remoteImage, "mcp-cache-image").inputs.name,
                            /^redis:7\.\d+-alpine@sha256:[0-9a-f]{64}$/,
                        );
                        assert.ok(!redis().inputs.ports?.length);
                        assert.deepEqual(networksOf(redis()), [dataName()]);
                    });
                    it("requires a generated password, in a config file (0440) read as uid 999 in group 0", () => {
                        const token = JSON.parse(run().outputs.cacheAuthSecret).token;
                        assert.deepEqual(redis().inputs.command, ["redis-server", "/usr/local/etc/redis/redis.conf"]);
                        assert.equal(redis().inputs.user, "999:0");
                        const conf = uploadsOf(redis())["/usr/local/etc/redis/redis.conf"];
                        assert.equal(conf.permissions, "0440");
                        assert.match(conf.content, new RegExp(`^requirepass ${token}$`, "m"));
                        assert.ok(token.length >= 32);
                        assert.ok(redis().secretInputs.includes("uploads"), "the config file holding the password is a Pulumi secret");
                        assert.ok(!JSON.stringify(redis().inputs.envs ?? []).includes(token), "no password in the environment");
                        assert.ok(!JSON.stringify(redis().inputs.healthcheck).includes(token), "the health check carries no password");
                        assert.match(
                            redis().inputs.healthcheck.tests[1],
                            /REDISCLI_AUTH="\$\(sed -n 's\/\^requirepass \/\/p' \/usr\/local\/etc\/redis\/redis\.conf\)" redis-cli/,
                        );
                    });
                    it("caps memory at the tier's cache size", () => {
                        const conf = uploadsOf(redis())["/usr/local/etc/redis/redis.conf"].content;
                        assert.match(conf, new RegExp(`^maxmemory ${spec.cache.memoryMiB}mb$`, "m"));
                        assert.match(conf, /^maxmemory-policy volatile-lru$/m);
                    });
                });
            }

            describe("McpCluster (server containers)", () => {
                it(`runs ${spec.service.minReplicas} replica(s) on both networks with no host port`, () => {
                    const replicas = replicasOf(run());
                    assert.equal(replicas.length, spec.service.minReplicas);
                    for (const [i, r] of replicas.entries()) {
                        assert.deepEqual(networksOf(r), [frontName(), dataName()]);
                        assert.deepEqual(
                            r.inputs.networksAdvanced.map((n: any) => n.aliases),
                            [[`mcp-server-${i}`], [`mcp-server-${i}`]],
                        );
                        assert.ok(!r.inputs.ports?.length, `${r.name} publishes no port`);
                    }
                });
                it("gives each replica the app's environment contract", () => {
                    const creds = JSON.parse(run().outputs.databaseCredentialsSecret);
                    for (const [i, r] of replicasOf(run()).entries()) {
                        const env = envOf(r);
                        assert.equal(env.PORT, "8080");
                        assert.equal(env.HOST, "0.0.0.0");
                        assert.equal(env.MCP_TIER, tier);
                        assert.equal(env.MCP_REPLICA_ID, `mcp-server-${i}`);
                        assert.equal(env.MCP_ALLOWED_HOSTS, "localhost:8080,127.0.0.1:8080");
                        assert.equal(env.METRICS_PORT, "9464");
                        const files = secretFilesOf(run(), r);
                        assert.equal(files.DATABASE_URL.content, creds.url);
                        // The append-only server role that audit:migrate creates, not the administrator.
                        assert.equal(
                            files.DATABASE_URL.content,
                            `postgres://mcp_server:${encodeURIComponent(creds.password)}@mcp-audit:5432/mcp_audit?sslmode=disable`,
                        );
                        assert.equal(env.DATABASE_SSL, "disable");
                        if (spec.cache.store === "managed") {
                            const token = JSON.parse(run().outputs.cacheAuthSecret).token;
                            assert.equal(files.REDIS_URL.content, `redis://:${encodeURIComponent(token)}@mcp-cache:6379`);
                        } else {
                            assert.equal(files.REDIS_URL, undefined, "no cache, no REDIS_URL");
                            assert.equal(env.REDIS_URL_FILE, undefined);
                        }
                        assert.equal(files.MCP_API_KEYS.content, run().outputs.apiKeySecret);
                        for (const name of ["DATABASE_URL", "REDIS_URL", "MCP_API_KEYS"])
                            assert.equal(env[name], undefined, `${name} is a file, not a value`);
                        assert.equal(r.inputs.user, "1000:0", "node (uid 1000) in group 0 reads the root:0 0440 files");
                    }
                });
                it("limits each replica to the tier's vCPU and memory, checks /health and restarts", () => {
                    for (const r of replicasOf(run())) {
                        assert.equal(r.inputs.cpus, String(spec.service.milliCpu / 1000));
                        assert.equal(r.inputs.memory, spec.service.memoryMiB);
                        assert.equal(r.inputs.healthcheck.tests[0], "CMD");
                        assert.match(r.inputs.healthcheck.tests.join(" "), /127\.0\.0\.1:8080\/health/);
                        assert.equal(r.inputs.restart, "unless-stopped");
                        assert.equal(r.inputs.readOnly, true);
                        assert.deepEqual(r.inputs.capabilities, { drops: ["ALL"] });
                    }
                });
            });

            describe("EdgeLB (nginx container)", () => {
                const nginx = () => named(run(), T.container, "mcp-edge-nginx");
                it("publishes port 8080 on the loopback address only, from the front network", () => {
                    assert.deepEqual(nginx().inputs.ports, [{ internal: 8080, external: 8080, ip: "127.0.0.1", protocol: "tcp" }]);
                    assert.deepEqual(networksOf(nginx()), [frontName()]);
                    assert.equal(run().outputs.mcpUrl, "http://localhost:8080/mcp");
                });
                it("uploads the nginx.conf that renderNginxConfig gives for the replicas", () => {
                    const uploads = nginx().inputs.uploads;
                    assert.equal(uploads.length, 1);
                    assert.equal(uploads[0].file, "/etc/nginx/nginx.conf");
                    const upstreams = replicasOf(run()).map((r) => ({ host: r.inputs.networksAdvanced[0].aliases[0], port: 8080 }));
                    assert.equal(upstreams.length, spec.service.minReplicas);
                    const expected = renderNginxConfig({
                        listenPort: 8080,
                        upstreams,
                        rateLimitPerMinute: spec.edge.rateLimitPerMinute,
                        serverNames: ["localhost", "127.0.0.1"],
                        readTimeoutSeconds: spec.edge.idleTimeoutSeconds,
                    });
                    assert.equal(uploads[0].content, expected);
                });
                it("is replaced with the replicas (their IDs are in a label)", () => {
                    const label = nginx().inputs.labels.find((l: any) => l.label === "mcp-infra.upstreams");
                    assert.equal(
                        label.value,
                        replicasOf(run())
                            .map((r) => `${r.name}-id`)
                            .join(","),
                    );
                });
            });

            describe("audit log: append-only server role, migrate step, checkpoints (docs/audit.md)", () => {
                const migrate = () => named(run(), T.container, "mcp-server-audit-migrate");
                const creds = () => JSON.parse(run().outputs.databaseCredentialsSecret);
                it("runs audit:migrate once, as the administrator, on the data network, and waits for it to exit", () => {
                    const m = migrate();
                    assert.deepEqual(m.inputs.command, ["node", "dist/audit/migrate.js"]);
                    assert.deepEqual([m.inputs.attach, m.inputs.mustRun, m.inputs.restart], [true, false, "no"]);
                    assert.deepEqual(networksOf(m), [dataName()]);
                    const env = envOf(m);
                    const files = secretFilesOf(run(), m);
                    assert.equal(files.DATABASE_ADMIN_URL.content, creds().adminUrl);
                    assert.match(files.DATABASE_ADMIN_URL.content, /^postgres:\/\/mcp_admin:/);
                    assert.equal(env.MCP_AUDIT_SERVER_ROLE, "mcp_server");
                    assert.equal(files.MCP_AUDIT_SERVER_PASSWORD.content, creds().password);
                    assert.equal(env.DATABASE_ADMIN_URL, undefined);
                    assert.equal(env.MCP_AUDIT_SERVER_PASSWORD, undefined);
                    assert.equal(m.inputs.user, "1000:0");
                    assert.equal(m.inputs.image, replicasOf(run())[0].inputs.image, "the server's own image");
                });
                it("the replicas connect as the append-only role, never see the administrator's credentials, and do not migrate", () => {
                    for (const r of replicasOf(run())) {
                        const env = envOf(r);
                        const files = secretFilesOf(run(), r);
                        assert.match(files.DATABASE_URL.content, /^postgres:\/\/mcp_server:/);
                        assert.equal(files.DATABASE_ADMIN_URL, undefined);
                        assert.equal(env.DATABASE_ADMIN_URL_FILE, undefined);
                        for (const f of Object.values(files))
                            assert.ok(!f.content.includes(creds().adminPassword), `${r.name} reads the administrator's password`);
                        assert.equal(env.MCP_AUDIT_MIGRATE, "off");
                    }
                });
                it("checkpoints to a named volume at the tier's cadence (not write-once, and the summary says so)", () => {
                    const vol = named(run(), T.volume, "mcp-server-audit-anchors");
                    for (const r of replicasOf(run())) {
                        const env = envOf(r);
                        assert.equal(env.MCP_AUDIT_ANCHORS, "file:///var/lib/mcp/anchors");
                        assert.equal(env.MCP_AUDIT_CHECKPOINT_INTERVAL_S, String(spec.audit.checkpointIntervalSeconds));
                        assert.equal(env.MCP_AUDIT_CHECKPOINT_ENTRIES, String(spec.audit.checkpointEntries));
                        assert.deepEqual(r.inputs.volumes[0], { volumeName: `${vol.name}-1a2b3c`, containerPath: "/var/lib/mcp/anchors" });
                    }
                    assert.equal(run().outputs.summary.cluster.auditAnchors.writeOnce, false);
                });
            });

            describe("secrets through files only (issue 14, finding 6)", () => {
                const containers = () => all(run(), T.container);
                it("no container's environment, command, entrypoint, health check or labels holds a generated password or key", () => {
                    const secrets = generatedSecrets(run());
                    assert.equal(secrets.length, spec.cache.store === "managed" ? 4 : 3);
                    for (const c of containers()) {
                        for (const key of ["envs", "command", "entrypoints", "healthcheck", "labels"]) {
                            const text = JSON.stringify(c.inputs[key] ?? null);
                            for (const s of secrets) assert.ok(!text.includes(s), `${c.name}.${key} holds a generated secret`);
                        }
                    }
                });
                it("every uploaded file holding a secret is 0440 (read-only, not world-readable) and a Pulumi secret", () => {
                    const secrets = generatedSecrets(run());
                    let seen = 0;
                    for (const c of containers()) {
                        for (const [file, u] of Object.entries(uploadsOf(c))) {
                            if (!secrets.some((s) => u.content.includes(s))) continue;
                            seen++;
                            assert.equal(u.permissions, "0440", `${c.name}:${file}`);
                            assert.ok(c.secretInputs.includes("uploads"), `${c.name}'s uploads are a Pulumi secret`);
                        }
                    }
                    // postgres, the server's DATABASE_URL and MCP_API_KEYS, the migrate step's two, and Redis's config + REDIS_URL.
                    assert.equal(seen, spec.cache.store === "managed" ? 7 : 5);
                });
                it("each *_FILE variable names a file uploaded for that container (directly or through its read-only secret volume)", () => {
                    for (const c of containers().filter((x) => x.inputs.start !== false)) {
                        const env = envOf(c);
                        const direct = uploadsOf(c);
                        const viaVolume = secretFilesOf(run(), c);
                        for (const [name, value] of Object.entries(env)) {
                            if (!name.endsWith("_FILE")) continue;
                            assert.ok(direct[value] || viaVolume[name.slice(0, -5)], `${c.name}: ${name}=${value} is not uploaded`);
                        }
                    }
                    const replicaVars = Object.keys(envOf(replicasOf(run())[0]))
                        .filter((n) => n.endsWith("_FILE"))
                        .sort();
                    assert.deepEqual(
                        replicaVars,
                        ["DATABASE_URL_FILE", "MCP_API_KEYS_FILE", ...(spec.cache.store === "managed" ? ["REDIS_URL_FILE"] : [])].sort(),
                    );
                });
                it("the secret volumes are filled by loaders that never start, and only their readers mount them", () => {
                    const loaders = containers().filter((c) => c.inputs.start === false);
                    assert.deepEqual(loaders.map((l) => l.name).sort(), ["mcp-server-migrate-secrets-loader", "mcp-server-secrets-loader"]);
                    for (const l of loaders) {
                        assert.deepEqual(
                            [l.inputs.mustRun, l.inputs.networkMode, l.inputs.volumes[0].containerPath, l.inputs.volumes[0].readOnly],
                            [false, "none", "/run/secrets", undefined],
                        );
                        const readers = containers().filter(
                            (c) => c !== l && (c.inputs.volumes ?? []).some((v: any) => v.volumeName === l.inputs.volumes[0].volumeName),
                        );
                        const expected = l.name.includes("migrate") ? ["mcp-server-audit-migrate"] : replicasOf(run()).map((r) => r.name);
                        assert.deepEqual(readers.map((r) => r.name).sort(), [...expected].sort());
                        for (const r of readers) {
                            assert.equal(r.inputs.readOnly, true, `${r.name} keeps its read-only root file system`);
                            assert.equal(
                                r.inputs.labels.find((x: any) => x.label === "mcp-infra.secrets")?.value,
                                `${l.name}-id`,
                                `${r.name} is replaced with new secrets`,
                            );
                        }
                    }
                });
            });

            it("passes no generated secret through any input that is not a Pulumi secret", () => {
                const secrets = generatedSecrets(run());
                for (const s of secrets) assert.ok(s.length >= 32);
                for (const r of run().resources) {
                    for (const [key, value] of Object.entries(r.inputs)) {
                        if (r.secretInputs.includes(key)) continue;
                        const text = JSON.stringify(value);
                        for (const s of secrets) assert.ok(!text.includes(s), `${r.name}.${key} holds a generated secret in plain text`);
                    }
                }
                assert.ok(!JSON.stringify(run().outputs.summary).includes(secrets[1]), "the summary holds no secret");
            });

            it("reports summaries that say what a single Docker host really runs", () => {
                const s = run().outputs.summary;
                assert.deepEqual(s.cluster, {
                    cloud: "local",
                    minReplicas: spec.service.minReplicas,
                    maxReplicas: spec.service.minReplicas,
                    targetCpuPercent: 0,
                    scalesToZero: false,
                    cpuArchitecture: HOST_ARCH,
                    milliCpu: spec.service.milliCpu,
                    memoryMiB: spec.service.memoryMiB,
                    zones: 1,
                    publicIp: false,
                    logRetentionDays: 0,
                    auditAnchors: {
                        location: "file:///var/lib/mcp/anchors",
                        writeOnce: false,
                        retentionDays: 0,
                        note: "a Docker volume: NOT write-once; anyone with access to the Docker host can change or delete the checkpoints",
                    },
                });
                assert.deepEqual(s.database, {
                    cloud: "local",
                    engine: "postgres",
                    engineVersion: "17",
                    sku: named(run(), T.remoteImage, "mcp-audit-image").inputs.name,
                    vcpu: spec.database.vcpu,
                    memoryGiB: spec.database.memoryGiB,
                    storageGiB: 0,
                    highAvailability: false,
                    backupRetentionDays: 0,
                    pointInTimeRestore: false,
                    deletionProtection: false,
                    readReplicas: 0,
                    encryptedAtRest: false,
                    tlsRequired: false,
                    publicAccess: false,
                });
                assert.deepEqual(
                    s.cache,
                    spec.cache.store === "embedded"
                        ? null
                        : {
                              cloud: "local",
                              engine: "redis",
                              sku: named(run(), T.remoteImage, "mcp-cache-image").inputs.name,
                              memoryMiB: spec.cache.memoryMiB,
                              highAvailability: false,
                              replicas: 0,
                              tls: false,
                              encryptedAtRest: false,
                              authRequired: true,
                              publicAccess: false,
                          },
                );
                assert.deepEqual(s.edge, {
                    cloud: "local",
                    kind: "loadBalancer",
                    tls: "none",
                    httpRedirect: false,
                    waf: false,
                    managedRuleSets: [],
                    rateLimitPerMinute: spec.edge.rateLimitPerMinute,
                    idleTimeoutSeconds: spec.edge.idleTimeoutSeconds,
                    healthPath: "/health",
                });
            });

            it("names every child after its component", () => {
                const components = ["mcp-network", "mcp-image", "mcp-audit", "mcp-cache", "mcp-edge", "mcp-server", "mcp-monitor"];
                for (const r of run().resources.filter((x) => x.custom)) {
                    assert.ok(
                        components.some((c) => r.name.startsWith(`${c}-`)),
                        `${r.name} is not named under a component`,
                    );
                }
                assert.equal(run().resources.filter((r) => !r.custom).length, spec.cache.store === "managed" ? 8 : 7);
            });
        });
    }

    describe("secrets", () => {
        it("are secret stack outputs; the summary is not", async () => {
            const run = await runProgram("prod-local", readStackFile("prod-local"), () => {
                const out = main();
                const secret = (o: pulumi.Output<unknown>) => pulumi.output(pulumi.isSecret(o));
                return {
                    apiKey: secret(out.apiKeySecret),
                    database: secret(out.databaseCredentialsSecret),
                    cache: secret(out.cacheAuthSecret!),
                    summary: secret(out.summary),
                };
            });
            assert.deepEqual(run.outputs, { apiKey: true, database: true, cache: true, summary: false });
        });
    });

    describe("overrides", () => {
        it("minReplicas sets the number of server containers and nginx upstreams; sizes reach the containers", async () => {
            const run = await runProgram("prod-local", {
                ...readStackFile("prod-local"),
                "mcp-infra:minReplicas": "3",
                "mcp-infra:serviceMilliCpu": "1000",
                "mcp-infra:serviceMemoryMiB": "2048",
                "mcp-infra:cacheMemoryMiB": "256",
                "mcp-infra:dbVcpu": "1",
                "mcp-infra:dbMemoryGiB": "4",
            });
            const replicas = replicasOf(run);
            assert.equal(replicas.length, 3);
            assert.deepEqual(
                replicas.map((r) => envOf(r).MCP_REPLICA_ID),
                ["mcp-server-0", "mcp-server-1", "mcp-server-2"],
            );
            for (const r of replicas) assert.deepEqual([r.inputs.cpus, r.inputs.memory], ["1", 2048]);
            const conf: string = named(run, T.container, "mcp-edge-nginx").inputs.uploads[0].content;
            assert.deepEqual(conf.match(/server mcp-server-\d+:8080/g), [
                "server mcp-server-0:8080",
                "server mcp-server-1:8080",
                "server mcp-server-2:8080",
            ]);
            const redis = uploadsOf(named(run, T.container, "mcp-cache-redis"))["/usr/local/etc/redis/redis.conf"].content;
            assert.match(redis, /^maxmemory 256mb$/m);
            const pg = named(run, T.container, "mcp-audit-postgres");
            assert.deepEqual([pg.inputs.cpus, pg.inputs.memory], ["1", 4096]);
            const s = run.outputs.summary;
            assert.deepEqual(
                [s.cluster.minReplicas, s.cluster.milliCpu, s.cluster.memoryMiB, s.cache.memoryMiB, s.database.memoryGiB],
                [3, 1000, 2048, 256, 4],
            );
        });

        it("a managed session store on dev adds the redis container and REDIS_URL", async () => {
            const run = await runProgram("dev-local", {
                ...readStackFile("dev-local"),
                "mcp-infra:sessionStore": "managed",
                "mcp-infra:minReplicas": "2",
                "mcp-infra:maxReplicas": "2",
            });
            const redis = named(run, T.container, "mcp-cache-redis");
            const token = JSON.parse(run.outputs.cacheAuthSecret).token;
            assert.match(uploadsOf(redis)["/usr/local/etc/redis/redis.conf"].content, new RegExp(`^requirepass ${token}$`, "m"));
            const replicas = replicasOf(run);
            assert.equal(replicas.length, 2);
            for (const r of replicas) assert.equal(secretFilesOf(run, r).REDIS_URL.content, `redis://:${token}@mcp-cache:6379`);
            assert.equal(run.outputs.summary.cache.authRequired, true);
        });

        it("your own image is pulled (or found) on the host, not built", async () => {
            const run = await runProgram("dev-local", { ...readStackFile("dev-local"), "mcp-infra:image": "ghcr.io/acme/mcp:1.2.3" });
            assert.equal(all(run, T.image).length, 0, "nothing is built");
            const image = named(run, T.remoteImage, "mcp-image-image");
            assert.deepEqual(image.inputs, {
                name: "ghcr.io/acme/mcp:1.2.3",
                keepLocally: true,
                platform: HOST_ARCH === "arm64" ? "linux/arm64" : "linux/amd64",
            });
            for (const r of replicasOf(run)) assert.match(r.inputs.image, /^sha256:[0-9a-f]{64}$/);
        });
    });

    describe("bad input fails at preview with the key", () => {
        it("a domain (the local edge has no certificate)", () =>
            rejectsConfig("dev-local", { "mcp-infra:domain": "mcp.example.com" }, "mcp-infra:domain", /local/, /http:\/\/localhost:8080/));
        it("a cloud database class", () =>
            rejectsConfig(
                "prod-local",
                { "mcp-infra:dbInstanceClass": "db.t4g.medium" },
                "mcp-infra:dbInstanceClass",
                /dbVcpu and dbMemoryGiB/,
            ));
        it("a cloud cache node type", () =>
            rejectsConfig("prod-local", { "mcp-infra:cacheNodeType": "cache.t4g.small" }, "mcp-infra:cacheNodeType", /cacheMemoryMiB/));
        it("more replicas than allowed", () =>
            rejectsConfig("dev-local", { "mcp-infra:minReplicas": "101" }, "mcp-infra:minReplicas", /whole number from 1 to 100/));
        it("minReplicas above maxReplicas", () =>
            rejectsConfig(
                "prod-local",
                { "mcp-infra:maxReplicas": "1" },
                "mcp-infra:maxReplicas",
                /minReplicas \(2\) is above maxReplicas \(1\)/,
            ));
        it("a CPU architecture other than the Docker host's", () => {
            const other = HOST_ARCH === "arm64" ? "x86_64" : "arm64";
            return rejectsConfig(
                "dev-local",
                { "mcp-infra:cpuArchitecture": other },
                "mcp-infra:cpuArchitecture",
                new RegExp(`host's own architecture \\(${HOST_ARCH}\\)`),
            );
        });
    });

    describe("the edge summary reads the nginx configuration", () => {
        it("reports a rate limit only where a location applies the zone, per minute", () => {
            const zone = "limit_req_zone $binary_remote_addr zone=z:10m rate=10r/s;";
            assert.equal(summarizeNginx(`${zone} location = /mcp { limit_req zone=z burst=5; }`, "/health").rateLimitPerMinute, 600);
            assert.equal(
                summarizeNginx(`${zone} location = /mcp { proxy_pass http://u; }`, "/health").rateLimitPerMinute,
                null,
                "a zone nobody uses limits nothing",
            );
        });
        it("reports TLS and a redirect only when the configuration has them", () => {
            const plain = summarizeNginx("server { listen 8080; proxy_read_timeout 120s; }", "/health");
            assert.deepEqual([plain.tls, plain.httpRedirect, plain.idleTimeoutSeconds], ["none", false, 120]);
            const tls = summarizeNginx(
                "server { listen 80; return 301 https://$host$request_uri; } server { listen 443 ssl; ssl_protocols TLSv1.2 TLSv1.3; }",
                "/health",
            );
            assert.deepEqual([tls.tls, tls.httpRedirect, tls.idleTimeoutSeconds], ["modern", true, 60]);
            assert.equal(
                summarizeNginx("server { listen 443 ssl; ssl_protocols TLSv1 TLSv1.2; }", "/").tls,
                "none",
                "TLS 1.0 is not modern",
            );
        });
    });

    describe("as a library", () => {
        const build = (tier: TierName, withCache: boolean, overrides: lib.TierOverrides = {}) =>
            runProgram("lib-local", {}, () => {
                const network = new lib.Network("n", { cloud: "local", tier, overrides });
                const image = new lib.ServerImage("img", { network, image: "mcp:dev" });
                const database = new lib.AuditDatabase("db", { network, overrides });
                const cache = withCache ? new lib.SessionCache("kv", { network, overrides }) : undefined;
                const edge = new lib.EdgeLB("lb", { network });
                const cluster = new lib.McpCluster("svc", {
                    network,
                    image,
                    database,
                    cache,
                    edge,
                    overrides,
                    environment: { LOG_LEVEL: "debug" },
                });
                return { summary: cluster.summary, url: edge.mcpUrl };
            });

        it("needs a cache when more than one replica may run, and runs one replica without one", async () => {
            await assert.rejects(build("prod", false), /McpCluster\.cache: is required when more than one replica/);
            const run = await build("prod", false, { minReplicas: 1, maxReplicas: 1 });
            const [replica] = all(run, T.container).filter((c) => c.name.startsWith("svc-replica-"));
            const env = envOf(replica);
            assert.equal(env.REDIS_URL, undefined, "no cache, no REDIS_URL");
            assert.equal(env.LOG_LEVEL, "debug", "extra environment reaches the server");
            assert.equal(env.MCP_REPLICA_ID, "svc-0");
            assert.match(secretFilesOf(run, replica).DATABASE_URL.content, /@db:5432\/mcp_audit/);
            assert.match(named(run, T.container, "lb-nginx").inputs.uploads[0].content, /server svc-0:8080 /);
            assert.equal(run.outputs.url, "http://localhost:8080/mcp");
            assert.equal(run.outputs.summary.minReplicas, 1);
        });
    });
});
