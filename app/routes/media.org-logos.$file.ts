import type { LoaderFunctionArgs } from "@remix-run/node";
import { findLogo } from "~/modules/organisations/organisation-logo.server";
import { getDb } from "~/services.server";

const FILE = /^([1-9][0-9]{0,15})-([a-f0-9]{16})\.webp$/;

/** An organisation logo. The hash in the name changes with the logo, so the URL never goes stale. */
export async function loader({ params }: LoaderFunctionArgs) {
  const match = FILE.exec(params.file ?? "");
  const logo = match ? await findLogo(getDb(), Number(match[1]), match[2]!) : undefined;
  if (!logo) return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "public, max-age=60" } });
  return new Response(new Uint8Array(logo), {
    headers: {
      "Content-Type": "image/webp",
      "Content-Length": String(logo.byteLength),
      "Cache-Control": "public, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
