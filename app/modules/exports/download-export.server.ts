import type { Database } from "~/db/db.server";
import type { ExportKind, ExportStatus } from "~/db/schema";
import type { Actor } from "~/modules/access/actor.server";
import { AppError, isAppError } from "~/utils/errors.server";
import { isWellFormedToken, tokenMatchesHash, hashToken } from "~/utils/tokens.server";
import { authorizeExport, type ExportScope } from "./access.server";
import { readExportFile } from "./export-files.server";

/**
 * The expiring link of an export written by the worker. The token is the capability, and the
 * holder must still be allowed to export that campaign (someone who left the organisation since
 * cannot use a link they kept). Unknown token: TOKEN_INVALID (404); past its expiry: TOKEN_EXPIRED (410).
 */

export interface ExportStatusView {
  id: number;
  kind: ExportKind;
  status: ExportStatus;
  rowsDone: number;
  rowsExpected: number;
  fileName: string;
  expiresAt: Date;
  campaign: { id: number; slug: string; title: string };
  deliveryBundleId: number | null;
}

/** An export by its link's token, or by its id within a campaign (from the exports page's list). */
type ExportLocator = { token: string } | { campaignId: number; exportId: number };

async function findExport(db: Database, actor: Actor, locator: ExportLocator | string) {
  const by = typeof locator === "string" ? { token: locator } : locator;
  if ("token" in by && !isWellFormedToken(by.token)) throw new AppError("TOKEN_INVALID");
  const row = await db
    .selectFrom("exports as e")
    .innerJoin("campaigns as c", "c.id", "e.campaign_id")
    .leftJoin("delivery_bundles as b", "b.export_id", "e.id")
    .select([
      "e.id",
      "e.kind",
      "e.status",
      "e.token_hash",
      "e.partner_id",
      "e.target_id",
      "e.rows_done",
      "e.rows_expected",
      "e.file_name",
      "e.byte_size",
      "e.expires_at",
      "c.id as campaign_id",
      "c.slug",
      "c.title",
      "b.id as bundle_id",
      "b.manifest",
    ])
    .$if("token" in by, (q) => q.where("e.token_hash", "=", hashToken((by as { token: string }).token)))
    .$if("exportId" in by, (q) => q.where("e.id", "=", (by as { exportId: number }).exportId).where("e.campaign_id", "=", (by as { campaignId: number }).campaignId))
    .executeTakeFirst();
  if (!row || ("token" in by && !tokenMatchesHash(by.token, row.token_hash))) throw new AppError("TOKEN_INVALID");
  const scope: ExportScope =
    row.kind === "partner" ? { kind: "partner", partnerId: row.partner_id! } : row.kind === "delivery" ? { kind: "delivery", targetId: row.target_id ?? 0 } : { kind: "signatures" };
  await authorizeExport(db, actor, row.campaign_id, scope).catch((error) => {
    // To someone not allowed, a link is as unknown as a made-up one.
    throw isAppError(error) ? new AppError("TOKEN_INVALID") : error;
  });
  if (row.expires_at.getTime() <= Date.now()) throw new AppError("TOKEN_EXPIRED");
  return row;
}

export async function getExportStatus(db: Database, actor: Actor, token: string): Promise<ExportStatusView> {
  const row = await findExport(db, actor, token);
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    rowsDone: row.rows_done,
    rowsExpected: row.rows_expected,
    fileName: row.file_name,
    expiresAt: row.expires_at,
    campaign: { id: row.campaign_id, slug: row.slug, title: row.title },
    deliveryBundleId: row.bundle_id,
  };
}

/** The finished file (gzip, as stored) for download; EXPORT_NOT_READY while the worker is still writing it. */
export async function openExportFile(db: Database, actor: Actor, locator: ExportLocator | string) {
  const row = await findExport(db, actor, locator);
  if (row.status !== "done" || row.byte_size === null) throw new AppError("EXPORT_NOT_READY", "the file is not ready");
  return { fileName: row.file_name, gzipBytes: row.byte_size, gzipChunks: readExportFile(db, row.id) };
}

/** The manifest of a delivery bundle, to deliver with its CSV. */
export async function openDeliveryManifest(db: Database, actor: Actor, token: string) {
  const row = await findExport(db, actor, token);
  if (row.kind !== "delivery" || !row.manifest) throw new AppError("EXPORT_NOT_READY", "no manifest (yet)");
  return { fileName: row.file_name.replace(/\.csv$/, ".manifest.json"), manifest: row.manifest };
}
