/**
 * The sign form over real HTTP: the built web server, a database of this file's own, real Redis.
 * No worker runs, so outbox rows stay where the signing transaction wrote them.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSENT_VERSION } from "~/modules/signatures/signatures.fields";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign } from "../support/fixtures";
import { deletePrefix, uniquePrefix } from "../support/redis";
import { postForm, startWeb, type RunningProcess } from "../support/web";

let tdb: TestDatabase;
let web: RunningProcess;
let prefix: string;

beforeAll(async () => {
  prefix = uniquePrefix("httpsign");
  tdb = await createTestDatabase("httpsign");
  web = await startWeb({ DATABASE_URL: tdb.url, REDIS_PREFIX: prefix });
});

afterAll(async () => {
  await web?.stop();
  await tdb?.drop();
  if (prefix) await deletePrefix(prefix);
});

const valid = (overrides: Record<string, string | string[] | undefined> = {}) => {
  const fields: Record<string, string | string[]> = {};
  const base = { name: "Ayesha Khan", email: `ayesha-${Math.random().toString(36).slice(2)}@example.org`, country: "PK", consent: "on", ...overrides };
  for (const [k, v] of Object.entries(base)) if (v !== undefined) fields[k] = v;
  return fields;
};

async function tally() {
  const db = tdb.db;
  const [signatures, outbox] = await Promise.all([
    db.selectFrom("signatures").select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow(),
    db.selectFrom("outbox").select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow(),
  ]);
  return { signatures: signatures.n, outbox: outbox.n };
}

async function outboxFor(signatureId: number) {
  const rows = await tdb.db.selectFrom("outbox").select(["id", "topic", "payload"]).execute();
  return rows.filter((r) => (r.payload as { signatureId?: number }).signatureId === signatureId);
}

/** Page bodies are long: a failure names the snippet, not the whole page. */
function expectInPage(html: string, snippet: string, present = true) {
  expect(html.includes(snippet), `the page ${present ? "lacks" : "contains"} ${JSON.stringify(snippet)}`).toBe(present);
}

const sign = (slug: string, fields: Record<string, string | string[]>, init?: RequestInit) => postForm(`${web.url}/campaigns/${slug}`, fields, init);

