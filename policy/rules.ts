/**
 * Every policy of the pack, importable without the policy engine (tests feed
 * them mock-run resources directly). `index.ts` serves them to the engine.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { costWithinBudget } from "./budget";
import { edgeTlsModern, encryptionAtRestAndInTransit } from "./encryption";
import { dataStoresNotPublic, ingressOnlyWhereDesigned, serviceBehindEdge } from "./exposure";
import { edgeHttpsOnly } from "./https";
import { deletionProtectionAndBackups } from "./resilience";
import { operationsSignals } from "./operations";
import { noSecretsInPlainEnv } from "./secrets";

export { operationsSignals };
export {
    costWithinBudget,
    dataStoresNotPublic,
    deletionProtectionAndBackups,
    edgeHttpsOnly,
    edgeTlsModern,
    encryptionAtRestAndInTransit,
    ingressOnlyWhereDesigned,
    noSecretsInPlainEnv,
    serviceBehindEdge,
};

/** The security baseline, checked resource by resource. */
export const resourcePolicies: ResourceValidationPolicy[] = [
    dataStoresNotPublic,
    encryptionAtRestAndInTransit,
    edgeTlsModern,
    deletionProtectionAndBackups,
    noSecretsInPlainEnv,
    ingressOnlyWhereDesigned,
];

/** Checks that need the whole stack: the service behind its edge, the budget. */
export const stackPolicies: StackValidationPolicy[] = [serviceBehindEdge, edgeHttpsOnly, costWithinBudget, operationsSignals];

export const policies: Array<ResourceValidationPolicy | StackValidationPolicy> = [...resourcePolicies, ...stackPolicies];
