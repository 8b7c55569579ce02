import { spawn } from "node:child_process";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/db/db.server";
import { createCampaign as createOrgCampaign, reviewCampaign, submitForReview } from "~/modules/campaigns/manage-campaigns.server";
import { createOrganisation, setOrganisationContact } from "~/modules/organisations/organisations.server";
import { confirmSignature } from "~/modules/signatures/confirm-signature.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { drainUpdate } from "~/modules/updates/send-updates.server";
import {
  claimDeliveries,
  createDeliveries,
  createUpdate,
  getUpdateOverview,
  markDelivery,
  releaseAbandonedDeliveries,
  renewLeases,
  requestUpdateFanOut,
} from "~/modules/updates/updates.server";
import type { RunningWorker } from "../../workers/worker";
import { startTestWorker } from "../support/worker";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createTestUser, eventually, signer } from "../support/fixtures";
import { deletePrefix, uniquePrefix } from "../support/redis";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";
import { postForm, startWeb, type RunningProcess } from "../support/web";

let t: TestDatabase;
let smtp: TestSmtpServer;
let worker: RunningWorker;
let web: RunningProcess;
const prefix = uniquePrefix("updates");

beforeAll(async () => {
  t = await createTestDatabase("updates");
  smtp = await startSmtpServer();
  web = await startWeb({ DATABASE_URL: t.url, REDIS_PREFIX: prefix });
  worker = await startTestWorker({
    databaseUrl: t.url,
    redisPrefix: prefix,
    smtpUrl: smtp.url,
    appUrl: web.url,
    updateSendRate: 1000,
  });
});
afterAll(async () => {
  await worker?.stop();
  await web?.stop();
  await smtp?.close();
  await t?.drop();
  await deletePrefix(prefix);
});

