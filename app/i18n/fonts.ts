import naskh400 from "@fontsource/noto-naskh-arabic/files/noto-naskh-arabic-arabic-400-normal.woff2?url";
import naskh700 from "@fontsource/noto-naskh-arabic/files/noto-naskh-arabic-arabic-700-normal.woff2?url";
import nastaliq400 from "@fontsource/noto-nastaliq-urdu/files/noto-nastaliq-urdu-arabic-400-normal.woff2?url";

/**
 * Urdu is written in Nastaliq and Arabic in Naskh; system fonts rarely have a Nastaliq face, so
 * we serve Noto's from our own origin (Vite fingerprints the files under /assets/). Only the
 * Arabic-script subset, only woff2, and only on pages in (or quoting) those languages: the other
 * languages never download them. Latin letters and digits fall through to the system stack.
 */
const ARABIC_SCRIPT_RANGE =
  "U+0600-06FF, U+0750-077F, U+0870-088E, U+0890-0891, U+0897-08E1, U+08E3-08FF, U+200C-200E, U+2010-2011, U+204F, U+2E41, U+FB50-FDFF, U+FE70-FE74, U+FE76-FEFC";

const FACES = {
  // Regular only: each Nastaliq face is ~155 KB, more than the whole page's budget; bold Urdu
  // (headings, <strong>) is synthesised from it instead of fetching a second face (ADR 0013).
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
