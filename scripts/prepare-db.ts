import { createDb } from "~/db/db.server";
import { ensureDatabase, migrateToLatest } from "~/db/migrate.server";
import { seedDemoCampaign } from "~/modules/campaigns/seed-demo-campaign.server";

/** Creates the database if missing, migrates it, and seeds the demo campaign when empty. */
export async function prepareDatabase(databaseUrl: string, { seed = true } = {}) {
  const created = await ensureDatabase(databaseUrl);
  const db = createDb({ connectionString: databaseUrl, max: 2, applicationName: "banner-setup" });
  try {
    const result = await migrateToLatest(db);
    const applied = (result.results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
    const seeded = seed ? await seedDemoCampaign(db) : false;
    return { created, applied, seeded };
  } finally {
    await db.destroy();
  }
}
