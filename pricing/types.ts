/**
 * The pricing engine's vocabulary. The engine prices the resources a program
 * run really declared (type, name, inputs), never the tier name.
 */

/** One declared resource, as captured from a program run (mock run, stack transform or policy engine). */
export interface DeclaredResource {
    /** Pulumi type token, e.g. `aws:rds/instance:Instance`. */
    type: string;
    /** Logical name, e.g. `mcp-audit-primary`. */
    name: string;
    /** The resource's inputs (plain values; unknown values may be missing). */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- inputs of any resource type, read as untyped JSON by the pricers
    inputs: Record<string, any>;
    /** False for component resources. @default true */
    custom?: boolean;
}

/** Usage the engine cannot read from inputs. Printed with every estimate; settable in stack config. */
export interface UsageAssumptions {
    /** MCP requests per month reaching the edge. */
    monthlyRequests: number;
    /** Average time a request keeps a replica busy, in milliseconds (request-billed compute). */
    avgRequestMs: number;
    /** Average bytes per request + response, in KiB (load balancer / NAT processed data). */
    avgRequestKiB: number;
    /** Log GiB ingested per month, per running replica. */
    logGiBPerReplica: number;
    /** Size of the server image in the registry, in GiB. */
    imageGiB: number;
    /** GiB a month the service exchanges with the internet through NAT (image pulls, outbound calls). */
    egressGiB: number;
    /** MB of session state a serverless cache holds on average (billed per GB-hour above the engine's minimum). */
    cacheDataMB: number;
}

/** One priced line: a resource (or part of one) times its unit price. */
export interface CostLine {
    /** The component the resource belongs to (by name prefix), e.g. `mcp-audit`. */
    component: string;
    /** Logical name of the resource priced. */
    resource: string;
    type: string;
    /** What is billed, e.g. `db.t4g.small Multi-AZ instance-hours`. */
    item: string;
    quantity: number;
    unit: string;
    unitPriceUsd: number;
    monthlyUsd: number;
    /** Catalog entry id the price came from. */
    priceId: string;
    /** True when the quantity comes from a usage assumption rather than the inputs. */
    usageBased: boolean;
}

export interface UnpricedType {
    type: string;
    count: number;
    names: string[];
    /** Why the engine could not price it (unknown type, or a SKU missing from the catalog). */
    reason: string;
}

export interface CostEstimate {
    currency: "USD";
    /** Cloud the resources belong to (from their type tokens). */
    cloud: string;
    totalMonthlyUsd: number;
    /** Monthly cost per component, highest first. */
    components: Array<{ component: string; monthlyUsd: number }>;
    lines: CostLine[];
    /** Resource types declared that carry no charge of their own (count per type), for completeness. */
    free: Array<{ type: string; count: number }>;
    /** Resource types the engine has no price for: never silently zero. */
    unpriced: UnpricedType[];
    assumptions: UsageAssumptions;
    /** How the estimate reached some figures (free grants applied, conservative choices). */
    notes: string[];
}
