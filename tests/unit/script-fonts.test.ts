import { describe, expect, it } from "vitest";
import { scriptFonts } from "~/i18n/fonts";

/** The src descriptor of the @font-face rule for `family` at `weight`. */
function src(css: string, family: string, weight = 400): string | undefined {
  return css
    .split("\n")
    .find((rule) => rule.includes(`font-family:"${family}"`) && rule.includes(`font-weight:${weight};`))
    ?.match(/src:([^;]*);/)?.[1];
}

describe("the Urdu and Arabic @font-face rules", () => {
  it("take Urdu's Nastaliq from the device first, by its full and PostScript names, then from our origin, and never preload it", () => {
    const fonts = scriptFonts("ur")!;
    expect(src(fonts.css, "Noto Nastaliq Urdu")).toMatch(
      /^local\("Noto Nastaliq Urdu Regular"\),local\("NotoNastaliqUrdu-Regular"\),local\("Noto Nastaliq Urdu"\),local\("NotoNastaliqUrdu"\),url\(\/[^)]*noto-nastaliq-urdu-400[^)]*\.woff2\) format\("woff2"\)$/,
    );
    expect(fonts.css).toContain("font-display:swap");
    expect(fonts.preload).toBeNull();
  });

  it("let Windows' own Nastaliq stand in for Arabic-script text only, and never download anything for it", () => {
    const css = scriptFonts("ur")!.css;
    expect(src(css, "Urdu Typesetting")).toBe('local("Urdu Typesetting"),local("UrduTypesetting")');
    const rule = css.split("\n").find((r) => r.includes('font-family:"Urdu Typesetting"'))!;
    expect(rule).toMatch(/unicode-range:U\+060C,/);
  });

  it("always serve and preload Arabic's Naskh, both weights, from our origin", () => {
    const fonts = scriptFonts("ar")!;
    for (const weight of [400, 700]) expect(src(fonts.css, "Noto Naskh Arabic", weight)).toMatch(new RegExp(`^url\\(/[^)]*noto-naskh-arabic-${weight}[^)]*\\.woff2\\) format\\("woff2"\\)$`));
    expect(fonts.preload).toMatch(/noto-naskh-arabic-400[^/]*\.woff2$/);
    expect(fonts.css).not.toContain("local(");
  });

  it("are not sent to the other languages", () => {
    for (const locale of ["en", "ms", "tr"]) expect(scriptFonts(locale)).toBeNull();
  });
});
