import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { openExportFile } from "~/modules/exports/download-export.server";
import { exportFileResponse } from "~/modules/exports/export-file-response.server";
import { getDb } from "~/services.server";
import { errorStatus } from "~/utils/error-answers.server";
import { isAppError } from "~/utils/errors.server";
import { NO_STORE } from "~/utils/http.server";

const MESSAGES: Record<number, string> = {
  404: "This export link is unknown.\n",
  409: "This export is not finished yet: go back to its page and wait for the download button.\n",
  410: "This export link has expired. Export again from the campaign's exports page.\n",
};

/** The finished file behind an export link, for a signed-in user still allowed to export it. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const file = await openExportFile(getDb(), user, params.token ?? "");
    return exportFileResponse(request, file);
  } catch (error) {
    if (!isAppError(error)) throw error;
    const status = errorStatus(error.code);
    return new Response(MESSAGES[status] ?? "This export cannot be downloaded.\n", {
      status,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": NO_STORE },
    });
  }
}
