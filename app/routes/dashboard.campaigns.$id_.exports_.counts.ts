import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { exportCounts } from "~/modules/exports/export-counts.server";
import { countsQuerySchema, singleValues } from "~/modules/exports/exports.schema";
import { getDb } from "~/services.server";
import { throwPageError } from "~/utils/error-answers.server";
import { NO_STORE, routeId } from "~/utils/http.server";

/** GET ?by=total|country|day|partner&format=csv|json&bom=1: a counts file, downloaded at once. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const id = routeId(params.id);
  const query = countsQuerySchema.safeParse(singleValues(new URL(request.url).searchParams) ?? { by: 0 });
  if (!query.success) {
    return new Response("Choose by=total, country, day or partner; format=csv or json; and optionally bom=1.\n", {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": NO_STORE },
    });
  }
  try {
    const file = await exportCounts(getDb(), user, id, query.data);
    return new Response(file.body, {
      headers: {
        "Content-Type": file.contentType,
        "Content-Disposition": `attachment; filename="${file.fileName}"`,
        "Cache-Control": NO_STORE,
      },
    });
  } catch (error) {
    throwPageError(error);
  }
}
