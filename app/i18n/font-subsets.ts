/**
 * Which characters our Urdu and Arabic font files keep. Fontsource's "arabic" files cover the
 * whole Arabic script (Sindhi, Pashto, Kurdish, Quranic marks…): the Nastaliq face is 156 KB,
 * more than the campaign page's whole 60 KB budget (60 KB compressed on a first visit, ADR 0013). Cutting each face down to what
 * Arabic, Urdu and Persian text uses keeps every contextual form of those letters (the subsetter
 * follows the font's shaping rules from each kept character) and drops the rest.
 *
 * Read by scripts/subset-fonts.ts, which writes the files (app/fonts/, committed), and by
 * app/i18n/fonts.ts, whose @font-face `unicode-range` lists exactly these characters, so text
 * outside them falls back to the system font and never fetches a face that lacks it.
 */

/** [first, last] code point, inclusive. */
export type CodePointRange = readonly [number, number];

const one = (cp: number): CodePointRange => [cp, cp];

export const ARABIC_SCRIPT_SUBSET: readonly CodePointRange[] = [
  // Punctuation and signs: Arabic comma, semicolon, question mark; honorific signs (ﷺ-style marks).
  one(0x060c),
  [0x0610, 0x061b],
  one(0x061f),
  // The letters of Arabic (hamza … yeh), tatweel, the harakat, hamza above/below, noon ghunna mark.
  [0x0621, 0x063a],
  [0x0640, 0x0658],
  // Arabic-Indic digits, percent and the decimal and thousands separators; superscript alef.
  [0x0660, 0x066c],
  one(0x0670),
  // The letters Urdu and Persian add: tteh, peh, tcheh, ddal, rreh, jeh, keheh, gaf, noon ghunna,
  // heh doachashmee, the heh and yeh forms, yeh barree; the Urdu full stop.
  one(0x0679),
  one(0x067e),
  one(0x0686),
  one(0x0688),
  one(0x0691),
  one(0x0698),
  one(0x06a9),
  one(0x06af),
  one(0x06ba),
  one(0x06be),
  [0x06c0, 0x06c3],
  one(0x06cc),
  [0x06d2, 0x06d4],
  // Extended Arabic-Indic (Urdu and Persian) digits.
  [0x06f0, 0x06f9],
  // Joiners and directional marks, hyphens, and the two Arabic ligatures of formulae in common use.
  [0x200c, 0x200f],
  [0x2010, 0x2011],
  one(0xfdf2),
  one(0xfdfa),
];

/** Every code point in the ranges, as a string (what the subsetter is given). */
export function subsetText(ranges: readonly CodePointRange[]): string {
  let text = "";
  for (const [first, last] of ranges) for (let cp = first; cp <= last; cp++) text += String.fromCodePoint(cp);
  return text;
}

/** The ranges as a CSS `unicode-range` value. */
export function unicodeRange(ranges: readonly CodePointRange[]): string {
  const hex = (cp: number) => cp.toString(16).toUpperCase().padStart(4, "0");
  return ranges.map(([first, last]) => (first === last ? `U+${hex(first)}` : `U+${hex(first)}-${hex(last)}`)).join(", ");
}
