/**
 * The verification link over real HTTP: GET only shows, POST confirms or disowns.
 * Signatures are made through the real sign form; tokens are issued the way the email job does.
 */
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { foldAllCountChanges, getCampaignCounts } from "~/modules/counts/counts.server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { hashToken } from "~/utils/tokens.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign } from "../support/fixtures";
import { deletePrefix, uniquePrefix } from "../support/redis";
import { postForm, startWeb, type RunningProcess } from "../support/web";

let tdb: TestDatabase;
let web: RunningProcess;
let prefix: string;
let campaign: { id: number; slug: string; title: string };

beforeAll(async () => {
  prefix = uniquePrefix("httpverify");
  tdb = await createTestDatabase("httpverify");
  [web, campaign] = await Promise.all([startWeb({ DATABASE_URL: tdb.url, REDIS_PREFIX: prefix }), createCampaign(tdb.db, { title: "Verify me" })]);
});

afterAll(async () => {
  await web?.stop();
  await tdb?.drop();
  if (prefix) await deletePrefix(prefix);
});

function expectInPage(html: string, snippet: string, present = true) {
  expect(html.includes(snippet), `the page ${present ? "lacks" : "contains"} ${JSON.stringify(snippet)}`).toBe(present);
}

/** Signs through the form and returns the signature id and a fresh verification token. */
async function pendingSignature(slug = campaign.slug) {
  const email = `verify-${randomBytes(5).toString("hex")}@example.org`;
  const res = await postForm(`${web.url}/campaigns/${slug}`, { name: "Zeynep Yilmaz", email, country: "TR", postalCode: "06100", comment: "Yes.", consent: "on" });
  expect(res.status).toBe(303);
  const { id } = await tdb.db.selectFrom("signatures").select("id").where("email_normalized", "=", email).executeTakeFirstOrThrow();
  const token = await issueVerificationToken(tdb.db, id);
  return { id, token, url: `${web.url}/verify/${token}` };
}

const signatureRow = (id: number) => tdb.db.selectFrom("signatures").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const ledgerRows = async () => tdb.db.selectFrom("signature_count_changes").selectAll().orderBy("id").execute();

describe("GET /verify/:token", () => {
  it("shows a form with one confirm button and changes nothing, however often it is fetched", async () => {
    const { id, url } = await pendingSignature();
    const before = await signatureRow(id);
    const ledgerBefore = await ledgerRows();

    for (let i = 0; i < 4; i++) {
      const res = await fetch(url, { headers: { "User-Agent": "LinkScanner/1.0" } });
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      // The URL holds the token: no Referer carrying it may leave the site.
      expect(["no-referrer", "same-origin"]).toContain(res.headers.get("referrer-policy"));
      const html = await res.text();
      expectInPage(html, "Confirm your signature");
      expectInPage(html, '<form method="post"');
      expectInPage(html, '<input type="hidden" name="intent" value="confirm"/>');
      expectInPage(html, '<button type="submit" class="button">Confirm my signature</button>');
      expectInPage(html, "Verify me");
    }
    const after = await signatureRow(id);
    expect(after).toEqual(before);
    expect(after.status).toBe("pending");
    expect(after.confirmed_at).toBeNull();
    expect(await ledgerRows()).toEqual(ledgerBefore);
  });
});

