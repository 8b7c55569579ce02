/**
 * Domain errors carry a code, one per situation a caller may want to answer differently. What
 * each surface (page, form, admin, API) answers for a code is decided in one place:
 * ./error-answers.server.ts, whose table the compiler keeps complete.
 */
export const APP_ERROR_CODES = [
  "NOT_FOUND",
  /** A request or form that does not parse (the API's body, a field the form's schema refuses). */
  "INVALID_INPUT",
  "TOKEN_INVALID",
  "TOKEN_EXPIRED",
  "RATE_LIMITED",
  "FORBIDDEN",
  "UNAUTHENTICATED",
  "INVALID_CREDENTIALS",
  "EMAIL_NOT_CONFIRMED",
  "ACCOUNT_DISABLED",
  "LAST_OWNER",
  "SELF_CHANGE",
  "REDIS_UNAVAILABLE",
  "METHOD_NOT_ALLOWED",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  /** Signing or confirming on a campaign that is not open for signatures. */
  "CAMPAIGN_NOT_OPEN",
  /** Another campaign or organisation already has this slug. */
  "SLUG_TAKEN",
  /** The campaign has signatures: its address may no longer change. */
  "SLUG_LOCKED",
  /** Only draft and published campaigns may be edited. */
  "CAMPAIGN_NOT_EDITABLE",
  /** A lifecycle step (submit, publish, close, send an update) from a state it does not start from. */
  "CAMPAIGN_WRONG_STATE",
  /** The update was sent already (or is being sent). */
  "UPDATE_ALREADY_SENT",
  /** The export has no file (or bundle manifest) yet. */
  "EXPORT_NOT_READY",
  /** The signatures an invalidation matches changed since the admin saw its preview. */
  "PREVIEW_OUTDATED",
  /** The invalidation was undone already. */
  "ALREADY_UNDONE",
  /** The organisation is already a partner of the campaign, or invited to be. */
  "ALREADY_PARTNER",
  /** The partnership was answered or ended already. */
  "PARTNERSHIP_CLOSED",
  /** The campaign allows as many embedding sites as it may. */
  "TOO_MANY_EMBED_ORIGINS",
  /** An uploaded picture (a campaign's, an organisation's logo) we do not take: too large, not JPEG, PNG or WebP, unreadable; `details.field` names the form field, `details.problem` the message where the form words each. */
  "IMAGE_NOT_ACCEPTED",
  /** The signer's address is at a disposable-mail domain. */
  "DISPOSABLE_EMAIL",
  /** An invalidation whose criteria match no signature. */
  "NOTHING_TO_INVALIDATE",
  /** The organisation invited as a partner is the campaign's own host. */
  "PARTNER_IS_HOST",
  /** A translation into the campaign's own language (that text is edited on the campaign itself). */
  "TRANSLATION_IN_OWN_LANGUAGE",
  /** An admin sent a campaign back to draft without saying why. */
  "REJECTION_WITHOUT_REASON",
] as const;

export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

export class AppError extends Error {
  constructor(
    public readonly code: AppErrorCode,
    message: string = code,
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export function isAppError(error: unknown, code?: AppErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
