/**
 * A Chromium that stands in for a device with a font installed: a fontconfig set-up that reads the
 * machine's own (/etc/fonts/fonts.conf) and adds a folder of ours, handed to Chromium through
 * FONTCONFIG_FILE. Chromium on Linux resolves CSS `local()` through fontconfig (by full name and
 * PostScript name), as a phone resolves it against the fonts it ships.
 *
 * Chromium takes only TrueType/OpenType files there: a .woff or .woff2 in the folder is listed by
 * fontconfig but never used, so fonts are written as TrueType.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import subsetFont from "subset-font";
import { FONT_FILES } from "~/fonts/font-files";

const root = path.resolve(import.meta.dirname, "../..");

export interface SystemFonts {
  /** for launchChromium({ env }) */
  env: { FONTCONFIG_FILE: string };
  remove(): Promise<void>;
}

export async function withSystemFonts(fonts: { file: string; bytes: Uint8Array }[]): Promise<SystemFonts> {
  const dir = await mkdtemp(path.join(tmpdir(), "banner-fonts-"));
  for (const font of fonts) await writeFile(path.join(dir, font.file), font.bytes);
  // Our cache folder comes first, so fontconfig writes its cache there rather than in $HOME.
  const conf = `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <cachedir>${path.join(dir, "cache")}</cachedir>
  <include ignore_missing="no">/etc/fonts/fonts.conf</include>
  <dir>${dir}</dir>
</fontconfig>
`;
  await writeFile(path.join(dir, "fonts.conf"), conf);
  return { env: { FONTCONFIG_FILE: path.join(dir, "fonts.conf") }, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Noto Nastaliq Urdu as Android, iOS and macOS ship it: a TrueType file named as Noto names it
 * ("Noto Nastaliq Urdu Regular", "NotoNastaliqUrdu-Regular"). Made from the Fontsource file our
 * own subset is cut from, keeping every Arabic-script character it has, not only ours (~1 s).
 */
export async function systemNastaliq(): Promise<{ file: string; bytes: Uint8Array }> {
  const ours = FONT_FILES.find((f) => f.file === "noto-nastaliq-urdu-400.woff2")!;
  const source = await readFile(path.join(root, "node_modules", ours.source));
  let text = "";
  for (const [first, last] of [[0x0600, 0x06ff], [0x0750, 0x077f], [0x08a0, 0x08ff], [0xfb50, 0xfdff], [0xfe70, 0xfeff], [0x2000, 0x206f]] as const)
    for (let cp = first; cp <= last; cp++) text += String.fromCodePoint(cp);
  return { file: "NotoNastaliqUrdu-Regular.ttf", bytes: await subsetFont(source, text, { targetFormat: "sfnt" }) };
}
