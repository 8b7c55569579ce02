import { sql } from "kysely";
import type { Database, Executor } from "~/db/db.server";
import type { Actor } from "~/modules/access/actor.server";
import { requireAdmin } from "~/modules/access/guards.server";
import { revokeUserSessions } from "~/modules/accounts/sessions.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { AppError } from "~/utils/errors.server";

export const USER_CHANGES = ["promote", "demote", "disable", "enable"] as const;
export type UserChange = (typeof USER_CHANGES)[number];
export const USERS_PER_PAGE = 50;

/** Users matching a search (email or name), newest first, a page at a time. */
export async function listUsers(db: Executor, actor: Actor, opts: { search?: string; page?: number } = {}) {
  requireAdmin(actor);
  const page = Math.max(1, opts.page ?? 1);
  let query = db
    .selectFrom("users")
    .select(["id", "email", "display_name", "role", "disabled_at", "email_confirmed_at", "created_at"])
    .orderBy("id", "desc")
    .limit(USERS_PER_PAGE + 1)
    .offset((page - 1) * USERS_PER_PAGE);
  const search = opts.search?.trim();
  if (search) {
    const pattern = `%${search.replace(/[\\%_]/g, "\\$&")}%`;
    query = query.where((eb) => eb.or([eb("email", "ilike", pattern), eb("display_name", "ilike", pattern)]));
  }
  const rows = await query.execute();
  return { users: rows.slice(0, USERS_PER_PAGE), page, hasMore: rows.length > USERS_PER_PAGE };
}

/**
 * Promote, demote, disable or enable a user. The last active admin can never be demoted or
 * disabled, which follows from two rules checked with every admin row locked: nobody changes their
 * own role or account here, and the actor must still be an active admin under the lock (so of two
 * admins demoting each other at the same moment, the second finds it is no longer one). With both,
 * the actor itself always remains. Disabling ends every session of the user.
 */
export async function changeUser(db: Database, actor: Actor, input: { userId: number; change: UserChange }) {
  requireAdmin(actor);
  if (input.userId === actor.id) throw new AppError("SELF_CHANGE", "admins cannot change their own account here");
  return db.transaction().execute(async (trx) => {
    const admins = await sql<{ id: number; disabled_at: Date | null }>`
      SELECT id, disabled_at FROM users WHERE role = 'admin' OR id = ${input.userId} ORDER BY id FOR UPDATE`.execute(trx);
    const actorRow = admins.rows.find((r) => r.id === actor.id);
    if (!actorRow || actorRow.disabled_at) throw new AppError("FORBIDDEN", "admins only");
    const target = await trx.selectFrom("users").select(["id", "email", "role", "disabled_at"]).where("id", "=", input.userId).executeTakeFirst();
    if (!target) throw new AppError("NOT_FOUND", "user not found");

    let changed = true;
    switch (input.change) {
      case "promote":
      case "demote": {
        const role = input.change === "promote" ? "admin" : "user";
        changed = target.role !== role;
        if (changed) await trx.updateTable("users").set({ role, updated_at: sql`now()` }).where("id", "=", target.id).execute();
        break;
      }
      case "disable":
        changed = !target.disabled_at;
        if (changed) await trx.updateTable("users").set({ disabled_at: sql`now()`, updated_at: sql`now()` }).where("id", "=", target.id).execute();
        // Even when already disabled: no session of a disabled user may stay open.
        await revokeUserSessions(trx, target.id);
        break;
      case "enable":
        changed = Boolean(target.disabled_at);
        if (changed) await trx.updateTable("users").set({ disabled_at: null, updated_at: sql`now()` }).where("id", "=", target.id).execute();
        break;
    }
    if (changed) {
      await recordAudit(trx, {
        actorUserId: actor.id,
        actorLabel: actor.email,
        action: `user.${input.change}`,
        subject: target.email,
        details: { userId: target.id },
      });
    }
    return { changed };
  });
}
