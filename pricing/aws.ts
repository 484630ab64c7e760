/** Pricers for the AWS resources the components create. */
import { SECONDS_PER_MONTH } from "./catalog";
import { activeSeconds, at, LineSpec, month, num, Pricer, referenced, requirePrice, trafficGiB, Unpriced } from "./engine";
import { DeclaredResource } from "./types";

const fargate: Pricer = (r, ctx) => {
    const launch = r.inputs.launchType ?? "FARGATE";
    if (launch !== "FARGATE") throw new Unpriced(`launchType ${launch} (only Fargate is in the catalog)`);
    const task = referenced(ctx, "aws:ecs/taskDefinition:TaskDefinition", r.inputs.taskDefinition);
    if (!task) throw new Unpriced("its task definition is not among the declared resources");
    const count = num(r, "desiredCount", 1);
    const cpu = num(task, "cpu") / 1024;
    const gb = num(task, "memory") / 1024;
    const arch = at(task.inputs, "runtimePlatform.cpuArchitecture") === "ARM64" ? "arm" : "x86";
    const label = `${count} task${count === 1 ? "" : "s"} x ${cpu} vCPU / ${gb} GB, ${arch === "arm" ? "ARM64 (Graviton)" : "X86_64"}`;
    return [
        { item: `Fargate vCPU, ${label}`, quantity: month(count) * cpu, priceId: `aws.fargate.${arch}.vcpu` },
        { item: `Fargate memory, ${label}`, quantity: month(count) * gb, priceId: `aws.fargate.${arch}.gb` },
    ];
};

const loadBalancer: Pricer = (r, ctx) => {
    if ((r.inputs.loadBalancerType ?? "application") !== "application") throw new Unpriced(`loadBalancerType ${r.inputs.loadBalancerType}`);
    const u = ctx.usage;
    // An LCU is the largest of: 25 new connections/s, 3,000 active connections/min, 1 GB/h processed, 1,000 rule evaluations/s.
    const gbPerHour = trafficGiB(u) / month();
    const newConnectionsPerSecond = u.monthlyRequests / SECONDS_PER_MONTH;
    const lcu = Math.max(gbPerHour / 1, newConnectionsPerSecond / 25);
    const lines: LineSpec[] = [
        { item: "Application Load Balancer hours", quantity: month(), priceId: "aws.alb.hour" },
        { item: `ALB capacity units (${lcu.toFixed(3)} LCU from the usage assumptions)`, quantity: month() * lcu, priceId: "aws.alb.lcu", usageBased: true },
    ];
    if (r.inputs.internal !== true) {
        const zones = (r.inputs.subnets ?? r.inputs.subnetMappings ?? []).length || 1;
        lines.push({ item: `public IPv4 addresses of an internet-facing ALB (one per zone: ${zones})`, quantity: month(zones), priceId: "aws.ipv4.hour" });
    }
    return lines;
};

/** Allocated storage of an RDS instance; a read replica inherits its source's. */
function rdsStorage(r: DeclaredResource, ctx: Parameters<Pricer>[1]): number {
    if (r.inputs.allocatedStorage !== undefined && r.inputs.allocatedStorage !== null) return num(r, "allocatedStorage");
    const source = r.inputs.replicateSourceDb !== undefined
        ? referenced(ctx, "aws:rds/instance:Instance", r.inputs.replicateSourceDb) : undefined;
    if (!source || source === r) throw new Unpriced("allocatedStorage is not known");
    return num(source, "allocatedStorage");
}

const rds: Pricer = (r, ctx) => {
    if (!String(r.inputs.engine ?? "postgres").startsWith("postgres") && !r.inputs.replicateSourceDb) {
        throw new Unpriced(`engine ${r.inputs.engine} (only PostgreSQL is in the catalog)`);
    }
    const cls = String(r.inputs.instanceClass);
    const multiAz = r.inputs.multiAz === true;
    const storage = rdsStorage(r, ctx);
    const role = r.inputs.replicateSourceDb ? "read replica" : "instance";
    const lines: LineSpec[] = [
        { item: `RDS PostgreSQL ${cls} ${role}${multiAz ? ", Multi-AZ (standby billed)" : ", single-AZ"}`, quantity: month(multiAz ? 2 : 1), priceId: requirePrice(`aws.rds.pg.${cls}`, `RDS class ${cls}`) },
        { item: `RDS gp3 storage, ${storage} GB${multiAz ? " (Multi-AZ)" : ""}`, quantity: storage, priceId: multiAz ? "aws.rds.gp3.multiaz" : "aws.rds.gp3.single" },
    ];
    if (num(r, "backupRetentionPeriod", 0) > 0) ctx.note("RDS automated backups: assumed within the free allowance (backup storage up to the provisioned storage).");
    return lines;
};

