import { direction, translator, type Locale } from "~/i18n/i18n";
import { renderMarkdown } from "~/utils/markdown.server";
import { markdownToText } from "../markdown-text";
import { emailLayout, escapeHtml, type EmailMessage } from "../render";

/** Who sends an update: the organisation that hosts the campaign. */
export interface UpdateSender {
  name: string;
  /** where signers' replies go; null: the platform's address, which takes no replies */
  contactEmail: string | null;
}

/**
 * An update to a campaign's signers. It comes from the platform's address under the
 * organisation's name, replies go to the organisation's contact address, and the footer says
 * who sends it and why. The text part is plain text made from the Markdown; every URL of the
 * frame stands on a line of its own, outside any sentence (no punctuation or bidi isolate
 * touches it) and, in HTML, may break anywhere so it never runs off a narrow screen.
 */
export function updateEmail(args: {
  to: string;
  locale: Locale;
  subject: string;
  bodyMd: string;
  /** `bodyMd` rendered, when the caller already has it (the same for every recipient) */
  bodyHtml?: string;
  /** `bodyMd` as plain text, likewise */
  bodyText?: string;
  campaignTitle: string;
  /** null for a campaign of no organisation: the platform sends it under its own name */
  organisation: UpdateSender | null;
  unsubscribeUrl: string | null;
}): EmailMessage {
  const t = translator(args.locale);
  const dir = direction(args.locale);
  const why = t("email.update.why", { title: args.campaignTitle, organisation: args.organisation?.name ?? t("site.name") });
  const unsubscribeLine = args.unsubscribeUrl ? t("email.update.unsubscribe") : t("email.update.testNotice");
  const body = args.bodyText ?? markdownToText(args.bodyMd);
  const text = [body, "", "--", why, unsubscribeLine, ...(args.unsubscribeUrl ? [args.unsubscribeUrl] : [])].join("\n");
  const urlLine = (url: string) =>
    `<br><a dir="ltr" href="${escapeHtml(url)}" style="overflow-wrap:anywhere;word-break:break-all">${escapeHtml(url)}</a>`;
  const html = emailLayout({
    lang: args.locale,
    dir,
    title: args.subject,
    body: `${args.bodyHtml ?? renderMarkdown(args.bodyMd, { headingOffset: 1 })}
<hr style="border:none;border-top:1px solid #e2ddd5">
<p style="font-size:12px;color:#7a746c">${escapeHtml(why)}<br>${escapeHtml(unsubscribeLine)}${args.unsubscribeUrl ? urlLine(args.unsubscribeUrl) : ""}</p>`,
  });
  // RFC 8058: mail clients show an unsubscribe button that POSTs to this address in one click.
  const headers: Record<string, string> = args.unsubscribeUrl
    ? { "List-Unsubscribe": `<${args.unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" }
    : {};
  return {
    to: args.to,
    subject: args.subject,
    html,
    text,
    headers,
    ...(args.organisation ? { fromName: args.organisation.name } : {}),
    ...(args.organisation?.contactEmail ? { replyTo: args.organisation.contactEmail } : {}),
  };
}

/** Stands for the unsubscribe token while the shared parts of an update are rendered; escapeHtml leaves it alone. */
const TOKEN_MARK = "\u0000unsubscribe-token\u0000";

/**
 * An update rendered once (for one language) and completed per recipient: everything but the
 * address and the unsubscribe token is the same in every copy, so a fan-out renders the Markdown,
 * the frame and the translations once, not once per signer. `token` must be URL-safe as it is
 * (base64url, as generateToken makes it): it is put into the HTML and headers unescaped.
 */
export function prepareUpdateEmail(
  args: Omit<Parameters<typeof updateEmail>[0], "to" | "unsubscribeUrl"> & { unsubscribeUrlPrefix: string },
): (to: string, token: string) => EmailMessage {
  const { unsubscribeUrlPrefix, ...rest } = args;
  const template = updateEmail({ ...rest, to: "", unsubscribeUrl: `${unsubscribeUrlPrefix}${TOKEN_MARK}` });
  const html = template.html.split(TOKEN_MARK);
  const text = template.text.split(TOKEN_MARK);
  const headers = Object.entries(template.headers ?? {}).map(([name, value]) => [name, value.split(TOKEN_MARK)] as const);
  return (to, token) => {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new Error("an unsubscribe token must be base64url");
    return {
      ...template,
      to,
      html: html.join(token),
      text: text.join(token),
      headers: Object.fromEntries(headers.map(([name, parts]) => [name, parts.join(token)])),
    };
  };
}
