import type { MessageKey } from "~/i18n/i18n";
import { campaignFormInput, campaignInputSchema, type CampaignInput } from "./lifecycle.schema";

/** Parses the campaign form into field errors keyed like the form (targets as one field). */
export function parseCampaignForm(form: FormData): { ok: true; data: CampaignInput } | { ok: false; errors: Record<string, MessageKey>; values: Record<string, unknown> } {
  const raw = campaignFormInput(form);
  const result = campaignInputSchema.safeParse(raw);
  if (result.success) return { ok: true, data: result.data };
  const errors: Record<string, MessageKey> = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? "form");
    errors[field] ??= issue.message as MessageKey;
  }
  return { ok: false, errors, values: raw };
}
