/** A campaign's web address (slug): lowercase ASCII letters and digits in dash-separated words. */
export const SLUG_MAX = 80;

/**
 * The web address suggested from a title, the same in the browser (while the organiser types)
 * and on the server (when the field was left empty). Accents are dropped (ş → s, é → e), Turkish
 * dotless ı becomes i; scripts with no Latin letters (Urdu, Arabic) give "", and the organiser
 * is asked to type an address.
 */
export function slugFromTitle(title: string): string {
  const words = title
    .replace(/ı/g, "i")
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let slug = "";
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > SLUG_MAX) break;
    slug = next;
  }
  return slug || (words[0] ?? "").slice(0, SLUG_MAX);
}
