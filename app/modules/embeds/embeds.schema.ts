import { z } from "zod";

/** Sites that may frame one campaign's widget: enough for a coalition, short enough for a header. */
export const MAX_EMBED_ORIGINS = 20;

const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:[0-9]{1,5})?$/;

/**
 * An origin as browsers compare it for `frame-ancestors`: scheme, host, optional port. A pasted
 * page address with a path is not accepted (the organiser would think only that page may embed),
 * nor credentials, a query or a fragment.
 */
export const embedOriginSchema = z
  .string({ error: "error.origin.invalid" })
  .trim()
  .max(200, { message: "error.origin.invalid" })
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "error.origin.invalid" });
      return z.NEVER;
    }
    const bare = (url.pathname === "/" || url.pathname === "") && !url.search && !url.hash && !url.username && !url.password;
    // URL lower-cases the host and turns an internationalised name into its xn-- form.
    if (!bare || !ORIGIN.test(url.origin)) {
      ctx.addIssue({ code: "custom", message: "error.origin.invalid" });
      return z.NEVER;
    }
    return url.origin;
  });

export const embedOriginFormSchema = z.object({ origin: embedOriginSchema });
