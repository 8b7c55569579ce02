import { afterAll, beforeAll, expect, it } from "vitest";
import { DEMO_CAMPAIGN, DEMO_HOST } from "~/modules/campaigns/demo-campaign";
import { seedDemoCampaign } from "~/modules/campaigns/seed-demo-campaign.server";
import { createTestDatabase, type TestDatabase } from "../support/db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("demohost");
});
afterAll(async () => {
  await t?.drop();
});

const demo = () =>
  t.db
    .selectFrom("campaigns as c")
    .leftJoin("organisations as o", "o.id", "c.organisation_id")
    .select(["c.id", "o.slug", "o.name", "o.logo_hash"])
    .where("c.slug", "=", DEMO_CAMPAIGN.slug)
    .executeTakeFirstOrThrow();

it("the seeded demo campaign has a host organisation with a logo, and an older demo without one gets it once", async () => {
  await expect(seedDemoCampaign(t.db)).resolves.toBe(true);
  const seeded = await demo();
  expect(seeded).toMatchObject({ slug: DEMO_HOST.slug, name: DEMO_HOST.name });
  expect(seeded.logo_hash).toMatch(/^[a-f0-9]{16}$/);

  // A demo seeded before hosts were shown: no organisation. The next start attaches the host.
  await t.db.updateTable("campaigns").set({ organisation_id: null }).where("id", "=", seeded.id).execute();
  await expect(seedDemoCampaign(t.db)).resolves.toBe(true);
  await expect(demo()).resolves.toMatchObject({ slug: DEMO_HOST.slug });
  // And then nothing more: one host, not a second one.
  await expect(seedDemoCampaign(t.db)).resolves.toBe(false);
  const hosts = await t.db.selectFrom("organisations").select("id").where("slug", "=", DEMO_HOST.slug).execute();
  expect(hosts).toHaveLength(1);
});
