/**
 * The confirm button's post answered before Express and Remix (server/verify-form-post.ts), over
 * real HTTP against the built web server: the "confirmed" page it sends is the one Remix renders
 * for the same outcome, in every language form of the link, plain or compressed; every other
 * outcome is Remix's; concurrent presses of one button confirm once.
 */
import { randomBytes } from "node:crypto";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign } from "../support/fixtures";
import { fastPathCounts } from "../support/metrics";
import { deletePrefix, uniquePrefix } from "../support/redis";
import { postForm, startWeb, type RunningProcess } from "../support/web";

let tdb: TestDatabase;
let web: RunningProcess;
let prefix: string;
let campaign: { id: number; slug: string; title: string };

beforeAll(async () => {
  prefix = uniquePrefix("verifyfast");
  tdb = await createTestDatabase("verifyfast");
  [web, campaign] = await Promise.all([startWeb({ DATABASE_URL: tdb.url, REDIS_PREFIX: prefix }), createCampaign(tdb.db, { title: "Fast confirm" })]);
});

afterAll(async () => {
  await web?.stop();
  await tdb?.drop();
  if (prefix) await deletePrefix(prefix);
});

/** Signs through the form; returns the signature's id, share code and a fresh verification token. */
async function pendingSignature() {
  const email = `fast-${randomBytes(5).toString("hex")}@example.org`;
  const res = await postForm(`${web.url}/campaigns/${campaign.slug}`, { name: "Aisha Rahman", email, country: "MY", consent: "on" });
  expect(res.status).toBe(303);
  const row = await tdb.db.selectFrom("signatures").select(["id", "referral_code"]).where("email_normalized", "=", email).executeTakeFirstOrThrow();
  const token = await issueVerificationToken(tdb.db, row.id);
  return { id: row.id, token, referralCode: row.referral_code };
}

const ledgerRowsOf = async (id: number) => {
  const { campaign_id, country } = await tdb.db.selectFrom("signatures").select(["campaign_id", "country"]).where("id", "=", id).executeTakeFirstOrThrow();
  return (await tdb.db.selectFrom("signature_count_changes").select("id").where("campaign_id", "=", campaign_id).where("country", "=", country).execute()).length;
};

/** The page with this signer's own strings taken out, to compare pages of two signers. */
const anonymised = (html: string, s: { token: string; referralCode: string | null }) =>
  html.split(s.token).join("TOKEN").split(s.referralCode ?? "\u0000").join("REF");

// The link's language forms: the email's `?lang=`, or none (then the lang cookie, else Accept-Language).
const LANGUAGE_FORMS: { name: string; query: string; headers: Record<string, string>; lang: string; dir: string }[] = [
  { name: "no language", query: "", headers: {}, lang: "en", dir: "ltr" },
  { name: "?lang=ur", query: "?lang=ur", headers: {}, lang: "ur", dir: "rtl" },
  { name: "?lang=ar", query: "?lang=ar", headers: {}, lang: "ar", dir: "rtl" },
  { name: "?lang=ms", query: "?lang=ms", headers: {}, lang: "ms", dir: "ltr" },
  { name: "the lang cookie", query: "", headers: { Cookie: "lang=tr" }, lang: "tr", dir: "ltr" },
  { name: "Accept-Language", query: "", headers: { "Accept-Language": "ar;q=0.9, en;q=0.1" }, lang: "ar", dir: "rtl" },
];

