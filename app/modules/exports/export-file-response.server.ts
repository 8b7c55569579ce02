import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { errorStatus } from "~/utils/error-answers.server";
import { isAppError } from "~/utils/errors.server";
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

/**
 * Why a download is refused, as plain text with the status the error's code maps to: both doors to
 * a file (the link's token, the exports page's list) answer the same way, each in its own words.
 * Anything but a domain error is thrown on.
 */
export function exportFileRefusal(error: unknown, messages: Partial<Record<number, string>>): Response {
  if (!isAppError(error)) throw error;
  const status = errorStatus(error.code);
  return new Response(messages[status] ?? "This export cannot be downloaded.\n", {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": NO_STORE },
  });
}
