import { sql } from "kysely";
import type { Executor } from "~/db/db.server";
import type { UserRole } from "~/db/schema";
import { generateToken, hashToken, isWellFormedToken, tokenMatchesHash } from "~/utils/tokens.server";

export const SESSION_TTL_DAYS = 30;

export interface SessionUser {
  sessionId: number;
  id: number;
  email: string;
  displayName: string;
  role: UserRole;
}

/** A server-side session: the cookie holds a random token, the database only its hash. */
export async function createSession(
  db: Executor,
  userId: number,
  meta: { ipAddress?: string | null; userAgent?: string | null } = {},
): Promise<string> {
  const token = generateToken();
  await db
    .insertInto("sessions")
    .values({
      user_id: userId,
      token_hash: hashToken(token),
      expires_at: sql<Date>`now() + make_interval(days => ${SESSION_TTL_DAYS})`,
      ip_address: meta.ipAddress ?? null,
      user_agent: meta.userAgent ? meta.userAgent.slice(0, 400) : null,
    })
    .execute();
  return token;
}

/** The signed-in user for a session token, or undefined if the session is unknown, revoked or expired. */
export async function findSessionUser(db: Executor, token: string): Promise<SessionUser | undefined> {
  if (!isWellFormedToken(token)) return undefined;
  const row = await db
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .select([
      "s.id as sessionId",
      "s.token_hash",
      sql<boolean>`s.last_seen_at < now() - interval '5 minutes'`.as("stale"),
      "u.id",
      "u.email",
      "u.display_name",
      "u.role",
    ])
    .where("s.token_hash", "=", hashToken(token))
    .where("s.revoked_at", "is", null)
    .where("s.expires_at", ">", sql<Date>`now()`)
    .where("u.disabled_at", "is", null)
    .executeTakeFirst();
  if (!row || !tokenMatchesHash(token, row.token_hash)) return undefined;
  if (row.stale) await db.updateTable("sessions").set({ last_seen_at: sql`now()` }).where("id", "=", row.sessionId).execute();
  return { sessionId: row.sessionId, id: row.id, email: row.email, displayName: row.display_name, role: row.role };
}

export async function revokeSession(db: Executor, sessionId: number): Promise<void> {
  await db.updateTable("sessions").set({ revoked_at: sql`now()` }).where("id", "=", sessionId).where("revoked_at", "is", null).execute();
}

/** Ends every session of a user (after a password reset), or every other one (after a change). */
export async function revokeUserSessions(db: Executor, userId: number, exceptSessionId?: number): Promise<number> {
  let query = db.updateTable("sessions").set({ revoked_at: sql`now()` }).where("user_id", "=", userId).where("revoked_at", "is", null);
  if (exceptSessionId !== undefined) query = query.where("id", "!=", exceptSessionId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function listActiveSessions(db: Executor, userId: number) {
  return db
    .selectFrom("sessions")
    .select(["id", "created_at", "last_seen_at", "user_agent"])
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .orderBy("last_seen_at", "desc")
    .execute();
}
