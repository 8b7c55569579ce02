import { z } from "zod";
import type { MessageKey } from "~/i18n/i18n";

const message = (key: MessageKey) => ({ message: key });

export const invitePartnerSchema = z.object({
  organisation: z
    .string(message("partners.error.slug"))
    .trim()
    .toLowerCase()
    .max(80, message("partners.error.slug"))
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, message("partners.error.slug")),
});

export const partnerIdSchema = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const partnerDecisionSchema = z.object({
  partnerId: partnerIdSchema,
  decision: z.enum(["accept", "decline"]),
});

/** The link a partner shares: signatures through it record the partner. */
export function partnerShareLink(appUrl: string, campaignSlug: string, shareCode: string): string {
  return `${appUrl}/campaigns/${campaignSlug}?partner=${shareCode}`;
}