describe("the confirm button, answered before Remix", () => {
  for (const form of LANGUAGE_FORMS) {
    it(`with ${form.name}: confirms once and sends the page Remix renders for it`, async () => {
      const fast = await pendingSignature();
      const viaRemix = await pendingSignature();
      const before = await fastPathCounts(web.url);

      const answer = await postForm(`${web.url}/verify/${fast.token}${form.query}`, { intent: "confirm" }, { headers: form.headers });
      expect(answer.status).toBe(200);
      const after = await fastPathCounts(web.url);
      expect(after.answered - before.answered).toBe(1);
      const html = await answer.text();
      expect(html).toContain(`lang="${form.lang}" dir="${form.dir}"`);
      expect(html).toContain('data-testid="confirmed"');
      expect(html).toContain(`ref=${fast.referralCode}`);
      expect(html).not.toContain(viaRemix.token);
      expect(answer.headers.get("cache-control")).toBe("no-store");
      expect(answer.headers.get("referrer-policy")).toBe("same-origin");
      expect(answer.headers.get("content-security-policy")).toContain("script-src");
      expect((await tdb.db.selectFrom("signatures").select("status").where("id", "=", fast.id).executeTakeFirstOrThrow()).status).toBe("confirmed");

      // Any cookie but the language one makes it a request the fast path leaves to Remix whole.
      const cookie = [form.headers.Cookie, "other=1"].filter(Boolean).join("; ");
      const remix = await postForm(`${web.url}/verify/${viaRemix.token}${form.query}`, { intent: "confirm" }, { headers: { ...form.headers, Cookie: cookie } });
      expect(remix.status).toBe(200);
      expect((await fastPathCounts(web.url)).answered).toBe(after.answered);
      expect(anonymised(html, fast)).toBe(anonymised(await remix.text(), viaRemix));
      for (const name of ["content-type", "cache-control", "referrer-policy", "x-content-type-options", "permissions-policy", "vary", "set-cookie"]) {
        expect(answer.headers.get(name), name).toBe(remix.headers.get(name));
      }
    });
  }

  it("compresses with gzip stitched from parts deflated once (brotli only for a browser without gzip), decoding to the plain page", async () => {
    // Node's fetch would decompress: read the raw bytes with a plain HTTP request.
    const { request } = await import("node:http");
    const rawPost = (url: string, accept: string) =>
      new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        const req = request(url, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": 14, "Accept-Encoding": accept } }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on("error", reject);
        req.end("intent=confirm");
      });
    // Right-to-left languages put multibyte text into the count sentence's hole; English is ASCII.
    for (const query of ["?lang=ur", "?lang=ar", ""]) {
      const plain = await pendingSignature();
      const identity = await rawPost(`${web.url}/verify/${plain.token}${query}`, "identity");
      expect(identity.headers["content-encoding"]).toBeUndefined();
      const page = anonymised(identity.body.toString("utf8"), plain);
      for (const [accept, expected] of [["br, gzip", "gzip"], ["gzip, deflate, br, zstd", "gzip"], ["gzip", "gzip"], ["*", "gzip"], ["br", "br"], ["br, gzip;q=0", "br"]] as const) {
        const s = await pendingSignature();
        const before = await fastPathCounts(web.url);
        const raw = await rawPost(`${web.url}/verify/${s.token}${query}`, accept);
        expect((await fastPathCounts(web.url)).answered - before.answered).toBe(1);
        expect(raw.headers["content-encoding"], accept).toBe(expected);
        expect(String(raw.headers["vary"])).toMatch(/Accept-Encoding/);
        expect(Number(raw.headers["content-length"])).toBe(raw.body.length);
        const html = (expected === "br" ? brotliDecompressSync(raw.body) : gunzipSync(raw.body)).toString("utf8");
        expect(html).toContain('data-testid="confirmed"');
        expect(anonymised(html, s), `${query} ${accept}`).toBe(page);
      }
    }
  });

  it("writes each answer's own count into its page, in the plural form and number format of its language", async () => {
    // The count a page shows is the folded count plus this confirmation; set the folded count by hand.
    const setFolded = (confirmed: number) =>
      tdb.db
        .insertInto("campaign_counts")
        .values({ campaign_id: campaign.id, confirmed, updated_at: new Date() })
        .onConflict((oc) => oc.column("campaign_id").doUpdateSet({ confirmed }))
        .execute();
    const cases = [
      { folded: 41, query: "", sentence: "You are one of 42 confirmed signers." },
      { folded: 1233, query: "", sentence: "You are one of 1,234 confirmed signers." },
      { folded: 0, query: "", sentence: "You are the first confirmed signer." },
      { folded: 1233, query: "?lang=tr", sentence: "1.234 onaylı imzacıdan birisiniz." },
      { folded: 41, query: "", sentence: "You are one of 42 confirmed signers." },
    ];
    try {
      for (const c of cases) {
        await setFolded(c.folded);
        const s = await pendingSignature();
        const answer = await postForm(`${web.url}/verify/${s.token}${c.query}`, { intent: "confirm" });
        const html = await answer.text();
        expect(html, `${c.folded} ${c.query}`).toContain(`data-testid="confirmed-count">${c.sentence}</p>`);
      }
    } finally {
      await tdb.db.deleteFrom("campaign_counts").where("campaign_id", "=", campaign.id).execute();
    }
  });

  it("counts a signature once when its button is pressed many times at once", async () => {
    const s = await pendingSignature();
    const ledgerBefore = await ledgerRowsOf(s.id);
    const answers = await Promise.all(Array.from({ length: 24 }, () => postForm(`${web.url}/verify/${s.token}`, { intent: "confirm" })));
    const pages = await Promise.all(answers.map(async (a) => ({ status: a.status, html: await a.text() })));
    expect(pages.every((p) => p.status === 200)).toBe(true);
    // One "thank you, confirmed"; every other press reads "you had already confirmed".
    expect(pages.filter((p) => p.html.includes("” is confirmed.")).length).toBe(1);
    expect(pages.filter((p) => p.html.includes("” was already confirmed.")).length).toBe(23);
    expect(await ledgerRowsOf(s.id)).toBe(ledgerBefore + 1);
  });

  it("leaves every other outcome to Remix, as before: already confirmed, an unknown token", async () => {
    const s = await pendingSignature();
    await postForm(`${web.url}/verify/${s.token}`, { intent: "confirm" });
    const before = await fastPathCounts(web.url);
    const again = await postForm(`${web.url}/verify/${s.token}?lang=ur`, { intent: "confirm" });
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('lang="ur"');
    const unknown = await postForm(`${web.url}/verify/${randomBytes(32).toString("base64url")}`, { intent: "confirm" });
    expect(unknown.status).toBe(404);
    const after = await fastPathCounts(web.url);
    expect(after.passed - before.passed).toBe(2);
    expect(after.answered).toBe(before.answered);
  });

  it("is not taken by Remix's own data request, a query it does not know, or multipart; those still confirm once", async () => {
    for (const how of ["data", "query", "multipart"] as const) {
      const s = await pendingSignature();
      const ledgerBefore = await ledgerRowsOf(s.id);
      const before = await fastPathCounts(web.url);
      const body = new FormData();
      body.set("intent", "confirm");
      const url = how === "data" ? `${web.url}/verify/${s.token}.data` : how === "query" ? `${web.url}/verify/${s.token}?lang=ur&x=1` : `${web.url}/verify/${s.token}`;
      const res = how === "multipart" ? await fetch(url, { method: "POST", body, redirect: "manual" }) : await postForm(url, { intent: "confirm" });
      expect(res.status, how).toBe(200);
      const after = await fastPathCounts(web.url);
      expect(after.answered + after.passed, how).toBe(before.answered + before.passed);
      expect(await ledgerRowsOf(s.id), how).toBe(ledgerBefore + 1);
    }
  });
});
