import type { Executor } from "~/db/db.server";
import type { Actor } from "~/modules/access/actor.server";
import { requireAdmin } from "~/modules/access/guards.server";
import { listAudit } from "~/modules/audit/audit.server";
import { normaliseEmail } from "~/modules/signatures/signatures.schema";

export const AUDIT_PAGE_SIZE = 50;

export interface AuditQuery {
  /** the acting user's email */
  actor?: string;
  /** an action or its prefix ("user." matches every user change) */
  action?: string;
  /** the campaign's slug */
  campaign?: string;
  /** entries older than this id */
  before?: number;
}

/**
 * One page of the audit log, newest first. Filters name things as an admin knows them (an email,
 * a slug); one that matches nothing gives an empty page rather than an unfiltered one.
 */
export async function readAuditLog(db: Executor, actor: Actor, query: AuditQuery) {
  requireAdmin(actor);
  let actorUserId: number | undefined;
  let campaignId: number | undefined;
  if (query.actor) {
    const user = await db.selectFrom("users").select("id").where("email_normalized", "=", normaliseEmail(query.actor)).executeTakeFirst();
    if (!user) return { entries: [], nextBefore: null };
    actorUserId = user.id;
  }
  if (query.campaign) {
    const campaign = await db.selectFrom("campaigns").select("id").where("slug", "=", query.campaign).executeTakeFirst();
    if (!campaign) return { entries: [], nextBefore: null };
    campaignId = campaign.id;
  }
  const rows = await listAudit(db, {
    actorUserId,
    campaignId,
    action: query.action,
    beforeId: query.before,
    limit: AUDIT_PAGE_SIZE + 1,
  });
  const entries = rows.slice(0, AUDIT_PAGE_SIZE);
  return { entries, nextBefore: rows.length > AUDIT_PAGE_SIZE ? (entries.at(-1)?.id ?? null) : null };
}
