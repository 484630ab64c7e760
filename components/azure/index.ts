/** The Azure builders behind the cloud-neutral components. */
import { CloudModule } from "../contract";
import { createCache } from "./cache";
import { AzureCluster, AzureClusterParts, createCluster } from "./cluster";
import { createDatabase } from "./database";
import { descriptor } from "./descriptor";
import { createEdge } from "./edge";
import { createImage } from "./image";
import { createNetwork } from "./network";
import { AzureMonitor, createMonitor } from "./monitor";

export { createNetwork, createImage, createDatabase, createCache, createEdge, createCluster, createMonitor };

/** Azure's own part types: every Azure builder receives these, never another cloud's. */
export interface AzureParts extends AzureClusterParts {
    cluster: AzureCluster;
    monitor: AzureMonitor;
}

export const module: CloudModule<AzureParts> = {
    descriptor,
    createNetwork,
    createImage,
    createDatabase,
    createCache,
    createEdge,
    createCluster,
    createMonitor,
};
