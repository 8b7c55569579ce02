import { z } from "zod";
import { LOCALES } from "~/i18n/i18n";

/** A translation of a campaign's texts, as an organiser submits it. */
export const campaignTranslationSchema = z.object({
  locale: z.enum(LOCALES),
  title: z.string().trim().min(1).max(200),
  summary: z.string().trim().min(1).max(600),
  ask: z.string().trim().min(1).max(1000),
  addressedTo: z.string().trim().min(1).max(300),
  argumentMd: z.string().trim().min(1).max(40_000),
});
export type CampaignTranslationInput = z.infer<typeof campaignTranslationSchema>;
