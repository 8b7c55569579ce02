import { inflateSync } from "node:zlib";

/**
 * WOFF (1.0) to a plain TrueType/OpenType file. The renderer of social cards (resvg) reads only
 * TTF/OTF, and the fonts we serve ship as WOFF/WOFF2: WOFF is the same tables, each zlib-compressed,
 * so unpacking it needs only node:zlib (https://www.w3.org/TR/WOFF/).
 */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.length < 44 || woff.toString("latin1", 0, 4) !== "wOFF") throw new Error("not a WOFF file");
  const flavor = woff.readUInt32BE(4);
  const numTables = woff.readUInt16BE(12);
  const tables: { tag: number; checksum: number; data: Buffer }[] = [];
  for (let i = 0; i < numTables; i++) {
    const entry = 44 + i * 20;
    const offset = woff.readUInt32BE(entry + 4);
    const compLength = woff.readUInt32BE(entry + 8);
    const origLength = woff.readUInt32BE(entry + 12);
    const stored = woff.subarray(offset, offset + compLength);
    const data = compLength < origLength ? inflateSync(stored) : stored;
    if (data.length !== origLength) throw new Error("corrupt WOFF table");
    tables.push({ tag: woff.readUInt32BE(entry), checksum: woff.readUInt32BE(entry + 16), data });
  }

  const headerLength = 12 + numTables * 16;
  const padded = (n: number) => (n + 3) & ~3;
  const total = tables.reduce((sum, t) => sum + padded(t.data.length), headerLength);
  const out = Buffer.alloc(total);
  // The offset table's binary-search fields, as the OpenType spec defines them.
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 2 ** entrySelector * 16;
  out.writeUInt32BE(flavor, 0);
  out.writeUInt16BE(numTables, 4);
  out.writeUInt16BE(searchRange, 6);
  out.writeUInt16BE(entrySelector, 8);
  out.writeUInt16BE(numTables * 16 - searchRange, 10);
  let offset = headerLength;
  tables.forEach((t, i) => {
    const record = 12 + i * 16;
    out.writeUInt32BE(t.tag, record);
    out.writeUInt32BE(t.checksum, record + 4);
    out.writeUInt32BE(offset, record + 8);
    out.writeUInt32BE(t.data.length, record + 12);
    t.data.copy(out, offset);
    offset += padded(t.data.length);
  });
  return out;
}

/**
 * Renames a font family in place, in the `name` table only. The new name must be as long as the
 * old one, so no offset in the file moves.
 */
export function renameFontFamily(sfnt: Buffer, from: string, to: string): Buffer {
  if (from.length !== to.length) throw new Error("the new family name must be as long as the old one");
  const out = Buffer.from(sfnt);
  const numTables = out.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const record = 12 + i * 16;
    if (out.toString("latin1", record, record + 4) !== "name") continue;
    const start = out.readUInt32BE(record + 8);
    const end = start + out.readUInt32BE(record + 12);
    // Windows names are UTF-16BE; Macintosh names are single-byte.
    const pairs = [
      [Buffer.from(from, "utf16le").swap16(), Buffer.from(to, "utf16le").swap16()],
      [Buffer.from(from, "latin1"), Buffer.from(to, "latin1")],
    ] as const;
    for (const [a, b] of pairs) {
      for (let at = out.indexOf(a, start); at >= 0 && at + a.length <= end; at = out.indexOf(a, at + a.length)) b.copy(out, at);
    }
  }
  return out;
}
