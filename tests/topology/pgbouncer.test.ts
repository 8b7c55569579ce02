import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, executePrepared, poolOf, reachesPostgresDirectly, type Database } from "~/db/db.server";
import { countConfirmedFromScratch, foldCountChanges, getCampaignCounts, recountCampaigns } from "~/modules/counts/counts.server";
import { requestExport } from "~/modules/exports/request-export.server";
import { runExport } from "~/modules/exports/run-export.server";
import { confirmSignature } from "~/modules/signatures/confirm-signature.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, createTestUser, signer } from "../support/fixtures";
import { startPgBouncer, type PgBouncer } from "./engines";

// Everything the web and the worker do to Postgres, through PgBouncer 1.18 in transaction
// pooling with three server connections shared by a client pool of ten.
let t: TestDatabase;
let bouncer: PgBouncer;
let pooled: Database;

beforeAll(async () => {
  t = await createTestDatabase("bouncer");
  bouncer = await startPgBouncer({ poolSize: 3 });
  pooled = createDb({ connectionString: bouncer.url(t.name), max: 10, applicationName: "banner-test-pooled" });
});
afterAll(async () => {
  await pooled?.destroy();
  await t?.drop(); // drops with FORCE, which also ends PgBouncer's server connections
  await bouncer?.stop();
});

describe("through a transaction-pooling PgBouncer", () => {
  it("tells a pooled connection from a direct one", async () => {
    expect(await reachesPostgresDirectly(poolOf(t.db))).toBe(true);
    expect(await reachesPostgresDirectly(poolOf(pooled))).toBe(false);
  });

  it("runs the hot prepared statements again and again from many clients", async () => {
    const campaign = await createCampaign(t.db);
    const compiled = pooled.selectFrom("campaigns").select("slug").where("id", "=", campaign.id).compile();
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () => executePrepared(pooled, "banner_topology_probe", compiled)),
    );
    const failures = results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason));
    expect(failures.slice(0, 3)).toEqual([]);
  });

  it("signs, confirms and counts exactly while folds and recounts run side by side, leaving no lock behind", async () => {
    const campaign = await createCampaign(t.db);
    const N = 40;
    const tokens: string[] = [];
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const input = signer({ country: i % 2 ? "PK" : "MY" });
        await signCampaign(pooled, { campaignSlug: campaign.slug, input, locale: "en" });
        const row = await pooled.selectFrom("signatures").select("id").where("email", "=", input.email).executeTakeFirstOrThrow();
        tokens.push(await issueVerificationToken(pooled, row.id));
      }),
    );
    expect(tokens).toHaveLength(N);

    // Confirmations, folds and recounts at once, each recount and fold from its own client.
    const withTimeout = <T>(p: Promise<T>, what: string) =>
      Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} waited 15 s for a lock`)), 15_000))]);
    await withTimeout(
      Promise.all([
        ...tokens.map((token) => confirmSignature(pooled, token)),
        ...Array.from({ length: 6 }, (_, i) => (i % 2 ? recountCampaigns(pooled, campaign.id) : foldCountChanges(pooled))),
      ]),
      "confirming and counting",
    );
    await withTimeout(foldCountChanges(pooled), "the last fold");
    await withTimeout(recountCampaigns(pooled), "a full recount");

    const counts = await getCampaignCounts(pooled, campaign.id);
    expect(counts.total).toBe(N);
    expect(counts.byCountry).toEqual((await countConfirmedFromScratch(t.db, campaign.id)).byCountry);

    // A session lock taken through PgBouncer stays on whichever server connection ran it.
    const held = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`.execute(t.db);
    expect(held.rows[0]!.n).toBe(0);
  });

  it("writes an export once when several runs of its job start together", async () => {
    const campaign = await createCampaign(t.db);
    const admin = await createTestUser(t.db, "admin");
    await sql`
      INSERT INTO signatures (campaign_id, status, name, email, email_normalized, country, public_name, opt_in, consent_version, locale, confirmed_at)
      SELECT ${campaign.id}, 'confirmed', 'Signer ' || n, 'pooled-' || n || '@example.org', 'pooled-' || n || '@example.org', 'PK', false, false, '2026-11', 'en', now()
      FROM generate_series(1, 2000) AS n`.execute(t.db);
    const asked = await requestExport(pooled, admin, campaign.id, { kind: "signatures" }, { streamMaxRows: 0, linkTtlHours: 1, bom: false });
    if (asked.kind !== "job") throw new Error("expected an export job");
    const runs = await Promise.allSettled(Array.from({ length: 4 }, () => runExport(pooled, asked.exportId)));
    expect(runs.filter((r) => r.status === "fulfilled" && r.value === "written")).toHaveLength(1);
    const row = await t.db.selectFrom("exports").select(["status", "rows_done"]).where("id", "=", asked.exportId).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "done", rows_done: 2000 });
    const audits = await t.db.selectFrom("audit_log").select("id").where("campaign_id", "=", campaign.id).where("action", "=", "export.signatures").execute();
    expect(audits).toHaveLength(1);
    // A replay after it finished leaves the file alone.
    expect(await runExport(pooled, asked.exportId)).toBe("skipped");
  });
});
