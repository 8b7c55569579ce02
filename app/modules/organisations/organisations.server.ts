import { sql } from "kysely";
import type { Database, Executor } from "~/db/db.server";
import type { MemberRole } from "~/db/schema";
import { enqueue } from "~/jobs/outbox.server";
import type { Actor } from "~/modules/access/actor.server";
import { requireOrganisationMember } from "~/modules/access/guards.server";
import { normaliseEmail } from "~/modules/signatures/signatures.schema";
import { AppError } from "~/utils/errors.server";
import { generateToken, hashToken, isWellFormedToken, tokenMatchesHash } from "~/utils/tokens.server";

export const INVITATION_TTL_DAYS = 7;

export async function createOrganisation(db: Database, actor: Actor, input: { name: string; slug: string }) {
  return db.transaction().execute(async (trx) => {
    const org = await trx
      .insertInto("organisations")
      .values({ name: input.name, slug: input.slug })
      .onConflict((oc) => oc.column("slug").doNothing())
      .returning(["id", "slug", "name"])
      .executeTakeFirst();
    if (!org) throw new AppError("SLUG_TAKEN", "slug taken", { field: "slug" });
    await trx.insertInto("memberships").values({ organisation_id: org.id, user_id: actor.id, role: "owner" }).execute();
    return org;
  });
}

export async function listMyOrganisations(db: Executor, actor: Actor) {
  return db
    .selectFrom("memberships as m")
    .innerJoin("organisations as o", "o.id", "m.organisation_id")
    .select(["o.id", "o.slug", "o.name", "m.role"])
    .where("m.user_id", "=", actor.id)
    .orderBy("o.name")
    .execute();
}

export async function getOrganisationOverview(db: Database, actor: Actor, slug: string) {
  const org = await requireOrganisationMember(db, actor, slug);
  const [members, invitations] = await Promise.all([
    db
      .selectFrom("memberships as m")
      .innerJoin("users as u", "u.id", "m.user_id")
      .select(["u.id", "u.display_name", "u.email", "m.role", "m.created_at"])
      .where("m.organisation_id", "=", org.id)
      .orderBy("m.created_at")
      .execute(),
    org.role === "owner"
      ? db
          .selectFrom("invitations")
          .select(["id", "email", "role", "created_at", "expires_at"])
          .where("organisation_id", "=", org.id)
          .where("accepted_at", "is", null)
          .where("revoked_at", "is", null)
          .where("expires_at", ">", sql<Date>`now()`)
          .orderBy("created_at", "desc")
          .execute()
      : Promise.resolve([]),
  ]);
  const contact = await db.selectFrom("organisations").select("contact_email").where("id", "=", org.id).executeTakeFirstOrThrow();
  return { organisation: org, contactEmail: contact.contact_email, members, invitations };
}

/** Owners set where signers' replies to the organisation's updates go (null: nowhere). */
export async function setOrganisationContact(db: Database, actor: Actor, slug: string, input: { contactEmail: string | null }) {
  const org = await requireOrganisationMember(db, actor, slug, "owner");
  await db.updateTable("organisations").set({ contact_email: input.contactEmail || null }).where("id", "=", org.id).execute();
}

