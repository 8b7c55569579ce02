import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FONT_FILES, FONTS_DIR, MANIFEST_PATH, type FontManifest } from "~/fonts/font-files";
import { ARABIC_SCRIPT_SUBSET, subsetText, unicodeRange } from "~/i18n/font-subsets";
import { scriptFonts } from "~/i18n/fonts";

const root = path.resolve(import.meta.dirname, "../..");
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const manifest = JSON.parse(await readFile(path.join(root, MANIFEST_PATH), "utf8")) as FontManifest;

describe("the Urdu and Arabic font files", () => {
  it.each(FONT_FILES.map((f) => [f.file, f] as const))("%s is what scripts/subset-fonts.ts makes from today's inputs (else run npm run fonts:subset)", async (_name, face) => {
    const entry = manifest.files[face.file];
    expect(entry?.source).toBe(face.source);
    // The Fontsource file it was cut from is the one installed now…
    expect(sha256(await readFile(path.join(root, "node_modules", face.source)))).toBe(entry!.sourceSha256);
    // …the committed file is the one the script wrote…
    const bytes = await readFile(path.join(root, FONTS_DIR, face.file));
    expect(sha256(bytes)).toBe(entry!.sha256);
    // …and it is a woff2 file.
    expect(bytes.subarray(0, 4).toString("latin1")).toBe("wOF2");
  });

  it("were cut to the characters the @font-face rules claim", () => {
    expect(manifest.unicodeRange).toBe(unicodeRange(ARABIC_SCRIPT_SUBSET));
    for (const locale of ["ur", "ar"]) expect(scriptFonts(locale)!.css).toContain(`unicode-range:${manifest.unicodeRange}}`);
  });

  it("cover every letter of the Urdu and Arabic catalogues, the demo campaign and the language names", async () => {
    const { ur } = await import("~/i18n/messages/ur");
    const { ar } = await import("~/i18n/messages/ar");
    const { DEMO_CAMPAIGN_TRANSLATIONS } = await import("~/modules/campaigns/demo-campaign");
    const demo = [DEMO_CAMPAIGN_TRANSLATIONS.ur, DEMO_CAMPAIGN_TRANSLATIONS.ar].flatMap((c) => Object.values(c).filter((v): v is string => typeof v === "string"));
    const kept = new Set(subsetText(ARABIC_SCRIPT_SUBSET));
    // Letters and marks of the Arabic script blocks; spaces, Latin and digits fall through to the system font by design.
    const arabicScript = /[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]/u;
    const missing = new Set<string>();
    for (const text of [...Object.values(ur), ...Object.values(ar), ...demo, "اردو", "العربية"]) {
      for (const ch of text) if (arabicScript.test(ch) && !kept.has(ch)) missing.add(`U+${ch.codePointAt(0)!.toString(16).toUpperCase()}`);
    }
    expect([...missing]).toEqual([]);
  });
});
