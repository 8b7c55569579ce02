import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { NO_STORE } from "~/utils/http.server";

/**
 * The stored file, chunk by chunk from PostgreSQL. Browsers accept gzip, so it goes out as stored
 * (Content-Encoding: gzip, saved uncompressed); anyone else gets it decompressed on the way.
 */
export function exportFileResponse(request: Request, file: { fileName: string; gzipBytes: number; gzipChunks: AsyncIterable<Buffer> | Iterable<Buffer> }): Response {
  const headers: Record<string, string> = {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="${file.fileName}"`,
    "Cache-Control": NO_STORE,
    "Referrer-Policy": "no-referrer",
    Vary: "Accept-Encoding",
  };
  const stored = Readable.from(file.gzipChunks);
  if (/\bgzip\b/.test(request.headers.get("Accept-Encoding") ?? "")) {
    return new Response(createReadableStreamFromReadable(stored), {
      headers: { ...headers, "Content-Encoding": "gzip", "Content-Length": String(file.gzipBytes) },
    });
  }
  return new Response(createReadableStreamFromReadable(stored.pipe(createGunzip())), { headers });
}
