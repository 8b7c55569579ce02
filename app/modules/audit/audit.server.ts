import type { Kysely } from "kysely";
import type { DB } from "~/db/schema";

export interface AuditEntry {
  /** the user who acted; null for the system (jobs) or an API key */
  actorUserId: number | null;
  /** how to name the actor later even if the account is gone: an email, "api-key 12", "system" */
  actorLabel: string;
  /** dotted verb, e.g. "export.signatures", "signatures.invalidate", "user.promote" */
  action: string;
  campaignId?: number | null;
  organisationId?: number | null;
  /** what was acted on, in words a reader of the log understands (an email, an IP range, a slug) */
  subject?: string | null;
  details?: Record<string, unknown>;
  rowCount?: number | null;
}

const ACTION = /^[a-z][a-z0-9_.-]{1,63}$/;

/**
 * Appends one line to the audit log. Pass the transaction that does the audited change, so the
 * change and its record commit together (or neither does).
 */
export async function recordAudit(db: Kysely<DB>, entry: AuditEntry): Promise<number> {
  if (!ACTION.test(entry.action)) throw new Error(`bad audit action ${JSON.stringify(entry.action)}`);
  const row = await db
    .insertInto("audit_log")
    .values({
      actor_user_id: entry.actorUserId,
      actor_label: entry.actorLabel.slice(0, 320),
      action: entry.action,
      campaign_id: entry.campaignId ?? null,
      organisation_id: entry.organisationId ?? null,
      subject: entry.subject?.slice(0, 500) ?? null,
      details: JSON.stringify(entry.details ?? {}),
      row_count: entry.rowCount ?? null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface AuditFilter {
  actorUserId?: number;
  action?: string;
  campaignId?: number;
  /** entries older than this id (keyset paging, newest first) */
  beforeId?: number;
  limit?: number;
}

export async function listAudit(db: Kysely<DB>, filter: AuditFilter = {}) {
  let q = db
    .selectFrom("audit_log")
    .leftJoin("campaigns", "campaigns.id", "audit_log.campaign_id")
    .select([
      "audit_log.id",
      "audit_log.created_at",
      "audit_log.actor_user_id",
      "audit_log.actor_label",
      "audit_log.action",
      "audit_log.campaign_id",
      "campaigns.slug as campaign_slug",
      "audit_log.organisation_id",
      "audit_log.subject",
      "audit_log.details",
      "audit_log.row_count",
    ])
    .orderBy("audit_log.id", "desc")
    .limit(Math.min(Math.max(filter.limit ?? 50, 1), 500));
  if (filter.actorUserId !== undefined) q = q.where("audit_log.actor_user_id", "=", filter.actorUserId);
  if (filter.action) q = q.where("audit_log.action", "like", `${filter.action.replace(/[\\%_]/g, "\\$&")}%`);
  if (filter.campaignId !== undefined) q = q.where("audit_log.campaign_id", "=", filter.campaignId);
  if (filter.beforeId !== undefined) q = q.where("audit_log.id", "<", filter.beforeId);
  return q.execute();
}
