import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { openDeliveryManifest } from "~/modules/exports/download-export.server";
import { getDb } from "~/services.server";
import { problemAnswer } from "~/utils/error-answers.server";
import { NO_STORE } from "~/utils/http.server";

/** The manifest of a delivery bundle (hash chain and its inputs), to deliver with the CSV. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const { fileName, manifest } = await openDeliveryManifest(getDb(), user, params.token ?? "");
    return new Response(JSON.stringify(manifest, null, 2), {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="${fileName}"`,
        "Cache-Control": NO_STORE,
      },
    });
  } catch (error) {
    return problemAnswer(error, "This export link is unknown, expired, or not a finished delivery bundle.");
  }
}
