/**
 * The campaign page's sign form, posted without JavaScript: the request a surge is made of.
 *
 * Remix spends most of such a request on matching the URL against the whole route table (it
 * flattens and ranks every route, twice, per request: measured at ≈30% of the web process's CPU in
 * bench/sign.ts) and on wrapping Node's request in a fetch Request. This handler answers the plain
 * post before Remix does, through the very use case the route's action calls (signCampaignPageForm:
 * validation, bot screen, rate limits, database), and sends the same 303 to "check your inbox".
 *
 * Only that answer is given here. Every outcome that shows the page again (field errors, a rate
 * limit, a closed campaign, no such campaign) goes on to Remix with the result in the load context,
 * so the page renders exactly as before and nothing (a rate-limit hit, a signature) happens twice.
 * An unexpected failure goes on to Remix too, to be answered with the usual error page.
 * Anything that is not a plain, well-formed post to a campaign page (the enhanced JavaScript post
 * to `….data`, a query string, multipart, a body without Content-Length) is left to Remix whole.
 */
import type { NextFunction, Request, Response } from "express";
import { isLocale } from "~/i18n/i18n";
import { negotiateLocaleOf } from "~/i18n/locale.server";
import { answersCheckYourInbox, MAX_SIGN_FORM_BYTES, signCampaignPageForm } from "~/modules/signatures/sign-with-defences.server";
import { getDb, getReadyRedis } from "~/services.server";
import { isCampaignSlug } from "~/utils/http.server";

/** The paths it listens on, for app.post(). */
export const SIGN_FORM_PATHS = ["/campaigns/:slug", "/:lang/campaigns/:slug"];

const FORM_TYPE = "application/x-www-form-urlencoded";

function isPlainFormPost(req: Request): boolean {
  const type = req.headers["content-type"];
  if (!type || type.split(";", 1)[0]!.trim().toLowerCase() !== FORM_TYPE) return false;
  const length = req.headers["content-length"];
  return length !== undefined && /^\d{1,6}$/.test(length) && Number(length) <= MAX_SIGN_FORM_BYTES;
}

/** The body, as Node's parser delivers it: never more than Content-Length, which is checked above. */
function readBody(req: Request): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export function signFormPost(clientIp: (req: Request) => string | null) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const { lang, slug } = req.params as { lang?: string; slug?: string };
    if ((lang !== undefined && !isLocale(lang)) || !isCampaignSlug(slug) || req.originalUrl.includes("?") || !isPlainFormPost(req)) {
      return next();
    }
    try {
      const body = new URLSearchParams(await readBody(req));
      const form = new FormData();
      for (const [name, value] of body) form.append(name, value);
      const url = new URL(req.originalUrl, "http://banner.invalid");
      const result = await signCampaignPageForm({ db: getDb(), redis: await getReadyRedis(250) }, form, {
        campaignSlug: slug,
        locale: negotiateLocaleOf(url, (name) => req.get(name) ?? null).locale,
        clientAddress: clientIp(req),
        userAgent: req.get("user-agent") ?? null,
      });
      if (!answersCheckYourInbox(result)) {
        res.locals.presignedSign = result;
        return next();
      }
      res
        .status(303)
        .set("Location", `${lang ? `/${lang}` : ""}/campaigns/${slug}/signed`)
        .set("Cache-Control", "no-store")
        .end();
    } catch (error) {
      // Remix shows its error page for it, as it would have had the action failed there.
      res.locals.presignedError = error;
      next();
    }
  };
}
