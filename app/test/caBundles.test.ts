/**
 * The CA bundles shipped in the image (app/certs) for verified database TLS: what each holds,
 * that Node's TLS accepts them, and that nothing changed them unnoticed (see app/certs/README.md).
 */
import * as assert from "node:assert/strict";
import { createHash, type X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tls from "node:tls";
import { parsePemBundle } from "../src/secretFiles";
import { APP_DIR } from "./helpers";

const CERTS = path.join(APP_DIR, "certs");
const read = (name: string) => fs.readFileSync(path.join(CERTS, name), "utf8");
const cn = (c: X509Certificate) => /^CN=(.*)$/m.exec(c.subject)?.[1];

describe("database CA bundles in app/certs", () => {
    it("rds-global-bundle.pem: AWS's global bundle as recorded, only self-signed Amazon RDS roots, every region's RSA2048 G1 root", () => {
        const pem = read("rds-global-bundle.pem");
        assert.equal(createHash("sha256").update(pem).digest("hex"), "516c8cb5e3436763cdd4fa5aa480cab529e7a1a75a35afa458a9d50d89618e4f");
        const certs = parsePemBundle("rds-global-bundle.pem", pem);
        assert.equal(certs.length, 102);
        for (const c of certs) {
            assert.ok(c.ca && c.issuer === c.subject && c.verify(c.publicKey), `${cn(c)} is a self-signed CA`);
            assert.match(c.subject, /^OU=Amazon RDS$/m);
        }
        const names = new Set(certs.map(cn));
        // The regions the shipped AWS stacks and the docs name, with the CA new instances get.
        for (const region of ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]) {
            assert.ok(names.has(`Amazon RDS ${region} Root CA RSA2048 G1`), region);
        }
        tls.createSecureContext({ ca: pem });
    });

    it("azure-postgres-roots.pem: exactly DigiCert Global Root G2 and Microsoft RSA Root CA 2017, both also in Node's root store", () => {
        const pem = read("azure-postgres-roots.pem");
        const certs = parsePemBundle("azure-postgres-roots.pem", pem);
        assert.deepEqual(
            certs.map((c) => [cn(c), c.fingerprint256]),
            [
                [
                    "DigiCert Global Root G2",
                    "CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F",
                ],
                [
                    "Microsoft RSA Root Certificate Authority 2017",
                    "C7:41:F7:0F:4B:2A:8D:88:BF:2E:71:C1:41:22:EF:53:EF:10:EB:A0:CF:A5:E6:4C:FA:20:F4:18:85:30:73:E0",
                ],
            ],
        );
        const nodeRoots = new Set(tls.rootCertificates.map((p) => parsePemBundle("root", p)[0].fingerprint256));
        for (const c of certs) assert.ok(nodeRoots.has(c.fingerprint256), `${cn(c)} is in Node's built-in roots`);
        tls.createSecureContext({ ca: pem });
    });
});
