import { z } from "zod";
import type { Database } from "~/db/db.server";
import type { MessageKey } from "~/i18n/i18n";
import type { Actor } from "~/modules/access/actor.server";
import { adminAnswer } from "~/utils/error-answers.server";
import { isAppError } from "~/utils/errors.server";
import { parseForm, type FieldErrors } from "~/utils/forms.server";
import { INVALIDATION_FIELDS } from "./fraud.fields";
import { invalidationCriteriaSchema, invalidationNoteSchema } from "./fraud.schema";
import { applyInvalidation, previewInvalidation, undoInvalidation, type InvalidationPreview } from "./invalidations.server";

/**
 * The admin's invalidation form, posted with one of three intents: `preview` (count what the
 * criteria take, change nothing), `apply` (take them, if the numbers are still those previewed)
 * and `undo` (give a past invalidation back). Answers what the page shows next and its status.
 */

export type InvalidationFormResult =
  | { kind: "preview"; errors: FieldErrors; values: Record<string, string>; preview?: InvalidationPreview; alert?: MessageKey }
  | { kind: "applied"; result: InvalidationPreview }
  | { kind: "undone"; result: InvalidationPreview }
  | { kind: "alert"; alert: MessageKey };

type Answer = { result: InvalidationFormResult; status: number };

const invalidationIdSchema = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const expectedSchema = z.object({ signatures: z.coerce.number().int().min(0), confirmed: z.coerce.number().int().min(0) });
const badForm: Answer = { result: { kind: "alert", alert: "errorPage.body" }, status: 400 };

/** A domain error shown as an alert above the form, in the admin console's words. */
function alertAnswer(error: unknown): Answer {
  const { alert, status } = adminAnswer(error);
  return { result: { kind: "alert", alert }, status };
}

export async function submitInvalidationForm(db: Database, actor: Actor, campaignId: number, form: FormData): Promise<Answer> {
  const intent = form.get("intent");
  if (intent === "undo") return undo(db, actor, campaignId, form);
  if (intent === "preview" || intent === "apply") return previewOrApply(db, actor, campaignId, form, intent);
  return badForm;
}

async function undo(db: Database, actor: Actor, campaignId: number, form: FormData): Promise<Answer> {
  const id = invalidationIdSchema.safeParse(form.get("invalidationId"));
  if (!id.success) return badForm;
  try {
    const result = await undoInvalidation(db, actor, campaignId, id.data);
    return { result: { kind: "undone", result }, status: 200 };
  } catch (error) {
    // Undone already (by another admin, or this form sent twice).
    if (isAppError(error, "ALREADY_UNDONE")) return alertAnswer(error);
    throw error;
  }
}

async function previewOrApply(db: Database, actor: Actor, campaignId: number, form: FormData, intent: "preview" | "apply"): Promise<Answer> {
  const parsed = parseForm(invalidationCriteriaSchema, form, INVALIDATION_FIELDS);
  const note = invalidationNoteSchema.safeParse(form.get("note") ?? undefined);
  const values = { ...(parsed.ok ? rawValues(form) : parsed.values), note: String(form.get("note") ?? "").slice(0, 500) };
  if (!parsed.ok || !note.success) {
    const errors = parsed.ok ? {} : parsed.errors;
    if (!note.success) errors.note = "fraud.error.reason";
    return { result: { kind: "preview", errors, values }, status: 400 };
  }
  if (intent === "preview") {
    const preview = await previewInvalidation(db, actor, campaignId, parsed.data);
    return { result: { kind: "preview", errors: {}, values, preview }, status: 200 };
  }
  const expected = expectedSchema.safeParse({ signatures: form.get("expectedSignatures"), confirmed: form.get("expectedConfirmed") });
  if (!expected.success) return badForm;
  try {
    const result = await applyInvalidation(db, actor, campaignId, { criteria: parsed.data, expected: expected.data, note: note.data });
    return { result: { kind: "applied", result }, status: 200 };
  } catch (error) {
    // Signatures arrived or changed since the preview: show the new numbers, apply nothing.
    if (isAppError(error, "PREVIEW_OUTDATED")) {
      const preview = error.details?.preview as InvalidationPreview;
      const { alert, status } = adminAnswer(error);
      return { result: { kind: "preview", errors: {}, values, preview, alert }, status };
    }
    if (isAppError(error, "NOTHING_TO_INVALIDATE")) return alertAnswer(error);
    throw error;
  }
}

/** The criteria as typed, to fill the form in again. */
function rawValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of INVALIDATION_FIELDS) {
    const value = form.get(field);
    if (typeof value === "string") values[field] = value.slice(0, 100);
  }
  return values;
}
