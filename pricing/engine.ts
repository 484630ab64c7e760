/**
 * The shared machinery of the per-cloud pricers: a pricer turns one declared
 * resource into priced lines, or says why it cannot (`Unpriced`).
 */
import { HOURS_PER_MONTH, price } from "./catalog";
import { DeclaredResource, UsageAssumptions } from "./types";

/** A line before the component is known and the money is worked out. */
export interface LineSpec {
    item: string;
    quantity: number;
    priceId: string;
    /** Quantity the cloud gives free each month; subtracted before pricing. @default 0 */
    freeQuantity?: number;
    /**
     * Lines of the same pool draw on ONE grant of `freeQuantity` (an allowance several resources share, such as
     * the Container Apps grant that covers apps and jobs alike), in the order the resources are declared.
     * Without a pool, each line gets the whole `freeQuantity`. @default none
     */
    freePool?: string;
    usageBased?: boolean;
}

/** What a pricer sees besides its resource. */
export interface PricingContext {
    usage: UsageAssumptions;
    /** Every resource of the run, to follow references (task definition of a service, source of a replica). */
    resources: DeclaredResource[];
    /** Replicas always running across the stack's services (for per-replica usage such as logs). */
    replicas: number;
    /** Remarks that explain a figure; printed with the estimate. */
    note(text: string): void;
}

export type Pricer = (r: DeclaredResource, ctx: PricingContext) => LineSpec[];

/** Thrown by a pricer that cannot price what it was given (e.g. a SKU the catalog lacks). */
export class Unpriced extends Error {}

/** A catalog id that must exist; an unknown SKU makes the resource unpriced, never zero. */
export function requirePrice(id: string, what: string): string {
    if (!price(id)) throw new Unpriced(`no catalog price for ${what}`);
    return id;
}

/** The value at a dotted path in a resource's inputs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON: the caller knows what the resource type holds at the path
export function at(inputs: Record<string, unknown>, path: string): any {
    return path
        .split(".")
        .reduce<unknown>((v, k) => (v === undefined || v === null ? undefined : (v as Record<string, unknown>)[k]), inputs);
}

/** A number input, or an Unpriced error naming it. */
export function num(r: DeclaredResource, path: string, fallback?: number): number {
    const raw = at(r.inputs, path);
    const v = raw === undefined || raw === null || raw === "" ? fallback : Number(raw);
    if (v === undefined || !Number.isFinite(v)) throw new Unpriced(`${path} is not known (${JSON.stringify(raw)})`);
    return v;
}

/** The resource a reference input points at: by name inside the reference (ids and ARNs embed it under mocks), else the only one of its type. */
export function referenced(ctx: PricingContext, type: string, ref: unknown): DeclaredResource | undefined {
    const candidates = ctx.resources.filter((x) => x.type === type);
    if (typeof ref === "string") {
        const byName = candidates.filter(
            (c) => ref === c.name || ref.includes(`/${c.name}`) || ref.startsWith(`${c.name}-`) || ref.endsWith(c.name),
        );
        if (byName.length) return byName.sort((a, b) => b.name.length - a.name.length)[0];
    }
    return candidates.length === 1 ? candidates[0] : undefined;
}

/**
 * Where `r` stands among the stack's resources of its type, ordered by name (0 for the first):
 * by name, not declaration order, so every run of the same stack ranks the same lines alike.
 */
export function rankByName(ctx: PricingContext, r: DeclaredResource): number {
    return ctx.resources
        .filter((x) => x.type === r.type)
        .map((x) => x.name)
        .sort()
        .indexOf(r.name);
}

/** Where a free allowance belongs, for the note that says it is shared. */
export type AllowanceOwner = "subscription" | "billing account" | "project";

/**
 * Notes that a free allowance was subtracted from this stack although it
 * belongs to the whole subscription, billing account or project (a second
 * stack there gets none of it).
 */
export function sharedAllowance(ctx: PricingContext, what: string, owner: AllowanceOwner): void {
    ctx.note(
        `Free allowance subtracted: ${what}. It belongs to the ${owner}, not to this stack: stacks of the same ${owner} share it, so together they pay more than the sum of their estimates.`,
    );
}

/** Hours in a month, per instance. */
export const month = (instances = 1) => instances * HOURS_PER_MONTH;

/** GiB a month of request + response traffic from the usage assumptions. */
export function trafficGiB(u: UsageAssumptions): number {
    return (u.monthlyRequests * u.avgRequestKiB) / (1024 * 1024);
}

/** Replica-seconds a month spent serving requests (no overlap assumed: an upper bound). */
export function activeSeconds(u: UsageAssumptions): number {
    return (u.monthlyRequests * u.avgRequestMs) / 1000;
}

/** "1Gi" / "512Mi" / "1.5Gi" / "1024M" -> GiB. */
export function gib(text: unknown): number {
    const m = /^([\d.]+)\s*(Gi|G|Mi|M)?$/.exec(String(text ?? "").trim());
    if (!m) throw new Unpriced(`memory "${text}" is not a size`);
    const n = Number(m[1]);
    switch (m[2]) {
        case "Mi":
            return n / 1024;
        case "M":
            return (n * 1e6) / 2 ** 30;
        case "G":
            return (n * 1e9) / 2 ** 30;
        default:
            return n;
    }
}

/** "1" / "0.5" / "500m" -> vCPU. */
export function vcpu(text: unknown): number {
    const s = String(text ?? "").trim();
    const m = /^([\d.]+)(m)?$/.exec(s);
    if (!m) throw new Unpriced(`cpu "${text}" is not a CPU amount`);
    return m[2] ? Number(m[1]) / 1000 : Number(m[1]);
}

/**
 * Traffic logs (flow and edge access logs, prod and enterprise): their volume follows the assumed requests.
 * Flow logs: one aggregated record per flow per interval, each request assumed to open its own flows on four hops
 * (client to edge, edge to replica, replica to database, replica to cache): an upper bound, as keep-alive connections
 * carry many requests. Record sizes are each cloud's format: AWS's default text line, Azure's VNet flow log JSON
 * (version 2) per flow tuple, GCP's JSON entry with all metadata (half of the flows sampled). Access logs: one line per
 * request, uncompressed (ALB delivers gzip files, so S3 holds less).
 */
export const TRAFFIC_LOGS = {
    flowRecordsPerRequest: 4,
    flowRecordBytes: { aws: 150, azure: 250, gcp: 1500 },
    gcpFlowSampling: 0.5,
    accessLogBytes: { alb: 700, httpApi: 400, appGateway: 1500, gcpLb: 1500 },
} as const;

/** GB a month of flow logs a cloud's format gives at the assumed requests. */
export function flowLogGb(u: UsageAssumptions, cloud: "aws" | "azure" | "gcp"): number {
    const sampling = cloud === "gcp" ? TRAFFIC_LOGS.gcpFlowSampling : 1;
    return (u.monthlyRequests * TRAFFIC_LOGS.flowRecordsPerRequest * TRAFFIC_LOGS.flowRecordBytes[cloud] * sampling) / 1e9;
}

/** GB a month of access logs at the assumed requests, one line of `bytes` per request. */
export function accessLogGb(u: UsageAssumptions, bytes: number): number {
    return (u.monthlyRequests * bytes) / 1e9;
}
