/**
 * The confirm button of the verification link (`POST /verify/:token`, `?lang=` as in the email),
 * posted by a browser with or without JavaScript (the page is server HTML whose form posts itself):
 * the second request of every signature in a surge.
 *
 * Through Express, Remix and React such a post cost about 6 ms of CPU, most of it rendering the
 * "confirmed" page (route matching, the document, the share links). This handler takes the plain
 * post on Node's own request, after server/guards.ts and before Express, and confirms through the
 * very use case the route's action calls (confirmSignatureFromLink: the attempt limit per link,
 * then the confirmation). When the outcome is "confirmed" it answers the page the route would
 * render, from a copy Remix rendered once per campaign, title, language and URL shape with
 * placeholder strings where this signer's token and share code go; those are put in (both are
 * letters, digits, `-` and `_` only, which no escaping or URL encoding changes).
 *
 * Every other outcome (already confirmed, rate limited, expired, closed, invalid, a failure) and
 * every confirmation whose page copy cannot be made go on to Remix with the outcome in the load
 * context (`preconfirmed`), so the page renders exactly as before and nothing (a limit hit, a
 * confirmation) happens twice. Requests that are not a plain, anonymous, well-formed post of this
 * form (a signed-in visitor, another query, multipart, no Content-Length) go to Express whole.
 * docs/decisions/0021-confirm-fast-path.md.
 */
import { createRequestHandler, type AppLoadContext, type ServerBuild } from "@remix-run/node";
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isLocale, translator, type Locale } from "~/i18n/i18n";
import { negotiateLocaleOf } from "~/i18n/locale.server";
import { RATE_LIMIT_BUDGET_MS } from "~/modules/fraud/rate-limits.server";
import { confirmSignatureFromLink, type ConfirmOutcome } from "~/modules/signatures/confirm-from-link.server";
import { getDb, getReadyRedis } from "~/services.server";
import { postedFailure, type PostedLinkForm } from "~/utils/http.server";
import { logger } from "~/utils/logger.server";
import { metrics } from "~/utils/metrics.server";
import { acceptedEncodings, compressWhole } from "./compression";
import { isAnonymous } from "./page-cache";
import { readBody } from "./sign-form-post";
import { StitchedGzip } from "./stitched-gzip";

/** /verify/:token, with no query or the email's `?lang=xx` (the form posts to the URL it was shown at). */
const VERIFY_PATH = /^\/verify\/([A-Za-z0-9_-]{43})(\?lang=([a-z]{2}))?$/;
const FORM_TYPE = "application/x-www-form-urlencoded";
/** The form is one hidden field; anything much longer is not it. */
const MAX_BODY_BYTES = 1024;
/** Share codes and tokens are put into the copy as they are: only strings escaping leaves alone. */
const PLAIN = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_COPIES = 200;
const HOST = /^[\w.:[\]-]{1,255}$/;
const MIN_COMPRESS_BYTES = 1024;
const NONE = { br: false, gzip: false };

interface Target {
  token: string;
  lang: string | undefined;
}

/** The rendered "confirmed" page with placeholders, and the headers Remix sent with it. */
interface PageCopy {
  status: number;
  headers: Record<string, string | string[]>;
  /** the page split at each placeholder; `holes[i]` names what goes between parts i and i+1 */
  parts: string[];
  holes: ("token" | "ref" | "nonce" | "count")[];
  /** the parts deflated once, for gzip answers stitched around the holes (server/stitched-gzip.ts) */
  gzip: StitchedGzip;
}

type Response = ServerResponse & { locals?: Record<string, unknown> };

function plainConfirmPost(req: IncomingMessage): Target | null {
  if (req.method !== "POST") return null;
  const match = VERIFY_PATH.exec(req.url ?? "");
  if (!match) return null;
  const [, token, , lang] = match;
  if (lang !== undefined && !isLocale(lang)) return null;
  const type = req.headers["content-type"];
  if (!type || type.split(";", 1)[0]!.trim().toLowerCase() !== FORM_TYPE) return null;
  const length = req.headers["content-length"];
  if (length === undefined || !/^\d{1,4}$/.test(length) || Number(length) > MAX_BODY_BYTES) return null;
  if (!isAnonymous(req) || !HOST.test(req.headers.host ?? "")) return null;
  return { token: token!, lang };
}

/**
 * The count sentence the page shows ("You are one of 1,234 confirmed signers."), as React writes text
 * into HTML. The copy is rendered with COUNT_SENTINEL as the count and this sentence for it is cut out,
 * so each answer carries its own count in the plural form its number takes.
 */
