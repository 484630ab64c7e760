/**
 * The loadBalancer edge on AWS: an internet-facing ALB in the public subnets.
 * With a domain, an ACM certificate (validated in Route 53), HTTPS with a
 * modern TLS policy and HTTP redirected to HTTPS; without one, plain HTTP on
 * the ALB's name. In tiers with a WAF, a web ACL with AWS managed rules and a
 * rate-based rule per client IP. The ECS service registers its tasks in the
 * target group. In prod and enterprise (keepsTrafficLogs) the ALB writes its
 * access logs to an S3 bucket of their own (SSE-S3, the only encryption ALB log
 * delivery supports; public access blocked; objects expire after the tier's
 * logRetentionDays). Cost: about $16.4 a month plus capacity units and one public
 * IPv4 per zone ($3.65 each); WAF $5 per ACL, $1 per rule, $0.60 per million requests;
 * access logs bill as S3 storage and PUTs only.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsSizing } from "../../sizing/aws";
import { EdgeSize, keepsTrafficLogs, TierSpec, WafRuleSets } from "../../sizing/tiers";
import { Scope } from "../base";
import { EdgeInput } from "../contract";
import { EdgeSummary, SERVER } from "../types";
import { dnsValidatedCertificate } from "./certificate";
import type { AwsAlbEdge } from "./edge-types";
import { AwsNetwork } from "./network";
import { denyInsecureTransport, privateBucketControls } from "./s3";

/** AWS managed rule groups applied for each WAF level, in priority order. */
export const MANAGED_RULE_GROUPS: Readonly<Record<WafRuleSets, readonly string[]>> = {
    none: [],
    baseline: ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"],
    extended: [
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesAnonymousIpList",
        "AWSManagedRulesSQLiRuleSet",
    ],
};

/** The rate-based rule's evaluation window: one minute, so the limit reads as requests per minute. */
export const RATE_WINDOW_SECONDS = 60;

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

/**
 * The managed rule groups an edge applies. AWS WAF bills each group as a rule and cannot merge two groups into
 * one rule, so `wafRules: compact` keeps the first, the core rule set (OWASP Top 10 coverage), and leaves the
 * rest out; `separate` applies every group of the level.
 */
export function managedRuleGroups(edge: EdgeSize): readonly string[] {
    const groups = MANAGED_RULE_GROUPS[edge.waf];
    return edge.wafRules === "compact" ? groups.slice(0, 1) : groups;
}

/** The web ACL rules for an edge size: managed groups first, then the per-IP rate limit. */
export function wafRules(edge: EdgeSize): aws.types.input.wafv2.WebAclRule[] {
    const managed = managedRuleGroups(edge).map((name, i) => ({
        name,
        priority: i + 1,
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { name, vendorName: "AWS" } },
        visibilityConfig: visibility(name),
    }));
    const rate =
        edge.rateLimitPerMinute === null
            ? []
            : [
                  {
                      name: "rate-limit-per-client-ip",
                      priority: managed.length + 1,
                      action: { block: {} },
                      statement: {
                          rateBasedStatement: {
                              limit: edge.rateLimitPerMinute,
                              aggregateKeyType: "IP",
                              evaluationWindowSec: RATE_WINDOW_SECONDS,
                          },
                      },
                      visibilityConfig: visibility("rate-limit-per-client-ip"),
                  },
              ];
    return [...managed, ...rate];
}

/**
 * Elastic Load Balancing's log-delivery account per Region opened before August 2022 (AWS's "attach a policy to your
 * S3 bucket" table). Those Regions take the account as the writer; Regions opened later take only the
 * `logdelivery.elasticloadbalancing.amazonaws.com` service principal. The bucket policy grants both, so it works in either.
 */
export const ELB_LOG_ACCOUNTS: Readonly<Record<string, string>> = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "ca-central-1": "985666609251",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "eu-central-1": "054676820928",
    "eu-north-1": "897822967062",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-south-1": "718504428378",
    "sa-east-1": "507241528517",
};

/** The key prefix the ALB writes under (AWS appends `/AWSLogs/<account>/elasticloadbalancing/...`). */
export const ALB_LOG_PREFIX = "alb";

/** The bucket policy that lets the ALB of `region` write its access logs under ALB_LOG_PREFIX, and refuses plain HTTP. */
export function albLogBucketPolicy(bucketArn: string, region: string): object {
    const objects = `${bucketArn}/${ALB_LOG_PREFIX}/AWSLogs/*`;
    const legacy = ELB_LOG_ACCOUNTS[region];
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AlbLogDelivery",
                Effect: "Allow",
                Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: objects,
            },
            ...(legacy
                ? [
                      {
                          Sid: "AlbLogDeliveryLegacyRegion",
                          Effect: "Allow",
                          Principal: { AWS: `arn:aws:iam::${legacy}:root` },
                          Action: "s3:PutObject",
                          Resource: objects,
                      },
                  ]
                : []),
            denyInsecureTransport(bucketArn, `${bucketArn}/*`),
        ],
    };
}

