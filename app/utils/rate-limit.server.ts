import type { Redis } from "ioredis";
import { isCluster } from "~/jobs/redis.server";

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
 * Counts one attempt against each key and answers, per key, the count and the seconds left in its
 * window: INCR, then EXPIRE when the key is new (or has lost its expiry), then TTL. One script, so
 * the whole check is one round trip and atomic, whatever the number of rules.
 */
const HIT_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  local ttl = redis.call('TTL', key)
  if ttl < 0 then
    redis.call('EXPIRE', key, ARGV[i])
    ttl = tonumber(ARGV[i])
  end
  out[2 * i - 1] = count
  out[2 * i] = ttl
end
return out`;

type HitCommand = (...args: (string | number)[]) => Promise<number[]>;
type WithHitCommands = Redis & { bannerRateLimitHit?: HitCommand; bannerRateLimitHitOne?: HitCommand };

/**
 * The script as commands of this connection (ioredis sends EVALSHA, and the script once if Redis
 * lacks it): `many` takes the number of keys first; `one` takes a single key, for a cluster.
 *
 * On a cluster the single-key form is not a nicety. With auto-pipelining, ioredis files a command
 * under the slot of its first argument when it does not know the command (a script's name), and
 * for `many` that argument is the key count: every counter then lands in one pipeline, which
 * ioredis refuses when its keys live on different nodes ("All keys in the pipeline should belong
 * to the same slots allocation group"). A command defined with its number of keys gets the key
 * as its first argument, so each counter goes in the pipeline of its own node.
 */
function hitCommands(redis: Redis): { many: HitCommand; one: HitCommand } {
  const withCommands = redis as WithHitCommands;
  if (!withCommands.bannerRateLimitHit) redis.defineCommand("bannerRateLimitHit", { lua: HIT_SCRIPT });
  if (!withCommands.bannerRateLimitHitOne) redis.defineCommand("bannerRateLimitHitOne", { lua: HIT_SCRIPT, numberOfKeys: 1 });
  return { many: withCommands.bannerRateLimitHit!.bind(redis), one: withCommands.bannerRateLimitHitOne!.bind(redis) };
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
  if (checks.length === 0) return { allowed: true, retryAfterSeconds: 0 };
  const keys = checks.map(({ rule, key }) => `${prefix}:ratelimit:${rule.name}:${key}`);
  const hit = hitCommands(redis);
  // A cluster refuses a script whose keys live in different slots, and these keys would: there,
  // each counter gets its own call (each is atomic by itself, which is all a window needs).
  const results = isCluster(redis)
    ? (await Promise.all(checks.map(({ rule }, i) => hit.one(keys[i]!, rule.windowSeconds)))).flat()
    : await hit.many(keys.length, ...keys, ...checks.map(({ rule }) => rule.windowSeconds));
  let allowed = true;
  let retryAfterSeconds = 0;
  checks.forEach(({ rule }, i) => {
    const count = Number(results[i * 2] ?? 0);
    const ttl = Number(results[i * 2 + 1] ?? rule.windowSeconds);
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
