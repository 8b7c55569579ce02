import type { RequestHandler, Response } from "express";
import { constants, createBrotliCompress, createGzip, type BrotliCompress, type Gzip } from "node:zlib";

/**
 * Compresses text responses (HTML, CSS, JS, JSON, SVG, Remix's `.data`) with brotli or gzip,
 * whichever the browser accepts, preferring brotli. Phones on slow links are the people this is
 * for: the campaign page's scripts shrink to about a third. Already-compressed types (woff2,
 * images) pass through untouched, as do small bodies whose length is known.
 *
 * A small middleware of our own rather than the `compression` package (not installed): it wraps
 * `res.write`/`res.end` the same way, so streamed Remix responses and express.static both work.
 */

const COMPRESSIBLE = /^(text\/|application\/(javascript|json|problem\+json|xml|manifest\+json)|image\/svg\+xml)/i;
const MIN_BYTES = 1024;
// Quality 5 of 11: most of brotli's gain at a small fraction of the CPU of its top levels,
// which matters when every request is compressed on the fly.
const BROTLI_QUALITY = 5;

type Encoding = "br" | "gzip";

/** Which of our encodings an Accept-Encoding header accepts (by name or by `*`); q=0 refuses one. */
export function acceptedEncodings(header: string | undefined): Record<Encoding, boolean> {
  if (!header) return { br: false, gzip: false };
  const accepted = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    accepted.set(name!, q ? Number(q.slice(2)) || 0 : 1);
  }
  const wildcard = accepted.get("*") ?? 0;
  return { br: (accepted.get("br") ?? wildcard) > 0, gzip: (accepted.get("gzip") ?? wildcard) > 0 };
}

/** The encoding to use for an Accept-Encoding header: brotli, then gzip. */
export function chooseEncoding(header: string | undefined): Encoding | null {
  const accepted = acceptedEncodings(header);
  return accepted.br ? "br" : accepted.gzip ? "gzip" : null;
}

function shouldCompress(res: Response, method: string): boolean {
  const type = String(res.getHeader("Content-Type") ?? "");
  if (!COMPRESSIBLE.test(type)) return false;
  // Every response of a compressible type may differ by encoding, compressed or not.
  res.vary("Accept-Encoding");
  if (method === "HEAD" || res.statusCode === 204 || res.statusCode === 304) return false;
  if (res.getHeader("Content-Encoding")) return false;
  if (/\bno-transform\b/.test(String(res.getHeader("Cache-Control") ?? ""))) return false;
  const length = Number(res.getHeader("Content-Length"));
  return !(Number.isFinite(length) && length < MIN_BYTES);
}

type Chunk = string | Uint8Array;
type Callback = (error?: Error | null) => void;

export function compression(): RequestHandler {
  return (req, res, next) => {
    const encoding = chooseEncoding(req.get("Accept-Encoding"));
    const write = res.write.bind(res) as (chunk: Chunk, cb?: Callback) => boolean;
    const end = res.end.bind(res) as (chunk?: Chunk | (() => void), cb?: () => void) => Response;
    let stream: BrotliCompress | Gzip | null = null;
    let decided = false;

    // Decided at the first write or end, when the handler has set its headers.
    const start = () => {
      if (decided) return;
      decided = true;
      if (!shouldCompress(res, req.method) || !encoding) return;
      res.removeHeader("Content-Length");
      res.setHeader("Content-Encoding", encoding);
      stream =
        encoding === "br"
          ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } })
          : createGzip({ level: 6 });
      stream.on("data", (chunk: Buffer) => {
        if (!write(chunk)) stream!.pause();
      });
      res.on("drain", () => stream!.resume());
      // A writer piping into res waits for res's "drain" when our write returned false because
      // the compressor's buffer was full: pass the compressor's "drain" on, or it waits forever.
      stream.on("drain", () => res.emit("drain"));
      stream.on("end", () => end());
      stream.on("error", (error) => res.destroy(error));
    };

    const asChunk = (chunk: unknown, enc: unknown): Chunk =>
      typeof chunk === "string" ? Buffer.from(chunk, typeof enc === "string" ? (enc as BufferEncoding) : "utf8") : (chunk as Uint8Array);

    res.write = ((chunk: Chunk, enc?: BufferEncoding | Callback, cb?: Callback) => {
      start();
      if (!stream) return (write as (...a: unknown[]) => boolean)(chunk, enc, cb);
      return stream.write(asChunk(chunk, enc), typeof enc === "function" ? enc : cb);
    }) as Response["write"];

    res.end = ((chunk?: Chunk | (() => void), enc?: BufferEncoding | (() => void), cb?: () => void) => {
      start();
      if (!stream) return (end as (...a: unknown[]) => Response)(chunk, enc, cb);
      const done = [chunk, enc, cb].find((a) => typeof a === "function") as (() => void) | undefined;
      if (done) res.once("finish", done);
      if (chunk !== undefined && chunk !== null && typeof chunk !== "function") stream.end(asChunk(chunk, enc));
      else stream.end();
      return res;
    }) as Response["end"];

    next();
  };
}
