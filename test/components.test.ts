/** The components used one by one from the library entry, as another Pulumi program would. */
import * as assert from "node:assert/strict";
import * as lib from "../lib";
import * as fs from "fs";
import * as path from "path";
import { runProgram, runStack } from "../scripts/harness";

describe("library entry", () => {
    it("exports the four components, the shared pieces and the composite", () => {
        for (const name of ["McpCluster", "AuditDatabase", "SessionCache", "EdgeLB", "Network", "ServerImage", "McpDeployment"]) {
            assert.equal(typeof (lib as any)[name], "function", name);
        }
    });

    it("builds the bundled image from the repository root with app/Dockerfile and runs it by digest", async () => {
        const run = await runStack("dev-aws");
        const image = run.resources.find((r) => r.type === "docker:index/image:Image")!;
        const root = path.resolve(__dirname, "..");
        assert.equal(image.inputs.build.context, root);
        assert.equal(image.inputs.build.dockerfile, path.join(root, "app", "Dockerfile"));
        assert.ok(fs.existsSync(image.inputs.build.dockerfile), "the Dockerfile exists");
        assert.ok(fs.existsSync(path.join(root, "app", "Dockerfile.dockerignore")), "the build context is filtered");
        const task = run.resources.find((r) => r.name === "mcp-server-task")!;
        assert.match(JSON.parse(task.inputs.containerDefinitions)[0].image, /@sha256:[0-9a-f]{64}$/);
    });

    it("builds a topology component by component, with a user image and a transform", async () => {
        const run = await runProgram("lib-aws", { "aws:region": "eu-west-1" }, () => {
            const network = new lib.Network("n", { cloud: "aws", tier: "prod" });
            const image = new lib.ServerImage("img", { network, image: "ghcr.io/acme/mcp:1.2.3" });
            const database = new lib.AuditDatabase("db", {
                network,
                overrides: { dbStorageGiB: 200 },
                transform: {
                    instance: (args) => {
                        args.performanceInsightsEnabled = true;
                    },
                },
            });
            const cache = new lib.SessionCache("kv", { network });
            const edge = new lib.EdgeLB("lb", { network, domain: "mcp.example.com" });
            const cluster = new lib.McpCluster("svc", { network, image, database, cache, edge, environment: { LOG_LEVEL: "debug" } });
            return { db: database.summary, svc: cluster.summary, url: edge.mcpUrl };
        });
        const instance = run.resources.find((r) => r.name === "db-instance")!;
        assert.equal(instance.inputs.performanceInsightsEnabled, true, "the transform ran");
        assert.equal(instance.inputs.allocatedStorage, 200);
        assert.equal(run.outputs.db.storageGiB, 200, "the summary is computed from the real inputs");
        assert.equal(run.resources.filter((r) => r.type === "docker:index/image:Image").length, 0, "a user image is not built");
        const task = run.resources.find((r) => r.name === "svc-task")!;
        const [container] = JSON.parse(task.inputs.containerDefinitions);
        assert.equal(container.image, "ghcr.io/acme/mcp:1.2.3");
        assert.ok(container.environment.some((e: any) => e.name === "LOG_LEVEL" && e.value === "debug"));
        const policy = JSON.parse(run.resources.find((r) => r.name === "svc-execution-policy")!.inputs.policy);
        assert.ok(
            !policy.Statement.some((s: any) => s.Action.some((a: string) => a.startsWith("ecr:"))),
            "no ECR rights for an outside image",
        );
    });

    it("refuses a secret-looking plain environment variable and a multi-replica service without a cache", async () => {
        const build = (env: Record<string, string>, withCache: boolean) =>
            runProgram("lib-aws", { "aws:region": "eu-west-1" }, () => {
                const network = new lib.Network("n", { cloud: "aws", tier: "prod" });
                const image = new lib.ServerImage("img", { network, image: "ghcr.io/acme/mcp:1" });
                const database = new lib.AuditDatabase("db", { network });
                const edge = new lib.EdgeLB("lb", { network, domain: "mcp.example.com" });
                const cache = withCache ? new lib.SessionCache("kv", { network }) : undefined;
                new lib.McpCluster("svc", { network, image, database, cache, edge, environment: env });
                return {};
            });
        await assert.rejects(build({ DB_PASSWORD: "hunter2" }, true), /McpCluster\.environment\.DB_PASSWORD: looks like a secret/);
        await assert.rejects(build({}, false), /McpCluster\.cache: is required when more than one replica/);
    });
});
