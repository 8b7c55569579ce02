import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import type { Actor } from "~/modules/access/actor.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { getCampaignCounts } from "~/modules/counts/counts.server";
import { authorizeExport } from "./access.server";
import { csvDocument } from "./csv";
import type { CountsBreakdown, CountsFormat } from "./exports.schema";

export interface CountsExport {
  fileName: string;
  contentType: string;
  body: string;
  rows: number;
}

interface CountsTable {
  header: string[];
  rows: (string | number)[][];
}

/**
 * Totals, countries and days come from the same folded tables as the public API
 * (/api/v1/campaigns/:slug), so the numbers are the ones the public sees. Partners have no folded
 * table: they are counted from the confirmed signatures, so their sum can trail the total by the
 * fold interval (about a second).
 */
async function countsTable(db: Database, campaignId: number, by: CountsBreakdown): Promise<CountsTable> {
  switch (by) {
    case "total": {
      const counts = await getCampaignCounts(db, campaignId);
      return { header: ["confirmed"], rows: [[counts.total]] };
    }
    case "country": {
      const counts = await getCampaignCounts(db, campaignId);
      return { header: ["country", "confirmed"], rows: Object.entries(counts.byCountry).map(([country, n]) => [country, n]) };
    }
    case "day": {
      const days = await db
        .selectFrom("campaign_daily_counts")
        .select(["day", "confirmed"])
        .where("campaign_id", "=", campaignId)
        .where("confirmed", "!=", 0)
        .orderBy("day")
        .execute();
      return { header: ["day", "confirmed"], rows: days.map((d) => [d.day, d.confirmed]) };
    }
    case "partner": {
      const partners = await db
        .selectFrom("signatures as s")
        .leftJoin("campaign_partners as p", "p.id", "s.partner_id")
        .leftJoin("organisations as o", "o.id", "p.organisation_id")
        .select(["o.slug", "o.name", sql<number>`count(*)::int`.as("confirmed")])
        .where("s.campaign_id", "=", campaignId)
        .where("s.status", "=", "confirmed")
        .groupBy(["o.slug", "o.name"])
        .orderBy(sql`o.slug nulls first`)
        .execute();
      // Signers no partner brought are one row with an empty partner.
      return { header: ["partner", "partner_name", "confirmed"], rows: partners.map((p) => [p.slug ?? "", p.name ?? "", p.confirmed]) };
    }
  }
}

/** A campaign's counts as CSV or JSON; the export is written to the audit log. */
export async function exportCounts(
  db: Database,
  actor: Actor,
  campaignId: number,
  opts: { by: CountsBreakdown; format: CountsFormat; bom: boolean },
): Promise<CountsExport> {
  const { campaign } = await authorizeExport(db, actor, campaignId, "counts");
  const table = await countsTable(db, campaignId, opts.by);
  await recordAudit(db, {
    actorUserId: actor.id,
    actorLabel: actor.email,
    action: "export.counts",
    campaignId,
    organisationId: campaign.organisationId,
    subject: campaign.slug,
    details: { by: opts.by, format: opts.format },
    rowCount: table.rows.length,
  });
  const fileName = `${campaign.slug}-counts-${opts.by}.${opts.format}`;
  if (opts.format === "json") {
    const rows = table.rows.map((row) => Object.fromEntries(table.header.map((h, i) => [h, row[i]])));
    const body = JSON.stringify({ campaign: campaign.slug, by: opts.by, generatedAt: new Date().toISOString(), rows }, null, 2);
    return { fileName, contentType: "application/json; charset=utf-8", body, rows: rows.length };
  }
  return { fileName, contentType: "text/csv; charset=utf-8", body: csvDocument(table.header, table.rows, { bom: opts.bom }), rows: table.rows.length };
}
