import { createHash } from "node:crypto";
import { scriptFonts } from "~/i18n/fonts";

// The only inline code on a widget page is the <style> with the Urdu or Arabic @font-face rules
// (app/i18n/fonts.ts): allowed by its hash, so no 'unsafe-inline' for style elements.
const FONT_STYLE_HASHES = ["ur", "ar"].map((locale) => `'sha256-${createHash("sha256").update(scriptFonts(locale)!.css).digest("base64")}'`);

/**
 * The widget's Content-Security-Policy. The widget page renders without Remix's client scripts
 * (a plain form, no hydration), so scripts come only from our own origin: the small resizer.
 * Inline style attributes stay allowed (the progress bar's width); they cannot run code.
 * `frame-ancestors` lists exactly the origins the organisers allowed, or 'none'.
 */
export function embedContentSecurityPolicy(allowedOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' ${FONT_STYLE_HASHES.join(" ")}`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${allowedOrigins.length > 0 ? allowedOrigins.join(" ") : "'none'"}`,
  ].join("; ");
}

/**
 * The `headers` of the widget's routes: its policy (from the action when it ran, else the loader),
 * never cached after a POST, and the language Vary the root adds.
 */
export function embedHeaders({ loaderHeaders, actionHeaders, parentHeaders }: { loaderHeaders: Headers; actionHeaders: Headers; parentHeaders: Headers }): Headers {
  const headers = new Headers({ "Cache-Control": actionHeaders.get("Cache-Control") ? "no-store" : (loaderHeaders.get("Cache-Control") ?? "no-store") });
  const vary = parentHeaders.get("Vary");
  if (vary) headers.set("Vary", vary);
  const policy = actionHeaders.get("Content-Security-Policy") ?? loaderHeaders.get("Content-Security-Policy");
  if (policy) headers.set("Content-Security-Policy", policy);
  return headers;
}
