/**
 * AWS network: a VPC across the tier's zones (at least two, as an ALB and an
 * RDS subnet group require), public subnets for the ALB and NAT, private
 * subnets for the data tier, NAT as the tier needs it and a free S3 gateway
 * endpoint so image layers do not cross the NAT.
 *
 * Where the service's tasks run follows from the NAT choice: with NAT gateways
 * (`single`, `perZone`) in the private subnets without public addresses; with
 * `natGateways: none` in the public subnets, each task with a public IPv4
 * (about $3.65 a month) for its outbound calls to ECR, Secrets Manager and
 * CloudWatch Logs. Its security group still admits traffic only from the edge.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CpuArchitecture, subnetLayout } from "../../sizing";
import { awsSizing } from "../../sizing/aws";
import { Scope } from "../base";
import { NetworkImpl, NetworkInput } from "../contract";

export interface AwsNetwork extends NetworkImpl {
    cloud: "aws";
    vpc: aws.ec2.Vpc;
    publicSubnetIds: pulumi.Output<string>[];
    privateSubnetIds: pulumi.Output<string>[];
    /** NAT gateways created (0, 1 or one per zone). */
    natGateways: aws.ec2.NatGateway[];
    /** Subnets the service's tasks run in: the private ones behind NAT, or the public ones when there is no NAT. */
    serviceSubnetIds: pulumi.Output<string>[];
    /** The tasks need a public IPv4 to reach AWS APIs and the internet (no NAT gateway). */
    servicePublicIp: boolean;
    /**
     * CPU architecture of the stack's replicas (`cpuArchitecture`, default arm64): the bundled image is built
     * for it and the cluster checks its tasks use the same.
     */
    cpuArchitecture: CpuArchitecture;
}

export function createNetwork(scope: Scope, { spec, overrides, cidr }: NetworkInput): AwsNetwork {
    const { azCount, cpuArchitecture } = awsSizing(spec, overrides);
    const layout = subnetLayout(cidr, azCount);
    const azs = aws.getAvailabilityZonesOutput(
        { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
        { parent: scope.parent },
    );
    const az = (i: number) =>
        azs.names.apply((names) => {
            if (names.length < azCount) throw new Error(`the region has ${names.length} availability zones; this tier needs ${azCount}`);
            return names[i];
        });

    const vpc = scope.child("vpc", aws.ec2.Vpc, {
        cidrBlock: cidr,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: { Name: `${scope.name}-vpc` },
    });
    const igw = scope.child("igw", aws.ec2.InternetGateway, { vpcId: vpc.id });

    const publicRt = scope.child("public-rt", aws.ec2.RouteTable, {
        vpcId: vpc.id,
        routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
    });
    const publicSubnets = layout.public.map((cidrBlock, i) => {
        const subnet = scope.child(`public-${i}`, aws.ec2.Subnet, {
            vpcId: vpc.id,
            cidrBlock,
            availabilityZone: az(i),
            mapPublicIpOnLaunch: false,
            tags: { Name: `${scope.name}-public-${i}`, tier: "public" },
        });
        scope.child(`public-${i}-rta`, aws.ec2.RouteTableAssociation, { subnetId: subnet.id, routeTableId: publicRt.id });
        return subnet;
    });

    const natCount = spec.nat === "none" ? 0 : spec.nat === "single" ? 1 : azCount;
    const natGateways = [...Array(natCount).keys()].map((i) => {
        const eip = scope.child(`nat-${i}-eip`, aws.ec2.Eip, { domain: "vpc" });
        return scope.child(
            `nat-${i}`,
            aws.ec2.NatGateway,
            {
                allocationId: eip.id,
                subnetId: publicSubnets[i].id,
                connectivityType: "public",
            },
            { dependsOn: [igw] },
        );
    });

    const privateRts: aws.ec2.RouteTable[] = [];
    const privateSubnets = layout.private.map((cidrBlock, i) => {
        const nat = natGateways.length ? natGateways[Math.min(i, natGateways.length - 1)] : undefined;
        const rt = scope.child(`private-${i}-rt`, aws.ec2.RouteTable, {
            vpcId: vpc.id,
            routes: nat ? [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }] : [],
        });
        privateRts.push(rt);
        const subnet = scope.child(`private-${i}`, aws.ec2.Subnet, {
            vpcId: vpc.id,
            cidrBlock,
            availabilityZone: az(i),
            mapPublicIpOnLaunch: false,
            tags: { Name: `${scope.name}-private-${i}`, tier: "private" },
        });
        scope.child(`private-${i}-rta`, aws.ec2.RouteTableAssociation, { subnetId: subnet.id, routeTableId: rt.id });
        return subnet;
    });

    // Without NAT the tasks run in the public subnets and reach AWS APIs over the internet gateway.
    const servicePublicIp = natGateways.length === 0;
    const region = aws.getRegionOutput({}, { parent: scope.parent });
    const s3Endpoint = scope.child("s3-endpoint", aws.ec2.VpcEndpoint, {
        vpcId: vpc.id,
        serviceName: pulumi.interpolate`com.amazonaws.${region.region}.s3`,
        vpcEndpointType: "Gateway",
        // Image layers come from S3: keep them on the endpoint from wherever the tasks run.
        routeTableIds: [...privateRts, ...(servicePublicIp ? [publicRt] : [])].map((rt) => rt.id),
    });

    return {
        cloud: "aws",
        zones: azCount,
        id: vpc.id,
        vpc,
        publicSubnetIds: publicSubnets.map((s) => s.id),
        privateSubnetIds: privateSubnets.map((s) => s.id),
        natGateways,
        serviceSubnetIds: (servicePublicIp ? publicSubnets : privateSubnets).map((s) => s.id),
        servicePublicIp,
        cpuArchitecture,
        resources: { vpc, internetGateway: igw, publicSubnets, privateSubnets, natGateways, privateRouteTables: privateRts, s3Endpoint },
    };
}
