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
 * Counts one attempt against one key and answers the count and the seconds left in its window:
 * INCR, then EXPIRE when the key is new (or has lost its expiry), then TTL, atomically.
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

type WithHitCommand = Redis & { bannerRateLimitHit?: (key: string, windowSeconds: number) => Promise<[number, number]> };

/**
 * The script as a command of this connection (ioredis sends EVALSHA, and the script once if Redis
 * lacks it), declared with its one key. The key then comes first among the command's arguments,
 * which is what ioredis' auto-pipelining files a command it does not know under: on a Redis
 * Cluster each counter joins the pipeline of its own node. (A script taking its key count first
 * was filed under the slot of "1", so a request's counters shared one pipeline, which ioredis
 * refused when their keys lived on different nodes: limits went uncounted.)
 */
function hitCommand(redis: Redis) {
  const withCommand = redis as WithHitCommand;
  if (!withCommand.bannerRateLimitHit) redis.defineCommand("bannerRateLimitHit", { lua: HIT_SCRIPT, numberOfKeys: 1 });
  return withCommand.bannerRateLimitHit!.bind(redis);
}

/**
 * A fixed-window counter in Redis, shared by every web process. `hit` counts one attempt
 * against each rule and reports whether all of them still allow it. Each counter is its own call,
 * atomic by itself (all a window needs), and works on a cluster whatever slots the keys hash to;
 * the calls of one request, sent together, share one round trip.
 */
export async function hitRateLimits(
  redis: Redis,
  prefix: string,
  checks: { rule: RateLimitRule; key: string }[],
): Promise<RateLimitResult> {
  const hit = hitCommand(redis);
  const results = await Promise.all(checks.map(({ rule, key }) => hit(`${prefix}:ratelimit:${rule.name}:${key}`, rule.windowSeconds)));
  let allowed = true;
  let retryAfterSeconds = 0;
  checks.forEach(({ rule }, i) => {
    const [count, ttl] = results[i]!.map(Number) as [number, number];
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
