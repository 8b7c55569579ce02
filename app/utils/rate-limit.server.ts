import type { Redis } from "ioredis";

export interface RateLimitRule {
  /** a name for the rule; part of the Redis key */
  name: string;
  limit: number;
  windowSeconds: number;
}

export interface RateLimitResult {
  allowed: boolean;
  retryAfterSeconds: number;
}

/**
 * A fixed-window counter in Redis, shared by every web process. `hit` counts one attempt
 * against each rule and reports whether all of them still allow it.
 */
export async function hitRateLimits(
  redis: Redis,
  prefix: string,
  checks: { rule: RateLimitRule; key: string }[],
): Promise<RateLimitResult> {
  const pipeline = redis.multi();
  const keys = checks.map(({ rule, key }) => `${prefix}:ratelimit:${rule.name}:${key}`);
  for (const [i, key] of keys.entries()) {
    pipeline.incr(key);
    pipeline.expire(key, checks[i]!.rule.windowSeconds, "NX");
    pipeline.ttl(key);
  }
  const results = (await pipeline.exec()) ?? [];
  let allowed = true;
  let retryAfterSeconds = 0;
  checks.forEach(({ rule }, i) => {
    const count = Number(results[i * 3]?.[1] ?? 0);
    const ttl = Number(results[i * 3 + 2]?.[1] ?? rule.windowSeconds);
    if (count > rule.limit) {
      allowed = false;
      retryAfterSeconds = Math.max(retryAfterSeconds, ttl > 0 ? ttl : rule.windowSeconds);
    }
  });
  return { allowed, retryAfterSeconds };
}

export async function clearRateLimit(redis: Redis, prefix: string, rule: RateLimitRule, key: string): Promise<void> {
  await redis.del(`${prefix}:ratelimit:${rule.name}:${key}`);
}
