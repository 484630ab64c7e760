import { strict as assert } from "node:assert";
import fc from "fast-check";
import { auditText, decodeAuditText, isStorableText } from "../src/audit/entry";

describe("app audit text: stored form", function () {
    it("any UTF-16 string (NUL, lone surrogates, controls, quotes) is storable and decodes back", () => {
        fc.assert(
            fc.property(fc.string({ unit: "binary", maxLength: 80 }), (s) => {
                const stored = auditText(s, 1000);
                assert.ok(isStorableText(stored), JSON.stringify(stored));
                assert.deepEqual(decodeAuditText(stored), { text: s, truncated: false });
            }),
            { numRuns: 2000 },
        );
    });

    it("truncation keeps whole code points and says what was cut", () => {
        fc.assert(
            fc.property(fc.string({ unit: "binary", minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 20 }), (s, max) => {
                const stored = auditText(s, max);
                assert.ok(isStorableText(stored));
                const { text, truncated } = decodeAuditText(stored);
                const points = Array.from(s);
                assert.equal(truncated, points.length > max);
                assert.equal(text, points.slice(0, max).join(""));
            }),
            { numRuns: 2000 },
        );
    });

    it("plain names stay as they are; a leading quote is escaped so forms never collide", () => {
        assert.equal(auditText("server_info", 128), "server_info");
        assert.equal(auditText('"x"', 128), '"\\"x\\""');
        assert.equal(decodeAuditText(auditText('"x"', 128)).text, '"x"');
        assert.equal(auditText("a".repeat(127) + "\ud83d\ude00", 128), "a".repeat(127) + "\ud83d\ude00");
        const tricky = '\u0000"\u2026(+1 code points, sha256 ' + "0".repeat(64) + ")";
        assert.deepEqual(decodeAuditText(auditText(tricky, 1000)), { text: tricky, truncated: false });
    });
});
