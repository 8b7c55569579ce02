/**
 * Admin fraud tools on a real database: trending sources, invalidation (preview, apply, undo) and
 * their effect on the counts, the audit log, and who may use them (also over HTTP).
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/db/db.server";
import type { Actor } from "~/modules/access/actor.server";
import { commitSessionCookie } from "~/modules/accounts/session-cookie.server";
import { createSession } from "~/modules/accounts/sessions.server";
import { listAudit } from "~/modules/audit/audit.server";
import { countConfirmedFromScratch, foldAllCountChanges, getCampaignCounts, recountCampaigns } from "~/modules/counts/counts.server";
import { invalidationCriteriaSchema } from "~/modules/fraud/fraud.schema";
import { applyInvalidation, previewInvalidation, undoInvalidation } from "~/modules/fraud/invalidations.server";
import { trendingSources } from "~/modules/fraud/trends.server";
import { isAppError } from "~/utils/errors.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, createTestUser } from "../support/fixtures";
import { fieldsOfPostForm } from "../support/html-forms";
import { deletePrefix, uniquePrefix } from "../support/redis";
import { postForm, startWeb, type RunningProcess } from "../support/web";

let t: TestDatabase;
let web: RunningProcess;
let prefix: string;
let admin: Actor;
let organiser: Actor;

const user = (db: Database, role: "user" | "admin") => createTestUser(db, role);

beforeAll(async () => {
  prefix = uniquePrefix("fraudinv");
  t = await createTestDatabase("fraudinv");
  [admin, organiser] = await Promise.all([user(t.db, "admin"), user(t.db, "user")]);
  web = await startWeb({ DATABASE_URL: t.url, REDIS_PREFIX: prefix, FRAUD_TREND_PER_HOUR: "5" });
}, 90_000);

afterAll(async () => {
  await web?.stop();
  await t?.drop();
  if (prefix) await deletePrefix(prefix);
});

/**
 * A campaign with a bot farm (many signatures from 203.0.113.0/24 at bot-farm.example, half of
 * them confirmed) among real signers, counted exactly.
 */
async function campaignUnderAttack() {
  const campaign = await createCampaign(t.db);
  const row = (i: number, kind: "bot" | "person", confirmed: boolean) => ({
    campaign_id: campaign.id,
    name: `${kind} ${i}`,
    email: `${kind}${i}@${kind === "bot" ? "bot-farm.example" : "example.org"}`,
    email_normalized: `${kind}${i}@${kind === "bot" ? "bot-farm.example" : "example.org"}`,
    country: i % 2 ? "PK" : "MY",
    public_name: false,
    opt_in: false,
    consent_version: "v1",
    locale: "en",
    ip_address: kind === "bot" ? `203.0.113.${i % 3}` : `198.51.100.${i}`,
    status: confirmed ? ("confirmed" as const) : ("pending" as const),
    confirmed_at: confirmed ? new Date(Date.now() - (i % 2) * 86_400_000) : null,
  });
  await t.db
    .insertInto("signatures")
    .values([
      ...Array.from({ length: 12 }, (_, i) => row(i, "bot", i % 2 === 0)),
      ...Array.from({ length: 6 }, (_, i) => row(i, "person", i < 4)),
    ])
    .execute();
  await recountCampaigns(t.db, campaign.id);
  return campaign;
}

async function settledCounts(campaignId: number) {
  await foldAllCountChanges(t.db);
  const counts = await getCampaignCounts(t.db, campaignId);
  const daily = await t.db.selectFrom("campaign_daily_counts").select(["day", "confirmed"]).where("campaign_id", "=", campaignId).where("confirmed", "<>", 0).orderBy("day").execute();
  return { total: counts.total, byCountry: counts.byCountry, daily };
}

const criteria = (input: Record<string, string>) => invalidationCriteriaSchema.parse(input);

