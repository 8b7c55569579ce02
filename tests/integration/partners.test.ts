/**
 * Ask versions, partner organisations, decision-makers' responses, logos and goal milestones, at
 * the domain level: real Postgres; for milestones also the real worker, Redis and an SMTP server.
 */
import { sql } from "kysely";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/db/db.server";
import { runRead } from "~/db/one-trip.server";
import { askVersionsRead } from "~/modules/campaigns/ask-versions.server";
import type { CampaignInput } from "~/modules/campaigns/lifecycle.schema";
import { createCampaign, reviewCampaign, submitForReview, updateCampaign } from "~/modules/campaigns/manage-campaigns.server";
import { targetResponseSchema } from "~/modules/campaigns/target-responses.schema";
import { listTargetResponses, publicTargetResponsesRead, recordTargetResponse } from "~/modules/campaigns/target-responses.server";
import { foldAllCountChanges } from "~/modules/counts/counts.server";
import { sendMilestoneEmails } from "~/modules/counts/milestones.server";
import { encodeLogo, setOrganisationLogo } from "~/modules/organisations/organisation-logo.server";
import { createOrganisation } from "~/modules/organisations/organisations.server";
import { answerPartnerInvitation, invitePartner, listCampaignPartners, listMyPartnerships, publicPartnersRead, removePartner } from "~/modules/partners/partners.server";
import { confirmSignature } from "~/modules/signatures/confirm-signature.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import type { RunningWorker } from "../../workers/worker";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { campaignInput, createTestUser, eventually, signer } from "../support/fixtures";
import { deletePrefix, uniquePrefix } from "../support/redis";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";
import { startTestWorker } from "../support/worker";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("partners");
});
afterAll(async () => {
  await t.drop();
});

