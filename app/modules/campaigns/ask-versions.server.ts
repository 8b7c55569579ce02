import { sql } from "kysely";
import type { Executor } from "~/db/db.server";
import type { CampaignInput } from "./lifecycle.schema";
import { read, type Read } from "~/db/one-trip.server";

/**
 * What people sign: the ask, whom it is addressed to and the decision-makers, as one numbered
 * version. Every signature records the version it was given to (signatures.ask_version), so once a
 * campaign has signatures a change of any of the three makes a new version instead of rewriting
 * the one people signed. See docs/decisions/0010.
 */

export type AskTargets = { name: string; role: string; country: string | null }[];
export type AskContent = Pick<CampaignInput, "ask" | "addressedTo"> & { targets: AskTargets };

export function sameAsk(a: AskContent, b: AskContent): boolean {
  const targets = (t: AskTargets) => JSON.stringify(t.map(({ name, role, country }) => ({ name, role, country })));
  return a.ask === b.ask && a.addressedTo === b.addressedTo && targets(a.targets) === targets(b.targets);
}

/** Writes (or, for a version nobody has signed yet, rewrites) one version of the ask. */
export async function writeAskVersion(trx: Executor, campaignId: number, version: number, content: AskContent): Promise<void> {
  const values = {
    ask: content.ask,
    addressed_to: content.addressedTo,
    targets: JSON.stringify(content.targets.map(({ name, role, country }) => ({ name, role, country }))),
  };
  await trx
    .insertInto("campaign_ask_versions")
    .values({ campaign_id: campaignId, version, ...values })
    .onConflict((oc) => oc.columns(["campaign_id", "version"]).doUpdateSet(values))
    .execute();
}

export interface AskVersion {
  version: number;
  ask: string;
  addressedTo: string;
  targets: { name: string; role: string; country: string | null }[];
  createdAt: Date;
}

/** Every version of a campaign's ask, oldest first. */
export function askVersionsRead(db: Executor, campaignId: number): Read<AskVersion[]> {
  const query = db
    .selectFrom("campaign_ask_versions")
    .select(["version", "ask", "addressed_to", "targets", "created_at"])
    .where("campaign_id", "=", campaignId)
    .orderBy("version");
  return read(query, (rows) => rows.map((r) => ({ version: r.version, ask: r.ask, addressedTo: r.addressed_to, targets: r.targets, createdAt: r.created_at })));
}

/**
 * Replaces a campaign's decision-makers, keeping the row (and so the recorded response) of every
 * one whose name stays. Positions are unique per campaign, so kept rows first move out of the way.
 */
export async function writeTargets(trx: Executor, campaignId: number, targets: AskTargets): Promise<void> {
  const names = targets.map((t) => t.name);
  const existing = await trx.selectFrom("campaign_targets").select(["id", "name"]).where("campaign_id", "=", campaignId).execute();
  const keep = new Map<string, number>();
  for (const row of existing) if (names.includes(row.name) && !keep.has(row.name)) keep.set(row.name, row.id);
  const drop = existing.filter((row) => keep.get(row.name) !== row.id).map((row) => row.id);
  if (drop.length) await trx.deleteFrom("campaign_targets").where("id", "in", drop).execute();
  if (keep.size) await trx.updateTable("campaign_targets").set({ position: sql`-1 - position` }).where("id", "in", [...keep.values()]).execute();
  for (const [position, t] of targets.entries()) {
    const id = keep.get(t.name);
    if (id !== undefined) {
      keep.delete(t.name); // a name given twice: the second becomes a new row
      await trx.updateTable("campaign_targets").set({ position, role: t.role, country: t.country }).where("id", "=", id).execute();
    } else {
      await trx.insertInto("campaign_targets").values({ campaign_id: campaignId, position, name: t.name, role: t.role, country: t.country }).execute();
    }
  }
}
