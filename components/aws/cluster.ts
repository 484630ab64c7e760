/**
 * McpCluster on AWS: an ECS Fargate service (ARM64 Graviton by default,
 * X86_64 with cpuArchitecture) registered with the edge: in the ALB's target
 * group, or in the Cloud Map service the API Gateway edge discovers tasks in.
 * Tasks run in the private subnets without a public IP behind NAT, or, with
 * natGateways none, in the public subnets with a public IPv4 for their
 * outbound calls. A container health check, a log group with the tier's
 * retention, CPU target-tracking autoscaling between the tier's min and max
 * (Fargate never scales to zero), secrets injected from Secrets Manager, and
 * a task role and execution role of least privilege. Before the server
 * container starts, a non-essential init container runs audit:migrate with the
 * RDS master secret (the only container given it); the server connects as the
 * append-only role and writes its checkpoints to the S3 Object Lock bucket of
 * ./anchors.ts, which is all its task role may touch. Security group rules:
 * the service only from the edge; the database and cache only from the service.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, CpuArchitecture, overrideKey } from "../../sizing";
import { awsSizing, FARGATE_CPU_ARCHITECTURES } from "../../sizing/aws";
import { Scope } from "../base";
import { ClusterImpl, ClusterInput, DATABASE_CA_FILES, serverEnvironment, serverSecrets, SERVER_PROBES } from "../contract";
import { ClusterSummary, SecretRef, SERVER } from "../types";
import { anchorWriterPolicy, createAnchorBucket } from "./anchors";
import { AwsCache, CACHE_PORT } from "./cache";
import { AwsDatabase, DB_PORT } from "./database";
import { AwsEdge, AwsEdgeAttachment } from "./edge";
import { AwsImage } from "./image";
import { AwsNetwork } from "./network";
import { storedSecret } from "./secrets";

/** The init container that runs audit:migrate before the server container. */
export const AUDIT_MIGRATE_CONTAINER = "audit-migrate";

export interface AwsCluster extends ClusterImpl {
    securityGroup: aws.ec2.SecurityGroup;
    cluster: aws.ecs.Cluster;
    service: aws.ecs.Service;
    taskDefinition: aws.ecs.TaskDefinition;
    /** The replicas' log group (the monitor's metric filters read it). */
    logGroup: aws.cloudwatch.LogGroup;
}

/** ECS's `valueFrom` for one JSON key of a Secrets Manager secret, or for a Parameter Store parameter (its ARN). */
export function secretValueFrom(ref: SecretRef): pulumi.Output<string> {
    return ref.id.apply((arn) => (ref.key && ref.store !== "parameter" ? `${arn}:${ref.key}::` : arn));
}

/** The execution role's read access to exactly these secrets: Secrets Manager values, Parameter Store parameters. */
export function secretStatements(refs: SecretRef[]): Array<{ Effect: "Allow"; Action: string[]; Resource: pulumi.Output<string>[] }> {
    const ids = (parameter: boolean) => [...new Set(refs.filter((r) => (r.store === "parameter") === parameter).map((r) => r.id))];
    const out: Array<{ Effect: "Allow"; Action: string[]; Resource: pulumi.Output<string>[] }> = [];
    if (ids(false).length) out.push({ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: ids(false) });
    // SecureString parameters under the account's aws/ssm key: ECS decrypts them with GetParameters alone.
    if (ids(true).length) out.push({ Effect: "Allow", Action: ["ssm:GetParameters"], Resource: ids(true) });
    return out;
}

const assumeEcsTasks = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** Inputs of the task definition, service and scaling resources the summary is computed from. */
export interface FargateSummaryInputs {
    cpu: string;
    memory: string;
    minCapacity: number;
    maxCapacity: number;
    targetValue: number;
    subnetCount: number;
    assignPublicIp: boolean;
    /** The service security group's one ingress rule (protocol and port; its source is the edge's group). */
    inbound: { ipProtocol: string; port: number };
    logRetentionDays: number;
    /** The task definition's runtimePlatform.cpuArchitecture (Fargate's default is X86_64). */
    runtimeCpuArchitecture?: string;
}

