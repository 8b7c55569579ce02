import type { RequestHandler, Response } from "express";
import { brotliCompress, brotliCompressSync, constants, createBrotliCompress, createGzip, gzip, gzipSync, type BrotliCompress, type Gzip } from "node:zlib";

/**
 * Compresses text responses (HTML, CSS, JS, JSON, SVG, Remix's `.data`) with brotli or gzip,
 * whichever the browser accepts, preferring brotli. Phones on slow links are the people this is
 * for: the campaign page's scripts shrink to about a third. Already-compressed types (woff2,
 * images) pass through untouched, as do small bodies whose length is known.
 *
 * A small middleware of our own rather than the `compression` package (not installed): it wraps
 * `res.write`/`res.end` the same way, so streamed Remix responses and express.static both work.
 *
 * A body that is complete within one turn of the event loop (a rendered page: app/entry.server.tsx
 * hands Remix the whole document) or whose declared length is at most MAX_HELD_BYTES (a static
 * file) is held until its end and compressed in one call (in place when small, on libuv's threads
 * when large), then sent with its Content-Length in one write. Compressing it as a stream of React's 2 KB pieces cost a compressor
 * call and a socket write per piece. Anything else (a body still being written after that turn,
 * or a large one) is compressed as a stream, as it is written.
 */

const COMPRESSIBLE = /^(text\/|application\/(javascript|json|problem\+json|xml|manifest\+json)|image\/svg\+xml)/i;
const MIN_BYTES = 1024;
/**
 * Brotli's quality for what is compressed per request (here and the confirm fast path,
 * server/verify-form-post.ts): 4 of 11. On the 27 KB campaign page it costs 0.35 ms of CPU
 * against 0.52 ms at 5, for 6 % more bytes (7.7 KB against 7.2 KB; gzip 6 makes 7.8 KB).
 */
const BROTLI_QUALITY = 4;
/** The page cache's copies (server/page-render-worker.ts) are made about twice a second, not per request: 5. */
export const CACHED_BROTLI_QUALITY = 5;
const BROTLI_PARAMS = { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT };
const GZIP_LEVEL = 6;

/**
 * Brotli's options for a body of `size` bytes, compressed whole: its window no larger than the
 * body needs (as brotli's own one-call API chooses it), not the stream default of 4 MB. The
 * output is as small, and a 27 KB page compresses in a fifth less CPU.
 */
