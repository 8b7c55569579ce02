/**
 * Checks a delivery bundle from Banner: the delivered CSV and its manifest.
 *
 *   npx tsx scripts/verify-delivery.ts list.csv manifest.json [expected-final-hash]
 *
 * Standalone on purpose (Node's own modules only, no Banner code), so that a recipient can read
 * all of it and trust it: it recomputes the hash chain described on the delivery's public page
 * and compares the result with the manifest and, if given, the hash shown on that page.
 * Exit code 0: the list is the one delivered; 1: it is not; 2: bad usage.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

export interface Manifest {
  format: string;
  campaign: string;
  target: { name: string; role: string };
  snapshotAt: string;
  rowCount: number;
  finalHash: string;
}

/** RFC 4180 records: quoted cells may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || record.length > 0) records.push([...record, cell]);
  return records;
}

export function verifyDelivery(csvText: string, manifest: Manifest, expectedHash?: string): { ok: boolean; rows: number; finalHash: string; problems: string[] } {
  const problems: string[] = [];
  if (manifest.format !== "banner-delivery/1") problems.push(`unknown format ${JSON.stringify(manifest.format)}`);
  const records = parseCsv(csvText.replace(/^\uFEFF/, ""));
  const header = records.shift();
  if (header?.join(",") !== "name,country") problems.push(`the first line should be "name,country", not ${JSON.stringify(header?.join(","))}`);
  const seed = JSON.stringify([manifest.format, manifest.campaign, manifest.target.name, manifest.target.role, manifest.snapshotAt]);
  let hash = createHash("sha256").update(seed, "utf8").digest();
  for (const [i, record] of records.entries()) {
    if (record.length !== 2) problems.push(`row ${i + 1} has ${record.length} cells, not 2`);
    hash = createHash("sha256")
      .update(hash)
      .update(JSON.stringify([record[0] ?? "", record[1] ?? ""]), "utf8")
      .digest();
  }
  const finalHash = hash.toString("hex");
  if (records.length !== manifest.rowCount) problems.push(`${records.length} rows, but the manifest says ${manifest.rowCount}`);
  if (finalHash !== manifest.finalHash) problems.push(`the chain ends in ${finalHash}, but the manifest says ${manifest.finalHash}`);
  if (expectedHash && finalHash !== expectedHash.toLowerCase()) problems.push(`the chain ends in ${finalHash}, but the public page says ${expectedHash}`);
  return { ok: problems.length === 0, rows: records.length, finalHash, problems };
}

function main(argv: string[]) {
  const [csvPath, manifestPath, expected] = argv;
  if (!csvPath || !manifestPath) {
    console.error("usage: npx tsx scripts/verify-delivery.ts list.csv manifest.json [expected-final-hash]");
    process.exit(2);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  const result = verifyDelivery(readFileSync(csvPath, "utf8"), manifest, expected);
  if (result.ok) {
    console.log(`OK: ${result.rows} rows; final hash ${result.finalHash}`);
    return;
  }
  console.error(`NOT the delivered list:\n${result.problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main(process.argv.slice(2));