export function summarizeFargate(i: FargateSummaryInputs): ClusterSummary {
    return {
        cloud: "aws",
        minReplicas: i.minCapacity,
        maxReplicas: i.maxCapacity,
        targetCpuPercent: i.targetValue,
        milliCpu: Math.round((Number(i.cpu) * 1000) / 1024),
        memoryMiB: Number(i.memory),
        // ECS spreads a service's tasks across the subnets' zones.
        zones: Math.min(i.minCapacity, i.subnetCount),
        // Fargate keeps minCapacity tasks running; it never scales to zero.
        scalesToZero: false,
        cpuArchitecture: i.runtimeCpuArchitecture === "ARM64" ? "arm64" : "x86_64",
        publicIp: i.assignPublicIp,
        // dev's tasks have a public IPv4 (no NAT gateway) for their outbound calls; nothing but the edge may connect to it.
        ...(i.assignPublicIp ? { publicIpInbound: `${i.inbound.ipProtocol} ${i.inbound.port} from the edge's security group only` } : {}),
        logRetentionDays: i.logRetentionDays,
    };
}

/** The ECS service args that register its tasks with the edge, and what the service must wait for (the edge's hand-off). */
export function edgeAttachment(edge: AwsEdge): AwsEdgeAttachment {
    return edge.attach();
}

/**
 * The task's CPU architecture: `cpuArchitecture` (default arm64), which must be the one the bundled
 * image was built for (both come from the same overrides in McpDeployment).
 */
export function taskCpuArchitecture(wanted: CpuArchitecture, image: AwsImage): CpuArchitecture {
    if (image.cpuArchitecture !== undefined && image.cpuArchitecture !== wanted) {
        throw new ConfigError(
            overrideKey("cpuArchitecture"),
            `the bundled image is built for ${image.cpuArchitecture} (the Network's overrides) but the cluster asks for ${wanted}; give the Network and the McpCluster the same cpuArchitecture`,
        );
    }
    return wanted;
}

/** The AWS parts a cluster is built from. */
export interface AwsClusterParts {
    network: AwsNetwork;
    image: AwsImage;
    database: AwsDatabase;
    cache: AwsCache;
    edge: AwsEdge;
}

