/**
 * Public pages from memory, for the day a campaign goes viral (docs/surge.md): the campaign page
 * in each language, the home page, the count and campaign-list APIs and the social card, kept in
 * this process as the rendered bytes in identity, gzip and brotli, and answered before Express
 * and Remix.
 *
 * - Only anonymous requests use it: any cookie except the language one, or an Authorization
 *   header, sends the request to Express and Remix as before. The copy is made by rendering a
 *   request that carries nothing of the visitor's (no cookie, no Accept-Language), so nothing
 *   personal can end up in it. A response is kept only when it is a 200 that says `public` and
 *   sets no cookie; anything else (a 404, a redirect, an error) is answered by Remix as usual.
 * - Freshness: a copy is fresh for PAGE_CACHE_FRESH_MS (400 ms); after that the next request gets
 *   the old copy while one re-render runs (stale-while-revalidate); a copy older than 700 ms
 *   is not served while it is re-rendered. So the count on a page or in the API is at most about a
 *   second behind the database under load, and a page nobody asked for in a while is rendered
 *   afresh. Edits to a campaign are picked up the same way.
 * - One render per key at a time: concurrent requests for a missing or expired key wait for
 *   the same render (no thundering herd).
 * - If a re-render fails (database down), the old copy is served for up to a minute (stale-if-error).
 * - A hit costs little more than bare node:http: its whole header block, security headers
 *   included, is built with the copy; it writes the same request log line as server/guards.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Worker } from "node:worker_threads";
import { Counter } from "prom-client";
import { isLocale } from "~/i18n/i18n";
import { logger } from "~/utils/logger.server";
import { chooseEncoding } from "./compression";
import { logRequestLine } from "./guards";
import type { RenderOutcome, RenderReply, RenderRequest, RenderWorkerData } from "./page-render-worker";
import { publicCopyHeaders } from "./security-headers";

const MAX_URL_LENGTH = 512;
const MAX_ENTRIES = 500;
/**
 * A copy whose data is older than this is never served: requests wait for the re-render. With the
 * worker folding counts every 250 ms, a count is on the pages within about a second.
 */
const MAX_STALE_MS = 700;
/** When re-rendering fails, an older copy is better than an error page, for this long. */
const STALE_IF_ERROR_MS = 60_000;

/** Paths whose anonymous GET is the same for everyone (the query string is part of the key). */
function isCacheablePath(path: string): boolean {
  const parts = path.split("/");
  // "", then the segments; a trailing slash leaves an empty last segment.
  if (parts[parts.length - 1] === "" && parts.length > 2) parts.pop();
  const segments = parts.slice(1);
  if (segments.length === 1 && segments[0] === "") return true; // the home page
  if (segments[0] === "api") {
    return segments[1] === "v1" && segments[2] === "campaigns" && (segments.length === 3 || (segments.length === 4 && segments[3] !== ""));
  }
  if (isLocale(segments[0])) segments.shift();
  if (segments.length === 0) return true; // a language's home page
  if (segments[0] !== "campaigns" || !segments[1]) return false;
  if (segments.length === 2) return true; // the campaign page
  return segments.length === 3 && segments[2] === "card.png" && path.startsWith("/campaigns/"); // the social card
}

/** No cookie but the language choice, which no cached page depends on (the URL names the language). */
export function isAnonymous(req: IncomingMessage): boolean {
  if (req.headers.authorization !== undefined) return false;
  const cookie = req.headers.cookie;
  if (cookie === undefined) return true;
  return cookie.split(";").every((pair) => {
    const name = pair.slice(0, pair.indexOf("=")).trim();
    return name === "lang" || pair.trim() === "";
  });
}

/** One encoding of a copy: its body and the whole header block, built once when the copy is made. */
interface Encoded {
  body: Buffer;
  /** "W/"-less strong validator of these bytes, quotes included */
  etag: string;
  /** name, value, name, value… as res.writeHead takes them: no header object per request */
  head: (string | string[])[];
  /** the same without Content-Length, for a 304 */
  notModifiedHead: (string | string[])[];
}

interface Entry {
  status: number;
  identity: Encoded;
  gzip: Encoded | null;
  br: Encoded | null;
  /** when the render that made it started (its data is at least this fresh) */
  renderedAt: number;
}

/**
 * Renders in a worker thread (server/page-render-worker.ts, ADR 0022), started on the first render
 * and again after it dies; a render in flight when it dies counts as failed.
 */
