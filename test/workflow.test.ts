/**
 * The pull-request workflow (.github/workflows/preview.yml), read as data:
 * it runs on pull requests, covers exactly the stack files in stacks/, writes
 * the offline plan as markdown into the job summary, and runs `pulumi preview`
 * with the policy pack, its per-stack config and a PR comment.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { listStacks } from "../scripts/harness";

const ROOT = path.join(__dirname, "..");
const workflow = parseYaml(fs.readFileSync(path.join(ROOT, ".github", "workflows", "preview.yml"), "utf8"));

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, any>;
    env?: Record<string, string>;
}

const job = () => {
    const jobs = Object.values(workflow.jobs ?? {}) as any[];
    assert.equal(jobs.length, 1, "one job, a matrix over the stacks");
    return jobs[0];
};
const steps = (): Step[] => job().steps;
const index = (pred: (s: Step) => boolean, what: string) => {
    const i = steps().findIndex(pred);
    assert.ok(i >= 0, `no step ${what}`);
    return i;
};
const pulumiStep = () => steps()[index((s) => /^pulumi\/actions@v\d+$/.test(s.uses ?? ""), "using pulumi/actions")];

describe("CI workflow for the stacks (.github/workflows/preview.yml)", () => {
    it("runs on pull requests, may comment on them and cancels superseded runs", () => {
        assert.ok(workflow.on && "pull_request" in workflow.on, "on.pull_request");
        assert.equal(workflow.permissions?.["pull-requests"], "write");
        assert.equal(workflow.permissions?.contents, "read");
        assert.equal(workflow.concurrency?.["cancel-in-progress"], true);
    });

    it("has a matrix with exactly the stacks of stacks/, every one of them and no other", () => {
        const matrix: string[] = job().strategy.matrix.stack;
        assert.deepEqual([...matrix].sort(), listStacks());
        assert.equal(new Set(matrix).size, matrix.length, "no stack twice");
        assert.equal(job().strategy["fail-fast"], false, "one stack's failure does not hide the others'");
    });

    it("checks out, sets up a Node that @pulumi/pulumi supports, with the npm cache, and runs npm ci before anything else", () => {
        const checkout = index((s) => /^actions\/checkout@v\d+$/.test(s.uses ?? ""), "checkout");
        const node = index((s) => /^actions\/setup-node@v\d+$/.test(s.uses ?? ""), "setup-node");
        const ci = index((s) => s.run?.trim() === "npm ci", "npm ci");
        const setup = steps()[node].with ?? {};
        const wanted = /(\d+)/.exec(require("@pulumi/pulumi/package.json").engines?.node ?? ">=20")![1];
        assert.ok(
            Number(setup["node-version"]) >= Number(wanted),
            `node-version ${setup["node-version"]} satisfies @pulumi/pulumi's engines (>= ${wanted})`,
        );
        assert.equal(setup.cache, "npm");
        assert.ok(checkout < node && node < ci);
        assert.ok(
            steps()
                .slice(0, ci)
                .every((s) => !s.run),
            "nothing runs before npm ci",
        );
    });

    it("writes the offline plan of the matrix stack as markdown into the job summary, for every stack", () => {
        const i = index((s) => /npm run plan/.test(s.run ?? ""), "running the plan");
        const step = steps()[i];
        assert.match(step.run!, /^npm run plan -- --stack \$\{\{ matrix\.stack \}\} --format markdown >> "?\$GITHUB_STEP_SUMMARY"?$/);
        assert.equal(step.if, undefined, "the plan (and its budget gate) runs for local stacks too");
        assert.ok(i > index((s) => s.run?.trim() === "npm ci", "npm ci"));
    });

    it("writes the policy config of the matrix stack and passes that file to the policy pack", () => {
        const i = index((s) => /policy\/config\.ts/.test(s.run ?? ""), "writing the policy config");
        const run = steps()[i].run!;
        const out = /ts-node --transpile-only policy\/config\.ts --stack \$\{\{ matrix\.stack \}\} > "\$RUNNER_TEMP\/([\w.-]+)"/.exec(run);
        assert.ok(out, run);
        assert.match(run, /tsc -p policy\/tsconfig\.json --noEmit/, "the pack is type-checked as the CLI will compile it");
        assert.equal(pulumiStep().with?.policyPackConfigs, `\${{ runner.temp }}/${out[1]}`);
        assert.ok(i < steps().indexOf(pulumiStep()));
    });

    it("runs pulumi preview on the matrix stack with the policy pack and a PR comment", () => {
        const step = pulumiStep();
        const w = step.with ?? {};
        assert.equal(w.command, "preview");
        assert.match(w["stack-name"], /matrix\.stack/);
        assert.match(w["stack-name"], /vars\.PULUMI_ORG/, "org prefix from a repository variable");
        assert.equal(w.policyPacks, "policy");
        assert.ok(fs.existsSync(path.join(ROOT, w.policyPacks, "PulumiPolicy.yaml")), "policyPacks points at the pack");
        assert.equal(w["comment-on-pr"], true);
        assert.match(w["github-token"], /secrets\.GITHUB_TOKEN/);
        assert.match(step.env?.PULUMI_ACCESS_TOKEN ?? "", /^\$\{\{ secrets\.PULUMI_ACCESS_TOKEN \}\}$/);
    });

    it("skips the cloud preview for the local stacks and for forks, and gives each job only its own cloud's credentials", () => {
        const step = pulumiStep();
        assert.match(step.if ?? "", /!endsWith\(matrix\.stack, '-local'\)/);
        assert.match(step.if ?? "", /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/);
        const env = step.env ?? {};
        const clouds: Record<string, string[]> = {
            aws: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
            azure: ["ARM_CLIENT_ID", "ARM_CLIENT_SECRET", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID"],
            gcp: ["GOOGLE_CREDENTIALS"],
        };
        for (const [cloud, names] of Object.entries(clouds)) {
            for (const name of names) {
                assert.equal(env[name], `\${{ endsWith(matrix.stack, '-${cloud}') && secrets.${name} || '' }}`, name);
            }
        }
    });
});
