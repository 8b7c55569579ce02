/**
 * Writes the Urdu and Arabic font files the site serves (app/fonts/), cut down from Fontsource's
 * Arabic-script files to the characters in app/i18n/font-subsets.ts, and a manifest that says
 * what each was made from. Run it after changing that list or upgrading a @fontsource package:
 *
 *   npm run fonts:subset
 *
 * The output is committed rather than made by every build: HarfBuzz's subsetter (WebAssembly)
 * takes several seconds per face on a small machine, and its output changes only with its inputs.
 * tests/unit/font-subsets.test.ts fails when the committed files no longer match those inputs.
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import subsetFont from "subset-font";
import { ARABIC_SCRIPT_SUBSET, subsetText, unicodeRange } from "~/i18n/font-subsets";
import { FONT_FILES, FONTS_DIR, MANIFEST_PATH, type FontManifest } from "~/fonts/font-files";

const root = path.resolve(import.meta.dirname, "..");
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

const manifest: FontManifest = { unicodeRange: unicodeRange(ARABIC_SCRIPT_SUBSET), files: {} };
const text = subsetText(ARABIC_SCRIPT_SUBSET);
for (const face of FONT_FILES) {
  const source = await readFile(path.join(root, "node_modules", face.source));
  const started = Date.now();
  // Every layout feature is kept (subset-font's default): Nastaliq's shape depends on them.
  const subset = await subsetFont(source, text, { targetFormat: "woff2" });
  await writeFile(path.join(root, FONTS_DIR, face.file), subset);
  manifest.files[face.file] = { source: face.source, sourceSha256: sha256(source), sha256: sha256(subset), bytes: subset.length };
  console.log(`${face.file}: ${(source.length / 1024).toFixed(1)} KB → ${(subset.length / 1024).toFixed(1)} KB (${Date.now() - started} ms)`);
}
await writeFile(path.join(root, MANIFEST_PATH), `${JSON.stringify(manifest, null, 2)}\n`);
