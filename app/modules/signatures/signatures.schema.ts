import { z } from "zod";
import { isCountryCode } from "~/i18n/countries";
import type { MessageKey } from "~/i18n/i18n";
import { SIGN_FIELDS, SIGNATURE_LIMITS, type SignField, type SignFieldErrors } from "./signatures.fields";

export { CONSENT_VERSION, SIGN_FIELDS, SIGNATURE_LIMITS, type SignField, type SignFieldErrors } from "./signatures.fields";

// C0/C1 controls, and the bidi overrides that can disguise a name's direction.
const CONTROL_CHARS = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
const CONTROL_CHARS_EXCEPT_NEWLINES = /[\p{Cc}\u202A-\u202E\u2066-\u2069](?<![\n\r\t])/u;
const MARKUP = /<\s*\/?\s*[a-zA-Z!?]|&#?[a-zA-Z0-9]+;/;

const message = (key: MessageKey) => ({ message: key });

const plainLine = (max: number, tooLong: MessageKey, missing: MessageKey) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? missing : "error.text.invalid") })
    .transform((v) => v.normalize("NFC").trim())
    .pipe(
      z
        .string()
        .max(max, message(tooLong))
        .refine((v) => !CONTROL_CHARS.test(v) && !MARKUP.test(v), message("error.text.invalid")),
    );

const checkbox = z
  .enum(["on", "true", "1"], message("error.checkbox.invalid"))
  .optional()
  .transform((v) => v !== undefined);

export const signCampaignSchema = z.object({
  name: plainLine(SIGNATURE_LIMITS.name, "error.name.tooLong", "error.name.required").pipe(z.string().min(1, message("error.name.required"))),
  email: z
    .string(message("error.email.required"))
    .trim()
    .min(1, message("error.email.required"))
    .max(SIGNATURE_LIMITS.email, message("error.email.tooLong"))
    .pipe(z.email(message("error.email.invalid"))),
  country: z
    .string(message("error.country.required"))
    .trim()
    .toUpperCase()
    .min(1, message("error.country.required"))
    .refine(isCountryCode, message("error.country.unknown")),
  postalCode: z
    .string(message("error.postalCode.invalid"))
    .trim()
    .max(SIGNATURE_LIMITS.postalCode, message("error.postalCode.invalid"))
    .regex(/^([\p{L}\p{N}][\p{L}\p{N} -]*)?$/u, message("error.postalCode.invalid"))
    .optional()
    .transform((v) => (v ? v.toUpperCase() : null)),
  comment: z
    .string(message("error.text.invalid"))
    .transform((v) => v.normalize("NFC").replace(/\r\n?/g, "\n").trim())
    .pipe(
      z
        .string()
        .max(SIGNATURE_LIMITS.comment, message("error.comment.tooLong"))
        .refine((v) => !CONTROL_CHARS_EXCEPT_NEWLINES.test(v) && !MARKUP.test(v), message("error.text.invalid")),
    )
    .optional()
    .transform((v) => (v ? v : null)),
  publicName: checkbox,
  optIn: checkbox,
  consent: z.literal("on", message("error.consent.required")),
});

export type SignCampaignInput = z.output<typeof signCampaignSchema>;

/** How a signer came: a partner's share link, another signer's referral link, the channel it was posted on. */
export interface SignAttribution {
  partnerCode: string | null;
  referralCode: string | null;
  channel: string | null;
  /** the signer also wants updates from the partner (only meaningful with a partner code) */
  optInPartner: boolean;
}

export const NO_ATTRIBUTION: SignAttribution = { partnerCode: null, referralCode: null, channel: null, optInPartner: false };

const CODE = /^[a-z0-9]{6,32}$/;
const CHANNEL = /^[a-z]{1,16}$/;

/**
 * Reads attribution from a form or a query string (`partner`, `ref`, `via`, `optInPartner`).
 * These come from links anyone can edit: a malformed value is dropped, never an error, so a
 * mangled share link still lets its reader sign.
 */
