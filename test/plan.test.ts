/** The offline plan command, run as a user runs it. */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "..");

function plan(...args: string[]) {
    const r = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", "scripts/plan.ts", ...args], {
        cwd: root, encoding: "utf8", timeout: 120_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("npm run plan", () => {
    it("prints a stack's resources as a tree under their components", () => {
        const r = plan("--stack", "prod-aws");
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /^Stack prod-aws \(cloud aws, tier prod\): \d+ resources, 7 components/m);
        assert.match(r.out, /├─ mcp-audit {2}mcp-infra:index:AuditDatabase/);
        assert.match(r.out, /mcp-audit-instance {2}aws:rds\/instance:Instance {2}instanceClass=db\.t4g\.small .*multiAz=true/);
        assert.match(r.out, /mcp-server-task {2}aws:ecs\/taskDefinition:TaskDefinition {2}cpu=512 memory=1024/);
    });
    it("fails on a bad stack config with the key and the allowed values, naming the stack", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-plan-"));
        fs.writeFileSync(path.join(dir, "Pulumi.broken.yaml"), "config:\n  aws:region: us-east-1\n  mcp-infra:cloud: aws\n  mcp-infra:tier: gold\n");
        fs.writeFileSync(path.join(dir, "Pulumi.ok-aws.yaml"), "config:\n  aws:region: us-east-1\n  mcp-infra:tier: dev\n");
        const r = plan("--all", "--stacks-dir", dir);
        assert.equal(r.code, 1);
        assert.match(r.err, /error: stack broken: mcp-infra:tier: unknown value "gold"; allowed values: dev, prod or enterprise/);
        assert.match(r.out, /^Stack ok-aws \(cloud aws, tier dev\)/m, "the good stack is still planned");
    });
    it("rejects an unknown option with usage", () => {
        const r = plan("--stak", "prod-aws");
        assert.equal(r.code, 2);
        assert.match(r.err, /unknown argument "--stak"; usage:/);
    });
});