function createRenderer(buildPath: string, mode: string | undefined) {
  // Next to this file: build/web.js starts build/page-render-worker.js. Under tsx (tests right after
  // an edit) the .ts beside it, with tsx's loader registered in the thread first: a worker does
  // not inherit the parent's --import hooks.
  const typescript = import.meta.url.endsWith(".ts");
  const file = typescript
    ? new URL(
        `data:text/javascript,import { register } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))}; register(); await import(${JSON.stringify(new URL("./page-render-worker.ts", import.meta.url).href)});`,
      )
    : new URL("./page-render-worker.js", import.meta.url);
  const pending = new Map<number, { resolve: (outcome: RenderOutcome) => void; url: string }>();
  let worker: Worker | null = null;
  let nextId = 0;
  const start = () => {
    const thread = new Worker(file, { workerData: { buildPath, mode } satisfies RenderWorkerData });
    // It must not keep a stopping process alive; it holds no state worth finishing.
    thread.unref();
    thread.on("message", ({ id, outcome, error }: RenderReply) => {
      const request = pending.get(id);
      pending.delete(id);
      if (error) logger.error({ err: error, url: request?.url }, "page cache render failed");
      request?.resolve(outcome);
    });
    const died = (reason: unknown) => {
      if (worker !== thread) return;
      worker = null;
      logger.error({ err: String(reason) }, "page render thread stopped; the next render starts another");
      for (const request of pending.values()) request.resolve("failed");
      pending.clear();
    };
    thread.on("error", died);
    thread.on("exit", (code) => died(`exit code ${code}`));
    return thread;
  };
  return (host: string, url: string) =>
    new Promise<RenderOutcome>((resolve) => {
      worker ??= start();
      const id = nextId++;
      pending.set(id, { resolve, url });
      worker.postMessage({ id, host, url } satisfies RenderRequest);
    });
}

/**
 * A render's outcome: a copy to keep and serve, "pass" (not cacheable: let Remix answer it as
 * usual) or "failed" (a server error: an older copy is served if there is one).
 */
type Outcome = Entry | "pass" | "failed";

export interface PageCacheOptions {
  /** the Remix server build (build/server/index.js), loaded by the render thread */
  buildPath: string;
  mode: string | undefined;
  freshMs: number;
  /** true while the process drains before exiting: every answer says `Connection: close` */
  closing?: () => boolean;
}

export interface PageCacheStats {
  hits: number;
  stale: number;
  misses: number;
  renders: number;
  passes: number;
}

