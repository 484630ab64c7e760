/** The Azure builders behind the cloud-neutral components. */
export { createNetwork } from "./network";
export { createImage } from "./image";
export { createDatabase } from "./database";
export { createCache } from "./cache";
export { createEdge } from "./edge";
export { createCluster } from "./cluster";
