import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SignatureStatus } from "~/db/schema";
import type { Actor } from "~/modules/access/actor.server";
import { commitSessionCookie } from "~/modules/accounts/session-cookie.server";
import { createSession } from "~/modules/accounts/sessions.server";
import { recountCampaigns } from "~/modules/counts/counts.server";
import { csvCell, FORMULA_TRIGGERS } from "~/modules/exports/csv";
import { openDeliveryManifest, openExportFile } from "~/modules/exports/download-export.server";
import { exportCounts } from "~/modules/exports/export-counts.server";
import { purgeExpiredExports } from "~/modules/exports/export-files.server";
import { requestExport } from "~/modules/exports/request-export.server";
import { runExport } from "~/modules/exports/run-export.server";
import { generateToken, hashToken } from "~/utils/tokens.server";
import { createOrganisation } from "~/modules/organisations/organisations.server";
import { isAppError } from "~/utils/errors.server";
import type { RunningWorker } from "../../workers/worker";
import { parseCsv, verifyDelivery, type Manifest } from "../../scripts/verify-delivery";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { eventually } from "../support/fixtures";
import { deletePrefix, uniquePrefix } from "../support/redis";
import { postForm, startWeb, type RunningProcess } from "../support/web";
import { startTestWorker } from "../support/worker";
import { publicCountsByCountry } from "~/modules/stats/public-countries";

let t: TestDatabase;
let web: RunningProcess;
let worker: RunningWorker;
const prefix = uniquePrefix("exports");
/** Above this many rows, a signature export becomes a worker job (the web gets the same limit). */
const STREAM_MAX = 50;
const LIMITS = { streamMaxRows: STREAM_MAX, linkTtlHours: 24 };

beforeAll(async () => {
  t = await createTestDatabase("exports");
  web = await startWeb({ DATABASE_URL: t.url, REDIS_PREFIX: prefix, EXPORT_STREAM_MAX_ROWS: String(STREAM_MAX) });
  worker = await startTestWorker({ databaseUrl: t.url, redisPrefix: prefix });
});
afterAll(async () => {
  await worker?.stop();
  await web?.stop();
  await t?.drop();
  await deletePrefix(prefix);
});

const unique = (label: string) => `${label}-${randomBytes(4).toString("hex")}`;

async function user(role: "user" | "admin" = "user"): Promise<Actor & { cookie: string }> {
  const email = `${unique("u")}@example.org`;
  const row = await t.db
    .insertInto("users")
    .values({ email, email_normalized: email, display_name: "U", password_hash: "scrypt$x", email_confirmed_at: new Date(), role })
    .returning(["id", "email", "role"])
    .executeTakeFirstOrThrow();
  const cookie = (await commitSessionCookie(await createSession(t.db, row.id))).split(";")[0]!;
  return { ...row, cookie };
}

async function organisationWith(member: Actor, name = "Org") {
  return createOrganisation(t.db, member, { name, slug: unique("org") });
}

async function campaignOf(organisationId: number, targets: { name: string; role: string }[] = []) {
  const slug = unique("campaign");
  const campaign = await t.db
    .insertInto("campaigns")
    .values({ slug, title: "Convene the CFM", summary: "s", ask: "a", addressed_to: "OIC", argument_md: "b", goal: 100, status: "published", locale: "en", organisation_id: organisationId, published_at: sql`now()` })
    .returning(["id", "slug"])
    .executeTakeFirstOrThrow();
  if (targets.length) {
    await t.db.insertInto("campaign_targets").values(targets.map((x, position) => ({ campaign_id: campaign.id, position, name: x.name, role: x.role, country: null }))).execute();
  }
  return campaign;
}

async function partnerOf(campaignId: number, organisationId: number, status: "accepted" | "invited" = "accepted") {
  return t.db
    .insertInto("campaign_partners")
    .values({ campaign_id: campaignId, organisation_id: organisationId, share_code: randomBytes(6).toString("hex"), status })
    .returning("id")
    .executeTakeFirstOrThrow();
}

interface SignatureSeed {
  name?: string;
  email?: string;
  country?: string;
  postalCode?: string | null;
  comment?: string | null;
  status?: SignatureStatus;
  partnerId?: number | null;
  optInPartner?: boolean;
  erased?: boolean;
}

