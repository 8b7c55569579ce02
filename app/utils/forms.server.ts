import type { z } from "zod";
import type { MessageKey } from "~/i18n/i18n";

export type FieldErrors = Record<string, MessageKey>;
export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors; values: Record<string, string> };

/**
 * Reads a form into a zod schema whose messages are catalogue keys. Passwords are never echoed
 * back; a field sent twice or as a file fails like any other bad value.
 */
export function parseForm<S extends z.ZodType>(schema: S, form: FormData, fields: readonly string[]): FormResult<z.output<S>> {
  const raw: Record<string, unknown> = {};
  const values: Record<string, string> = {};
  for (const field of fields) {
    const all = form.getAll(field);
    if (all.length === 0) continue;
    if (all.length > 1 || typeof all[0] !== "string") {
      raw[field] = 0;
      continue;
    }
    raw[field] = all[0];
    if (!/password/i.test(field)) values[field] = all[0].slice(0, 500);
  }
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? "form");
    errors[field] ??= issue.message as MessageKey;
  }
  return { ok: false, errors, values };
}

/** formData() that never throws: a body that is not a form reads as an empty form. */
export async function readForm(request: Request, maxBytes = 16 * 1024): Promise<FormData> {
  if (Number(request.headers.get("Content-Length") ?? 0) > maxBytes) return new FormData();
  try {
    return await request.formData();
  } catch {
    return new FormData();
  }
}

const SAME_ORIGIN = "http://banner.invalid";

/**
 * A redirect target from a query string: only paths on this site, as a browser would resolve
 * them. The value is parsed as a URL against a placeholder origin and kept only when it stays on
 * that origin; it is then sent in its serialised (percent-encoded, ASCII) form, so no tab, line
 * break or non-ASCII character reaches a Location header. Browsers drop tabs and line breaks
 * from URLs and read "\" as "/", so "/\t/evil.example" is another site: anything with a control
 * character or a backslash is refused outright.
 */
export function safeNext(value: string | null | undefined, fallback = "/dashboard"): string {
  if (!value || value.length > 500 || !value.startsWith("/")) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, SAME_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== SAME_ORIGIN) return fallback;
  const target = url.pathname + url.search + url.hash;
  // "/.//evil.example" resolves to the path "//evil.example", which a browser reads as another host.
  return target.startsWith("//") ? fallback : target;
}
