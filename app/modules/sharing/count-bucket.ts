/** Size of the social card (the 1.91:1 that Facebook, X and WhatsApp previews expect). */
export const CARD_WIDTH = 1200;
export const CARD_HEIGHT = 630;

/**
 * The count a social card shows. Exact below 100; above, rounded down to two significant digits
 * and shown with a "+" (12,345 → 12,000+). A card is drawn again when the bucket moves: often
 * while a campaign is small, about ninety times per tenfold growth after that, never per signature.
 */
export function countBucket(count: number): { value: number; approximate: boolean } {
  if (count < 100) return { value: Math.max(0, count), approximate: false };
  const step = 10 ** (Math.floor(Math.log10(count)) - 1);
  const value = Math.floor(count / step) * step;
  return { value, approximate: value !== count };
}
