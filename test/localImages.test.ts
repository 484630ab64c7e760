/**
 * Issue 14, finding 6 (images): the local stacks pull third-party images by digest, so a tag that
 * moves upstream never changes what runs (components/local/common.ts says where each came from).
 */
import * as assert from "node:assert/strict";
import { IMAGES, imageMajor } from "../components/local/common";
import { runStack } from "../scripts/harness";
import { all } from "./util";

describe("local stack: third-party images pinned by digest (issue 14, finding 6)", () => {
    it("every image is name:tag@sha256:<64 hex>, PostgreSQL still on major 17", () => {
        for (const [name, ref] of Object.entries(IMAGES)) assert.match(ref, new RegExp(`^${name}:[\\w.-]+@sha256:[0-9a-f]{64}$`), name);
        assert.equal(imageMajor(IMAGES.postgres), "17");
    });
    for (const stack of ["dev-local", "prod-local"]) {
        it(`${stack}: every pulled image is one of those pinned references`, async () => {
            const pulled = all(await runStack(stack), "docker:index/remoteImage:RemoteImage").map((r) => r.inputs.name);
            assert.ok(pulled.length >= 2, "postgres and nginx at least");
            for (const ref of pulled) assert.match(String(ref), /@sha256:[0-9a-f]{64}$/, ref);
        });
    }
});
