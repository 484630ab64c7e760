/**
 * GCP network: a custom-mode VPC (no auto-created subnetworks) with one
 * regional subnet for Cloud Run's Direct VPC egress (GCP subnets span every
 * zone of the region), Private Google Access on, and private services access
 * (a reserved peering range + the Service Networking connection) through which
 * Cloud SQL and Memorystore get private IPs only. No NAT: Cloud Run egress to
 * the internet leaves through Cloud Run itself (egress PRIVATE_RANGES_ONLY),
 * and nothing in the VPC has a public IP. GCP's implied rules deny all
 * ingress; no firewall rule opens anything.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { keepsTrafficLogs, subnetLayout, TierOverrides } from "../../sizing";
import { gcpSizing } from "../../sizing/gcp";
import { Scope } from "../base";
import { NetworkImpl, NetworkInput } from "../contract";
import { gcpLocation, GcpLocation } from "./common";

/** The Google APIs this topology calls; enabled (never disabled on destroy) before anything uses them. */
export const REQUIRED_APIS = [
    "compute.googleapis.com",
    "servicenetworking.googleapis.com",
    "sqladmin.googleapis.com",
    "redis.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "artifactregistry.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    // Cloud DNS: the private zone that makes the Cloud SQL instance's DNS name resolve in the VPC (./database.ts).
    "dns.googleapis.com",
] as const;

/** Prefix length of the private services access range (Google recommends a /16; Cloud SQL and Memorystore carve theirs from it). */
export const PSA_PREFIX_LENGTH = 16;

export interface GcpNetwork extends NetworkImpl {
    cloud: "gcp";
    location: GcpLocation;
    /** The overrides the network was built with; the edge reads `edgeKind` from them (EdgeLB resolves its tier without overrides). */
    overrides: TierOverrides;
    network: gcp.compute.Network;
    subnet: gcp.compute.Subnetwork;
    /** The Service Networking connection; private Cloud SQL and Memorystore depend on it. */
    privateServices: gcp.servicenetworking.Connection;
    /** The name of the reserved private services range. */
    privateRangeName: pulumi.Output<string>;
    /** The API enablements every other resource waits for. */
    apis: gcp.projects.Service[];
}

export function createNetwork(scope: Scope, { spec, overrides, cidr }: NetworkInput): GcpNetwork {
    gcpSizing(spec, overrides); // fail at preview on anything GCP cannot honour
    const location = gcpLocation();
    const layout = subnetLayout(cidr, 1);

    const apis = REQUIRED_APIS.map((service) =>
        scope.child(`api-${service.split(".")[0]}`, gcp.projects.Service, {
            project: location.project,
            service,
            disableOnDestroy: false,
            disableDependentServices: false,
        }),
    );

    const network = scope.child(
        "vpc",
        gcp.compute.Network,
        {
            project: location.project,
            autoCreateSubnetworks: false,
            routingMode: "REGIONAL",
            description: "MCP server network",
        },
        { dependsOn: apis },
    );
    const subnet = scope.child("subnet", gcp.compute.Subnetwork, {
        project: location.project,
        region: location.region,
        network: network.id,
        ipCidrRange: layout.private[0],
        privateIpGoogleAccess: true,
        stackType: "IPV4_ONLY",
        description: "Cloud Run Direct VPC egress",
        // VPC flow logs in prod and enterprise, routed by the monitor to a log bucket kept for the tier's retention (gcp/monitor.ts).
        ...(keepsTrafficLogs(spec)
            ? { logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" } }
            : {}),
    });

    const range = scope.child("private-range", gcp.compute.GlobalAddress, {
        project: location.project,
        network: network.id,
        purpose: "VPC_PEERING",
        addressType: "INTERNAL",
        prefixLength: PSA_PREFIX_LENGTH,
        description: "Private services access (Cloud SQL, Memorystore)",
    });
    const privateServices = scope.child("private-services", gcp.servicenetworking.Connection, {
        network: network.id,
        service: "servicenetworking.googleapis.com",
        reservedPeeringRanges: [range.name],
        // Deleting the peering fails while Google still tears down Cloud SQL's producer side; abandon it on destroy instead.
        deletionPolicy: "ABANDON",
    });

    return {
        cloud: "gcp",
        zones: spec.zones,
        id: network.id,
        location,
        overrides,
        network,
        subnet,
        privateServices,
        privateRangeName: range.name,
        apis,
        resources: { network, subnet, privateRange: range, privateServices, apis },
    };
}