/** The access-log bucket and what the ALB must wait for (the policy: ELB checks it can write when logging is enabled). */
function albLogBucket(scope: Scope, spec: TierSpec): { bucket: aws.s3.Bucket; ready: pulumi.Resource[]; children: pulumi.Resource[] } {
    const bucket = scope.child("access-logs", aws.s3.Bucket, {
        // Logs are disposable once past their retention; a destroy may empty the bucket.
        forceDestroy: true,
        tags: { "mcp-infra:logs": "alb-access" },
    });
    // ALB log delivery supports SSE-S3 only (not SSE-KMS), which is what these controls set.
    const { publicAccess, encryption } = privateBucketControls(scope, "access-logs", bucket);
    const lifecycle = scope.child("access-logs-expiry", aws.s3.BucketLifecycleConfiguration, {
        bucket: bucket.id,
        rules: [
            {
                id: "expire-after-retention",
                status: "Enabled",
                filter: { prefix: `${ALB_LOG_PREFIX}/` },
                expiration: { days: spec.logRetentionDays },
            },
        ],
    });
    const region = aws.config.region ?? "us-east-1";
    const policy = scope.child(
        "access-logs-policy",
        aws.s3.BucketPolicy,
        { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify(albLogBucketPolicy(arn, region))) },
        { dependsOn: [publicAccess] },
    );
    return { bucket, ready: [policy, encryption], children: [bucket, publicAccess, encryption, lifecycle, policy] };
}

/** Inputs of the ALB, its listeners and web ACL the edge summary is computed from. */
export interface AlbSummaryInputs {
    idleTimeout: number;
    httpsSslPolicy?: string;
    httpRedirects: boolean;
    healthPath: string;
    webAclRules?: aws.types.input.wafv2.WebAclRule[];
}

export function summarizeAlb(i: AlbSummaryInputs): EdgeSummary {
    const rules = i.webAclRules ?? [];
    const managed = rules
        .map((r) => (r.statement as pulumi.Unwrap<aws.types.input.wafv2.WebAclRuleStatement> | undefined)?.managedRuleGroupStatement?.name)
        .filter((n): n is string => !!n);
    const rate = rules
        .map((r) => (r.statement as pulumi.Unwrap<aws.types.input.wafv2.WebAclRuleStatement> | undefined)?.rateBasedStatement)
        .find((s) => s);
    const tls = i.httpsSslPolicy === undefined ? "none" : i.httpsSslPolicy.includes("-Res-") ? "restricted" : "modern";
    return {
        cloud: "aws",
        kind: "loadBalancer",
        tls,
        httpRedirect: i.httpRedirects,
        waf: i.webAclRules !== undefined,
        managedRuleSets: managed,
        rateLimitPerMinute: rate ? (Number(rate.limit) * 60) / Number(rate.evaluationWindowSec ?? 300) : null,
        idleTimeoutSeconds: i.idleTimeout,
        healthPath: i.healthPath,
    };
}