describe("POST /verify/:token", () => {
  it("confirms the signature with one +1 ledger row, and a second POST is harmless", async () => {
    const { id, url } = await pendingSignature();
    const ledgerBefore = (await ledgerRows()).length;

    const res = await postForm(url, { intent: "confirm" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expectInPage(html, "Thank you: your signature counts");
    expectInPage(html, "is confirmed");

    const row = await signatureRow(id);
    expect(row.status).toBe("confirmed");
    expect(row.confirmed_at).toBeInstanceOf(Date);
    const ledger = (await ledgerRows()).slice(ledgerBefore);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ campaign_id: campaign.id, country: "TR", delta: 1 });

    const again = await postForm(url, { intent: "confirm" });
    expect(again.status).toBe(200);
    expectInPage(await again.text(), "was already confirmed");
    expect((await ledgerRows()).slice(ledgerBefore)).toHaveLength(1);
    expect((await signatureRow(id)).confirmed_at).toEqual(row.confirmed_at);

    // A GET after confirming says so, and still changes nothing.
    const shown = await fetch(url);
    expect(shown.status).toBe(200);
    expectInPage(await shown.text(), "was already confirmed");
    expect((await ledgerRows()).slice(ledgerBefore)).toHaveLength(1);
  });

  it("counts a signature once when the confirm button is pressed many times at once", async () => {
    const { id, url } = await pendingSignature();
    const ledgerBefore = (await ledgerRows()).length;
    const responses = await Promise.all(Array.from({ length: 8 }, () => postForm(url, { intent: "confirm" })));
    for (const res of responses) expect(res.status).toBe(200);
    expect((await signatureRow(id)).status).toBe("confirmed");
    expect((await ledgerRows()).slice(ledgerBefore)).toHaveLength(1);
  });

  it("refuses an unknown intent with 400 and changes nothing", async () => {
    const { id, url } = await pendingSignature();
    const before = await signatureRow(id);
    const res = await postForm(url, { intent: "delete-everything" });
    expect(res.status).toBe(400);
    expect(await signatureRow(id)).toEqual(before);
  });
});

describe("links that do not work", () => {
  const unknownToken = () => randomBytes(32).toString("base64url");

  it.each([
    ["an unknown well-formed token", unknownToken],
    ["a short malformed token", () => "abc"],
    ["a 44-character token", () => `${unknownToken()}A`],
    ["a very long token", () => "A".repeat(4000)],
    ["a token with characters outside base64url", () => `${unknownToken().slice(0, 42)}%21`],
  ])("%s answers 404 with a clear page on GET and POST", async (_label, make) => {
    const token = make();
    if (token.length === 43) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const ledgerBefore = await ledgerRows();
    for (const res of [await fetch(`${web.url}/verify/${token}`), await postForm(`${web.url}/verify/${token}`, { intent: "confirm" })]) {
      expect(res.status).toBe(404);
      const html = await res.text();
      expectInPage(html, "This link does not work");
      expectInPage(html, "sign again with the same address");
    }
    expect(await fetch(`${web.url}/verify/${token}?not-me`).then((r) => r.status)).toBe(404);
    expect((await postForm(`${web.url}/verify/${token}`, { intent: "not-me" })).status).toBe(404);
    expect(await ledgerRows()).toEqual(ledgerBefore);
  });

  it("an expired token answers 410 on GET and POST and changes nothing", async () => {
    const { id, token, url } = await pendingSignature();
    const expired = await tdb.db
      .updateTable("signature_tokens")
      .set({ expires_at: sql<Date>`now() - interval '1 minute'` })
      .where("token_hash", "=", hashToken(token))
      .executeTakeFirst();
    expect(Number(expired.numUpdatedRows)).toBe(1);
    const before = await signatureRow(id);
    const ledgerBefore = await ledgerRows();

    const shown = await fetch(url);
    expect(shown.status).toBe(410);
    expectInPage(await shown.text(), "This link has expired");
    const posted = await postForm(url, { intent: "confirm" });
    expect(posted.status).toBe(410);
    expectInPage(await posted.text(), "This link has expired");

    expect(await signatureRow(id)).toEqual(before);
    expect((await signatureRow(id)).status).toBe("pending");
    expect(await ledgerRows()).toEqual(ledgerBefore);
  });

  it("a link for a campaign that closed since answers 409 and confirms nothing", async () => {
    const other = await createCampaign(tdb.db);
    const { id, url } = await pendingSignature(other.slug);
    await tdb.db.updateTable("campaigns").set({ status: "closed" }).where("id", "=", other.id).execute();
    const ledgerBefore = await ledgerRows();
    const res = await postForm(url, { intent: "confirm" });
    expect(res.status).toBe(409);
    expectInPage(await res.text(), "This campaign has closed");
    expect((await signatureRow(id)).status).toBe("pending");
    expect(await ledgerRows()).toEqual(ledgerBefore);
  });
});

