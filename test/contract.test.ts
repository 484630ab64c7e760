/**
 * The cloud contract (components/contract.ts): parts from one cloud and one
 * network only, transforms refused for a role no child has, one server
 * contract every cloud honours (read back through the app's own config
 * loader), and no import cycle between the contract and the cloud folders.
 */
import * as aws from "@pulumi/aws";
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadConfig } from "../app/src/config";
import * as lib from "../lib";
import { SERVER_ENVIRONMENT_NAMES, SERVER_SECRET_NAMES, WiringError } from "../components/contract";
import { SECRET_FILE_MODE } from "../components/local/common";
import { AVAILABLE_CLOUDS, cloudModule, DESCRIPTORS } from "../components/registry";
import { componentsOf, roleOf } from "../scripts/gen-roles";
import { listStacks, ProgramRun, runProgram, runStack } from "../scripts/harness";
import { ConfigError } from "../sizing";
import { containers, named } from "./util";

const AWS_GCP_CONFIG = { "aws:region": "eu-west-1", "gcp:project": "mcp-infra-demo", "gcp:region": "us-central1" };

describe("cloud contract: parts belong together", () => {
    it("refuses an AWS McpCluster given a GCP AuditDatabase, naming both networks and clouds", async () => {
        await assert.rejects(
            runProgram("lib-mixed", AWS_GCP_CONFIG, () => {
                const awsNet = new lib.Network("aws-net", { cloud: "aws", tier: "prod" });
                const gcpNet = new lib.Network("gcp-net", { cloud: "gcp", tier: "prod" });
                const image = new lib.ServerImage("img", { network: awsNet, image: "ghcr.io/acme/mcp:1" });
                const database = new lib.AuditDatabase("gcp-db", { network: gcpNet });
                const cache = new lib.SessionCache("kv", { network: awsNet });
                const edge = new lib.EdgeLB("lb", { network: awsNet, domain: "mcp.example.com" });
                // The compiler refuses it (the parts' cloud is inferred from the network); JavaScript callers and casts meet the check below.
                // @ts-expect-error a GCP AuditDatabase is no AuditDatabase<"aws">
                new lib.McpCluster("svc", { network: awsNet, image, database, cache, edge });
                return {};
            }),
            (e: unknown) => {
                assert.ok(e instanceof WiringError, `expected a WiringError, got ${e}`);
                assert.equal(e.arg, "database");
                assert.match(e.message, /McpCluster "svc": database: AuditDatabase "gcp-db" is on the gcp network "gcp-net"/);
                assert.match(e.message, /this McpCluster is on the aws network "aws-net"/);
                return true;
            },
        );
    });

    it("refuses a part built on another network of the same cloud", async () => {
        await assert.rejects(
            runProgram("lib-two-nets", AWS_GCP_CONFIG, () => {
                const a = new lib.Network("net-a", { cloud: "aws", tier: "dev" });
                const b = new lib.Network("net-b", { cloud: "aws", tier: "dev", cidr: "10.1.0.0/16" });
                const image = new lib.ServerImage("img", { network: a, image: "ghcr.io/acme/mcp:1" });
                const database = new lib.AuditDatabase("db", { network: a });
                const edge = new lib.EdgeLB("lb", { network: b, domain: "mcp.example.com" });
                new lib.McpCluster("svc", { network: a, image, database, edge });
                return {};
            }),
            /McpCluster "svc": edge: EdgeLB "lb" is on the aws network "net-b", but this McpCluster is on the aws network "net-a"/,
        );
    });
});