let n = 0;
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${n++}`;
const user = (db: Database, role: "user" | "admin" = "user") => createTestUser(db, role);

/** A published campaign of a fresh organisation, with signers as described. */
async function campaignWithSigners(signers: { optIn: boolean; confirmed: boolean; country?: string; locale?: "en" | "ur" }[]) {
  const owner = await user(t.db);
  const admin = await user(t.db, "admin");
  const org = await createOrganisation(t.db, owner, { name: "Org", slug: unique("org") });
  const slug = unique("campaign");
  const { id } = await createOrgCampaign(t.db, owner, org.slug, {
    slug,
    title: "Convene the CFM",
    summary: "s",
    ask: "a",
    addressedTo: "OIC",
    argumentMd: "b",
    goal: 100,
    deadline: null,
    targets: [],
  });
  await submitForReview(t.db, owner, id);
  await reviewCampaign(t.db, admin, id, { decision: "publish", note: null });
  const emails: string[] = [];
  for (const s of signers) {
    const input = signer({ optIn: s.optIn, country: (s.country ?? "PK") as "PK" });
    await signCampaign(t.db, { campaignSlug: slug, input, locale: s.locale ?? "en" });
    const row = await t.db.selectFrom("signatures").select("id").where("email", "=", input.email).executeTakeFirstOrThrow();
    if (s.confirmed) await confirmSignature(t.db, await issueVerificationToken(t.db, row.id));
    emails.push(input.email);
  }
  // The verification emails of these signers are not what this file is about.
  await t.db.deleteFrom("outbox").execute();
  return { owner, campaignId: id, emails, orgSlug: org.slug };
}

const mailsTo = (email: string, subject: string) => smtp.messages.filter((m) => m.to.includes(email) && m.subject === subject);

describe("updates to signers", () => {
  it("come from the organisation at the platform's address, answer to its contact address, and read as plain text with every URL alone on its line", async () => {
    const { owner, campaignId, emails, orgSlug } = await campaignWithSigners([
      { optIn: true, confirmed: true },
      { optIn: true, confirmed: true, locale: "ur" },
    ]);
    await setOrganisationContact(t.db, owner, orgSlug, { contactEmail: "team@org.example" });
    const subject = unique("Plain");
    const bodyMd = "**Progress** at last: read [our statement](https://org.example/statement) or https://org.example/raw.\n\n- one\n- two";
    const { id } = await createUpdate(t.db, owner, campaignId, { subject, bodyMd, countries: null });
    await requestUpdateFanOut(t.db, owner, id);
    await eventually(async () => (await getUpdateOverview(t.db, owner, id)).update.status === "sent", 15_000, "the update to be sent");

    for (const email of emails) {
      const [mail] = mailsTo(email, subject);
      expect(mail, email).toBeDefined();
      const from = mail!.headers.get("from") as { value: { name: string; address: string }[] };
      expect(from.value).toEqual([{ name: "Org", address: "no-reply@banner.test" }]);
      const replyTo = mail!.headers.get("reply-to") as { value: { address: string }[] };
      expect(replyTo.value.map((v) => v.address)).toEqual(["team@org.example"]);

      const text = mail!.text;
      expect(text).not.toMatch(/\*\*|\[our statement\]|\]\(/);
      expect(text).toContain("Progress at last: read our statement (https://org.example/statement) or https://org.example/raw.");
      expect(text).toContain("- one\n- two");
      // Every URL of the frame stands alone on its line: nothing glued before or after it.
      const unsubscribe = String(mail!.rawHeader("List-Unsubscribe")).slice(1, -1);
      expect(text.split("\n")).toContain(unsubscribe);
      // No bidi isolate (U+2066–U+2069) next to any URL, in either part.
      for (const part of [text, mail!.html]) expect(part).not.toMatch(/[\u2066-\u2069]https?:|https?:\/\/[^\s"<]*[\u2066-\u2069]/u);
    }
    const [en] = mailsTo(emails[0]!, subject);
    expect(en!.text).toContain("Org sends you this email because you signed “Convene the CFM” and asked for updates.");
    const [ur] = mailsTo(emails[1]!, subject);
    expect(ur!.text).toContain("\u2068Org\u2069 آپ کو یہ ای میل");
  });

  it("reach each confirmed, opted-in signer exactly once, with one-click unsubscribe headers", async () => {
    const { owner, campaignId, emails } = await campaignWithSigners([
      { optIn: true, confirmed: true },
      { optIn: true, confirmed: true, country: "MY" },
      { optIn: false, confirmed: true },
      { optIn: true, confirmed: false },
    ]);
    const subject = unique("News");
    const { id } = await createUpdate(t.db, owner, campaignId, { subject, bodyMd: "**Progress** at last.", countries: null });
    expect((await getUpdateOverview(t.db, owner, id)).audience).toBe(2);
    await requestUpdateFanOut(t.db, owner, id);
    await expect(requestUpdateFanOut(t.db, owner, id)).rejects.toMatchObject({ code: "UPDATE_ALREADY_SENT" }); // not twice

    await eventually(async () => (await getUpdateOverview(t.db, owner, id)).update.status === "sent", 15_000, "the update to be sent");
    expect(mailsTo(emails[0]!, subject)).toHaveLength(1);
    expect(mailsTo(emails[1]!, subject)).toHaveLength(1);
    expect(mailsTo(emails[2]!, subject)).toHaveLength(0); // did not opt in
    expect(mailsTo(emails[3]!, subject)).toHaveLength(0); // never confirmed
    const mail = mailsTo(emails[0]!, subject)[0]!;
    expect(mail.html).toContain("<strong>Progress</strong>");
    const listUnsubscribe = String(mail.rawHeader("List-Unsubscribe"));
    expect(listUnsubscribe).toMatch(new RegExp(`^<${web.url}/unsubscribe/[A-Za-z0-9_-]{43}>$`));
    expect(mail.rawHeader("List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    expect((await getUpdateOverview(t.db, owner, id)).progress).toEqual({ queued: 0, sending: 0, sent: 2, failed: 0 });

    // One click, as a mail client does it: a POST with no browser around it.
    const url = listUnsubscribe.slice(1, -1);
    expect((await fetch(url)).status).toBe(200); // GET changes nothing
    const before = await t.db.selectFrom("signatures").select("unsubscribed_at").where("email", "=", emails[0]!).executeTakeFirstOrThrow();
    expect(before.unsubscribed_at).toBeNull();
    const res = await postForm(url, { "List-Unsubscribe": "One-Click" });
    expect(res.status).toBe(200);
    const after = await t.db.selectFrom("signatures").select("unsubscribed_at").where("email", "=", emails[0]!).executeTakeFirstOrThrow();
    expect(after.unsubscribed_at).not.toBeNull();

    // The next update skips them.
    const next = await createUpdate(t.db, owner, campaignId, { subject: `${subject} 2`, bodyMd: "Again.", countries: ["MY"] });
    expect((await getUpdateOverview(t.db, owner, next.id)).audience).toBe(1);
  });

  it("never sends twice, even with fan-outs and drains repeated; a worker's lapsed claims are sent, not failed", async () => {
    const { owner, campaignId, emails } = await campaignWithSigners(Array.from({ length: 12 }, () => ({ optIn: true, confirmed: true })));
    const subject = unique("Once");
    const { id } = await createUpdate(t.db, owner, campaignId, { subject, bodyMd: "Once only.", countries: null });
    // Start sending by hand (no job yet), then play a worker that died after claiming three
    // (and sending none of them): their leases lapse and they are queued again.
    await sql`UPDATE updates SET status = 'sending' WHERE id = ${id}`.execute(t.db);
    expect(await createDeliveries(t.db, id)).toBe(12);
    expect(await createDeliveries(t.db, id)).toBe(0);
    const dead = await claimDeliveries(t.db, id, 3);
    expect(await releaseAbandonedDeliveries(t.db)).toEqual({ released: 0, failed: 0 }); // leases still held
    await sql`UPDATE update_deliveries SET lease_expires_at = now() - interval '1 minute' WHERE id IN (${sql.join(dead.map((d) => d.id))})`.execute(t.db);
    expect(await releaseAbandonedDeliveries(t.db)).toEqual({ released: 3, failed: 0 });

    // Now the real jobs, twice over, in parallel.
    await Promise.all([
      worker.queues.updates.add("updates.fan-out", { updateId: id, outboxId: 999_001 }),
      worker.queues.updates.add("updates.fan-out", { updateId: id, outboxId: 999_002 }),
      worker.queues.updates.add("updates.drain", { updateId: id }),
    ]);
    await eventually(async () => (await getUpdateOverview(t.db, owner, id)).update.status === "sent", 15_000, "the update to be sent");
    await new Promise((r) => setTimeout(r, 300));
    const counts = emails.map((e) => mailsTo(e, subject).length);
    expect(counts.filter((c) => c !== 1)).toEqual([]);
    const overview = await getUpdateOverview(t.db, owner, id);
    expect(overview.progress).toEqual({ queued: 0, sending: 0, sent: 12, failed: 0 });
  });

  it("a drain paused past its lease sends and records nothing more once another drain has taken its deliveries over", async () => {
    const { owner, campaignId, emails } = await campaignWithSigners(Array.from({ length: 8 }, () => ({ optIn: true, confirmed: true })));
    const subject = unique("Fenced");
    const { id } = await createUpdate(t.db, owner, campaignId, { subject, bodyMd: "Once, whatever stalls.", countries: null });
    await sql`UPDATE updates SET status = 'sending' WHERE id = ${id}`.execute(t.db);
    expect(await createDeliveries(t.db, id)).toBe(8);
    const sentRows = async () =>
      (await t.db.selectFrom("update_deliveries").select(sql<number>`count(*)::int`.as("n")).where("update_id", "=", id).where("status", "=", "sent").executeTakeFirstOrThrow()).n;

    // Drain A in a process of its own: all eight in one claim, one message every two seconds, a 2 s
    // lease. The gap between sends is the window the pause below must land in; at half a second a
    // busy machine sometimes noticed the second record only after the third send had gone out.
    const a = spawn(process.execPath, ["--import", "tsx", "tests/support/drain-process.ts"], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      env: { ...process.env, LOG_LEVEL: "warn", DATABASE_URL: t.url, SMTP_URL: smtp.url, UPDATE_ID: String(id), PER_SECOND: "0.5", BATCH: "8", LEASE_SECONDS: "2" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let aOut = "";
    a.stdout!.on("data", (d) => (aOut += d));
    const aExited = new Promise((resolve) => a.once("exit", resolve));
    try {
      // Between its second and third message (two seconds apart), stop it dead, as a blocked
      // event loop or a paused VM would: it renews nothing and sends nothing until let go.
      await eventually(async () => (await sentRows()) >= 2, 30_000, "drain A to record two sends");
      process.kill(a.pid!, "SIGSTOP");
      await new Promise((r) => setTimeout(r, 300)); // anything A had on the wire arrives
      const sentByA = smtp.messages.filter((m) => m.subject === subject).length;
      expect(sentByA).toBeGreaterThanOrEqual(2);

      // Its lease lapses; drain B takes the rest over and finishes the update.
      await new Promise((r) => setTimeout(r, 2_500));
      const b = await drainUpdate({ db: t.db, mailer: worker.mailer, appUrl: web.url }, id, { perSecond: 100, batch: 8, leaseSeconds: 2 });
      expect(b.sent).toBe(8 - sentByA);
      expect((await getUpdateOverview(t.db, owner, id)).update.status).toBe("sent");
      const before = await t.db.selectFrom("update_deliveries").select(["id", "status", "sent_at"]).where("update_id", "=", id).orderBy("id").execute();

      // A wakes up: it must notice it no longer holds those deliveries.
      process.kill(a.pid!, "SIGCONT");
      await aExited;
      await new Promise((r) => setTimeout(r, 300));
      expect(emails.map((e) => mailsTo(e, subject).length)).toEqual(emails.map(() => 1));
      expect(JSON.parse(aOut.trim().split("\n").pop()!)).toMatchObject({ outcome: "stopped", error: expect.stringContaining("LeaseLapsedError") });
      // Nor did it write over B's records.
      const after = await t.db.selectFrom("update_deliveries").select(["id", "status", "sent_at"]).where("update_id", "=", id).orderBy("id").execute();
      expect(after).toEqual(before);
    } finally {
      if (a.exitCode === null && a.signalCode === null) {
        process.kill(a.pid!, "SIGCONT");
        a.kill("SIGKILL");
      }
    }
  });

  it("refuse a stale drain's renewals and records by their lease generation", async () => {
    const { owner, campaignId } = await campaignWithSigners([{ optIn: true, confirmed: true }]);
    const { id } = await createUpdate(t.db, owner, campaignId, { subject: unique("Generations"), bodyMd: "Fenced.", countries: null });
    await sql`UPDATE updates SET status = 'sending' WHERE id = ${id}`.execute(t.db);
    await createDeliveries(t.db, id);
    const [stale] = await claimDeliveries(t.db, id, 1, 60);
    await sql`UPDATE update_deliveries SET lease_expires_at = now() - interval '1 second' WHERE id = ${stale!.id}`.execute(t.db);
    const [current] = await claimDeliveries(t.db, id, 1, 60);
    expect(current!.id).toBe(stale!.id);
    expect(current!.lease_generation).toBe(stale!.lease_generation + 1);

    expect([...(await renewLeases(t.db, [stale!], 60))]).toEqual([]);
    expect(await markDelivery(t.db, stale!, { status: "sent" })).toBe(false);
    const row = await t.db.selectFrom("update_deliveries").select(["status", "sent_at"]).where("id", "=", stale!.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "sending", sent_at: null });
    expect([...(await renewLeases(t.db, [current!], 60))]).toEqual([current!.id]);
    expect(await markDelivery(t.db, current!, { status: "sent" })).toBe(true);
  });

  it("keep the unsubscribe link of every copy working when a delivery is sent again", async () => {
    const { owner, campaignId, emails } = await campaignWithSigners([{ optIn: true, confirmed: true }]);
    const subject = unique("Twice");
    const { id } = await createUpdate(t.db, owner, campaignId, { subject, bodyMd: "Sent twice.", countries: null });
    await sql`UPDATE updates SET status = 'sending' WHERE id = ${id}`.execute(t.db);
    await createDeliveries(t.db, id);
    const deps = { db: t.db, mailer: worker.mailer, appUrl: web.url };
    await drainUpdate(deps, id, { perSecond: 100 });
    // The worker was killed after the server accepted the message and before it was recorded:
    // the delivery is back in flight with a lapsed lease, and the next drain sends it again.
    await sql`UPDATE update_deliveries SET status = 'sending', sent_at = NULL, lease_expires_at = now() - interval '1 minute' WHERE update_id = ${id}`.execute(t.db);
    await sql`UPDATE updates SET status = 'sending' WHERE id = ${id}`.execute(t.db);
    await drainUpdate(deps, id, { perSecond: 100 });
    await eventually(async () => mailsTo(emails[0]!, subject).length === 2, 5_000, "the second copy");

    const links = mailsTo(emails[0]!, subject).map((m) => String(m.rawHeader("List-Unsubscribe")).slice(1, -1));
    expect(new Set(links).size).toBe(2);
    for (const link of links) expect((await fetch(link)).status, link).toBe(200);
    // The first copy's link does it.
    expect((await postForm(links[0]!, { "List-Unsubscribe": "One-Click" })).status).toBe(200);
    const row = await t.db.selectFrom("signatures").select("unsubscribed_at").where("email", "=", emails[0]!).executeTakeFirstOrThrow();
    expect(row.unsubscribed_at).not.toBeNull();
    // Tokens are kept only as hashes.
    const stored = await t.db.selectFrom("update_unsubscribe_tokens as u").innerJoin("update_deliveries as d", "d.id", "u.delivery_id").select("u.token_hash").where("d.update_id", "=", id).execute();
    expect(stored).toHaveLength(2);
    for (const link of links) expect(stored.map((s) => s.token_hash.toString("hex"))).not.toContain(link.split("/").pop());
  });

  it("wait out a temporary SMTP failure and deliver once", async () => {
    const { owner, campaignId, emails } = await campaignWithSigners([{ optIn: true, confirmed: true }]);
    const subject = unique("Later");
    const { id } = await createUpdate(t.db, owner, campaignId, { subject, bodyMd: "Later.", countries: null });
    smtp.rejectWith(451);
    try {
      await requestUpdateFanOut(t.db, owner, id);
      // At least one refused attempt (a loaded machine may poll after the first retry too).
      await eventually(async () => ((await t.db.selectFrom("update_deliveries").select("attempts").where("update_id", "=", id).executeTakeFirst())?.attempts ?? 0) >= 1, 20_000, "a first attempt");
    } finally {
      smtp.rejectWith(null);
    }
    await eventually(async () => (await getUpdateOverview(t.db, owner, id)).update.status === "sent", 20_000, "the update to be sent");
    expect(mailsTo(emails[0]!, subject)).toHaveLength(1);
  });

  it("stay inside the campaign's organisation", async () => {
    const { owner, campaignId } = await campaignWithSigners([]);
    const outsider = await user(t.db);
    const { id } = await createUpdate(t.db, owner, campaignId, { subject: "Mine", bodyMd: "x", countries: null });
    await expect(createUpdate(t.db, outsider, campaignId, { subject: "x", bodyMd: "x", countries: null })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(getUpdateOverview(t.db, outsider, id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(requestUpdateFanOut(t.db, outsider, id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