describe("trending sources", () => {
  it("show the addresses and domains above the hourly threshold, and only those", async () => {
    const campaign = await campaignUnderAttack();
    const { addresses, domains } = await trendingSources(t.db, admin, campaign.id, { hours: 24, threshold: 5 });
    expect(domains.map((d) => [d.key, d.peakPerHour, d.total, d.confirmed])).toEqual([
      ["bot-farm.example", 12, 12, 6],
      ["example.org", 6, 6, 4],
    ]);
    // 12 bots over three addresses: 4 each, below 5.
    expect(addresses).toEqual([]);
    const lower = await trendingSources(t.db, admin, campaign.id, { hours: 24, threshold: 4 });
    expect(lower.addresses.map((a) => a.key).sort()).toEqual(["203.0.113.0", "203.0.113.1", "203.0.113.2"]);
  });
});

describe("invalidation", () => {
  it("applies exactly what the preview showed, and the counts then equal a recount from scratch", async () => {
    const campaign = await campaignUnderAttack();
    const before = await settledCounts(campaign.id);
    expect(before.total).toBe(10);

    const c = criteria({ ipRange: "203.0.113.0/24", emailDomain: "bot-farm.example" });
    const preview = await previewInvalidation(t.db, admin, campaign.id, c);
    expect(preview).toEqual({ signatures: 12, confirmed: 6 });
    const applied = await applyInvalidation(t.db, admin, campaign.id, { criteria: c, expected: preview, note: "bot farm" });
    expect({ signatures: applied.signatures, confirmed: applied.confirmed }).toEqual(preview);

    const statuses = await t.db.selectFrom("signatures").select(["name", "status"]).where("campaign_id", "=", campaign.id).where("status", "=", "invalidated").execute();
    expect(statuses).toHaveLength(12);
    expect(statuses.every((s) => s.name?.startsWith("bot"))).toBe(true);
    const items = await t.db.selectFrom("invalidation_signatures").select("signature_id").where("invalidation_id", "=", applied.invalidationId).execute();
    expect(items).toHaveLength(12);

    const after = await settledCounts(campaign.id);
    const scratch = await countConfirmedFromScratch(t.db, campaign.id);
    expect(after.total).toBe(4);
    expect({ total: after.total, byCountry: after.byCountry }).toEqual({ total: scratch.total, byCountry: scratch.byCountry });
    // And a full recount changes nothing: the ledger got it exactly right, days included.
    await recountCampaigns(t.db, campaign.id);
    expect(await settledCounts(campaign.id)).toEqual(after);
  });

  it("can be undone: exactly the affected signatures get their state back, and the counts too", async () => {
    const campaign = await campaignUnderAttack();
    const before = await settledCounts(campaign.id);
    const statesBefore = await t.db.selectFrom("signatures").select(["id", "status"]).where("campaign_id", "=", campaign.id).orderBy("id").execute();

    const c = criteria({ emailDomain: "bot-farm.example" });
    const applied = await applyInvalidation(t.db, admin, campaign.id, { criteria: c, expected: await previewInvalidation(t.db, admin, campaign.id, c) });
    // A later, separate invalidation of a real signer is not touched by the undo.
    const other = criteria({ ipRange: "198.51.100.0" });
    await applyInvalidation(t.db, admin, campaign.id, { criteria: other, expected: await previewInvalidation(t.db, admin, campaign.id, other) });
    expect((await settledCounts(campaign.id)).total).toBe(before.total - 6 - 1);

    const undone = await undoInvalidation(t.db, admin, campaign.id, applied.invalidationId);
    expect(undone).toEqual({ signatures: 12, confirmed: 6 });
    const statesAfter = await t.db.selectFrom("signatures").select(["id", "status"]).where("campaign_id", "=", campaign.id).orderBy("id").execute();
    // Only the real signer of the second invalidation differs from before.
    const changed = statesAfter.filter((s, i) => s.status !== statesBefore[i]!.status);
    expect(changed).toHaveLength(1);
    expect(changed[0]!.status).toBe("invalidated");
    const restored = await settledCounts(campaign.id);
    expect(restored.total).toBe(before.total - 1);
    const scratch = await countConfirmedFromScratch(t.db, campaign.id);
    expect(restored.total).toBe(scratch.total);
    expect(restored.byCountry).toEqual(scratch.byCountry);

    // Undone once only.
    await expect(undoInvalidation(t.db, admin, campaign.id, applied.invalidationId)).rejects.toSatisfy((e) => isAppError(e, "ALREADY_UNDONE"));
  });

  it("applies nothing when the signatures changed since the preview", async () => {
    const campaign = await campaignUnderAttack();
    const c = criteria({ emailDomain: "bot-farm.example" });
    const preview = await previewInvalidation(t.db, admin, campaign.id, c);
    await t.db
      .insertInto("signatures")
      .values({ campaign_id: campaign.id, name: "late bot", email: "late@bot-farm.example", email_normalized: "late@bot-farm.example", country: "PK", public_name: false, opt_in: false, consent_version: "v1", locale: "en" })
      .execute();
    await expect(applyInvalidation(t.db, admin, campaign.id, { criteria: c, expected: preview })).rejects.toSatisfy(
      (e) => isAppError(e, "PREVIEW_OUTDATED") && (e.details?.preview as { signatures: number }).signatures === preview.signatures + 1,
    );
    const invalidated = await t.db.selectFrom("signatures").select("id").where("campaign_id", "=", campaign.id).where("status", "=", "invalidated").execute();
    expect(invalidated).toHaveLength(0);
    expect(await t.db.selectFrom("invalidations").select("id").where("campaign_id", "=", campaign.id).execute()).toHaveLength(0);
  });

  it("writes every invalidation and undo to the audit log, with who, what and how many", async () => {
    const campaign = await campaignUnderAttack();
    const c = criteria({ ipRange: "203.0.113.1", from: "2000-01-01T00:00" });
    const applied = await applyInvalidation(t.db, admin, campaign.id, { criteria: c, expected: await previewInvalidation(t.db, admin, campaign.id, c), note: "one address" });
    await undoInvalidation(t.db, admin, campaign.id, applied.invalidationId);
    const entries = await listAudit(t.db, { campaignId: campaign.id });
    expect(entries.map((e) => [e.action, e.actor_user_id, e.actor_label, e.row_count])).toEqual([
      ["signatures.invalidate.undo", admin.id, admin.email, 4],
      ["signatures.invalidate", admin.id, admin.email, 4],
    ]);
    expect(entries[1]!.subject).toBe("ip 203.0.113.1/32, from 2000-01-01T00:00:00.000Z");
    expect(entries[1]!.details).toMatchObject({ invalidationId: applied.invalidationId, confirmed: 2, note: "one address" });
  });

  it("is for admins only, checked in the domain module", async () => {
    const campaign = await campaignUnderAttack();
    const c = criteria({ emailDomain: "bot-farm.example" });
    const forbidden = (e: unknown) => isAppError(e, "FORBIDDEN");
    await expect(previewInvalidation(t.db, organiser, campaign.id, c)).rejects.toSatisfy(forbidden);
    await expect(applyInvalidation(t.db, organiser, campaign.id, { criteria: c, expected: { signatures: 12, confirmed: 6 } })).rejects.toSatisfy(forbidden);
    await expect(undoInvalidation(t.db, organiser, campaign.id, 1)).rejects.toSatisfy(forbidden);
    await expect(trendingSources(t.db, organiser, campaign.id, { hours: 24, threshold: 1 })).rejects.toSatisfy(forbidden);
    const untouched = await sql<{ n: number }>`SELECT count(*)::int AS n FROM signatures WHERE campaign_id = ${campaign.id} AND status = 'invalidated'`.execute(t.db);
    expect(untouched.rows[0]!.n).toBe(0);
  });
});