let n = 0;
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${n++}`;
const user = (db: Database, role: "user" | "admin" = "user") => createTestUser(db, role);
// Two decision-makers, so version changes can drop one.
const input = (overrides: Partial<CampaignInput> = {}): CampaignInput =>
  campaignInput({
    targets: [
      { name: "OIC Secretary-General", role: "Secretary-General", country: "SA" },
      { name: "Chair of the CFM", role: "Chair", country: null },
    ],
    ...overrides,
  });

/** Host organisation A with a published campaign; partner organisation B; outsider organisation C. */
async function setup(overrides: Partial<CampaignInput> = {}) {
  const owner = await user(t.db);
  const admin = await user(t.db, "admin");
  const partnerOwner = await user(t.db);
  const partnerOrganiser = await user(t.db);
  const outsider = await user(t.db);
  const host = await createOrganisation(t.db, owner, { name: "Host", slug: unique("host") });
  const partnerOrg = await createOrganisation(t.db, partnerOwner, { name: "Partner", slug: unique("partner") });
  await t.db.insertInto("memberships").values({ organisation_id: partnerOrg.id, user_id: partnerOrganiser.id, role: "organiser" }).execute();
  const outsiderOrg = await createOrganisation(t.db, outsider, { name: "Outsider", slug: unique("outsider") });
  const campaignInput = input(overrides);
  const { id } = await createCampaign(t.db, owner, host.slug, campaignInput);
  await submitForReview(t.db, owner, id);
  await reviewCampaign(t.db, admin, id, { decision: "publish", note: null });
  return { owner, admin, partnerOwner, partnerOrganiser, outsider, host, partnerOrg, outsiderOrg, id, campaignInput, slug: campaignInput.slug };
}

const signatureOf = (email: string) =>
  t.db.selectFrom("signatures").select(["id", "ask_version", "locale", "partner_id", "opt_in_partner"]).where("email", "=", email).executeTakeFirstOrThrow();

describe("ask versions", () => {
  it("start at version 1 with the ask, the addressees and the targets", async () => {
    const { id, campaignInput } = await setup();
    const versions = await runRead(t.db, askVersionsRead(t.db, id));
    expect(versions).toEqual([
      expect.objectContaining({ version: 1, ask: campaignInput.ask, addressedTo: "The OIC", targets: campaignInput.targets }),
    ]);
  });

  it("a change of the ask after signatures makes version 2: old signatures keep 1, new ones record 2 and their language", async () => {
    const { owner, id, campaignInput, slug } = await setup();
    const before = signer();
    await signCampaign(t.db, { campaignSlug: slug, input: before, locale: "ur" });

    const changed = { ...campaignInput, ask: "Convene the CFM on Kashmir within three months." };
    expect(await updateCampaign(t.db, owner, id, changed)).toEqual({ askVersion: 2 });
    // Only the argument changes: no new version.
    expect(await updateCampaign(t.db, owner, id, { ...changed, argumentMd: "New argument." })).toEqual({ askVersion: 2 });
    // The targets change: version 3.
    const fewer = { ...changed, argumentMd: "New argument.", targets: changed.targets.slice(0, 1) };
    expect(await updateCampaign(t.db, owner, id, fewer)).toEqual({ askVersion: 3 });

    const after = signer();
    await signCampaign(t.db, { campaignSlug: slug, input: after, locale: "tr" });
    expect(await signatureOf(before.email)).toMatchObject({ ask_version: 1, locale: "ur" });
    expect(await signatureOf(after.email)).toMatchObject({ ask_version: 3, locale: "tr" });

    const versions = await runRead(t.db, askVersionsRead(t.db, id));
    expect(versions.map((v) => [v.version, v.ask, v.targets.length])).toEqual([
      [1, campaignInput.ask, 2],
      [2, changed.ask, 2],
      [3, changed.ask, 1],
    ]);
  });

  it("a signature racing a version change waits for it and records the new version", async () => {
    const { id, slug } = await setup();
    const racer = signer();
    let signing: Promise<unknown> | undefined;
    await t.db.transaction().execute(async (trx) => {
      // What updateCampaign does: lock the row, then bump the version.
      await sql`SELECT 1 FROM campaigns WHERE id = ${id} FOR UPDATE`.execute(trx);
      await trx.updateTable("campaigns").set({ ask_version: 2 }).where("id", "=", id).execute();
      signing = signCampaign(t.db, { campaignSlug: slug, input: racer, locale: "en" });
      await eventually(async () => {
        const waiting = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '/* banner: sign */%'`.execute(t.db);
        return waiting.rows[0]!.n > 0;
      }, 10_000, "the signature to wait for the campaign row");
    });
    await signing;
    expect((await signatureOf(racer.email)).ask_version).toBe(2);
  });

  it("keeps a decision-maker's response when the targets change around them, and drops the response of one removed", async () => {
    const { owner, id, campaignInput, slug } = await setup();
    await signCampaign(t.db, { campaignSlug: slug, input: signer(), locale: "en" });
    const [first, second] = (await listTargetResponses(t.db, owner, id)).targets;
    await recordTargetResponse(t.db, owner, id, { targetId: first!.id, respondedOn: "2026-11-01", summary: "We will table it.", link: null });
    await recordTargetResponse(t.db, owner, id, { targetId: second!.id, respondedOn: "2026-11-02", summary: "No comment.", link: null });

    const reordered = [{ name: "A new envoy", role: "Envoy", country: "PK" as const }, campaignInput.targets[0]!];
    await updateCampaign(t.db, owner, id, { ...campaignInput, targets: reordered });
    const targets = await runRead(t.db, publicTargetResponsesRead(t.db, id));
    expect(targets.map((x) => [x.name, x.response?.summary ?? null])).toEqual([
      ["A new envoy", null],
      ["OIC Secretary-General", "We will table it."],
    ]);
  });
});

