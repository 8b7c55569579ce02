import type { LoaderFunctionArgs } from "@remix-run/node";
import { curies, signature } from "~/modules/osdi/osdi.hal";
import { handleOsdiRequest, osdiReadOnly, osdiId } from "~/modules/osdi/osdi-http.server";
import { getSignature } from "~/modules/osdi/osdi.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleOsdiRequest(request, async ({ db, principal, urls }) => {
    const row = await getSignature(db, principal, osdiId(params.id, "petition"), osdiId(params.signatureId, "signature"));
    const body = signature(urls, row);
    return { body: { ...body, _links: { ...body._links, curies: curies(urls) } } };
  });
}

export const action = osdiReadOnly;
