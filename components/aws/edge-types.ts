/** The AWS edge's types: what the cluster reads from it and the hand-off (`attach`) it gets. */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { EdgeImpl } from "../contract";

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