const cache: Pricer = (r) => {
    const engine = String(r.inputs.engine ?? "redis");
    const node = String(r.inputs.nodeType);
    const nodes = r.inputs.numCacheClusters !== undefined
        ? num(r, "numCacheClusters")
        : num(r, "numNodeGroups", 1) * (num(r, "replicasPerNodeGroup", 0) + 1);
    return [{
        item: `ElastiCache ${engine} ${node} x ${nodes} node${nodes === 1 ? "" : "s"}`,
        quantity: month(nodes),
        priceId: requirePrice(`aws.elasticache.${engine}.${node}`, `ElastiCache ${engine} node ${node}`),
    }];
};

const nat: Pricer = (r, ctx) => [
    { item: "NAT gateway hours", quantity: month(), priceId: "aws.nat.hour" },
    { item: `NAT data processed (${ctx.usage.egressGiB} GiB assumed)`, quantity: ctx.usage.egressGiB, priceId: "aws.nat.gb", usageBased: true },
];

const eip: Pricer = () => [{ item: "Elastic IP (public IPv4)", quantity: month(), priceId: "aws.ipv4.hour" }];

const vpcEndpoint: Pricer = (r) => {
    if ((r.inputs.vpcEndpointType ?? "Gateway") === "Gateway") return [];
    throw new Unpriced(`vpcEndpointType ${r.inputs.vpcEndpointType} (interface endpoints are not in the catalog)`);
};

const ecr: Pricer = (_r, ctx) => [
    { item: `ECR storage (${ctx.usage.imageGiB} GiB of images assumed)`, quantity: ctx.usage.imageGiB, priceId: "aws.ecr.gb", usageBased: true },
];

const logGroup: Pricer = (r, ctx) => {
    const gb = ctx.usage.logGiBPerReplica * ctx.replicas;
    const retention = num(r, "retentionInDays", 3653);
    // Stored volume in a steady month: what the retention window keeps, at most the ingestion rate times the window.
    const storedGb = gb * Math.min(retention / 30, 120);
    return [
        { item: `CloudWatch Logs ingestion (${ctx.usage.logGiBPerReplica} GiB x ${ctx.replicas} replicas assumed)`, quantity: gb, priceId: "aws.logs.ingest", usageBased: true },
        { item: `CloudWatch Logs storage (${retention}-day retention)`, quantity: storedGb, priceId: "aws.logs.storage", usageBased: true },
    ];
};

const waf: Pricer = (r, ctx) => {
    const rules = (r.inputs.rules ?? []).length;
    return [
        { item: "WAF web ACL", quantity: 1, priceId: "aws.waf.acl" },
        { item: `WAF rules and managed rule groups (${rules})`, quantity: rules, priceId: "aws.waf.rule" },
        { item: "WAF requests inspected (millions)", quantity: ctx.usage.monthlyRequests / 1e6, priceId: "aws.waf.requests", usageBased: true },
    ];
};

const secret: Pricer = () => [{ item: "Secrets Manager secret", quantity: 1, priceId: "aws.secrets.secret" }];

export const PRICERS: Record<string, Pricer> = {
    "aws:ecs/service:Service": fargate,
    "aws:lb/loadBalancer:LoadBalancer": loadBalancer,
    "aws:rds/instance:Instance": rds,
    "aws:elasticache/replicationGroup:ReplicationGroup": cache,
    "aws:ec2/natGateway:NatGateway": nat,
    "aws:ec2/eip:Eip": eip,
    "aws:ec2/vpcEndpoint:VpcEndpoint": vpcEndpoint,
    "aws:ecr/repository:Repository": ecr,
    "aws:cloudwatch/logGroup:LogGroup": logGroup,
    "aws:wafv2/webAcl:WebAcl": waf,
    "aws:secretsmanager/secret:Secret": secret,
};

/** Types that carry no charge of their own, with the reason. */
export const FREE_TYPES: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "no charge",
    "aws:ec2/subnet:Subnet": "no charge",
    "aws:ec2/internetGateway:InternetGateway": "no charge",
    "aws:ec2/routeTable:RouteTable": "no charge",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "no charge",
    "aws:ec2/securityGroup:SecurityGroup": "no charge",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "no charge",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "no charge",
    "aws:iam/role:Role": "no charge",
    "aws:iam/rolePolicy:RolePolicy": "no charge",
    "aws:ecs/cluster:Cluster": "no charge (Fargate tasks are priced on the service)",
    "aws:ecs/taskDefinition:TaskDefinition": "priced on the ECS service that runs it",
    "aws:appautoscaling/target:Target": "no charge",
    "aws:appautoscaling/policy:Policy": "no charge",
    "aws:lb/listener:Listener": "priced on the load balancer",
    "aws:lb/targetGroup:TargetGroup": "priced on the load balancer",
    "aws:rds/parameterGroup:ParameterGroup": "no charge",
    "aws:rds/subnetGroup:SubnetGroup": "no charge",
    "aws:elasticache/subnetGroup:SubnetGroup": "no charge",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "no charge",
    "aws:secretsmanager/secretVersion:SecretVersion": "priced on the secret",
    "aws:acm/certificate:Certificate": "public ACM certificates are free",
    "aws:acm/certificateValidation:CertificateValidation": "no charge",
    "aws:route53/record:Record": "alias queries to AWS resources are free; the hosted zone is not created here",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "priced on the web ACL",
};
