import { createReadableStreamFromReadable, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import type { ExportScope } from "~/modules/exports/access.server";
import { signatureExportFormSchema, singleValues } from "~/modules/exports/exports.schema";
import { requestExport } from "~/modules/exports/request-export.server";
import { getDb } from "~/services.server";
import { env } from "~/utils/env.server";
import { throwPageError } from "~/utils/error-answers.server";
import { NO_STORE, routeId } from "~/utils/http.server";
import { readForm } from "~/utils/forms.server";

/**
 * POST from the exports page: a small file streams back at once (the browser saves it and stays
 * on the page); a large one, and any delivery bundle, goes to the worker and the browser is sent
 * to the page that follows it (its address holds the download token).
 */
export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = routeId(params.id);
  const parsed = signatureExportFormSchema.safeParse(singleValues(await readForm(request)) ?? {});
  if (!parsed.success) {
    return new Response("Choose scope=signatures, partner (with partnerId) or delivery (with targetId), from the exports page.\n", {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": NO_STORE },
    });
  }
  const form = parsed.data;
  const scope: ExportScope =
    form.scope === "partner" ? { kind: "partner", partnerId: form.partnerId } : form.scope === "delivery" ? { kind: "delivery", targetId: form.targetId } : { kind: "signatures" };
  try {
    const result = await requestExport(getDb(), user, id, scope, {
      bom: "bom" in form ? form.bom : false,
      streamMaxRows: env().EXPORT_STREAM_MAX_ROWS,
      linkTtlHours: env().EXPORT_LINK_TTL_HOURS,
    });
    if (result.kind === "job") return redirect(`/exports/${result.token}`, 303);
    return new Response(createReadableStreamFromReadable(result.body), {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${result.fileName}"`,
        "Cache-Control": NO_STORE,
        "X-Export-Rows": String(result.rows),
      },
    });
  } catch (error) {
    throwPageError(error);
  }
}

/** Nothing to show here: a GET goes back to the exports page. */
export function loader({ params }: LoaderFunctionArgs) {
  return redirect(`/dashboard/campaigns/${routeId(params.id)}/exports`);
}
