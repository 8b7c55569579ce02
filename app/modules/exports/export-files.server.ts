import { PassThrough, Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { sql } from "kysely";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import type { Database } from "~/db/db.server";

/**
 * Export files live in PostgreSQL (export_chunks), gzip-compressed, in pieces of about 1 MB: any
 * web process can serve a file the worker wrote, and neither side ever holds a whole file.
 */

export const CHUNK_BYTES = 1 << 20;
const PROGRESS_EVERY_MS = 1_000;

function countNewlines(buffer: Buffer): number {
  let n = 0;
  for (let at = buffer.indexOf(10); at !== -1; at = buffer.indexOf(10, at + 1)) n++;
  return n;
}

/**
 * Compresses `source` into the export's chunks (replacing any a previous attempt left). Calls
 * `onProgress` with the lines written so far about once a second. Returns the stored size.
 */
export async function storeExportFile(
  db: Database,
  exportId: number,
  source: Readable | AsyncIterable<Buffer | string>,
  onProgress: (lines: number) => Promise<void>,
): Promise<{ bytes: number; lines: number }> {
  await db.deleteFrom("export_chunks").where("export_id", "=", exportId).execute();
  let lines = 0;
  let bytes = 0;
  let seq = 0;
  let lastReport = Date.now();
  const counter = new Transform({
    transform(chunk: Buffer | string, _encoding, callback) {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      lines += countNewlines(buffer);
      callback(null, buffer);
    },
  });
  await pipeline(source, counter, createGzip({ level: 1 }), async (compressed: AsyncIterable<Buffer>) => {
    let pending: Buffer[] = [];
    let size = 0;
    const flush = async () => {
      if (size === 0) return;
      await db.insertInto("export_chunks").values({ export_id: exportId, seq: seq++, data: Buffer.concat(pending, size) }).execute();
      pending = [];
      size = 0;
    };
    for await (const piece of compressed) {
      pending.push(piece);
      size += piece.length;
      bytes += piece.length;
      if (size >= CHUNK_BYTES) await flush();
      if (Date.now() - lastReport >= PROGRESS_EVERY_MS) {
        lastReport = Date.now();
        await onProgress(lines);
      }
    }
    await flush();
  });
  return { bytes, lines };
}

/** The stored (gzip) file, one chunk at a time. */
export async function* readExportFile(db: Database, exportId: number): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const row = await db.selectFrom("export_chunks").select("data").where("export_id", "=", exportId).where("seq", "=", seq).executeTakeFirst();
    if (!row) return;
    yield row.data;
  }
}

/**
 * COPY … TO STDOUT on `client`, after `prefix` (a BOM and a header line). Back-pressure reaches
 * PostgreSQL: when the reader stops, the socket stops being read. `done` runs once at the end
 * with the error, if any; the caller releases the client there (destroying it after an error,
 * since a COPY cut halfway leaves the connection unusable). `rowCount()` is COPY's own count,
 * final once a later statement on the client (the COMMIT) has returned.
 */
export function copyOut(client: pg.PoolClient, copySql: string, prefix: string, done: (error?: Error) => void): { body: Readable; rowCount: () => number } {
  const body = new PassThrough();
  body.write(prefix);
  const copy = client.query(copyTo(copySql));
  pipeline(copy, body).then(
    () => done(),
    (error: Error) => done(error),
  );
  return { body, rowCount: () => copy.rowCount };
}

/** Deletes the files of expired exports (their rows stay, so an old link says "expired"), and rows a month old. */
export async function purgeExpiredExports(db: Database): Promise<{ files: number; rows: number }> {
  const files = await db
    .deleteFrom("export_chunks")
    .where("export_id", "in", (qb) => qb.selectFrom("exports").select("id").where("expires_at", "<", sql<Date>`now()`))
    .returning("export_id")
    .execute();
  const rows = await db.deleteFrom("exports").where("expires_at", "<", sql<Date>`now() - interval '30 days'`).executeTakeFirst();
  return { files: new Set(files.map((f) => f.export_id)).size, rows: Number(rows.numDeletedRows) };
}
