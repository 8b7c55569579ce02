/**
 * The one script of the public pages React does not hydrate (a route `handle` of
 * `{ hydrate: false }`: the campaign page and the page after signing). Those pages are complete
 * as server-rendered HTML and work with no script at all; this adds, in a few kilobytes instead of
 * React, Remix and the message catalogues:
 *
 * - the sign form sends without a page reload: the server answers the POST exactly as it answers
 *   the browser's own (a 303 to the "check your inbox" page, or the page again with the errors),
 *   and its HTML replaces the form's panel or, after the redirect, the page's body;
 * - after a failed submit, focus moves to the error summary, whose links put the caret in the field;
 * - the copy-link button of the share box;
 * - the live signature count.
 *
 * Every text it shows comes from the server's markup (the page's language): it carries no messages.
 * It hooks onto data attributes the components render (see each function), never onto wording.
 */
import { formatNumber, formatPercent } from "~/i18n/numbers";

const LIVE_EVERY_MS = 10_000;

/** The path and query of the page on screen: a Back or Forward to any other reloads it. */
let shownUrl = location.pathname + location.search;

/** Marks what can only work with this script, once it runs: copy buttons, live counts. */
function enhance(root: ParentNode): void {
  if (navigator.clipboard) for (const button of root.querySelectorAll<HTMLButtonElement>("button[data-copy]")) button.hidden = false;
  for (const progress of root.querySelectorAll<HTMLElement>("[data-live-url]")) followLiveCount(progress);
}

// --- The sign form: <form data-enhance="sign-form"> inside the panel <… data-sign-region>. ---

async function sendSignForm(form: HTMLFormElement): Promise<void> {
  if (form.getAttribute("aria-busy") === "true") return;
  form.setAttribute("aria-busy", "true");
  const button = form.querySelector<HTMLButtonElement>("button[type=submit]");
  if (button) {
    button.disabled = true;
    if (button.dataset.busyLabel) button.textContent = button.dataset.busyLabel;
  }
  const body = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (typeof value === "string") body.append(name, value);
  let response: Response;
  let html: string;
  try {
    response = await fetch(form.action, { method: "POST", body, headers: { Accept: "text/html" }, credentials: "same-origin" });
    html = await response.text();
  } catch {
    // Offline, or the connection dropped: let the browser send it itself and say what went wrong.
    form.submit();
    return;
  }
  const page = new DOMParser().parseFromString(html, "text/html");
  const region = form.closest("[data-sign-region]");
  const replacement = page.querySelector("[data-sign-region]");
  if (response.redirected || !region || !replacement) {
    // Signed (the 303 to "check your inbox"), or a page without the form (an error page).
    showPage(page, response.url, response.redirected);
    return;
  }
  // The form again, with the server's field messages and the values sent back.
  region.replaceWith(document.adoptNode(replacement));
  enhance(replacement);
  const alert = replacement.querySelector<HTMLElement>("#sign-errors, [role=alert]");
  if (alert) {
    // role=alert announces it; focus lets a keyboard user start from it (its links lead into the fields).
    if (!alert.hasAttribute("tabindex")) alert.tabIndex = -1;
    alert.focus();
  } else {
    focusHeading(replacement);
  }
}

/** Puts another page on screen as if the browser had loaded it: body, title, address, focus. */
function showPage(page: Document, url: string, newEntry: boolean): void {
  document.title = page.title;
  document.body.replaceWith(document.adoptNode(page.body));
  if (newEntry) history.pushState(null, "", url);
  shownUrl = location.pathname + location.search;
  window.scrollTo(0, 0);
  focusHeading(document.querySelector("main") ?? document.body);
  enhance(document.body);
}

/** After a change without a page load, screen readers start from the new content's heading. */
function focusHeading(root: ParentNode): void {
  const heading = root.querySelector<HTMLElement>("h1, h2");
  if (!heading) return;
  if (!heading.hasAttribute("tabindex")) heading.tabIndex = -1;
  heading.focus();
}

// --- The live count: <div data-live-url data-goal data-count-text data-percent-text>. ---

function followLiveCount(progress: HTMLElement): void {
  const url = progress.dataset.liveUrl;
  if (!url) return;
  const timer = setInterval(async () => {
    if (!progress.isConnected) return clearInterval(timer);
    if (document.visibilityState !== "visible") return;
    try {
      const res = await fetch(url, { headers: { Accept: "application/json" } });
      if (!res.ok) return;
      const body = (await res.json()) as { signatureCount?: unknown };
      if (typeof body.signatureCount === "number") showCount(progress, body.signatureCount);
    } catch {
      // offline or a flaky network: keep the last count
    }
  }, LIVE_EVERY_MS);
}

/**
 * The count, the bar and the percentage, as the server renders them: the messages come with the
 * markup, the server having filled in everything but the `{count}` or `{percent}` left here.
 */
function showCount(progress: HTMLElement, count: number): void {
  const locale = document.documentElement.lang;
  const goal = Number(progress.dataset.goal);
  const ratio = goal > 0 ? Math.min(1, count / goal) : 0;
  const shown = progress.querySelector<HTMLElement>("[data-count]");
  if (shown) {
    shown.dataset.count = String(count);
    const figure = shown.querySelector("strong");
    if (figure) figure.textContent = formatNumber(locale, count);
  }
  const bar = progress.querySelector<HTMLElement>("[role=progressbar]");
  if (bar) {
    bar.setAttribute("aria-valuenow", String(Math.min(count, goal)));
    if (progress.dataset.countText) bar.setAttribute("aria-valuetext", progress.dataset.countText.replace("{count}", formatNumber(locale, count)));
    const fill = bar.firstElementChild as HTMLElement | null;
    if (fill) fill.style.inlineSize = `${(ratio * 100).toFixed(2)}%`;
  }
  const percent = progress.querySelector<HTMLElement>(".progress-percent");
  if (percent && progress.dataset.percentText) percent.textContent = progress.dataset.percentText.replace("{percent}", formatPercent(locale, ratio));
}

// --- One listener per kind of event, on the document: they survive every swap above. ---

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.dataset.enhance !== "sign-form" || event.defaultPrevented) return;
  event.preventDefault();
  void sendSignForm(form);
});

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  // The error summary's links: following "#field" only scrolls in some browsers; put the caret there.
  const link = target?.closest<HTMLAnchorElement>(".error-summary a[href^='#']");
  if (link) {
    const field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) return;
    event.preventDefault();
    field.focus();
    field.scrollIntoView({ block: "center" });
    return;
  }
  // <button data-copy="id of the field with the link">, announced in the [data-copied] status beside it.
  const copy = target?.closest<HTMLButtonElement>("button[data-copy]");
  if (copy) {
    const source = document.getElementById(copy.dataset.copy ?? "") as HTMLInputElement | null;
    const status = copy.closest(".field")?.querySelector<HTMLElement>("[data-copied]");
    if (!source) return;
    navigator.clipboard.writeText(source.value).then(
      () => {
        if (status) status.textContent = status.dataset.copied ?? "";
      },
      () => undefined,
    );
  }
});

// The share box's link field selects itself, so a long press or Ctrl+C takes all of it.
document.addEventListener("focusin", (event) => {
  if (event.target instanceof HTMLInputElement && event.target.hasAttribute("data-select-on-focus")) event.target.select();
});

window.addEventListener("popstate", () => {
  if (location.pathname + location.search !== shownUrl) location.reload();
});

enhance(document);
// For tests and for CSS: the page's script is running.
document.documentElement.setAttribute("data-enhanced", "");
