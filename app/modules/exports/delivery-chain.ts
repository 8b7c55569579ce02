import { createHash } from "node:crypto";

/**
 * The hash chain of a delivery bundle. Anyone holding the delivered CSV and its manifest can
 * recompute it (scripts/verify-delivery.ts does, with no Banner code); the public page shows the
 * final hash, so a list altered, shortened, reordered or extended after delivery no longer matches.
 *
 *   h0   = SHA-256( UTF-8( JSON.stringify([format, campaign slug, target name, target role, snapshotAt]) ) )
 *   h_i  = SHA-256( h_{i-1} (32 bytes) || UTF-8( JSON.stringify([name, country]) ) )
 *   final = hex(h_n)
 *
 * where name and country are row i's cells exactly as the CSV holds them once its quoting is
 * undone (so a name the CSV shows as '=x, to keep spreadsheets from running it, is hashed so too).
 */

export const DELIVERY_FORMAT = "banner-delivery/1";

export interface DeliveryHeader {
  format: typeof DELIVERY_FORMAT;
  campaign: string;
  target: { name: string; role: string };
  /** ISO 8601, UTC, milliseconds: when the list was read */
  snapshotAt: string;
}

export function chainStart(header: DeliveryHeader): Buffer {
  const seed = JSON.stringify([header.format, header.campaign, header.target.name, header.target.role, header.snapshotAt]);
  return createHash("sha256").update(seed, "utf8").digest();
}

export function canonicalRow(name: string, country: string): string {
  return JSON.stringify([name, country]);
}

export function chainNext(previous: Buffer, row: string): Buffer {
  return createHash("sha256").update(previous).update(row, "utf8").digest();
}

export const CANONICAL_ROW_DESCRIPTION = "UTF-8 of JSON.stringify([name, country]), the CSV cells with their quoting undone";
