import type { Executor } from "~/db/db.server";
import { listPublicCampaigns } from "~/modules/campaigns/campaigns.queries.server";
import { logoPath } from "./organisation-logo.server";

/**
 * An organisation as the public sees it: its name, its logo and the campaigns it hosts that the
 * public may see (open ones, then closed ones). Drafts, campaigns in review and members stay out.
 * Undefined when there is no such organisation.
 */
export async function findPublicOrganisation(db: Executor, slug: string, locale: string) {
  const org = await db.selectFrom("organisations").select(["id", "slug", "name", "logo_hash"]).where("slug", "=", slug).executeTakeFirst();
  if (!org) return undefined;
  const campaigns = await listPublicCampaigns(db, { locale, organisationId: org.id });
  const summary = ({ slug, title, summary, contentLocale, goal, signatureCount }: (typeof campaigns)[number]) => ({ slug, title, summary, contentLocale, goal, signatureCount });
  return {
    organisation: { slug: org.slug, name: org.name, logoUrl: org.logo_hash ? logoPath(org.id, org.logo_hash) : null },
    open: campaigns.filter((c) => c.status === "published").map(summary),
    closed: campaigns.filter((c) => c.status === "closed").map(summary),
  };
}
