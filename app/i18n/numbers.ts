/**
 * Numbers and percentages for a language. No message catalogue here: the server, React and the
 * small script of the light public pages (app/enhance/) all format counts with these.
 */

/**
 * Digits: every language uses Latin digits (0–9), Urdu and Arabic included, pinned with
 * `numberingSystem: "latn"`. Urdu's CLDR default is Latin already, and it is what Pakistani
 * readers meet on screens; for Arabic, the Maghreb and most Arabic news sites use Latin digits
 * too, and a campaign's totals are compared across its languages and with the API, so the same
 * figures everywhere avoid "is ١٢٣ the same count as 123?". Pinning also matters technically:
 * ICU versions disagree on Arabic's default (CLDR 48 in Node says Latin, older ICU in browsers
 * says Arabic-Indic), and a server/client mismatch would break hydration of the live count.
 */
export const NUMBERING_SYSTEM = "latn";

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, style: "decimal" | "percent"): Intl.NumberFormat {
  const key = `${locale}:${style}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, {
      numberingSystem: NUMBERING_SYSTEM,
      style,
      maximumFractionDigits: style === "percent" ? 1 : 0,
    });
    numberFormats.set(key, format);
  }
  return format;
}

export function formatNumber(locale: string, value: number): string {
  return numberFormat(locale, "decimal").format(value);
}

/** `ratio` is a fraction: 0.125 is "12.5%" (or "%12,5" in Turkish). */
export function formatPercent(locale: string, ratio: number): string {
  return numberFormat(locale, "percent").format(ratio);
}
