/**
 * The local (Docker) builders behind the cloud-neutral components: one Docker
 * host runs the same topology as a cloud (edge, replicas, PostgreSQL, Redis)
 * for development and trials. What a single host cannot provide (zones, HA,
 * backups, TLS, encryption at rest, autoscaling, WAF) is not pretended: the
 * summaries say so. minReplicas, serviceMilliCpu, serviceMemoryMiB, dbVcpu,
 * dbMemoryGiB and cacheMemoryMiB size the containers; maxReplicas,
 * targetCpuPercent, dbStorageGiB and logRetentionDays have nothing to act on
 * here (the summaries report what really runs). Overrides that name a cloud
 * SKU (dbInstanceClass, cacheNodeType) and a `domain` are refused.
 */
import { CloudModule } from "../contract";
import { createCache } from "./cache";
import { createCluster, LocalCluster, LocalClusterParts } from "./cluster";
import { createDatabase } from "./database";
import { descriptor } from "./descriptor";
import { createEdge } from "./edge";
import { createImage } from "./image";
import { createNetwork } from "./network";
import { createMonitor, LocalMonitor } from "./monitor";

export { createNetwork, createImage, createDatabase, createCache, createEdge, createCluster, createMonitor };

/** The local target's own part types: every local builder receives these, never another cloud's. */
export interface LocalParts extends LocalClusterParts {
    cluster: LocalCluster;
    monitor: LocalMonitor;
}

export const module: CloudModule<LocalParts> = {
    descriptor,
    createNetwork,
    createImage,
    createDatabase,
    createCache,
    createEdge,
    createCluster,
    createMonitor,
};
