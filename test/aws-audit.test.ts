/**
 * Issue 11 on AWS, under Pulumi's mocks, for dev-aws, prod-aws and enterprise-aws: two database
 * credentials (the RDS master secret read only by the audit:migrate init container, the append-only
 * mcp_server role's URL as the server's DATABASE_URL), the init container ordered before the server,
 * the S3 Object Lock checkpoint bucket (COMPLIANCE, the tier's retention, versioning, public access
 * blocked, SSE-S3, deletes and lock changes and plain HTTP denied), the task role limited to the
 * checkpoint prefix, the server's audit settings, and the bucket's price lines.
 */
import * as assert from "node:assert/strict";
import { estimateCost } from "../pricing";
import { price } from "../pricing/catalog";
import { runStack, ProgramRun } from "../scripts/harness";
import { declared } from "../scripts/plan";
import { TIERS, TierName } from "../sizing";
import { AUDIT_SERVER_ROLE, POSTGRES } from "../components/contract";
import { SERVER } from "../components/types";
import { all, containers, idOf, named } from "./util";

const T = {
    task: "aws:ecs/taskDefinition:TaskDefinition",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    parameter: "aws:ssm/parameter:Parameter",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    bucket: "aws:s3/bucket:Bucket",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    lock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
};
const arnOf = (type: string, name: string) => `arn:aws:mock:us-east-1:123456789012:${type.split(":").pop()}/${name}`;
/** Retention per tier as docs/audit.md states it (dev 1 day, prod 1 year, enterprise 7 years). */
const RETENTION: Record<"dev" | "prod" | "enterprise", number> = { dev: 1, prod: 365, enterprise: 2555 };

const runs: Partial<Record<TierName, ProgramRun>> = {};
before(async () => {
    for (const tier of ["dev", "prod", "enterprise"] as const) runs[tier] = await runStack(`${tier}-aws`);
});

