/** The AWS builders behind the cloud-neutral components. */
import { CloudModule } from "../contract";
import { createCache } from "./cache";
import { AwsCluster, AwsClusterParts, createCluster } from "./cluster";
import { createDatabase } from "./database";
import { descriptor } from "./descriptor";
import { createEdge } from "./edge";
import { createImage } from "./image";
import { createNetwork } from "./network";
import { AwsMonitor, createMonitor } from "./monitor";

export { createNetwork, createImage, createDatabase, createCache, createEdge, createCluster, createMonitor };

/** AWS's own part types: every AWS builder receives these, never another cloud's. */
export interface AwsParts extends AwsClusterParts {
    cluster: AwsCluster;
    monitor: AwsMonitor;
}

export const module: CloudModule<AwsParts> = {
    descriptor,
    createNetwork,
    createImage,
    createDatabase,
    createCache,
    createEdge,
    createCluster,
    createMonitor,
};