export function createAlbEdge(scope: Scope, { network, spec, domain, dnsZone }: EdgeInput<AwsNetwork>): AwsAlbEdge {
    const net = network;
    const { sslPolicy } = awsSizing(spec, {});
    const edge = spec.edge;

    const securityGroup = scope.child("sg", aws.ec2.SecurityGroup, {
        vpcId: net.vpc.id,
        description: "MCP edge: the public listener",
    });
    const listenPorts = domain ? [80, 443] : [80];
    for (const port of listenPorts) {
        scope.child(`sg-in-${port}`, aws.vpc.SecurityGroupIngressRule, {
            securityGroupId: securityGroup.id,
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            cidrIpv4: "0.0.0.0/0",
            description: port === 443 ? "HTTPS from anywhere" : "HTTP from anywhere",
        });
    }

    const logs = keepsTrafficLogs(spec) ? albLogBucket(scope, spec) : undefined;
    const loadBalancer = scope.child(
        "alb",
        aws.lb.LoadBalancer,
        {
            loadBalancerType: "application",
            internal: false,
            securityGroups: [securityGroup.id],
            subnets: net.publicSubnetIds,
            idleTimeout: edge.idleTimeoutSeconds,
            dropInvalidHeaderFields: true,
            enableHttp2: true,
            enableDeletionProtection: spec.database.deletionProtection,
            ...(logs ? { accessLogs: { bucket: logs.bucket.id, prefix: ALB_LOG_PREFIX, enabled: true } } : {}),
        },
        logs ? { dependsOn: logs.ready } : undefined,
    );
    const targetGroup = scope.child("targets", aws.lb.TargetGroup, {
        vpcId: net.vpc.id,
        targetType: "ip",
        port: SERVER.port,
        protocol: "HTTP",
        deregistrationDelay: 30,
        healthCheck: {
            path: SERVER.healthPath,
            protocol: "HTTP",
            matcher: "200",
            interval: 15,
            timeout: 5,
            healthyThreshold: 2,
            unhealthyThreshold: 3,
        },
    });
    const forward = [{ type: "forward", targetGroupArn: targetGroup.arn }];

    let listener: aws.lb.Listener;
    let hostnames: pulumi.Output<string[]>;
    let url: pulumi.Output<string>;
    if (domain) {
        const { zoneId, validation } = dnsValidatedCertificate(scope, domain, dnsZone ?? domain);
        listener = scope.child("https", aws.lb.Listener, {
            loadBalancerArn: loadBalancer.arn,
            port: 443,
            protocol: "HTTPS",
            sslPolicy,
            certificateArn: validation.certificateArn,
            defaultActions: forward,
        });
        scope.child("http", aws.lb.Listener, {
            loadBalancerArn: loadBalancer.arn,
            port: 80,
            protocol: "HTTP",
            defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
        });
        scope.child("alias", aws.route53.Record, {
            zoneId,
            name: domain,
            type: "A",
            aliases: [{ name: loadBalancer.dnsName, zoneId: loadBalancer.zoneId, evaluateTargetHealth: true }],
        });
        hostnames = pulumi.output([domain]);
        url = pulumi.output(`https://${domain}`);
    } else {
        listener = scope.child("http", aws.lb.Listener, {
            loadBalancerArn: loadBalancer.arn,
            port: 80,
            protocol: "HTTP",
            defaultActions: forward,
        });
        hostnames = loadBalancer.dnsName.apply((n) => [n]);
        url = pulumi.interpolate`http://${loadBalancer.dnsName}`;
    }

    let webAcl: aws.wafv2.WebAcl | undefined;
    if (edge.waf !== "none") {
        webAcl = scope.child("waf", aws.wafv2.WebAcl, {
            scope: "REGIONAL",
            defaultAction: { allow: {} },
            rules: wafRules(edge),
            visibilityConfig: visibility(`${scope.name}-waf`),
        });
        scope.child("waf-association", aws.wafv2.WebAclAssociation, { resourceArn: loadBalancer.arn, webAclArn: webAcl.arn });
    }

    const albArgs = scope.inputs<aws.lb.LoadBalancerArgs>("alb");
    const tgArgs = scope.inputs<aws.lb.TargetGroupArgs>("targets");
    const httpsArgs = domain ? scope.inputs<aws.lb.ListenerArgs>("https") : undefined;
    const httpArgs = scope.inputs<aws.lb.ListenerArgs>("http");
    const wafArgs = webAcl ? scope.inputs<aws.wafv2.WebAclArgs>("waf") : undefined;
    const summary = pulumi
        .all([albArgs.idleTimeout, httpsArgs?.sslPolicy, httpArgs.defaultActions, tgArgs.healthCheck, wafArgs?.rules])
        .apply(([idle, ssl, httpActions, health, rules]) =>
            summarizeAlb({
                idleTimeout: Number(idle ?? 60),
                httpsSslPolicy: ssl,
                httpRedirects: (httpActions ?? []).some((a) => a.type === "redirect" && a.redirect?.protocol === "HTTPS"),
                healthPath: String(health?.path ?? "/"),
                webAclRules: rules as aws.types.input.wafv2.WebAclRule[] | undefined,
            }),
        );

    return {
        kind: "loadBalancer",
        url,
        hostnames,
        summary,
        securityGroup,
        loadBalancer,
        targetGroup,
        listener,
        // The ECS service registers its tasks in the target group, once the listener forwards to it.
        attach: () => ({
            args: {
                loadBalancers: [{ targetGroupArn: targetGroup.arn, containerName: SERVER.containerName, containerPort: SERVER.port }],
                healthCheckGracePeriodSeconds: 60,
            },
            dependsOn: [listener],
        }),
        resources: {
            securityGroup,
            loadBalancer,
            targetGroup,
            listener,
            ...(webAcl ? { webAcl } : {}),
            ...(logs ? { accessLogs: logs.children } : {}),
        },
    };
}
