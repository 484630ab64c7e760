/**
 * Naming and parenting for every child resource, in one place.
 *
 * A component creates its children through a `Scope`: the child is named
 * `${component}-${role}`, parented to the component, and passed through the
 * user's `transform[role]` hook (if any) before it is created.
 */
import * as pulumi from "@pulumi/pulumi";

/** A hook that may modify a child's args and options in place before it is created. */
export type Transform = (args: any, opts: pulumi.CustomResourceOptions) => void;

/** Per-child transform hooks, keyed by the child's role (e.g. `database`, `service`). */
export type Transforms = Readonly<Record<string, Transform | undefined>>;

type ResourceCtor<A, R> = new (name: string, args: A, opts?: pulumi.CustomResourceOptions) => R;

export class Scope {
    /** The final args of each child, by role, after its transform ran. */
    private readonly created = new Map<string, unknown>();

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
}

/** The type token of a component: `mcp-infra:index:<Name>`. */
export function componentType(name: string): string {
    return `mcp-infra:index:${name}`;
}
