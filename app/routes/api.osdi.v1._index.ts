import type { LoaderFunctionArgs } from "@remix-run/node";
import { entryPoint } from "~/modules/osdi/osdi.hal";
import { handleOsdiRequest, osdiReadOnly } from "~/modules/osdi/osdi-http.server";

/** The OSDI API entry point: where a client starts and checks its key. */
export async function loader({ request }: LoaderFunctionArgs) {
  return handleOsdiRequest(request, async ({ urls }) => ({ body: entryPoint(urls) }));
}

export const action = osdiReadOnly;
