import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type pg from "pg";
import { poolOf, type Database } from "~/db/db.server";
import { isIn, UNFINISHED_EXPORT_STATUSES } from "~/db/states";
import { recordAudit } from "~/modules/audit/audit.server";
import { canonicalRow, chainNext, chainStart, CANONICAL_ROW_DESCRIPTION, DELIVERY_FORMAT, type DeliveryHeader } from "./delivery-chain";
import { csvLine, neutraliseFormula, UTF8_BOM } from "./csv";
import { copyOut, storeExportFile } from "./export-files.server";
import { auditActionFor } from "./request-export.server";
import { SIGNATURE_EXPORT_HEADER, signatureExportCopy } from "./signature-rows.server";

// One writer per export, whatever BullMQ does: a lease in the export's row (not a session lock,
// which a transaction-pooling PgBouncer would hand to other clients), renewed at every piece written.
const LEASE = sql`interval '2 minutes'`;
const DELIVERY_BATCH = 5_000;

type ExportRow = Awaited<ReturnType<typeof loadExport>>;

async function loadExport(db: Database, exportId: number) {
  return db
    .selectFrom("exports as e")
    .innerJoin("campaigns as c", "c.id", "e.campaign_id")
    .leftJoin("campaign_targets as t", "t.id", "e.target_id")
    .select([
      "e.id",
      "e.kind",
      "e.status",
      "e.campaign_id",
      "e.partner_id",
      "e.target_id",
      "e.requested_by",
      "e.requested_by_label",
      "e.with_bom",
      "e.expires_at",
      "c.slug",
      "c.organisation_id",
      "t.name as target_name",
      "t.role as target_role",
    ])
    .where("e.id", "=", exportId)
    .executeTakeFirst();
}

/**
 * Writes an export's file: the worker's side of requestExport. Idempotent: a finished, failed
 * or expired export is left alone, and a retry after a crash starts the file again. Returns what it
 * did, for the job's log.
 */
export async function runExport(db: Database, exportId: number): Promise<"written" | "skipped"> {
  const job = await loadExport(db, exportId);
  if (!job || job.status === "done" || job.status === "failed" || job.expires_at.getTime() < Date.now()) return "skipped";
  if (job.kind === "delivery" && job.target_name === null) {
    await markExportFailed(db, exportId, "the decision-maker was removed");
    return "skipped";
  }
  const leaseToken = randomUUID();
  const claimed = await db
    .updateTable("exports")
    .set({ status: "running", started_at: sql`now()`, rows_done: 0, lease_token: leaseToken, lease_expires_at: sql`now() + ${LEASE}` })
    .where("id", "=", exportId)
    .where("status", "in", UNFINISHED_EXPORT_STATUSES)
    .where((eb) => eb.or([eb("lease_expires_at", "is", null), eb("lease_expires_at", "<", sql<Date>`now()`)]))
    .returning("id")
    .executeTakeFirst();
  if (!claimed) {
    const now = await loadExport(db, exportId);
    if (now && isIn(UNFINISHED_EXPORT_STATUSES, now.status)) throw new Error(`export ${exportId} is being written by another run`);
    return "skipped";
  }
  const client = await poolOf(db).connect();
  try {
    const progress = async (lines: number) => {
      const renewed = await db
        .updateTable("exports")
        .set({ rows_done: Math.max(0, lines - 1), lease_expires_at: sql`now() + ${LEASE}` }) // the header is a line, not a row
        .where("id", "=", exportId)
        .where("lease_token", "=", leaseToken)
        .executeTakeFirst();
      if (Number(renewed.numUpdatedRows) === 0) throw new Error(`export ${exportId}: the lease lapsed and another run took over`);
    };

    const written = job.kind === "delivery" ? await writeDelivery(db, client, job, progress) : await writeSignatures(db, client, job, progress);

    await db.transaction().execute(async (trx) => {
      const finished = await trx
        .updateTable("exports")
        .set({ status: "done", rows_done: written.rows, byte_size: written.bytes, finished_at: sql`now()`, lease_token: null, lease_expires_at: null })
        .where("id", "=", exportId)
        .where("status", "=", "running")
        .where("lease_token", "=", leaseToken)
        .returning("id")
        .executeTakeFirst();
      if (!finished) return;
      if (written.delivery) {
        await trx
          .insertInto("delivery_bundles")
          .values({
            campaign_id: job.campaign_id,
            export_id: exportId,
            target_id: job.target_id,
            target_name: written.delivery.target.name,
            target_role: written.delivery.target.role,
            row_count: written.rows,
            final_hash: written.delivery.finalHash,
            manifest: JSON.stringify(written.delivery),
            created_by: job.requested_by,
            created_at: written.delivery.snapshotAt,
          })
          .execute();
      }
      await recordAudit(trx, {
        actorUserId: job.requested_by,
        actorLabel: job.requested_by_label,
        action: auditActionFor(job.kind === "partner" ? { kind: "partner", partnerId: job.partner_id! } : job.kind === "delivery" ? { kind: "delivery", targetId: job.target_id! } : { kind: "signatures" }),
        campaignId: job.campaign_id,
        organisationId: job.organisation_id,
        subject: job.slug,
        details: { delivery: "link", exportId, ...(job.partner_id ? { partnerId: job.partner_id } : {}), ...(written.delivery ? { finalHash: written.delivery.finalHash } : {}) },
        rowCount: written.rows,
      });
    });
    client.release();
    return "written";
  } catch (error) {
    // The connection may be halfway through a COPY: destroy it.
    client.release(error as Error);
    // Let the next attempt start at once rather than wait for the lease to lapse.
    await db
      .updateTable("exports")
      .set({ lease_expires_at: null })
      .where("id", "=", exportId)
      .where("lease_token", "=", leaseToken)
      .execute()
      .catch(() => undefined);
    throw error;
  }
}

