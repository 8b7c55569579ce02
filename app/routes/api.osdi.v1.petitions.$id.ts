import type { LoaderFunctionArgs } from "@remix-run/node";
import { curies, petition } from "~/modules/osdi/osdi.hal";
import { handleOsdiRequest, osdiReadOnly, osdiId } from "~/modules/osdi/osdi-http.server";
import { getPetition } from "~/modules/osdi/osdi.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleOsdiRequest(request, async ({ db, principal, urls }) => {
    const row = await getPetition(db, principal, osdiId(params.id, "petition"));
    const body = petition(urls, row);
    return { body: { ...body, _links: { ...body._links, curies: curies(urls) } } };
  });
}

export const action = osdiReadOnly;
