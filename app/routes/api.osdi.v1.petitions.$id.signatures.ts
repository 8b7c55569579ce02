import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { collection, curies, signature } from "~/modules/osdi/osdi.hal";
import { requireWriteScope } from "~/modules/api-keys/api-keys.server";
import { handleOsdiRequest, listQueryOf, osdiId } from "~/modules/osdi/osdi-http.server";
import { listSignatures, recordSignature } from "~/modules/osdi/osdi.server";
import { AppError } from "~/utils/errors.server";
import { readJsonBody } from "~/utils/http.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  return handleOsdiRequest(request, async ({ db, principal, urls, url }) => {
    const petitionId = osdiId(params.id, "petition");
    const { query, rawFilter } = listQueryOf(url);
    const page = await listSignatures(db, principal, petitionId, query);
    return {
      body: collection(urls, {
        path: `/petitions/${petitionId}/signatures`,
        rel: "osdi:signatures",
        query,
        rawFilter,
        ...page,
        render: (row) => signature(urls, row),
      }),
    };
  });
}

/**
 * The OSDI record signature helper. Every accepted request gets the same 202 and body, whether
 * the address is new, pending or confirmed: the answer never tells who has signed.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  return handleOsdiRequest(request, async ({ db, principal, urls }) => {
    if (request.method !== "POST") throw new AppError("METHOD_NOT_ALLOWED", "only GET and POST are supported here");
    // Before the body is read, so a read-only key gets its 403 whatever it sent.
    requireWriteScope(principal);
    const petitionId = osdiId(params.id, "petition");
    await recordSignature(db, principal, petitionId, await readJsonBody(request));
    const petitionHref = `${urls.api}/petitions/${petitionId}`;
    return {
      status: 202,
      body: {
        notice:
          "Accepted. Unless this address has already confirmed a signature on this petition, a confirmation email is on its way; the signature counts once the person confirms it.",
        "banner:status": "accepted",
        _links: { curies: curies(urls), "osdi:petition": { href: petitionHref }, "osdi:signatures": { href: `${petitionHref}/signatures` } },
      },
    };
  });
}