for (const tier of ["dev", "prod", "enterprise"] as const) {
    const spec = TIERS[tier];
    const managed = spec.secretStore === "managed";
    describe(`AWS ${tier}: the audit log's credentials, migrate step and write-once checkpoints (issue 11)`, () => {
        const run = () => runs[tier]!;
        const defs = () => containers(named(run(), T.task, "mcp-server-task"));
        const server = () => defs().find((c: any) => c.name === SERVER.containerName)!;
        const migrate = () => defs().find((c: any) => c.name === "audit-migrate")!;
        /** The stored JSON document of a generated secret (Secrets Manager version, or the SecureString parameter). */
        const doc = (role: string) =>
            JSON.parse(
                managed
                    ? named(run(), T.secretVersion, `mcp-audit-${role}-version`).inputs.secretString
                    : named(run(), T.parameter, `mcp-audit-${role}`).inputs.value,
            );
        /** The valueFrom an ECS container reads `key` of the database secret `role` through. */
        const valueFrom = (role: string, key: string) =>
            managed ? `${arnOf(T.secret, `mcp-audit-${role}`)}:${key}::` : arnOf(T.parameter, `mcp-audit-${role}-${key}`);
        const masterIds = () =>
            managed
                ? [arnOf(T.secret, "mcp-audit-credentials")]
                : [arnOf(T.parameter, "mcp-audit-credentials"), arnOf(T.parameter, "mcp-audit-credentials-url")];

        it("keeps two credentials: the RDS master user's and the append-only mcp_server role's", () => {
            const master = doc("credentials");
            const serverDoc = doc("server-credentials");
            assert.equal(master.username, POSTGRES.user);
            assert.equal(serverDoc.username, AUDIT_SERVER_ROLE);
            assert.notEqual(master.password, serverDoc.password, "two generated passwords");
            assert.match(
                serverDoc.url,
                new RegExp(`^postgres://${AUDIT_SERVER_ROLE}:[^@]+@[^/]+:5432/${POSTGRES.databaseName}\\?sslmode=verify-full$`),
            );
            assert.match(master.url, new RegExp(`^postgres://${POSTGRES.user}:`));
            const stored = managed ? all(run(), T.secretVersion) : all(run(), T.parameter);
            for (const s of stored) assert.ok(s.secretInputs.includes(managed ? "secretString" : "value"), `${s.name} is a Pulumi secret`);
        });

        it("gives the server the mcp_server URL as DATABASE_URL and never names the master secret in its container", () => {
            const reads = Object.fromEntries(server().secrets.map((s: any) => [s.name, s.valueFrom]));
            assert.equal(reads.DATABASE_URL, valueFrom("server-credentials", "url"));
            const text = JSON.stringify(server());
            for (const id of masterIds()) assert.ok(!text.includes(id), `the server container names ${id}`);
            assert.ok(!server().secrets.some((s: any) => /ADMIN|PASSWORD/.test(s.name)), "no admin URL or role password in the server");
        });

        it("runs audit:migrate in a non-essential init container with the master secret, and starts the server only after it succeeded", () => {
            const m = migrate();
            assert.equal(m.essential, false);
            assert.deepEqual(m.command, ["node", "dist/audit/migrate.js"]);
            assert.equal(m.image, server().image, "the same image as the server");
            const reads = Object.fromEntries(m.secrets.map((s: any) => [s.name, s.valueFrom]));
            assert.deepEqual(reads, {
                DATABASE_ADMIN_URL: valueFrom("credentials", "url"),
                MCP_AUDIT_SERVER_PASSWORD: valueFrom("server-credentials", "password"),
            });
            const env = Object.fromEntries(m.environment.map((e: any) => [e.name, e.value]));
            assert.equal(env.MCP_AUDIT_SERVER_ROLE, AUDIT_SERVER_ROLE);
            assert.equal(env.DATABASE_SSL, "verify-full");
            assert.deepEqual(server().dependsOn, [{ containerName: "audit-migrate", condition: "SUCCESS" }]);
            assert.equal(server().essential, true);
            // Of all containers, only audit-migrate names the master secret.
            const naming = defs()
                .filter((c: any) => masterIds().some((id) => JSON.stringify(c).includes(id)))
                .map((c: any) => c.name);
            assert.deepEqual(naming, ["audit-migrate"]);
        });

        it("lets the task role (the server process) only create, read and list checkpoints: no secrets, no deletes", () => {
            const taskRole = named(run(), T.role, "mcp-server-task-role");
            assert.equal(named(run(), T.task, "mcp-server-task").inputs.taskRoleArn, arnOf(T.role, "mcp-server-task-role"));
            const policies = all(run(), T.rolePolicy).filter((p) => p.inputs.role === idOf(taskRole));
            assert.deepEqual(
                policies.map((p) => p.name),
                ["mcp-server-task-policy"],
            );
            assert.equal(all(run(), T.attachment).filter((a) => a.inputs.role === idOf(taskRole)).length, 0);
            const bucketArn = arnOf(T.bucket, "mcp-server-audit-anchors");
            const statements = JSON.parse(policies[0].inputs.policy).Statement;
            assert.deepEqual(
                statements.map((s: any) => [s.Effect, s.Action, s.Resource]),
                [
                    ["Allow", ["s3:PutObject", "s3:GetObject"], `${bucketArn}/checkpoints/*`],
                    ["Allow", ["s3:ListBucket"], bucketArn],
                ],
            );
            assert.deepEqual(statements[1].Condition, { StringLike: { "s3:prefix": ["checkpoints/*"] } });
            const actions = statements.flatMap((s: any) => s.Action);
            assert.ok(!actions.some((a: string) => /^(secretsmanager|ssm|kms):|Delete|\*/.test(a)), actions.join(", "));
            // The execution role (the ECS agent) injects both containers' secrets; it is not the server's identity.
            const exec = JSON.parse(named(run(), T.rolePolicy, "mcp-server-execution-policy").inputs.policy).Statement;
            const readable = exec.filter((s: any) => /^(secretsmanager|ssm):/.test(s.Action[0])).flatMap((s: any) => s.Resource);
            for (const id of masterIds().filter((id) => managed || id.endsWith("-url")))
                assert.ok(readable.includes(id), `the agent reads ${id} for the init container`);
        });

        it(`keeps checkpoints in an S3 bucket with Object Lock in COMPLIANCE mode for ${RETENTION[tier]} days, versioned`, () => {
            const bucket = named(run(), T.bucket, "mcp-server-audit-anchors");
            assert.equal(bucket.inputs.objectLockEnabled, true);
            assert.notEqual(bucket.inputs.forceDestroy, true);
            const versioning = named(run(), T.versioning, "mcp-server-audit-anchors-versioning");
            assert.deepEqual([versioning.inputs.bucket, versioning.inputs.versioningConfiguration], [idOf(bucket), { status: "Enabled" }]);
            const lock = named(run(), T.lock, "mcp-server-audit-anchors-lock");
            assert.equal(lock.inputs.bucket, idOf(bucket));
            assert.equal(lock.inputs.objectLockEnabled, "Enabled");
            assert.deepEqual(lock.inputs.rule, { defaultRetention: { mode: "COMPLIANCE", days: RETENTION[tier] } });
            assert.equal(spec.audit.anchorRetentionDays, RETENTION[tier], "the tier table's retention");
            // The only Object Lock bucket (prod and enterprise also keep the ALB's access logs in a bucket of their own).
            assert.equal(all(run(), T.bucket).filter((b) => b.inputs.objectLockEnabled).length, 1);
        });

        it("blocks all public access, encrypts by default (SSE-S3) and denies deletes, lock changes and plain HTTP to everyone", () => {
            const bucket = named(run(), T.bucket, "mcp-server-audit-anchors");
            const pab = named(run(), T.publicAccess, "mcp-server-audit-anchors-public-access");
            assert.deepEqual(
                [
                    pab.inputs.bucket,
                    pab.inputs.blockPublicAcls,
                    pab.inputs.blockPublicPolicy,
                    pab.inputs.ignorePublicAcls,
                    pab.inputs.restrictPublicBuckets,
                ],
                [idOf(bucket), true, true, true, true],
            );
            const sse = named(run(), T.sse, "mcp-server-audit-anchors-encryption");
            assert.deepEqual(sse.inputs.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
            const policy = named(run(), T.bucketPolicy, "mcp-server-audit-anchors-policy");
            assert.equal(policy.inputs.bucket, idOf(bucket));
            const bucketArn = arnOf(T.bucket, "mcp-server-audit-anchors");
            const st = JSON.parse(policy.inputs.policy).Statement;
            const deny = st.find((s: any) => s.Sid === "DenyDeletesAndLockChanges");
            assert.deepEqual([deny.Effect, deny.Principal, deny.Resource], ["Deny", "*", [bucketArn, `${bucketArn}/*`]]);
            for (const a of ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutBucketObjectLockConfiguration"])
                assert.ok(deny.Action.includes(a), a);
            const tls = st.find((s: any) => s.Sid === "DenyInsecureTransport");
            assert.deepEqual(
                [tls.Effect, tls.Principal, tls.Action, tls.Condition],
                ["Deny", "*", "s3:*", { Bool: { "aws:SecureTransport": "false" } }],
            );
            assert.ok(!st.some((s: any) => s.Effect === "Allow"), "the policy grants nothing");
        });

        it("tells the server where to checkpoint and that migrations are not its job", () => {
            const env = Object.fromEntries(server().environment.map((e: any) => [e.name, e.value]));
            assert.equal(env.MCP_AUDIT_ANCHORS, `s3://${idOf(named(run(), T.bucket, "mcp-server-audit-anchors"))}/checkpoints/`);
            assert.equal(env.MCP_AUDIT_MIGRATE, "off");
            assert.equal(env.MCP_AUDIT_CHECKPOINT_INTERVAL_S, String(spec.audit.checkpointIntervalSeconds));
            assert.equal(env.MCP_AUDIT_CHECKPOINT_ENTRIES, String(spec.audit.checkpointEntries));
        });

        it("prices the bucket's storage over the retention and its requests at list prices", () => {
            const e = estimateCost(declared(run()));
            assert.deepEqual(e.unpriced, []);
            const lines = e.lines.filter((l) => l.resource === "mcp-server-audit-anchors");
            const byId = (id: string) => lines.filter((l) => l.priceId === id);
            for (const id of ["aws.s3.standard.gb", "aws.s3.put", "aws.s3.get"]) {
                const p = price(id)!;
                assert.ok(p.source.includes("aws.amazon.com/s3/pricing"), id);
                assert.equal(byId(id)[0].unitPriceUsd, p.usd);
            }
            assert.equal(price("aws.s3.standard.gb")!.usd, 0.023);
            assert.equal(price("aws.s3.put")!.usd, 0.005);
            assert.equal(price("aws.s3.get")!.usd, 0.0004);
            // One PUT per checkpoint: 43,800 a month at one a minute.
            const puts = byId("aws.s3.put").find((l) => /PUT/.test(l.item))!;
            assert.equal(Math.round(puts.quantity * 1000), Math.round((730 * 3600) / spec.audit.checkpointIntervalSeconds));
            const storage = byId("aws.s3.standard.gb")[0];
            assert.match(storage.item, new RegExp(`kept ${RETENTION[tier]} days`));
            assert.ok(storage.quantity > 0);
            for (const t of [T.versioning, T.lock, T.publicAccess, T.sse, T.bucketPolicy])
                assert.ok(
                    e.free.some((f) => f.type === t),
                    `${t} is listed free with a reason`,
                );
        });
    });
}

describe("AWS audit checkpoint storage grows with retention", () => {
    it("prices enterprise's 7-year retention above prod's 1 year, above dev's day", () => {
        const gb = (tier: TierName) => estimateCost(declared(runs[tier]!)).lines.find((l) => l.priceId === "aws.s3.standard.gb")!.quantity;
        assert.ok(gb("enterprise") > gb("prod") && gb("prod") > gb("dev"), `${gb("dev")} < ${gb("prod")} < ${gb("enterprise")}`);
    });
});
