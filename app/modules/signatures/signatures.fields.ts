import type { MessageKey } from "~/i18n/i18n";

/** The sign form's fields and limits: shared by the zod schema and the page, without zod. */
/** The consent text the supporter agreed to; bump the version whenever form.consent changes. */
export const CONSENT_VERSION = "petition-consent-2026-11";

export const SIGNATURE_LIMITS = { name: 100, email: 254, postalCode: 12, comment: 1000 } as const;

export const SIGN_FIELDS = [
  "name",
  "email",
  "country",
  "postalCode",
  "comment",
  "publicName",
  "optIn",
  "consent",
] as const;
export type SignField = (typeof SIGN_FIELDS)[number];

export type SignFieldErrors = Partial<Record<SignField, MessageKey>>;

export const FIELD_MESSAGE_PARAMS: Record<SignField, Record<string, number>> = {
  name: { max: SIGNATURE_LIMITS.name },
  email: { max: SIGNATURE_LIMITS.email },
  country: {},
  postalCode: { max: SIGNATURE_LIMITS.postalCode },
  comment: { max: SIGNATURE_LIMITS.comment },
  publicName: {},
  optIn: {},
  consent: {},
};
