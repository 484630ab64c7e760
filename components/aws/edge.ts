/**
 * EdgeLB on AWS, by the tier's (or `edgeKind`'s) kind:
 * - `loadBalancer`: an internet-facing ALB (+ WAF where the tier has one); see alb.ts.
 * - `payPerRequest`: an API Gateway HTTP API reaching the tasks through a VPC link and Cloud Map; see httpapi.ts.
 *
 * Either way the edge owns what the cluster attaches to (`AwsEdge`): the security group its traffic to the
 * replicas comes from, and the target group or Cloud Map service the ECS service registers its tasks in.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Scope } from "../base";
import { EdgeImpl, EdgeInput } from "../contract";
import { createAlbEdge } from "./alb";
import { createHttpApiEdge } from "./httpapi";
import { AwsNetwork } from "./network";

export { MANAGED_RULE_GROUPS, RATE_WINDOW_SECONDS, summarizeAlb, wafRules } from "./alb";
export type { AlbSummaryInputs } from "./alb";
export { HTTP_API_ROUTES, summarizeHttpApi } from "./httpapi";
export type { HttpApiSummaryInputs } from "./httpapi";

/** What the ECS service needs from the edge: the args that register its tasks there, and what it must wait for. */
export interface AwsEdgeAttachment {
    args: Partial<aws.ecs.ServiceArgs>;
    dependsOn: pulumi.Resource[];
}

/** AWS's hand-off needs nothing from the service: `attach()` returns where the service registers its tasks. */
interface AwsEdgeBase extends EdgeImpl<void, AwsEdgeAttachment> {
    /** The security group the edge's traffic to the replicas leaves from; the service admits the server port from it only. */
    securityGroup: aws.ec2.SecurityGroup;
}

/** The ALB edge: the ECS service registers its tasks in `targetGroup`. */
export interface AwsAlbEdge extends AwsEdgeBase {
    kind: "loadBalancer";
    loadBalancer: aws.lb.LoadBalancer;
    targetGroup: aws.lb.TargetGroup;
    /** The listener that forwards to the service (HTTPS with a domain, else HTTP). */
    listener: aws.lb.Listener;
}

/** The HTTP API edge: the ECS service registers its tasks in `discoveryService`. */
export interface AwsHttpApiEdge extends AwsEdgeBase {
    kind: "payPerRequest";
    api: aws.apigatewayv2.Api;
    stage: aws.apigatewayv2.Stage;
    vpcLink: aws.apigatewayv2.VpcLink;
    namespace: aws.servicediscovery.PrivateDnsNamespace;
    /** The Cloud Map service the integration discovers the tasks in. */
    discoveryService: aws.servicediscovery.Service;
    integration: aws.apigatewayv2.Integration;
}

export type AwsEdge = AwsAlbEdge | AwsHttpApiEdge;

export function createEdge(scope: Scope, input: EdgeInput<AwsNetwork>): AwsEdge {
    return input.spec.edge.kind === "payPerRequest" ? createHttpApiEdge(scope, input) : createAlbEdge(scope, input);
}
