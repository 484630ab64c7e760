/**
 * Naming and parenting for every child resource, in one place.
 *
 * A component creates its children through a `Scope`: the child is named
 * `${component}-${role}`, parented to the component, and passed through the
 * user's `transform[role]` hook (if any) before it is created. A hook whose
 * role names no child is refused (`checkTransforms`), never ignored.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../sizing";

/**
 * A hook that may modify a child's args and options in place before it is created.
 * `A` is the provider's args type of that child (e.g. `aws.rds.InstanceArgs`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Transform<A = any> = (args: A, opts: pulumi.CustomResourceOptions) => void;

/** Per-child transform hooks, keyed by the child's role (e.g. `database`, `service`). */
export type Transforms = Readonly<Record<string, Transform | undefined>>;

type ResourceCtor<A, R> = new (name: string, args: A, opts?: pulumi.CustomResourceOptions) => R;

export class Scope {
    /** The final args of each child, by role, after its transform ran. */
    private readonly created = new Map<string, unknown>();
    /** Roles created later, by the edge/cluster hand-off (`EdgeImpl.attach`). */
    private readonly deferred = new Set<string>();

    constructor(
        readonly parent: pulumi.Resource,
        readonly name: string,
        private readonly transforms: Transforms = {},
    ) {}

    /** Creates a child resource named `${name}-${role}` under the component. */
    child<A, R>(role: string, ctor: ResourceCtor<A, R>, args: A, opts: pulumi.CustomResourceOptions = {}): R {
        if (this.created.has(role)) throw new Error(`${this.name}: two children share the role "${role}"`);
        const childArgs = { ...(args as object) } as A;
        const childOpts: pulumi.CustomResourceOptions = { ...opts, parent: this.parent };
        this.transforms[role]?.(childArgs, childOpts);
        this.created.set(role, childArgs);
        return new ctor(`${this.name}-${role}`, childArgs, childOpts);
    }

    /**
     * The args a child was really created with (after its transform), so a
     * component can describe what it provisioned from its children's inputs.
     */
    inputs<A>(role: string): A {
        if (!this.created.has(role)) throw new Error(`${this.name}: no child with the role "${role}"`);
        return this.created.get(role) as A;
    }

    /** Every role this scope has created, in creation order. */
    childRoles(): string[] {
        return [...this.created.keys()];
    }

    /** Declares roles this scope will create later, in the hand-off (so their transforms are not refused as unknown). */
    later(roles: readonly string[]): void {
        for (const r of roles) this.deferred.add(r);
    }

    /**
     * Refuses a transform whose role names no child of this component on this
     * cloud (a misspelt role must not be ignored in silence). Called by each
     * component right after its cloud builder ran.
     */
    checkTransforms(component: string, cloud: string): void {
        const known = [...this.created.keys(), ...this.deferred];
        for (const role of Object.keys(this.transforms)) {
            if (this.transforms[role] !== undefined && !known.includes(role)) {
                throw new ConfigError(
                    `${component}.transform.${role}`,
                    `no child of ${component} "${this.name}" on ${cloud} has this role; its roles here: ${[...new Set(known)].join(", ")}`,
                );
            }
        }
    }
}

/** The type token of a component: `mcp-infra:index:<Name>`. */
export function componentType(name: string): string {
    return `mcp-infra:index:${name}`;
}
