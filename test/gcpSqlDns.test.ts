/**
 * Issue 14, finding 4 on GCP: `verify-full` against Cloud SQL needs a host name the server certificate
 * carries and that resolves inside the VPC. The instance uses the shared CA (GOOGLE_MANAGED_CAS_CA),
 * whose certificates name the instance's private-services-access DNS name (`dnsNames`); a private
 * Cloud DNS zone bound to the stack's VPC holds that name's A record to the instance's private IP;
 * the server and the audit:migrate job connect to that name and trust the CAs the instance reports.
 * Asserted on the resource inputs of dev-gcp, prod-gcp and enterprise-gcp, and on the cost engine.
 */
import * as assert from "node:assert/strict";
import { DNS_TTL, privateZoneDomain, psaDnsName, SERVER_CA_MODE } from "../components/gcp/database";
import { REQUIRED_APIS } from "../components/gcp/network";
import { estimateCost } from "../pricing";
import { declared } from "../scripts/plan";
import { ProgramRun, RecordedResource, runStack } from "../scripts/harness";
import { computedOutputs } from "../scripts/mocks/gcp";

const T = {
    sql: "gcp:sql/databaseInstance:DatabaseInstance",
    zone: "gcp:dns/managedZone:ManagedZone",
    record: "gcp:dns/recordSet:RecordSet",
    network: "gcp:compute/network:Network",
    api: "gcp:projects/service:Service",
    run: "gcp:cloudrunv2/service:Service",
    job: "gcp:cloudrunv2/job:Job",
    version: "gcp:secretmanager/secretVersion:SecretVersion",
};

const all = (run: ProgramRun, type: string): RecordedResource[] => run.resources.filter((r) => r.type === type);
function only(run: ProgramRun, type: string): RecordedResource {
    const found = all(run, type);
    assert.equal(found.length, 1, `expected one ${type}, found ${found.length}`);
    return found[0];
}
/** What the (mock) provider reports for a recorded Cloud SQL instance. */
const reported = (r: RecordedResource) => computedOutputs(r.type, r.name, r.inputs)!;
const plainEnv = (container: any): Record<string, string> =>
    Object.fromEntries(container.envs.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, String(e.value)]));

