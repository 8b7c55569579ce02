import type { Redis } from "ioredis";
import type { Database } from "~/db/db.server";
import { enqueue } from "~/jobs/outbox.server";
import { normaliseEmail } from "~/modules/signatures/signatures.schema";
import { AppError } from "~/utils/errors.server";
import { clearRateLimit, hitRateLimits, type RateLimitRule } from "~/utils/rate-limit.server";
import { accountEmailSentRecently } from "./accounts.queries.server";
import type { LogInInput } from "./accounts.schema";
import { dummyPasswordHash, verifyPassword } from "./passwords.server";
import { createSession } from "./sessions.server";

/**
 * Wrong passwords for one account from one client: that client is refused for a while; the
 * owner, from anywhere else, is not.
 */
export const LOGIN_PER_ACCOUNT_CLIENT: RateLimitRule = { name: "login-account-client", limit: 10, windowSeconds: 15 * 60 };
/** Attempts from one client, whatever the accounts. */
export const LOGIN_PER_IP: RateLimitRule = { name: "login-ip", limit: 50, windowSeconds: 15 * 60 };
/**
 * Attempts on one account from everywhere. Past SLOW_AFTER each attempt is answered more slowly
 * (a guessing botnet gains little) but the owner still gets in; only past the high ceiling, which
 * takes a botnet, is the account refused for the rest of the window.
 */
export const LOGIN_PER_ACCOUNT: RateLimitRule = { name: "login-account", limit: 500, windowSeconds: 15 * 60 };
export const LOGIN_SLOW_AFTER = 10;
const DELAY_STEP_MS = 200;
const MAX_DELAY_MS = 3_000;

/** How long to hold an attempt on an account that has seen `attempts` in the window. */
export function logInDelayMs(attempts: number): number {
  return attempts <= LOGIN_SLOW_AFTER ? 0 : Math.min(MAX_DELAY_MS, (attempts - LOGIN_SLOW_AFTER) * DELAY_STEP_MS);
}

export interface LogInDeps {
  db: Database;
  redis: Redis;
  redisPrefix: string;
}

/**
 * Checks the password and opens a session. Attempts are limited per (account, client), per client
 * and, with a high ceiling and a growing delay before it, per account, in Redis, shared by every
 * web process; if Redis cannot count, log-in is refused rather
 * than left unlimited. Unknown addresses cost the same scrypt time as known ones.
 */
export async function logIn(
  deps: LogInDeps,
  input: LogInInput,
  meta: { ipAddress?: string | null; userAgent?: string | null } = {},
): Promise<{ token: string; userId: number }> {
  const emailNormalized = normaliseEmail(input.email);
  const client = meta.ipAddress ?? "unknown";
  const pairKey = `${emailNormalized}|${client}`;
  let limits;
  let accountAttempts;
  try {
    limits = await hitRateLimits(deps.redis, deps.redisPrefix, [
      { rule: LOGIN_PER_ACCOUNT_CLIENT, key: pairKey },
      { rule: LOGIN_PER_IP, key: client },
      { rule: LOGIN_PER_ACCOUNT, key: emailNormalized },
    ]);
    accountAttempts = await deps.redis.get(`${deps.redisPrefix}:ratelimit:${LOGIN_PER_ACCOUNT.name}:${emailNormalized}`);
  } catch {
    throw new AppError("REDIS_UNAVAILABLE", "cannot count log-in attempts");
  }
  if (!limits.allowed) throw new AppError("RATE_LIMITED", "too many log-in attempts", { retryAfterSeconds: limits.retryAfterSeconds });
  const delay = logInDelayMs(Number(accountAttempts ?? 0));
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));

  const user = await deps.db.selectFrom("users").selectAll().where("email_normalized", "=", emailNormalized).executeTakeFirst();
  const ok = await verifyPassword(input.password, user?.password_hash ?? (await dummyPasswordHash()));
  if (!user || !ok) throw new AppError("INVALID_CREDENTIALS");
  if (user.disabled_at) throw new AppError("ACCOUNT_DISABLED");
  if (!user.email_confirmed_at) {
    // Resend the confirmation link, at most every 10 minutes.
    if (!(await accountEmailSentRecently(deps.db, user.id, "account.confirm-email", 10))) {
      await enqueue(deps.db, "account.email", { userId: user.id, kind: "confirm-email" });
    }
    throw new AppError("EMAIL_NOT_CONFIRMED");
  }
  await clearRateLimit(deps.redis, deps.redisPrefix, LOGIN_PER_ACCOUNT_CLIENT, pairKey).catch(() => undefined);
  const token = await createSession(deps.db, user.id, meta);
  return { token, userId: user.id };
}
