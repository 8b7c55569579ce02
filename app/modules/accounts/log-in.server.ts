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

export const LOGIN_PER_ACCOUNT: RateLimitRule = { name: "login-account", limit: 10, windowSeconds: 15 * 60 };
export const LOGIN_PER_IP: RateLimitRule = { name: "login-ip", limit: 50, windowSeconds: 15 * 60 };

export interface LogInDeps {
  db: Database;
  redis: Redis;
  redisPrefix: string;
}

/**
 * Checks the password and opens a session. Attempts are limited per account and per client
 * address in Redis, shared by every web process; if Redis cannot count, log-in is refused rather
 * than left unlimited. Unknown addresses cost the same scrypt time as known ones.
 */
export async function logIn(
  deps: LogInDeps,
  input: LogInInput,
  meta: { ipAddress?: string | null; userAgent?: string | null } = {},
): Promise<{ token: string; userId: number }> {
  const emailNormalized = normaliseEmail(input.email);
  let limits;
  try {
    limits = await hitRateLimits(deps.redis, deps.redisPrefix, [
      { rule: LOGIN_PER_ACCOUNT, key: emailNormalized },
      { rule: LOGIN_PER_IP, key: meta.ipAddress ?? "unknown" },
    ]);
  } catch {
    throw new AppError("REDIS_UNAVAILABLE", "cannot count log-in attempts");
  }
  if (!limits.allowed) throw new AppError("RATE_LIMITED", "too many log-in attempts", { retryAfterSeconds: limits.retryAfterSeconds });

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
  await clearRateLimit(deps.redis, deps.redisPrefix, LOGIN_PER_ACCOUNT, emailNormalized).catch(() => undefined);
  const token = await createSession(deps.db, user.id, meta);
  return { token, userId: user.id };
}
