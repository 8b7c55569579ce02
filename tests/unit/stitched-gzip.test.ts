/**
 * The gzip answer stitched from parts deflated once (server/stitched-gzip.ts) decodes, with real
 * decoders, to exactly the text it stands for: zlib's gunzip (which checks the CRC-32 and length
 * in the trailer) and the `gzip` program.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { StitchedGzip } from "../../server/stitched-gzip";

const joined = (parts: string[], holes: string[]) => parts.map((p, i) => p + (holes[i] ?? "")).join("");

const pageOf = (n: number) =>
  Array.from({ length: n }, (_, i) => `<li class="share"><a href="https://example.org/c/convene-oic-on-kashmir?ref=`.repeat(1 + (i % 7)) + `">${"ثبت شدہ ".repeat(i)}</a></li>\n`);

describe("a gzip stitched from precompressed parts", () => {
  it("decodes to the parts with the holes filled in, multibyte text included", () => {
    const parts = pageOf(6);
    const page = new StitchedGzip(parts);
    for (const holes of [
      ["tok_-0123456789abcdefghijklmnopqrstuvwxyzAB", "ref42", "nonceAAAAAAAAAAAAAAAAAA==", "آپ 1,234 تصدیق شدہ دستخط کنندگان میں سے ایک ہیں۔"],
      ["", "", "", ""],
      ["\u2068Türkçe “quoted” & <b>\u2069", "😀", "x", "Vous êtes l’un des 5 signataires."],
    ]) {
      const body = [...holes, "tail"];
      const expected = joined(parts, body);
      const gzip = page.gzip(body);
      expect(gunzipSync(gzip).toString("utf8")).toBe(expected);
      // And a decoder that is not Node's: the gzip program checks the trailer too.
      expect(execFileSync("gzip", ["-dc"], { input: gzip }).toString("utf8")).toBe(expected);
    }
  });

  it("is right at the edges: one part, empty parts, a hole longer than one stored block", () => {
    expect(gunzipSync(new StitchedGzip(["only this"]).gzip([])).toString()).toBe("only this");
    expect(gunzipSync(new StitchedGzip([""]).gzip([])).toString()).toBe("");
    const long = randomBytes(100_000).toString("base64");
    const parts = ["", "<p>", ""];
    expect(gunzipSync(new StitchedGzip(parts).gzip([long, "é"])).toString()).toBe(joined(parts, [long, "é"]));
  });

  it("keeps the CRC right over long static parts (the trailer is checked by the decoder)", () => {
    const parts = [randomBytes(70_000).toString("hex"), "x".repeat(1), randomBytes(3).toString("hex")];
    const holes = ["a", "ü"];
    expect(gunzipSync(new StitchedGzip(parts).gzip(holes)).toString()).toBe(joined(parts, holes));
  });

  it("refers back across holes of any length: parts deflated per set of hole lengths, answers interleaved", () => {
    // Parts that repeat one another, so that their deflated blocks refer back into earlier parts.
    const link = '<li><a class="button secondary" href="https://example.org/campaigns/convene?ref=';
    const parts = ["<ul>" + link, '&amp;via=x">Post</a></li>' + link, '&amp;via=mail">Mail</a></li>' + link, '">Link</a></li></ul><p>', "</p>"];
    const page = new StitchedGzip(parts);
    // More sets of lengths than are kept, in an order that makes each set be deflated more than once.
    const answers = Array.from({ length: 60 }, (_, i) => ["r".repeat(1 + (i % 20)), `код${i}`, "x".repeat(i % 3), "آپ ".repeat(i % 7)]);
    for (const holes of [...answers, ...answers.reverse()]) {
      expect(gunzipSync(page.gzip(holes)).toString("utf8")).toBe(joined(parts, holes));
    }
  });

  it("compresses about as well as the whole page compressed at once, holes aside", () => {
    const parts = pageOf(12);
    const holes = Array.from({ length: parts.length - 1 }, (_, i) => `hole${i}`);
    const whole = gzipSync(joined(parts, holes), { level: 6 }).length;
    const storedHoles = holes.reduce((sum, hole) => sum + hole.length + 5, 0);
    // Each part ends with a sync flush (an empty stored block) and starts a block of its own.
    const perPart = 10 * parts.length;
    expect(new StitchedGzip(parts).gzip(holes).length).toBeLessThanOrEqual(whole + storedHoles + perPart);
  });

  it("still decodes right when a part holds a zero byte (no dictionaries then)", () => {
    const parts = ["abc\u0000abcabc", "abcabc", "abc"];
    for (const holes of [["\u0000\u0000", "z"], ["", "zzzz"]]) expect(gunzipSync(new StitchedGzip(parts).gzip(holes)).toString()).toBe(joined(parts, holes));
  });

  it("refuses a hole count that does not fit the parts", () => {
    expect(() => new StitchedGzip(["a", "b"]).gzip([])).toThrow(/takes 1 holes/);
  });
});
