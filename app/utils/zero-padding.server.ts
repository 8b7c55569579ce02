import { Transform } from "node:stream";

/**
 * Drops the zero bytes React 18's streaming renderer (renderToPipeableStream, react-dom 18.3.1)
 * leaves in its output. When a string straddles the end of its 2 KB buffer and the next character
 * needs more bytes than are left (any Arabic-script letter takes two), it flushes the whole buffer,
 * unused tail included: a NUL lands in the middle of the text, which the browser shows as U+FFFD
 * (seen in an Urdu page's attribute). React 19 flushes only the bytes written.
 *
 * Removing every 0x00 byte is exact: in UTF-8 that byte only ever encodes U+0000, which no page of
 * ours contains (forms refuse control characters), so nothing else is touched.
 */
export function dropZeroPadding(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, withoutZeroBytes(chunk));
    },
  });
}

/** The bytes with every 0x00 removed; the same buffer when it has none (the usual case). */
export function withoutZeroBytes(bytes: Buffer): Buffer {
  let at = bytes.indexOf(0);
  if (at === -1) return bytes;
  const out = Buffer.allocUnsafe(bytes.length);
  let length = 0;
  let from = 0;
  while (at !== -1) {
    length += bytes.copy(out, length, from, at);
    from = at + 1;
    at = bytes.indexOf(0, from);
  }
  length += bytes.copy(out, length, from);
  return out.subarray(0, length);
}
