import { z } from "zod";

export const COUNTS_BREAKDOWNS = ["total", "country", "day", "partner"] as const;
export type CountsBreakdown = (typeof COUNTS_BREAKDOWNS)[number];
export const COUNTS_FORMATS = ["csv", "json"] as const;
export type CountsFormat = (typeof COUNTS_FORMATS)[number];

/** "1"/"on" (a checkbox or ?bom=1) is yes; absent is no. */
const flag = z
  .enum(["1", "0", "on", "true", "false"])
  .optional()
  .transform((v) => v === "1" || v === "on" || v === "true");

/** ?by=country&format=csv&bom=1 */
export const countsQuerySchema = z
  .object({
    by: z.enum(COUNTS_BREAKDOWNS).default("total"),
    format: z.enum(COUNTS_FORMATS).default("csv"),
    bom: flag,
  })
  .strict();

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** The form that asks for a file of signatures: everyone, one partner's list, or a delivery bundle. */
export const signatureExportFormSchema = z.discriminatedUnion("scope", [
  z.object({ scope: z.literal("signatures"), bom: flag }),
  z.object({ scope: z.literal("partner"), partnerId: id, bom: flag }),
  z.object({ scope: z.literal("delivery"), targetId: id }),
]);

/** Reads URLSearchParams or FormData into a plain object; a key given twice is refused. */
export function singleValues(source: URLSearchParams | FormData): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const [key, value] of source.entries()) {
    if (typeof value !== "string" || key in out) return null;
    out[key] = value;
  }
  return out;
}
