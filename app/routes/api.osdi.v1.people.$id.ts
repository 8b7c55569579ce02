import type { LoaderFunctionArgs } from "@remix-run/node";
import { curies, person } from "~/modules/osdi/osdi.hal";
import { handleOsdiRequest, osdiReadOnly, osdiId } from "~/modules/osdi/osdi-http.server";
import { getPerson } from "~/modules/osdi/osdi.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleOsdiRequest(request, async ({ db, principal, urls }) => {
    const body = person(urls, await getPerson(db, principal, osdiId(params.id, "person")));
    return { body: { ...body, _links: { ...body._links, curies: curies(urls) } } };
  });
}

export const action = osdiReadOnly;
