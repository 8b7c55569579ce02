import { randomBytes } from "node:crypto";
import { createCookie } from "@remix-run/node";
import type { Database } from "~/db/db.server";
import type { UserRole } from "~/db/schema";
import { createSession } from "~/modules/accounts/sessions.server";
import { TEST_SESSION_SECRET } from "./session-secret";

export { TEST_SESSION_SECRET };

/**
 * A confirmed user with a live session, optionally a member of an organisation: the Cookie header
 * a signed-in browser would send. For tests about what a user may see, not about logging in.
 */
export async function signedInUser(db: Database, opts: { role?: UserRole; organisationId?: number } = {}) {
  const email = `user-${randomBytes(5).toString("hex")}@example.org`;
  const user = await db
    .insertInto("users")
    .values({ email, email_normalized: email, display_name: "Test User", password_hash: "not-used", role: opts.role ?? "user", email_confirmed_at: new Date() })
    .returning("id")
    .executeTakeFirstOrThrow();
  if (opts.organisationId !== undefined) {
    await db.insertInto("memberships").values({ organisation_id: opts.organisationId, user_id: user.id, role: "organiser" }).execute();
  }
  const token = await createSession(db, user.id);
  const cookie = createCookie("banner_session", { secrets: [TEST_SESSION_SECRET] });
  const header = await cookie.serialize(token);
  return { id: user.id, email, cookie: header.split(";")[0]! };
}

export async function createOrganisation(db: Database, name = `Org ${randomBytes(3).toString("hex")}`) {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return db.insertInto("organisations").values({ slug, name }).returning(["id", "slug", "name"]).executeTakeFirstOrThrow();
}
