/**
 * Issue 11 on GCP (docs/audit.md, "Status"): the real program under mocks for
 * dev-gcp, prod-gcp and enterprise-gcp. The audit:migrate Cloud Run job runs
 * under its own service account, the only identity that reads the
 * administrator's URL; the service connects as the append-only role and runs
 * after the job; checkpoints go to a GCS bucket with a locked retention policy
 * of the tier's length, uniform access and public access prevention, where the
 * service account may create and read objects but never delete or overwrite
 * them; the cost engine prices that bucket.
 */
import * as assert from "node:assert/strict";
import { AUDIT_SERVER_ROLE } from "../components/contract";
import { estimateCost } from "../pricing";
import { price } from "../pricing/catalog";
import { TIERS, TierName } from "../sizing";
import { ProgramRun, RecordedResource, runStack } from "../scripts/harness";

const T = {
    run: "gcp:cloudrunv2/service:Service",
    job: "gcp:cloudrunv2/job:Job",
    account: "gcp:serviceaccount/account:Account",
    secret: "gcp:secretmanager/secret:Secret",
    version: "gcp:secretmanager/secretVersion:SecretVersion",
    secretIam: "gcp:secretmanager/secretIamMember:SecretIamMember",
    bucket: "gcp:storage/bucket:Bucket",
    bucketIam: "gcp:storage/bucketIAMMember:BucketIAMMember",
};
const SECRET_ACCESSOR = "roles/secretmanager.secretAccessor";

const tiers: TierName[] = ["dev", "prod", "enterprise"];
const runs: Partial<Record<TierName, ProgramRun>> = {};

function all(run: ProgramRun, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type);
}
function one(run: ProgramRun, type: string, name: string): RecordedResource {
    const found = all(run, type).filter((r) => r.name === name);
    assert.equal(found.length, 1, `expected one ${type} named ${name}, found ${found.length}`);
    return found[0];
}
/** The mocks give a resource the id `<name>-id` and a service account the email `<accountId>@<project>…`: resolve both from the recorded resources. */
function secretName(run: ProgramRun, id: string): string {
    const s = all(run, T.secret).find((r) => `${r.name}-id` === id);
    assert.ok(s, `no secret with id ${id}`);
    return s.name;
}
function memberOf(run: ProgramRun, accountName: string): string {
    const a = one(run, T.account, accountName);
    return `serviceAccount:${a.inputs.accountId}@${run.config["gcp:project"]}.iam.gserviceaccount.com`;
}
/** Secrets each member may read. */
function readers(run: ProgramRun): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const g of all(run, T.secretIam)) {
        assert.equal(g.inputs.role, SECRET_ACCESSOR, `${g.name}: only secretAccessor is granted on secrets`);
        m.set(g.inputs.member, [...(m.get(g.inputs.member) ?? []), secretName(run, g.inputs.secretId)]);
    }
    return m;
}
function versionValue(run: ProgramRun, secret: string): string {
    return String(one(run, T.version, `${secret}-version`).inputs.secretData);
}
function env(container: any): Map<string, any> {
    return new Map(container.envs.map((e: any) => [e.name, e]));
}

