/**
 * Issue 15: every stack with a floor target (pricing/targets.ts) meets it at list price and default usage,
 * with nothing left unpriced; the parity test holds the same stacks to every promise of their tier.
 */
import * as assert from "node:assert/strict";
import { estimateCost } from "../pricing";
import { floorBasis, floorTarget } from "../pricing/targets";
import { listStacks, readStackFile, runStack } from "../scripts/harness";
import { declared } from "../scripts/plan";
import { parseStackConfig } from "../components/config";

/**
 * Targets not met yet, with the reason; the test fails when one of them is met (remove it then) or another misses.
 * None: dev-azure reached its $48 floor with secretStore "platform" (Container Apps secrets instead of Key Vault behind a
 * private endpoint) and auditStorageAccess "serviceEndpoint" (the checkpoint account's firewall instead of a private endpoint).
 */
const KNOWN_MISSES: Record<string, string> = {};

/** The most monitoring may add to a dev or prod stack, per cloud (the figures: `npm run plan -- --all`). */
const MONITORING_BOUND: Record<string, number> = { aws: 10, azure: 35, gcp: 5 };

describe("floor targets (issue 15)", function () {
    this.timeout(600_000);
    for (const stack of listStacks()) {
        const settings = parseStackConfig(readStackFile(stack));
        const target = floorTarget(settings.cloud, settings.tier);
        if (target === undefined) continue;
        it(`${stack}: ${KNOWN_MISSES[stack] ? "misses" : "meets"} its floor of $${target}, every resource priced`, async () => {
            const e = estimateCost(declared(await runStack(stack)), settings.usage);
            assert.deepEqual(e.unpriced, []);
            // The floors are for the tier's topology; monitoring (issue 13) is reported beside them, and bounded here.
            const { basisUsd, monitoringUsd } = floorBasis(e);
            assert.ok(monitoringUsd > 0, `${stack} has no monitoring cost`);
            assert.ok(
                monitoringUsd <= MONITORING_BOUND[settings.cloud],
                `${stack}: monitoring $${monitoringUsd} above $${MONITORING_BOUND[settings.cloud]}`,
            );
            if (KNOWN_MISSES[stack])
                assert.ok(basisUsd > target, `${stack} now meets its target ($${basisUsd}): remove it from KNOWN_MISSES`);
            else assert.ok(basisUsd <= target, `${stack} is $${basisUsd} before monitoring, above its floor of $${target}`);
        });
    }
});