describe("“this wasn't me”", () => {
  it("GET ?not-me shows a delete button and changes nothing", async () => {
    const { id, url } = await pendingSignature();
    const before = await signatureRow(id);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${url}?not-me`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expectInPage(html, "Not you?");
      expectInPage(html, '<input type="hidden" name="intent" value="not-me"/>');
      expectInPage(html, "Delete this signature");
    }
    expect(await signatureRow(id)).toEqual(before);
  });

  it("POST intent=not-me erases the personal data, and the signature can never be confirmed or counted", async () => {
    const { id, url } = await pendingSignature();
    await sql`UPDATE signatures SET ip_address = '203.0.113.7', user_agent = 'Test Browser' WHERE id = ${id}`.execute(tdb.db);
    const before = await signatureRow(id);
    expect(before).toMatchObject({ status: "pending", postal_code: "06100", comment: "Yes.", ip_address: "203.0.113.7", user_agent: "Test Browser" });
    const ledgerBefore = await ledgerRows();

    const res = await postForm(url, { intent: "not-me" });
    expect(res.status).toBe(200);
    expectInPage(await res.text(), "We have deleted the details given with this signature");

    const after = await signatureRow(id);
    expect(after).toMatchObject({
      status: "disowned",
      name: null,
      email: null,
      email_normalized: null,
      comment: null,
      postal_code: null,
      ip_address: null,
      user_agent: null,
      public_name: false,
      opt_in: false,
      confirmed_at: null,
    });
    expect(after.disowned_at).toBeInstanceOf(Date);
    expect(after.erased_at).toBeInstanceOf(Date);

    // The link is dead for confirming, on POST and on GET.
    const confirm = await postForm(url, { intent: "confirm" });
    expect(confirm.status).toBe(404);
    expectInPage(await confirm.text(), "This link does not work");
    expect((await fetch(url)).status).toBe(404);
    // Saying "not me" twice is harmless.
    const twice = await postForm(url, { intent: "not-me" });
    expect(twice.status).toBe(200);
    expectInPage(await twice.text(), "We have deleted the details given with this signature");

    expect((await signatureRow(id)).status).toBe("disowned");
    expect(await ledgerRows()).toEqual(ledgerBefore);
    await foldAllCountChanges(tdb.db);
    const counts = await getCampaignCounts(tdb.db, campaign.id);
    const confirmed = await tdb.db
      .selectFrom("signatures")
      .select(sql<number>`count(*)::int`.as("n"))
      .where("campaign_id", "=", campaign.id)
      .where("status", "=", "confirmed")
      .executeTakeFirstOrThrow();
    expect(counts.total).toBe(confirmed.n);
  });

  it("leaves a confirmed signature alone", async () => {
    const { id, url } = await pendingSignature();
    expect((await postForm(url, { intent: "confirm" })).status).toBe(200);
    const before = await signatureRow(id);
    const shown = await fetch(`${url}?not-me`);
    expect(shown.status).toBe(200);
    expectInPage(await shown.text(), "already confirmed from this inbox");
    const res = await postForm(url, { intent: "not-me" });
    expect(res.status).toBe(200);
    expectInPage(await res.text(), "already confirmed from this inbox");
    expect(await signatureRow(id)).toEqual(before);
  });
});

describe("the thank-you pages show the count", () => {
  it("after signing, the confirmed count so far; after confirming, a count the signer is in, before and after the fold", async () => {
    const { slug } = await createCampaign(tdb.db, { title: "Count me" });
    const first = await pendingSignature(slug);
    const signed = await (await fetch(`${web.url}/campaigns/${slug}/signed`)).text();
    expectInPage(signed, "No signature has been confirmed yet: yours can be the first.");

    const confirmed = await (await postForm(first.url, { intent: "confirm" })).text();
    expectInPage(confirmed, "You are the first confirmed signer.");
    await foldAllCountChanges(tdb.db);

    const second = await pendingSignature(slug);
    expectInPage(await (await fetch(`${web.url}/campaigns/${slug}/signed`)).text(), "1 person has confirmed so far.");
    expectInPage(await (await postForm(second.url, { intent: "confirm" })).text(), "You are one of 2 confirmed signers.");
    // Not folded yet, opened again: the signer still counts in what the page says.
    expectInPage(await (await fetch(second.url)).text(), "You are the first confirmed signer.", false);
    await foldAllCountChanges(tdb.db);
    expectInPage(await (await fetch(second.url)).text(), "You are one of 2 confirmed signers.");
    const ur = await (await fetch(`${web.url}/ur/campaigns/${slug}/signed`)).text();
    expectInPage(ur, "اب تک 2 لوگ تصدیق کر چکے ہیں۔");
  });
});
