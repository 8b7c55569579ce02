import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/db/db.server";
import type { Actor } from "~/modules/access/actor.server";
import { acceptInvitation, changeMemberRole, createOrganisation, describeInvitation, getOrganisationOverview, inviteMember, issueInvitationToken, listMyOrganisations, removeMember, revokeInvitation } from "~/modules/organisations/organisations.server";
import { createTestUser } from "../support/fixtures";
import { createTestDatabase, type TestDatabase } from "../support/db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("orgs");
});
afterAll(async () => {
  await t.drop();
});

let n = 0;
const user = (db: Database, label: string) => createTestUser(db, "user", label);
const slug = (label: string) => `${label}-${Date.now().toString(36)}-${n++}`;

/** Invites `who` into the organisation as `role` and accepts, as the worker and the invitee would. */
async function join(owner: Actor, orgSlug: string, who: Actor, role: "owner" | "organiser") {
  const { invitationId } = await inviteMember(t.db, owner, orgSlug, { email: who.email, role });
  const token = (await issueInvitationToken(t.db, invitationId))!;
  await acceptInvitation(t.db, who, token);
}

describe("organisations", () => {
  it("make their creator the owner, and refuse a taken address", async () => {
    const alice = await user(t.db, "alice");
    const s = slug("kashmir-uk");
    await createOrganisation(t.db, alice, { name: "Kashmir Solidarity UK", slug: s });
    expect(await listMyOrganisations(t.db, alice)).toEqual([expect.objectContaining({ slug: s, role: "owner" })]);
    await expect(createOrganisation(t.db, alice, { name: "Again", slug: s })).rejects.toMatchObject({ code: "SLUG_TAKEN" });
  });

  it("keep organisation A's members out of organisation B, by any route", async () => {
    const alice = await user(t.db, "alice");
    const bob = await user(t.db, "bob");
    const a = slug("org-a");
    const b = slug("org-b");
    await createOrganisation(t.db, alice, { name: "A", slug: a });
    await createOrganisation(t.db, bob, { name: "B", slug: b });
    const attempts: (() => Promise<unknown>)[] = [
      () => getOrganisationOverview(t.db, alice, b),
      () => inviteMember(t.db, alice, b, { email: alice.email, role: "owner" }),
      () => changeMemberRole(t.db, alice, b, { userId: bob.id, role: "organiser" }),
      () => removeMember(t.db, alice, b, bob.id),
      () => revokeInvitation(t.db, alice, b, 1),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toMatchObject({ code: "NOT_FOUND" });
    // An unknown organisation answers the same: membership is not revealed.
    await expect(getOrganisationOverview(t.db, alice, "no-such-org")).rejects.toMatchObject({ code: "NOT_FOUND" });
    const overview = await getOrganisationOverview(t.db, bob, b);
    expect(overview.members.map((m) => m.id)).toEqual([bob.id]);
  });

  it("let only owners invite, change roles and remove others", async () => {
    const owner = await user(t.db, "owner");
    const organiser = await user(t.db, "organiser");
    const s = slug("roles");
    await createOrganisation(t.db, owner, { name: "Roles", slug: s });
    await join(owner, s, organiser, "organiser");
    await expect(inviteMember(t.db, organiser, s, { email: "x@example.org", role: "owner" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(changeMemberRole(t.db, organiser, s, { userId: organiser.id, role: "owner" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(removeMember(t.db, organiser, s, owner.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const seen = await getOrganisationOverview(t.db, organiser, s);
    expect(seen.invitations).toEqual([]); // organisers do not see who was invited
    // A member may leave on their own.
    await removeMember(t.db, organiser, s, organiser.id);
    expect(await listMyOrganisations(t.db, organiser)).toEqual([]);
  });

  it("hand an invitation only to the address it was sent to, once, while it is open", async () => {
    const owner = await user(t.db, "owner");
    const invitee = await user(t.db, "invitee");
    const stranger = await user(t.db, "stranger");
    const s = slug("invites");
    await createOrganisation(t.db, owner, { name: "Invites", slug: s });
    const { invitationId } = await inviteMember(t.db, owner, s, { email: invitee.email.toUpperCase(), role: "organiser" });
    const token = (await issueInvitationToken(t.db, invitationId))!;
    expect(await describeInvitation(t.db, token)).toMatchObject({ organisation: { slug: s }, role: "organiser" });
    await expect(acceptInvitation(t.db, stranger, token)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await acceptInvitation(t.db, invitee, token);
    await expect(acceptInvitation(t.db, invitee, token)).rejects.toMatchObject({ code: "TOKEN_INVALID" });
    expect(await listMyOrganisations(t.db, invitee)).toEqual([expect.objectContaining({ slug: s, role: "organiser" })]);

    // Withdrawn and expired invitations do not work; inviting again replaces the old link.
    const later = await user(t.db, "later");
    const first = await inviteMember(t.db, owner, s, { email: later.email, role: "organiser" });
    const firstToken = (await issueInvitationToken(t.db, first.invitationId))!;
    const second = await inviteMember(t.db, owner, s, { email: later.email, role: "owner" });
    await expect(acceptInvitation(t.db, later, firstToken)).rejects.toMatchObject({ code: "TOKEN_INVALID" });
    const secondToken = (await issueInvitationToken(t.db, second.invitationId))!;
    await revokeInvitation(t.db, owner, s, second.invitationId);
    await expect(acceptInvitation(t.db, later, secondToken)).rejects.toMatchObject({ code: "TOKEN_INVALID" });
    const third = await inviteMember(t.db, owner, s, { email: later.email, role: "owner" });
    await t.db.updateTable("invitations").set({ expires_at: new Date(Date.now() - 1000) }).where("id", "=", third.invitationId).execute();
    expect(await issueInvitationToken(t.db, third.invitationId)).toBeUndefined();
  });

  it("never leave an organisation without an owner, even when two owners step down at once", async () => {
    const a = await user(t.db, "a");
    const b = await user(t.db, "b");
    const s = slug("owners");
    await createOrganisation(t.db, a, { name: "Owners", slug: s });
    await expect(changeMemberRole(t.db, a, s, { userId: a.id, role: "organiser" })).rejects.toMatchObject({ code: "LAST_OWNER" });
    await expect(removeMember(t.db, a, s, a.id)).rejects.toMatchObject({ code: "LAST_OWNER" });
    await join(a, s, b, "owner");
    const results = await Promise.allSettled([
      changeMemberRole(t.db, a, s, { userId: a.id, role: "organiser" }),
      changeMemberRole(t.db, b, s, { userId: b.id, role: "organiser" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const owners = await t.db.selectFrom("memberships").select("user_id").where("role", "=", "owner").innerJoin("organisations", "organisations.id", "memberships.organisation_id").where("organisations.slug", "=", s).execute();
    expect(owners).toHaveLength(1);
  });
});
