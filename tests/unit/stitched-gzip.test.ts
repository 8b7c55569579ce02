/**
 * The gzip answer stitched from parts deflated once (server/stitched-gzip.ts) decodes, with real
 * decoders, to exactly the text it stands for: zlib's gunzip (which checks the CRC-32 and length
 * in the trailer) and the `gzip` program.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { gzipTemplate, stitchGzip } from "../../server/stitched-gzip";

const joined = (parts: string[], holes: string[]) => parts.map((p, i) => p + (holes[i] ?? "")).join("");

const page = (n: number) =>
  Array.from({ length: n }, (_, i) => `<li class="share"><a href="https://example.org/c/convene-oic-on-kashmir?ref=`.repeat(1 + (i % 7)) + `">${"ثبت شدہ ".repeat(i)}</a></li>\n`);

describe("a gzip stitched from precompressed parts", () => {
  it("decodes to the parts with the holes filled in, multibyte text included", () => {
    const parts = page(6);
    const template = gzipTemplate(parts);
    for (const holes of [
      ["tok_-0123456789abcdefghijklmnopqrstuvwxyzAB", "ref42", "nonceAAAAAAAAAAAAAAAAAA==", "آپ 1,234 تصدیق شدہ دستخط کنندگان میں سے ایک ہیں۔"],
      ["", "", "", ""],
      ["\u2068Türkçe “quoted” & <b>\u2069", "😀", "x", "Vous êtes l’un des 5 signataires."],
    ]) {
      const body = [...holes, "tail"];
      const expected = joined(parts, body);
      const gzip = stitchGzip(template, body);
      expect(gunzipSync(gzip).toString("utf8")).toBe(expected);
      // And a decoder that is not Node's: the gzip program checks the trailer too.
      expect(execFileSync("gzip", ["-dc"], { input: gzip }).toString("utf8")).toBe(expected);
    }
  });

  it("is right at the edges: one part, empty parts, a hole longer than one stored block", () => {
    expect(gunzipSync(stitchGzip(gzipTemplate(["only this"]), [])).toString()).toBe("only this");
    expect(gunzipSync(stitchGzip(gzipTemplate([""]), [])).toString()).toBe("");
    const long = randomBytes(100_000).toString("base64");
    const parts = ["", "<p>", ""];
    expect(gunzipSync(stitchGzip(gzipTemplate(parts), [long, "é"])).toString()).toBe(joined(parts, [long, "é"]));
  });

  it("keeps the CRC right over long static parts (the trailer is checked by the decoder)", () => {
    const parts = [randomBytes(70_000).toString("hex"), "x".repeat(1), randomBytes(3).toString("hex")];
    const holes = ["a", "ü"];
    expect(gunzipSync(stitchGzip(gzipTemplate(parts), holes)).toString()).toBe(joined(parts, holes));
  });

  it("refuses a hole count that does not fit the parts", () => {
    expect(() => stitchGzip(gzipTemplate(["a", "b"]), [])).toThrow(/takes 1 holes/);
  });
});