describe("Cloud SQL's DNS name resolves in the VPC and is what the server verifies (issue 14, finding 4)", function () {
    this.timeout(300_000);

    for (const tier of ["dev", "prod", "enterprise"]) {
        describe(`${tier}-gcp`, () => {
            let run: ProgramRun;
            before(async () => {
                run = await runStack(`${tier}-gcp`);
            });

            it("uses the shared CA on the primary and every replica", () => {
                for (const i of all(run, T.sql))
                    assert.equal(i.inputs.settings.ipConfiguration.serverCaMode, "GOOGLE_MANAGED_CAS_CA", i.name);
                assert.equal(SERVER_CA_MODE, "GOOGLE_MANAGED_CAS_CA");
            });

            it("has one private zone for the domain of the instance's DNS name, visible to the stack's VPC only", () => {
                const primary = all(run, T.sql).find((r) => !r.inputs.masterInstanceName)!;
                const fqdn = psaDnsName(reported(primary).dnsNames);
                const zone = only(run, T.zone);
                assert.equal(zone.inputs.visibility, "private");
                assert.equal(zone.inputs.dnsName, fqdn.slice(fqdn.indexOf(".") + 1), "the name without its first label");
                assert.match(zone.inputs.dnsName, /\.sql-psa\.goog\.$/);
                const vpc = only(run, T.network);
                assert.deepEqual(zone.inputs.privateVisibilityConfig, { networks: [{ networkUrl: `${vpc.name}-id` }] });
                assert.match(zone.inputs.name, /^[a-z][a-z0-9-]{0,62}$/, "a valid zone name");
                assert.ok(
                    all(run, T.api).some((a) => a.inputs.service === "dns.googleapis.com"),
                    "the Cloud DNS API is enabled",
                );
            });

            it("has an A record from the primary's DNS name to its private IP, in that zone, and none for replicas", () => {
                const instances = all(run, T.sql);
                const primary = instances.find((r) => !r.inputs.masterInstanceName)!;
                const zone = only(run, T.zone);
                // (prod and enterprise also have their domain's record, in the domain's public zone.)
                const records = all(run, T.record).filter((r) => r.inputs.managedZone === zone.inputs.name);
                assert.equal(records.length, 1, "one record in the private zone");
                const record = records[0];
                assert.equal(record.inputs.name, psaDnsName(reported(primary).dnsNames));
                assert.ok(record.inputs.name.endsWith("."));
                assert.equal(record.inputs.type, "A");
                assert.equal(record.inputs.ttl, DNS_TTL);
                assert.deepEqual(record.inputs.rrdatas, [reported(primary).privateIpAddress]);
                assert.equal(instances.length, tier === "enterprise" ? 2 : 1, "enterprise has a read replica");
            });

            it("connects the server and the audit:migrate job to that name with verify-full and the instance's CAs", () => {
                const primary = all(run, T.sql).find((r) => !r.inputs.masterInstanceName)!;
                const host = psaDnsName(reported(primary).dnsNames).replace(/\.$/, "");
                const ca = reported(primary)
                    .serverCaCerts.map((c: { cert: string }) => c.cert.trim())
                    .join("\n");
                for (const secret of ["mcp-audit-url-version", "mcp-audit-admin-url-version"]) {
                    const url = new URL(String(all(run, T.version).find((v) => v.name === secret)!.inputs.secretData));
                    assert.equal(url.hostname, host, secret);
                    assert.equal(url.searchParams.get("sslmode"), "verify-full", secret);
                }
                const service = plainEnv(only(run, T.run).inputs.template.containers[0]);
                const job = plainEnv(only(run, T.job).inputs.template.template.containers[0]);
                for (const env of [service, job]) {
                    assert.equal(env.DATABASE_SSL, "verify-full");
                    assert.equal(env.DATABASE_CA_CERT, ca);
                }
                const credentials = all(run, T.version).find((v) => v.name === "mcp-audit-credentials-version")!;
                assert.equal(JSON.parse(credentials.inputs.secretData).host, host, "operators get the same name");
            });

            it("prices the zone ($0.20) and leaves nothing unpriced", () => {
                const est = estimateCost(declared(run));
                const zoneLines = est.lines.filter((l) => l.priceId === "gcp.dns.zone");
                assert.deepEqual(
                    zoneLines.map((l) => [l.resource, l.monthlyUsd]),
                    [[only(run, T.zone).name, 0.2]],
                );
                assert.deepEqual(est.unpriced, []);
            });
        });
    }

    it("takes the private-services-access instance name from dnsNames and refuses anything else", () => {
        const psa = { name: "abc.proj.us-central1.sql-psa.goog.", connectionType: "PRIVATE_SERVICES_ACCESS", dnsScope: "INSTANCE" };
        const psc = { name: "abc.proj.us-central1.sql.goog.", connectionType: "PRIVATE_SERVICE_CONNECT", dnsScope: "INSTANCE" };
        const cluster = { name: "w.global.sql-psa.goog.", connectionType: "PRIVATE_SERVICES_ACCESS", dnsScope: "CLUSTER" };
        assert.equal(psaDnsName([psc, cluster, psa]), "abc.proj.us-central1.sql-psa.goog.");
        assert.equal(psaDnsName([{ ...psa, name: "abc.proj.us-central1.sql-psa.goog" }]), "abc.proj.us-central1.sql-psa.goog.");
        assert.throws(() => psaDnsName([]), /0 private-services-access instance DNS names/);
        assert.throws(() => psaDnsName(undefined), /GOOGLE_MANAGED_CAS_CA/);
        assert.throws(() => psaDnsName([psc, cluster]), /dnsNames/);
        assert.throws(() => psaDnsName([psa, { ...psa, name: "def.proj.us-central1.sql-psa.goog." }]), /2 private-services-access/);
        assert.equal(privateZoneDomain("abc.proj.us-central1.sql-psa.goog."), "proj.us-central1.sql-psa.goog.");
        assert.equal(privateZoneDomain("abc.proj.us-central1.sql-psa.goog"), "proj.us-central1.sql-psa.goog.");
        assert.throws(() => privateZoneDomain("sql-psa.goog."), /not an instance DNS name/);
        assert.ok(REQUIRED_APIS.includes("dns.googleapis.com"));
    });
});
