import { sql } from "kysely";
import type { Database, Executor } from "~/db/db.server";
import { MILESTONE_PERCENTS } from "~/db/schema";
import { DEFAULT_LOCALE, isLocale, translator } from "~/i18n/i18n";
import { enqueue } from "~/jobs/outbox.server";
import { sendOnce } from "~/mail/sent-log.server";
import { linkEmail } from "~/mail/templates/link-email";
import { MailDeliveryError, type Mailer } from "~/mail/transport.server";

/**
 * Goal milestones (25, 50, 75 and 100 % of the goal). Called inside the transaction that changed
 * the counts: a milestone reached gets its row and its email job in that same transaction, and
 * the row's primary key (campaign, percent) makes sure it happens once, however often the fold
 * or recount runs. A count that drops and rises again does not announce a milestone twice.
 */
export async function recordMilestones(trx: Executor, campaignIds: number[] | "all"): Promise<{ campaignId: number; percent: number }[]> {
  if (campaignIds !== "all" && campaignIds.length === 0) return [];
  const percents = sql.join(MILESTONE_PERCENTS.map((p) => sql`(${p}::int)`));
  const only = campaignIds === "all" ? sql`true` : sql`c.id IN (${sql.join(campaignIds)})`;
  const reached = await sql<{ campaign_id: number; percent: (typeof MILESTONE_PERCENTS)[number] }>`
    INSERT INTO campaign_milestones (campaign_id, percent, confirmed)
    SELECT c.id, p.percent, n.confirmed
    FROM campaigns c
    JOIN campaign_counts n ON n.campaign_id = c.id
    CROSS JOIN (VALUES ${percents}) AS p (percent)
    WHERE ${only} AND c.status = 'published' AND n.confirmed::bigint * 100 >= c.goal::bigint * p.percent
    ORDER BY c.id, p.percent
    ON CONFLICT (campaign_id, percent) DO NOTHING
    RETURNING campaign_id, percent`.execute(trx);
  // A count that jumps past several milestones at once (a recount, a bulk import) announces the
  // highest only: four emails in a row to each organiser say nothing the last one does not. The
  // lower rows are still recorded, so they are never announced later either.
  const highest = new Map<number, (typeof MILESTONE_PERCENTS)[number]>();
  for (const row of reached.rows) if (row.percent > (highest.get(row.campaign_id) ?? 0)) highest.set(row.campaign_id, row.percent);
  for (const [campaignId, percent] of highest) await enqueue(trx, "campaign.milestone", { campaignId, percent });
  return [...highest].map(([campaignId, percent]) => ({ campaignId, percent }));
}

type Deps = { db: Database; mailer: Mailer; appUrl: string };

/**
 * Emails one milestone to every member of the host organisation, in the campaign's default
 * language. Each (milestone, member) send is recorded in the sent-log, so a retried job only
 * sends what is missing.
 */
export async function sendMilestoneEmails(deps: Deps, job: { campaignId: number; percent: number }): Promise<string> {
  const milestone = await deps.db
    .selectFrom("campaign_milestones as m")
    .innerJoin("campaigns as c", "c.id", "m.campaign_id")
    .select(["c.id", "c.title", "c.goal", "c.locale", "c.organisation_id", "m.percent", "m.confirmed"])
    .where("m.campaign_id", "=", job.campaignId)
    .where("m.percent", "=", job.percent)
    .executeTakeFirst();
  if (!milestone || milestone.organisation_id === null) return "skipped";
  const organisers = await deps.db
    .selectFrom("memberships as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select(["u.id", "u.email", "u.display_name"])
    .where("m.organisation_id", "=", milestone.organisation_id)
    .where("u.disabled_at", "is", null)
    .where("u.email_confirmed_at", "is not", null)
    .orderBy("u.id")
    .execute();
  const locale = isLocale(milestone.locale) ? milestone.locale : DEFAULT_LOCALE;
  const t = translator(locale);
  const kind = "campaign.milestone";
  let sent = 0;
  for (const organiser of organisers) {
    const build = async () =>
      linkEmail({
        to: organiser.email,
        locale,
        subject: t("email.milestone.subject", { title: milestone.title, percent: milestone.percent }),
        greetingName: organiser.display_name,
        paragraphs: [t("email.milestone.body", { title: milestone.title, percent: milestone.percent, count: milestone.confirmed, goal: milestone.goal })],
        link: { url: `${deps.appUrl}/dashboard/campaigns/${milestone.id}`, label: t("email.milestone.link") },
        footer: t("email.milestone.footer"),
      });
    try {
      const outcome = await sendOnce(deps, { dedupeKey: `${kind}:${milestone.id}:${milestone.percent}:${organiser.id}`, kind, userId: organiser.id }, build);
      if (outcome === "sent") sent++;
    } catch (error) {
      // One organiser's address refused for good (recorded in the sent-log) must not cost the
      // others their email; temporary failures retry the job, which skips those already sent.
      if (!(error instanceof MailDeliveryError && error.permanent)) throw error;
    }
  }
  return `sent ${sent} of ${organisers.length}`;
}
