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

/** A redirect target from a query string: only paths on this site. */
export function safeNext(value: string | null | undefined, fallback = "/dashboard"): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\") || value.length > 500) return fallback;
  return value;
}
