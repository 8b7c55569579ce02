import naskh400 from "~/fonts/noto-naskh-arabic-400.woff2?url";
import naskh700 from "~/fonts/noto-naskh-arabic-700.woff2?url";
import nastaliq400 from "~/fonts/noto-nastaliq-urdu-400.woff2?url";
import { ARABIC_SCRIPT_SUBSET, unicodeRange } from "./font-subsets";

/**
 * Urdu is written in Nastaliq and Arabic in Naskh. We serve Noto's faces from our own origin
 * (Vite fingerprints the files under /assets/): only woff2, only the characters Arabic, Urdu and
 * Persian text uses (app/i18n/font-subsets.ts), and only on pages in (or quoting) those languages:
 * the other languages never download them. Latin letters and digits fall through to the system
 * stack.
 */
const ARABIC_SCRIPT_RANGE = unicodeRange(ARABIC_SCRIPT_SUBSET);

interface Face {
  family: string;
  files: Partial<Record<400 | 700, string>>;
  /**
   * Names of an installed copy to use before downloading ours (CSS `local()` matches a font's
   * full name or PostScript name). A face with these gets no preload: a preload fetches the file
   * even when the device has the font.
   */
  local?: readonly string[];
}

const FACES: Record<"ur" | "ar", Face> = {
  // Regular only: the Nastaliq face is ~115 KB even cut down to these characters, twice the
  // page's budget on its own; bold Urdu (headings, <strong>) is synthesised from it instead of
  // fetching a second face (ADR 0013). Android (8+), iOS (11+) and macOS ship Noto Nastaliq Urdu,
  // so most readers download nothing (ADR 0014). The names: Noto's own build (Android, and ours)
  // calls it "Noto Nastaliq Urdu Regular" / "NotoNastaliqUrdu-Regular"; Apple's copy
  // "Noto Nastaliq Urdu" / "NotoNastaliqUrdu".
  ur: {
    family: "Noto Nastaliq Urdu",
    files: { 400: nastaliq400 },
    local: ["Noto Nastaliq Urdu Regular", "NotoNastaliqUrdu-Regular", "Noto Nastaliq Urdu", "NotoNastaliqUrdu"],
  },
  // Served to everyone and preloaded: 16 KB a face, within the budget (ADR 0014).
  ar: { family: "Noto Naskh Arabic", files: { 400: naskh400, 700: naskh700 } },
};

/**
 * Windows has no Noto Nastaliq Urdu but ships its own Nastaliq, "Urdu Typesetting". It is another
 * design with other metrics than the ones our leading is set for, so it is not an alias of our
 * face; it stands after it in the Urdu stack (app/styles/app.css), where Windows shows it while
 * ours downloads (font-display: swap) or if ours never arrives, rather than a Naskh. Declared here,
 * with our unicode-range and no file, so that it takes only Arabic-script text: Latin text on an
 * Urdu page keeps the system font instead of this face's own Latin letters.
 */
const URDU_FALLBACK_CSS = `@font-face{font-family:"Urdu Typesetting";font-style:normal;font-weight:400;src:local("Urdu Typesetting"),local("UrduTypesetting");unicode-range:${ARABIC_SCRIPT_RANGE}}`;

const cssString = (name: string) => `"${name.replace(/["\\]/g, "\\$&")}"`;

export function scriptFonts(locale: string): { preload: string | null; css: string } | null {
  if (locale !== "ur" && locale !== "ar") return null;
  const face = FACES[locale];
  const rules = Object.entries(face.files).map(([weight, url]) => {
    const src = [...(face.local ?? []).map((name) => `local(${cssString(name)})`), `url(${url}) format("woff2")`].join(",");
    return `@font-face{font-family:${cssString(face.family)};font-style:normal;font-weight:${weight};font-display:swap;src:${src};unicode-range:${ARABIC_SCRIPT_RANGE}}`;
  });
  if (locale === "ur") rules.push(URDU_FALLBACK_CSS);
  return { preload: face.local ? null : (face.files[400] ?? null), css: rules.join("\n") };
}