export function createCluster(scope: Scope, input: ClusterInput<AwsClusterParts>): AwsCluster {
    const net = input.network;
    const edge = input.edge;
    const database = input.database;
    const cache = input.cache;
    const image = input.image;
    const { spec } = input;
    const sizing = awsSizing(spec, input.overrides);
    const cpuArchitecture = taskCpuArchitecture(sizing.cpuArchitecture, image);

    // Security groups: the service only from the edge; the data tier only from the service.
    const securityGroup = scope.child("sg", aws.ec2.SecurityGroup, {
        vpcId: net.vpc.id,
        description: "MCP service: from the edge only",
    });
    scope.child("sg-in-edge", aws.vpc.SecurityGroupIngressRule, {
        securityGroupId: securityGroup.id,
        referencedSecurityGroupId: edge.securityGroup.id,
        ipProtocol: "tcp",
        fromPort: SERVER.port,
        toPort: SERVER.port,
        description: "MCP traffic from the edge",
    });
    scope.child("edge-out-service", aws.vpc.SecurityGroupEgressRule, {
        securityGroupId: edge.securityGroup.id,
        referencedSecurityGroupId: securityGroup.id,
        ipProtocol: "tcp",
        fromPort: SERVER.port,
        toPort: SERVER.port,
        description: "Edge to the MCP service",
    });
    scope.child("sg-out-https", aws.vpc.SecurityGroupEgressRule, {
        securityGroupId: securityGroup.id,
        cidrIpv4: "0.0.0.0/0",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        description: "AWS APIs (ECR, Secrets Manager, Logs) and OAuth JWKS over HTTPS",
    });
    scope.child("sg-out-database", aws.vpc.SecurityGroupEgressRule, {
        securityGroupId: securityGroup.id,
        referencedSecurityGroupId: database.securityGroup.id,
        ipProtocol: "tcp",
        fromPort: DB_PORT,
        toPort: DB_PORT,
        description: "Audit database",
    });
    scope.child("database-in-service", aws.vpc.SecurityGroupIngressRule, {
        securityGroupId: database.securityGroup.id,
        referencedSecurityGroupId: securityGroup.id,
        ipProtocol: "tcp",
        fromPort: DB_PORT,
        toPort: DB_PORT,
        description: "PostgreSQL from the MCP service",
    });
    if (cache) {
        scope.child("sg-out-cache", aws.vpc.SecurityGroupEgressRule, {
            securityGroupId: securityGroup.id,
            referencedSecurityGroupId: cache.securityGroup.id,
            ipProtocol: "tcp",
            fromPort: CACHE_PORT,
            toPort: CACHE_PORT,
            description: "Session cache",
        });
        scope.child("cache-in-service", aws.vpc.SecurityGroupIngressRule, {
            securityGroupId: cache.securityGroup.id,
            referencedSecurityGroupId: securityGroup.id,
            ipProtocol: "tcp",
            fromPort: CACHE_PORT,
            toPort: CACHE_PORT,
            description: "Valkey from the MCP service",
        });
    }

    const logGroup = scope.child("logs", aws.cloudwatch.LogGroup, { retentionInDays: sizing.logRetentionDays });

    // The server's secrets (the contract's); AWS keeps the generated API key in Secrets Manager.
    const { apiKeys, secrets } = serverSecrets(scope, input, (keys) => {
        const stored = storedSecret(
            scope,
            "api-keys",
            "API keys accepted by the MCP server (comma-separated; add a key before removing the old one to rotate)",
            keys.apply((k) => ({ keys: k })),
            0,
            spec.secretStore,
            ["keys"],
        );
        return { secret: stored.resources["api-keys"], ref: stored.ref("keys") };
    });
    const apiKeySecret = apiKeys.secret;

    // audit:migrate's secrets: the master URL, and the server role's password it sets (see ./database.ts).
    const migration = database.migration;
    if (!migration) throw new Error("the AWS AuditDatabase must provide the audit:migrate credentials (migration)");
    const migrateSecrets = [
        { env: "DATABASE_ADMIN_URL", ref: migration.adminUrlSecret },
        { env: "MCP_AUDIT_SERVER_PASSWORD", ref: migration.serverPasswordSecret },
    ];

    // Execution role (the ECS agent, never the server process): pull this image, write this log group, read
    // these secrets (the server's, and the init container's). Nothing else.
    const executionRole = scope.child("execution-role", aws.iam.Role, {
        assumeRolePolicy: assumeEcsTasks,
        description: "ECS agent: pull the MCP image, write its logs, read its secrets",
    });
    const pullStatements = image.repository
        ? [
              { Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
              {
                  Effect: "Allow",
                  Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                  Resource: image.repository.arn,
              },
          ]
        : [];
    scope.child("execution-policy", aws.iam.RolePolicy, {
        role: executionRole.id,
        policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [
                ...pullStatements,
                { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
                ...secretStatements([...secrets.map((s) => s.ref), ...migrateSecrets.map((s) => s.ref)]),
            ],
        }),
    });
    // Task role: the server's only AWS calls are its audit checkpoints (create and read under the prefix, list it).
    // No secretsmanager/ssm access: ECS injects the secrets through the execution role.
    const anchors = createAnchorBucket(scope, spec);
    const taskRole = scope.child("task-role", aws.iam.Role, {
        assumeRolePolicy: assumeEcsTasks,
        description: "MCP server process: write and read its audit checkpoints, nothing else",
    });
    const taskPolicy = scope.child("task-policy", aws.iam.RolePolicy, {
        role: taskRole.id,
        policy: anchorWriterPolicy(anchors.bucket.arn),
    });

    const cluster = scope.child("cluster", aws.ecs.Cluster, {
        // Container Insights bills about 37 CloudWatch custom metrics (about $11 a month): on where the tier or the
        // stack asks for it (containerInsights; enterprise by default), see awsDefaultContainerInsights.
        settings: [{ name: "containerInsights", value: sizing.containerInsights ? "enabled" : "disabled" }],
    });

    const region = aws.getRegionOutput({}, { parent: scope.parent });
    const environment = serverEnvironment(input, {
        allowedHosts: edge.hostnames,
        // RDS instances are pinned to rds-ca-rsa2048-g1, whose region roots are in the image's bundle.
        databaseSsl: "verify-full",
        databaseCa: { file: DATABASE_CA_FILES.aws },
        // A serverless cache runs in cluster mode: the server follows its slots and redirects.
        extra: cache?.clusterMode ? { REDIS_CLUSTER: "true" } : undefined,
        auditAnchors: anchors.location,
    });
    const awslogs = (streamPrefix: string) => ({
        logDriver: "awslogs",
        options: { "awslogs-group": logGroup.name, "awslogs-region": region.region, "awslogs-stream-prefix": streamPrefix },
    });
    const containerDefinitions = pulumi.jsonStringify([
        {
            name: SERVER.containerName,
            image: input.image.ref,
            essential: true,
            readonlyRootFilesystem: true,
            portMappings: [{ containerPort: SERVER.port, protocol: "tcp" }],
            environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
            secrets: secrets.map((s) => ({ name: s.env, valueFrom: secretValueFrom(s.ref) })),
            healthCheck: {
                command: [...SERVER_PROBES.healthCommand],
                interval: SERVER_PROBES.intervalSeconds,
                timeout: SERVER_PROBES.timeoutSeconds,
                retries: SERVER_PROBES.retries,
                startPeriod: SERVER_PROBES.startPeriodSeconds,
            },
            stopTimeout: 30,
            linuxParameters: { initProcessEnabled: true },
            logConfiguration: awslogs("mcp"),
            // Starts only after audit:migrate exited 0 (a failed migrate fails the task, and the deployment rolls back).
            dependsOn: [{ containerName: AUDIT_MIGRATE_CONTAINER, condition: "SUCCESS" }],
        },
        {
            // audit:migrate: the only container given the master secret; creates or upgrades the schema and the
            // append-only role, then exits.
            name: AUDIT_MIGRATE_CONTAINER,
            image: input.image.ref,
            essential: false,
            command: ["node", "dist/audit/migrate.js"],
            readonlyRootFilesystem: true,
            environment: [
                { name: "DATABASE_SSL", value: "verify-full" },
                { name: "DATABASE_CA_CERT_FILE", value: DATABASE_CA_FILES.aws },
                { name: "MCP_AUDIT_SERVER_ROLE", value: migration.serverRole },
            ],
            secrets: migrateSecrets.map((s) => ({ name: s.env, valueFrom: secretValueFrom(s.ref) })),
            logConfiguration: awslogs("audit-migrate"),
        },
    ]);

    const taskDefinition = scope.child("task", aws.ecs.TaskDefinition, {
        family: `${pulumi.getProject()}-${pulumi.getStack()}-${scope.name}`,
        cpu: String(sizing.taskCpu),
        memory: String(sizing.taskMemoryMiB),
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: FARGATE_CPU_ARCHITECTURES[cpuArchitecture] },
        executionRoleArn: executionRole.arn,
        taskRoleArn: taskRole.arn,
        containerDefinitions,
    });

    const attachment = edgeAttachment(edge);
    const service = scope.child(
        "service",
        aws.ecs.Service,
        {
            cluster: cluster.arn,
            taskDefinition: taskDefinition.arn,
            launchType: "FARGATE",
            desiredCount: spec.service.minReplicas,
            networkConfiguration: {
                // Private subnets behind NAT; with natGateways none, public subnets and a public IPv4 per task
                // (outbound only: the security group admits the edge alone).
                subnets: net.serviceSubnetIds,
                securityGroups: [securityGroup.id],
                assignPublicIp: net.servicePublicIp,
            },
            ...attachment.args,
            deploymentCircuitBreaker: { enable: true, rollback: true },
            deploymentMinimumHealthyPercent: 100,
            deploymentMaximumPercent: 200,
            propagateTags: "SERVICE",
            enableExecuteCommand: false,
            waitForSteadyState: true,
        },
        { dependsOn: attachment.dependsOn, ignoreChanges: ["desiredCount"] },
    );

    const scalingTarget = scope.child("scaling-target", aws.appautoscaling.Target, {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: pulumi.interpolate`service/${cluster.name}/${service.name}`,
        minCapacity: spec.service.minReplicas,
        maxCapacity: spec.service.maxReplicas,
    });
    scope.child("scaling-policy", aws.appautoscaling.Policy, {
        policyType: "TargetTrackingScaling",
        serviceNamespace: scalingTarget.serviceNamespace,
        scalableDimension: scalingTarget.scalableDimension,
        resourceId: scalingTarget.resourceId,
        targetTrackingScalingPolicyConfiguration: {
            predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
            targetValue: spec.service.targetCpuPercent,
            scaleInCooldown: 300,
            scaleOutCooldown: 60,
        },
    });

    const task = scope.inputs<aws.ecs.TaskDefinitionArgs>("task");
    const svc = scope.inputs<aws.ecs.ServiceArgs>("service");
    const target = scope.inputs<aws.appautoscaling.TargetArgs>("scaling-target");
    const policy = scope.inputs<aws.appautoscaling.PolicyArgs>("scaling-policy");
    const logs = scope.inputs<aws.cloudwatch.LogGroupArgs>("logs");
    const inbound = scope.inputs<aws.vpc.SecurityGroupIngressRuleArgs>("sg-in-edge");
    const summary = pulumi
        .all([
            task.cpu,
            task.memory,
            target.minCapacity,
            target.maxCapacity,
            policy.targetTrackingScalingPolicyConfiguration,
            svc.networkConfiguration,
            pulumi.output({ retention: logs.retentionInDays, protocol: inbound.ipProtocol, port: inbound.fromPort }),
            task.runtimePlatform,
        ])
        .apply(([cpu, memory, min, max, tracking, netConfig, { retention, protocol, port }, platform]) =>
            summarizeFargate({
                cpu: String(cpu),
                memory: String(memory),
                minCapacity: Number(min),
                maxCapacity: Number(max),
                targetValue: Number(tracking?.targetValue),
                subnetCount: netConfig?.subnets?.length ?? 0,
                assignPublicIp: Boolean(netConfig?.assignPublicIp),
                inbound: { ipProtocol: String(protocol), port: Number(port) },
                logRetentionDays: Number(retention),
                runtimeCpuArchitecture: platform?.cpuArchitecture,
            }),
        )
        .apply((s) => pulumi.output(anchors.summary).apply((auditAnchors) => ({ ...s, auditAnchors })));

    return {
        serviceName: service.name,
        apiKeySecret: apiKeys.ref,
        summary,
        securityGroup,
        cluster,
        service,
        taskDefinition,
        logGroup,
        resources: {
            securityGroup,
            logGroup,
            apiKeySecret,
            executionRole,
            taskRole,
            taskPolicy,
            cluster,
            taskDefinition,
            service,
            scalingTarget,
            ...anchors.resources,
        },
    };
}
