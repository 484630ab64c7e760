/**
 * Issue 14, finding 4: every cloud stack gives the server verified database TLS. The plain
 * environment each stack declares for the server goes through the server's own configuration
 * parser (app/src/config.ts), which refuses `require` on prod and enterprise, so a stack that
 * still said `require` fails here; the CA it names is the right one for its cloud.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { parseDatabase } from "../app/src/config";
import { listStacks, ProgramRun, runStack } from "../scripts/harness";
import { all, containers, named } from "./util";

const T = {
    task: "aws:ecs/taskDefinition:TaskDefinition",
    rds: "aws:rds/instance:Instance",
    app: "azure-native:app:ContainerApp",
    run: "gcp:cloudrunv2/service:Service",
    sql: "gcp:sql/databaseInstance:DatabaseInstance",
};

/** The server's plain environment as each cloud declares it. */
function serverEnv(cloud: string, run: ProgramRun): Record<string, string> {
    const entries: Array<{ name: string; value?: string }> =
        cloud === "aws"
            ? containers(named(run, T.task, "mcp-server-task"))[0].environment
            : cloud === "azure"
              ? all(run, T.app)[0].inputs.template.containers[0].env
              : all(run, T.run)[0].inputs.template.containers[0].envs;
    return Object.fromEntries(entries.filter((e) => e.value !== undefined).map((e) => [e.name, String(e.value)]));
}

/** A path in the image (/srv/app/certs/...) as a path in this repository (app/certs/...). */
const inRepo = (imagePath: string) => path.join(__dirname, "..", "app", path.relative("/srv/app", imagePath));

describe("database TLS as the cloud stacks wire it (issue 14, finding 4)", () => {
    for (const stack of listStacks().filter((s) => !s.endsWith("-local"))) {
        const cloud = stack.split("-").pop()!;
        it(`${stack}: verify-full with the ${cloud === "aws" ? "RDS bundle" : cloud === "azure" ? "Azure roots" : "CAs the Cloud SQL instance reports"}, accepted by the server's config for its tier`, async () => {
            const run = await runStack(stack);
            const env = serverEnv(cloud, run);
            assert.equal(env.DATABASE_SSL, "verify-full");
            if (cloud === "aws") {
                assert.equal(env.DATABASE_CA_CERT_FILE, "/srv/app/certs/rds-global-bundle.pem");
                for (const db of all(run, T.rds)) assert.equal(db.inputs.caCertIdentifier, "rds-ca-rsa2048-g1", db.name);
            } else if (cloud === "azure") {
                assert.equal(env.DATABASE_CA_CERT_FILE, "/srv/app/certs/azure-postgres-roots.pem");
            } else {
                const primary = all(run, T.sql).find((r) => !r.inputs.masterInstanceName)!;
                assert.equal(primary.inputs.settings.ipConfiguration.serverCaMode, "GOOGLE_MANAGED_CAS_CA");
                assert.match(env.DATABASE_CA_CERT, /MOCK-CLOUD-SQL-CA/, "the instance's serverCaCerts");
                // The host is the instance's DNS name, resolved by the stack's private zone: test/gcpSqlDns.test.ts.
            }
            // The server's parser, with the CA file read from the repository, as the image holds it.
            const serverView: Record<string, string | undefined> = {
                ...env,
                ...(env.DATABASE_CA_CERT_FILE ? { DATABASE_CA_CERT_FILE: inRepo(env.DATABASE_CA_CERT_FILE) } : {}),
                ...(cloud === "gcp" ? { DATABASE_CA_CERT: undefined } : {}), // the mock's CA is no real certificate
                DATABASE_URL: "postgres://mcp:pw@db.internal:5432/mcp_audit?sslmode=verify-full",
            };
            const db = parseDatabase(serverView);
            assert.equal(db.kind === "postgres" && db.ssl, "verify-full");
            if (cloud !== "gcp") assert.ok(db.kind === "postgres" && db.ca?.includes("-----BEGIN CERTIFICATE-----"));
        });
    }

    it("the server's config refuses what the stacks used to give prod and enterprise (DATABASE_SSL=require)", () => {
        for (const tier of ["prod", "enterprise"]) {
            assert.throws(
                () => parseDatabase({ DATABASE_URL: "postgres://h/db?sslmode=require", DATABASE_SSL: "require", MCP_TIER: tier }),
                /refuses/,
            );
        }
    });
});
