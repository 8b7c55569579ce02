/**
 * The Urdu and Arabic faces we serve, each cut from a Fontsource file by scripts/subset-fonts.ts
 * (see app/i18n/font-subsets.ts for why and to what). Noto fonts are under the SIL Open Font
 * License 1.1, which allows modified copies under the same name (Noto reserves no font name).
 */
export const FONTS_DIR = "app/fonts";
export const MANIFEST_PATH = "app/fonts/subsets.json";

export const FONT_FILES = [
  { file: "noto-nastaliq-urdu-400.woff2", source: "@fontsource/noto-nastaliq-urdu/files/noto-nastaliq-urdu-arabic-400-normal.woff2" },
  { file: "noto-naskh-arabic-400.woff2", source: "@fontsource/noto-naskh-arabic/files/noto-naskh-arabic-arabic-400-normal.woff2" },
  { file: "noto-naskh-arabic-700.woff2", source: "@fontsource/noto-naskh-arabic/files/noto-naskh-arabic-arabic-700-normal.woff2" },
] as const;

export interface FontManifest {
  /** the @font-face unicode-range the files were cut to */
  unicodeRange: string;
  files: Record<string, { source: string; sourceSha256: string; sha256: string; bytes: number }>;
}
