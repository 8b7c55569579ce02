import type { Redis } from "ioredis";
import { emailDomain } from "~/modules/signatures/signatures.schema";
import { rateLimitSubject } from "~/utils/client-address.server";
import { logger } from "~/utils/logger.server";
import { metrics } from "~/utils/metrics.server";
import { hitRateLimits, namedRules, type RateLimitResult, type RateWindow } from "~/utils/rate-limit.server";
import { hashToken } from "~/utils/tokens.server";
import { registrableDomain } from "./email-domains.server";

export interface RateLimitDeps {
  redis: Redis;
  redisPrefix: string;
}

export interface SigningLimits {
  perIp: RateWindow[];
  perDomain: RateWindow[];
  /** registrable domains with no per-domain limit (the big mail providers) */
  exemptDomains: readonly string[];
}

/**
 * How long signing and confirming wait for Redis to count an attempt (ms): first for the
 * connection to be ready, then for the answer. A Redis that hangs (a blocked server, a failover
 * under way) would otherwise hold every signer for the whole command timeout.
 */
export const RATE_LIMIT_BUDGET_MS = 100;

/**
 * Rate limits protect the service, but signing must never depend on Redis (a signature and its
 * email wait in Postgres while Redis is away: the outbox). So when Redis cannot count, or does not
 * answer within the budget, the request is let through, the outage logged and counted in
 * /metrics (banner_rate_limit_skipped_total), unlike log-in, which refuses.
 */
async function hitOrAllow(deps: RateLimitDeps, checks: Parameters<typeof hitRateLimits>[2], what: string): Promise<RateLimitResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), RATE_LIMIT_BUDGET_MS)));
  try {
    const result = await Promise.race([hitRateLimits(deps.redis, deps.redisPrefix, checks), late]);
    if (result !== "late") return result;
    metrics.rateLimitSkipped.inc({ what, reason: "timeout" });
    logger.warn({ what, budgetMs: RATE_LIMIT_BUDGET_MS }, "rate limits did not answer in time: request allowed");
  } catch (error) {
    metrics.rateLimitSkipped.inc({ what, reason: "error" });
    logger.warn({ err: String(error), what }, "rate limits unavailable: request allowed");
  } finally {
    clearTimeout(timer);
  }
  return { allowed: true, retryAfterSeconds: 0 };
}

/**
 * Counts one signing attempt against every limit, in one Redis round trip (app/utils/rate-limit.server.ts): per client
 * address (IPv6 per /64) and per registrable email domain, each per campaign and in every
 * configured window (a burst window and a sustained one).
 */
export function hitSigningLimits(
  deps: RateLimitDeps,
  limits: SigningLimits,
  attempt: { campaignSlug: string; clientAddress: string | null; email: string },
): Promise<RateLimitResult> {
  const ip = rateLimitSubject(attempt.clientAddress);
  const domain = registrableDomain(emailDomain(attempt.email));
  const checks = namedRules("sign-ip", limits.perIp).map((rule) => ({ rule, key: `${attempt.campaignSlug}:${ip}` }));
  if (!limits.exemptDomains.includes(domain)) {
    for (const rule of namedRules("sign-domain", limits.perDomain)) checks.push({ rule, key: `${attempt.campaignSlug}:${domain}` });
  }
  return hitOrAllow(deps, checks, "signing");
}

/**
 * Counts one confirmation attempt (POST /verify/:token) against the link's limit. The key is the
 * token's hash: the secret itself never reaches Redis.
 */
export function hitConfirmationLimit(deps: RateLimitDeps, windows: RateWindow[], token: string): Promise<RateLimitResult> {
  const key = hashToken(token).toString("hex");
  return hitOrAllow(deps, namedRules("verify-token", windows).map((rule) => ({ rule, key })), "confirmation");
}
