import { z } from "zod";
import { isCountryCode } from "~/i18n/countries";
import type { MessageKey } from "~/i18n/i18n";

const message = (key: MessageKey) => ({ message: key });

export const composeUpdateSchema = z.object({
  subject: z
    .string(message("error.campaign.required"))
    .transform((v) => v.normalize("NFC").trim())
    .pipe(
      z
        .string()
        .min(1, message("error.campaign.required"))
        .max(200, message("error.campaign.tooLong"))
        .refine((v) => !/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u.test(v), message("error.text.invalid")),
    ),
  bodyMd: z
    .string(message("error.campaign.required"))
    .transform((v) => v.normalize("NFC").replace(/\r\n?/g, "\n").trim())
    .pipe(z.string().min(1, message("error.campaign.required")).max(50_000, message("error.campaign.tooLong"))),
  countries: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const codes = (v ?? "")
        .split(/[\s,]+/)
        .map((c) => c.trim().toUpperCase())
        .filter(Boolean);
      if (codes.some((c) => !isCountryCode(c))) {
        ctx.addIssue({ code: "custom", message: "error.country.unknown" });
        return z.NEVER;
      }
      return codes.length ? [...new Set(codes)] : null;
    }),
  // A checkbox: present (any value) when ticked. The form ticks it by default.
  publishOnPage: z
    .string()
    .optional()
    .transform((v) => v !== undefined),
});

export type ComposeUpdateInput = z.output<typeof composeUpdateSchema>;
