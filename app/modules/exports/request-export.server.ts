import type { Readable } from "node:stream";
import { sql } from "kysely";
import { poolOf, type Database } from "~/db/db.server";
import { enqueue } from "~/jobs/outbox.server";
import type { Actor } from "~/modules/access/actor.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { AppError } from "~/utils/errors.server";
import { generateToken, hashToken } from "~/utils/tokens.server";
import { authorizeExport, type ExportScope } from "./access.server";
import { csvLine, UTF8_BOM } from "./csv";
import { copyOut } from "./export-files.server";
import { SIGNATURE_EXPORT_HEADER, signatureExportCopy, signatureExportCount } from "./signature-rows.server";

export interface ExportLimits {
  /** at most this many rows download at once; more become a worker job (EXPORT_STREAM_MAX_ROWS) */
  streamMaxRows: number;
  /** how long a finished file's link works (EXPORT_LINK_TTL_HOURS) */
  linkTtlHours: number;
}

export type ExportRequestResult =
  | { kind: "stream"; fileName: string; rows: number; body: Readable }
  | { kind: "job"; exportId: number; token: string };

const today = () => new Date().toISOString().slice(0, 10);

export function exportFileName(slug: string, scope: ExportScope): string {
  if (scope.kind === "partner") return `${slug}-partner-${scope.partnerId}-signatures-${today()}.csv`;
  if (scope.kind === "delivery") return `${slug}-delivery-${scope.targetId}-${today()}.csv`;
  return `${slug}-signatures-${today()}.csv`;
}

export const auditActionFor = (scope: ExportScope) => `export.${scope.kind}`;

/**
 * Asks for a file of signatures. A small one (up to `streamMaxRows`) comes back at once as a
 * stream straight out of PostgreSQL's COPY, counted and copied in one snapshot so the audit log's
 * row count is exact. A larger one, and every delivery bundle, becomes a worker job whose file is
 * fetched later through the returned token (shown once; only its hash is kept).
 */
export async function requestExport(
  db: Database,
  actor: Actor,
  campaignId: number,
  scope: ExportScope,
  opts: ExportLimits & { bom: boolean },
): Promise<ExportRequestResult> {
  const { campaign } = await authorizeExport(db, actor, campaignId, scope);
  const fileName = exportFileName(campaign.slug, scope);
  if (scope.kind === "delivery") {
    const target = await db.selectFrom("campaign_targets").select("id").where("id", "=", scope.targetId).where("campaign_id", "=", campaignId).executeTakeFirst();
    if (!target) throw new AppError("NOT_FOUND", "no such decision-maker");
    return createExportJob(db, actor, campaignId, scope, { fileName, rowsExpected: 0, bom: false, ttlHours: opts.linkTtlHours });
  }

  const partnerId = scope.kind === "partner" ? scope.partnerId : null;
  const client = await poolOf(db).connect();
  let rows: number;
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    rows = (await client.query<{ n: number }>(signatureExportCount(campaignId, partnerId))).rows[0]!.n;
    if (rows <= opts.streamMaxRows) {
      await recordAudit(db, {
        actorUserId: actor.id,
        actorLabel: actor.email,
        action: auditActionFor(scope),
        campaignId,
        organisationId: campaign.organisationId,
        subject: campaign.slug,
        details: { delivery: "download", ...(partnerId ? { partnerId } : {}) },
        rowCount: rows,
      });
      const prefix = (opts.bom ? UTF8_BOM : "") + csvLine(SIGNATURE_EXPORT_HEADER);
      const { body } = copyOut(client, signatureExportCopy(campaignId, partnerId), prefix, (error) => {
        if (error) return client.release(error);
        client.query("COMMIT").then(
          () => client.release(),
          (e: Error) => client.release(e),
        );
      });
      return { kind: "stream", fileName, rows, body };
    }
    await client.query("ROLLBACK");
    client.release();
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
  return createExportJob(db, actor, campaignId, scope, { fileName, rowsExpected: rows, bom: opts.bom, ttlHours: opts.linkTtlHours });
}

async function createExportJob(
  db: Database,
  actor: Actor,
  campaignId: number,
  scope: ExportScope,
  opts: { fileName: string; rowsExpected: number; bom: boolean; ttlHours: number },
): Promise<ExportRequestResult> {
  const token = generateToken();
  const exportId = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("exports")
      .values({
        kind: scope.kind,
        campaign_id: campaignId,
        partner_id: scope.kind === "partner" ? scope.partnerId : null,
        target_id: scope.kind === "delivery" ? scope.targetId : null,
        requested_by: actor.id,
        requested_by_label: actor.email,
        with_bom: opts.bom,
        token_hash: hashToken(token),
        rows_expected: opts.rowsExpected,
        file_name: opts.fileName,
        expires_at: sql<Date>`now() + make_interval(hours => ${opts.ttlHours})`,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await enqueue(trx, "exports.run", { exportId: row.id });
    return row.id;
  });
  return { kind: "job", exportId, token };
}
