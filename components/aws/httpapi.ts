/**
 * The payPerRequest edge on AWS: an API Gateway HTTP API, billed per request
 * with no hourly charge, in front of the ECS service through a VPC link and
 * AWS Cloud Map.
 *
 *   client --HTTPS--> HTTP API ($default stage) --VPC link--> task IP:8080
 *                                 |                   ^
 *                                 +-- DiscoverInstances (Cloud Map SRV service: IPv4 + port of each task)
 *
 * - Routes: `ANY /mcp`, `GET /health` and the OAuth protected-resource metadata only. Nothing else is forwarded: /metrics is not even on the
 *   server's port, /ready stays internal, and any other path gets API Gateway's own 404.
 * - The ECS service registers every task in the Cloud Map service (SRV records carry the port, which API
 *   Gateway reads as AWS_INSTANCE_PORT), and reports its container health check (/health) as the
 *   instance's health (custom health checking).
 * - The VPC link's security group has no inbound rule; the cluster adds its only outbound rule (to the
 *   service's security group on the server port), and the service admits the server port from it alone.
 * - The integration sets the Host header to the name the client called (the execute-api host or the
 *   domain), so the server's MCP_ALLOWED_HOSTS check works the same as behind the ALB.
 *
 * Limits, compared with the ALB: an HTTP API integration times out after 30 seconds (clients get 504) and
 * responses are buffered, never streamed, so Server-Sent Events do not work through it. The bundled
 * server answers MCP Streamable HTTP requests with JSON responses (stateless, `enableJsonResponse`),
 * which fits as long as one tool call returns within 30 s. No WAF and no per-client rate limit (the
 * stage throttles all clients together), which is why only tiers without a WAF may use it. HTTPS only,
 * TLS 1.2 or later (the TLS_1_2 policy, the only one HTTP APIs offer); plain HTTP is not served at all.
 *
 * Access logs: in tiers that keep traffic logs (keepsTrafficLogs: prod and enterprise, which use the ALB today), the stage
 * writes one JSON line per request (HTTP_API_ACCESS_LOG_FORMAT) to a CloudWatch log group kept for the tier's logRetentionDays
 * (HTTP APIs write through API Gateway's service-linked role: no account-level CloudWatch role is needed).
 *
 * Cost: $1.00 per million requests (first 300 million a month, metered in 512 KB increments), Cloud Map
 * $0.10 per registered task a month plus the namespace's private hosted zone ($0.50 a month);
 * the VPC link and the custom domain are free.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsSizing, HTTP_API_MAX_TIMEOUT_MS, HTTP_API_THROTTLE } from "../../sizing/aws";
import { keepsTrafficLogs } from "../../sizing/tiers";
import { Scope } from "../base";
import { EdgeInput } from "../contract";
import { EdgeSummary, SERVER } from "../types";
import { dnsValidatedCertificate } from "./certificate";
import type { AwsHttpApiEdge } from "./edge-types";
import { AwsNetwork } from "./network";

/** The only routes the edge forwards, as API Gateway route keys. */
export const HTTP_API_ROUTES = [
    `ANY ${SERVER.mcpPath}`,
    `GET ${SERVER.healthPath}`,
    // OAuth resource-server mode: clients discover the authorization server here (RFC 9728).
    `GET ${SERVER.oauthMetadataPath}`,
    `GET ${SERVER.oauthMetadataPath}${SERVER.mcpPath}`,
] as const;

/** A route's child role: `route-` and its path as a slug (`route-mcp`, `route-well-known-oauth-protected-resource`). */
export function routeRole(routeKey: string): string {
    return `route-${routeKey
        .split(" ")[1]
        .replace(/[^a-z0-9]+/gi, "-")
        .replace(/^-+|-+$/g, "")}`;
}

/** One JSON line per request in the stage's access log ($context variables of HTTP APIs). */
export const HTTP_API_ACCESS_LOG_FORMAT = JSON.stringify({
    requestId: "$context.requestId",
    ip: "$context.identity.sourceIp",
    requestTime: "$context.requestTime",
    httpMethod: "$context.httpMethod",
    routeKey: "$context.routeKey",
    path: "$context.path",
    status: "$context.status",
    protocol: "$context.protocol",
    responseLength: "$context.responseLength",
    responseLatency: "$context.responseLatency",
    integrationLatency: "$context.integrationLatency",
    integrationError: "$context.integrationErrorMessage",
    userAgent: "$context.identity.userAgent",
});

/** The Cloud Map service's name in the namespace (API Gateway discovers the tasks through the API; the DNS name is incidental). */
export const DISCOVERY_SERVICE_NAME = "mcp";

