/**
 * McpCluster on GCP: a Cloud Run v2 service (second-generation environment,
 * x86_64) with Direct VPC egress into the private subnet (private ranges only)
 * to reach Cloud SQL and Memorystore, min/max instances and a CPU-utilisation
 * scaling target per tier, request-based billing (CPU only while serving),
 * startup and liveness probes, secrets referenced from Secret Manager, logs
 * routed to a bucket with the tier's retention, and its own service account
 * holding only `secretAccessor` on exactly its secrets (plus read on the image
 * repository).
 * Ingress follows the edge: internal and load balancer only behind a load
 * balancer; all traffic on the service's own run.app URL for a per-request
 * edge. Where the tier scales to zero (`scaleToZero`), no instance runs while
 * idle and the first request after an idle period pays a cold start. It then
 * attaches itself to the edge.
 *
 * The audit log (docs/audit.md): a Cloud Run job `audit-migrate` runs
 * `node dist/audit/migrate.js` on create (and whenever the image changes) under
 * its own service account, the only identity that reads the administrator's
 * URL; the service is created after it succeeds and connects as the
 * append-only `mcp_server` role. Checkpoints go to a GCS bucket with a locked
 * retention policy (the tier's anchorRetentionDays), uniform access and public
 * access prevention; the service account may create and read objects there,
 * never delete or overwrite them.
 */
import { createHash } from "node:crypto";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { CLOUD_RUN_ARCHITECTURE, cloudRunCpuLimit, gcpSizing, parseCloudRunCpu, parseCloudRunMemory } from "../../sizing/gcp";
import { Scope } from "../base";
import { ClusterImpl, ClusterInput, serverEnvironment, serverSecrets, SERVER_PROBES } from "../contract";
import { ClusterSummary, SERVER } from "../types";
import { CLOUD_RUN_NAME_MAX, gcpId, REGION_ZONES, runAppHost, secretWithValue } from "./common";
import { GcpCache } from "./cache";
import { GcpDatabase } from "./database";
import { GcpEdge } from "./edge";
import { GcpImage } from "./image";
import { GcpNetwork } from "./network";

/** Concurrent requests one instance serves (MCP calls are mostly I/O-bound). */
export const CONCURRENCY = 80;

/** The object prefix of the audit checkpoints in the anchor bucket. */
export const AUDIT_ANCHOR_PREFIX = "checkpoints";

/** Roles the service account holds on the anchor bucket: create and read objects, see the bucket; no delete, so no overwrite. */
export const ANCHOR_BUCKET_ROLES = {
    creator: "roles/storage.objectCreator",
    viewer: "roles/storage.objectViewer",
    // storage.buckets.get for the server's start-up probe (bucket.exists()), plus objects.list.
    bucket: "roles/storage.legacyBucketReader",
} as const;

export interface GcpCluster extends ClusterImpl {
    serviceAccount: gcp.serviceaccount.Account;
    service: gcp.cloudrunv2.Service;
    /** The audit:migrate job and its own service account (the only reader of the administrator's URL). */
    migrateJob: gcp.cloudrunv2.Job;
    migrateAccount: gcp.serviceaccount.Account;
    /** The write-once bucket for audit checkpoints. */
    anchorBucket: gcp.storage.Bucket;
}

/** Inputs of the Cloud Run service and its log bucket the summary is computed from. */
export interface CloudRunSummaryInputs {
    cpuLimit: string;
    memoryLimit: string;
    minInstances: number;
    maxInstances: number;
    /** `template.scaling.cpuUtilization`, 0.1 to 0.95. */
    cpuUtilization: number;
    logRetentionDays: number;
}

export function summarizeCloudRun(i: CloudRunSummaryInputs): ClusterSummary {
    return {
        cloud: "gcp",
        minReplicas: i.minInstances,
        maxReplicas: i.maxInstances,
        targetCpuPercent: Math.round(i.cpuUtilization * 100),
        milliCpu: parseCloudRunCpu(i.cpuLimit),
        memoryMiB: parseCloudRunMemory(i.memoryLimit),
        // Cloud Run is regional and spreads a service's instances across the region's zones;
        // a service scaled to zero starts its first instance in one of them.
        zones: Math.min(Math.max(i.minInstances, 1), REGION_ZONES),
        scalesToZero: i.minInstances === 0,
        cpuArchitecture: CLOUD_RUN_ARCHITECTURE,
        // Cloud Run instances never get a public IP, whatever the ingress: requests reach them through
        // Google's front end (the edge, reported by EdgeLB), and their outbound traffic leaves through Cloud Run.
        publicIp: false,
        logRetentionDays: i.logRetentionDays,
    };
}

