/**
 * What every request goes through before it is answered, whoever answers it (Express and Remix,
 * or server/sign-form-post.ts, which runs before Express): its log line, a Host that makes a URL,
 * no legacy `?_data` requests, the cross-site form check, the framing headers, no shared caching
 * of signed-in pages, and a connection left usable when a body goes unread. Plain Node request and
 * response, so both can run them; at most once per request.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { EMBED_PATH_PREFIX, FRAME_DENY_POLICY } from "~/modules/embeds/framing";
import { fromTrustedProxy } from "~/utils/client-address.server";
import { env } from "~/utils/env.server";
import { logger } from "~/utils/logger.server";

const GUARDED = Symbol("banner.guarded");

type Request = IncomingMessage & { [GUARDED]?: true };

/** The path of the request line, without the query (like Express's req.path). */
function pathOf(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

/**
 * One JSON line per request; secrets in paths (verification and export tokens) never reach the
 * logs. `started` is process.hrtime.bigint() when the request came in.
 */
export function logRequestLine(req: IncomingMessage, status: number, started: bigint) {
  // Checked first: at the production level the line is written, but a quieter level skips building it.
  if (!logger.isLevelEnabled("info")) return;
  logger.info(
    {
      method: req.method,
      path: pathOf(req).replace(/^\/(verify|exports)\/[^/]+/, "/$1/:token"),
      status,
      ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
    },
    "request",
  );
}

function logRequest(req: IncomingMessage, res: ServerResponse) {
  const started = process.hrtime.bigint();
  res.on("finish", () => logRequestLine(req, res.statusCode, started));
}

function answer(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, {
    "Cache-Control": "no-store",
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** True when `host` (a Host or X-Forwarded-Host value) can be the authority of a URL. */
function isUrlHost(host: string): boolean {
  try {
    return new URL(`http://${host}`).host !== "";
  } catch {
    return false;
  }
}

/**
 * Remix's Express adapter builds the request URL from the Host header, with the port taken from
 * X-Forwarded-Host when there is one, and throws (a 500) when they do not make a URL
 * ("evil.example:99999"). X-Forwarded-Host is text anyone can send: it is dropped unless a
 * proxy in TRUSTED_PROXIES sent it and it is a host; a Host that is not one is a 400.
 * True when the request was refused (and answered).
 */
function refuseBadHost(req: IncomingMessage, res: ServerResponse): boolean {
  const forwarded = req.headers["x-forwarded-host"];
  if (forwarded !== undefined) {
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim() ?? "";
    if (!fromTrustedProxy(req.socket.remoteAddress, env().TRUSTED_PROXIES) || !isUrlHost(first)) delete req.headers["x-forwarded-host"];
  }
  if (req.headers.host === undefined || isUrlHost(req.headers.host)) return false;
  answer(res, 400, "The Host header of this request is not a host name.\n");
  return true;
}

/**
 * `?_data=<route id>` is how Remix's client fetched loader data before single fetch; ours never
 * sends it, and Remix still answers it by another code path that fails with a 500 on some routes
 * and runs any route's loader whatever the URL. Refused with a 400.
 */
function refuseLegacyDataRequest(req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  if (query === -1 || !new URLSearchParams(url.slice(query + 1)).has("_data")) return false;
  answer(res, 400, "The _data query parameter is not supported.\n");
  return true;
}

/** How much of an unread request body is read and dropped to keep its connection usable. */
const DRAIN_LIMIT_BYTES = 1024 * 1024;

/**
 * An answer may go out before its request's body was read: a form over the size limit, a
 * refused upload, a JSON body cut off at its limit. What was left of the body stays in the
 * connection, paused, so the next request on that keep-alive connection would never be read
 * and its client would wait forever. After such an answer the rest is read and dropped; a body
 * declared larger than DRAIN_LIMIT_BYTES closes the connection instead, and one of unknown length
 * (chunked) closes it once more than that has been dropped. A chunked body is not answered with
 * `Connection: close` up front: Node destroys the socket right after such an answer, and a client
 * still writing the body then gets EPIPE instead of the answer.
 */
function keepConnectionUsable(req: IncomingMessage, res: ServerResponse) {
  const length = req.headers["content-length"];
  const declared = length === undefined ? 0 : Number(length);
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
  res.writeHead = ((...args: unknown[]) => {
    if (!req.complete && !(declared <= DRAIN_LIMIT_BYTES)) res.setHeader("Connection", "close");
    return writeHead(...args);
  }) as typeof res.writeHead;
  res.on("finish", () => {
    if (req.complete || req.destroyed) return;
    // Whoever was reading the body (Remix's request stream) has answered without it.
    req.removeAllListeners("data");
    let drained = 0;
    req.on("data", (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > DRAIN_LIMIT_BYTES) req.socket.destroy();
    });
    req.resume();
  });
}

/**
 * Remix refuses a state-changing request whose Origin is another host, but by throwing (a 500).
 * Answered here instead, with a clear 403 (the same rule: Origin must match the host).
 * True when the request was refused (and answered).
 */
function refuseCrossSiteForm(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return false;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  // The OSDI API authenticates by its OSDI-API-Token header and never reads cookies, so a
  // request from another origin carries no ambient authority: nothing to forge.
  // The path as Remix will route it (dot segments resolved), so "/api/osdi/../login" is not exempt.
  if (new URL(req.url ?? "/", "http://banner.invalid").pathname.startsWith("/api/osdi/")) return false;
  // X-Forwarded-Host is text anyone can send: believed only from a proxy in TRUSTED_PROXIES.
  const forwardedHost = fromTrustedProxy(req.socket.remoteAddress, env().TRUSTED_PROXIES) ? req.headers["x-forwarded-host"] : undefined;
  const host = ((typeof forwardedHost === "string" ? forwardedHost.split(",")[0] : undefined) ?? req.headers.host ?? "").trim();
  let originHost: string | null;
  try {
    originHost = origin === "null" ? null : new URL(origin).host;
  } catch {
    originHost = null;
  }
  if (originHost && originHost === host) return false;
  answer(res, 403, "This form was sent from another site, so it was not accepted. Open the page on this site and try again.\n");
  return true;
}

/**
 * No other site may frame our pages (clickjacking), except the widget under /embed/, whose routes
 * send a frame-ancestors list of the origins its organisers allowed. A widget response without
 * one (an error page) is denied like the rest, just before its headers go out.
 */
function denyFraming(req: IncomingMessage, res: ServerResponse) {
  if (!pathOf(req).startsWith(EMBED_PATH_PREFIX)) {
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Content-Security-Policy", FRAME_DENY_POLICY);
    return;
  }
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
  res.writeHead = ((...args: unknown[]) => {
    if (!res.hasHeader("Content-Security-Policy")) res.setHeader("Content-Security-Policy", FRAME_DENY_POLICY);
    return writeHead(...args);
  }) as typeof res.writeHead;
}

/**
 * Fingerprinted assets and campaign media are the same for everyone, whoever asks: they keep
 * their own public, immutable caching even when a session cookie comes along.
 */
const SAME_FOR_EVERYONE = /^\/(?:assets|media)\//;

/** A signed-in page carries the user's name and links: never let a shared cache keep it. */
function privateWhenSignedIn(req: IncomingMessage, res: ServerResponse) {
  if (!req.headers.cookie?.includes("banner_session=") || SAME_FOR_EVERYONE.test(pathOf(req))) return;
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) =>
    setHeader(name, name.toLowerCase() === "cache-control" ? "private, no-store" : value);
  res.setHeader("Cache-Control", "private, no-store");
}

/** Runs the guards once per request; false when one of them has answered it already. */
export function guardRequest(req: Request, res: ServerResponse): boolean {
  if (req[GUARDED]) return true;
  req[GUARDED] = true;
  logRequest(req, res);
  keepConnectionUsable(req, res);
  if (refuseBadHost(req, res) || refuseLegacyDataRequest(req, res) || refuseCrossSiteForm(req, res)) return false;
  denyFraming(req, res);
  privateWhenSignedIn(req, res);
  return true;
}

/** guardRequest as Express middleware. */
export function guards(req: IncomingMessage, res: ServerResponse, next: () => void) {
  if (guardRequest(req, res)) next();
}
