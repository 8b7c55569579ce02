/**
 * Screenshots compared with reviewed ones kept in __screenshots__/. A fresh one is written to
 * __artifacts__/ on every run; it replaces the kept one when UPDATE_SCREENSHOTS=1, or when there is
 * none yet outside CI (look at it before committing). In CI a missing one fails.
 *
 * The comparison forgives what font hinting and anti-aliasing change between machines (a pixel
 * counts as different only when a channel moves by more than CHANNEL_TOLERANCE, and up to
 * MAX_DIFF_RATIO of the pixels may differ) but not a moved block, a reflowed paragraph or a
 * missing button: those change far more pixels, or the page's size.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import type { Page } from "playwright-core";
import sharp from "sharp";
import { artifactPath } from "./browser";

export const SCREENSHOTS_DIR = path.resolve(import.meta.dirname, "__screenshots__");
const CHANNEL_TOLERANCE = 64;
const MAX_DIFF_RATIO = 0.015;
/** a page may grow or shrink by this much (a line of text that wraps differently), no more */
const MAX_HEIGHT_DRIFT = 0.02;

export interface ScreenshotComparison {
  name: string;
  /** share of pixels that differ beyond the tolerance (rows only one image has count as different) */
  diffRatio: number;
  sizes: [kept: string, fresh: string];
}

/**
 * Takes a full-page screenshot (`style`: CSS applied only while taking it, e.g. to lay sticky
 * elements in the flow: a full-page capture keeps them where the first screen shows them) and compares it with the kept one; throws with the figures when they differ. */
export async function expectScreenshot(page: Page, name: string, options: { style?: string } = {}): Promise<ScreenshotComparison | undefined> {
  const fresh = await artifactPath(name);
  await page.screenshot({ path: fresh, fullPage: true, animations: "disabled", caret: "hide", ...options });
  const kept = path.join(SCREENSHOTS_DIR, name);
  if (process.env.UPDATE_SCREENSHOTS === "1" || (!existsSync(kept) && !process.env.CI)) {
    await mkdir(SCREENSHOTS_DIR, { recursive: true });
    await copyFile(fresh, kept);
    return undefined;
  }
  if (!existsSync(kept)) throw new Error(`no reviewed screenshot ${kept}: run with UPDATE_SCREENSHOTS=1, look at it, commit it`);
  const result = await compareImages(kept, fresh);
  const heightDrift = Math.abs(result.heights[0] - result.heights[1]) / result.heights[0];
  if (result.widths[0] !== result.widths[1] || heightDrift > MAX_HEIGHT_DRIFT || result.diffRatio > MAX_DIFF_RATIO) {
    const diff = await artifactPath(name.replace(/\.png$/, ".diff.png"));
    await result.writeDiff(diff);
    throw new Error(
      `${name} differs from the reviewed screenshot: ${(result.diffRatio * 100).toFixed(2)} % of pixels (allowed ${MAX_DIFF_RATIO * 100} %), ` +
        `size ${result.widths[0]}×${result.heights[0]} → ${result.widths[1]}×${result.heights[1]}. Fresh: ${fresh}, differences in red: ${diff}. ` +
        "If the change is meant, look at the fresh one and run with UPDATE_SCREENSHOTS=1.",
    );
  }
  return { name, diffRatio: result.diffRatio, sizes: [`${result.widths[0]}×${result.heights[0]}`, `${result.widths[1]}×${result.heights[1]}`] };
}

/** Pixel-by-pixel comparison of two PNGs over their common area; rows only one has count as different. */
export async function compareImages(aPath: string, bPath: string) {
  const [a, b] = await Promise.all([aPath, bPath].map((p) => sharp(p).ensureAlpha().raw().toBuffer({ resolveWithObject: true })));
  const width = Math.min(a!.info.width, b!.info.width);
  const height = Math.min(a!.info.height, b!.info.height);
  const maxHeight = Math.max(a!.info.height, b!.info.height);
  const marks = Buffer.alloc(width * height * 4);
  let differing = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const ia = (y * a!.info.width + x) * 4;
      const ib = (y * b!.info.width + x) * 4;
      const im = (y * width + x) * 4;
      let worst = 0;
      for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(a!.data[ia + c]! - b!.data[ib + c]!));
      if (worst > CHANNEL_TOLERANCE) {
        differing++;
        marks[im] = 255;
        marks[im + 3] = 255;
      } else {
        // the fresh image, faded, so the red marks stand out
        for (let c = 0; c < 3; c++) marks[im + c] = 255 - ((255 - b!.data[ib + c]!) >> 2);
        marks[im + 3] = 255;
      }
    }
  }
  differing += (maxHeight - height) * width;
  return {
    widths: [a!.info.width, b!.info.width] as const,
    heights: [a!.info.height, b!.info.height] as const,
    diffRatio: differing / (width * maxHeight),
    writeDiff: (to: string) => sharp(marks, { raw: { width, height, channels: 4 } }).png().toFile(to),
  };
}
