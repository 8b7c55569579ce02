import { createHmac, timingSafeEqual } from "node:crypto";
import { FORM_STAMP_FIELD, HONEYPOT_FIELD } from "./fraud.fields";

/**
 * Two cheap bot checks on the sign form, before anything touches Redis or Postgres: a honeypot
 * field, and a minimum time between rendering the form and sending it. See docs/decisions/0007.
 */

const STAMP = /^(\d{13})\.([A-Za-z0-9_-]{22})$/;

function mac(secret: string, issuedAtMs: string): string {
  return createHmac("sha256", secret).update(`banner-form-stamp:${issuedAtMs}`).digest().subarray(0, 16).toString("base64url");
}

/** The stamp rendered into the sign form: when the page was made, signed so nobody can backdate it. */
export function issueFormStamp(secret: string, now = Date.now()): string {
  const issued = String(Math.floor(now));
  return `${issued}.${mac(secret, issued)}`;
}

/** When the form was rendered, or null if the stamp is missing, malformed or not ours. */
export function readFormStamp(secret: string, value: unknown): number | null {
  if (typeof value !== "string") return null;
  const match = STAMP.exec(value);
  if (!match) return null;
  const expected = Buffer.from(mac(secret, match[1]!));
  const given = Buffer.from(match[2]!);
  return expected.length === given.length && timingSafeEqual(expected, given) ? Number(match[1]) : null;
}

export type FormVerdict =
  /** looks like a person; "unstamped" when the form carried no valid stamp (not held against it) */
  | { verdict: "person"; stamped: boolean }
  /** the honeypot was filled in */
  | { verdict: "honeypot" }
  /** sent sooner after rendering than anyone could fill the form in */
  | { verdict: "too-fast"; elapsedMs: number };

/**
 * Judges a submitted sign form. A stamp that is missing or not ours is let through: the page is
 * publicly cached and may come from before a deploy or a secret rotation, and a person must never
 * be turned away for that. A cached page only makes a stamp older, so it never makes anyone "too fast".
 */
export function screenSignForm(form: FormData, opts: { secret: string; minFillSeconds: number; now?: number }): FormVerdict {
  const honeypot = form.getAll(HONEYPOT_FIELD);
  if (honeypot.some((v) => typeof v !== "string" || v.trim() !== "")) return { verdict: "honeypot" };
  const stamps = form.getAll(FORM_STAMP_FIELD);
  const issuedAt = stamps.length === 1 ? readFormStamp(opts.secret, stamps[0]) : null;
  if (issuedAt === null) return { verdict: "person", stamped: false };
  // Clocks of different web processes may differ a little: a stamp "from the future" is not a bot.
  const elapsedMs = (opts.now ?? Date.now()) - issuedAt;
  if (elapsedMs >= 0 && elapsedMs < opts.minFillSeconds * 1000) return { verdict: "too-fast", elapsedMs };
  return { verdict: "person", stamped: true };
}