export function parseAttribution(source: FormData | URLSearchParams): SignAttribution {
  const one = (name: string) => {
    const all = source.getAll(name);
    return all.length === 1 && typeof all[0] === "string" ? all[0].trim().toLowerCase() : null;
  };
  const partner = one("partner");
  const ref = one("ref");
  const via = one("via");
  const optInPartner = one("optInPartner");
  return {
    partnerCode: partner && CODE.test(partner) ? partner : null,
    referralCode: ref && CODE.test(ref) ? ref : null,
    channel: via && CHANNEL.test(via) ? via : null,
    optInPartner: optInPartner === "on" || optInPartner === "true" || optInPartner === "1",
  };
}

/**
 * Lower-cased, trimmed address: the key of an account or an invitation, where the address is a
 * login name. Signatures use canonicalEmail(), which also folds provider aliases; folding account
 * keys would lock out accounts already stored under their dotted form.
 */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Domains that are another name of the same mailboxes. */
const DOMAIN_ALIASES: Record<string, string> = { "googlemail.com": "gmail.com" };
/** Providers that deliver name.surname and namesurname to the same inbox. */
const IGNORES_DOTS = new Set(["gmail.com"]);
/** Providers that deliver name+anything to name's inbox. */
const IGNORES_PLUS_TAGS = new Set([
  "gmail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "icloud.com", "me.com", "mac.com",
  "proton.me", "protonmail.com", "pm.me", "fastmail.com", "yandex.ru", "yandex.com", "zoho.com",
]);

/**
 * The key of "one signature per person per campaign" (signatures.email_normalized): lower case,
 * and the aliases a provider delivers to one inbox folded together (Gmail: dots and +tags; many
 * others: +tags), so one inbox cannot sign a campaign twice. The address as typed is kept for
 * sending. Other domains keep dots and "+", which may be part of a distinct mailbox there.
 * migrations/20261127T0200_fraud.ts applies the same rules to stored rows: change both together.
 */
export function canonicalEmail(email: string): string {
  const lower = normaliseEmail(email);
  const at = lower.lastIndexOf("@");
  if (at <= 0) return lower;
  const domain = DOMAIN_ALIASES[lower.slice(at + 1)] ?? lower.slice(at + 1);
  let local = lower.slice(0, at);
  if (IGNORES_PLUS_TAGS.has(domain)) local = local.split("+")[0] || local;
  if (IGNORES_DOTS.has(domain)) local = local.replaceAll(".", "") || local;
  return `${local}@${domain}`;
}

/** The part after the last "@", lower case. */
export function emailDomain(email: string): string {
  const lower = normaliseEmail(email);
  return lower.slice(lower.lastIndexOf("@") + 1);
}

/**
 * Reads the sign form. A field sent twice, or as a file, is a malformed request and fails like
 * any other bad value; unknown fields are ignored.
 */
export function parseSignForm(
  form: FormData,
): { ok: true; data: SignCampaignInput; values: Record<string, string> } | { ok: false; errors: SignFieldErrors; values: Record<string, string> } {
  const raw: Record<string, unknown> = {};
  const values: Record<string, string> = {};
  const errors: SignFieldErrors = {};
  for (const field of SIGN_FIELDS) {
    const all = form.getAll(field);
    if (all.length === 0) continue;
    if (all.length > 1 || typeof all[0] !== "string") {
      raw[field] = 0; // any non-string fails that field's schema with its own message
      continue;
    }
    raw[field] = all[0];
    values[field] = all[0].slice(0, 2000);
  }
  if (form.get("optInPartner")) values.optInPartner = "on";
  // An empty optional text field is "not given".
  for (const field of ["postalCode", "comment"] as const) if (raw[field] === "") delete raw[field];

  const result = signCampaignSchema.safeParse(raw);
  // The values as sent come back too: a refusal after parsing (a rate limit, a disposable domain)
  // re-renders the form with them.
  if (result.success) return { ok: true, data: result.data, values };
  for (const issue of result.error.issues) {
    const field = issue.path[0] as SignField | undefined;
    if (field && !errors[field]) errors[field] = issue.message as MessageKey;
  }
  return { ok: false, errors, values };
}