const COUNT_SENTINEL = 987_654_321;
/**
 * Sentences already written, by language and count. In a surge many confirmations in a row show the
 * same count (it moves when the worker folds the ledger), and formatting one (plural rules, number
 * format) costs more than looking it up. Emptied when full; a sentence depends on nothing else.
 */
const sentences = new Map<string, string>();
const MAX_SENTENCES = 1_000;
function countSentence(locale: Locale, count: number): string {
  const key = `${locale}${count}`;
  let sentence = sentences.get(key);
  if (sentence === undefined) {
    sentence = translator(locale)("verify.count", { count }).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" })[c]!);
    if (sentences.size >= MAX_SENTENCES) sentences.clear();
    sentences.set(key, sentence);
  }
  return sentence;
}

/** Cuts the page at every placeholder. */
function splitAtPlaceholders(html: string, placeholders: Record<PageCopy["holes"][number], string>): Pick<PageCopy, "parts" | "holes"> {
  const parts: string[] = [];
  const holes: PageCopy["holes"] = [];
  const pattern = new RegExp(Object.values(placeholders).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  const nameOf = new Map(Object.entries(placeholders).map(([name, value]) => [value, name as PageCopy["holes"][number]]));
  let last = 0;
  for (const match of html.matchAll(pattern)) {
    parts.push(html.slice(last, match.index));
    holes.push(nameOf.get(match[0])!);
    last = match.index + match[0].length;
  }
  parts.push(html.slice(last));
  return { parts, holes };
}

export function verifyFormPost(opts: { build: ServerBuild; mode: string | undefined }) {
  const render = createRequestHandler(opts.build, opts.mode);
  // Random per process: no page can contain them by chance.
  const placeholders = {
    token: randomBytes(32).toString("base64url").slice(0, 43),
    ref: `zz${randomBytes(16).toString("hex")}`,
    nonce: `n0nce${randomBytes(12).toString("hex")}`,
  };
  const copies = new Map<string, Promise<PageCopy | null>>();

  /** Remix renders the page for a confirmation with the placeholders where this signer's strings go. */
  async function renderCopy(req: IncomingMessage, target: Target, locale: Locale, result: ConfirmOutcome): Promise<PageCopy | null> {
    const headers = new Headers({ "Content-Type": FORM_TYPE, "User-Agent": "banner-verify-copy" });
    // What the page's language is chosen by; nothing else of the visitor's goes into the copy.
    if (req.headers.cookie) headers.set("Cookie", req.headers.cookie);
    const acceptLanguage = req.headers["accept-language"];
    if (typeof acceptLanguage === "string") headers.set("Accept-Language", acceptLanguage);
    const path = `/verify/${placeholders.token}${target.lang ? `?lang=${target.lang}` : ""}`;
    const context: AppLoadContext = {
      clientIp: null,
      cspNonce: placeholders.nonce,
      posted: { intent: "confirm", outcome: { ok: true, result: { ...result, confirmedCount: COUNT_SENTINEL, referralCode: result.referralCode === null ? null : placeholders.ref } } },
    };
    const response = await render(new Request(`http://${req.headers.host}${path}`, { method: "POST", headers, body: "intent=confirm" }), context);
    // The one cookie such a page may set is the language the link named (the same for every
    // request of this key); anything else is not for a copy.
    const cookies = response.headers.getSetCookie();
    if (response.status !== 200 || cookies.some((c) => !c.startsWith("lang=")) || !(response.headers.get("Content-Type") ?? "").startsWith("text/html")) {
      await response.body?.cancel();
      return null;
    }
    const html = await response.text();
    const kept: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      if (name !== "content-length" && name !== "content-encoding" && name !== "transfer-encoding" && name !== "set-cookie") kept[name] = value;
    });
    if (cookies.length > 0) kept["set-cookie"] = cookies;
    // As Express sets them: a charset on text types, the encoding among what the page varies by.
    const type = kept["content-type"] as string;
    if (!/;\s*charset=/i.test(type)) kept["content-type"] = `${type}; charset=utf-8`;
    const vary = typeof kept["vary"] === "string" ? kept["vary"] : "";
    kept["vary"] = vary ? (/\baccept-encoding\b/i.test(vary) ? vary : `${vary}, Accept-Encoding`) : "Accept-Encoding";
    const count = countSentence(locale, COUNT_SENTINEL);
    // The page must show the count sentence once, in the language the answers will be written in;
    // if it does not (a page shape this copy does not know), Remix answers every such confirmation.
    if (html.split(count).length !== 2) return null;
    const { parts, holes } = splitAtPlaceholders(html, { ...placeholders, count });
    return { status: response.status, headers: kept, parts, holes, gzip: new StitchedGzip(parts) };
  }

  /** One copy per page shape, made once (concurrent first posts wait for the same render). */
  function copyFor(req: IncomingMessage, target: Target, locale: Locale, result: ConfirmOutcome): Promise<PageCopy | null> {
    // The page depends on these alone; the Cookie header (a language choice at most, see
    // isAnonymous) decides whether it sets the language cookie.
    const key = JSON.stringify([req.headers.host, target.lang, req.headers.cookie, locale, result.campaign.slug, result.campaign.title, result.referralCode === null]);
    let copy = copies.get(key);
    if (!copy) {
      copy = renderCopy(req, target, locale, result).catch((error: unknown) => {
        logger.error({ err: String((error as Error)?.stack ?? error) }, "verify page copy failed");
        return null;
      });
      copies.set(key, copy);
      // A failed copy is not kept: the next confirmation tries again.
      void copy.then((made) => made ?? copies.delete(key));
      if (copies.size > MAX_COPIES) copies.delete(copies.keys().next().value!);
    }
    return copy;
  }

  /**
   * The page with this answer's strings in the holes. Gzip whenever the browser takes it, brotli
   * included: the static parts were deflated once and the answer is stitched around the holes at
   * next to no CPU, where compressing the page anew was a fifth of the web process's time per
   * confirmation. (Among the encodings a request accepts, the server may pick any; every browser
   * that sends `br` sends `gzip` too.) Brotli, compressed per answer, only for one that takes
   * brotli alone; none when it takes neither or the page is tiny, as server/compression.ts does.
   */
  function send(req: IncomingMessage, res: Response, copy: PageCopy, values: Record<PageCopy["holes"][number], string>) {
    const holes = copy.holes.map((name) => values[name]);
    const accepted = copy.gzip.staticBytes >= MIN_COMPRESS_BYTES ? acceptedEncodings(req.headers["accept-encoding"]) : NONE;
    const encoding = accepted.gzip ? "gzip" : accepted.br ? "br" : null;
    let body: Buffer;
    if (encoding === "gzip") body = copy.gzip.gzip(holes);
    else {
      let html = copy.parts[0]!;
      for (let i = 0; i < holes.length; i++) html += holes[i]! + copy.parts[i + 1]!;
      const identity = Buffer.from(html, "utf8");
      body = encoding === "br" ? compressWhole("br", identity) : identity;
    }
    const headers: Record<string, string | string[] | number> = { ...copy.headers, "Content-Length": body.length };
    if (encoding) headers["Content-Encoding"] = encoding;
    res.writeHead(copy.status, headers);
    res.end(body);
  }

  return {
    /** The token and `?lang=` when this handler takes the post; null for everything else. */
    target: plainConfirmPost,
    /** Confirms and answers the page, or hands the post to `next` (Express, then Remix) with the outcome in res.locals. */
    async handle(req: IncomingMessage, res: Response, target: Target, next: () => void) {
      res.locals ??= {};
      const pass = () => {
        metrics.verifyFastPath.inc({ result: "passed" });
        next();
      };
      try {
        const intent = new URLSearchParams(await readBody(req)).get("intent") ?? "confirm";
        if (intent !== "confirm") {
          // "Not me" and anything else: the action does it, with the body read here.
          res.locals.posted = { intent } satisfies PostedLinkForm;
          return pass();
        }
        const url = new URL(req.url ?? "/", "http://banner.invalid");
        const header = (name: string) => {
          const value = req.headers[name.toLowerCase()];
          return typeof value === "string" ? value : null;
        };
        const locale = negotiateLocaleOf(url, header).locale;
        const result = await confirmSignatureFromLink({ db: getDb(), redis: () => getReadyRedis(RATE_LIMIT_BUDGET_MS) }, target.token, { locale });
        const posted: PostedLinkForm = { intent, outcome: { ok: true, result } };
        if (result.outcome !== "confirmed" || (result.referralCode !== null && !PLAIN.test(result.referralCode))) {
          res.locals.posted = posted;
          return pass();
        }
        const copy = await copyFor(req, target, locale, result);
        if (!copy) {
          res.locals.posted = posted;
          return pass();
        }
        const nonce = typeof res.locals.cspNonce === "string" ? res.locals.cspNonce : "";
        send(req, res, copy, { token: target.token, ref: result.referralCode ?? "", nonce, count: countSentence(locale, result.confirmedCount) });
        metrics.verifyFastPath.inc({ result: "answered" });
      } catch (error) {
        // Remix answers it as the action would have (a clear page for a domain error, else its error page).
        res.locals.posted = { intent: "confirm", outcome: postedFailure(error) } satisfies PostedLinkForm;
        pass();
      }
    },
  };
}