/** The inputs of the HTTP API's children the edge summary is computed from. */
export interface HttpApiSummaryInputs {
    /** The custom domain's security policy, when there is a domain. */
    domainSecurityPolicy?: string;
    /** The default execute-api endpoint is enabled (it serves HTTPS with TLS_1_2). */
    executeApiEndpoint: boolean;
    routeKeys: string[];
    integrationTimeoutMs: number;
    /** The Cloud Map service takes the instances' health from ECS (custom health checking). */
    healthFromEcs: boolean;
}

export function summarizeHttpApi(i: HttpApiSummaryInputs): EdgeSummary {
    const policy = i.domainSecurityPolicy ?? (i.executeApiEndpoint ? "TLS_1_2" : undefined);
    return {
        cloud: "aws",
        kind: "payPerRequest",
        // TLS_1_2 (TLS 1.2 minimum), the only policy HTTP APIs offer, is what they have of the modern profile.
        tls: policy === "TLS_1_2" ? "modern" : "none",
        // An HTTP API has no plain-HTTP listener at all: port 80 is refused, never served.
        httpRedirect: true,
        waf: false,
        managedRuleSets: [],
        // Stage throttling is shared by all clients, not a per-client-IP limit.
        rateLimitPerMinute: null,
        // A request lasts at most the integration timeout (30 s); there is no longer-lived streamed response.
        idleTimeoutSeconds: Math.floor(i.integrationTimeoutMs / 1000),
        healthPath: i.healthFromEcs && i.routeKeys.includes(`GET ${SERVER.healthPath}`) ? SERVER.healthPath : "none",
    };
}

