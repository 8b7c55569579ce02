import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { DEMO_CAMPAIGN } from "./demo-campaign";

/** Seeds the demo campaign into an empty database; does nothing once any campaign exists. */
export async function seedDemoCampaign(db: Database): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    // Two processes starting at once must not both seed.
    await sql`SELECT pg_advisory_xact_lock(${0x7365_6564})`.execute(trx);
    const existing = await trx.selectFrom("campaigns").select("id").limit(1).executeTakeFirst();
    if (existing) return false;
    const campaign = await trx
      .insertInto("campaigns")
      .values({ ...DEMO_CAMPAIGN, status: "published", published_at: sql`now()` })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx.insertInto("campaign_counts").values({ campaign_id: campaign.id, confirmed: 0, updated_at: sql`now()` }).execute();
    return true;
  });
}
