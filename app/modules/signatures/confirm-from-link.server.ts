import type { Redis } from "ioredis";
import type { Database } from "~/db/db.server";
import { hitConfirmationLimit } from "~/modules/fraud/rate-limits.server";
import { env } from "~/utils/env.server";
import { metrics } from "~/utils/metrics.server";
import { isWellFormedToken } from "~/utils/tokens.server";
import { confirmSignature } from "./confirm-signature.server";

export type ConfirmOutcome = Awaited<ReturnType<typeof confirmSignature>>;

/** What a POST of the verification link's confirm button comes to (errors are thrown as AppError). */
export type LinkConfirmation = ConfirmOutcome | { outcome: "rate-limited"; retryAfterSeconds: number };

/**
 * Counts one attempt on a verification link. A malformed token is refused unread later on, so it
 * is not counted (nor can it fill Redis with keys). Null when the attempt may go on.
 */
export async function limitLinkAttempt(redis: () => Promise<Redis>, token: string): Promise<{ outcome: "rate-limited"; retryAfterSeconds: number } | null> {
  if (!isWellFormedToken(token)) return null;
  const config = env();
  const limit = await hitConfirmationLimit({ redis: await redis(), redisPrefix: config.REDIS_PREFIX }, config.VERIFY_RATE_PER_TOKEN, token);
  return limit.allowed ? null : { outcome: "rate-limited", retryAfterSeconds: Math.max(1, limit.retryAfterSeconds) };
}

/**
 * Confirming from the link in the verification email: the attempt limit per link, then the
 * confirmation itself. The route's action and the web server's fast path for the confirm button
 * (server/verify-form-post.ts) both come here, so both doors have the same defences and counts.
 */
export async function confirmSignatureFromLink(deps: { db: Database; redis: () => Promise<Redis> }, token: string, opts: { locale: string }): Promise<LinkConfirmation> {
  const limited = await limitLinkAttempt(deps.redis, token);
  if (limited) return limited;
  const result = await confirmSignature(deps.db, token, opts);
  if (result.outcome === "confirmed") metrics.signaturesConfirmed.inc();
  return result;
}
