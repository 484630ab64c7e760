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
export { createNetwork } from "./network";
export { createImage } from "./image";
export { createDatabase } from "./database";
export { createCache } from "./cache";
export { createEdge } from "./edge";
export { createCluster } from "./cluster";
