/**
 * A gzip answer for a page that is the same text every time except for a few short holes (the
 * confirm page: this signer's token, share code, CSP nonce and count sentence), written without
 * compressing the page again for each answer.
 *
 * Deflate (RFC 1951) is a sequence of blocks, and a block's back-references reach only into text
 * already decoded. Each static part is deflated once, on its own (so it refers to nothing outside
 * itself, whatever stands before it), and flushed with Z_SYNC_FLUSH, which ends it on a byte
 * boundary with no block marked final. An answer is then: the gzip header (RFC 1952), the parts'
 * blocks with each hole between them as a stored (uncompressed) block, an empty final block, and
 * the trailer: CRC-32 and length of the whole text. The CRC of each static part is also worked out
 * once; per answer it is carried across a part by one multiplication (the "combine" of CRC
 * arithmetic) and computed only over the holes' few bytes.
 *
 * Parts compressed apart cannot refer to one another, so the answer is somewhat larger than the
 * page compressed whole; it costs next to no CPU, which is what a surge of confirmations needs.
 */
import { constants, crc32, deflateRawSync } from "node:zlib";

/** CRC-32 as gzip uses it, bit-reversed: polynomial x^32 + x^26 + … + 1. */
const POLY = 0xedb88320;
/** x^0 in the bit-reversed representation of polynomials modulo POLY. */
const ONE = 0x80000000;

/** a·b modulo the CRC polynomial (both bit-reversed). */
function multiplyModPoly(a: number, b: number): number {
  let product = 0;
  for (let bit = ONE; bit !== 0; bit >>>= 1) {
    if (a & bit) product ^= b;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return product >>> 0;
}

/** x^(8·bytes) modulo the CRC polynomial: what carrying a CRC across `bytes` bytes multiplies it by. */
function shiftByBytes(bytes: number): number {
  let result = ONE;
  let square = ONE >>> 8; // x^8: one byte
  for (let n = bytes; n > 0; n = Math.floor(n / 2)) {
    if (n % 2 === 1) result = multiplyModPoly(result, square);
    square = multiplyModPoly(square, square);
  }
  return result;
}

/** crc32(A ‖ B) from crc32(A), crc32(B) and B's shift (shiftByBytes(B.length)). */
function combineCrc(crcA: number, crcB: number, shiftB: number): number {
  return (multiplyModPoly(shiftB, crcA) ^ crcB) >>> 0;
}

interface StaticPart {
  /** The part's raw deflate blocks, none final, ending on a byte boundary (empty for an empty part). */
  deflated: Buffer;
  bytes: number;
  crc: number;
  shift: number;
}

export interface GzipTemplate {
  parts: StaticPart[];
}

/** ID1 ID2, CM = deflate, no flags, no modification time, no extra flags, OS = Unix. */
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);
/** A final block of fixed Huffman codes holding only its end-of-block code. */
const FINAL_EMPTY_BLOCK = Buffer.from([0x03, 0x00]);
const STORED_BLOCK_MAX = 0xffff;

/**
 * Deflates each part once, at the highest level. The text an answer stands for is
 * parts[0] + holes[0] + parts[1] + … + parts[n], with one hole fewer than parts.
 */
export function gzipTemplate(parts: readonly string[]): GzipTemplate {
  if (parts.length === 0) throw new Error("a gzip template needs at least one part");
  return {
    parts: parts.map((text) => {
      const raw = Buffer.from(text, "utf8");
      return {
        deflated: raw.length === 0 ? Buffer.alloc(0) : deflateRawSync(raw, { level: constants.Z_BEST_COMPRESSION, memLevel: 9, finishFlush: constants.Z_SYNC_FLUSH }),
        bytes: raw.length,
        crc: crc32(raw),
        shift: shiftByBytes(raw.length),
      };
    }),
  };
}

/** Stored blocks (not final) holding `data`: a byte-aligned 3-bit header, LEN, its one's complement, the bytes. */
function storedBlocks(data: Buffer, out: Buffer[]): number {
  let written = 0;
  for (let from = 0; from < data.length; from += STORED_BLOCK_MAX) {
    const chunk = data.subarray(from, from + STORED_BLOCK_MAX);
    const header = Buffer.allocUnsafe(5);
    header[0] = 0x00;
    header.writeUInt16LE(chunk.length, 1);
    header.writeUInt16LE(~chunk.length & 0xffff, 3);
    out.push(header, chunk);
    written += 5 + chunk.length;
  }
  return written;
}

/** The gzip file (one member) of parts[0] + holes[0] + parts[1] + … as UTF-8. */
export function stitchGzip(template: GzipTemplate, holes: readonly string[]): Buffer {
  const { parts } = template;
  if (holes.length !== parts.length - 1) throw new Error(`a gzip template of ${parts.length} parts takes ${parts.length - 1} holes, not ${holes.length}`);
  const out: Buffer[] = [HEADER];
  let length = HEADER.length;
  let crc = 0;
  let size = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    out.push(part.deflated);
    length += part.deflated.length;
    crc = combineCrc(crc, part.crc, part.shift);
    size += part.bytes;
    if (i === holes.length) break;
    const hole = Buffer.from(holes[i]!, "utf8");
    if (hole.length === 0) continue;
    length += storedBlocks(hole, out);
    crc = crc32(hole, crc);
    size += hole.length;
  }
  const trailer = Buffer.allocUnsafe(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  // ISIZE: the length modulo 2^32.
  trailer.writeUInt32LE(size % 0x1_0000_0000, 4);
  out.push(FINAL_EMPTY_BLOCK, trailer);
  return Buffer.concat(out, length + FINAL_EMPTY_BLOCK.length + trailer.length);
}
