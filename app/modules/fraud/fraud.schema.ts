import { z } from "zod";
import type { MessageKey } from "~/i18n/i18n";
import { parseAddressRange, rangeToCidr } from "~/utils/client-address.server";

const message = (key: MessageKey) => ({ message: key });
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** A time from a datetime-local field, read as UTC (the page says so). */
const utcTime = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, message("fraud.error.time"))
  .transform((v) => new Date(`${v.length === 16 ? `${v}:00` : v}Z`))
  .refine((d) => !Number.isNaN(d.getTime()), message("fraud.error.time"));

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema.optional());

/**
 * Which of a campaign's signatures an invalidation takes: an address or CIDR range, an email
 * domain (and its subdomains), a time window (UTC, start included, end excluded), or several of
 * these together. At least one is needed, so no form can take a whole campaign by accident.
 */
export const invalidationCriteriaSchema = z
  .object({
    ipRange: optional(
      z
        .string()
        .trim()
        .max(50, message("fraud.error.ipRange"))
        .transform((v, ctx) => {
          const range = parseAddressRange(v);
          if (!range) {
            ctx.addIssue({ code: "custom", message: "fraud.error.ipRange" });
            return z.NEVER;
          }
          return rangeToCidr(range);
        }),
    ),
    emailDomain: optional(
      z
        .string()
        .trim()
        .toLowerCase()
        .transform((v) => v.replace(/^@/, ""))
        .pipe(z.string().regex(DOMAIN, message("fraud.error.domain"))),
    ),
    from: optional(utcTime),
    to: optional(utcTime),
  })
  .superRefine((c, ctx) => {
    if (!c.ipRange && !c.emailDomain && !c.from && !c.to) ctx.addIssue({ code: "custom", path: ["ipRange"], message: "fraud.error.noCriteria" });
    if (c.from && c.to && c.from >= c.to) ctx.addIssue({ code: "custom", path: ["to"], message: "fraud.error.window" });
  });

export type InvalidationCriteria = z.output<typeof invalidationCriteriaSchema>;

export const invalidationNoteSchema = z.string().trim().max(500, message("fraud.error.reason")).optional();

/** How far back the trending view looks, in hours. */
export const trendWindowSchema = z.coerce.number().int().min(1).max(24 * 30).catch(24);
