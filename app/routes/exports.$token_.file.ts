import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { openExportFile } from "~/modules/exports/download-export.server";
import { exportFileRefusal, exportFileResponse } from "~/modules/exports/export-file-response.server";
import { getDb } from "~/services.server";

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
    return exportFileRefusal(error, MESSAGES);
  }
}
