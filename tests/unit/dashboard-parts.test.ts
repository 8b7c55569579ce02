import { describe, expect, it } from "vitest";
import { GRID_COLUMNS, GRID_ROWS, WORLD_TILES } from "~/components/world-map/world-grid";
import { niceCeiling } from "~/components/daily-chart";
import { legendSteps, mapStep, MAP_STEPS } from "~/components/world-map/world-map";
import { COUNTRY_CODES } from "~/i18n/countries";
import { sniffImageType } from "~/modules/media/hero-image.server";
import { dailySeries, SERIES_MAX_DAYS } from "~/modules/stats/daily-series";
import { groupSmallCountries } from "~/modules/stats/public-countries";
import { readUploadForm } from "~/utils/multipart.server";

describe("the world tile grid", () => {
  it("gives every country a sign-up form offers one tile of its own, inside the grid", () => {
    expect(WORLD_TILES.map((t) => t.code).sort()).toEqual([...COUNTRY_CODES].sort());
    const cells = new Set(WORLD_TILES.map((t) => `${t.col},${t.row}`));
    expect(cells.size).toBe(WORLD_TILES.length);
    for (const t of WORLD_TILES) {
      expect(t.col).toBeGreaterThanOrEqual(0);
      expect(t.col).toBeLessThan(GRID_COLUMNS);
      expect(t.row).toBeGreaterThanOrEqual(0);
      expect(t.row).toBeLessThan(GRID_ROWS);
    }
  });

  it("keeps neighbours roughly where they are: Pakistan west of India, Malaysia south of Thailand, Brazil east of Peru", () => {
    const at = (code: string) => WORLD_TILES.find((t) => t.code === code)!;
    expect(at("PK").col).toBeLessThan(at("IN").col);
    expect(at("MY").row).toBeGreaterThan(at("TH").row);
    expect(at("BR").col).toBeGreaterThan(at("PE").col);
    expect(at("US").row).toBeLessThan(at("MX").row);
  });
});

describe("public counts by country", () => {
  it("show countries with at least 10 signers and fold the others into one figure", () => {
    expect(groupSmallCountries({ PK: 12, MY: 3, TR: 9, GB: 10 })).toEqual({
      shown: [
        { country: "PK", confirmed: 12 },
        { country: "GB", confirmed: 10 },
      ],
      other: 12,
    });
  });
});

describe("the daily chart", () => {
  it("fills days without confirmations with zero, up to the end day", () => {
    expect(dailySeries([{ day: "2026-11-20", confirmed: 4 }, { day: "2026-11-22", confirmed: 1 }], "2026-11-23")).toEqual([
      { day: "2026-11-20", confirmed: 4 },
      { day: "2026-11-21", confirmed: 0 },
      { day: "2026-11-22", confirmed: 1 },
      { day: "2026-11-23", confirmed: 0 },
    ]);
  });

  it("draws at most SERIES_MAX_DAYS days, the latest", () => {
    const series = dailySeries([{ day: "2025-01-01", confirmed: 4 }], "2026-11-23");
    expect(series).toHaveLength(SERIES_MAX_DAYS);
    expect(series.at(-1)!.day).toBe("2026-11-23");
  });

  it("rounds the axis up to a round number", () => {
    expect([0, 1, 3, 7, 12, 45, 101].map(niceCeiling)).toEqual([1, 1, 4, 8, 20, 50, 200]);
  });

  it("shades the map from the smallest to the largest count", () => {
    expect(mapStep(10, 10, 1000)).toBe(0);
    expect(mapStep(1000, 10, 1000)).toBe(MAP_STEPS - 1);
    expect(mapStep(100, 10, 1000)).toBe(2);
  });

  it("gives the legend the whole scale, or one swatch when every country has the same count (not '1 ■■■■■ 1')", () => {
    expect(legendSteps(1, 40)).toEqual([0, 1, 2, 3, 4]);
    expect(legendSteps(1, 1)).toEqual([MAP_STEPS - 1]);
    expect(legendSteps(7, 7)).toHaveLength(1);
  });
});

describe("uploads", () => {
  it("recognise JPEG, PNG and WebP by their first bytes only", () => {
    expect(sniffImageType(Buffer.from("ffd8ffe000104a464946", "hex"))).toBe("jpeg");
    expect(sniffImageType(Buffer.from("89504e470d0a1a0a0000", "hex"))).toBe("png");
    expect(sniffImageType(Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), Buffer.from("WEBPVP8 ")]))).toBe("webp");
    expect(sniffImageType(Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"))).toBeNull();
    expect(sniffImageType(Buffer.from("GIF89a"))).toBeNull();
  });

  const BOUNDARY = "----banner-test";
  const multipart = (body: ReadableStream<Uint8Array> | string) =>
    new Request("http://localhost/upload", {
      method: "POST",
      headers: { "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` },
      body,
      duplex: "half",
    } as RequestInit);

  it("read a small form's text field and file", async () => {
    const body =
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="alt"\r\n\r\nA crowd\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n` +
      `--${BOUNDARY}--\r\n`;
    const result = await readUploadForm(multipart(body), { fileField: "image", textFields: ["alt"], maxFileBytes: 1024 });
    expect(result).toEqual({ ok: true, form: { fields: { alt: "A crowd" }, file: Buffer.from("PNGDATA") } });
  });

  it("stop reading an endless upload: the limit is enforced while streaming, not after", async () => {
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(65);
    const endless = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n`));
      },
      pull(controller) {
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const maxFileBytes = 1024 * 1024;
    const result = await readUploadForm(multipart(endless), { fileField: "image", textFields: [], maxFileBytes });
    expect(result).toEqual({ ok: false, reason: "tooLarge" });
    expect(sent).toBeLessThan(5 * (maxFileBytes + 64 * 1024));
  });

  it("call a body that is not multipart malformed", async () => {
    const request = new Request("http://localhost/upload", { method: "POST", headers: { "Content-Type": "text/plain" }, body: "hello" });
    expect(await readUploadForm(request, { fileField: "image", textFields: [], maxFileBytes: 10 })).toEqual({ ok: false, reason: "malformed" });
  });
});
