/**
 * Prices a program from inside itself, so `pulumi preview` shows the estimate
 * as stack outputs: a resource transformation records every resource the
 * deployment declares (type, name, args), and `estimate()` prices them once
 * their inputs resolve. Inputs still unknown during a preview (ids of resources
 * not yet created) are left out; the sizing inputs the pricers read (classes,
 * counts, sizes) are plain values.
 */
import * as pulumi from "@pulumi/pulumi";
import { estimateCost } from "./index";
import { CostEstimate, DeclaredResource, UsageAssumptions } from "./types";

interface Captured {
    type: string;
    name: string;
    custom: boolean;
    props: Record<string, unknown>;
}

/** The value with every Output/Promise inside resolved; unknown values become undefined. */
async function resolveKnown(value: unknown, depth = 0): Promise<unknown> {
    if (depth > 32) return undefined;
    if (pulumi.Output.isInstance(value)) {
        const o = value as unknown as { isKnown: Promise<boolean>; promise(): Promise<unknown> };
        if (!(await o.isKnown)) return undefined;
        return resolveKnown(await o.promise(), depth + 1);
    }
    if (value instanceof Promise) return resolveKnown(await value, depth + 1);
    if (pulumi.Resource.isInstance(value)) return undefined;
    if (Array.isArray(value)) return Promise.all(value.map((v) => resolveKnown(v, depth + 1)));
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            const r = await resolveKnown(v, depth + 1);
            if (r !== undefined) out[k] = r;
        }
        return out;
    }
    return value;
}

export class ResourceCapture {
    private readonly captured: Captured[] = [];

    /** Pass this in a component's `transformations` option: it records the component's children and changes nothing. */
    readonly transformation: pulumi.ResourceTransformation = (args) => {
        this.captured.push({ type: args.type, name: args.name, custom: args.resource instanceof pulumi.CustomResource, props: args.props });
        return undefined;
    };

    /** The resources recorded so far, with their inputs resolved (waits for resources declared inside applies too). */
    async resources(): Promise<DeclaredResource[]> {
        let resolved: DeclaredResource[] = [];
        let seen = -1;
        while (seen !== this.captured.length) {
            seen = this.captured.length;
            resolved = await Promise.all(
                this.captured.map(async (c) => ({
                    type: c.type,
                    name: c.name,
                    custom: c.custom,
                    inputs: (await resolveKnown(c.props)) as DeclaredResource["inputs"],
                })),
            );
        }
        return resolved;
    }

    /** The monthly estimate of everything recorded, as an Output for a stack export. */
    estimate(usage: Partial<UsageAssumptions> = {}): pulumi.Output<CostEstimate> {
        return pulumi.output(this.resources().then((rs) => estimateCost(rs, usage)));
    }
}

/**
 * What a stack exports of an estimate: the total, per component, what was not priced, the assumptions and
 * the notes (among them the free allowances subtracted, which the whole subscription or account shares).
 */
export function estimateOutputs(e: CostEstimate) {
    return {
        totalMonthlyUsd: e.totalMonthlyUsd,
        perComponentUsd: Object.fromEntries(e.components.map((c) => [c.component, c.monthlyUsd])),
        notPriced: e.unpriced.map((u) => `${u.type} x${u.count}: ${u.reason}`),
        assumptions: e.assumptions,
        notes: e.notes,
    };
}
