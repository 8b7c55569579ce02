import type { MessageKey } from "~/i18n/i18n";
import { renderMarkdown } from "~/utils/markdown.server";
import { CAMPAIGN_LIMITS, campaignFormInput, campaignInputSchema, type CampaignInput } from "./lifecycle.schema";
import { slugFromTitle } from "./slug";

/**
 * Parses the campaign form into field errors keyed like the form (targets as one field). A web
 * address left empty is made from the title, as the browser suggests it while one types.
 */
export function parseCampaignForm(form: FormData): { ok: true; data: CampaignInput } | { ok: false; errors: Record<string, MessageKey>; values: Record<string, unknown> } {
  const raw = campaignFormInput(form);
  const derived = raw.slug === undefined || raw.slug === "" ? (typeof raw.title === "string" ? slugFromTitle(raw.title) : "") : null;
  const result = campaignInputSchema.safeParse(derived === null ? raw : { ...raw, slug: derived });
  if (result.success) return { ok: true, data: result.data };
  const errors: Record<string, MessageKey> = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? "form");
    errors[field] ??= issue.message as MessageKey;
  }
  if (derived === "" && raw.title) errors.slug = "error.slug.fromTitle";
  else if (derived === "") delete errors.slug;
  return { ok: false, errors, values: raw };
}

/** Whether the form was sent with its Preview button (or by the live preview), not to save. */
export const wantsPreview = (form: FormData) => form.getAll("intent").includes("preview");

/**
 * The Preview button's answer: every value as entered, and the argument rendered the way the
 * campaign page renders it (raw HTML off, unsafe links refused), to show under the form.
 */
export function previewCampaignForm(form: FormData): { values: Record<string, unknown>; preview: string; errors: Record<string, MessageKey> } {
  const values = campaignFormInput(form);
  const argument = typeof values.argumentMd === "string" ? values.argumentMd : "";
  if (argument.length > CAMPAIGN_LIMITS.argument) return { values, preview: "", errors: { argumentMd: "error.campaign.tooLong" } };
  return { values, preview: renderMarkdown(argument, { headingOffset: 1 }), errors: {} };
}