/** Seconds of a Cloud Run duration such as "300s". */
export function parseDurationSeconds(text: string): number {
    const m = /^(\d+(?:\.\d+)?)s$/.exec(text.trim());
    if (!m) throw new Error(`not a duration in seconds: "${text}"`);
    return Number(m[1]);
}

/** The GCP parts a cluster is built from. */
export interface GcpClusterParts {
    network: GcpNetwork;
    image: GcpImage;
    database: GcpDatabase;
    cache: GcpCache;
    edge: GcpEdge;
}

export function createCluster(scope: Scope, input: ClusterInput<GcpClusterParts>): GcpCluster {
    const net = input.network;
    const edge = input.edge;
    const image = input.image;
    const { spec, database, cache } = input;
    const { project, region } = net.location;
    const sizing = gcpSizing(spec, input.overrides);
    const after = { dependsOn: net.apis };
    const perRequestEdge = edge.kind === "payPerRequest";

    const serviceAccount = scope.child(
        "identity",
        gcp.serviceaccount.Account,
        {
            project,
            accountId: gcpId(scope, "run", 30),
            displayName: "MCP server (Cloud Run)",
            description: "Runtime identity of the MCP server: reads its own secrets, nothing else",
        },
        after,
    );
    const member = pulumi.interpolate`serviceAccount:${serviceAccount.email}`;

    // The server's secrets (the contract's); GCP keeps the generated API key in Secret Manager.
    const { apiKeys, secrets } = serverSecrets(scope, input, (keys) => {
        const secret = secretWithValue(
            scope,
            "api-keys",
            keys,
            "API keys accepted by the MCP server (comma-separated; add a key before removing the old one to rotate)",
            after,
        );
        return { secret, ref: { id: secret.id } };
    });
    const apiKeySecret = apiKeys.secret;
    // Secret-level grants: the service account can read exactly these secrets and no other.
    const grants = secrets.map((s) =>
        scope.child(`access-${s.env.toLowerCase().replace(/_/g, "-")}`, gcp.secretmanager.SecretIamMember, {
            project,
            secretId: s.ref.id,
            role: "roles/secretmanager.secretAccessor",
            member,
        }),
    );
    // Read-only and scoped to this one repository. Cloud Run pulls the image with its own service agent
    // (which already reads same-project repositories), so this grant is belt-and-braces, not required.
    const pull = image.repository
        ? [
              scope.child("image-reader", gcp.artifactregistry.RepositoryIamMember, {
                  project,
                  location: region,
                  repository: image.repository.name,
                  role: "roles/artifactregistry.reader",
                  member,
              }),
          ]
        : [];
    // No roles/cloudsql.client: the server reaches Cloud SQL on its private IP with password auth, not via the connector.

    // Behind a per-request edge clients call the service's deterministic run.app URL. Its host is known
    // before the service exists (a fixed service name, the project number and the region), so the server
    // can accept exactly that Host without waiting for the service's `uri` output (which would be a cycle).
    // The hash-based URL Cloud Run also gives (`uri`) is not accepted.
    const serviceName = perRequestEdge ? gcpId(scope, "service", CLOUD_RUN_NAME_MAX) : undefined;
    const runHost = serviceName
        ? gcp.organizations
              .getProjectOutput({ projectId: project }, { parent: scope.parent })
              .number.apply((n) => runAppHost(serviceName, String(n), region))
        : undefined;
    const allowedHosts = runHost ? runHost.apply((h) => [h]) : edge.hostnames;

    // Audit checkpoints: a bucket whose retention policy is locked (objects cannot be deleted or replaced
    // before the tier's retention ends, by anyone). No object versioning: GCS refuses it with a retention policy.
    const anchorBucket = scope.child(
        "audit-anchors",
        gcp.storage.Bucket,
        {
            project,
            location: region,
            storageClass: "STANDARD",
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            retentionPolicy: { retentionPeriod: String(spec.audit.anchorRetentionDays * 86_400), isLocked: true },
            forceDestroy: false,
            labels: { "mcp-infra": "audit-anchors", "checkpoint-interval-s": String(spec.audit.checkpointIntervalSeconds) },
        },
        after,
    );
    const anchorGrants = Object.entries(ANCHOR_BUCKET_ROLES).map(([k, role]) =>
        scope.child(`anchors-${k}`, gcp.storage.BucketIAMMember, {
            bucket: anchorBucket.name,
            role,
            member,
        }),
    );
    const auditAnchors = pulumi.interpolate`gs://${anchorBucket.name}/${AUDIT_ANCHOR_PREFIX}`;

    // audit:migrate: a Cloud Run job under its own service account, the only identity with access to the
    // administrator's URL and the server role's password. It creates the schema and the append-only role.
    const migration = database.migration;
    if (!migration) throw new Error(`${scope.name}: the GCP database gives no audit migration (administrator and server credentials)`);
    const migrateAccount = scope.child(
        "migrate-identity",
        gcp.serviceaccount.Account,
        {
            project,
            accountId: gcpId(scope, "migrate", 30),
            displayName: "MCP audit:migrate (Cloud Run job)",
            description: "Runs the audit log's schema migration with the database administrator's credentials; nothing else",
        },
        after,
    );
    const migrateMember = pulumi.interpolate`serviceAccount:${migrateAccount.email}`;
    const migrateGrants = [
        scope.child("migrate-access-admin-url", gcp.secretmanager.SecretIamMember, {
            project,
            secretId: migration.adminUrlSecret.id,
            role: "roles/secretmanager.secretAccessor",
            member: migrateMember,
        }),
        scope.child("migrate-access-server-password", gcp.secretmanager.SecretIamMember, {
            project,
            secretId: migration.serverPasswordSecret.id,
            role: "roles/secretmanager.secretAccessor",
            member: migrateMember,
        }),
    ];
    const migrateName = gcpId(scope, "migrate", 40);
    const migrateJob = scope.child(
        "audit-migrate",
        gcp.cloudrunv2.Job,
        {
            project,
            location: region,
            name: migrateName,
            deletionProtection: false,
            // A new execution on create and whenever the image changes; the job is ready (and the service
            // is created) only once that execution completed successfully.
            runExecutionToken: pulumi
                .output(input.image.ref)
                .apply((ref) => `m${createHash("sha256").update(ref).digest("hex").slice(0, 12)}`),
            template: {
                taskCount: 1,
                parallelism: 1,
                template: {
                    serviceAccount: migrateAccount.email,
                    maxRetries: 2,
                    timeout: "600s",
                    vpcAccess: {
                        networkInterfaces: [{ network: net.network.id, subnetwork: net.subnet.id }],
                        egress: "PRIVATE_RANGES_ONLY",
                    },
                    containers: [
                        {
                            name: "audit-migrate",
                            image: input.image.ref,
                            commands: ["node", "dist/audit/migrate.js"],
                            resources: { limits: { cpu: "1", memory: "512Mi" } },
                            envs: [
                                { name: "DATABASE_SSL", value: "verify-full" },
                                ...(database.caCertificate ? [{ name: "DATABASE_CA_CERT", value: database.caCertificate }] : []),
                                { name: "MCP_AUDIT_SERVER_ROLE", value: migration.serverRole },
                                {
                                    name: "DATABASE_ADMIN_URL",
                                    valueSource: { secretKeyRef: { secret: migration.adminUrlSecret.id, version: "latest" } },
                                },
                                {
                                    name: "MCP_AUDIT_SERVER_PASSWORD",
                                    valueSource: { secretKeyRef: { secret: migration.serverPasswordSecret.id, version: "latest" } },
                                },
                            ],
                        },
                    ],
                },
            },
        },
        // The instance's DNS name resolves in the VPC (its private record) before the first execution connects to it.
        { dependsOn: [...migrateGrants, ...net.apis, ...database.replicas, database.instance, database.privateDns.record] },
    );

    const environment = serverEnvironment(input, {
        allowedHosts,
        auditAnchors,
        databaseSsl: "verify-full",
        databaseCa: database.caCertificate ? { pem: database.caCertificate } : undefined,
        setPort: false, // Cloud Run sets PORT itself
        extra: cache?.caCertificate ? { REDIS_CA_CERT: cache.caCertificate } : {},
    });
    const probe = ({ periodSeconds, failureThreshold }: { periodSeconds: number; failureThreshold: number }) => ({
        httpGet: { path: SERVER.healthPath, port: SERVER.port },
        periodSeconds,
        timeoutSeconds: 3,
        failureThreshold,
    });

    const service = scope.child(
        "service",
        gcp.cloudrunv2.Service,
        {
            project,
            location: region,
            ...(serviceName ? { name: serviceName } : {}),
            description: "MCP server",
            // Behind a load balancer only it (and internal traffic) reaches the service; its run.app URL is closed
            // to the internet. Behind a per-request edge the run.app URL IS the edge, open to all.
            ingress: perRequestEdge ? "INGRESS_TRAFFIC_ALL" : "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
            // No IAM invoker check: the server authenticates every MCP request itself (API keys or OAuth), and MCP
            // clients carry no Google identity token. Behind the load balancer nobody else can reach the service,
            // and the LB does not sign requests (there is no IAP-less invoker identity for a serverless NEG), so an
            // IAM check would reject all traffic; on the run.app URL it would reject every MCP client.
            invokerIamDisabled: true,
            // Set explicitly (the provider defaults it on): protected in the tiers that protect their data (prod, enterprise).
            deletionProtection: spec.database.deletionProtection,
            // `template.scaling.cpuUtilization` (the tier's CPU target) is a beta field of the Cloud Run API.
            launchStage: "BETA",
            template: {
                // The audit:migrate execution this revision follows (also a data dependency on the job).
                labels: { "mcp-audit-migration": migrateJob.runExecutionToken.apply((t) => t ?? "none") },
                serviceAccount: serviceAccount.email,
                executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
                maxInstanceRequestConcurrency: CONCURRENCY,
                // Streamed MCP responses may last as long as the edge keeps an idle connection.
                timeout: `${spec.edge.idleTimeoutSeconds}s`,
                scaling: {
                    // Scale to zero where the tier allows it: no instance (and no charge) while idle.
                    minInstanceCount: spec.service.scaleToZero ? 0 : spec.service.minReplicas,
                    maxInstanceCount: spec.service.maxReplicas,
                    cpuUtilization: spec.service.targetCpuPercent / 100,
                },
                vpcAccess: {
                    networkInterfaces: [{ network: net.network.id, subnetwork: net.subnet.id }],
                    egress: "PRIVATE_RANGES_ONLY",
                },
                containers: [
                    {
                        name: SERVER.containerName,
                        image: input.image.ref,
                        // Cloud Run sets PORT from here; only this port is served (the metrics port stays inside the instance).
                        ports: { name: "http1", containerPort: SERVER.port },
                        resources: {
                            limits: { cpu: cloudRunCpuLimit(sizing.serviceMilliCpu), memory: `${sizing.serviceMemoryMiB}Mi` },
                            // Request-based billing: CPU is allocated (and billed) only while serving; idle minimum
                            // instances are billed at the lower idle rate, and a service scaled to zero costs nothing.
                            cpuIdle: true,
                            startupCpuBoost: true,
                        },
                        envs: [
                            ...Object.entries(environment).map(([name, value]) => ({ name, value })),
                            ...secrets.map((s) => ({
                                name: s.env,
                                valueSource: { secretKeyRef: { secret: s.ref.id, version: "latest" } },
                            })),
                        ],
                        // Direct VPC egress may take a while on start: allow up to two minutes before the first success.
                        startupProbe: { ...probe(SERVER_PROBES.startup), initialDelaySeconds: 0 },
                        livenessProbe: probe(SERVER_PROBES.liveness),
                    },
                ],
            },
        },
        {
            // The schema and the append-only role exist (audit:migrate succeeded) before a revision starts.
            dependsOn: [...grants, ...pull, ...anchorGrants, migrateJob],
            // A service with a fixed name cannot be created beside the one it replaces.
            ...(serviceName ? { deleteBeforeReplace: true } : {}),
        },
    );

    // Cloud Run writes to Cloud Logging; a bucket with the tier's retention receives this service's logs
    // (the project's _Default bucket also keeps its own copy for its own retention, 30 days unless changed).
    const logBucket = scope.child(
        "logs",
        gcp.logging.ProjectBucketConfig,
        {
            project,
            location: region,
            bucketId: gcpId(scope, "logs", 100),
            retentionDays: sizing.logRetentionDays,
            description: "MCP server logs",
        },
        after,
    );
    const logSink = scope.child("log-sink", gcp.logging.ProjectSink, {
        project,
        destination: pulumi.interpolate`logging.googleapis.com/${logBucket.id}`,
        filter: pulumi.interpolate`resource.type="cloud_run_revision" AND resource.labels.service_name="${service.name}"`,
        uniqueWriterIdentity: true,
        description: "MCP server logs to their retention bucket",
    });

    const svc = scope.inputs<gcp.cloudrunv2.ServiceArgs>("service");
    const template = pulumi.output(svc.template);
    edge.attach({
        serviceName: service.name,
        healthPath: template.apply((t) => String(t.containers?.[0]?.startupProbe?.httpGet?.path ?? "/")),
        ingress: pulumi.output(svc.ingress).apply((i) => String(i ?? "INGRESS_TRAFFIC_ALL")),
        defaultUriDisabled: pulumi.output(svc.defaultUriDisabled).apply((d) => Boolean(d)),
        // Cloud Run's default request timeout is 300 s.
        timeoutSeconds: template.apply((t) => parseDurationSeconds(String(t.timeout ?? "300s"))),
        urls: service.urls,
        runHost,
    });

    const logs = scope.inputs<gcp.logging.ProjectBucketConfigArgs>("logs");
    const anchorsUsed = scope.inputs<gcp.storage.BucketArgs>("audit-anchors");
    const anchorsSummary = pulumi
        .all([auditAnchors, anchorsUsed.retentionPolicy, anchorsUsed.publicAccessPrevention, anchorsUsed.uniformBucketLevelAccess])
        .apply(([location, retention, pap, uniform]) => {
            const locked = Boolean(retention?.isLocked);
            const days = Number(retention?.retentionPeriod ?? 0) / 86_400;
            return {
                location,
                writeOnce: locked && days > 0,
                retentionDays: days,
                note: `GCS bucket with a ${locked ? "locked" : "NOT locked"} retention policy of ${days} days; public access prevention ${pap ?? "inherited"}, uniform access ${uniform ? "on" : "off"}; the service account may create and read objects, not delete or overwrite them`,
            };
        });
    const summary = pulumi
        .output({ template: svc.template, retention: logs.retentionDays, anchors: anchorsSummary })
        .apply(({ template, retention, anchors }) => {
            const limits = template.containers?.[0]?.resources?.limits ?? {};
            return {
                ...summarizeCloudRun({
                    cpuLimit: String(limits.cpu ?? "1"),
                    memoryLimit: String(limits.memory ?? "512Mi"),
                    minInstances: Number(template.scaling?.minInstanceCount ?? 0),
                    maxInstances: Number(template.scaling?.maxInstanceCount ?? 100),
                    cpuUtilization: Number(template.scaling?.cpuUtilization ?? 0.6),
                    logRetentionDays: Number(retention ?? 30),
                }),
                auditAnchors: anchors,
            };
        });

    return {
        serviceName: service.name,
        apiKeySecret: apiKeys.ref,
        summary,
        serviceAccount,
        service,
        migrateJob,
        migrateAccount,
        anchorBucket,
        resources: {
            serviceAccount,
            apiKeySecret,
            secretGrants: grants,
            imageReader: pull,
            service,
            logBucket,
            logSink,
            anchorBucket,
            anchorGrants,
            migrateAccount,
            migrateGrants,
            migrateJob,
        },
    };
}
