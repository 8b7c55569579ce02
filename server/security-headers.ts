/**
 * The security headers every response carries, whoever answers it (health checks, the sign-form
 * fast path, Express static files, Remix). Wired in once, at the top of server/index.ts.
 *
 * - A Content-Security-Policy limiting scripts to this site plus, on pages Remix renders, the
 *   inline scripts that carry this response's nonce (res.locals.cspNonce, passed to React by
 *   app/entry.server.tsx). It is sent as a header of its own: framing rules (server/guards.ts,
 *   the widget's routes) stay in theirs, and browsers enforce both.
 * - nosniff, a Referrer-Policy (no referrer at all from pages whose URL holds a secret token),
 *   a Permissions-Policy turning off what Banner never uses, and HSTS when the site is https.
 *
 * Under `--dev`, Vite injects inline scripts of its own: no script policy there. Route-set
 * Referrer-Policy headers (same-origin on token pages) are kept; the default fills the rest.
 */
import { randomFillSync } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { EMBED_PATH_PREFIX, FRAME_DENY_POLICY } from "~/modules/embeds/framing";
import { env } from "~/utils/env.server";

/** Pages whose URL carries a secret (verification, export, reset, unsubscribe, erasure, invitation links). */
const TOKEN_PAGE = /^\/(?:[a-z]{2}\/)?(?:verify|exports|reset-password|unsubscribe|invitations|privacy\/erase|account\/confirm)\//;

const HSTS = "max-age=31536000; includeSubDomains";
const PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";

/** `nonce` null: scripts from this site only, no inline script at all (copies shared by everyone). */
export function scriptPolicy(nonce: string | null, denyFraming: boolean): string {
  return [
    // The widget under /embed/ names the sites that may frame it in its own policy; the rest of the
    // site may not be framed at all (server/guards.ts says so too, for the responses it sees).
    ...(denyFraming ? [FRAME_DENY_POLICY] : []),
    "default-src 'self'",
    nonce === null ? "script-src 'self'" : `script-src 'self' 'nonce-${nonce}'`,
    // Inline styles (the fonts' @font-face block, style attributes) hold no script.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join("; ");
}

/**
 * The security headers of a public page answered from memory (server/page-cache.ts), worked out
 * once rather than per request. Such a copy is one response shared by every visitor, so a nonce
 * would be the same for all of them and protect nothing: its policy allows no inline script, and
 * the pages kept there (not hydrated: see app/root.tsx) have none. Its paths are never the widget
 * nor a token page, so framing is denied and the referrer policy is the default one.
 */
export function publicCopyHeaders(): [name: string, value: string | string[]][] {
  return [
    ["X-Content-Type-Options", "nosniff"],
    ["Permissions-Policy", PERMISSIONS_POLICY],
    ...(env().APP_URL.startsWith("https://") ? [["Strict-Transport-Security", HSTS] as [string, string]] : []),
    ["X-Frame-Options", "DENY"],
    ["Referrer-Policy", "same-origin"],
    ["Content-Security-Policy", [FRAME_DENY_POLICY, scriptPolicy(null, true)]],
  ];
}

type Response = ServerResponse & { locals?: Record<string, unknown> };

/**
 * 128 random bits per response for its nonce, from the system's CSPRNG a few kilobytes at a time:
 * one call for 256 nonces instead of one each (a call was a percent of a confirmation's CPU). Each
 * byte goes into one nonce only.
 */
const NONCE_BYTES = 16;
const randomPool = Buffer.alloc(NONCE_BYTES * 256);
let randomUsed = randomPool.length;
export function newNonce(): string {
  if (randomUsed + NONCE_BYTES > randomPool.length) {
    randomFillSync(randomPool);
    randomUsed = 0;
  }
  const nonce = randomPool.toString("base64", randomUsed, randomUsed + NONCE_BYTES);
  randomUsed += NONCE_BYTES;
  return nonce;
}

export function securityHeaders(opts: { dev: boolean }) {
  const https = env().APP_URL.startsWith("https://");
  return function applySecurityHeaders(req: IncomingMessage, res: Response) {
    const nonce = newNonce();
    res.locals ??= {};
    res.locals.cspNonce = nonce;
    const path = (req.url ?? "/").split("?", 1)[0]!;
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Permissions-Policy", PERMISSIONS_POLICY);
    if (https) res.setHeader("Strict-Transport-Security", HSTS);
    // Added when the headers go out, so a route's own choice (and the widget's framing policy) stands.
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
    res.writeHead = ((...args: unknown[]) => {
      if (!res.hasHeader("Referrer-Policy")) res.setHeader("Referrer-Policy", TOKEN_PAGE.test(path) ? "no-referrer" : "same-origin");
      if (!opts.dev) {
        const current = res.getHeader("Content-Security-Policy");
        const policies = current === undefined ? [] : ([] as string[]).concat(current.toString());
        if (!policies.some((p) => p.includes("script-src"))) res.setHeader("Content-Security-Policy", [...policies, scriptPolicy(nonce, !path.startsWith(EMBED_PATH_PREFIX))]);
      }
      return writeHead(...args);
    }) as typeof res.writeHead;
  };
}
