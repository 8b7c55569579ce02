import type { LoaderFunctionArgs } from "@remix-run/node";
import { collection, person } from "~/modules/osdi/osdi.hal";
import { handleOsdiRequest, osdiReadOnly, listQueryOf } from "~/modules/osdi/osdi-http.server";
import { listPeople } from "~/modules/osdi/osdi.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return handleOsdiRequest(request, async ({ db, principal, urls, url }) => {
    const { query, rawFilter } = listQueryOf(url);
    const page = await listPeople(db, principal, query);
    return { body: collection(urls, { path: "/people", rel: "osdi:people", query, rawFilter, ...page, render: (row) => person(urls, row) }) };
  });
}

export const action = osdiReadOnly;