export function createHttpApiEdge(scope: Scope, { network, spec, domain, dnsZone }: EdgeInput<AwsNetwork>): AwsHttpApiEdge {
    const net = network;
    const { httpApiTlsPolicy } = awsSizing(spec, {});

    // The VPC link's network interfaces: no inbound rule; the cluster adds the one outbound rule to the service.
    const securityGroup = scope.child("sg", aws.ec2.SecurityGroup, {
        vpcId: net.vpc.id,
        description: "MCP edge: API Gateway VPC link to the MCP service (no inbound)",
    });
    const vpcLink = scope.child("vpc-link", aws.apigatewayv2.VpcLink, {
        subnetIds: net.privateSubnetIds,
        securityGroupIds: [securityGroup.id],
    });

    // Cloud Map: ECS registers each task (IPv4 + port from the SRV record) and reports its health.
    const namespace = scope.child("namespace", aws.servicediscovery.PrivateDnsNamespace, {
        name: `${scope.name}.internal`,
        vpc: net.vpc.id,
        description: "MCP service discovery for the API Gateway VPC link",
    });
    const discovery = scope.child("discovery", aws.servicediscovery.Service, {
        name: DISCOVERY_SERVICE_NAME,
        description: "The MCP server's tasks, registered by ECS",
        dnsConfig: {
            namespaceId: namespace.id,
            routingPolicy: "MULTIVALUE",
            dnsRecords: [{ type: "SRV", ttl: 10 }],
        },
        healthCheckCustomConfig: {},
        forceDestroy: true,
    });

    const api = scope.child("api", aws.apigatewayv2.Api, {
        protocolType: "HTTP",
        description: "MCP endpoint: /mcp and /health, forwarded to the ECS service through a VPC link",
        // With a domain, the domain (and its TLS policy) is the only way in.
        disableExecuteApiEndpoint: domain !== undefined,
    });
    const integration = scope.child("integration", aws.apigatewayv2.Integration, {
        apiId: api.id,
        description: "The MCP service's tasks, discovered in Cloud Map",
        integrationType: "HTTP_PROXY",
        integrationMethod: "ANY",
        integrationUri: discovery.arn,
        connectionType: "VPC_LINK",
        connectionId: vpcLink.id,
        payloadFormatVersion: "1.0",
        timeoutMilliseconds: HTTP_API_MAX_TIMEOUT_MS,
        // The server checks Host against MCP_ALLOWED_HOSTS: send the name the client called, not the task's address.
        requestParameters: { "overwrite:header.host": "$context.domainName" },
    });
    const routes = HTTP_API_ROUTES.map((routeKey) =>
        scope.child(routeRole(routeKey), aws.apigatewayv2.Route, {
            apiId: api.id,
            routeKey,
            target: pulumi.interpolate`integrations/${integration.id}`,
            // The server authenticates every /mcp call itself (API keys or OAuth).
            authorizationType: "NONE",
        }),
    );
    const accessLogs = keepsTrafficLogs(spec)
        ? scope.child("access-logs", aws.cloudwatch.LogGroup, {
              retentionInDays: spec.logRetentionDays,
              tags: { "mcp-infra:logs": "http-api-access" },
          })
        : undefined;
    // $default: served at the root (no stage prefix in the path the server sees), deployed on every change.
    const stage = scope.child(
        "stage",
        aws.apigatewayv2.Stage,
        {
            apiId: api.id,
            name: "$default",
            autoDeploy: true,
            defaultRouteSettings: {
                throttlingRateLimit: HTTP_API_THROTTLE.rateLimitPerSecond,
                throttlingBurstLimit: HTTP_API_THROTTLE.burstLimit,
            },
            ...(accessLogs ? { accessLogSettings: { destinationArn: accessLogs.arn, format: HTTP_API_ACCESS_LOG_FORMAT } } : {}),
        },
        { dependsOn: routes },
    );

    let url: pulumi.Output<string>;
    let hostnames: pulumi.Output<string[]>;
    let domainName: aws.apigatewayv2.DomainName | undefined;
    if (domain) {
        const { zoneId, validation } = dnsValidatedCertificate(scope, domain, dnsZone ?? domain);
        domainName = scope.child("domain", aws.apigatewayv2.DomainName, {
            domainName: domain,
            domainNameConfiguration: {
                certificateArn: validation.certificateArn,
                endpointType: "REGIONAL",
                securityPolicy: httpApiTlsPolicy!,
            },
        });
        scope.child("api-mapping", aws.apigatewayv2.ApiMapping, { apiId: api.id, domainName: domainName.id, stage: stage.name });
        const target = domainName.domainNameConfiguration;
        scope.child("alias", aws.route53.Record, {
            zoneId,
            name: domain,
            type: "A",
            aliases: [
                {
                    name: target.apply((t) => t.targetDomainName!),
                    zoneId: target.apply((t) => t.hostedZoneId!),
                    evaluateTargetHealth: false,
                },
            ],
        });
        url = pulumi.output(`https://${domain}`);
        hostnames = pulumi.output([domain]);
    } else {
        url = api.apiEndpoint;
        hostnames = api.apiEndpoint.apply((e) => [new URL(e).host]);
    }

    const apiArgs = scope.inputs<aws.apigatewayv2.ApiArgs>("api");
    const integrationArgs = scope.inputs<aws.apigatewayv2.IntegrationArgs>("integration");
    const discoveryArgs = scope.inputs<aws.servicediscovery.ServiceArgs>("discovery");
    const routeKeys = HTTP_API_ROUTES.map((r) => scope.inputs<aws.apigatewayv2.RouteArgs>(routeRole(r)).routeKey);
    const domainArgs = domain ? scope.inputs<aws.apigatewayv2.DomainNameArgs>("domain") : undefined;
    const summary = pulumi
        .all([
            apiArgs.disableExecuteApiEndpoint,
            integrationArgs.timeoutMilliseconds,
            discoveryArgs.healthCheckCustomConfig,
            pulumi.all(routeKeys),
            domainArgs?.domainNameConfiguration,
        ])
        .apply(([disabled, timeout, customHealth, keys, domainConfig]) =>
            summarizeHttpApi({
                domainSecurityPolicy: domainConfig?.securityPolicy,
                executeApiEndpoint: disabled !== true,
                routeKeys: keys,
                integrationTimeoutMs: Number(timeout ?? HTTP_API_MAX_TIMEOUT_MS),
                healthFromEcs: customHealth !== undefined,
            }),
        );

    return {
        kind: "payPerRequest",
        url,
        hostnames,
        summary,
        securityGroup,
        api,
        stage,
        vpcLink,
        namespace,
        discoveryService: discovery,
        integration,
        // SRV records in an awsvpc service: container name and port, and ECS registers AWS_INSTANCE_IPV4 and AWS_INSTANCE_PORT.
        // No health check grace period: ECS accepts one only with a load balancer (the container health check has its startPeriod).
        // The stage deploys the routes, which target the integration: the endpoint is live once the service is.
        attach: () => ({
            args: { serviceRegistries: { registryArn: discovery.arn, containerName: SERVER.containerName, containerPort: SERVER.port } },
            dependsOn: [stage],
        }),
        resources: {
            securityGroup,
            vpcLink,
            namespace,
            discoveryService: discovery,
            api,
            integration,
            routes,
            stage,
            ...(domainName ? { domainName } : {}),
            ...(accessLogs ? { accessLogs } : {}),
        },
    };
}
