/**
 * The OSDI API over real HTTP against the built server, on a database and Redis prefix of this
 * file's own. Shapes are checked against the field names of the OSDI v1.2 documents, written out
 * below; Banner's own fields must sit under the `banner:` curie.
 */
import { createHash, randomBytes } from "node:crypto";
import net from "node:net";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, revokeApiKey } from "~/modules/api-keys/api-keys.server";
import { listAudit } from "~/modules/audit/audit.server";
import { foldAllCountChanges } from "~/modules/counts/counts.server";
import { confirmSignature } from "~/modules/signatures/confirm-signature.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, createTestUser, signer } from "../support/fixtures";
import { deletePrefix, uniquePrefix } from "../support/redis";
import { postForm, startWeb, type RunningProcess } from "../support/web";

// ---- OSDI v1.2 field names (opensupporter.github.io/osdi-docs) ----
const COMMON_FIELDS = ["identifiers", "origin_system", "created_date", "modified_date"];
const AEP_FIELDS = ["motd", "vendor_name", "product_name", "osdi_version", "max_pagesize", "namespace"];
const PETITION_FIELDS = [...COMMON_FIELDS, "name", "title", "description", "summary", "petition_text", "browser_url", "featured_image_url", "total_signatures", "target"];
const SIGNATURE_FIELDS = [...COMMON_FIELDS, "action_date", "comments", "referrer_data"];
const PERSON_FIELDS = [
  ...COMMON_FIELDS,
  "family_name",
  "given_name",
  "additional_name",
  "honorific_prefix",
  "honorific_suffix",
  "gender",
  "gender_identity",
  "party_identification",
  "source",
  "ethnicities",
  "languages_spoken",
  "preferred_language",
  "browser_url",
  "administrative_url",
  "birthdate",
  "employer",
  "email_addresses",
  "phone_numbers",
  "postal_addresses",
  "profiles",
  "custom_fields",
];
const EMAIL_ADDRESS_FIELDS = ["primary", "address", "address_type", "status"];
const POSTAL_ADDRESS_FIELDS = ["primary", "address_type", "venue", "address_lines", "locality", "region", "postal_code", "country", "language", "location", "status"];
const COLLECTION_FIELDS = ["total_pages", "per_page", "page", "total_records", "_links", "_embedded"];
const EMAIL_STATUSES = ["subscribed", "unsubscribed", "bouncing", "previous bounce", "spam complaint", "previous spam complaint"];

/** Every key is an OSDI field of this resource, a `banner:` extension, or HAL's _links; `required` are all there. */
function expectOsdiShape(resource: Record<string, unknown>, osdiFields: string[], required: string[]) {
  for (const key of Object.keys(resource)) {
    expect(osdiFields.includes(key) || key.startsWith("banner:") || key === "_links", `unexpected field "${key}"`).toBe(true);
  }
  for (const key of required) expect(resource, `missing field "${key}"`).toHaveProperty([key]);
  for (const key of ["created_date", "modified_date", "action_date"]) {
    if (key in resource) expect(new Date(resource[key] as string).toISOString()).toBe(resource[key]);
  }
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let tdb: TestDatabase;
let web: RunningProcess;
const prefix = uniquePrefix("osdi");
const PASSWORD = "a long enough passphrase";
const RATE_LIMIT = 50;

beforeAll(async () => {
  tdb = await createTestDatabase("osdi");
  web = await startWeb({ DATABASE_URL: tdb.url, REDIS_PREFIX: prefix, OSDI_RATE_LIMIT: String(RATE_LIMIT) });
});
afterAll(async () => {
  await web?.stop();
  await tdb?.drop();
  await deletePrefix(prefix);
});

const hex = () => randomBytes(4).toString("hex");

/** An organisation with one owner (who can log in) and one organiser. */
async function organisation(label: string) {
  const org = await tdb.db
    .insertInto("organisations")
    .values({ slug: `${label}-${hex()}`, name: `Org ${label}` })
    .returning(["id", "slug"])
    .executeTakeFirstOrThrow();
  const member = async (role: "owner" | "organiser") => {
    const user = await createTestUser(tdb.db, "user", role, { password: PASSWORD });
    await tdb.db.insertInto("memberships").values({ organisation_id: org.id, user_id: user.id, role }).execute();
    return { id: user.id, email: user.email, role: "user" as const };
  };
  return { ...org, owner: await member("owner"), organiser: await member("organiser") };
}

async function key(org: Awaited<ReturnType<typeof organisation>>, scope: "read" | "write") {
  return (await createApiKey(tdb.db, org.owner, org.slug, { name: `${scope} key`, scope })).key;
}

async function petitionOf(organisationId: number, overrides: Parameters<typeof createCampaign>[1] = {}) {
  const campaign = await createCampaign(tdb.db, overrides);
  await tdb.db.updateTable("campaigns").set({ organisation_id: organisationId }).where("id", "=", campaign.id).execute();
  return campaign;
}

async function sign(slug: string, overrides: Parameters<typeof signer>[0] = {}) {
  const input = signer(overrides);
  await signCampaign(tdb.db, { campaignSlug: slug, input, locale: "en" });
  const row = await tdb.db.selectFrom("signatures").select("id").where("email_normalized", "=", input.email.toLowerCase()).executeTakeFirstOrThrow();
  return { id: row.id, email: input.email };
}

async function confirm(signatureId: number) {
  const token = await issueVerificationToken(tdb.db, signatureId);
  expect((await confirmSignature(tdb.db, token)).outcome).toBe("confirmed");
}

function api(path: string, token: string | null, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set("OSDI-API-Token", token);
  return fetch(`${web.url}/api/osdi/v1${path}`, { ...init, headers, redirect: "manual" });
}

async function getJson(path: string, token: string | null) {
  const res = await api(path, token);
  return { res, body: (await res.json()) as Json };
}

function postJson(path: string, token: string, body: unknown, headers: Record<string, string> = {}) {
  return api(path, token, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers: { "Content-Type": "application/json", ...headers } });
}