describe("partner organisations", () => {
  it("are invited by the host, accepted by an owner of the partner, and attribute signatures only while accepted", async () => {
    const { owner, partnerOwner, partnerOrganiser, id, partnerOrg, slug } = await setup();
    const { partnerId } = await invitePartner(t.db, owner, id, partnerOrg.slug);
    const code = (await listCampaignPartners(t.db, owner, id)).partners[0]!.share_code;
    const viaLink = async () => {
      const s = signer();
      await signCampaign(t.db, { campaignSlug: slug, input: s, locale: "en", attribution: { partnerCode: code, referralCode: null, channel: null, optInPartner: true } });
      return signatureOf(s.email);
    };

    expect((await viaLink()).partner_id).toBeNull(); // only invited
    expect(await listMyPartnerships(t.db, partnerOrganiser)).toEqual([expect.objectContaining({ id: partnerId, status: "invited", role: "organiser" })]);
    await expect(answerPartnerInvitation(t.db, partnerOrganiser, partnerId, "accept")).rejects.toMatchObject({ code: "FORBIDDEN" });
    await answerPartnerInvitation(t.db, partnerOwner, partnerId, "accept");
    await expect(answerPartnerInvitation(t.db, partnerOwner, partnerId, "decline")).rejects.toMatchObject({ code: "PARTNERSHIP_CLOSED" });
    expect(await runRead(t.db, publicPartnersRead(t.db, id))).toEqual([{ name: "Partner", logoUrl: null }]);
    expect(await viaLink()).toMatchObject({ partner_id: partnerId, opt_in_partner: true });

    await removePartner(t.db, owner, id, partnerId);
    expect(await viaLink()).toMatchObject({ partner_id: null, opt_in_partner: false });
    expect(await runRead(t.db, publicPartnersRead(t.db, id))).toEqual([]);
    // Invited again after removal, it must accept again before it attributes.
    await invitePartner(t.db, owner, id, partnerOrg.slug);
    expect((await viaLink()).partner_id).toBeNull();
  });

  it("a declined partner does not attribute, and is not shown", async () => {
    const { owner, partnerOwner, id, partnerOrg, slug } = await setup();
    const { partnerId } = await invitePartner(t.db, owner, id, partnerOrg.slug);
    await answerPartnerInvitation(t.db, partnerOwner, partnerId, "decline");
    const code = (await listCampaignPartners(t.db, owner, id)).partners[0]!.share_code;
    const s = signer();
    await signCampaign(t.db, { campaignSlug: slug, input: s, locale: "en", attribution: { partnerCode: code, referralCode: null, channel: null, optInPartner: true } });
    expect(await signatureOf(s.email)).toMatchObject({ partner_id: null, opt_in_partner: false });
    expect(await runRead(t.db, publicPartnersRead(t.db, id))).toEqual([]);
  });

  it("refuse the host itself, unknown organisations and a second invitation", async () => {
    const { owner, id, host, partnerOrg } = await setup();
    await expect(invitePartner(t.db, owner, id, host.slug)).rejects.toMatchObject({ code: "PARTNER_IS_HOST", details: { field: "organisation" } });
    await expect(invitePartner(t.db, owner, id, "no-such-org")).rejects.toMatchObject({ code: "NOT_FOUND", details: { field: "organisation" } });
    await invitePartner(t.db, owner, id, partnerOrg.slug);
    await expect(invitePartner(t.db, owner, id, partnerOrg.slug)).rejects.toMatchObject({ code: "ALREADY_PARTNER" });
  });

  it("are closed to other organisations by every route and id", async () => {
    const { owner, outsider, partnerOwner, id, partnerOrg, outsiderOrg } = await setup();
    const { partnerId } = await invitePartner(t.db, owner, id, partnerOrg.slug);
    const attempts: (() => Promise<unknown>)[] = [
      () => listCampaignPartners(t.db, outsider, id),
      () => invitePartner(t.db, outsider, id, outsiderOrg.slug),
      () => removePartner(t.db, outsider, id, partnerId),
      // an invitation addressed to another organisation
      () => answerPartnerInvitation(t.db, outsider, partnerId, "accept"),
      // the partner's owner is no member of the host: it cannot manage the host's partners
      () => listCampaignPartners(t.db, partnerOwner, id),
      () => removePartner(t.db, partnerOwner, id, partnerId),
      () => listTargetResponses(t.db, outsider, id),
      () => recordTargetResponse(t.db, outsider, id, { targetId: 1, respondedOn: "2026-11-01", summary: "x", link: null }),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await listMyPartnerships(t.db, outsider)).toEqual([]);
    // A partner id of another campaign, through the host's own campaign: not found either.
    const other = await setup();
    await expect(removePartner(t.db, other.owner, other.id, partnerId)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const row = await t.db.selectFrom("campaign_partners").select("status").where("id", "=", partnerId).executeTakeFirstOrThrow();
    expect(row.status).toBe("invited");
  });
});

describe("decision-makers' responses", () => {
  it("refuse a target of another campaign, and links that are not https", async () => {
    const a = await setup();
    const b = await setup();
    const foreignTarget = (await listTargetResponses(t.db, b.owner, b.id)).targets[0]!.id;
    await expect(recordTargetResponse(t.db, a.owner, a.id, { targetId: foreignTarget, respondedOn: "2026-11-01", summary: "x", link: null })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect((await runRead(t.db, publicTargetResponsesRead(t.db, b.id)))[0]!.response).toBeNull();

    const parse = (link: string) => targetResponseSchema.safeParse({ targetId: "1", respondedOn: "2026-11-01", summary: "Said yes.", link });
    expect(parse("https://oic-oci.org/statement").success).toBe(true);
    for (const bad of ["http://oic-oci.org/statement", "javascript:alert(1)", "https://user:pw@example.org/", "not a url"]) expect(parse(bad).success, bad).toBe(false);
    expect(targetResponseSchema.safeParse({ targetId: "1", respondedOn: "2999-01-01", summary: "x" }).success).toBe(false);
    expect(targetResponseSchema.safeParse({ targetId: "1", respondedOn: "2026-02-30", summary: "x" }).success).toBe(false);
  });
});

describe("organisation logos", () => {
  it("are re-encoded to a small WebP; other files and files over 1 MB are refused; only owners set them", async () => {
    const png = await sharp({ create: { width: 1200, height: 600, channels: 3, background: "#0b6e4f" } }).png().toBuffer();
    const { webp, hash } = await encodeLogo(png);
    const meta = await sharp(webp).metadata();
    expect(meta).toMatchObject({ format: "webp", width: 256, height: 128 });
    expect(hash).toMatch(/^[a-f0-9]{16}$/);

    const gif = await sharp({ create: { width: 10, height: 10, channels: 3, background: "#000" } }).gif().toBuffer();
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>');
    for (const bad of [gif, svg, Buffer.from("not an image"), Buffer.alloc(1024 * 1024 + 1)]) {
      await expect(encodeLogo(bad)).rejects.toMatchObject({ code: "IMAGE_NOT_ACCEPTED" });
    }

    const { partnerOwner, partnerOrganiser, partnerOrg, owner, id } = await setup();
    await expect(setOrganisationLogo(t.db, partnerOrganiser, partnerOrg.slug, png)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const path = await setOrganisationLogo(t.db, partnerOwner, partnerOrg.slug, png);
    expect(path).toBe(`/media/org-logos/${partnerOrg.id}-${hash}.webp`);
    const { partnerId } = await invitePartner(t.db, owner, id, partnerOrg.slug);
    await answerPartnerInvitation(t.db, partnerOwner, partnerId, "accept");
    expect(await runRead(t.db, publicPartnersRead(t.db, id))).toEqual([{ name: "Partner", logoUrl: path }]);
  });
});

describe("goal milestones", () => {
  let smtp: TestSmtpServer;
  let worker: RunningWorker;
  const prefix = uniquePrefix("milestones");
  beforeAll(async () => {
    smtp = await startSmtpServer();
    worker = await startTestWorker({ databaseUrl: t.url, redisPrefix: prefix, smtpUrl: smtp.url, foldEveryMs: 200 });
  });
  afterAll(async () => {
    await worker?.stop();
    await smtp?.close();
    await deletePrefix(prefix);
  });

  async function confirmOne(slug: string) {
    const s = signer();
    await signCampaign(t.db, { campaignSlug: slug, input: s, locale: "en" });
    const { id } = await signatureOf(s.email);
    await confirmSignature(t.db, await issueVerificationToken(t.db, id));
  }

  const milestoneMails = (to: string) => smtp.messages.filter((m) => m.to.includes(to) && /of its goal/.test(m.subject));

  /** Every job the worker has been given is done: nothing waits in the outbox or in the queues. */
  async function settled() {
    await eventually(async () => {
      const outbox = await t.db.selectFrom("outbox").select("id").limit(1).execute();
      const depth = await worker.queues.email.getJobCounts("waiting", "active", "delayed", "prioritized");
      const counts = await worker.queues.counts.getJobCounts("waiting", "active", "prioritized");
      return outbox.length === 0 && Object.values(depth).every((v) => v === 0) && Object.values(counts).every((v) => v === 0);
    }, 20_000, "the worker to settle");
  }

  it("email each organiser of the host once per milestone crossed, however often the fold runs; partners' members get none", async () => {
    const { owner, partnerOwner, id, partnerOrg, slug } = await setup({ goal: 4 });
    const { partnerId } = await invitePartner(t.db, owner, id, partnerOrg.slug);
    await answerPartnerInvitation(t.db, partnerOwner, partnerId, "accept");

    await confirmOne(slug); // 1 of 4: 25 %
    await eventually(() => t.db.selectFrom("campaign_milestones").select("percent").where("campaign_id", "=", id).executeTakeFirst(), 20_000, "the 25 % milestone");
    await confirmOne(slug); // 2 of 4: 50 %
    // The fold job twice more, and a fold in this process: nothing more to announce.
    await worker.queues.counts.add("counts.fold", {});
    await worker.queues.counts.add("counts.fold", {});
    await foldAllCountChanges(t.db);
    await eventually(async () => milestoneMails(owner.email).length >= 2, 20_000, "two milestone emails");
    await settled();

    const mails = milestoneMails(owner.email);
    expect(mails.map((m) => m.subject).sort()).toEqual([expect.stringContaining("25%"), expect.stringContaining("50%")]);
    expect(mails[0]!.text).toContain(`/dashboard/campaigns/${id}`);
    expect(milestoneMails(partnerOwner.email)).toEqual([]);
    const rows = await t.db.selectFrom("campaign_milestones").select(["percent", "confirmed"]).where("campaign_id", "=", id).orderBy("percent").execute();
    expect(rows).toEqual([
      { percent: 25, confirmed: 1 },
      { percent: 50, confirmed: 2 },
    ]);

    // A redelivered job sends nothing again.
    expect(await sendMilestoneEmails({ db: t.db, mailer: worker.mailer, appUrl: "http://banner.test" }, { campaignId: id, percent: 25 })).toBe("sent 0 of 1");
    expect(milestoneMails(owner.email)).toHaveLength(2);
  });

  it("still reach the other organisers when one address is refused for good, and never retry that one", async () => {
    const { owner, host, id } = await setup({ goal: 10 });
    const refused = await user(t.db);
    await t.db.insertInto("memberships").values({ organisation_id: host.id, user_id: refused.id, role: "organiser" }).execute();
    await t.db.insertInto("campaign_milestones").values({ campaign_id: id, percent: 75, confirmed: 8 }).execute();
    const deps = { db: t.db, mailer: worker.mailer, appUrl: "http://banner.test" };
    smtp.rejectWith(550, refused.email);
    try {
      expect(await sendMilestoneEmails(deps, { campaignId: id, percent: 75 })).toBe("sent 1 of 2");
    } finally {
      smtp.rejectWith(null);
    }
    expect(milestoneMails(owner.email)).toHaveLength(1);
    expect(await sendMilestoneEmails(deps, { campaignId: id, percent: 75 })).toBe("sent 0 of 2");
    expect(milestoneMails(refused.email)).toHaveLength(0);
  });
});
