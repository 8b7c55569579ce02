import { listPublicCampaigns } from "~/modules/campaigns/campaigns.queries.server";
import { getDb } from "~/services.server";
import { COUNT_API_CACHE } from "~/utils/http.server";

export async function loader() {
  const campaigns = await listPublicCampaigns(getDb());
  return Response.json(
    {
      campaigns: campaigns.map((c) => ({
        slug: c.slug,
        title: c.title,
        status: c.status,
        goal: c.goal,
        signatureCount: c.signatureCount,
        updatedAt: c.updatedAt.toISOString(),
        url: `/api/v1/campaigns/${c.slug}`,
      })),
    },
    { headers: { "Cache-Control": COUNT_API_CACHE, "Access-Control-Allow-Origin": "*" } },
  );
}