async function expectProblem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as Json;
  expect(body).toMatchObject({ status, type: "about:blank" });
  expect(typeof body.detail).toBe("string");
  return body;
}

const filterParam = (filter: string) => `filter=${encodeURIComponent(filter)}`;

describe("the entry point", () => {
  it("answers HAL+JSON with OSDI's fields and links to petitions, people, itself and both curies", async () => {
    const org = await organisation("aep");
    const { res, body } = await getJson("", await key(org, "read"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/hal\+json/);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expectOsdiShape(body, AEP_FIELDS, AEP_FIELDS);
    expect(body.osdi_version).toBe("1.2");
    expect(body._links.self.href).toBe(`${web.url}/api/osdi/v1`);
    expect(body._links["osdi:petitions"].href).toBe(`${web.url}/api/osdi/v1/petitions`);
    expect(body._links["osdi:people"].href).toBe(`${web.url}/api/osdi/v1/people`);
    const curies = body._links.curies as Json[];
    expect(curies.map((c) => c.name).sort()).toEqual(["banner", "osdi"]);
    for (const c of curies) expect(c).toMatchObject({ templated: true, href: expect.stringContaining("{rel}") });
    // Banner's curie points at a page that documents its fields.
    const bannerDocs = curies.find((c) => c.name === "banner")!.href.replace("#{rel}", "");
    const docs = await fetch(bannerDocs);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('id="consent_version"');
  });
});

describe("petitions", () => {
  it("have OSDI's petition fields, targets with titles, sanitised HTML, and the public API's confirmed count", async () => {
    const org = await organisation("pet");
    const campaign = await petitionOf(org.id, { title: "Free the river", argument_md: "Rivers **matter**.\n\n<script>alert(1)</script>" });
    await tdb.db
      .insertInto("campaign_targets")
      .values([
        { campaign_id: campaign.id, position: 1, name: "Jane Doe", role: "Minister of Water", country: "PK" },
        { campaign_id: campaign.id, position: 2, name: "John Roe", role: "Mayor", country: null },
      ])
      .execute();
    await confirm((await sign(campaign.slug)).id);
    await confirm((await sign(campaign.slug)).id);
    await sign(campaign.slug); // pending: never counted
    await foldAllCountChanges(tdb.db);

    const token = await key(org, "read");
    const { res, body } = await getJson(`/petitions/${campaign.id}`, token);
    expect(res.status).toBe(200);
    expectOsdiShape(body, PETITION_FIELDS, PETITION_FIELDS.filter((f) => f !== "featured_image_url"));
    const publicCount = (await (await fetch(`${web.url}/api/v1/campaigns/${campaign.slug}`)).json()) as Json;
    expect(body.total_signatures).toBe(2);
    expect(body.total_signatures).toBe(publicCount.signatureCount);
    expect(body).toMatchObject({
      identifiers: [`banner:${campaign.id}`],
      origin_system: "Banner",
      title: "Free the river",
      petition_text: "Do the right thing.",
      browser_url: `${web.url}/campaigns/${campaign.slug}`,
      target: [
        { name: "Jane Doe", title: "Minister of Water" },
        { name: "John Roe", title: "Mayor" },
      ],
    });
    expect(body.description).toContain("<strong>matter</strong>");
    expect(body.description).not.toContain("<script");
    expect(body._links.self.href).toBe(`${web.url}/api/osdi/v1/petitions/${campaign.id}`);
    expect(body._links["osdi:signatures"].href).toBe(`${web.url}/api/osdi/v1/petitions/${campaign.id}/signatures`);
    expect(body._links["osdi:record_signature_helper"].href).toBe(`${web.url}/api/osdi/v1/petitions/${campaign.id}/signatures`);

    // The collection embeds the same representation.
    const list = await getJson("/petitions", token);
    expect(Object.keys(list.body).sort()).toEqual([...COLLECTION_FIELDS].sort());
    const embedded = (list.body._embedded["osdi:petitions"] as Json[]).find((p) => p.identifiers[0] === `banner:${campaign.id}`);
    const { _links: _ignored, ...single } = body;
    expect(embedded).toMatchObject(single);
  });

  it("are the organisation's public campaigns only: drafts are not petitions", async () => {
    const org = await organisation("drafts");
    const open = await petitionOf(org.id);
    const draft = await petitionOf(org.id, { status: "draft" });
    const token = await key(org, "read");
    const { body } = await getJson("/petitions", token);
    expect((body._embedded["osdi:petitions"] as Json[]).map((p) => p.identifiers[0])).toEqual([`banner:${open.id}`]);
    await expectProblem(await api(`/petitions/${draft.id}`, token), 404);
  });
});

describe("signatures and people", () => {
  it("signatures carry OSDI's fields and Banner's under its curie; only confirmed ones link a person", async () => {
    const org = await organisation("sig");
    const campaign = await petitionOf(org.id);
    const confirmed = await sign(campaign.slug, { comment: "For the river", optIn: true });
    await confirm(confirmed.id);
    const pending = await sign(campaign.slug, { comment: "Not yet confirmed" });
    const token = await key(org, "read");

    const { res, body } = await getJson(`/petitions/${campaign.id}/signatures`, token);
    expect(res.status).toBe(200);
    const items = body._embedded["osdi:signatures"] as Json[];
    expect(items.map((s) => s.identifiers[0])).toEqual([`banner:${confirmed.id}`, `banner:${pending.id}`]);
    for (const item of items) {
      expectOsdiShape(item, SIGNATURE_FIELDS, [...COMMON_FIELDS, "action_date"]);
      expect(item).toMatchObject({
        origin_system: "Banner",
        "banner:consent_version": expect.any(String),
        "banner:ask_version": 1,
        "banner:partner": null,
        "banner:language": "en",
        "banner:source": "web",
      });
      expect(item._links["osdi:petition"].href).toBe(`${web.url}/api/osdi/v1/petitions/${campaign.id}`);
    }
    const [c, p] = items as [Json, Json];
    expect(c).toMatchObject({ comments: "For the river", "banner:status": "confirmed", "banner:consent_purposes": ["petition", "updates:host"] });
    expect(new Date(c["banner:confirmed_date"]).getTime()).toBeGreaterThan(0);
    expect(c._links["osdi:person"].href).toBe(`${web.url}/api/osdi/v1/people/${confirmed.id}`);
    // An unconfirmed signature may carry someone else's address: no person, no comment.
    expect(p).toMatchObject({ "banner:status": "pending", "banner:confirmed_date": null });
    expect(p).not.toHaveProperty("comments");
    expect(p._links).not.toHaveProperty("osdi:person");

    const single = await getJson(`/petitions/${campaign.id}/signatures/${confirmed.id}`, token);
    expect(single.res.status).toBe(200);
    expect(single.body._links.self.href).toBe(`${web.url}/api/osdi/v1/petitions/${campaign.id}/signatures/${confirmed.id}`);
    // A signature of another petition is not under this one.
    const other = await petitionOf(org.id);
    await expectProblem(await api(`/petitions/${other.id}/signatures/${confirmed.id}`, token), 404);
  });

  it("people are the confirmed signers, one per signature, with opt-in as the email status", async () => {
    const org = await organisation("ppl");
    const campaign = await petitionOf(org.id);
    const subscribed = await sign(campaign.slug, { name: "Amina Khan", optIn: true, country: "MY", postalCode: "50450" });
    const notSubscribed = await sign(campaign.slug, { name: "Ali bin Abu", optIn: false });
    const pending = await sign(campaign.slug);
    await confirm(subscribed.id);
    await confirm(notSubscribed.id);
    const token = await key(org, "read");

    const { body } = await getJson("/people", token);
    expect(body.total_records).toBe(2);
    const people = body._embedded["osdi:people"] as Json[];
    expect(people.map((p) => p.identifiers[0])).toEqual([`banner:${subscribed.id}`, `banner:${notSubscribed.id}`]);
    for (const person of people) {
      expectOsdiShape(person, PERSON_FIELDS, [...COMMON_FIELDS, "given_name", "email_addresses", "postal_addresses"]);
      for (const e of person.email_addresses as Json[]) {
        expect(Object.keys(e).every((k) => EMAIL_ADDRESS_FIELDS.includes(k))).toBe(true);
        expect(EMAIL_STATUSES).toContain(e.status);
      }
      for (const a of person.postal_addresses as Json[]) expect(Object.keys(a).every((k) => POSTAL_ADDRESS_FIELDS.includes(k))).toBe(true);
    }
    expect(people[0]).toMatchObject({
      given_name: "Amina Khan",
      email_addresses: [{ address: subscribed.email, primary: true, status: "subscribed" }],
      postal_addresses: [{ primary: true, country: "MY", postal_code: "50450" }],
    });
    expect(people[1]!.email_addresses[0].status).toBe("unsubscribed");

    // Unsubscribing from updates moves the person's modified date and status.
    const before = people[1]!.modified_date as string;
    await tdb.db.updateTable("signatures").set({ opt_in: true }).where("id", "=", notSubscribed.id).execute();
    await tdb.db.updateTable("signatures").set({ unsubscribed_at: sql`now()` }).where("id", "=", notSubscribed.id).execute();
    const after = await getJson(`/people/${notSubscribed.id}`, token);
    expect(after.body.email_addresses[0].status).toBe("unsubscribed");
    expect(new Date(after.body.modified_date).getTime()).toBeGreaterThan(new Date(before).getTime());

    await expectProblem(await api(`/people/${pending.id}`, token), 404);
  });
});

describe("paging and the modified_date filter", () => {
  it("pages with totals and first/prev/next/last links that keep per_page and the filter", async () => {
    const org = await organisation("paging");
    const campaign = await petitionOf(org.id);
    for (let i = 0; i < 5; i++) await sign(campaign.slug);
    const token = await key(org, "read");
    const path = `/petitions/${campaign.id}/signatures`;
    const base = `${web.url}/api/osdi/v1${path}`;

    const page2 = await getJson(`${path}?page=2&per_page=2`, token);
    expect(page2.body).toMatchObject({ total_pages: 3, per_page: 2, page: 2, total_records: 5 });
    expect(page2.body._embedded["osdi:signatures"]).toHaveLength(2);
    expect(page2.body._links["osdi:signatures"]).toHaveLength(2);
    expect(page2.body._links).toMatchObject({
      self: { href: `${base}?page=2&per_page=2` },
      first: { href: `${base}?page=1&per_page=2` },
      prev: { href: `${base}?page=1&per_page=2` },
      next: { href: `${base}?page=3&per_page=2` },
      last: { href: `${base}?page=3&per_page=2` },
    });

    const page3 = await getJson(`${path}?page=3&per_page=2`, token);
    expect(page3.body._embedded["osdi:signatures"]).toHaveLength(1);
    expect(page3.body._links).not.toHaveProperty("next");
    const first = await getJson(path, token);
    expect(first.body).toMatchObject({ page: 1, per_page: 25, total_pages: 1, total_records: 5 });
    expect(first.body._links).not.toHaveProperty("prev");

    // Following next from page 1 visits every signature once.
    const seen: string[] = [];
    let next: string | undefined = `${base}?per_page=2`;
    while (next) {
      const res = await fetch(next, { headers: { "OSDI-API-Token": token } });
      const body = (await res.json()) as Json;
      seen.push(...(body._embedded["osdi:signatures"] as Json[]).map((s) => s.identifiers[0]));
      next = body._links.next?.href;
    }
    expect(new Set(seen).size).toBe(5);

    const filtered = await getJson(`${path}?per_page=2&${filterParam("modified_date gt '2000-01-01T00:00:00Z'")}`, token);
    expect(new URL(filtered.body._links.next.href).searchParams.get("filter")).toBe("modified_date gt '2000-01-01T00:00:00Z'");
  });

  it.each([["page=0"], ["page=-1"], ["page=abc"], ["page=1.5"], ["per_page=0"], ["per_page=101"], ["per_page=2&per_page=3"]])("refuses %s with a 400 problem", async (q) => {
    const org = await organisation("badpage");
    await expectProblem(await api(`/petitions?${q}`, await key(org, "read")), 400);
  });

  it("filters on modified_date gt and lt, and a confirmation moves a signature's modified date", async () => {
    const org = await organisation("filter");
    const campaign = await petitionOf(org.id);
    const early = await sign(campaign.slug);
    const later = await sign(campaign.slug);
    const { rows } = await sql<{ t: Date }>`SELECT now() AS t`.execute(tdb.db);
    const mark = rows[0]!.t.toISOString();
    await confirm(later.id); // after the mark: only this one is modified since
    const token = await key(org, "read");
    const ids = async (filter: string) => {
      const { res, body } = await getJson(`/petitions/${campaign.id}/signatures?${filterParam(filter)}`, token);
      expect(res.status).toBe(200);
      return (body._embedded["osdi:signatures"] as Json[]).map((s) => s.identifiers[0]);
    };
    expect(await ids(`modified_date gt '${mark}'`)).toEqual([`banner:${later.id}`]);
    expect(await ids(`modified_date lt '${mark}'`)).toEqual([`banner:${early.id}`]);
    expect(await ids(`modified_date gt '2000-01-01' and modified_date lt '${mark}'`)).toEqual([`banner:${early.id}`]);
    expect((await getJson(`/people?${filterParam(`modified_date gt '${mark}'`)}`, token)).body.total_records).toBe(1);
    expect((await getJson(`/petitions?${filterParam("modified_date gt '2999-01-01T00:00:00Z'")}`, token)).body.total_records).toBe(0);
  });

  it.each([
    ["created_date gt '2026-01-01T00:00:00Z'"],
    ["modified_date eq '2026-01-01T00:00:00Z'"],
    ["modified_date gt 2026-01-01"],
    ["modified_date gt '2026-13-01T00:00:00Z'"],
    ["modified_date gt '2026-01-01T00:00:00'"],
    ["modified_date gt 'yesterday'"],
    ["modified_date gt '2026-01-01' or modified_date lt '2027-01-01'"],
    ["modified_date gt '2026-01-01' and modified_date gt '2026-02-01'"],
    [""],
  ])("refuses the filter %j with a 400 problem", async (filter) => {
    const org = await organisation("badfilter");
    const body = await expectProblem(await api(`/people?${filterParam(filter)}`, await key(org, "read")), 400);
    expect(body.detail).toMatch(/filter|date/);
  });
});

describe("API keys", () => {
  it("see only their own organisation's petitions, signatures and people", async () => {
    const a = await organisation("orga");
    const b = await organisation("orgb");
    const petition = await petitionOf(a.id);
    const signed = await sign(petition.slug);
    await confirm(signed.id);
    const bRead = await key(b, "read");
    const bWrite = await key(b, "write");

    await expectProblem(await api(`/petitions/${petition.id}`, bRead), 404);
    await expectProblem(await api(`/petitions/${petition.id}/signatures`, bRead), 404);
    await expectProblem(await api(`/petitions/${petition.id}/signatures/${signed.id}`, bRead), 404);
    await expectProblem(await api(`/people/${signed.id}`, bRead), 404);
    expect((await getJson("/petitions", bRead)).body.total_records).toBe(0);
    expect((await getJson("/people", bRead)).body.total_records).toBe(0);
    const write = await postJson(`/petitions/${petition.id}/signatures`, bWrite, {
      person: { given_name: "Nosy", email_addresses: [{ address: `nosy-${hex()}@example.org` }], postal_addresses: [{ country: "PK" }] },
    });
    await expectProblem(write, 404);
    // The same key's own organisation sees it.
    expect((await getJson(`/petitions/${petition.id}`, await key(a, "read"))).res.status).toBe(200);
  });

  it("missing, malformed, unknown and revoked keys get a 401 problem, and a session cookie is no key", async () => {
    const org = await organisation("auth");
    await expectProblem(await api("/petitions", null), 401);
    await expectProblem(await api("/petitions", "not-a-key"), 401);
    await expectProblem(await api("/petitions", `bnr_${randomBytes(32).toString("base64url")}`), 401);

    const { id, key: token } = await createApiKey(tdb.db, org.owner, org.slug, { name: "to revoke", scope: "read" });
    expect((await api("/petitions", token)).status).toBe(200);
    const used = await tdb.db.selectFrom("api_keys").select(["last_used_at", "key_hash", "hint"]).where("id", "=", id).executeTakeFirstOrThrow();
    expect(used.last_used_at).not.toBeNull();
    expect(used.key_hash.equals(createHash("sha256").update(token).digest())).toBe(true);
    expect(token).toMatch(/^bnr_[A-Za-z0-9_-]{43}$/);
    expect(token.startsWith(used.hint)).toBe(true);
    expect(used.hint.length).toBeLessThan(12);

    await revokeApiKey(tdb.db, org.owner, org.slug, id);
    await expectProblem(await api("/petitions", token), 401);

    const audit = await listAudit(tdb.db, { action: "api-key." });
    const mine = audit.filter((e) => e.organisation_id === org.id && (e.details as Json).keyId === id).map((e) => e.action);
    expect(mine.sort()).toEqual(["api-key.create", "api-key.revoke"]);

    // The owner's signed-in browser session opens the dashboard, but not the API.
    const login = await postForm(`${web.url}/login`, { email: org.owner.email, password: PASSWORD });
    expect(login.status).toBe(303);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    await expectProblem(await api("/petitions", null, { headers: { Cookie: cookie } }), 401);
  });

  it("a read key cannot record signatures: 403, and nothing is written", async () => {
    const org = await organisation("readonly");
    const petition = await petitionOf(org.id);
    const email = `ro-${hex()}@example.org`;
    const res = await postJson(`/petitions/${petition.id}/signatures`, await key(org, "read"), {
      person: { given_name: "Read", email_addresses: [{ address: email }], postal_addresses: [{ country: "PK" }] },
    });
    await expectProblem(res, 403);
    expect(await tdb.db.selectFrom("signatures").select("id").where("email_normalized", "=", email).executeTakeFirst()).toBeUndefined();
  });

  it("are rate limited per key with a 429 problem and Retry-After", async () => {
    const org = await organisation("rate");
    const [first, second] = [await key(org, "read"), await key(org, "read")];
    for (let i = 0; i < RATE_LIMIT; i++) expect((await api("", first)).status).toBe(200);
    const limitedRes = await api("/petitions", first);
    await expectProblem(limitedRes, 429);
    expect(Number(limitedRes.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another key of the same organisation has its own budget.
    expect((await api("/petitions", second)).status).toBe(200);
  });
});

describe("the record signature helper", () => {
  const body = (email: string, extra: Json = {}) => ({
    person: {
      given_name: "Amina",
      family_name: "Khan",
      email_addresses: [{ address: email }],
      postal_addresses: [{ country: "pk", postal_code: "44000" }],
      ...extra,
    },
    comments: "Convene them.",
    add_tags: ["volunteer"],
  });

  it("makes a pending signature with source api and a verification email in the outbox, through the double opt-in", async () => {
    const org = await organisation("record");
    const petition = await petitionOf(org.id);
    const email = `Rec-${hex()}@Example.org`;
    // A cross-site Origin is no reason to refuse: the API takes no cookies.
    const res = await postJson(`/petitions/${petition.id}/signatures`, await key(org, "write"), body(email, { languages_spoken: ["ur"] }), {
      Origin: "https://crm.example",
    });
    expect(res.status).toBe(202);
    expect(res.headers.get("content-type")).toMatch(/^application\/hal\+json/);
    const row = await tdb.db.selectFrom("signatures").selectAll().where("email_normalized", "=", email.toLowerCase()).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: "pending",
      source: "api",
      name: "Amina Khan",
      country: "PK",
      postal_code: "44000",
      comment: "Convene them.",
      locale: "ur",
      opt_in: false,
      consent_purposes: ["petition"],
      campaign_id: petition.id,
    });
    const outbox = await tdb.db.selectFrom("outbox").select(["topic", "payload"]).where(sql<boolean>`payload->>'signatureId' = ${String(row.id)}`).execute();
    expect(outbox).toEqual([{ topic: "signature.verification", payload: { signatureId: row.id } }]);
    // Pending signatures do not count.
    await foldAllCountChanges(tdb.db);
    expect((await getJson(`/petitions/${petition.id}`, await key(org, "read"))).body.total_signatures).toBe(0);
  });

  it("records consent to updates when the client marks the address subscribed", async () => {
    const org = await organisation("optin");
    const petition = await petitionOf(org.id);
    const email = `sub-${hex()}@example.org`;
    const request = body(email, { email_addresses: [{ address: email, status: "subscribed" }] });
    expect((await postJson(`/petitions/${petition.id}/signatures`, await key(org, "write"), request)).status).toBe(202);
    const row = await tdb.db.selectFrom("signatures").select(["opt_in", "consent_purposes"]).where("email_normalized", "=", email).executeTakeFirstOrThrow();
    expect(row).toEqual({ opt_in: true, consent_purposes: ["petition", "updates:host"] });
  });

  it("answers a new, a pending and a confirmed address exactly alike, and keeps one signature each", async () => {
    const org = await organisation("enum");
    const petition = await petitionOf(org.id);
    const token = await key(org, "write");
    const confirmedSigner = await sign(petition.slug);
    await confirm(confirmedSigner.id);
    const fresh = `new-${hex()}@example.org`;

    const answers: { status: number; body: string }[] = [];
    for (const email of [fresh, fresh, confirmedSigner.email]) {
      const res = await postJson(`/petitions/${petition.id}/signatures`, token, body(email));
      answers.push({ status: res.status, body: await res.text() });
    }
    expect(answers[0]!.status).toBe(202);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    for (const email of [fresh, confirmedSigner.email]) {
      const rows = await tdb.db.selectFrom("signatures").select("status").where("email_normalized", "=", email.toLowerCase()).execute();
      expect(rows).toHaveLength(1);
    }
    const confirmedRow = await tdb.db.selectFrom("signatures").select(["status", "source"]).where("id", "=", confirmedSigner.id).executeTakeFirstOrThrow();
    expect(confirmedRow).toEqual({ status: "confirmed", source: "web" });
  });

  it("refuses bad requests with a clear 4xx problem and writes nothing", async () => {
    const org = await organisation("badreq");
    const petition = await petitionOf(org.id);
    const closed = await petitionOf(org.id, { status: "closed" });
    const token = await key(org, "write");
    const path = `/petitions/${petition.id}/signatures`;
    const before = await tdb.db.selectFrom("signatures").select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow();

    await expectProblem(await postJson(path, token, "{not json"), 400);
    await expectProblem(await postJson(path, token, "[]"), 400);
    await expectProblem(await api(path, token, { method: "POST", body: "person=x", headers: { "Content-Type": "application/x-www-form-urlencoded" } }), 415);
    await expectProblem(await postJson(path, token, { ...body(`big-${hex()}@example.org`), comments: "x".repeat(20_000) }), 413);
    // Without a Content-Length (chunked), the reader stops at the limit all the same.
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode(" ".repeat(5_000)));
        controller.enqueue(new TextEncoder().encode(JSON.stringify(body(`chunk-${hex()}@example.org`))));
        controller.close();
      },
    });
    await expectProblem(await api(path, token, { method: "POST", body: chunked, duplex: "half", headers: { "Content-Type": "application/json" } } as RequestInit), 413);
    const noEmail = await expectProblem(await postJson(path, token, { person: { given_name: "A", email_addresses: [] } }), 400);
    expect(noEmail.errors[0].field).toBe("person.email_addresses");
    const badEmail = await expectProblem(await postJson(path, token, body("not-an-address")), 400);
    expect(badEmail.errors).toContainEqual({ field: "person.email_addresses[0].address", message: expect.any(String) });
    const noCountry = await expectProblem(await postJson(path, token, { person: { given_name: "A", email_addresses: [{ address: `c-${hex()}@example.org` }] } }), 400);
    expect(noCountry.errors.map((e: Json) => e.field)).toContain("person.postal_addresses[0].country");
    const noName = await expectProblem(await postJson(path, token, { person: { email_addresses: [{ address: `n-${hex()}@example.org` }], postal_addresses: [{ country: "PK" }] } }), 400);
    expect(noName.errors.map((e: Json) => e.field)).toContain("person.given_name");
    await expectProblem(await postJson(`/petitions/${closed.id}/signatures`, token, body(`cl-${hex()}@example.org`)), 409);
    await expectProblem(await postJson("/petitions/999999999/signatures", token, body(`u-${hex()}@example.org`)), 404);
    await expectProblem(await postJson("/petitions/abc/signatures", token, body(`u-${hex()}@example.org`)), 404);

    const after = await tdb.db.selectFrom("signatures").select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it("reads a body of unknown length to its end after answering 413 before it was all read, and keeps the connection", async () => {
    // The 413 goes out once the body passes its limit. It used to say Connection: close, and the
    // socket was destroyed behind it, so a client still writing the body got EPIPE instead of the
    // answer (seen under load in the chunked case above). The rest of the body, up to the drain
    // limit, is now read and dropped; the connection stays usable.
    const org = await organisation("chunks");
    const petition = await petitionOf(org.id);
    const token = await key(org, "write");
    const chunk = (text: string) => `${text.length.toString(16)}\r\n${text}\r\n`;
    const early =
      `POST /api/osdi/v1/petitions/${petition.id}/signatures HTTP/1.1\r\nHost: 127.0.0.1:${web.port}\r\nOSDI-API-Token: ${token}\r\n` +
      `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunk(" ".repeat(40_000))}`;
    const rest = chunk(JSON.stringify(body(`late-${hex()}@example.org`))) + "0\r\n\r\n";
    const second = `GET /api/osdi/v1/petitions/${petition.id} HTTP/1.1\r\nHost: 127.0.0.1\r\nOSDI-API-Token: ${token}\r\nConnection: close\r\n\r\n`;
    const seen = await new Promise<{ statuses: string[]; closeHeader: boolean; error?: string }>((resolve) => {
      const socket = net.connect(web.port, "127.0.0.1");
      let data = "";
      let sentRest = false;
      let error: string | undefined;
      const finish = () =>
        resolve({ statuses: [...data.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]!), closeHeader: /^connection: close/im.test(data.split("\r\n\r\n")[0]!), error });
      const timer = setTimeout(() => {
        error ??= "no answer in 15 s";
        socket.destroy();
      }, 15_000);
      socket.on("data", (part) => {
        data += part.toString("latin1");
        if (!sentRest && /HTTP\/1\.1 \d{3}/.test(data) && data.includes("\r\n\r\n")) {
          sentRest = true;
          // The 413 came before the body ended: the client finishes the body, then asks again.
          setTimeout(() => socket.write(rest + second, (e) => e && (error ??= e.message)), 200);
        }
      });
      socket.on("error", (e) => (error ??= e.message));
      socket.on("close", () => {
        clearTimeout(timer);
        finish();
      });
      socket.write(early);
    });
    expect(seen).toEqual({ statuses: ["413", "200"], closeHeader: false, error: undefined });
  });
});

