import naskh400 from "~/fonts/noto-naskh-arabic-400.woff2?url";
import naskh700 from "~/fonts/noto-naskh-arabic-700.woff2?url";
import nastaliq400 from "~/fonts/noto-nastaliq-urdu-400.woff2?url";
import { ARABIC_SCRIPT_SUBSET, unicodeRange } from "./font-subsets";

/**
 * Urdu is written in Nastaliq and Arabic in Naskh; system fonts rarely have a Nastaliq face, so
 * we serve Noto's from our own origin (Vite fingerprints the files under /assets/). Only woff2,
 * only the characters Arabic, Urdu and Persian text uses (app/i18n/font-subsets.ts), and only on
 * pages in (or quoting) those languages: the other languages never download them. Latin letters
 * and digits fall through to the system stack.
 */
const ARABIC_SCRIPT_RANGE = unicodeRange(ARABIC_SCRIPT_SUBSET);

const FACES = {
  // Regular only: the Nastaliq face is ~115 KB even cut down to these characters, twice the
  // page's budget on its own; bold Urdu (headings, <strong>) is synthesised from it instead of
  // fetching a second face (ADR 0013).
  ur: { family: "Noto Nastaliq Urdu", files: { 400: nastaliq400 } },
  ar: { family: "Noto Naskh Arabic", files: { 400: naskh400, 700: naskh700 } },
} as const;

export function scriptFonts(locale: string): { preload: string; css: string } | null {
  const face = locale === "ur" || locale === "ar" ? FACES[locale] : null;
  if (!face) return null;
  const css = Object.entries(face.files)
    .map(
      ([weight, url]) =>
        `@font-face{font-family:"${face.family}";font-style:normal;font-weight:${weight};font-display:swap;src:url(${url}) format("woff2");unicode-range:${ARABIC_SCRIPT_RANGE}}`,
    )
    .join("\n");
  return { preload: face.files[400], css };
}
