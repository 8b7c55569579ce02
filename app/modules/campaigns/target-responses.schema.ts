import { z } from "zod";
import type { MessageKey } from "~/i18n/i18n";

const message = (key: MessageKey) => ({ message: key });
const CONTROL_OR_MARKUP = /[\p{Cc}\u202A-\u202E\u2066-\u2069](?<![\n\r\t])|<\s*\/?\s*[a-zA-Z!?]/u;

/** A decision-maker's response as an organiser records it. */
export const targetResponseSchema = z.object({
  targetId: z.coerce.number(message("errorPage.body")).int().positive().max(Number.MAX_SAFE_INTEGER),
  respondedOn: z
    .string(message("responses.error.date"))
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, message("responses.error.date"))
    .refine((v) => {
      const day = new Date(`${v}T00:00:00Z`);
      // A real calendar day, and not in the future (a day's slack for time zones).
      return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(v) && day.getTime() <= Date.now() + 86_400_000;
    }, message("responses.error.date")),
  summary: z
    .string(message("responses.error.summary"))
    .transform((v) => v.normalize("NFC").replace(/\r\n?/g, "\n").trim())
    .pipe(
      z
        .string()
        .min(1, message("responses.error.summary"))
        .max(2000, message("responses.error.summary"))
        .refine((v) => !CONTROL_OR_MARKUP.test(v), message("error.text.invalid")),
    ),
  link: z
    .string(message("responses.error.link"))
    .trim()
    .max(2000, message("responses.error.link"))
    .optional()
    .transform((v) => v || null)
    .refine((v) => v === null || isHttpsUrl(v), message("responses.error.link")),
});

export type TargetResponseInput = z.output<typeof targetResponseSchema>;

/** Only https links: a response's link is shown to the public and must not be javascript: or plain http. */
export function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname.length > 0 && !url.username && !url.password;
  } catch {
    return false;
  }
}
