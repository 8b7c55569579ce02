import type { LoaderFunctionArgs } from "@remix-run/node";
import { collection, petition } from "~/modules/osdi/osdi.hal";
import { handleOsdiRequest, osdiReadOnly, listQueryOf } from "~/modules/osdi/osdi-http.server";
import { listPetitions } from "~/modules/osdi/osdi.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return handleOsdiRequest(request, async ({ db, principal, urls, url }) => {
    const { query, rawFilter } = listQueryOf(url);
    const page = await listPetitions(db, principal, query);
    return {
      body: collection(urls, { path: "/petitions", rel: "osdi:petitions", query, rawFilter, ...page, render: (row) => petition(urls, row) }),
    };
  });
}

export const action = osdiReadOnly;
