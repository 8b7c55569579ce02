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

/** One "count per window" pair from configuration. */
export interface RateWindow {
  limit: number;
  windowSeconds: number;
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** Reads "3/1m,10/10m" (count/window, window in s, m, h or d); null if malformed. */
export function parseRateRules(value: string): RateWindow[] | null {
  const parts = value.split(",").map((p) => p.trim());
  const rules: RateWindow[] = [];
  for (const part of parts) {
    const match = /^(\d{1,7})\/(\d{1,6})([smhd])$/.exec(part);
    if (!match) return null;
    const limit = Number(match[1]);
    const windowSeconds = Number(match[2]) * UNIT_SECONDS[match[3] as keyof typeof UNIT_SECONDS];
    if (limit < 1 || windowSeconds < 1 || windowSeconds > 31 * 86_400) return null;
    rules.push({ limit, windowSeconds });
  }
  return rules.length > 0 ? rules : null;
}

/** Names each configured window after its length, so every window has a key of its own. */
export function namedRules(prefix: string, windows: RateWindow[]): RateLimitRule[] {
  return windows.map((w) => ({ name: `${prefix}-${w.windowSeconds}s`, ...w }));
}
