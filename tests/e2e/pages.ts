/**
 * Every page the accessibility checks visit, in one list: add a page here and the axe test
 * (tests/e2e/a11y.test.ts) checks it in every language it runs. Also the data those pages need.
 */
import { randomBytes } from "node:crypto";
import type { Database } from "~/db/db.server";
import type { Actor } from "~/modules/access/actor.server";
import { DEMO_CAMPAIGN, DEMO_HOST } from "~/modules/campaigns/demo-campaign";
import { createCampaign, submitForReview } from "~/modules/campaigns/manage-campaigns.server";
import { seedDemoCampaign } from "~/modules/campaigns/seed-demo-campaign.server";
import { createOrganisation } from "~/modules/organisations/organisations.server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { CONSENT_VERSION } from "~/modules/signatures/signatures.fields";
import { createUpdate } from "~/modules/updates/updates.server";
import { generateToken, hashToken } from "~/utils/tokens.server";
import { createTestUser } from "../support/fixtures";
import { postForm } from "../support/web";

export type Audience = "public" | "organiser" | "admin";

export interface PageFixtures {
  slug: string;
  verifyToken: string;
  unsubscribeToken: string;
  orgSlug: string;
  draftCampaignId: number;
  updateId: number;
}

export interface CheckedPage {
  name: string;
  audience: Audience;
  /** Public pages with a language prefix (/ur/...); the others take ?lang=. */
  prefixable?: boolean;
  path: (f: PageFixtures) => string;
}

export const PAGES: CheckedPage[] = [
  { name: "home", audience: "public", prefixable: true, path: () => "/" },
  { name: "campaign", audience: "public", prefixable: true, path: (f) => `/campaigns/${f.slug}` },
  { name: "signed", audience: "public", prefixable: true, path: (f) => `/campaigns/${f.slug}/signed` },
  { name: "host organisation", audience: "public", prefixable: true, path: () => `/organisations/${DEMO_HOST.slug}` },
  { name: "verify", audience: "public", path: (f) => `/verify/${f.verifyToken}` },
  { name: "unsubscribe", audience: "public", path: (f) => `/unsubscribe/${f.unsubscribeToken}` },
  { name: "not found", audience: "public", path: () => "/no-such-page" },
  { name: "log in", audience: "public", path: () => "/login" },
  { name: "sign up", audience: "public", path: () => "/signup" },
  { name: "forgot password", audience: "public", path: () => "/forgot-password" },
  { name: "privacy", audience: "public", prefixable: true, path: () => "/privacy" },
  { name: "QR code", audience: "public", prefixable: true, path: (f) => `/campaigns/${f.slug}/qr` },
  { name: "widget", audience: "public", path: (f) => `/embed/campaigns/${f.slug}` },
  { name: "dashboard", audience: "organiser", path: () => "/dashboard" },
  { name: "organisation", audience: "organiser", path: (f) => `/dashboard/orgs/${f.orgSlug}` },
  { name: "campaign edit", audience: "organiser", path: (f) => `/dashboard/campaigns/${f.draftCampaignId}` },
  { name: "campaign translations", audience: "organiser", path: (f) => `/dashboard/campaigns/${f.draftCampaignId}/translations` },
  { name: "campaign preview", audience: "organiser", path: (f) => `/dashboard/campaigns/${f.draftCampaignId}/preview` },
  { name: "new update", audience: "organiser", path: (f) => `/dashboard/campaigns/${f.draftCampaignId}/updates/new` },
  { name: "update", audience: "organiser", path: (f) => `/dashboard/updates/${f.updateId}` },
  { name: "campaign exports", audience: "organiser", path: (f) => `/dashboard/campaigns/${f.draftCampaignId}/exports` },
  { name: "campaign partners", audience: "organiser", path: (f) => `/dashboard/campaigns/${f.draftCampaignId}/partners` },
  { name: "campaign responses", audience: "organiser", path: (f) => `/dashboard/campaigns/${f.draftCampaignId}/responses` },
  { name: "supporters' reasons", audience: "organiser", path: (f) => `/dashboard/campaigns/${f.draftCampaignId}/comments` },
  { name: "campaign embed", audience: "organiser", path: (f) => `/dashboard/campaigns/${f.draftCampaignId}/embed` },
  { name: "campaign numbers", audience: "organiser", path: (f) => `/dashboard/campaigns/${f.draftCampaignId}/stats` },
  { name: "API keys", audience: "organiser", path: (f) => `/dashboard/orgs/${f.orgSlug}/api-keys` },
  { name: "admin console", audience: "admin", path: () => "/admin" },
  { name: "review console", audience: "admin", path: () => "/admin/reviews" },
  { name: "admin users", audience: "admin", path: () => "/admin/users" },
  { name: "admin organisations", audience: "admin", path: () => "/admin/organisations" },
  { name: "admin audit log", audience: "admin", path: () => "/admin/audit" },
  { name: "admin queues", audience: "admin", path: () => "/admin/queues" },
  { name: "admin privacy", audience: "admin", path: () => "/admin/privacy" },
  { name: "admin exports", audience: "admin", path: () => "/admin/exports" },
  { name: "admin fraud", audience: "admin", path: () => "/admin/fraud" },
  { name: "admin fraud campaign", audience: "admin", path: (f) => `/admin/fraud/${f.draftCampaignId}` },
];

