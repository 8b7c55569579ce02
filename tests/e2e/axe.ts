/**
 * axe-core, run in the page itself, against WCAG 2.0/2.1/2.2 A and AA.
 *
 * Every axe check of the e2e suite goes through `axeViolations`. It injects axe-core into the
 * page (once per document) and calls `axe.run` there. @axe-core/playwright's default run did the
 * same and then, for each check, opened a blank page (a renderer process of its own), injected
 * axe into it a second time and finished the run there: the way it merges results from
 * cross-origin frames. Banner's pages have no frames (the embed page shows the iframe code as
 * text), so that second page bought nothing and cost most of the time: 8 pages took 18.6 s that
 * way here, 6.2 s with a single injection in a reused tab. A page with a frame is refused rather
 * than checked halfway.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** axe's findings on the page as it is now, one readable line per element: rule, impact, help, where and why. */
export async function axeViolations(page: Page): Promise<string[]> {
  if (page.frames().length > 1) throw new Error(`${page.url()} has frames: axeViolations checks frame-less pages only`);
  const injected = await page.evaluate(() => typeof (window as { axe?: { run?: unknown } }).axe?.run === "function");
  if (!injected) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    const { axe } = window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> } };
    // Only violations are collected in full; passes and incomplete results are not needed here.
    const results = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return results.violations;
  }, WCAG_TAGS);
  return violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact ?? "?"}): ${v.help} at ${n.target.join(" ")}: ${(n.failureSummary ?? "").replace(/\s+/g, " ")}`),
  );
}
