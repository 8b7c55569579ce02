import type { Redis } from "ioredis";
import { sql } from "kysely";
import type { Database, Executor } from "~/db/db.server";
import { enqueue } from "~/jobs/outbox.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { canonicalEmail } from "~/modules/signatures/signatures.schema";
import { AppError } from "~/utils/errors.server";
import { hitRateLimits, type RateLimitRule } from "~/utils/rate-limit.server";
import { generateToken, hashToken, isWellFormedToken, tokenMatchesHash } from "~/utils/tokens.server";
import { emailDigest, eraseSignaturesOf } from "./erase-signatures.server";

export const ERASURE_LINK_TTL_HOURS = 24;
export const ERASURE_PER_IP: RateLimitRule = { name: "erasure-ip", limit: 10, windowSeconds: 3600 };
export const ERASURE_PER_ADDRESS: RateLimitRule = { name: "erasure-address", limit: 3, windowSeconds: 3600 };

export interface ErasureDeps {
  db: Database;
  redis: Redis;
  redisPrefix: string;
}

/**
 * A supporter asks to be erased. Whatever the address, the caller gets the same answer and the
 * same work happens here (one row, one outbox entry); only the worker looks at signatures, and it
 * sends the link only to an address that has some. Limited per client address and per address,
 * so the form cannot be used to flood an inbox; if Redis cannot count, the request is refused.
 */
export async function requestErasure(deps: ErasureDeps, input: { email: string; locale: string; ipAddress: string | null }): Promise<void> {
  const emailNormalized = canonicalEmail(input.email);
  let limits;
  try {
    limits = await hitRateLimits(deps.redis, deps.redisPrefix, [
      { rule: ERASURE_PER_IP, key: input.ipAddress ?? "unknown" },
      { rule: ERASURE_PER_ADDRESS, key: emailDigest(emailNormalized) },
    ]);
  } catch {
    throw new AppError("REDIS_UNAVAILABLE", "cannot count erasure requests");
  }
  if (!limits.allowed) throw new AppError("RATE_LIMITED", "too many erasure requests", { retryAfterSeconds: limits.retryAfterSeconds });

  await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("erasure_requests")
      .values({
        email_normalized: emailNormalized,
        locale: input.locale,
        expires_at: sql<Date>`now() + make_interval(hours => ${ERASURE_LINK_TTL_HOURS})`,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await enqueue(trx, "privacy.erasure-link", { requestId: row.id });
  });
}

/**
 * Called by the worker right before sending: the address of an open request that has something
 * to erase, with a fresh link token (only its hash is stored; a retried send replaces it).
 * Undefined when there is nothing to send: used, expired, or no signature of that address.
 */
export async function issueErasureLink(db: Executor, requestId: number): Promise<{ email: string; locale: string; token: string } | undefined> {
  const request = await db
    .selectFrom("erasure_requests")
    .select(["email_normalized", "locale"])
    .where("id", "=", requestId)
    .where("used_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .executeTakeFirst();
  if (!request?.email_normalized) return undefined;
  const signed = await db.selectFrom("signatures").select("id").where("email_normalized", "=", request.email_normalized).limit(1).executeTakeFirst();
  if (!signed) return undefined;
  const token = generateToken();
  await db.updateTable("erasure_requests").set({ token_hash: hashToken(token) }).where("id", "=", requestId).execute();
  return { email: request.email_normalized, locale: request.locale, token };
}

async function findRequest(db: Executor, token: string, opts: { forUpdate?: boolean } = {}) {
  if (!isWellFormedToken(token)) throw new AppError("TOKEN_INVALID");
  let query = db
    .selectFrom("erasure_requests")
    .select(["id", "token_hash", "email_normalized", "used_at", "erased_count", sql<boolean>`expires_at < now()`.as("expired")])
    .where("token_hash", "=", hashToken(token));
  if (opts.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row?.token_hash || !tokenMatchesHash(token, row.token_hash)) throw new AppError("TOKEN_INVALID");
  return row;
}

export type ErasureLinkState = { state: "ready" } | { state: "done" };

/** What GET /privacy/erase/:token shows: it reads and changes nothing (mail scanners open links). */
export async function describeErasureLink(db: Executor, token: string): Promise<ErasureLinkState> {
  const row = await findRequest(db, token);
  if (row.used_at) return { state: "done" };
  if (row.expired) throw new AppError("TOKEN_EXPIRED");
  return { state: "ready" };
}

/**
 * POST /privacy/erase/:token: erases every signature of the address, once. The request row is
 * locked, so two clicks erase once; the address leaves it in the same transaction. The
 * audit log records the erasure with the address's hash only.
 */
export async function confirmErasure(db: Database, token: string): Promise<ErasureLinkState> {
  return db.transaction().execute(async (trx) => {
    const row = await findRequest(trx, token, { forUpdate: true });
    if (row.used_at) return { state: "done" as const };
    if (row.expired || !row.email_normalized) throw new AppError("TOKEN_EXPIRED");
    const result = await eraseSignaturesOf(trx, row.email_normalized);
    await trx.updateTable("erasure_requests").set({ erased_count: result.erased }).where("id", "=", row.id).execute();
    await recordAudit(trx, {
      actorUserId: null,
      actorLabel: "supporter (self-service)",
      action: "privacy.erase",
      details: { emailSha256: emailDigest(row.email_normalized), confirmed: result.confirmed, via: "self-service" },
      rowCount: result.erased,
    });
    return { state: "done" as const };
  });
}
