import { z } from "zod";
import { isCountryCode } from "~/i18n/countries";
import { LOCALES, type MessageKey } from "~/i18n/i18n";

const message = (key: MessageKey) => ({ message: key });
const CONTROL_OR_MARKUP = /[\p{Cc}\u202A-\u202E\u2066-\u2069]|<\s*\/?\s*[a-zA-Z!?]/u;
const CONTROL_EXCEPT_NEWLINES = /[\p{Cc}\u202A-\u202E\u2066-\u2069](?<![\n\r\t])/u;

const line = (max: number, { required = true } = {}) =>
  z
    .string(message("error.text.invalid"))
    .transform((v) => v.normalize("NFC").trim())
    .pipe(
      z
        .string()
        .min(required ? 1 : 0, message("error.campaign.required"))
        .max(max, message("error.campaign.tooLong"))
        .refine((v) => !CONTROL_OR_MARKUP.test(v), message("error.text.invalid")),
    );

export const CAMPAIGN_LIMITS = { title: 200, summary: 500, ask: 1000, addressedTo: 300, argument: 20_000, targets: 10 } as const;

export const targetSchema = z.object({
  name: line(200),
  role: line(200, { required: false }),
  country: z
    .string()
    .trim()
    .toUpperCase()
    .refine((v) => v === "" || isCountryCode(v), message("error.country.unknown"))
    .transform((v) => (v === "" ? null : v)),
});

export const campaignInputSchema = z.object({
  slug: z
    .string(message("error.slug.invalid"))
    .trim()
    .toLowerCase()
    .max(80, message("error.slug.invalid"))
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, message("error.slug.invalid")),
  title: line(CAMPAIGN_LIMITS.title),
  summary: line(CAMPAIGN_LIMITS.summary),
  ask: line(CAMPAIGN_LIMITS.ask),
  addressedTo: line(CAMPAIGN_LIMITS.addressedTo),
  argumentMd: z
    .string(message("error.text.invalid"))
    .transform((v) => v.normalize("NFC").replace(/\r\n?/g, "\n").trim())
    .pipe(
      z
        .string()
        .min(1, message("error.campaign.required"))
        .max(CAMPAIGN_LIMITS.argument, message("error.campaign.tooLong"))
        .refine((v) => !CONTROL_EXCEPT_NEWLINES.test(v), message("error.text.invalid")),
    ),
  goal: z.coerce
    .number(message("error.campaign.goal"))
    .int(message("error.campaign.goal"))
    .min(1, message("error.campaign.goal"))
    .max(100_000_000, message("error.campaign.goal")),
  deadline: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      const date = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T23:59:59Z`) : new Date(NaN);
      if (Number.isNaN(date.getTime()) || date.getTime() < Date.now()) {
        ctx.addIssue({ code: "custom", message: "error.campaign.deadline" });
        return z.NEVER;
      }
      return date;
    }),
  targets: z.array(targetSchema).max(CAMPAIGN_LIMITS.targets),
});

export type CampaignInput = z.output<typeof campaignInputSchema>;

/** The translation form: the campaign's texts, checked as on the campaign form, for one language. */
export const TRANSLATION_FIELDS = ["locale", "title", "summary", "ask", "addressedTo", "argumentMd"] as const;
export const translationFormSchema = campaignInputSchema
  .pick({ title: true, summary: true, ask: true, addressedTo: true, argumentMd: true })
  .extend({ locale: z.enum(LOCALES, message("translations.error.language")) });

export const reviewSchema = z.object({
  decision: z.enum(["publish", "reject"], message("errorPage.body")),
  note: z
    .string()
    .transform((v) => v.normalize("NFC").trim())
    .pipe(z.string().max(2000, message("error.campaign.tooLong")))
    .optional()
    .transform((v) => v || null),
});

/** Every field name of the campaign form, for readers that must list them (multipart). */
export const CAMPAIGN_FORM_FIELDS: readonly string[] = [
  "slug",
  "title",
  "summary",
  "ask",
  "addressedTo",
  "argumentMd",
  "goal",
  "deadline",
  ...Array.from({ length: CAMPAIGN_LIMITS.targets }, (_, i) => [`target-${i}-name`, `target-${i}-role`, `target-${i}-country`]).flat(),
];

/** Reads the campaign form; targets come as target-N-name / -role / -country, blank rows skipped. */
export function campaignFormInput(form: FormData): Record<string, unknown> {
  const one = (key: string) => {
    const all = form.getAll(key);
    return all.length === 1 && typeof all[0] === "string" ? all[0] : all.length === 0 ? undefined : 0;
  };
  const targets: Record<string, unknown>[] = [];
  for (let i = 0; i < CAMPAIGN_LIMITS.targets; i++) {
    const name = one(`target-${i}-name`);
    const role = one(`target-${i}-role`) ?? "";
    const country = one(`target-${i}-country`) ?? "";
    if (name === undefined || (name === "" && role === "" && country === "")) continue;
    targets.push({ name, role, country });
  }
  return {
    slug: one("slug"),
    title: one("title"),
    summary: one("summary"),
    ask: one("ask"),
    addressedTo: one("addressedTo"),
    argumentMd: one("argumentMd"),
    goal: one("goal"),
    deadline: one("deadline"),
    targets,
  };
}
