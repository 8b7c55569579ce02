import type { LoaderFunctionArgs } from "@remix-run/node";
import { findPublicCampaignBySlug } from "~/modules/campaigns/campaigns.queries.server";
import { getCampaignCounts } from "~/modules/counts/counts.server";
import { publicCountsByCountry } from "~/modules/stats/public-countries";
import { getDb } from "~/services.server";
import { problem, COUNT_API_CACHE } from "~/utils/http.server";

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export async function loader({ params }: LoaderFunctionArgs) {
  const slug = params.slug ?? "";
  if (slug.length > 80 || !SLUG.test(slug)) return problem(400, "A campaign slug is lower-case letters, digits and single dashes.");
  const db = getDb();
  const campaign = await findPublicCampaignBySlug(db, slug);
  if (!campaign) return problem(404, `No public campaign has the slug "${slug}".`);
  const counts = await getCampaignCounts(db, campaign.id);
  const updatedAt = [campaign.updated_at, counts.updatedAt].filter((d): d is Date => d instanceof Date).sort((a, b) => b.getTime() - a.getTime())[0]!;
  return Response.json(
    {
      slug: campaign.slug,
      title: campaign.title,
      status: campaign.status,
      goal: campaign.goal,
      signatureCount: counts.total,
      // Countries with fewer signers than the public map's threshold are folded into otherCountries.
      ...publicCountsByCountry(counts.byCountry),
      updatedAt: updatedAt.toISOString(),
    },
    { headers: { "Cache-Control": COUNT_API_CACHE, "Access-Control-Allow-Origin": "*" } },
  );
}