/** The page's URL in `locale`: a path prefix where the page has one, `?lang=` otherwise. */
export function pageUrl(base: string, page: CheckedPage, fixtures: PageFixtures, locale: string): string {
  const path = page.path(fixtures);
  if (page.prefixable) return `${base}/${locale}${path === "/" ? "" : path}`;
  return `${base}${path}${path.includes("?") ? "&" : "?"}lang=${locale}`;
}

export const PASSWORD = "a passphrase long enough";

export async function createUser(db: Database, label: string, role: "user" | "admin" = "user"): Promise<Actor> {
  return createTestUser(db, role, label, { password: PASSWORD, displayName: `${label} person` });
}

/** Logs in through the real form and returns the session cookie's name and value. */
export async function logInCookie(webUrl: string, email: string): Promise<{ name: string; value: string }> {
  const res = await postForm(`${webUrl}/login`, { email, password: PASSWORD });
  const [pair] = (res.headers.get("set-cookie") ?? "").split(";");
  const eq = pair!.indexOf("=");
  if (res.status !== 302 && res.status !== 303) throw new Error(`log-in failed with ${res.status}`);
  return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1) };
}

/**
 * The demo campaign with a pending signature (for /verify) and a delivered update (for
 * /unsubscribe); an organisation with a draft campaign and an update; a campaign in review.
 */
export async function createPageFixtures(db: Database, organiser: Actor): Promise<PageFixtures> {
  await seedDemoCampaign(db);
  const demo = await db.selectFrom("campaigns").select("id").where("slug", "=", DEMO_CAMPAIGN.slug).executeTakeFirstOrThrow();
  const signature = await db
    .insertInto("signatures")
    .values({ campaign_id: demo.id, name: "Farah Ahmed", email: "farah@example.org", email_normalized: "farah@example.org", country: "PK", locale: "ur", public_name: false, opt_in: true, consent_version: CONSENT_VERSION })
    .returning("id")
    .executeTakeFirstOrThrow();
  const verifyToken = await issueVerificationToken(db, signature.id);
  const unsubscribeToken = generateToken();
  const sent = await db.insertInto("updates").values({ campaign_id: demo.id, subject: "News", body_md: "News.", status: "sent" }).returning("id").executeTakeFirstOrThrow();
  const delivery = await db.insertInto("update_deliveries").values({ update_id: sent.id, signature_id: signature.id, status: "sent" }).returning("id").executeTakeFirstOrThrow();
  await db.insertInto("update_unsubscribe_tokens").values({ delivery_id: delivery.id, token_hash: hashToken(unsubscribeToken) }).execute();

  const org = await createOrganisation(db, organiser, { name: "Kashmir Solidarity Network", slug: `ksn-${randomBytes(3).toString("hex")}` });
  const campaignInput = (slug: string, title: string) => ({
    slug,
    title,
    summary: "The foreign ministers should meet on Kashmir.",
    ask: "Convene the Council of Foreign Ministers on Kashmir.",
    addressedTo: "The OIC",
    argumentMd: "## Why\n\nBecause it is overdue.",
    goal: 1000,
    deadline: null,
    targets: [{ name: "OIC Secretary-General", role: "Secretary-General", country: "SA" as const }],
  });
  const draft = await createCampaign(db, organiser, org.slug, campaignInput(`draft-${randomBytes(3).toString("hex")}`, "A draft campaign"));
  const reviewed = await createCampaign(db, organiser, org.slug, campaignInput(`review-${randomBytes(3).toString("hex")}`, "A campaign in review"));
  await submitForReview(db, organiser, reviewed.id);
  const update = await createUpdate(db, organiser, draft.id, { subject: "We are on our way", bodyMd: "Thank you.", countries: null });
  return { slug: DEMO_CAMPAIGN.slug, verifyToken, unsubscribeToken, orgSlug: org.slug, draftCampaignId: draft.id, updateId: update.id };
}