describe("GCP audit log wiring (issue 11)", function () {
    this.timeout(120_000);

    before(async () => {
        for (const t of tiers) runs[t] = await runStack(`${t}-gcp`);
    });

    for (const tier of tiers) {
        describe(`${tier}-gcp`, () => {
            const run = () => runs[tier]!;
            const job = () => one(run(), T.job, "mcp-server-audit-migrate");
            const service = () => one(run(), T.run, "mcp-server-service");
            const bucket = () => one(run(), T.bucket, "mcp-server-audit-anchors");
            /** The bucket's name as the program read it back (the grants name it by the bucket's output). */
            const bucketName = () => {
                const names = [...new Set(all(run(), T.bucketIam).map((g) => g.inputs.bucket))];
                assert.equal(names.length, 1);
                return names[0];
            };

            it("the service reads the append-only role's URL; the administrator's URL only the migrate job's account reads", () => {
                const r = run();
                const byMember = readers(r);
                const serviceMember = memberOf(r, "mcp-server-identity");
                const migrateMember = memberOf(r, "mcp-server-migrate-identity");
                assert.notEqual(serviceMember, migrateMember);
                const serviceReads = byMember.get(serviceMember) ?? [];
                const migrateReads = byMember.get(migrateMember) ?? [];
                assert.ok(serviceReads.includes("mcp-audit-url"), `the service reads DATABASE_URL: ${serviceReads}`);
                assert.ok(!serviceReads.includes("mcp-audit-admin-url"), "the service account cannot read the administrator's URL");
                assert.ok(!serviceReads.includes("mcp-audit-credentials"), "nor the administrator's credentials");
                assert.ok(
                    !serviceReads.includes("mcp-audit-server-password-secret"),
                    "nor the server role's password secret (only its URL)",
                );
                assert.deepEqual([...migrateReads].sort(), ["mcp-audit-admin-url", "mcp-audit-server-password-secret"]);
                // Exactly one member reads the administrator's URL.
                const adminReaders = [...byMember].filter(([, s]) => s.includes("mcp-audit-admin-url")).map(([m]) => m);
                assert.deepEqual(adminReaders, [migrateMember]);

                // The URLs themselves: the service's names the append-only role, the job's the administrator.
                assert.match(
                    versionValue(r, "mcp-audit-url"),
                    new RegExp(`^postgres://${AUDIT_SERVER_ROLE}:[^@]+@[^/]+:5432/mcp_audit\\?sslmode=verify-full$`),
                );
                assert.match(
                    versionValue(r, "mcp-audit-admin-url"),
                    /^postgres:\/\/mcp_admin:[^@]+@[^/]+:5432\/mcp_audit\?sslmode=verify-full$/,
                );
                const serverPw = decodeURIComponent(/^postgres:\/\/[^:]+:([^@]+)@/.exec(versionValue(r, "mcp-audit-url"))![1]);
                assert.equal(
                    versionValue(r, "mcp-audit-server-password-secret"),
                    serverPw,
                    "the job sets the password the service's URL carries",
                );
            });

            it("the server's DATABASE_URL is the append-only role's secret; it does not migrate and checkpoints to the bucket", () => {
                const c = service().inputs.template.containers[0];
                const e = env(c);
                assert.equal(secretName(run(), e.get("DATABASE_URL").valueSource.secretKeyRef.secret), "mcp-audit-url");
                for (const admin of ["DATABASE_ADMIN_URL", "MCP_AUDIT_SERVER_PASSWORD"])
                    assert.ok(!e.has(admin), `the service gets no ${admin}`);
                assert.equal(e.get("MCP_AUDIT_MIGRATE").value, "off");
                assert.equal(e.get("MCP_AUDIT_ANCHORS").value, `gs://${bucketName()}/checkpoints`);
                assert.match(bucketName(), /audit-anchors/);
                assert.equal(e.get("MCP_AUDIT_CHECKPOINT_INTERVAL_S").value, String(TIERS[tier].audit.checkpointIntervalSeconds));
                assert.equal(e.get("MCP_AUDIT_CHECKPOINT_ENTRIES").value, String(TIERS[tier].audit.checkpointEntries));
                assert.equal(run().outputs.summary.cluster.auditAnchors.location, e.get("MCP_AUDIT_ANCHORS").value);
                assert.equal(run().outputs.summary.cluster.auditAnchors.writeOnce, true);
                assert.equal(run().outputs.summary.cluster.auditAnchors.retentionDays, TIERS[tier].audit.anchorRetentionDays);
            });

            it("audit:migrate is a Cloud Run job that runs on create under its own account, with the administrator's URL", () => {
                const j = job().inputs;
                const r = run();
                assert.match(
                    String(j.runExecutionToken),
                    /^m[0-9a-f]{12}$/,
                    "an execution on create (and on a new image), the job ready only when it completed",
                );
                assert.ok(String(j.name).length + String(j.runExecutionToken).length < 63, "job name + token under 63 characters");
                const t = j.template.template;
                assert.equal(t.serviceAccount, memberOf(r, "mcp-server-migrate-identity").replace(/^serviceAccount:/, ""));
                const c = t.containers[0];
                assert.deepEqual(c.commands, ["node", "dist/audit/migrate.js"]);
                assert.equal(c.image, service().inputs.template.containers[0].image, "the same image as the service");
                const e = env(c);
                assert.equal(secretName(r, e.get("DATABASE_ADMIN_URL").valueSource.secretKeyRef.secret), "mcp-audit-admin-url");
                assert.equal(
                    secretName(r, e.get("MCP_AUDIT_SERVER_PASSWORD").valueSource.secretKeyRef.secret),
                    "mcp-audit-server-password-secret",
                );
                assert.equal(e.get("MCP_AUDIT_SERVER_ROLE").value, AUDIT_SERVER_ROLE);
                assert.equal(e.get("DATABASE_SSL").value, "verify-full");
                assert.ok(e.get("DATABASE_CA_CERT").value.includes("BEGIN CERTIFICATE"), "verifies Cloud SQL's certificate");
                assert.ok(!e.has("DATABASE_URL"), "no server URL in the job");
                // It reaches Cloud SQL's private IP the way the service does.
                assert.deepEqual(t.vpcAccess, service().inputs.template.vpcAccess);
            });

            it("the service is created after the migrate job (it carries the job's execution token)", () => {
                const idx = (x: RecordedResource) => run().resources.indexOf(x);
                assert.ok(idx(job()) < idx(service()), "job registered before the service");
                assert.equal(service().inputs.template.labels["mcp-audit-migration"], job().inputs.runExecutionToken);
            });

            it("the anchor bucket: locked retention of the tier's length, uniform access, public access prevented, no versioning", () => {
                const b = bucket().inputs;
                assert.deepEqual(b.retentionPolicy, {
                    retentionPeriod: String(TIERS[tier].audit.anchorRetentionDays * 86_400),
                    isLocked: true,
                });
                assert.equal(b.uniformBucketLevelAccess, true);
                assert.equal(b.publicAccessPrevention, "enforced");
                assert.equal(b.versioning, undefined, "object versioning cannot be combined with a retention policy");
                assert.notEqual(b.forceDestroy, true);
                assert.equal(b.location, run().config["gcp:region"]);
            });

            it("the service account may create and read checkpoints, never delete or overwrite them; nobody else is granted", () => {
                const grants = all(run(), T.bucketIam);
                const serviceMember = memberOf(run(), "mcp-server-identity");
                assert.ok(bucket(), "the bucket exists");
                for (const g of grants) {
                    assert.equal(g.inputs.bucket, bucketName());
                    assert.equal(g.inputs.member, serviceMember);
                }
                const roles = grants.map((g) => g.inputs.role).sort();
                assert.deepEqual(roles, ["roles/storage.legacyBucketReader", "roles/storage.objectCreator", "roles/storage.objectViewer"]);
                for (const deleting of [
                    "roles/storage.objectAdmin",
                    "roles/storage.objectUser",
                    "roles/storage.admin",
                    "roles/storage.legacyBucketWriter",
                ]) {
                    assert.ok(!roles.includes(deleting), `${deleting} would allow deletes`);
                }
            });

            it("prices the bucket's storage and operations from the catalog", () => {
                const e = estimateCost(run().resources);
                const lines = e.lines.filter((l) => l.type === T.bucket);
                const ids = lines.map((l) => l.priceId).sort();
                assert.deepEqual(ids, ["gcp.gcs.classA", "gcp.gcs.classB", "gcp.gcs.standard.gb"]);
                const months = Math.max(1, TIERS[tier].audit.anchorRetentionDays / 30);
                const rounds = (730 * 3600) / TIERS[tier].audit.checkpointIntervalSeconds;
                const classA = lines.find((l) => l.priceId === "gcp.gcs.classA")!;
                assert.ok(classA.quantity >= rounds / 1000, "at least one write per checkpoint round");
                const classB = lines.find((l) => l.priceId === "gcp.gcs.classB")!;
                assert.ok(Math.abs(classB.quantity - (rounds * months) / 1000) < 1e-6, "a monthly verify reads every checkpoint held");
                for (const l of lines) assert.ok(l.monthlyUsd > 0, `${l.item} is charged`);
                assert.ok(
                    !e.unpriced.some((u) => [T.bucket, T.bucketIam, T.job].includes(u.type)),
                    "nothing of the audit wiring is unpriced",
                );
            });
        });
    }

    it("retention grows with the tier (dev 1 day < prod 1 year < enterprise 7 years) and so does the priced storage", () => {
        const period = (t: TierName) => Number(one(runs[t]!, T.bucket, "mcp-server-audit-anchors").inputs.retentionPolicy.retentionPeriod);
        assert.ok(period("dev") < period("prod") && period("prod") < period("enterprise"));
        assert.equal(period("enterprise"), 2555 * 86_400);
        const gb = (t: TierName) => estimateCost(runs[t]!.resources).lines.find((l) => l.priceId === "gcp.gcs.standard.gb")!.monthlyUsd;
        assert.ok(gb("dev") < gb("prod") && gb("prod") < gb("enterprise"));
    });

    it("catalog: GCS prices with their sources", () => {
        assert.equal(price("gcp.gcs.standard.gb")!.usd, 0.02);
        assert.equal(price("gcp.gcs.classA")!.usd, 0.005);
        assert.equal(price("gcp.gcs.classB")!.usd, 0.0004);
        for (const id of ["gcp.gcs.standard.gb", "gcp.gcs.classA", "gcp.gcs.classB"])
            assert.match(price(id)!.source, /cloud\.google\.com\/storage\/pricing/);
    });
});
