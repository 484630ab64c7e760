/**
 * EdgeLB on AWS, by the tier's (or `edgeKind`'s) kind:
 * - `loadBalancer`: an internet-facing ALB (+ WAF where the tier has one); see alb.ts.
 * - `payPerRequest`: an API Gateway HTTP API reaching the tasks through a VPC link and Cloud Map; see httpapi.ts.
 *
 * Either way the edge owns what the cluster attaches to (`AwsEdge`): the security group its traffic to the
 * replicas comes from, and the target group or Cloud Map service the ECS service registers its tasks in.
 */
import { Scope } from "../base";
import { EdgeInput } from "../contract";
import { createAlbEdge } from "./alb";
import type { AwsEdge } from "./edge-types";
import { createHttpApiEdge } from "./httpapi";
import { AwsNetwork } from "./network";

export { MANAGED_RULE_GROUPS, RATE_WINDOW_SECONDS, summarizeAlb, wafRules } from "./alb";
export type { AlbSummaryInputs } from "./alb";
export { HTTP_API_ROUTES, summarizeHttpApi } from "./httpapi";
export type { HttpApiSummaryInputs } from "./httpapi";

export type { AwsAlbEdge, AwsEdge, AwsEdgeAttachment, AwsHttpApiEdge } from "./edge-types";

export function createEdge(scope: Scope, input: EdgeInput<AwsNetwork>): AwsEdge {
    return input.spec.edge.kind === "payPerRequest" ? createHttpApiEdge(scope, input) : createAlbEdge(scope, input);
}
