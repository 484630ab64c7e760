/** The offline plan command, run as a user runs it. */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "..");

function plan(...args: string[]) {
    const r = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", "scripts/plan.ts", ...args], {
        cwd: root,
        encoding: "utf8",
        timeout: 120_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("npm run plan", () => {
    it("prints a stack's resources as a tree under their components", () => {
        const r = plan("--stack", "prod-aws", "--format", "tree");
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /^Stack prod-aws \(cloud aws, tier prod\): \d+ resources, 8 components/m);
        assert.match(r.out, /├─ mcp-audit {2}mcp-infra:index:AuditDatabase/);
        assert.match(r.out, /mcp-audit-instance {2}aws:rds\/instance:Instance {2}instanceClass=db\.t4g\.small .*multiAz=true/);
        assert.match(r.out, /mcp-server-task {2}aws:ecs\/taskDefinition:TaskDefinition {2}cpu=512 memory=1024/);
    });
    it("fails on a bad stack config with the key and the allowed values, naming the stack", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-plan-"));
        fs.writeFileSync(
            path.join(dir, "Pulumi.broken.yaml"),
            "config:\n  aws:region: us-east-1\n  mcp-infra:cloud: aws\n  mcp-infra:tier: gold\n",
        );
        fs.writeFileSync(path.join(dir, "Pulumi.ok-aws.yaml"), "config:\n  aws:region: us-east-1\n  mcp-infra:tier: dev\n");
        const r = plan("--all", "--stacks-dir", dir, "--format", "tree");
        assert.equal(r.code, 1);
        assert.match(r.err, /error: stack broken: mcp-infra:tier: unknown value "gold"; allowed values: dev, prod or enterprise/);
        assert.match(r.out, /^Stack ok-aws \(cloud aws, tier dev\)/m, "the good stack is still planned");
    });
    it("prices a stack per component and line, with its total, assumptions and budget", () => {
        const r = plan("--stack", "prod-aws");
        assert.equal(r.code, 0, r.err);
        const total = /^Stack prod-aws \(cloud aws, tier prod\): \$([\d,.]+)\/month, within budget \$250\.00$/m.exec(r.out);
        assert.ok(total, r.out);
        assert.match(r.out, /^ {2}mcp-audit +\$[\d.]+$/m);
        assert.match(r.out, /\$0\.0225\/ALB-hour +Application Load Balancer hours/);
        assert.match(r.out, new RegExp(`^ {2}total +\\$${total[1].replace(/[.,]/g, (c) => `\\${c}`)}$`, "m"));
        assert.match(r.out, /usage-based: 1,000,000 requests\/month of 200 ms/);
        assert.match(r.out, /not priced: none/);
    });
    it("--format markdown gives every stack a priced row and details, nothing unpriced", () => {
        const r = plan("--all", "--format", "markdown");
        assert.equal(r.code, 0, r.err);
        const stacks = fs
            .readdirSync(path.join(root, "stacks"))
            .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
            .filter(Boolean) as string[];
        assert.ok(stacks.length >= 9);
        for (const s of stacks) {
            assert.match(r.out, new RegExp(`^\\| ${s} \\| \\w+ \\| \\w+ \\| \\$[\\d,.]+ \\|`, "m"), `summary row for ${s}`);
            assert.match(r.out, new RegExp(`<summary><b>${s}</b>: \\$[\\d,.]+/month`), `details for ${s}`);
        }
        assert.doesNotMatch(r.out, /Not priced: (?!none)/);
    });
    it("--format markdown starts each stack with its topology as a mermaid diagram, before the costs", () => {
        const r = plan("--stack", "dev-gcp", "--stack", "prod-aws", "--format", "markdown");
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /^## Topology of dev-gcp \(gcp, dev\)\n\n```mermaid\n---\n[\s\S]*?^flowchart LR$/m);
        assert.ok(r.out.startsWith("## Topology of dev-gcp"), "the comment starts with the first stack's picture");
        const blocks = [...r.out.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
        assert.equal(blocks.length, 2);
        assert.match(blocks[0], /Cloud Run service/);
        assert.match(blocks[1], /Application Load Balancer[\s\S]*ECS Fargate service<br\/>2–6 replicas/);
        assert.ok(r.out.indexOf("## Topology of prod-aws") < r.out.indexOf("## Monthly cost estimate"), "pictures before the cost tables");
    });
    it("fails a stack over its budget, naming the stack, the total and the budget", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-budget-"));
        const prod = fs
            .readFileSync(path.join(root, "stacks", "Pulumi.prod-aws.yaml"), "utf8")
            .replace(/^ *mcp-infra:monthlyBudgetUsd:.*\n/m, "");
        fs.writeFileSync(path.join(dir, "Pulumi.tight.yaml"), prod + '  mcp-infra:monthlyBudgetUsd: "50"\n');
        const r = plan("--all", "--stacks-dir", dir);
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, /^Stack tight .*OVER budget \$50\.00$/m);
        assert.match(r.err, /error: stack tight: estimated \$[\d,.]+\/month exceeds its budget of \$50\.00 \(mcp-infra:monthlyBudgetUsd\)/);
    });
    it("--diff shows the cost change against an earlier JSON run", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-diff-"));
        const base = plan("--stack", "prod-aws", "--format", "json");
        assert.equal(base.code, 0, base.err);
        const runs = JSON.parse(base.out);
        assert.equal(runs[0].stack, "prod-aws");
        assert.equal(typeof runs[0].estimate.totalMonthlyUsd, "number");
        // The base branch ran one replica less: its Fargate lines were smaller.
        for (const l of runs[0].estimate.lines)
            if (l.priceId.startsWith("aws.fargate.")) l.monthlyUsd = Math.round(l.monthlyUsd * 50) / 100;
        runs[0].estimate.totalMonthlyUsd -= 10;
        fs.writeFileSync(path.join(dir, "base.json"), JSON.stringify(runs));
        const r = plan("--stack", "prod-aws", "--format", "markdown", "--diff", path.join(dir, "base.json"));
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /## Cost change against the base branch/);
        assert.match(r.out, /^\| prod-aws \| \$[\d,.]+ \| \$[\d,.]+ \| \+\$10\.00 \|$/m);
        assert.match(r.out, /^\| mcp-server-service \| Fargate vCPU.*\| \+\$[\d.]+ \|$/m);
        const bad = plan("--stack", "prod-aws", "--diff", path.join(dir, "missing.json"));
        assert.equal(bad.code, 2);
        assert.match(bad.err, /--diff .*missing\.json: not a readable JSON plan/);
    });
    it("rejects an unknown option with usage", () => {
        const r = plan("--stak", "prod-aws");
        assert.equal(r.code, 2);
        assert.match(r.err, /unknown argument "--stak"; usage:/);
    });
});
