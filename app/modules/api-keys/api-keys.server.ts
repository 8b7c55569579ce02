import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import type { Database, Executor } from "~/db/db.server";
import type { ApiKeyScope } from "~/db/schema";
import type { Actor } from "~/modules/access/actor.server";
import { requireOrganisationMember } from "~/modules/access/guards.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { AppError } from "~/utils/errors.server";
import { hashToken, tokenMatchesHash } from "~/utils/tokens.server";
import type { CreateApiKeyInput } from "./api-keys.schema";

/**
 * Keys look like `bnr_` + 43 base64url characters (256 random bits): the prefix lets secret
 * scanners and people recognise a leaked Banner key. Only the SHA-256 of the whole key is kept.
 */
export const API_KEY_PREFIX = "bnr_";
const API_KEY_PATTERN = /^bnr_[A-Za-z0-9_-]{43}$/;
const HINT_LENGTH = API_KEY_PREFIX.length + 4;
/** last_used_at is written at most this often per key, not on every request. */
const LAST_USED_RESOLUTION_SECONDS = 60;

/** Who is calling the API: a key of one organisation, with what it may do. */
export interface ApiPrincipal {
  keyId: number;
  organisationId: number;
  scope: ApiKeyScope;
}

export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString("base64url");
}

/** Owners create keys. The key itself is returned once, here, and never again. */
export async function createApiKey(db: Database, actor: Actor, organisationSlug: string, input: CreateApiKeyInput) {
  return db.transaction().execute(async (trx) => {
    const org = await requireOrganisationMember(trx, actor, organisationSlug, "owner");
    const key = generateApiKey();
    const row = await trx
      .insertInto("api_keys")
      .values({
        organisation_id: org.id,
        name: input.name,
        scope: input.scope,
        key_hash: hashToken(key),
        hint: key.slice(0, HINT_LENGTH),
        created_by: actor.id,
      })
      .returning(["id", "name", "scope"])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: actor.id,
      actorLabel: actor.email,
      action: "api-key.create",
      organisationId: org.id,
      subject: `api-key ${row.id} (${row.name})`,
      details: { keyId: row.id, scope: row.scope },
    });
    return { id: row.id, key };
  });
}

/** Owners revoke keys; a revoked key answers 401 from its next request on. Revoking twice is a no-op. */
export async function revokeApiKey(db: Database, actor: Actor, organisationSlug: string, keyId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const org = await requireOrganisationMember(trx, actor, organisationSlug, "owner");
    const row = await trx
      .updateTable("api_keys")
      .set({ revoked_at: sql`now()`, revoked_by: actor.id })
      .where("id", "=", keyId)
      .where("organisation_id", "=", org.id)
      .where("revoked_at", "is", null)
      .returning(["id", "name"])
      .executeTakeFirst();
    if (!row) return;
    await recordAudit(trx, {
      actorUserId: actor.id,
      actorLabel: actor.email,
      action: "api-key.revoke",
      organisationId: org.id,
      subject: `api-key ${row.id} (${row.name})`,
      details: { keyId: row.id },
    });
  });
}

/** The organisation's keys for its owners, newest first; never the key or its hash. */
export async function listApiKeys(db: Executor, actor: Actor, organisationSlug: string) {
  const org = await requireOrganisationMember(db, actor, organisationSlug, "owner");
  const keys = await db
    .selectFrom("api_keys")
    .select(["id", "name", "scope", "hint", "created_at", "last_used_at", "revoked_at"])
    .where("organisation_id", "=", org.id)
    .orderBy("revoked_at", (ob) => ob.desc().nullsFirst())
    .orderBy("created_at", "desc")
    .limit(200)
    .execute();
  return { organisation: org, keys };
}

/**
 * The live key behind a presented token, or UNAUTHENTICATED for a missing, malformed, unknown or
 * revoked one (the same answer for each, so a caller learns nothing about which).
 */
export async function authenticateApiKey(db: Executor, token: string | null): Promise<ApiPrincipal> {
  if (!token || !API_KEY_PATTERN.test(token)) throw new AppError("UNAUTHENTICATED", "missing or malformed API key");
  const row = await db
    .selectFrom("api_keys")
    .select(["id", "organisation_id", "scope", "key_hash", sql<boolean>`last_used_at IS NULL OR last_used_at < now() - make_interval(secs => ${LAST_USED_RESOLUTION_SECONDS})`.as("stale")])
    .where("key_hash", "=", hashToken(token))
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  if (!row || !tokenMatchesHash(token, row.key_hash)) throw new AppError("UNAUTHENTICATED", "unknown or revoked API key");
  if (row.stale) await db.updateTable("api_keys").set({ last_used_at: sql`now()` }).where("id", "=", row.id).execute();
  return { keyId: row.id, organisationId: row.organisation_id, scope: row.scope };
}

/** Write use cases call this: a read key may look, not change. */
export function requireWriteScope(principal: ApiPrincipal): void {
  if (principal.scope !== "write") throw new AppError("FORBIDDEN", "this API key is read-only");
}
