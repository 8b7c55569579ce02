import { describe, expect, it } from "vitest";
import { isClusterTarget, parseClusterNodes, queuePrefix, redisTarget } from "~/jobs/redis.server";
import { EnvError, parseEnv } from "~/utils/env.server";

const problemsOf = (source: Record<string, string>) => {
  try {
    parseEnv(source);
  } catch (error) {
    if (error instanceof EnvError) return error.problems.join("\n");
    throw error;
  }
  return "";
};

describe("pooled Postgres and Redis Cluster settings", () => {
  it("reach Postgres directly through DATABASE_URL unless DATABASE_DIRECT_URL says otherwise", () => {
    const plain = parseEnv({ DATABASE_URL: "postgres://app@pgbouncer:6432/banner" });
    expect(plain.DATABASE_DIRECT_URL).toBe("postgres://app@pgbouncer:6432/banner");
    expect(plain.DATABASE_PREPARED_STATEMENTS).toBe("auto");
    const split = parseEnv({ DATABASE_URL: "postgres://app@pgbouncer:6432/banner", DATABASE_DIRECT_URL: "postgres://app@db:5432/banner" });
    expect(split.DATABASE_DIRECT_URL).toBe("postgres://app@db:5432/banner");
  });

  it("name a bad DATABASE_DIRECT_URL, DATABASE_PREPARED_STATEMENTS or REDIS_CLUSTER_NODES", () => {
    const problems = problemsOf({ DATABASE_DIRECT_URL: "mysql://db", DATABASE_PREPARED_STATEMENTS: "sometimes", REDIS_CLUSTER_NODES: "redis-1,redis-2:99999" });
    expect(problems).toMatch(/DATABASE_DIRECT_URL must be a URL/);
    expect(problems).toMatch(/DATABASE_PREPARED_STATEMENTS must be "auto", "on" or "off"/);
    expect(problems).toMatch(/REDIS_CLUSTER_NODES must be "host:port" pairs/);
  });

  it("switch every Redis client to the cluster, with the queue prefix in a hash tag", () => {
    const single = parseEnv({});
    expect(redisTarget(single)).toBe("redis://127.0.0.1:6379");
    expect(queuePrefix(redisTarget(single), "banner")).toBe("banner");

    const clustered = parseEnv({ REDIS_CLUSTER_NODES: "10.0.0.1:7000, redis-2:7001,[::1]:7002" });
    expect(clustered.REDIS_CLUSTER_NODES).toEqual([
      { host: "10.0.0.1", port: 7000 },
      { host: "redis-2", port: 7001 },
      { host: "::1", port: 7002 },
    ]);
    const target = redisTarget(clustered);
    expect(isClusterTarget(target)).toBe(true);
    expect(parseClusterNodes(target.slice("redis-cluster://".length))).toEqual(clustered.REDIS_CLUSTER_NODES);
    expect(queuePrefix(target, "banner")).toBe("{banner}");
  });
});