describe("POST /campaigns/:slug with a valid form", () => {
  it("answers 303 to the signed page and stores one pending signature with its consent version and one verification outbox row", async () => {
    const campaign = await createCampaign(tdb.db);
    const before = await tally();
    const email = "Valid.Signer@Example.org";
    const res = await sign(campaign.slug, valid({ email, country: "my", postalCode: "50450", comment: "For Kashmir.", optIn: "on", publicName: "on" }));

    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/campaigns/${campaign.slug}/signed`);
    // Answered before Express (server/sign-form-post.ts), yet with the headers every response gets.
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("cache-control")).toBe("no-store");

    const rows = await tdb.db.selectFrom("signatures").selectAll().where("campaign_id", "=", campaign.id).execute();
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({
      status: "pending",
      name: "Ayesha Khan",
      email,
      email_normalized: "valid.signer@example.org",
      country: "MY",
      postal_code: "50450",
      comment: "For Kashmir.",
      public_name: true,
      opt_in: true,
      consent_version: CONSENT_VERSION,
      confirmed_at: null,
      ip_address: "127.0.0.1", // kept for the fraud window, purged later by retention
    });
    expect(row.user_agent).toBeTruthy();
    expect(row.consent_version).toMatch(/\S/);

    const outbox = await outboxFor(row.id);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.topic).toBe("signature.verification");
    expect(await tally()).toEqual({ signatures: before.signatures + 1, outbox: before.outbox + 1 });

    // A pending signature does not count yet.
    const ledger = await tdb.db.selectFrom("signature_count_changes").selectAll().where("campaign_id", "=", campaign.id).execute();
    expect(ledger).toHaveLength(0);

    // The redirect target is a real page.
    const signed = await fetch(`${web.url}${res.headers.get("location")}`);
    expect(signed.status).toBe(200);
    // The heading, not only the <title>: the page itself rendered.
    expectInPage(await signed.text(), '<h1 id="signed-title" tabindex="-1">Check your inbox</h1>');
  });
});

describe("POST /campaigns/:slug with hostile input", () => {
  let slug: string;
  beforeAll(async () => {
    slug = (await createCampaign(tdb.db)).slug;
  });

  const form = (overrides: Record<string, string | string[] | undefined>) => ({ kind: "form" as const, fields: valid(overrides) });
  const TEXT_INVALID = "Use plain text: no control characters or HTML tags.";
  type Case = { kind: "form"; fields: Record<string, string | string[]> } | { kind: "raw"; body: string; contentType: string };
  const cases: [string, Case, string, string][] = [
    ["an overlong name (101 chars)", form({ name: "x".repeat(101) }), "name", "Your name can be at most 100 characters."],
    ["an overlong comment (1001 chars)", form({ comment: "y".repeat(1001) }), "comment", "Your comment can be at most 1,000 characters."],
    ["an overlong email (255 chars)", form({ email: `${"a".repeat(243)}@example.org` }), "email", "Email addresses can be at most 254 characters."],
    ["a NUL in the name", form({ name: "Ay\u0000esha" }), "name", TEXT_INVALID],
    ["a BEL in the name", form({ name: "Ay\u0007esha" }), "name", TEXT_INVALID],
    ["a right-to-left override in the name", form({ name: "Ayesha\u202Enahk" }), "name", TEXT_INVALID],
    ["a script tag in the name", form({ name: "<script>alert(1)</script>" }), "name", TEXT_INVALID],
    ["an img onerror in the name", form({ name: "<img src=x onerror=alert(1)>" }), "name", TEXT_INVALID],
    ["a script tag in the comment", form({ comment: "<script>alert(1)</script>" }), "comment", TEXT_INVALID],
    ["an img onerror in the comment", form({ comment: "Nice <img src=x onerror=alert(1)>" }), "comment", TEXT_INVALID],
    ["the name sent twice", form({ name: ["Ayesha Khan", "Someone Else"] }), "name", TEXT_INVALID],
    ["the email sent twice", form({ email: ["a@example.org", "b@example.org"] }), "email", "Enter your email address."],
    ["publicName=yes", form({ publicName: "yes" }), "publicName", "This checkbox was sent with an unexpected value."],
    ["consent=true", form({ consent: "true" }), "consent", "You need to agree to this to sign."],
    ["consent=1", form({ consent: "1" }), "consent", "You need to agree to this to sign."],
    ["consent=yes", form({ consent: "yes" }), "consent", "You need to agree to this to sign."],
    ["consent missing", form({ consent: undefined }), "consent", "You need to agree to this to sign."],
    ["an unknown country (XX)", form({ country: "XX" }), "country", "Choose a country from the list."],
    ["a lowercase unknown country (xx)", form({ country: "xx" }), "country", "Choose a country from the list."],
    ["a three-letter country (PAK)", form({ country: "PAK" }), "country", "Choose a country from the list."],
    ["a country with a digit (P1)", form({ country: "P1" }), "country", "Choose a country from the list."],
    ["the country missing", form({ country: undefined }), "country", "Choose your country."],
    ["the email missing", form({ email: undefined }), "email", "Enter your email address."],
    ["an invalid email", form({ email: "not-an-address" }), "email", "Enter an email address like name@example.org."],
    ["an email with two @", form({ email: "a@b@example.org" }), "email", "Enter an email address like name@example.org."],
    ["a JSON body", { kind: "raw", body: JSON.stringify(valid()), contentType: "application/json" }, "name", "Enter your name."],
    ["an empty body", { kind: "raw", body: "", contentType: "application/x-www-form-urlencoded" }, "name", "Enter your name."],
    ["a body over 32 KB", form({ comment: "z".repeat(40_000) }), "name", "Enter your name."],
  ];

  it.each(cases)("%s answers 400, re-renders the form with a field error and writes nothing", async (_label, input, field, message) => {
    const before = await tally();
    const res =
      input.kind === "form"
        ? await sign(slug, input.fields)
        : await fetch(`${web.url}/campaigns/${slug}`, { method: "POST", body: input.body, headers: { "Content-Type": input.contentType }, redirect: "manual" });
    const html = await res.text();

    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expectInPage(html, '<form method="post"');
    expectInPage(html, `id="sign-${field}-error"`);
    expectInPage(html, message);
    // Nothing markup-like that a signer typed comes back unescaped, in the page or its hydration data.
    expectInPage(html, "<script>alert(1)</script>", false);
    expectInPage(html, "<img src=x onerror", false);
    expect(await tally()).toEqual(before);
  });

  it("shows the form again with the country the signer chose still chosen, and none for a value not in the list", async () => {
    // The list is markup made once per language (app/i18n/country-options-markup.server.tsx); the
    // chosen option is marked on it as React would mark it.
    const chosen = await (await sign(slug, valid({ consent: undefined, country: "PK" }))).text();
    expectInPage(chosen, '<option value="PK" selected="">Pakistan</option>');
    expectInPage(chosen, '<option value="" selected="">', false);
    expect(chosen.match(/ selected=""/g)).toHaveLength(1);

    const unknown = await (await sign(slug, valid({ country: 'AD">' }))).text();
    expect(unknown.match(/<option[^>]* selected=""/g)).toBeNull();
    expectInPage(unknown, '<option value="AD">Andorra</option>');

    const fresh = await (await fetch(`${web.url}/campaigns/${slug}`)).text();
    expectInPage(fresh, '<option value="" selected="">');
    expect(fresh.match(/ selected=""/g)).toHaveLength(1);
  });

  it("escapes the submitted values it echoes back into the form", async () => {
    const res = await sign(slug, valid({ name: "<script>alert(1)</script>", comment: "<script>alert(1)</script>" }));
    const html = await res.text();
    expect(res.status).toBe(400);
    expectInPage(html, "<script>alert(1)</script>", false);
    // The value is shown back to the signer as text.
    expectInPage(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("refuses a form posted from another site (or an opaque origin) with a clear 403 and writes nothing", async () => {
    const before = await tally();
    for (const origin of ["https://evil.example", "null", "not a url"]) {
      const res = await sign(slug, valid(), { headers: { Origin: origin } });
      expect(res.status, origin).toBe(403);
      expect(await res.text()).toMatch(/another site/);
    }
    expect(await tally()).toEqual(before);
    // The same form from our own origin goes through.
    const ok = await sign(slug, valid(), { headers: { Origin: web.url } });
    expect(ok.status).toBe(303);
  });
});

describe("signing again with the same address", () => {
  it("answers exactly like a first signing, never creates a second signature and re-sends at most once per 10 minutes", async () => {
    const campaign = await createCampaign(tdb.db);
    const url = `${web.url}/campaigns/${campaign.slug}`;
    const snapshot = async (res: Response) => ({ status: res.status, location: res.headers.get("location"), body: await res.text() });

    const first = await snapshot(await postForm(url, valid({ email: "Repeat.Signer@Example.org" })));
    expect(first.status).toBe(303);
    const signature = await tdb.db
      .selectFrom("signatures")
      .select(["id"])
      .where("campaign_id", "=", campaign.id)
      .executeTakeFirstOrThrow();
    expect(await outboxFor(signature.id)).toHaveLength(1);

    // Another case, surrounding spaces, other name and country: the same person.
    const again = await snapshot(await postForm(url, valid({ email: "  repeat.signer@EXAMPLE.ORG  ", name: "A. Khan", country: "TR" })));
    expect(again).toEqual(first);
    expect(await outboxFor(signature.id)).toHaveLength(1);

    // Outside the resend interval: exactly one new outbox row, and only one.
    await sql`UPDATE signatures SET confirmation_requested_at = now() - interval '11 minutes' WHERE id = ${signature.id}`.execute(tdb.db);
    const resent = await snapshot(await postForm(url, valid({ email: "REPEAT.SIGNER@example.org" })));
    expect(resent).toEqual(first);
    expect(await outboxFor(signature.id)).toHaveLength(2);
    const soonAfter = await snapshot(await postForm(url, valid({ email: "repeat.signer@example.org" })));
    expect(soonAfter).toEqual(first);
    expect(await outboxFor(signature.id)).toHaveLength(2);

    const rows = await tdb.db.selectFrom("signatures").selectAll().where("campaign_id", "=", campaign.id).execute();
    expect(rows).toHaveLength(1);
    // The first submission's details stand; a second submit does not overwrite them.
    expect(rows[0]).toMatchObject({ name: "Ayesha Khan", country: "PK", email: "Repeat.Signer@Example.org" });

    // Confirmed: the same answer, nothing queued, even long after the last request.
    const token = await issueVerificationToken(tdb.db, signature.id);
    const confirm = await postForm(`${web.url}/verify/${token}`, { intent: "confirm" });
    expect(confirm.status).toBe(200);
    await sql`UPDATE signatures SET confirmation_requested_at = now() - interval '1 day' WHERE id = ${signature.id}`.execute(tdb.db);
    const confirmedAgain = await snapshot(await postForm(url, valid({ email: " Repeat.Signer@example.ORG" })));
    expect(confirmedAgain).toEqual(first);
    expect(await outboxFor(signature.id)).toHaveLength(2);
    expect(await tdb.db.selectFrom("signatures").select("id").where("campaign_id", "=", campaign.id).execute()).toHaveLength(1);
  });

  it("keeps exactly one signature when ten identical submits race", async () => {
    const campaign = await createCampaign(tdb.db);
    const variants = ["race@example.org", "Race@Example.org", "RACE@EXAMPLE.ORG", " race@example.org ", "rAcE@eXaMpLe.OrG"];
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => postForm(`${web.url}/campaigns/${campaign.slug}`, valid({ email: variants[i % variants.length] }))),
    );
    for (const res of responses) {
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(`/campaigns/${campaign.slug}/signed`);
    }
    const rows = await tdb.db.selectFrom("signatures").select(["id", "email_normalized"]).where("campaign_id", "=", campaign.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.email_normalized).toBe("race@example.org");
    // The losers were within the resend interval: one verification email in all.
    expect(await outboxFor(rows[0]!.id)).toHaveLength(1);
  });
});

describe("signing a campaign that does not take signatures", () => {
  it("answers 409 with the closed notice for a closed campaign and writes nothing", async () => {
    const campaign = await createCampaign(tdb.db, { status: "closed" });
    const before = await tally();
    const res = await sign(campaign.slug, valid());
    expect(res.status).toBe(409);
    const html = await res.text();
    expectInPage(html, "This campaign is closed and no longer takes signatures.");
    expectInPage(html, '<form method="post"', false);
    expect(await tally()).toEqual(before);
  });

  it.each([
    ["an unknown slug", async () => "no-such-campaign"],
    ["a draft campaign", async () => (await createCampaign(tdb.db, { status: "draft" })).slug],
    ["a malformed slug", async () => "Not_A_Slug"],
  ])("answers 404 for %s and writes nothing", async (_label, slugOf) => {
    const slug = await slugOf();
    const before = await tally();
    const res = await sign(slug, valid());
    expect(res.status).toBe(404);
    expectInPage(await res.text(), "Page not found");
    expect(await tally()).toEqual(before);
    // The page itself is not there either.
    expect((await fetch(`${web.url}/campaigns/${slug}`)).status).toBe(404);
  });
});

describe("a plain form post the database cannot take", () => {
  // server/sign-form-post.ts answers plain posts before Remix; a failure there must still end in
  // the site's own error page (Remix's), never Express's default page with a stack trace.
  it("answers 500 with the site's error page, no stack trace, and the form signs again once the database is back", async () => {
    const campaign = await createCampaign(tdb.db);
    await sql`ALTER TABLE outbox RENAME TO outbox_away`.execute(tdb.db);
    let res: Response;
    try {
      res = await sign(campaign.slug, valid());
    } finally {
      await sql`ALTER TABLE outbox_away RENAME TO outbox`.execute(tdb.db);
    }
    const html = await res.text();
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expectInPage(html, '<html lang="en" dir="ltr"');
    expectInPage(html, "<h1>");
    expectInPage(html, "outbox", false);
    expectInPage(html, "    at ", false);
    const again = await sign(campaign.slug, valid());
    expect(again.status).toBe(303);
  });
});

describe("the scripts of the public pages", () => {
  it("are one module from our origin, with no inline code and no React (also on the pages emails link to); a hydrated page (log in) still gets Remix's", async () => {
    const campaign = await createCampaign(tdb.db);
    const fromEmails = [`/verify/${"A".repeat(43)}`, `/unsubscribe/${"A".repeat(43)}`, `/privacy/erase/${"A".repeat(43)}`, "/privacy", "/ur/privacy"];
    for (const path of [`/campaigns/${campaign.slug}`, `/ur/campaigns/${campaign.slug}`, `/campaigns/${campaign.slug}/signed`, ...fromEmails]) {
      const html = await (await fetch(`${web.url}${path}`)).text();
      const scripts = [...html.matchAll(/<script\b([^>]*)>([^<]*)<\/script>/g)].map((m) => ({ attributes: m[1], body: m[2] }));
      expect(scripts, path).toEqual([{ attributes: expect.stringMatching(/^ type="module" src="\/assets\/public-page-[\w-]+\.js"$/), body: "" }]);
      expectInPage(html, "__remixContext", false);
      expectInPage(html, "modulepreload", false);
    }
    // The form the script sends, and the panel it replaces with the server's answer.
    const page = await (await fetch(`${web.url}/campaigns/${campaign.slug}`)).text();
    expect(page).toMatch(/<div class="panel" data-sign-region="true"><h2 id="sign-heading"[^>]*>[^<]+<\/h2><form method="post" action="\/campaigns\/[\w-]+" [^>]*data-enhance="sign-form"/);

    const login = await (await fetch(`${web.url}/login`)).text();
    expectInPage(login, "window.__remixContext");
    expectInPage(login, "public-page-", false);
  });

  it("is served from /assets/ as JavaScript, cached for good", async () => {
    const html = await (await fetch(`${web.url}/campaigns/${(await createCampaign(tdb.db)).slug}`)).text();
    const src = /src="(\/assets\/public-page-[\w-]+\.js)"/.exec(html)![1]!;
    const res = await fetch(`${web.url}${src}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/javascript/);
    expect(res.headers.get("cache-control")).toMatch(/immutable/);
    expect(await res.text()).toContain("data-enhanced");
  });
});
