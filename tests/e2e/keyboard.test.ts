/**
 * Signing by keyboard alone in a real Chromium: Tab through the form, type, Space for the
 * checkboxes, Enter to send. Focus is always visible; a failed submit is announced, takes focus,
 * and its links lead into the fields.
 */
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createCampaign } from "../support/fixtures";
import { recordProblems, waitForEnhancement } from "./browser";
import { e2eStack } from "./stack";

const stack = e2eStack({ label: "e2ekeys" });

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? "");

/** Presses Tab until the element with `id` has focus; fails if it is not reachable. */
async function tabTo(page: Page, id: string, limit = 80) {
  for (let i = 0; i < limit; i++) {
    if ((await focusedId(page)) === id) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`#${id} is not reachable with Tab`);
}

/** WCAG contrast ratio of two CSS rgb() colours. */
function contrast(a: string, b: string): number {
  const luminance = (rgb: string) => {
    const [r, g, bl] = rgb.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number).map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** The focused element's outline, and the background it is drawn on (its nearest opaque ancestor's). */
const focusRing = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const style = getComputedStyle(el);
    let bg = "rgb(255, 255, 255)";
    for (let node: HTMLElement | null = el.parentElement; node; node = node.parentElement) {
      const color = getComputedStyle(node).backgroundColor;
      if (color !== "rgba(0, 0, 0, 0)" && color !== "transparent") {
        bg = color;
        break;
      }
    }
    return { style: style.outlineStyle, width: parseFloat(style.outlineWidth), color: style.outlineColor, background: bg };
  });

describe("signing by keyboard alone", () => {
  it("tabs through the form, types, ticks with Space, sends with Enter; focus is visible; errors take focus and lead to the field", async () => {
    const campaign = await createCampaign(stack.database.db, { title: "Keyboard only" });
    const page = await stack.newPage();
    const problems = recordProblems(page);
    await page.goto(`${stack.web.url}/campaigns/${campaign.slug}`);
    await waitForEnhancement(page, problems);

    // The first Tab reaches the skip link, which shows itself and a focus ring.
    await page.keyboard.press("Tab");
    await expect(page.evaluate(() => document.activeElement?.className)).resolves.toBe("skip-link");
    const skip = await focusRing(page);
    expect(skip.style).toBe("solid");
    expect(skip.width).toBeGreaterThanOrEqual(2);

    await tabTo(page, "sign-name");
    const ring = await focusRing(page);
    expect(ring.style).toBe("solid");
    expect(ring.width).toBeGreaterThanOrEqual(2);
    // WCAG 2.2 focus appearance: the ring contrasts at least 3:1 with what is around it.
    expect(contrast(ring.color, ring.background)).toBeGreaterThanOrEqual(3);

    // Markup in the name passes the browser's checks but not the server's: a failed submit.
    await page.keyboard.type("<b>Ayesha</b>");
    await page.keyboard.press("Tab");
    expect(await focusedId(page)).toBe("sign-email");
    const email = `keys-${randomBytes(4).toString("hex")}@example.org`;
    await page.keyboard.type(email);
    await page.keyboard.press("Tab");
    expect(await focusedId(page)).toBe("sign-country");
    await page.keyboard.type("Pakistan");
    await expect(page.inputValue("#sign-country")).resolves.toBe("PK");
    await page.keyboard.press("Tab");
    expect(await focusedId(page)).toBe("sign-postalCode");
    await page.keyboard.type("54000");
    await page.keyboard.press("Tab");
    expect(await focusedId(page)).toBe("sign-comment");
    await page.keyboard.type("Typed, not clicked.");
    for (const box of ["sign-publicName", "sign-optIn", "sign-consent"]) {
      await page.keyboard.press("Tab");
      expect(await focusedId(page)).toBe(box);
      await page.keyboard.press("Space");
      await expect(page.isChecked(`#${box}`)).resolves.toBe(true);
    }
    await page.keyboard.press("Tab");
    await expect(page.evaluate(() => (document.activeElement as HTMLButtonElement).type)).resolves.toBe("submit");
    await page.keyboard.press("Enter");

    // The summary is announced (role=alert) and takes focus; its link leads into the field.
    await page.locator("#sign-errors").waitFor();
    await expect(page.getAttribute("#sign-errors", "role")).resolves.toBe("alert");
    await expect.poll(() => focusedId(page)).toBe("sign-errors");
    await expect(page.getAttribute("#sign-name", "aria-invalid")).resolves.toBe("true");
    await expect(page.getAttribute("#sign-name", "aria-describedby")).resolves.toBe("sign-name-error");
    await expect(page.textContent("#sign-name-error")).resolves.toBe("Use plain text: no control characters or HTML tags.");
    await page.keyboard.press("Tab");
    await expect(page.evaluate(() => document.activeElement?.getAttribute("href"))).resolves.toBe("#sign-name");
    await page.keyboard.press("Enter");
    expect(await focusedId(page)).toBe("sign-name");

    // Correct the name and send with Enter from the field: the rest was kept.
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("Ayesha Khan");
    await expect(page.isChecked("#sign-consent")).resolves.toBe(true);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${stack.web.url}/campaigns/${campaign.slug}/signed`);
    const row = await stack.database.db.selectFrom("signatures").select(["name", "country", "opt_in", "public_name"]).where("email_normalized", "=", email).executeTakeFirstOrThrow();
    expect(row).toEqual({ name: "Ayesha Khan", country: "PK", opt_in: true, public_name: true });
    // The one failed submit (sent by the page script to the page's own URL), nothing else.
    expect(problems).toEqual([`HTTP 400: ${stack.web.url}/campaigns/${campaign.slug}`]);
  });

  it("without JavaScript, the error summary comes first in the form, so it is the first thing Tab reaches there", async () => {
    const campaign = await createCampaign(stack.database.db, { title: "Keyboard without scripts" });
    const page = await stack.newPage({ javaScriptEnabled: false });
    await page.goto(`${stack.web.url}/campaigns/${campaign.slug}`);
    await page.evaluate(() => ((document.querySelector("form.stack") as HTMLFormElement).noValidate = true));
    await tabTo(page, "sign-name");
    await page.keyboard.press("Enter");
    await page.locator("#sign-errors").waitFor();
    await expect(page.evaluate(() => document.querySelector("form.stack")!.firstElementChild?.id)).resolves.toBe("sign-errors");
    await tabTo(page, "sign-name");
    await page.keyboard.down("Shift");
    await page.keyboard.press("Tab");
    await page.keyboard.up("Shift");
    // Just before the first field: the summary's last link.
    await expect(page.evaluate(() => document.activeElement?.closest("#sign-errors") !== null)).resolves.toBe(true);
  });
});