describe("bad URLs", () => {
  it("answer 404 problems for unknown and non-numeric ids and unknown paths, 405 for writes to read-only resources, never a 500", async () => {
    const org = await organisation("urls");
    const token = await key(org, "read");
    for (const path of ["/petitions/abc", "/petitions/0", "/petitions/99999999999999999999", "/petitions/123456789", "/petitions/x/signatures", "/people/-1", "/people/1.5", "/nothing/here"]) {
      await expectProblem(await api(path, token), 404);
    }
    for (const path of ["", "/petitions", "/people", "/people/1"]) {
      const res = await api(path, token, { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } });
      await expectProblem(res, 405);
      expect(res.headers.get("allow")).toBe("GET, HEAD");
    }
  });
});

describe("the API keys page", () => {
  it("lets owners create a key shown once and revoke it; organisers may not", async () => {
    const org = await organisation("page");
    const login = async (email: string) => {
      const res = await postForm(`${web.url}/login`, { email, password: PASSWORD });
      expect(res.status).toBe(303);
      return (res.headers.get("set-cookie") ?? "").split(";")[0]!;
    };
    const ownerCookie = await login(org.owner.email);
    const page = `${web.url}/dashboard/orgs/${org.slug}/api-keys`;

    const orgPage = await (await fetch(`${web.url}/dashboard/orgs/${org.slug}`, { headers: { Cookie: ownerCookie } })).text();
    expect(orgPage).toContain(`href="/dashboard/orgs/${org.slug}/api-keys"`);

    const bad = await postForm(page, { intent: "create", name: "", scope: "admin" }, { headers: { Cookie: ownerCookie } });
    expect(bad.status).toBe(400);
    const created = await postForm(page, { intent: "create", name: "Our CRM", scope: "write" }, { headers: { Cookie: ownerCookie } });
    expect(created.status).toBe(200);
    const html = await created.text();
    const token = html.match(/bnr_[A-Za-z0-9_-]{43}/)?.[0];
    expect(token).toBeDefined();
    expect((await api("", token!)).status).toBe(200);

    const listing = await fetch(page, { headers: { Cookie: ownerCookie } });
    expect(listing.status).toBe(200);
    const listed = await listing.text();
    expect(listed).toContain("Our CRM");
    expect(listed).not.toContain(token!);

    const row = await tdb.db.selectFrom("api_keys").select(["id", "scope"]).where("organisation_id", "=", org.id).executeTakeFirstOrThrow();
    expect(row.scope).toBe("write");

    const organiserCookie = await login(org.organiser.email);
    expect((await fetch(page, { headers: { Cookie: organiserCookie } })).status).toBe(403);
    expect((await postForm(page, { intent: "revoke", keyId: String(row.id) }, { headers: { Cookie: organiserCookie } })).status).toBe(403);
    expect((await api("", token!)).status).toBe(200);
    const outsider = await organisation("outsider");
    expect((await fetch(page, { headers: { Cookie: await login(outsider.owner.email) } })).status).toBe(404);

    expect((await postForm(page, { intent: "revoke", keyId: String(row.id) }, { headers: { Cookie: ownerCookie } })).status).toBe(200);
    await expectProblem(await api("", token!), 401);
  });
});