async function sign(campaignId: number, seeds: SignatureSeed[]) {
  const rows = seeds.map((s) => {
    const email = s.email ?? `${unique("s")}@example.org`;
    return {
      campaign_id: campaignId,
      status: s.status ?? "confirmed",
      name: s.erased ? null : (s.name ?? "Signer"),
      email: s.erased ? null : email,
      email_normalized: s.erased ? null : email,
      country: s.country ?? "PK",
      postal_code: s.postalCode ?? null,
      comment: s.comment ?? null,
      public_name: false,
      opt_in: false,
      consent_version: "2026-11",
      locale: "en",
      confirmed_at: (s.status ?? "confirmed") === "confirmed" ? new Date() : null,
      erased_at: s.erased ? new Date() : null,
      partner_id: s.partnerId ?? null,
      opt_in_partner: s.optInPartner ?? false,
    };
  });
  for (let i = 0; i < rows.length; i += 1000) await t.db.insertInto("signatures").values(rows.slice(i, i + 1000)).execute();
  await recountCampaigns(t.db, campaignId);
}

async function text(stream: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString("utf8");
}

async function streamed(actor: Actor, campaignId: number, scope: Parameters<typeof requestExport>[3], limits = LIMITS) {
  const result = await requestExport(t.db, actor, campaignId, scope, { ...limits, bom: false });
  if (result.kind !== "stream") throw new Error("expected a streamed export");
  return { rows: result.rows, records: parseCsv(await text(result.body)) };
}

async function rejects(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAppError(error) ? error.code : error).toBe(code);
}

const get = (path: string, cookie: string, init: RequestInit = {}) =>
  fetch(`${web.url}${path}`, { redirect: "manual", ...init, headers: { Cookie: cookie, ...(init.headers ?? {}) } });