/** Owners invite by email; the worker creates the link's token when it sends the invitation. */
export async function inviteMember(db: Database, actor: Actor, slug: string, input: { email: string; role: MemberRole }) {
  return db.transaction().execute(async (trx) => {
    const org = await requireOrganisationMember(trx, actor, slug, "owner");
    const emailNormalized = normaliseEmail(input.email);
    // Inviting again replaces the open invitation (new role, new expiry, new link).
    await trx
      .updateTable("invitations")
      .set({ revoked_at: sql`now()` })
      .where("organisation_id", "=", org.id)
      .where("email_normalized", "=", emailNormalized)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .execute();
    const invitation = await trx
      .insertInto("invitations")
      .values({
        organisation_id: org.id,
        email: input.email.trim(),
        email_normalized: emailNormalized,
        role: input.role,
        invited_by: actor.id,
        expires_at: sql<Date>`now() + make_interval(days => ${INVITATION_TTL_DAYS})`,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await enqueue(trx, "organisation.invitation", { invitationId: invitation.id });
    return { invitationId: invitation.id };
  });
}

export async function revokeInvitation(db: Database, actor: Actor, slug: string, invitationId: number) {
  const org = await requireOrganisationMember(db, actor, slug, "owner");
  await db
    .updateTable("invitations")
    .set({ revoked_at: sql`now()` })
    .where("id", "=", invitationId)
    .where("organisation_id", "=", org.id)
    .where("accepted_at", "is", null)
    .execute();
}

/** Called by the worker right before sending: a fresh token whose hash replaces the previous one. */
export async function issueInvitationToken(db: Executor, invitationId: number): Promise<string | undefined> {
  const token = generateToken();
  const updated = await db
    .updateTable("invitations")
    .set({ token_hash: hashToken(token) })
    .where("id", "=", invitationId)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .returning("id")
    .executeTakeFirst();
  return updated ? token : undefined;
}

async function findOpenInvitation(db: Executor, token: string) {
  if (!isWellFormedToken(token)) return undefined;
  const row = await db
    .selectFrom("invitations as i")
    .innerJoin("organisations as o", "o.id", "i.organisation_id")
    .select(["i.id", "i.token_hash", "i.email_normalized", "i.role", "o.id as organisationId", "o.slug", "o.name"])
    .where("i.token_hash", "=", hashToken(token))
    .where("i.accepted_at", "is", null)
    .where("i.revoked_at", "is", null)
    .where("i.expires_at", ">", sql<Date>`now()`)
    .executeTakeFirst();
  if (!row?.token_hash || !tokenMatchesHash(token, row.token_hash)) return undefined;
  return row;
}

export async function describeInvitation(db: Executor, token: string) {
  const row = await findOpenInvitation(db, token);
  if (!row) throw new AppError("TOKEN_INVALID");
  return { organisation: { slug: row.slug, name: row.name }, role: row.role, emailNormalized: row.email_normalized };
}

/** Joins the organisation. The invitation belongs to one address: the actor must be signed in with it. */
export async function acceptInvitation(db: Database, actor: Actor, token: string) {
  return db.transaction().execute(async (trx) => {
    const row = await findOpenInvitation(trx, token);
    if (!row) throw new AppError("TOKEN_INVALID");
    if (row.email_normalized !== normaliseEmail(actor.email)) throw new AppError("FORBIDDEN", "invitation is for another address");
    const claimed = await trx
      .updateTable("invitations")
      .set({ accepted_at: sql`now()` })
      .where("id", "=", row.id)
      .where("accepted_at", "is", null)
      .returning("id")
      .executeTakeFirst();
    if (!claimed) throw new AppError("TOKEN_INVALID");
    await trx
      .insertInto("memberships")
      .values({ organisation_id: row.organisationId, user_id: actor.id, role: row.role })
      .onConflict((oc) => oc.columns(["organisation_id", "user_id"]).doUpdateSet({ role: row.role }))
      .execute();
    return { slug: row.slug, name: row.name };
  });
}

/** Locks the organisation's owner rows so two concurrent demotions cannot leave it ownerless. */
async function assertAnotherOwnerRemains(trx: Executor, organisationId: number, userId: number) {
  const owners = await sql<{ user_id: number }>`
    SELECT user_id FROM memberships WHERE organisation_id = ${organisationId} AND role = 'owner' FOR UPDATE`.execute(trx);
  if (!owners.rows.some((o) => o.user_id !== userId)) throw new AppError("LAST_OWNER");
}

export async function changeMemberRole(db: Database, actor: Actor, slug: string, input: { userId: number; role: MemberRole }) {
  await db.transaction().execute(async (trx) => {
    const org = await requireOrganisationMember(trx, actor, slug, "owner");
    if (input.role !== "owner") await assertAnotherOwnerRemains(trx, org.id, input.userId);
    const updated = await trx
      .updateTable("memberships")
      .set({ role: input.role })
      .where("organisation_id", "=", org.id)
      .where("user_id", "=", input.userId)
      .returning("user_id")
      .executeTakeFirst();
    if (!updated) throw new AppError("NOT_FOUND", "member not found");
  });
}

/** Owners remove anyone; any member may leave. The last owner can do neither to themselves. */
export async function removeMember(db: Database, actor: Actor, slug: string, userId: number) {
  await db.transaction().execute(async (trx) => {
    const org = await requireOrganisationMember(trx, actor, slug, userId === actor.id ? "member" : "owner");
    await assertAnotherOwnerRemains(trx, org.id, userId);
    const removed = await trx
      .deleteFrom("memberships")
      .where("organisation_id", "=", org.id)
      .where("user_id", "=", userId)
      .returning("user_id")
      .executeTakeFirst();
    if (!removed) throw new AppError("NOT_FOUND", "member not found");
  });
}