describe("/admin/fraud over HTTP", () => {
  const cookieFor = async (actor: Actor) => (await commitSessionCookie(await createSession(t.db, actor.id))).split(";")[0]!;

  it("is 403 for a signed-in non-admin (pages and forms), a log-in redirect for nobody, and works for an admin", async () => {
    const campaign = await campaignUnderAttack();
    const page = `${web.url}/admin/fraud/${campaign.id}`;
    const userCookie = await cookieFor(organiser);
    expect((await fetch(`${web.url}/admin/fraud`, { headers: { Cookie: userCookie } })).status).toBe(403);
    expect((await fetch(page, { headers: { Cookie: userCookie } })).status).toBe(403);
    const post = await postForm(page, { intent: "apply", emailDomain: "bot-farm.example", expectedSignatures: "12", expectedConfirmed: "6" }, { headers: { Cookie: userCookie } });
    expect(post.status).toBe(403);
    expect((await fetch(page, { redirect: "manual" })).status).toBe(302);

    const adminCookie = await cookieFor(admin);
    const html = await (await fetch(page, { headers: { Cookie: adminCookie } })).text();
    expect(html).toContain("bot-farm.example");
    const preview = await postForm(page, { intent: "preview", emailDomain: "bot-farm.example" }, { headers: { Cookie: adminCookie } });
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain("12 signatures would be invalidated; 6 of them are confirmed");
    const apply = await postForm(page, { intent: "apply", emailDomain: "bot-farm.example", expectedSignatures: "12", expectedConfirmed: "6" }, { headers: { Cookie: adminCookie } });
    expect(apply.status).toBe(200);
    expect(await apply.text()).toContain("Invalidated 12 signatures (6 confirmed)");
    const nothing = await postForm(page, { intent: "apply", emailDomain: "nobody.example", expectedSignatures: "0", expectedConfirmed: "0" }, { headers: { Cookie: adminCookie } });
    expect(nothing.status).toBe(400);
    expect(await nothing.text()).toContain("No signatures match, so nothing was applied.");
    const bad = await postForm(page, { intent: "preview", ipRange: "300.1.1.1" }, { headers: { Cookie: adminCookie } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Enter an IP address or a CIDR range");
  });

  it("answers a stale apply with the new numbers and a second undo with 'already undone', both 409 and changing nothing", async () => {
    const campaign = await campaignUnderAttack();
    const page = `${web.url}/admin/fraud/${campaign.id}`;
    const headers = { Cookie: await cookieFor(admin) };
    const stale = await postForm(page, { intent: "apply", emailDomain: "bot-farm.example", expectedSignatures: "11", expectedConfirmed: "6" }, { headers });
    expect(stale.status).toBe(409);
    const staleHtml = await stale.text();
    expect(staleHtml).toContain("Signatures changed since the preview, so nothing was applied.");
    expect(staleHtml).toContain("12 signatures would be invalidated; 6 of them are confirmed");
    const none = await t.db.selectFrom("invalidations").select("id").where("campaign_id", "=", campaign.id).execute();
    expect(none).toEqual([]);

    const apply = await postForm(page, { intent: "apply", emailDomain: "bot-farm.example", expectedSignatures: "12", expectedConfirmed: "6" }, { headers });
    expect(apply.status).toBe(200);
    const { id } = await t.db.selectFrom("invalidations").select("id").where("campaign_id", "=", campaign.id).executeTakeFirstOrThrow();
    // Undo as the history's button posts it.
    const history = await (await fetch(page, { headers })).text();
    const undoFields = fieldsOfPostForm(history, `name="invalidationId" value="${id}"`);
    expect(undoFields).toEqual({ invalidationId: String(id), intent: "undo" });
    const undo = await postForm(page, undoFields, { headers });
    expect(undo.status).toBe(200);
    expect(await undo.text()).toContain("Undone: 12 signatures restored (6 confirmed).");
    const again = await postForm(page, { intent: "undo", invalidationId: String(id) }, { headers });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("This invalidation was already undone.");
    const bad = await postForm(page, { intent: "undo", invalidationId: "nope" }, { headers });
    expect(bad.status).toBe(400);
    const unknown = await postForm(page, { intent: "shred" }, { headers });
    expect(unknown.status).toBe(400);
  });
});