describe("who may export", () => {
  it("an organiser cannot export another organisation's campaign; its own organisers and admins can", async () => {
    const alice = await user();
    const mallory = await user();
    const admin = await user("admin");
    const org = await organisationWith(alice);
    await organisationWith(mallory);
    const campaign = await campaignOf(org.id, [{ name: "OIC Secretary-General", role: "Secretary-General" }]);
    await sign(campaign.id, [{ name: "Amina" }]);

    await rejects(exportCounts(t.db, mallory, campaign.id, { by: "total", format: "csv", bom: false }), "NOT_FOUND");
    await rejects(requestExport(t.db, mallory, campaign.id, { kind: "signatures" }, { ...LIMITS, bom: false }), "NOT_FOUND");
    expect((await get(`/dashboard/campaigns/${campaign.id}/exports`, mallory.cookie)).status).toBe(404);
    expect((await get(`/dashboard/campaigns/${campaign.id}/exports/counts?by=country`, mallory.cookie)).status).toBe(404);
    const post = await postForm(`${web.url}/dashboard/campaigns/${campaign.id}/exports/signatures`, { scope: "signatures" }, { headers: { Cookie: mallory.cookie } });
    expect(post.status).toBe(404);
    expect(await post.text()).not.toContain("Amina");

    for (const allowed of [alice, admin]) {
      const page = await get(`/dashboard/campaigns/${campaign.id}/exports`, allowed.cookie);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("Prepare a bundle for OIC Secretary-General");
      const res = await postForm(`${web.url}/dashboard/campaigns/${campaign.id}/exports/signatures`, { scope: "signatures" }, { headers: { Cookie: allowed.cookie } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("Amina");
    }
    expect((await get("/admin/exports", alice.cookie)).status).toBe(403);
    const adminPage = await get("/admin/exports", admin.cookie);
    expect(adminPage.status).toBe(200);
    expect(await adminPage.text()).toContain(`/dashboard/campaigns/${campaign.id}/exports/counts`);
  });

  it("a partner's export holds only confirmed signers that partner brought who opted in to it, and nothing else is open to it", async () => {
    const host = await user();
    const partnerMember = await user();
    const hostOrg = await organisationWith(host);
    const partnerOrg = await organisationWith(partnerMember, "Partner");
    const otherOrg = await organisationWith(await user(), "Other partner");
    const campaign = await campaignOf(hostOrg.id);
    const mine = await partnerOf(campaign.id, partnerOrg.id);
    const theirs = await partnerOf(campaign.id, otherOrg.id);
    await sign(campaign.id, [
      { email: "yes-1@example.org", partnerId: mine.id, optInPartner: true },
      { email: "yes-2@example.org", partnerId: mine.id, optInPartner: true },
      { email: "no-opt-in@example.org", partnerId: mine.id, optInPartner: false },
      { email: "pending@example.org", partnerId: mine.id, optInPartner: true, status: "pending" },
      { email: "invalid@example.org", partnerId: mine.id, optInPartner: true, status: "invalidated" },
      { partnerId: mine.id, optInPartner: true, erased: true },
      { email: "other-partner@example.org", partnerId: theirs.id, optInPartner: true },
      { email: "direct@example.org" },
    ]);

    const { rows, records } = await streamed(partnerMember, campaign.id, { kind: "partner", partnerId: mine.id });
    expect(rows).toBe(2);
    expect(records.slice(1).map((r) => r[1]).sort()).toEqual(["yes-1@example.org", "yes-2@example.org"]);
    expect(records[1]![8]).toBe("Partner");

    await rejects(requestExport(t.db, partnerMember, campaign.id, { kind: "partner", partnerId: theirs.id }, { ...LIMITS, bom: false }), "NOT_FOUND");
    await rejects(requestExport(t.db, partnerMember, campaign.id, { kind: "signatures" }, { ...LIMITS, bom: false }), "NOT_FOUND");
    await rejects(exportCounts(t.db, partnerMember, campaign.id, { by: "partner", format: "json", bom: false }), "NOT_FOUND");
    // The hosts see every confirmed, non-erased signer.
    expect((await streamed(host, campaign.id, { kind: "signatures" })).rows).toBe(5);
  });
});

describe("CSV", () => {
  it("neutralises cells a spreadsheet would run as formulas, in counts and in signature exports", async () => {
    for (const trigger of FORMULA_TRIGGERS) expect(csvCell(`${trigger}1+1`).replace(/^"/, "")).toMatch(/^'/);
    expect(csvCell('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');

    const host = await user();
    const org = await organisationWith(host);
    const campaign = await campaignOf(org.id);
    const evil = await organisationWith(await user(), "=HYPERLINK(\"http://evil.example\",\"x\")");
    const partner = await partnerOf(campaign.id, evil.id);
    await sign(campaign.id, [
      { name: "=HYPERLINK(\"http://evil.example\")", postalCode: "+44 1", comment: "@SUM(A1:A9)", partnerId: partner.id },
      { name: "-2+3", comment: "\tcmd|' /C calc'!A0" },
      { name: "Plain, \"quoted\" name", comment: "line one\nline two" },
    ]);
    const { records } = await streamed(host, campaign.id, { kind: "signatures" });
    expect(records).toHaveLength(4);
    const cells = records.slice(1).flat();
    for (const cell of cells) expect(FORMULA_TRIGGERS.some((c) => cell.startsWith(c))).toBe(false);
    expect(records[1]![0]).toBe("'=HYPERLINK(\"http://evil.example\")");
    expect(records[1]![8]).toBe("'=HYPERLINK(\"http://evil.example\",\"x\")");
    expect(records[3]![0]).toBe('Plain, "quoted" name');
    expect(records[3]![4]).toBe("line one\nline two");

    const counts = await exportCounts(t.db, host, campaign.id, { by: "partner", format: "csv", bom: false });
    expect(counts.body).toContain(`'=HYPERLINK(""http://evil.example"",""x"")`);
    expect(counts.body).not.toMatch(/(^|,)"?=/m);
  });
});

describe("counts", () => {
  it("the counts export equals the public API, per campaign, country and day, with an optional BOM", async () => {
    const host = await user();
    const org = await organisationWith(host);
    const campaign = await campaignOf(org.id);
    await sign(campaign.id, [{ country: "PK" }, { country: "PK" }, { country: "MY" }, { country: "TR" }, { country: "TR", status: "pending" }, { country: "TR", status: "invalidated" }]);
    const api = (await (await fetch(`${web.url}/api/v1/campaigns/${campaign.slug}`)).json()) as { signatureCount: number; countsByCountry: Record<string, number>; otherCountries: number };
    expect(api.signatureCount).toBe(4);

    const total = await get(`/dashboard/campaigns/${campaign.id}/exports/counts?by=total&format=json`, host.cookie);
    expect(total.status).toBe(200);
    expect(((await total.json()) as { rows: { confirmed: number }[] }).rows).toEqual([{ confirmed: api.signatureCount }]);

    const byCountry = await get(`/dashboard/campaigns/${campaign.id}/exports/counts?by=country&format=json`, host.cookie);
    const rows = ((await byCountry.json()) as { rows: { country: string; confirmed: number }[] }).rows;
    // The organiser sees exact figures; the public API folds the small countries of the same figures.
    expect(Object.fromEntries(rows.map((r) => [r.country, r.confirmed]))).toEqual({ PK: 2, MY: 1, TR: 1 });
    expect(publicCountsByCountry(Object.fromEntries(rows.map((r) => [r.country, r.confirmed])))).toEqual({ countsByCountry: api.countsByCountry, otherCountries: api.otherCountries });

    const csv = await get(`/dashboard/campaigns/${campaign.id}/exports/counts?by=country&format=csv&bom=1`, host.cookie);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toMatch(/attachment; filename=".+-counts-country\.csv"/);
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString("utf8")).toBe("country,confirmed\nPK,2\nMY,1\nTR,1\n");

    const days = await exportCounts(t.db, host, campaign.id, { by: "day", format: "csv", bom: false });
    expect(days.body).toBe(`day,confirmed\n${new Date().toISOString().slice(0, 10)},4\n`);

    const bad = await get(`/dashboard/campaigns/${campaign.id}/exports/counts?by=everything`, host.cookie);
    expect(bad.status).toBe(400);
  });
});

describe("signature files", () => {
  it("a streamed export of many rows has every row once, in order, with the count in the audit log", async () => {
    const host = await user();
    const org = await organisationWith(host);
    const campaign = await campaignOf(org.id);
    const N = 30_000;
    await sql`
      INSERT INTO signatures (campaign_id, status, name, email, email_normalized, country, comment, public_name, opt_in, consent_version, locale, confirmed_at)
      SELECT ${campaign.id}, 'confirmed', 'Signer ' || n, 'many-' || n || '@example.org', 'many-' || n || '@example.org', 'PK',
             CASE WHEN n % 7 = 0 THEN E'two\\nlines, "quoted"' END, false, false, '2026-11', 'en', now()
      FROM generate_series(1, ${N}::int) AS n`.execute(t.db);
    const { rows, records } = await streamed(host, campaign.id, { kind: "signatures" }, { streamMaxRows: 100_000, linkTtlHours: 24 });
    expect(rows).toBe(N);
    expect(records).toHaveLength(N + 1);
    expect(records[0]).toEqual(["name", "email", "country", "postal_code", "comment", "confirmed_at", "language", "ask_version", "partner", "consent_version", "consent_purposes"]);
    expect(new Set(records.slice(1).map((r) => r[1])).size).toBe(N);
    expect(records[7]![4]).toBe('two\nlines, "quoted"');
    const audit = await t.db.selectFrom("audit_log").selectAll().where("campaign_id", "=", campaign.id).where("action", "=", "export.signatures").executeTakeFirstOrThrow();
    expect(audit.row_count).toBe(N);
  });

  it("a large export runs as a job with a progress page, then downloads through a link that expires", async () => {
    const host = await user();
    const outsider = await user();
    const org = await organisationWith(host);
    const campaign = await campaignOf(org.id);
    await sign(
      campaign.id,
      Array.from({ length: STREAM_MAX + 70 }, (_, i) => ({ name: `Big ${i}`, email: `big-${i}@example.org` })),
    );
    const asked = await postForm(`${web.url}/dashboard/campaigns/${campaign.id}/exports/signatures`, { scope: "signatures", bom: "1" }, { headers: { Cookie: host.cookie } });
    expect(asked.status).toBe(303);
    const page = asked.headers.get("location")!;
    expect(page).toMatch(/^\/exports\/[A-Za-z0-9_-]{43}$/);
    const token = page.split("/")[2]!;
    const exportRow = await t.db.selectFrom("exports").selectAll().orderBy("id", "desc").executeTakeFirstOrThrow();
    expect(exportRow.token_hash.toString("hex")).not.toContain(Buffer.from(token).toString("hex")); // only a hash is kept

    await eventually(async () => (await (await get(page, host.cookie)).text()).includes('data-testid="export-download"'), 20_000, "the export to finish");
    const ready = await get(page, host.cookie);
    expect(ready.status).toBe(200);
    expect(await ready.text()).not.toContain('http-equiv="refresh"');

    // At-least-once jobs: a replay of the finished job leaves the file alone.
    expect(await runExport(t.db, exportRow.id)).toBe("skipped");

    // A browser takes the stored gzip as is (fetch, like a browser, undoes it); a client without gzip gets it decompressed.
    for (const encoding of ["gzip", "identity"]) {
      const file = await get(`${page}/file`, host.cookie, { headers: { "Accept-Encoding": encoding } });
      expect(file.status).toBe(200);
      expect(file.headers.get("content-disposition")).toMatch(/attachment; filename=".+\.csv"/);
      const bytes = Buffer.from(await file.arrayBuffer());
      expect(file.headers.get("content-encoding") ?? "identity").toBe(encoding);
      expect(bytes.subarray(0, 14).toString("latin1")).toBe("\xEF\xBB\xBFname,email,");
      const records = parseCsv(bytes.subarray(3).toString("utf8"));
      expect(records).toHaveLength(STREAM_MAX + 70 + 1);
      expect(new Set(records.slice(1).map((r) => r[1])).size).toBe(STREAM_MAX + 70);
    }

    // The link is no use to someone who may not export the campaign, nor to anyone once expired.
    expect((await get(page, outsider.cookie)).status).toBe(404);
    expect((await get(`${page}/file`, outsider.cookie)).status).toBe(404);
    expect((await get(`/exports/${"A".repeat(43)}`, host.cookie)).status).toBe(404);
    expect((await get(`/exports/not-a-token/file`, host.cookie)).status).toBe(404);
    await t.db.updateTable("exports").set({ expires_at: sql`now() - interval '1 minute'` }).where("id", "=", exportRow.id).execute();
    const gone = await get(page, host.cookie);
    expect(gone.status).toBe(410);
    expect(await gone.text()).toContain("expired");
    expect((await get(`${page}/file`, host.cookie)).status).toBe(410);
    // The exports page's own download door says the same, in its words.
    const listed = await get(`/dashboard/campaigns/${campaign.id}/exports/${exportRow.id}`, host.cookie);
    expect(listed.status).toBe(410);
    expect(await listed.text()).toContain("This export's file has expired");
    const unknown = await get(`/dashboard/campaigns/${campaign.id}/exports/${exportRow.id + 100_000}`, host.cookie);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("There is no such export of this campaign");

    // The maintenance job deletes the file; the link keeps saying "expired".
    await purgeExpiredExports(t.db);
    expect(await t.db.selectFrom("export_chunks").select("seq").where("export_id", "=", exportRow.id).execute()).toEqual([]);
    expect((await get(`${page}/file`, host.cookie)).status).toBe(410);

    const audit = await t.db.selectFrom("audit_log").selectAll().where("campaign_id", "=", campaign.id).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "export.signatures", actor_user_id: host.id, actor_label: host.email, row_count: STREAM_MAX + 70 });
  });

  it("while the worker writes, the page shows the progress and reloads itself (no JavaScript needed)", async () => {
    const host = await user();
    const org = await organisationWith(host);
    const campaign = await campaignOf(org.id);
    const token = generateToken();
    await t.db
      .insertInto("exports")
      .values({ kind: "signatures", campaign_id: campaign.id, status: "running", requested_by: host.id, requested_by_label: host.email, token_hash: hashToken(token), rows_expected: 12_000, rows_done: 4_000, file_name: "x.csv", expires_at: sql`now() + interval '1 hour'` })
      .execute();
    const page = await get(`/exports/${token}`, host.cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/<meta http-equiv="refresh" content="\d+"/);
    expect(html).toContain("4,000 of about 12,000 rows written");
    expect(html).toMatch(/role="progressbar"[^>]*aria-valuenow="4000"/);
    expect(html).toContain(`href="/exports/${token}"`); // the reload link
    expect((await get(`/exports/${token}/file`, host.cookie)).status).toBe(409);
  });

  it("bad export requests get a 400 and create nothing", async () => {
    const host = await user();
    const org = await organisationWith(host);
    const campaign = await campaignOf(org.id);
    const bad: Record<string, string>[] = [{}, { scope: "everything" }, { scope: "partner", partnerId: "x" }, { scope: "delivery" }];
    for (const fields of bad) {
      const res = await postForm(`${web.url}/dashboard/campaigns/${campaign.id}/exports/signatures`, fields, { headers: { Cookie: host.cookie } });
      expect(res.status).toBe(400);
    }
    expect(await t.db.selectFrom("exports").select("id").where("campaign_id", "=", campaign.id).execute()).toEqual([]);
  });
});

describe("delivery bundles", () => {
  it("the hash chain verifies with the standalone script, detects a changed row, and the public page shows its end", async () => {
    const host = await user();
    const org = await organisationWith(host);
    const campaign = await campaignOf(org.id, [{ name: "OIC Secretary-General", role: "Secretary-General" }]);
    await sign(campaign.id, [
      { name: "Amina Khan", country: "PK" },
      { name: "=cmd()", country: "TR" },
      { name: "Siti, \"Aminah\"", country: "MY" },
      { name: "Pending", status: "pending" },
      { erased: true },
    ]);
    const target = await t.db.selectFrom("campaign_targets").select("id").where("campaign_id", "=", campaign.id).executeTakeFirstOrThrow();
    const result = await requestExport(t.db, host, campaign.id, { kind: "delivery", targetId: target.id }, { ...LIMITS, bom: false });
    if (result.kind !== "job") throw new Error("a delivery is always a job");
    await eventually(async () => (await t.db.selectFrom("exports").select("status").where("id", "=", result.exportId).executeTakeFirst())?.status === "done", 20_000, "the bundle");

    const file = await openExportFile(t.db, host, result.token);
    const parts: Buffer[] = [];
    for await (const chunk of file.gzipChunks) parts.push(chunk);
    const csv = gunzipSync(Buffer.concat(parts)).toString("utf8");
    const { manifest } = await openDeliveryManifest(t.db, host, result.token);
    const bundle = await t.db.selectFrom("delivery_bundles").selectAll().where("export_id", "=", result.exportId).executeTakeFirstOrThrow();

    expect(csv).toBe(`name,country\nAmina Khan,PK\n'=cmd(),TR\n"Siti, ""Aminah""",MY\n`);
    expect(bundle.row_count).toBe(3);
    expect(verifyDelivery(csv, manifest as unknown as Manifest, bundle.final_hash)).toMatchObject({ ok: true, rows: 3, finalHash: bundle.final_hash });
    expect(verifyDelivery(csv.replace("Amina Khan", "Amina Kahn"), manifest as unknown as Manifest, bundle.final_hash).ok).toBe(false);
    expect(verifyDelivery(csv.replace("Amina Khan,PK\n", ""), manifest as unknown as Manifest, bundle.final_hash).ok).toBe(false);
    const reordered = `name,country\n'=cmd(),TR\nAmina Khan,PK\n"Siti, ""Aminah""",MY\n`;
    expect(verifyDelivery(reordered, manifest as unknown as Manifest, bundle.final_hash).ok).toBe(false);

    const page = await fetch(`${web.url}/campaigns/${campaign.slug}/deliveries/${bundle.id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(bundle.final_hash);
    expect(html).toContain("OIC Secretary-General");
    expect(html).not.toContain("Amina Khan");
    expect((await fetch(`${web.url}/campaigns/${campaign.slug}/deliveries/${bundle.id + 1000}`)).status).toBe(404);
    expect((await fetch(`${web.url}/campaigns/another-campaign/deliveries/${bundle.id}`)).status).toBe(404);

    const audit = await t.db.selectFrom("audit_log").selectAll().where("campaign_id", "=", campaign.id).execute();
    expect(audit).toMatchObject([{ action: "export.delivery", actor_user_id: host.id, row_count: 3 }]);
  });
});

describe("audit", () => {
  it("every export writes one audit entry: who, what, which campaign, how many rows", async () => {
    const host = await user();
    const partnerMember = await user();
    const org = await organisationWith(host);
    const partnerOrg = await organisationWith(partnerMember, "Partner");
    const campaign = await campaignOf(org.id);
    const partner = await partnerOf(campaign.id, partnerOrg.id);
    await sign(campaign.id, [{ country: "PK" }, { country: "MY", partnerId: partner.id, optInPartner: true }]);

    await exportCounts(t.db, host, campaign.id, { by: "country", format: "csv", bom: false });
    await streamed(host, campaign.id, { kind: "signatures" });
    await streamed(partnerMember, campaign.id, { kind: "partner", partnerId: partner.id });
    const entries = await t.db
      .selectFrom("audit_log")
      .select(["action", "actor_user_id", "actor_label", "row_count", "subject", "details"])
      .where("campaign_id", "=", campaign.id)
      .orderBy("id")
      .execute();
    expect(entries).toMatchObject([
      { action: "export.counts", actor_user_id: host.id, actor_label: host.email, row_count: 2, subject: campaign.slug, details: { by: "country", format: "csv" } },
      { action: "export.signatures", actor_user_id: host.id, row_count: 2 },
      { action: "export.partner", actor_user_id: partnerMember.id, actor_label: partnerMember.email, row_count: 1, details: { partnerId: partner.id } },
    ]);
  });
});

describe("the exports page", () => {
  const historyRows = (html: string) => {
    const table = html.match(/<table data-testid="export-history">[\s\S]*?<\/table>/)?.[0] ?? "";
    return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].slice(1).map((m) => m[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim());
  };

  it("lists every export, downloaded at once or written by the worker: what, who, when, rows, and the file while its link is valid", async () => {
    const host = await user();
    const partnerMember = await user();
    const outsider = await user();
    const org = await organisationWith(host);
    const partnerOrg = await organisationWith(partnerMember, "Partner");
    const campaign = await campaignOf(org.id);
    const partner = await partnerOf(campaign.id, partnerOrg.id);
    await sign(campaign.id, [{ country: "PK" }, { country: "MY", partnerId: partner.id, optInPartner: true }]);
    const base = `/dashboard/campaigns/${campaign.id}/exports`;

    // Two downloads that stream at once: a counts file and a short signature list.
    expect((await get(`${base}/counts?by=country&format=csv`, host.cookie)).status).toBe(200);
    const small = await postForm(`${web.url}${base}/signatures`, { scope: "signatures" }, { headers: { Cookie: host.cookie } });
    expect(small.status).toBe(200);
    await small.text();
    let html = await (await get(base, host.cookie)).text();
    expect(html).not.toContain("Nothing has been exported yet.");
    expect(historyRows(html)).toEqual([
      expect.stringMatching(new RegExp(`^All signatures ${host.email} .*UTC 2 Downloaded at once$`)),
      expect.stringMatching(new RegExp(`^Counts \\(By country\\) ${host.email} .*UTC 2 Downloaded at once$`)),
    ]);

    // A file the worker writes: listed while it is written, then with its download.
    await sign(campaign.id, Array.from({ length: STREAM_MAX + 5 }, (_, i) => ({ email: `page-${i}-${campaign.id}@example.org` })));
    const asked = await postForm(`${web.url}${base}/signatures`, { scope: "signatures" }, { headers: { Cookie: host.cookie } });
    expect(asked.status).toBe(303);
    const exportRow = await t.db.selectFrom("exports").select("id").where("campaign_id", "=", campaign.id).executeTakeFirstOrThrow();
    const link = `${base}/${exportRow.id}`;
    html = await eventually(async () => {
      const page = await (await get(base, host.cookie)).text();
      return page.includes(`href="${link}"`) ? page : undefined;
    }, 20_000, "the export to be listed with its file");
    expect(historyRows(html)[0]).toMatch(new RegExp(`^All signatures ${host.email} .*UTC ${STREAM_MAX + 7} Download$`));
    const file = await get(link, host.cookie, { headers: { "Accept-Encoding": "identity" } });
    expect(file.status).toBe(200);
    expect(parseCsv(await file.text())).toHaveLength(STREAM_MAX + 7 + 1);

    // Others see nothing of it; a partner's member sees only its own lists.
    expect((await get(link, outsider.cookie)).status).toBe(404);
    expect((await get(base, outsider.cookie)).status).toBe(404);
    expect((await get(link, partnerMember.cookie)).status).toBe(404);
    const partnerFile = await postForm(`${web.url}${base}/signatures`, { scope: "partner", partnerId: String(partner.id) }, { headers: { Cookie: partnerMember.cookie } });
    expect(partnerFile.status).toBe(200);
    await partnerFile.text();
    expect(historyRows(await (await get(base, partnerMember.cookie)).text())).toEqual([expect.stringMatching(/^Partner list .* 1 Downloaded at once$/)]);

    // Once the link has expired, the list says so and the file is gone.
    await t.db.updateTable("exports").set({ expires_at: sql`now() - interval '1 minute'` }).where("id", "=", exportRow.id).execute();
    html = await (await get(base, host.cookie)).text();
    expect(html).not.toContain(`href="${link}"`);
    expect(historyRows(html)[1]).toMatch(/ Link expired$/);
    expect((await get(link, host.cookie)).status).toBe(410);
    expect((await get(`${base}/999999999`, host.cookie)).status).toBe(404);
  });
});
