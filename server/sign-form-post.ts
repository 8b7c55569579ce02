/**
 * The campaign page's sign form, posted without JavaScript (or by app/enhance/public-page.ts,
 * which posts the same form with fetch): the request a surge is made of.
 *
 * Express and Remix spent most of such a request on their own machinery: Remix matching the URL
 * against the whole route table (it flattens and ranks every route, twice per request: ≈30% of the
 * web process's CPU in bench/sign.ts) and wrapping Node's request in a fetch Request; Express
 * another fifth of what remained. This handler takes the plain post on Node's own request, after
 * server/guards.ts (log line, cross-site check, framing headers) and before Express, through the
 * very use case the route's action calls (screenAndSignFromCampaignPage: validation, bot screen, rate
 * limits, database), and sends the same 303 to "check your inbox" (docs/decisions/0015).
 *
 * Only that answer is given here. Every outcome that shows the page again (field errors, a rate
 * limit, a closed campaign, no such campaign) goes on to Remix with the result in the load context,
 * so the page renders exactly as before and nothing (a rate-limit hit, a signature) happens twice.
 * An unexpected failure goes on to Remix too, to be answered with the usual error page.
 * Anything that is not a plain, well-formed post to a campaign page (Remix's own `….data` post,
 * a query string, multipart, a body without Content-Length) is left to Express and Remix whole.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isLocale } from "~/i18n/i18n";
import { negotiateLocaleOf } from "~/i18n/locale.server";
import { answersCheckYourInbox, MAX_SIGN_FORM_BYTES, screenAndSignFromCampaignPage } from "~/modules/signatures/screen-and-sign-campaign.server";
import { RATE_LIMIT_BUDGET_MS } from "~/modules/fraud/rate-limits.server";
import { getDb, getReadyRedis } from "~/services.server";
import { isCampaignSlug } from "~/utils/http.server";

/** /campaigns/:slug and /:lang/campaigns/:slug, as Express would match them (a trailing slash allowed, no query). */
const SIGN_FORM_PATH = /^\/(?:([^/?]+)\/)?campaigns\/([^/?]+)\/?$/;

const FORM_TYPE = "application/x-www-form-urlencoded";

export interface SignFormTarget {
  lang: string | undefined;
  slug: string;
}

/** The request's language prefix and campaign slug when it is a plain sign-form post this handler takes. */
function plainSignFormPost(req: IncomingMessage): SignFormTarget | null {
  if (req.method !== "POST") return null;
  const match = SIGN_FORM_PATH.exec(req.url ?? "");
  if (!match) return null;
  const [, lang, slug] = match;
  if ((lang !== undefined && !isLocale(lang)) || !isCampaignSlug(slug)) return null;
  const type = req.headers["content-type"];
  if (!type || type.split(";", 1)[0]!.trim().toLowerCase() !== FORM_TYPE) return null;
  const length = req.headers["content-length"];
  if (length === undefined || !/^\d{1,6}$/.test(length) || Number(length) > MAX_SIGN_FORM_BYTES) return null;
  return { lang, slug };
}

/** The body, as Node's parser delivers it: never more than Content-Length, which the caller checked. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

type Response = ServerResponse & { locals?: Record<string, unknown> };

export function signFormPost(clientIp: (req: IncomingMessage) => string | null) {
  return {
    /** The post's language prefix and campaign when this handler takes it; null for everything else. */
    target: plainSignFormPost,
    /** Answers the post, or hands it to `next` (Express, then Remix) with the result in res.locals. */
    async handle(req: IncomingMessage, res: Response, { lang, slug }: SignFormTarget, next: () => void) {
      res.locals ??= {};
      try {
        const body = new URLSearchParams(await readBody(req));
        const form = new FormData();
        for (const [name, value] of body) form.append(name, value);
        const url = new URL(req.url ?? "/", "http://banner.invalid");
        const header = (name: string) => {
          const value = req.headers[name.toLowerCase()];
          return typeof value === "string" ? value : null;
        };
        const result = await screenAndSignFromCampaignPage({ db: getDb(), redis: await getReadyRedis(RATE_LIMIT_BUDGET_MS) }, form, {
          campaignSlug: slug,
          locale: negotiateLocaleOf(url, header).locale,
          clientAddress: clientIp(req),
          userAgent: header("User-Agent"),
        });
        if (!answersCheckYourInbox(result)) {
          res.locals.presignedSign = result;
          return next();
        }
        res.writeHead(303, { Location: `${lang ? `/${lang}` : ""}/campaigns/${slug}/signed`, "Cache-Control": "no-store", "Content-Length": 0 });
        res.end();
      } catch (error) {
        // Remix shows its error page for it, as it would have had the action failed there.
        res.locals.presignedError = error;
        next();
      }
    },
  };
}
