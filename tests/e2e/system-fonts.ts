/**
 * The fonts a Chromium sees, whatever the host has installed: a fontconfig set-up that reads the
 * machine's own (/etc/fonts/fonts.conf), leaves out the fonts a case must not depend on, and adds a
 * folder of ours (a device with a font installed), handed to Chromium through FONTCONFIG_FILE. Chromium on Linux resolves CSS `local()` through fontconfig (by full name and
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

/**
 * Fonts on the host that a case must not see unless it says so: a Linux desktop with Debian's
 * fonts-noto-core has Noto Nastaliq Urdu (and Noto Naskh Arabic) installed, and CSS `local()`
 * would take them instead of our files. Left out by file name; a set-up with no fonts of its own
 * also by family, so a differently named copy is left out too. fontconfig lets an acceptfont glob
 * win over a rejectfont glob but not over a rejectfont pattern, so a set-up that adds fonts (a
 * phone with its Nastaliq) rejects by file name only and accepts its own folder.
 */
const HOST_FONTS_LEFT_OUT = ["Noto Nastaliq Urdu", "Noto Naskh Arabic", "Noto Naskh Arabic UI", "Urdu Typesetting"];
const HOST_FILES_LEFT_OUT = ["*Nastaliq*", "*NaskhArabic*", "*UrduTypesetting*", "*urdtype*"];

/**
 * The only host fonts a browser test sees at all: DejaVu (fontconfig's own dependency on Debian)
 * and Liberation (Chromium's metric-compatible Arial, Times and Courier). Every other host font is
 * left out, so the screenshots compared in CI (./visual.ts) do not change with what else the host
 * has: with Debian's fonts-noto-core installed, Noto Sans became the sans-serif and every
 * screenshot of the campaign and thank-you pages differed by 4-21 % of its pixels.
 */
const HOST_FOLDERS_KEPT = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation", "/usr/share/fonts/truetype/liberation2"];

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * A fontconfig set-up of a Chromium's own: the machine's fontconfig (/etc/fonts/fonts.conf) with
 * only its DejaVu and Liberation fonts and never the ones above, plus `fonts`, written into a
 * folder of its own. Every launchChromium() gets one, so
 * no browser test depends on what the host has installed.
 */
export async function withSystemFonts(fonts: { file: string; bytes: Uint8Array }[] = []): Promise<SystemFonts> {
  const dir = await mkdtemp(path.join(tmpdir(), "banner-fonts-"));
  for (const font of fonts) await writeFile(path.join(dir, font.file), font.bytes);
  const byFamily = fonts.length ? [] : HOST_FONTS_LEFT_OUT;
  const patterns = byFamily.map((family) => `      <pattern><patelt name="family"><string>${xml(family)}</string></patelt></pattern>`).join("\n");
  const globs = HOST_FILES_LEFT_OUT.map((glob) => `      <glob>${xml(glob)}</glob>`).join("\n");
  // Accepted by folder: an acceptfont glob wins over the rejectfont globs, not over a pattern.
  // fontconfig applies the globs to the folders it scans too, so each kept folder's parents are
  // accepted by their exact path (their other files and folders stay rejected), or the "*"
  // rejection would stop the scan at /usr.
  const kept = [...new Set([...HOST_FOLDERS_KEPT, dir].flatMap((folder) => [...foldersDownTo(folder), `${folder}/*`]))]
    .map((glob) => `      <glob>${xml(glob)}</glob>`)
    .join("\n");
  // Our cache folder comes first, so fontconfig writes its cache there rather than in $HOME.
  const conf = `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <cachedir>${xml(path.join(dir, "cache"))}</cachedir>
  <include ignore_missing="no">/etc/fonts/fonts.conf</include>
  <dir>${xml(dir)}</dir>
  <selectfont>
    <acceptfont>
${kept}
    </acceptfont>
    <rejectfont>
      <glob>*</glob>
${[globs, patterns].filter(Boolean).join("\n")}
    </rejectfont>
  </selectfont>
</fontconfig>
`;
  await writeFile(path.join(dir, "fonts.conf"), conf);
  return { env: { FONTCONFIG_FILE: path.join(dir, "fonts.conf") }, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** "/a/b/c" → "/a", "/a/b", "/a/b/c". */
function foldersDownTo(folder: string): string[] {
  const parts = folder.split("/").filter(Boolean);
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join("/")}`);
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