export async function markExportFailed(db: Database, exportId: number, reason: string): Promise<void> {
  await db
    .updateTable("exports")
    .set({ status: "failed", error: reason.slice(0, 500), finished_at: sql`now()` })
    .where("id", "=", exportId)
    .where("status", "in", UNFINISHED_EXPORT_STATUSES)
    .execute();
}

interface Written {
  rows: number;
  bytes: number;
  delivery?: DeliveryManifest;
}

/** A full or partner export: COPY in one snapshot, so the file and its row count agree. */
async function writeSignatures(db: Database, client: pg.PoolClient, job: NonNullable<ExportRow>, progress: (lines: number) => Promise<void>): Promise<Written> {
  const prefix = (job.with_bom ? UTF8_BOM : "") + csvLine(SIGNATURE_EXPORT_HEADER);
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  let copyFinished!: (error?: Error) => void;
  const finished = new Promise<Error | undefined>((resolve) => (copyFinished = resolve));
  const copy = copyOut(client, signatureExportCopy(job.campaign_id, job.kind === "partner" ? job.partner_id : null), prefix, (error) => copyFinished(error));
  const stored = await storeExportFile(db, job.id, copy.body, progress);
  const copyError = await finished;
  if (copyError) throw copyError;
  await client.query("COMMIT");
  return { rows: copy.rowCount(), bytes: stored.bytes };
}

export interface DeliveryManifest extends DeliveryHeader {
  rowCount: number;
  h0: string;
  finalHash: string;
  canonicalRow: string;
  csvColumns: ["name", "country"];
}

/**
 * A delivery bundle: names and countries of the confirmed signers, read through a cursor in one
 * snapshot, hashed row by row into the chain as they are written.
 */
async function writeDelivery(db: Database, client: pg.PoolClient, job: NonNullable<ExportRow>, progress: (lines: number) => Promise<void>): Promise<Written> {
  const header: DeliveryHeader = {
    format: DELIVERY_FORMAT,
    campaign: job.slug,
    target: { name: job.target_name!, role: job.target_role ?? "" },
    snapshotAt: new Date().toISOString(),
  };
  const h0 = chainStart(header);
  let hash = h0;
  let rows = 0;
  async function* lines(): AsyncGenerator<string> {
    yield csvLine(["name", "country"]);
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await client.query(
      `DECLARE delivery NO SCROLL CURSOR FOR
         SELECT s.name, s.country FROM signatures s
         WHERE s.campaign_id = $1 AND s.status = 'confirmed' AND s.erased_at IS NULL AND s.name IS NOT NULL
         ORDER BY s.id`,
      [job.campaign_id],
    );
    for (;;) {
      const batch = await client.query<{ name: string; country: string }>(`FETCH ${DELIVERY_BATCH} FROM delivery`);
      if (batch.rows.length === 0) break;
      let text = "";
      for (const row of batch.rows) {
        const name = neutraliseFormula(row.name);
        const country = neutraliseFormula(row.country);
        hash = chainNext(hash, canonicalRow(name, country));
        text += csvLine([name, country]);
        rows++;
      }
      yield text;
    }
    await client.query("COMMIT");
  }
  const stored = await storeExportFile(db, job.id, lines(), progress);
  const manifest: DeliveryManifest = {
    ...header,
    rowCount: rows,
    h0: h0.toString("hex"),
    finalHash: hash.toString("hex"),
    canonicalRow: CANONICAL_ROW_DESCRIPTION,
    csvColumns: ["name", "country"],
  };
  return { rows, bytes: stored.bytes, delivery: manifest };
}
