import type { Redis } from "ioredis";
import type { Database } from "~/db/db.server";
import type { SignatureSource } from "~/db/schema";
import { FORM_STAMP_FIELD } from "~/modules/fraud/fraud.fields";
import { screenSignForm } from "~/modules/fraud/form-screen.server";
import { hitSigningLimits } from "~/modules/fraud/rate-limits.server";
import { env } from "~/utils/env.server";
import { ERROR_ANSWERS } from "~/utils/error-answers.server";
import { isAppError } from "~/utils/errors.server";
import { metrics } from "~/utils/metrics.server";
import { signCampaign, type SignOutcome } from "./sign-campaign.server";
import type { SignFieldErrors } from "./signatures.fields";
import { parseAttribution, parseSignForm, type SignAttribution } from "./signatures.schema";

/** A sign form is a few hundred bytes; anything past this is not one. */
export const MAX_SIGN_FORM_BYTES = 32 * 1024;

export type ScreenedSignResult =
  /** bad input: re-render with these messages */
  | { kind: "invalid"; errors: SignFieldErrors; values: Record<string, string> }
  /** a bot (the honeypot was filled in): answer as if it signed; nothing was stored */
  | { kind: "screened" }
  | { kind: "rate-limited"; retryAfterSeconds: number; values: Record<string, string> }
  | { kind: "signed"; outcome: SignOutcome }
  | { kind: "closed" }
  | { kind: "not-found" };

export interface ScreenAndSignArgs {
  campaignSlug: string;
  locale: string;
  clientAddress: string | null;
  userAgent: string | null;
  attribution: SignAttribution;
  source: SignatureSource;
}

/**
 * One signature from a form, behind every defence in the order that costs least: the form's own
 * rules, the bot screen, the Redis rate limits, then the database (which also refuses disposable
 * domains). Every way a form can sign (the campaign page, the embeddable widget) goes through here,
 * so no door is left without the defences.
 */
export async function screenAndSignCampaign(
  deps: { db: Database; redis: Redis },
  form: FormData,
  args: ScreenAndSignArgs,
): Promise<ScreenedSignResult> {
  // A re-rendered form keeps the stamp of its first rendering, so fixing one field and sending
  // again at once is not "too fast".
  const stamp = form.get(FORM_STAMP_FIELD);
  const keep = (values: Record<string, string>) => (typeof stamp === "string" ? { ...values, [FORM_STAMP_FIELD]: stamp.slice(0, 100) } : values);
  const parsed = parseSignForm(form);
  if (!parsed.ok) return { kind: "invalid", errors: parsed.errors, values: keep(parsed.values) };

  // A filled honeypot is a bot (no person sees that field): it gets the answer a person gets, and
  // nothing is stored (docs/decisions/0007). A form sent "too fast" may be a person with autofill:
  // it is stored and marked for the fraud view; the email confirmation is the real defence.
  const config = env();
  const screen = screenSignForm(form, { secret: config.SESSION_SECRET, minFillSeconds: config.SIGN_MIN_FILL_SECONDS });
  if (screen.verdict === "honeypot") {
    metrics.signaturesRefused.inc({ reason: screen.verdict });
    return { kind: "screened" };
  }
  const screenFlag = screen.verdict === "too-fast" ? ("fast-form" as const) : null;

  const limits = await hitSigningLimits(
    { redis: deps.redis, redisPrefix: config.REDIS_PREFIX },
    { perIp: config.SIGN_RATE_PER_IP, perDomain: config.SIGN_RATE_PER_DOMAIN, exemptDomains: config.SIGN_RATE_DOMAIN_EXEMPT },
    { campaignSlug: args.campaignSlug, clientAddress: args.clientAddress, email: parsed.data.email },
  );
  if (!limits.allowed) {
    metrics.signaturesRefused.inc({ reason: "rate-limited" });
    return { kind: "rate-limited", retryAfterSeconds: Math.max(1, limits.retryAfterSeconds), values: keep(parsed.values) };
  }

  try {
    const { outcome } = await signCampaign(deps.db, {
      campaignSlug: args.campaignSlug,
      input: parsed.data,
      locale: args.locale,
      ipAddress: args.clientAddress,
      userAgent: args.userAgent,
      attribution: args.attribution,
      source: args.source,
      screenFlag,
    });
    metrics.signaturesCreated.inc({ outcome });
    return { kind: "signed", outcome };
  } catch (error) {
    if (isAppError(error, "CAMPAIGN_NOT_OPEN")) return { kind: "closed" };
    if (isAppError(error, "NOT_FOUND")) return { kind: "not-found" };
    if (isAppError(error, "DISPOSABLE_EMAIL")) {
      metrics.signaturesRefused.inc({ reason: "disposable" });
      return { kind: "invalid", errors: { email: ERROR_ANSWERS.DISPOSABLE_EMAIL.form }, values: keep(parsed.values) };
    }
    throw error;
  }
}

/** What a body that is not a sign form at all (wrong type, too big, unreadable) gets: the form again, with an error. */
export const UNREADABLE_SIGN_FORM: ScreenedSignResult = { kind: "invalid", errors: { name: "error.name.required" }, values: {} };

/**
 * The campaign page's sign form, however it arrives: the route's action (the enhanced, JavaScript
 * post) and server/sign-form-post.ts (the plain post) both call this, so both sign alike.
 */
export function screenAndSignFromCampaignPage(
  deps: { db: Database; redis: Redis },
  form: FormData,
  args: Omit<ScreenAndSignArgs, "attribution" | "source">,
): Promise<ScreenedSignResult> {
  // Share links carry ?partner=, ?ref= and ?via= into the page; the form passes them on as hidden fields.
  return screenAndSignCampaign(deps, form, { ...args, attribution: parseAttribution(form), source: "web" });
}

/** Signed, or screened out as a bot: both answer "check your inbox", so nobody learns which. */
export function answersCheckYourInbox(result: ScreenedSignResult): boolean {
  return result.kind === "signed" || result.kind === "screened";
}