function brotliOptionsFor(size: number, quality = BROTLI_QUALITY) {
  let lgwin = constants.BROTLI_MIN_WINDOW_BITS;
  while (lgwin < constants.BROTLI_DEFAULT_WINDOW && 2 ** lgwin - 16 < size) lgwin++;
  return {
    params: { ...BROTLI_PARAMS, [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: size, [constants.BROTLI_PARAM_LGWIN]: lgwin },
  };
}
/**
 * A whole body compressed in one synchronous call: what this middleware does for a held page, the
 * page cache's renderer for its copies (at CACHED_BROTLI_QUALITY) and the confirm fast path.
 */
export function compressWhole(encoding: Encoding, body: Buffer, brotliQuality = BROTLI_QUALITY): Buffer {
  return encoding === "br" ? brotliCompressSync(body, brotliOptionsFor(body.length, brotliQuality)) : gzipSync(body, { level: GZIP_LEVEL });
}

/** The most a response body is held in memory to be compressed in one call. */
const MAX_HELD_BYTES = 1024 * 1024;
/**
 * Held bodies up to this size (every rendered page) are compressed on the main thread. Handing
 * a 27 KB page to libuv's threads cost 0.8-1.3 ms of CPU against 0.4-0.5 ms done in place (the
 * thread hand-offs, and four threads contending for two cores under load); larger bodies (big
 * static files) still go to those threads, so no response stalls the others for long.
 */
const MAX_IN_PLACE_BYTES = 64 * 1024;

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
    /**
     * "plain": passed through as it is; "held": being compressed, the body kept until its end;
     * "stream": being compressed as it is written. Decided at the first write or end, when the
     * handler has set its headers.
     */
    let mode: "undecided" | "plain" | "held" | "stream" = "undecided";
    let held: Buffer[] = [];
    let heldBytes = 0;
    /** a body of unknown length still being written at the next turn is streamed from then on */
    let spill: NodeJS.Immediate | undefined;
    let spillAllowed = true;
    let stream: BrotliCompress | Gzip | null = null;

    const decide = () => {
      if (mode !== "undecided") return;
      if (!shouldCompress(res, req.method) || !encoding) {
        mode = "plain";
        return;
      }
      const declared = Number(res.getHeader("Content-Length"));
      spillAllowed = !(Number.isFinite(declared) && declared <= MAX_HELD_BYTES);
      res.removeHeader("Content-Length");
      res.setHeader("Content-Encoding", encoding);
      mode = "held";
    };

    const startStream = () => {
      if (spill) clearImmediate(spill);
      mode = "stream";
      const compressor = encoding === "br" ? createBrotliCompress({ params: BROTLI_PARAMS }) : createGzip({ level: GZIP_LEVEL });
      stream = compressor;
      compressor.on("data", (chunk: Buffer) => {
        if (!write(chunk)) compressor.pause();
      });
      res.on("drain", () => compressor.resume());
      // A writer piping into res waits for res's "drain" when our write returned false because
      // the compressor's buffer was full: pass the compressor's "drain" on, or it waits forever.
      compressor.on("drain", () => res.emit("drain"));
      compressor.on("end", () => end());
      compressor.on("error", (error) => res.destroy(error));
      for (const chunk of held) compressor.write(chunk);
      held = [];
    };

    const asChunk = (chunk: unknown, enc: unknown): Buffer =>
      typeof chunk === "string"
        ? Buffer.from(chunk, typeof enc === "string" ? (enc as BufferEncoding) : "utf8")
        : Buffer.from((chunk as Uint8Array).buffer, (chunk as Uint8Array).byteOffset, (chunk as Uint8Array).byteLength);

    res.write = ((chunk: Chunk, enc?: BufferEncoding | Callback, cb?: Callback) => {
      decide();
      if (mode === "plain") return (write as (...a: unknown[]) => boolean)(chunk, enc, cb);
      const bytes = asChunk(chunk, enc);
      const callback = typeof enc === "function" ? enc : cb;
      if (mode === "held") {
        // Too much to hold: what is held goes into a stream, and this piece after it.
        if (heldBytes + bytes.length > MAX_HELD_BYTES) startStream();
        else {
          held.push(bytes);
          heldBytes += bytes.length;
          if (spillAllowed) spill ??= setImmediate(startStream);
          if (callback) process.nextTick(callback);
          return true;
        }
      }
      return stream!.write(bytes, callback);
    }) as Response["write"];

    res.end = ((chunk?: Chunk | (() => void), enc?: BufferEncoding | (() => void), cb?: () => void) => {
      decide();
      if (mode === "plain") return (end as (...a: unknown[]) => Response)(chunk, enc, cb);
      const done = [chunk, enc, cb].find((a) => typeof a === "function") as (() => void) | undefined;
      if (done) res.once("finish", done);
      const last = chunk !== undefined && chunk !== null && typeof chunk !== "function" ? asChunk(chunk, enc) : null;
      if (mode === "stream") {
        if (last) stream!.end(last);
        else stream!.end();
        return res;
      }
      if (spill) clearImmediate(spill);
      if (last) held.push(last);
      const whole = held.length === 1 ? held[0]! : Buffer.concat(held);
      held = [];
      const sent = (error: Error | null, compressed: Buffer) => {
        if (error) return void res.destroy(error);
        if (res.destroyed) return;
        res.setHeader("Content-Length", compressed.length);
        end(compressed);
      };
      if (whole.length > MAX_IN_PLACE_BYTES) {
        if (encoding === "br") brotliCompress(whole, brotliOptionsFor(whole.length), sent);
        else gzip(whole, { level: GZIP_LEVEL }, sent);
        return res;
      }
      let compressed: Buffer;
      try {
        compressed = compressWhole(encoding!, whole); // held: decide() found an encoding
      } catch (error) {
        res.destroy(error as Error);
        return res;
      }
      sent(null, compressed);
      return res;
    }) as Response["end"];

    next();
  };
}
