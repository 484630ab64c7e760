/** The GCP builders behind the cloud-neutral components. */
import { CloudModule } from "../contract";
import { createCache } from "./cache";
import { createCluster, GcpCluster, GcpClusterParts } from "./cluster";
import { createDatabase } from "./database";
import { descriptor } from "./descriptor";
import { createEdge } from "./edge";
import { createImage } from "./image";
import { createNetwork } from "./network";
import { createMonitor, GcpMonitor } from "./monitor";

export { createNetwork, createImage, createDatabase, createCache, createEdge, createCluster, createMonitor };

/** GCP's own part types: every GCP builder receives these, never another cloud's. */
export interface GcpParts extends GcpClusterParts {
    cluster: GcpCluster;
    monitor: GcpMonitor;
}

export const module: CloudModule<GcpParts> = {
    descriptor,
    createNetwork,
    createImage,
    createDatabase,
    createCache,
    createEdge,
    createCluster,
    createMonitor,
};
