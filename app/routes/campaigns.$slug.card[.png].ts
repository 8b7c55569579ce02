import type { LoaderFunctionArgs } from "@remix-run/node";
import { DEFAULT_LOCALE, isLocale } from "~/i18n/i18n";
import { getSocialCard } from "~/modules/sharing/social-card.server";
import { getDb } from "~/services.server";
import { campaignSlugParam } from "~/utils/http.server";

// Link previews are fetched by the networks' crawlers and kept by CDNs: a few minutes fresh, then
// served stale while revalidating. The card changes only when its count bucket or title does.
const CARD_CACHE = "public, max-age=300, s-maxage=300, stale-while-revalidate=86400, stale-if-error=604800";

/**
 * GET /campaigns/:slug/card.png?lang=ur: the social card (og:image). The language comes from the
 * query only, never from cookies or headers, so the URL alone names the image and caches can
 * share it; an unknown language falls back to the default rather than breaking a preview.
 */
export async function loader({ params, request }: LoaderFunctionArgs) {
  const slug = campaignSlugParam(params.slug);
  const lang = new URL(request.url).searchParams.get("lang");
  const card = await getSocialCard(getDb(), slug, isLocale(lang) ? lang : DEFAULT_LOCALE);
  if (!card) return new Response("Not found\n", { status: 404, headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
  const etag = `"${card.fingerprint}"`;
  const headers = { "Content-Type": "image/png", "Cache-Control": CARD_CACHE, ETag: etag, "X-Content-Type-Options": "nosniff" };
  const known = (request.headers.get("If-None-Match") ?? "").split(",").map((tag) => tag.trim().replace(/^W\//, ""));
  if (known.includes(etag)) return new Response(null, { status: 304, headers });
  return new Response(new Uint8Array(card.png), { headers });
}
