import type { LoaderFunctionArgs } from "@remix-run/node";
import { readCampaignImage } from "~/modules/media/hero-image.server";
import { getDb } from "~/services.server";
import { routeId } from "~/utils/http.server";

const FILE = /^([0-9a-f]{16})-([0-9]{1,4})\.webp$/;

/**
 * A stored picture. Its URL names the upload's hash, so it never changes content: browsers and
 * CDNs may keep it for a year without asking again.
 */
export async function loader({ params }: LoaderFunctionArgs) {
  const match = FILE.exec(params.file ?? "");
  const campaignId = routeId(params.id);
  const image = match ? await readCampaignImage(getDb(), campaignId, match[1]!, Number(match[2])) : undefined;
  if (!image) return new Response("Not found\n", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "public, max-age=60" } });
  return new Response(new Uint8Array(image.data), {
    headers: {
      "Content-Type": image.content_type,
      "Content-Length": String(image.data.length),
      "Cache-Control": "public, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
