import { Cluster, Redis, type RedisOptions } from "ioredis";

/**
 * Where Redis is: one server (a redis:// URL) or a Redis Cluster. A cluster travels through the
 * same string settings as a URL, written `redis-cluster://host:port,host:port`, so every caller
 * that takes a Redis URL (the web's services, the worker's config, the tests) takes a cluster too.
 */
const CLUSTER_SCHEME = "redis-cluster://";

export interface ClusterNode {
  host: string;
  port: number;
}

/** Reads "host:port,host:port"; null if any part is malformed. */
export function parseClusterNodes(value: string): ClusterNode[] | null {
  const parts = value.split(",").map((p) => p.trim()).filter(Boolean);
  const nodes: ClusterNode[] = [];
  for (const part of parts) {
    const match = /^([a-zA-Z0-9.-]{1,253}|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(part);
    if (!match) return null;
    const port = Number(match[2]);
    if (port < 1 || port > 65535) return null;
    nodes.push({ host: match[1]!.replace(/^\[|\]$/g, ""), port });
  }
  return nodes.length > 0 ? nodes : null;
}

/** The Redis target of a parsed environment: the cluster when REDIS_CLUSTER_NODES is set. */
export function redisTarget(env: { REDIS_URL: string; REDIS_CLUSTER_NODES?: ClusterNode[] | undefined }): string {
  if (!env.REDIS_CLUSTER_NODES) return env.REDIS_URL;
  return CLUSTER_SCHEME + env.REDIS_CLUSTER_NODES.map((n) => (n.host.includes(":") ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`)).join(",");
}

export function isClusterTarget(target: string): boolean {
  return target.startsWith(CLUSTER_SCHEME);
}

/**
 * BullMQ keeps a queue's keys under `<prefix>:<queue>:…` and its scripts touch several of them at
 * once; on a cluster the prefix goes inside a hash tag so that every key of every queue lands in
 * one slot. One Redis keeps the plain prefix, so existing queues are found where they were.
 */
export function queuePrefix(target: string, prefix: string): string {
  return isClusterTarget(target) ? `{${prefix}}` : prefix;
}

/**
 * A client for the target. ioredis' Cluster speaks the same commands as a single connection
 * (and BullMQ takes either), so callers keep the `Redis` type; `options` apply to each node's
 * connection (BullMQ reads `maxRetriesPerRequest` there too), and the offline queue setting to the
 * cluster as a whole.
 */
export function createRedisClient(target: string, options: RedisOptions = {}): Redis {
  if (!isClusterTarget(target)) return new Redis(target, options);
  const nodes = parseClusterNodes(target.slice(CLUSTER_SCHEME.length));
  if (!nodes) throw new Error(`not a Redis Cluster node list: ${target}`);
  const { enableOfflineQueue, maxRetriesPerRequest, lazyConnect, enableAutoPipelining, ...perNode } = options;
  const cluster = new Cluster(nodes, {
    enableOfflineQueue: enableOfflineQueue ?? true,
    enableAutoPipelining: enableAutoPipelining ?? false,
    lazyConnect: lazyConnect ?? false,
    // A node that fails over answers MOVED/TRYAGAIN for a moment: let ioredis follow it.
    retryDelayOnFailover: 200,
    retryDelayOnTryAgain: 200,
    slotsRefreshTimeout: 2_000,
    redisOptions: { ...perNode, maxRetriesPerRequest },
  });
  return cluster as unknown as Redis;
}
