import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { imageNodeFlags } from "./imageCmd";
import { APP_DIR, REPO_DIR, bearer, connect, randomKey, spawnServer, stopChild, structured, type ServerProcess } from "./helpers";

const run = promisify(execFile);

/** npm with a quiet, non-interactive configuration; returns stdout. */
async function npm(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
    const { stdout } = await run("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], {
        cwd,
        env: { ...process.env, npm_config_update_notifier: "false", ...env },
        maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
}

function copy(from: string, to: string): void {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.cpSync(from, to, { recursive: true });
}

/**
 * No Docker engine here, so this repeats app/Dockerfile's stages in temporary directories:
 * build with the app's own dev dependencies, install production dependencies only from the
 * workspace lockfile, assemble the runtime layout, start it as the image's CMD does, call a tool.
 */
describe("app image runtime layout (app/Dockerfile without Docker)", function () {
    this.timeout(300_000);
    let tmp: string;
    let server: ServerProcess | undefined;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-image-"));
    });
    after(async () => {
        if (server) await stopChild(server.child);
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("the Dockerfile is multi-stage, on Node LTS, production-only, non-root, with a node HEALTHCHECK", () => {
        const df = fs.readFileSync(path.join(APP_DIR, "Dockerfile"), "utf8");
        assert.match(df, /^ARG NODE_IMAGE=node:(22|24)-slim$/m);
        assert.equal((df.match(/^FROM /gm) ?? []).length, 3);
        assert.match(df, /npm ci .*--omit=dev --omit=optional/);
        assert.match(df, /^USER node$/m);
        assert.match(df, /^EXPOSE 8080$/m);
        assert.match(df, /^HEALTHCHECK .*\n\s+CMD \["node", "-e", .*\/health/m);
        assert.match(df, /^CMD \["node", ("--[a-z-]+(=\w+)?", )*"dist\/main.js"\]$/m);
        assert.deepEqual(imageNodeFlags(df), ["--max-semi-space-size=8"]);
        assert.doesNotMatch(df, /^(RUN|HEALTHCHECK|CMD|\s+CMD).*\b(curl|wget)\b/m);
        // The database CA bundles the cloud stacks point DATABASE_CA_CERT_FILE at.
        assert.match(df, /^COPY app\/certs \.\/app\/certs$/m);
        assert.match(fs.readFileSync(path.join(APP_DIR, "Dockerfile.dockerignore"), "utf8"), /^!app\/certs\/\*\*$/m);
    });

    it("builds, installs production dependencies only, starts from there and serves a tool call", async () => {
        // Stage 1 (build): the app's own devDependencies must be enough to compile.
        const build = path.join(tmp, "build");
        for (const f of ["package.json", "package-lock.json"]) copy(path.join(REPO_DIR, f), path.join(build, f));
        for (const f of ["package.json", "tsconfig.json", "src"]) copy(path.join(APP_DIR, f), path.join(build, "app", f));
        await npm(build, ["ci", "--workspace", "app", "--include-workspace-root=false", "--ignore-scripts", "--prefer-offline"]);
        await npm(build, ["run", "build", "--workspace", "app"]);
        assert.ok(fs.existsSync(path.join(build, "app", "dist", "main.js")));

        // Stage 2 (deps): production dependencies only.
        const srv = path.join(tmp, "srv");
        for (const f of ["package.json", "package-lock.json"]) copy(path.join(REPO_DIR, f), path.join(srv, f));
        copy(path.join(APP_DIR, "package.json"), path.join(srv, "app", "package.json"));
        await npm(srv, [
            "ci",
            "--workspace",
            "app",
            "--include-workspace-root=false",
            "--omit=dev",
            "--omit=optional",
            "--ignore-scripts",
            "--prefer-offline",
        ]);
        const installed = fs.readdirSync(path.join(srv, "node_modules"));
        for (const devOnly of ["typescript", "mocha", "ts-node", "@pulumi"])
            assert.ok(!installed.includes(devOnly), `${devOnly} must not be in the image`);
        assert.ok(installed.includes("express") && installed.includes("@electric-sql"));

        // Stage 3 (runtime): dist + examples, started as the CMD starts it (its node flags too) in /srv/app.
        copy(path.join(build, "app", "dist"), path.join(srv, "app", "dist"));
        copy(path.join(APP_DIR, "examples"), path.join(srv, "app", "examples"));
        copy(path.join(APP_DIR, "certs"), path.join(srv, "app", "certs"));
        const key = randomKey();
        const dataDir = path.join(tmp, "data");
        server = await spawnServer(
            {
                NODE_ENV: "production",
                HOST: "127.0.0.1",
                MCP_DATA_DIR: dataDir,
                MCP_API_KEYS: key,
                MCP_TIER: "dev",
                MCP_TOOLS_CONFIG: "examples/tools.yaml",
                MCP_HANDLERS_DIR: "examples/handlers",
            },
            { entry: "dist/main.js", cwd: path.join(srv, "app"), nodeArgs: imageNodeFlags() },
        );
        const client = await connect(server.url, bearer(key));
        const info = structured(await client.callTool({ name: "server_info", arguments: {} }));
        assert.deepEqual(info.storage, { audit: "embedded", session: "memory" });
        assert.equal(info.version, JSON.parse(fs.readFileSync(path.join(APP_DIR, "package.json"), "utf8")).version);
        const counted = structured(await client.callTool({ name: "word_count", arguments: { text: "one two three" } }));
        assert.equal(counted.words, 3);
        await client.close();

        // SIGTERM as `docker stop` sends it; then the CLI checks the chain the server left behind.
        server.child.kill("SIGTERM");
        assert.equal(await server.exited, 0);
        server = undefined;
        const out = await npm(path.join(srv, "app"), ["run", "audit:verify"], { MCP_DATA_DIR: dataDir }).catch(
            (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ""}${e.stderr ?? ""}`,
        );
        assert.match(out, /audit chain intact: 2 entries/);
    });
});
