/**
 * A gzip answer for a page that is the same text every time except for a few short holes (the
 * confirm page: this signer's token, share code, CSP nonce and count sentence), written without
 * compressing the page again for each answer.
 *
 * Deflate (RFC 1951) is a sequence of blocks, and a block's back-references reach only into text
 * already decoded. Each static part is deflated once (see StitchedGzip for what it may refer to)
 * and flushed with Z_SYNC_FLUSH, which ends it on a byte boundary with no block marked final. An
 * answer is then: the gzip header (RFC 1952), the parts' blocks with each hole between them as a
 * stored (uncompressed) block, an empty final block, and the trailer: CRC-32 and length of the
 * whole text. The CRC of each static part is also worked out once; per answer it is carried across
 * a part by one multiplication (the "combine" of CRC arithmetic) and computed only over the holes'
 * few bytes.
 *
 * The holes go uncompressed, so the answer is a little larger than the page compressed whole; it
 * costs next to no CPU, which is what a surge of confirmations needs.
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
  text: Buffer;
  crc: number;
  shift: number;
}

/** ID1 ID2, CM = deflate, no flags, no modification time, no extra flags, OS = Unix. */
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);
/** A final block of fixed Huffman codes holding only its end-of-block code. */
const FINAL_EMPTY_BLOCK = Buffer.from([0x03, 0x00]);
const STORED_BLOCK_MAX = 0xffff;
/** Deflate reaches back 32 KiB at most. */
const WINDOW_BYTES = 32 * 1024;
/** Deflated parts kept per page, one set per set of hole lengths (see deflatedFor). */
const MAX_DEFLATED_SETS = 16;
const EMPTY = Buffer.alloc(0);

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

/**
 * A page of static parts with holes between them (parts[0] + holes[0] + parts[1] + … + parts[n],
 * one hole fewer than parts), answered as gzip.
 *
 * Parts of a page are short (a few hundred bytes between two holes) and deflated on their own they
 * would compress about half as well as the page whole. So each part is deflated with the text before
 * it as the dictionary, the holes in it written as zero bytes: a back-reference then reaches the
 * same static text in the answer, provided every hole before it has the same length in bytes as
 * when it was deflated. Deflated parts are therefore kept per set of hole lengths (in a surge they
 * hardly vary: tokens and share codes have fixed lengths, and a count sentence keeps its length
 * while its count gains a few signers). A zero byte never appears in the parts (checked: if one
 * does, parts are deflated with no dictionary), so no match can cover a hole's bytes, which differ
 * per answer.
 */
export class StitchedGzip {
  private readonly parts: StaticPart[];
  private readonly dictionaries: boolean;
  private readonly deflated = new Map<string, Buffer[]>();

  constructor(parts: readonly string[]) {
    if (parts.length === 0) throw new Error("a stitched gzip needs at least one part");
    this.parts = parts.map((part) => {
      const text = Buffer.from(part, "utf8");
      return { text, crc: crc32(text), shift: shiftByBytes(text.length) };
    });
    this.dictionaries = this.parts.every((part) => !part.text.includes(0));
    this.staticBytes = this.parts.reduce((sum, part) => sum + part.text.length, 0);
  }

  /** UTF-8 bytes of the parts together: the least an answer weighs. */
  readonly staticBytes: number;

  /** Each part's raw deflate blocks, none final, ending on a byte boundary, for holes of these lengths. */
  private deflatedFor(holeLengths: readonly number[]): Buffer[] {
    const key = this.dictionaries ? holeLengths.join(",") : "";
    let blocks = this.deflated.get(key);
    if (blocks) return blocks;
    const before: Buffer[] = [];
    let beforeBytes = 0;
    blocks = this.parts.map(({ text }, i) => {
      let dictionary: Buffer | undefined;
      if (this.dictionaries && beforeBytes > 0) {
        const all = Buffer.concat(before, beforeBytes);
        dictionary = all.subarray(Math.max(0, all.length - WINDOW_BYTES));
      }
      if (i < holeLengths.length) {
        before.push(text, Buffer.alloc(holeLengths[i]!));
        beforeBytes += text.length + holeLengths[i]!;
      }
      if (text.length === 0) return EMPTY;
      return deflateRawSync(text, { level: constants.Z_BEST_COMPRESSION, memLevel: 9, finishFlush: constants.Z_SYNC_FLUSH, ...(dictionary ? { dictionary } : {}) });
    });
    if (this.deflated.size >= MAX_DEFLATED_SETS) this.deflated.delete(this.deflated.keys().next().value!);
    this.deflated.set(key, blocks);
    return blocks;
  }

  /** The gzip file (one member) of the parts with these holes, as UTF-8. */
  gzip(holes: readonly string[]): Buffer {
    const { parts } = this;
    if (holes.length !== parts.length - 1) throw new Error(`a page of ${parts.length} parts takes ${parts.length - 1} holes, not ${holes.length}`);
    const holeBytes = holes.map((hole) => Buffer.from(hole, "utf8"));
    const blocks = this.deflatedFor(holeBytes.map((hole) => hole.length));
    const out: Buffer[] = [HEADER];
    let length = HEADER.length;
    let crc = 0;
    let size = 0;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      out.push(blocks[i]!);
      length += blocks[i]!.length;
      crc = combineCrc(crc, part.crc, part.shift);
      size += part.text.length;
      if (i === holeBytes.length) break;
      const hole = holeBytes[i]!;
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
}
