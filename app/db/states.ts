import type { CampaignStatus, ExportStatus, PartnerStatus, SignatureStatus } from "./schema";

/*
 * Named sets of states, one per idea the code asks about more than once. Query with them
 * (`where("status", "in", PUBLIC_CAMPAIGN_STATUSES)`, or `sql.join` in raw SQL) rather than
 * spelling the states out again: a state added later then lands in every query at once.
 */

/** Campaigns the public may see: open for signing, or closed with their count kept on show. */
export const PUBLIC_CAMPAIGN_STATUSES = ["published", "closed"] as const satisfies readonly CampaignStatus[];

/** Campaigns whose text and picture the organisers may still change. */
export const EDITABLE_CAMPAIGN_STATUSES = ["draft", "published"] as const satisfies readonly CampaignStatus[];

/** Signatures that count, or will once their email is confirmed; fraud checks and invalidations look only at these. */
export const COUNTED_SIGNATURE_STATUSES = ["pending", "confirmed"] as const satisfies readonly SignatureStatus[];

/** Partnerships still in force: invited and not yet answered, or accepted. */
export const ACTIVE_PARTNER_STATUSES = ["invited", "accepted"] as const satisfies readonly PartnerStatus[];

/** Exports the worker has not finished with yet. */
export const UNFINISHED_EXPORT_STATUSES = ["queued", "running"] as const satisfies readonly ExportStatus[];

/** Whether `status` is one of `set`: narrows a plain status to the set's members. */
export function isIn<S extends string>(set: readonly S[], status: string): status is S {
  return (set as readonly string[]).includes(status);
}
