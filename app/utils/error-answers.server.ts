import { data } from "@remix-run/node";
import type { MessageKey } from "~/i18n/i18n";
import { isAppError, type AppError, type AppErrorCode } from "./errors.server";
import { problem } from "./http.server";

/** What a page reached through an emailed link (verify, erase, …) shows when the link does not work. */
export type LinkView = "invalid" | "expired" | "closed";

/** The answer each surface gives for one error code. */
export interface ErrorAnswer {
  /** The HTTP status, the same on every surface: an error page, a form shown again, a problem. */
  status: number;
  /** What a signed-in form (dashboard, organisation, account) says above or beside itself; without it the page answers with the status alone. */
  form?: MessageKey;
  /** What the admin console says, where it differs from `form`; null: an error page instead. */
  admin?: MessageKey | null;
  /** What a page reached through an emailed link shows; "invalid" when absent. */
  link?: LinkView;
}

/**
 * Every code's answer, in one table: `satisfies Record<AppErrorCode, …>` makes a code without an
 * answer a compile error, so a new situation cannot fall through to a 500.
 */
export const ERROR_ANSWERS = {
  NOT_FOUND: { status: 404, admin: "adminConsole.notFound" },
  INVALID_INPUT: { status: 400 },
  TOKEN_INVALID: { status: 404 },
  TOKEN_EXPIRED: { status: 410, link: "expired" },
  RATE_LIMITED: { status: 429 },
  FORBIDDEN: { status: 403, form: "org.forbidden", admin: null },
  UNAUTHENTICATED: { status: 401 },
  INVALID_CREDENTIALS: { status: 400 },
  EMAIL_NOT_CONFIRMED: { status: 403 },
  ACCOUNT_DISABLED: { status: 403 },
  LAST_OWNER: { status: 409, form: "org.lastOwner" },
  SELF_CHANGE: { status: 409, admin: "adminConsole.users.self" },
  REDIS_UNAVAILABLE: { status: 503, admin: "adminConsole.queues.unavailable" },
  METHOD_NOT_ALLOWED: { status: 405 },
  PAYLOAD_TOO_LARGE: { status: 413 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415 },
  CAMPAIGN_NOT_OPEN: { status: 409, link: "closed" },
  SLUG_TAKEN: { status: 409, form: "error.slug.taken" },
  SLUG_LOCKED: { status: 409, form: "error.campaign.slugLocked" },
  CAMPAIGN_NOT_EDITABLE: { status: 409, form: "error.campaign.state" },
  CAMPAIGN_WRONG_STATE: { status: 409, form: "error.campaign.state" },
  UPDATE_ALREADY_SENT: { status: 409, form: "error.campaign.state" },
  EXPORT_NOT_READY: { status: 409 },
  PREVIEW_OUTDATED: { status: 409, admin: "fraud.changed" },
  ALREADY_UNDONE: { status: 409, admin: "fraud.alreadyUndone" },
  ALREADY_PARTNER: { status: 409, form: "partners.error.already" },
  PARTNERSHIP_CLOSED: { status: 409 },
  TOO_MANY_EMBED_ORIGINS: { status: 409, form: "error.origin.tooMany" },
  IMAGE_NOT_ACCEPTED: { status: 400 },
  DISPOSABLE_EMAIL: { status: 400, form: "error.email.disposable" },
  NOTHING_TO_INVALIDATE: { status: 400, admin: "fraud.nothing" },
  PARTNER_IS_HOST: { status: 400, form: "partners.error.self" },
  TRANSLATION_IN_OWN_LANGUAGE: { status: 400, form: "translations.error.language" },
  REJECTION_WITHOUT_REASON: { status: 400, admin: "admin.rejectReason" },
} as const satisfies Record<AppErrorCode, ErrorAnswer>;

const answerFor = (code: AppErrorCode): ErrorAnswer => ERROR_ANSWERS[code];

export function errorStatus(code: AppErrorCode): number {
  return answerFor(code).status;
}

/**
 * A page: a domain error becomes an error response with its status (and `headers`, say a page's
 * own Cache-Control); anything else is rethrown.
 */
export function throwPageError(error: unknown, headers?: HeadersInit): never {
  if (isAppError(error)) throw data({ code: error.code }, { status: errorStatus(error.code), headers });
  throw error;
}

/**
 * A signed-in form: the message to show and the status to show it with. A code the form has no
 * message for (NOT_FOUND: the thing is not there, or not yours) answers as a page instead.
 * `overrides` lets a form word a situation for its own context.
 */
export function formAnswer(error: unknown, overrides: Partial<Record<AppErrorCode, MessageKey>> = {}): { message: MessageKey; status: number; error: AppError } {
  if (!isAppError(error)) throw error;
  const message = overrides[error.code] ?? answerFor(error.code).form;
  if (!message) throwPageError(error);
  return { message, status: errorStatus(error.code), error };
}

/**
 * A signed-in form's answer, placed: beside the field the error names (`details.field`, as a slug
 * already taken does), or above the form.
 */
export function placedFormAnswer(
  error: unknown,
  overrides: Partial<Record<AppErrorCode, MessageKey>> = {},
): { errors: Record<string, MessageKey>; alert?: MessageKey; status: number } {
  const { message, status, error: known } = formAnswer(error, overrides);
  const field = known.details?.field;
  return typeof field === "string" ? { errors: { [field]: message }, status } : { errors: {}, alert: message, status };
}

/**
 * A form that may be refused for now (log in, sign up, a reset or erasure request): formAnswer,
 * and when to try again as RATE_LIMITED says (`details.retryAfterSeconds`, else
 * `fallbackSeconds`): whole minutes for the message, and a Retry-After header.
 */
export function retryFormAnswer(
  error: unknown,
  overrides: Partial<Record<AppErrorCode, MessageKey>>,
  fallbackSeconds = 0,
): { message: MessageKey; status: number; minutes: number; headers: Record<string, string> } {
  const { message, status, error: known } = formAnswer(error, overrides);
  const retry = Number(known.details?.retryAfterSeconds ?? (known.code === "RATE_LIMITED" ? fallbackSeconds : 0));
  return { message, status, minutes: Math.max(1, Math.ceil(retry / 60)), headers: retry ? { "Retry-After": String(retry) } : {} };
}

/** The admin console: an alert above the form, or an error page where the table says so. */
export function adminAnswer(error: unknown): { alert: MessageKey; status: number } {
  if (!isAppError(error)) throw error;
  const answer = answerFor(error.code);
  const alert = answer.admin === undefined ? answer.form : answer.admin;
  if (!alert) throwPageError(error);
  return { alert, status: answer.status };
}

/** A page reached through an emailed link: which notice it shows, with what status. */
export function linkAnswer(error: unknown): { view: LinkView; status: number; error: AppError } {
  if (!isAppError(error)) throw error;
  const answer = answerFor(error.code);
  return { view: answer.link ?? "invalid", status: answer.status, error };
}

/** The API: RFC 9457 problem JSON with the code's status and the error's own message. */
export function problemAnswer(error: unknown, detail?: string, extra: Record<string, unknown> = {}): Response {
  if (!isAppError(error)) throw error;
  return problem(errorStatus(error.code), detail ?? error.message, extra);
}
