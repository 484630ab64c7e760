/**
 * Typed `transform` hooks, as SST types them: for component K on cloud C, one
 * optional hook per role that component has on that cloud, whose `args` is the
 * provider's args type of that child (`transform: { instance: (args) => ... }`
 * on an AWS AuditDatabase gets `aws.rds.InstanceArgs`). The roles come from
 * each cloud's generated `roles.ts` (scripts/gen-roles.ts); a role that is not
 * there is a compile error, and at run time Scope.checkTransforms refuses it.
 * Type-only imports: nothing here loads a cloud's provider package.
 */
import type { Cloud } from "../sizing";
import type { AwsRoles } from "./aws/roles";
import type { AzureRoles } from "./azure/roles";
import type { Transform } from "./base";
import type { GcpRoles } from "./gcp/roles";
import type { LocalRoles } from "./local/roles";

/** Each cloud's roles, by component. A new cloud adds its `roles.ts` here. */
export interface RolesByCloud {
    aws: AwsRoles;
    azure: AzureRoles;
    gcp: GcpRoles;
    local: LocalRoles;
}

/** The components whose children can be transformed. */
export type ComponentKind = keyof AwsRoles;

/** The transform hooks of component `K` on cloud `C` (a union over clouds when `C` is not known). */
export type TransformsFor<C extends Cloud, K extends ComponentKind> = C extends keyof RolesByCloud
    ? { [R in keyof RolesByCloud[C][K]]?: Transform<RolesByCloud[C][K][R]> }
    : never;
