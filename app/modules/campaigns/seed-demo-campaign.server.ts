import { sql, type Transaction } from "kysely";
import sharp from "sharp";
import type { Database } from "~/db/db.server";
import type { DB } from "~/db/schema";
import { encodeLogo } from "~/modules/organisations/organisation-logo.server";
import { writeAskVersion } from "./ask-versions.server";
import { DEMO_ASK_VERSION, DEMO_CAMPAIGN, DEMO_CAMPAIGN_TRANSLATIONS, DEMO_HOST } from "./demo-campaign";

/**
 * Seeds the demo campaign, in all of Banner's languages, into an empty database. A database whose
 * demo campaign predates translations (an earlier `npm start`) gets them added, once: a demo
 * campaign that already has any translation is left exactly as its organisers keep it. A demo
 * campaign without a host organisation (seeded before hosts were shown) gets the demo host, once.
 * Returns whether anything was written.
 */
export async function seedDemoCampaign(db: Database): Promise<boolean> {
  // Drawn before the transaction: nothing slow inside it.
  const logo = await encodeLogo(await sharp(Buffer.from(DEMO_HOST.logoSvg)).png().toBuffer());
  return db.transaction().execute(async (trx) => {
    // Two processes starting at once must not both seed.
    await sql`SELECT pg_advisory_xact_lock(${0x7365_6564})`.execute(trx);
    const existing = await trx.selectFrom("campaigns").select("id").limit(1).executeTakeFirst();
    let demoId: number;
    if (!existing) {
      const organisationId = await insertDemoHost(trx, logo);
      const campaign = await trx
        .insertInto("campaigns")
        .values({ ...DEMO_CAMPAIGN, organisation_id: organisationId, ask_version: DEMO_ASK_VERSION, status: "published", published_at: sql`now()` })
        .returning("id")
        .executeTakeFirstOrThrow();
      await trx.insertInto("campaign_counts").values({ campaign_id: campaign.id, confirmed: 0, updated_at: sql`now()` }).execute();
      await writeAskVersion(trx, campaign.id, DEMO_ASK_VERSION, { ask: DEMO_CAMPAIGN.ask, addressedTo: DEMO_CAMPAIGN.addressed_to, targets: [] });
      demoId = campaign.id;
    } else {
      const demo = await trx.selectFrom("campaigns").select(["id", "organisation_id"]).where("slug", "=", DEMO_CAMPAIGN.slug).executeTakeFirst();
      if (!demo) return false;
      let hosted = false;
      if (demo.organisation_id === null) {
        const organisationId = await insertDemoHost(trx, logo);
        await trx.updateTable("campaigns").set({ organisation_id: organisationId }).where("id", "=", demo.id).execute();
        hosted = true;
      }
      const translated = await trx.selectFrom("campaign_translations").select("locale").where("campaign_id", "=", demo.id).limit(1).executeTakeFirst();
      if (translated) return hosted;
      demoId = demo.id;
    }
    // Written for ask version 1: if the demo's ask has changed since, pages will not use them.
    await trx
      .insertInto("campaign_translations")
      .values(Object.entries(DEMO_CAMPAIGN_TRANSLATIONS).map(([locale, texts]) => ({ campaign_id: demoId, locale, ...texts, ask_version: DEMO_ASK_VERSION })))
      .onConflict((oc) => oc.columns(["campaign_id", "locale"]).doNothing())
      .execute();
    return true;
  });
}

/** The demo's host organisation (an existing one of that slug is reused); it has no members. */
async function insertDemoHost(trx: Transaction<DB>, logo: { webp: Buffer; hash: string }): Promise<number> {
  const existing = await trx.selectFrom("organisations").select("id").where("slug", "=", DEMO_HOST.slug).executeTakeFirst();
  if (existing) return existing.id;
  const org = await trx
    .insertInto("organisations")
    .values({ slug: DEMO_HOST.slug, name: DEMO_HOST.name, logo: logo.webp, logo_hash: logo.hash })
    .returning("id")
    .executeTakeFirstOrThrow();
  return org.id;
}
