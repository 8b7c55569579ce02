import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { renameFontFamily, woffToSfnt } from "./woff.server";

/**
 * The fonts of the social cards: the same Noto Naskh Arabic and Noto Nastaliq Urdu the pages serve
 * (from node_modules/@fontsource), unpacked from WOFF to TTF because resvg reads nothing else.
 *
 * Fontsource splits each font into subsets (arabic, latin, latin-ext) that share one family name,
 * and resvg 2.6 falls back to at most one other font per text element, so a Latin word in an Urdu
 * title came out as empty boxes. The Latin subsets therefore get a family name of their own, and
 * the card draws each run of one script as its own <text> element (see social-card.server.ts).
 */
export const CARD_FAMILIES = {
  latin: "Banner Card Latin", // as long as "Noto Naskh Arabic": renamed in place
  naskh: "Noto Naskh Arabic",
  nastaliq: "Noto Nastaliq Urdu",
} as const;

const require = createRequire(import.meta.url);
const fontFile = (pkg: string, subset: string, weight: number) =>
  require.resolve(`@fontsource/${pkg}/files/${pkg}-${subset}-${weight}-normal.woff`);

const SOURCES = [400, 700].flatMap((weight) => [
  { file: fontFile("noto-naskh-arabic", "latin", weight), rename: true },
  { file: fontFile("noto-naskh-arabic", "latin-ext", weight), rename: true },
  { file: fontFile("noto-naskh-arabic", "arabic", weight), rename: false },
  { file: fontFile("noto-nastaliq-urdu", "arabic", weight), rename: false },
]);

let ready: Promise<string[]> | undefined;

/**
 * Paths of the TTF files, written once per machine into the temp directory under a name derived
 * from their content (a write goes to a temporary name first, so concurrent processes never read
 * half a file).
 */
export function cardFontFiles(): Promise<string[]> {
  ready ??= (async () => {
    const dir = path.join(tmpdir(), "banner-card-fonts");
    await mkdir(dir, { recursive: true });
    return Promise.all(
      SOURCES.map(async (source) => {
        let ttf = woffToSfnt(await readFile(source.file));
        if (source.rename) ttf = renameFontFamily(ttf, CARD_FAMILIES.naskh, CARD_FAMILIES.latin);
        const target = path.join(dir, `${createHash("sha256").update(ttf).digest("hex").slice(0, 16)}.ttf`);
        const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}`;
        await writeFile(temporary, ttf);
        await rename(temporary, target);
        return target;
      }),
    );
  })().catch((error) => {
    ready = undefined;
    throw error;
  });
  return ready;
}