describe("cloud contract: transforms", () => {
    it("refuses a misspelt role, listing the roles that component has on that cloud", async () => {
        await assert.rejects(
            runProgram("lib-aws", { "aws:region": "eu-west-1" }, () => {
                const network = new lib.Network("n", { cloud: "aws", tier: "dev" });
                // The compiler refuses the misspelt role too ("Did you mean to write 'instance'?"); at run time it fails as below.
                new lib.AuditDatabase("db", {
                    network,
                    transform: {
                        // @ts-expect-error instanse is no role of an AWS AuditDatabase
                        instanse: (args: aws.rds.InstanceArgs) => {
                            args.performanceInsightsEnabled = true;
                        },
                    },
                });
                return {};
            }),
            (e: unknown) => {
                assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
                assert.equal(e.key, "AuditDatabase.transform.instanse");
                assert.match(e.message, /no child of AuditDatabase "db" on aws has this role; its roles here: .*\binstance\b/);
                return true;
            },
        );
    });

    it("types every role a stack creates: each is in the generated components/roles.ts (rerun scripts/gen-roles.ts otherwise)", async () => {
        // cloud -> component -> role, read back from the generated file's layout.
        const text = fs.readFileSync(path.resolve(__dirname, "..", "components", "roles.ts"), "utf8");
        const listed = new Set<string>();
        let cloud = "";
        let component = "";
        for (const line of text.split("\n")) {
            cloud = /^ {4}(\w+): \{$/.exec(line)?.[1] ?? cloud;
            component = /^ {8}(\w+): \{$/.exec(line)?.[1] ?? component;
            // A role is a quoted key, a plain identifier (as prettier leaves it) or a template index signature.
            const r = /^ {12}(?:"([^"]+)"|([A-Za-z_$][\w$]*)|\[role: `([^`]+)`\]):/.exec(line);
            if (r) listed.add(`${cloud}:${component}:${r[1] ?? r[2] ?? r[3]}`);
        }
        assert.ok(listed.size > 100, "roles.ts lists the roles");
        for (const stack of listStacks()) {
            const run = await runStack(stack);
            const components = componentsOf(run);
            for (const r of run.resources) {
                const found = roleOf(r, components);
                if (found)
                    assert.ok(
                        listed.has(`${run.config["mcp-infra:cloud"]}:${found.component}:${found.role}`),
                        `${stack}: ${r.name} (${found.component} role ${found.role}) is not typed`,
                    );
            }
        }
    });

    it("accepts a role the edge creates only in the hand-off with the cluster (GCP load balancer backend)", async () => {
        const run = await runProgram("lib-gcp", AWS_GCP_CONFIG, () => {
            const network = new lib.Network("n", { cloud: "gcp", tier: "prod" });
            const image = new lib.ServerImage("img", { network, image: "ghcr.io/acme/mcp:1" });
            const database = new lib.AuditDatabase("db", { network });
            const cache = new lib.SessionCache("kv", { network });
            const edge = new lib.EdgeLB("lb", {
                network,
                domain: "mcp.example.com",
                transform: {
                    backend: (args) => {
                        args.description = "tagged";
                    },
                },
            });
            new lib.McpCluster("svc", { network, image, database, cache, edge });
            return { edge: edge.summary };
        });
        assert.equal(named(run, "gcp:compute/backendService:BackendService", "lb-backend").inputs.description, "tagged");
        assert.equal(run.outputs.edge.cloud, "gcp");
    });
});

/** The server's plain variables and the names of its secrets, as the replica resource of `run` declares them. */
function serverVariables(run: ProgramRun, cloud: string): { plain: Record<string, string>; secrets: string[]; asFiles?: boolean } {
    const pairs = (list: Array<{ name: string; value?: unknown }>, isSecret: (e: any) => boolean) => ({
        plain: Object.fromEntries(list.filter((e) => !isSecret(e)).map((e) => [e.name, String(e.value)])),
        secrets: list.filter(isSecret).map((e) => e.name),
    });
    const replica = run.resources.find(
        (r) =>
            r.type === DESCRIPTORS[cloud as keyof typeof DESCRIPTORS].replicas.type &&
            DESCRIPTORS[cloud as keyof typeof DESCRIPTORS].replicas.alwaysOn(r.inputs) >= 0 &&
            (cloud !== "local" || (r.inputs.labels ?? []).some((l: any) => l.label === "mcp-infra.replica")),
    );
    assert.ok(replica || cloud === "aws", `${run.stack}: no replica resource`);
    switch (cloud) {
        case "aws": {
            const [c] = containers(run.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition")!);
            return {
                plain: Object.fromEntries(c.environment.map((e: any) => [e.name, e.value])),
                secrets: c.secrets.map((s: any) => s.name),
            };
        }
        case "azure":
            return pairs(replica!.inputs.template.containers[0].env, (e) => e.secretRef !== undefined);
        case "gcp":
            return pairs(replica!.inputs.template.containers[0].envs, (e) => e.valueSource !== undefined);
        default: {
            const env = (replica!.inputs.envs as string[]).map((kv) => {
                const i = kv.indexOf("=");
                return { name: kv.slice(0, i), value: kv.slice(i + 1) };
            });
            // The local target has no secret store: each secret is a file the replica mounts, named by `<secret>_FILE`.
            const isFile = (e: { name: string }) =>
                e.name.endsWith("_FILE") && (SERVER_SECRET_NAMES as readonly string[]).includes(e.name.slice(0, -5));
            const p = pairs(env, isFile);
            return { plain: p.plain, secrets: p.secrets.map((n) => n.slice(0, -5)), asFiles: true };
        }
    }
}

const SAMPLE_SECRETS: Record<string, string> = {
    DATABASE_URL: "postgres://mcp_admin:pw@db.internal:5432/mcp_audit",
    REDIS_URL: "rediss://:token@cache.internal:6379",
    MCP_API_KEYS: "k".repeat(40),
};
/** A sample secret written to a 0440 file (the local target's SECRET_FILE_MODE), for the *_FILE variables. */
const sampleDirs: string[] = [];
function sampleFile(name: string, content: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-contract-"));
    sampleDirs.push(dir);
    const file = path.join(dir, name.toLowerCase());
    fs.writeFileSync(file, `${content}\n`);
    fs.chmodSync(file, Number.parseInt(SECRET_FILE_MODE, 8));
    return file;
}
const SAMPLE_CA = "-----BEGIN CERTIFICATE-----\nMIIBsample\n-----END CERTIFICATE-----";

describe("cloud contract: one server contract, read by the app's own config loader", () => {
    after(() => {
        for (const d of sampleDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    });
    for (const stack of ["dev-aws", "prod-aws", "dev-azure", "prod-azure", "dev-gcp", "prod-gcp", "dev-local", "prod-local"]) {
        it(`${stack}: every variable the infrastructure sets is one app/src/config.ts reads, and it loads`, async () => {
            const run = await runStack(stack);
            const cloud = run.config["mcp-infra:cloud"];
            const { plain, secrets, asFiles } = serverVariables(run, cloud);
            assert.deepEqual(
                [...secrets].sort(),
                SERVER_SECRET_NAMES.filter((n) => n !== "REDIS_URL" || secrets.includes("REDIS_URL")).sort(),
                `${stack}: the secrets are the contract's`,
            );
            for (const name of Object.keys(plain)) {
                if (name === "MCP_REPLICA_ID") continue; // the local target names each container
                assert.ok(
                    (SERVER_ENVIRONMENT_NAMES as readonly string[]).includes(name),
                    `${stack}: ${name} is not in the server contract`,
                );
            }
            // Secrets given as files (the local target) are read from files of the mode it uploads them with.
            const secretEnv = asFiles
                ? Object.fromEntries(secrets.map((s) => [`${s}_FILE`, sampleFile(s, SAMPLE_SECRETS[s])]))
                : Object.fromEntries(secrets.map((s) => [s, SAMPLE_SECRETS[s]]));
            const env: Record<string, string> = { ...plain, ...secretEnv };
            if (env.REDIS_CA_CERT !== undefined) env.REDIS_CA_CERT = SAMPLE_CA; // the mock's CA output is not a PEM
            // The server parses a database CA: a real certificate for the mock's, the image's path as the repository's.
            if (env.DATABASE_CA_CERT !== undefined)
                env.DATABASE_CA_CERT = fs.readFileSync(path.join(__dirname, "..", "app", "certs", "azure-postgres-roots.pem"), "utf8");
            if (env.DATABASE_CA_CERT_FILE !== undefined)
                env.DATABASE_CA_CERT_FILE = path.join(__dirname, "..", "app", path.relative("/srv/app", env.DATABASE_CA_CERT_FILE));
            const read = new Set<string>();
            const config = loadConfig(
                new Proxy(env, {
                    get: (t, k: string) => {
                        read.add(k);
                        return t[k];
                    },
                }),
            );
            // NODE_ENV is read by Node's libraries (express), not by the app's loader.
            const unread = Object.keys(env).filter((name) => !read.has(name) && name !== "NODE_ENV");
            assert.deepEqual(unread, [], `${stack}: variables the app never reads`);
            assert.equal(config.tier, run.config["mcp-infra:tier"]);
            if (asFiles) {
                // The keys file is read (and checked to hold a key) at load, and re-read on SIGHUP by auth/apiKeys.ts.
                assert.equal(config.apiKeysFile, env.MCP_API_KEYS_FILE, "the API key file reaches the server");
                assert.deepEqual(config.warnings ?? [], [], "0440 secret files give no warning");
            } else {
                assert.equal(config.apiKeys.length, 1, "the API key reaches the server");
            }
        });
    }
});

/** Relative imports of a TypeScript file (static `import`/`export ... from` and `require("./...")`), resolved to files. */
function importsOf(file: string): string[] {
    const src = fs.readFileSync(file, "utf8");
    const specs = [...src.matchAll(/(?:from\s+|require\()\s*"(\.[^"]+)"/g)].map((m) => m[1]);
    return specs
        .map((s) => {
            const base = path.resolve(path.dirname(file), s);
            return [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f))!;
        })
        .filter(Boolean);
}

/** Every file reachable from `start` through relative imports. */
function reachable(start: string): Set<string> {
    const seen = new Set<string>();
    const todo = [start];
    while (todo.length) {
        const f = todo.pop()!;
        if (seen.has(f)) continue;
        seen.add(f);
        todo.push(...importsOf(f));
    }
    return seen;
}

describe("cloud contract: structure", () => {
    const components = path.resolve(__dirname, "..", "components");
    const cloudDirs = AVAILABLE_CLOUDS.map((c) => path.join(components, c) + path.sep);

    it("the contract reaches no cloud folder and not the registry", () => {
        for (const f of reachable(path.join(components, "contract.ts"))) {
            assert.ok(!cloudDirs.some((d) => f.startsWith(d)), `contract.ts reaches ${path.relative(components, f)}`);
            assert.notEqual(f, path.join(components, "registry.ts"));
        }
    });

    it("no cloud folder reaches the registry, a neutral component or another cloud's folder (no import cycle)", () => {
        for (const cloud of AVAILABLE_CLOUDS) {
            const own = path.join(components, cloud) + path.sep;
            for (const f of reachable(path.join(own, "index.ts"))) {
                const rel = path.relative(components, f);
                assert.ok(
                    f.startsWith(own) || ["base.ts", "contract.ts", "types.ts"].includes(rel) || !f.startsWith(components + path.sep),
                    `${cloud}/ reaches ${rel}`,
                );
            }
        }
    });

    it("every cloud module has the six builders, the hand-off on its edge, and a descriptor for its own cloud", () => {
        for (const cloud of AVAILABLE_CLOUDS) {
            const m = cloudModule(cloud);
            for (const b of ["createNetwork", "createImage", "createDatabase", "createCache", "createEdge", "createCluster"] as const) {
                assert.equal(typeof m[b], "function", `${cloud}.${b}`);
            }
            assert.equal(m.descriptor, DESCRIPTORS[cloud]);
            assert.equal(m.descriptor.cloud, cloud);
        }
    });
});
