import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { openExportFile } from "~/modules/exports/download-export.server";
import { exportFileRefusal, exportFileResponse } from "~/modules/exports/export-file-response.server";
import { getDb } from "~/services.server";
import { routeId } from "~/utils/http.server";

const MESSAGES: Record<number, string> = {
  404: "There is no such export of this campaign.\n",
  409: "This export is not finished yet: reload the exports page in a moment.\n",
  410: "This export's file has expired. Export again from the campaign's exports page.\n",
};

/**
 * A worker-written file, from the exports page's list: the session is the credential here (the
 * link's token was shown only once), and the same export rights are checked as for the link.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const file = await openExportFile(getDb(), user, { campaignId: routeId(params.id), exportId: routeId(params.exportId) });
    return exportFileResponse(request, file);
  } catch (error) {
    return exportFileRefusal(error, MESSAGES);
  }
}