export function createPageCache({ buildPath, mode, freshMs, closing = () => false }: PageCacheOptions) {
  const entries = new Map<string, Entry>();
  /** Keys recently found not cacheable, until when: answered by Remix without a render here first. */
  const passUntil = new Map<string, number>();
  const inFlight = new Map<string, Promise<Outcome>>();
  const stats: PageCacheStats = { hits: 0, stale: 0, misses: 0, renders: 0, passes: 0 };
  const requests = new Counter({
    name: "banner_page_cache_requests_total",
    help: "Anonymous views of public pages, by how the in-process cache answered: hit, stale (served while re-rendering), miss (waited for a render), pass (not cacheable: Remix answered)",
    labelNames: ["result"],
  });
  const renders = new Counter({ name: "banner_page_cache_renders_total", help: "Renders of public pages made for the in-process cache" });
  // One child per result, looked up once: a hit does not hash its label set.
  const counted = { hits: requests.labels("hit"), stale: requests.labels("stale"), misses: requests.labels("miss"), passes: requests.labels("pass") };
  const count = (result: "hits" | "stale" | "misses" | "passes") => {
    stats[result]++;
    counted[result].inc();
  };
  const securityHeaders = publicCopyHeaders();
  /** Accept-Encoding values seen, and the encoding each gets: browsers send a handful of spellings. */
  const encodings = new Map<string | undefined, "br" | "gzip" | null>();
  const encodingFor = (header: string | undefined) => {
    let encoding = encodings.get(header);
    if (encoding === undefined) {
      encoding = chooseEncoding(header);
      if (encodings.size >= 64) encodings.clear();
      encodings.set(header, encoding);
    }
    return encoding;
  };

  const renderer = createRenderer(buildPath, mode);

  async function renderEntry(host: string, url: string): Promise<Outcome> {
    stats.renders++;
    renders.inc();
    const outcome = await renderer(host, url);
    if (typeof outcome === "string") return outcome;
    const { headers, etagStem } = outcome;
    const common: (string | string[])[] = Object.entries(headers).flat();
    for (const [name, value] of securityHeaders) if (!(name.toLowerCase() in headers)) common.push(name, value);
    const encoded = (bytes: Uint8Array, encoding: "br" | "gzip" | null): Encoded => {
      const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const etag = `${etagStem}${encoding ? `-${encoding}` : ""}"`;
      const notModifiedHead = [...common, "ETag", etag, ...(encoding ? ["Content-Encoding", encoding] : [])];
      return { body, etag, notModifiedHead, head: [...notModifiedHead, "Content-Length", String(body.length)] };
    };
    return {
      status: 200,
      identity: encoded(outcome.identity, null),
      gzip: outcome.gzip ? encoded(outcome.gzip, "gzip") : null,
      br: outcome.br ? encoded(outcome.br, "br") : null,
      renderedAt: outcome.renderedAt,
    };
  }

  /** One render per key at a time; the copy replaces the old one when it is kept. */
  function refresh(key: string, host: string, url: string): Promise<Outcome> {
    let flight = inFlight.get(key);
    if (flight) return flight;
    flight = renderEntry(host, url)
      .catch((error: unknown): Outcome => {
        logger.error({ err: String((error as Error)?.stack ?? error), url }, "page cache render failed");
        return "failed";
      })
      .then((outcome): Outcome => {
        const old = entries.get(key);
        if (outcome === "failed") {
          // stale-if-error: the old copy while it is not too old, else Remix answers (its error page).
          return old && Date.now() - old.renderedAt < STALE_IF_ERROR_MS ? old : "pass";
        }
        entries.delete(key);
        if (outcome === "pass") {
          passUntil.set(key, Date.now() + Math.max(freshMs, 100));
          if (passUntil.size > MAX_ENTRIES) passUntil.delete(passUntil.keys().next().value!);
        } else {
          entries.set(key, outcome);
          if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
        }
        return outcome;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, flight);
    return flight;
  }

  /**
   * Answers from a copy. A hit does no more than bare node:http would, besides choosing the
   * encoding, the one log line and a counter: the header block (security headers included) was
   * built with the copy, and no guard applies (an anonymous GET of a public page: no form to
   * refuse, no session to keep private, framing denied in the block).
   */
  function send(req: IncomingMessage, res: ServerResponse, entry: Entry, started: bigint) {
    const encoding = entry.br ? encodingFor(req.headers["accept-encoding"]) : null;
    const copy = encoding === "br" ? entry.br! : encoding === "gzip" ? entry.gzip! : entry.identity;
    const known = req.headers["if-none-match"];
    const notModified = known !== undefined && known.split(",").some((tag) => tag.trim().replace(/^W\//, "") === copy.etag);
    const head = notModified ? copy.notModifiedHead : copy.head;
    const status = notModified ? 304 : entry.status;
    res.writeHead(status, closing() ? [...head, "Connection", "close"] : head);
    res.end(notModified || req.method === "HEAD" ? undefined : copy.body);
    logRequestLine(req, status, started);
  }

  return {
    stats,
    /**
     * Answers the request from memory when it is an anonymous GET or HEAD of a public page;
     * otherwise (or when the page turns out not to be cacheable) calls `next` (Express and Remix).
     */
    handle(req: IncomingMessage, res: ServerResponse, next: () => void) {
      const started = process.hrtime.bigint();
      const url = req.url ?? "/";
      if ((req.method !== "GET" && req.method !== "HEAD") || url.length > MAX_URL_LENGTH || !isAnonymous(req)) return next();
      const host = req.headers.host ?? "localhost";
      const key = `${host} ${url}`;
      const entry = entries.get(key);
      // A key with a copy was checked when the copy was made; only the others are checked here.
      if (!entry) {
        const query = url.indexOf("?");
        if (!isCacheablePath(query === -1 ? url : url.slice(0, query)) || !/^[\w.:[\]-]{1,255}$/.test(host)) return next();
      }
      const now = Date.now();
      const pass = passUntil.get(key);
      if (pass !== undefined) {
        if (pass > now) {
          count("passes");
          return next();
        }
        passUntil.delete(key);
      }
      const age = entry ? now - entry.renderedAt : Infinity;
      if (entry && age < freshMs) {
        count("hits");
        return send(req, res, entry, started);
      }
      if (entry && age < MAX_STALE_MS) {
        count("stale");
        void refresh(key, host, url);
        return send(req, res, entry, started);
      }
      count("misses");
      refresh(key, host, url).then(
        (outcome) => (typeof outcome === "string" ? next() : send(req, res, outcome, started)),
        () => next(),
      );
    },
  };
}
