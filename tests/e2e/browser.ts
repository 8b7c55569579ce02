import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { withSystemFonts } from "./system-fonts";

/** The Debian Chromium; Playwright's own download is never used. Override with CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, "__artifacts__");

/**
 * Chromium features the tests turn off. Chromium reads only the last `--disable-features`, and
 * Playwright passes one of its own before ours, so its list (playwright-core 1.65's
 * chromiumSwitches, Edge's two included) is repeated here, then ours; browser.test.ts names any
 * feature a Playwright update adds to its list and ours lacks.
 *
 * Ours: the omnibox popup, which the full Chromium (headless or not) draws as a web page of its
 * own (chrome://omnibox-popup.top-chrome/), loaded in a renderer process of its own for every
 * window, so for every browser context a test opens. That renderer took about 1 s of CPU per
 * context here, half of what a context with a small page cost (6 contexts: 12.1 s with it, 4.2 s
 * without); no test types in an address bar. tests/e2e/browser.test.ts checks it stays away.
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  "AvoidUnnecessaryBeforeUnloadCheckSync",
  "DestroyProfileOnBrowserClose",
  "HttpsUpgrades",
  "HttpsFirstBalancedModeAutoEnable",
  "LensOverlay",
  "MediaRouter",
  "PaintHolding",
  "ThirdPartyStoragePartitioning",
  "AvoidCorsURLLoaderRestartOnRedirect",
  "TcpPortRandomizationWin",
  "OptimizationHints",
  "NetworkTimeServiceQuerying",
  "AimEnabled",
  "PreconnectToSearch",
  "msForceBrowserSignIn",
  "msEdgeUpdateLaunchServicesPreferredVersion",
];
export const DISABLED_FEATURES = [...PLAYWRIGHT_DISABLED_FEATURES, "WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "WebUIOmniboxFullPopup"];

/**
 * `env` is added to this process's environment. Without a FONTCONFIG_FILE there, the browser gets
 * a fontconfig of its own that leaves out the host's Nastaliq and Naskh (./system-fonts.ts): a
 * plain device, whether or not the machine has fonts-noto-core. A case that plays a device with
 * the font passes withSystemFonts([...]).env.
 */
export async function launchChromium({ env }: { env?: Record<string, string> } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const plainDevice = env?.FONTCONFIG_FILE ? undefined : await withSystemFonts();
  const browser = await chromium
    .launch({
      executablePath: CHROMIUM_PATH,
      env: { ...process.env, ...plainDevice?.env, ...env },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        `--disable-features=${DISABLED_FEATURES.join(",")}`,
      ],
    })
    .catch(async (error: unknown) => {
      await plainDevice?.remove();
      throw error;
    });
  if (plainDevice) browser.once("disconnected", () => void plainDevice.remove());
  return browser;
}

/** Page errors, failed requests and 4xx/5xx asset loads, for a readable failure message. */
export function recordProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    const error = r.failure()?.errorText ?? "";
    // Cancelled by the browser itself: a form sent or a link followed before a subresource (the
    // favicon, say) finished loading. Seen once in CI in privacy.test.ts; not the site's failure.
    // A refused, reset or empty answer fails with its own error and is still recorded.
    if (error === "net::ERR_ABORTED") return;
    problems.push(`request failed: ${r.url()} ${error}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== "document") problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

/**
 * Waits until the script of a page React does not hydrate (the campaign page: app/enhance/) has
 * run, so a submit is sent by it rather than by the browser's plain form submission.
 */
export async function waitForEnhancement(page: Page, problems: string[] = [], timeout = 20_000): Promise<void> {
  try {
    await page.waitForFunction(() => document.documentElement.hasAttribute("data-enhanced"), undefined, { timeout, polling: 100 });
  } catch (error) {
    throw new Error(`the page script never ran: ${String(error)}\n${problems.join("\n") || "(no page errors or failed requests)"}`, { cause: error });
  }
}

/** Path of a screenshot file under tests/e2e/__artifacts__/ (gitignored); creates the folder. */
export async function artifactPath(name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}

export interface RenderedFont {
  family: string;
  /** true when the glyphs came from a font installed on the machine (CSS local() or the system stack), false from a downloaded @font-face file */
  installed: boolean;
  glyphs: number;
}

/**
 * The fonts Chromium actually drew the text of `selector` with, from its layout (DevTools'
 * CSS.getPlatformFontsForNode): which family, how many glyphs, and whether it was a downloaded
 * web font or one installed on the machine. Chromium only.
 */
export async function renderedFonts(page: Page, selector: string): Promise<RenderedFont[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send("DOM.enable");
    await cdp.send("CSS.enable");
    const { root } = await cdp.send("DOM.getDocument", { depth: -1 });
    const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector });
    if (!nodeId) throw new Error(`no ${selector} on the page`);
    const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
    return fonts.map((f) => ({ family: f.familyName, installed: !f.isCustomFont, glyphs: f.glyphCount }));
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}
