import type { Redis } from "ioredis";
import { normaliseEmail } from "~/modules/signatures/signatures.schema";
import { AppError } from "~/utils/errors.server";
import { hitRateLimits, type RateLimitRule } from "~/utils/rate-limit.server";

/**
 * Limits on the account forms that send an email or hash a password for anyone who asks: sign-up
 * (a 32 MiB scrypt hash and a confirmation mail to any address) and the password-reset request.
 * Counted per client address and per email address, so one client cannot spray mails at many
 * addresses, and many clients cannot flood one inbox. Like log-in, they fail closed: if Redis
 * cannot count, the form says "try again later" rather than going unlimited.
 */
export const ACCOUNT_MAIL_LIMITS = {
  "sign-up": {
    perClient: { name: "signup-ip", limit: 10, windowSeconds: 3600 },
    perAddress: { name: "signup-address", limit: 3, windowSeconds: 3600 },
  },
  "reset-password": {
    perClient: { name: "reset-ip", limit: 10, windowSeconds: 3600 },
    perAddress: { name: "reset-address", limit: 3, windowSeconds: 3600 },
  },
} satisfies Record<string, { perClient: RateLimitRule; perAddress: RateLimitRule }>;

export type AccountMailRequest = keyof typeof ACCOUNT_MAIL_LIMITS;

/** Counts one request; throws RATE_LIMITED (with retryAfterSeconds) or REDIS_UNAVAILABLE. */
export async function limitAccountMailRequest(
  deps: { redis: Redis; redisPrefix: string },
  kind: AccountMailRequest,
  who: { email: string; clientAddress: string | null },
): Promise<void> {
  const rules = ACCOUNT_MAIL_LIMITS[kind];
  let result;
  try {
    result = await hitRateLimits(deps.redis, deps.redisPrefix, [
      { rule: rules.perClient, key: who.clientAddress ?? "unknown" },
      { rule: rules.perAddress, key: normaliseEmail(who.email) },
    ]);
  } catch {
    throw new AppError("REDIS_UNAVAILABLE", `cannot count ${kind} requests`);
  }
  if (!result.allowed) throw new AppError("RATE_LIMITED", `too many ${kind} requests`, { retryAfterSeconds: result.retryAfterSeconds });
}
