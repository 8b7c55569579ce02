import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { createReadableStreamFromReadable, type LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { openExportFile } from "~/modules/exports/download-export.server";
import { getDb } from "~/services.server";
import { errorStatus } from "~/utils/error-answers.server";
import { isAppError } from "~/utils/errors.server";
import { NO_STORE } from "~/utils/http.server";

const MESSAGES: Record<number, string> = {
  404: "This export link is unknown.\n",
  409: "This export is not finished yet: go back to its page and wait for the download button.\n",
  410: "This export link has expired. Export again from the campaign's exports page.\n",
};

/**
 * The stored file, chunk by chunk from PostgreSQL. Browsers accept gzip, so it goes out as stored
 * (Content-Encoding: gzip, saved uncompressed); anyone else gets it decompressed on the way.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const file = await openExportFile(getDb(), user, params.token ?? "");
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
  } catch (error) {
    if (!isAppError(error)) throw error;
    const status = errorStatus(error.code);
    return new Response(MESSAGES[status] ?? "This export cannot be downloaded.\n", {
      status,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": NO_STORE },
    });
  }
}
