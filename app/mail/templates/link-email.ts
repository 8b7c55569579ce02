import { direction, translator, type Locale } from "~/i18n/i18n";
import { emailLayout, escapeHtml, type EmailMessage } from "../render";

/** The shape of most account emails: a greeting, a paragraph or two, one link, a footer. */
export function linkEmail(args: {
  to: string;
  locale: Locale;
  subject: string;
  greetingName?: string;
  paragraphs: string[];
  link: { url: string; label: string };
  footer?: string;
}): EmailMessage {
  const t = translator(args.locale);
  const greeting = args.greetingName ? t("email.verify.greeting", { name: args.greetingName }) : undefined;
  const footer = args.footer ?? t("email.ignore");
  const text = [...(greeting ? [greeting, ""] : []), ...args.paragraphs.flatMap((p) => [p, ""]), args.link.url, "", "--", footer].join("\n");
  const html = emailLayout({
    lang: args.locale,
    dir: direction(args.locale),
    title: args.subject,
    body: `${greeting ? `<p>${escapeHtml(greeting)}</p>\n` : ""}${args.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n")}
<p><a href="${escapeHtml(args.link.url)}" style="display:inline-block;padding:12px 20px;background:#0b6e4f;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:600">${escapeHtml(args.link.label)}</a></p>
<p style="font-size:13px;color:#55504a;overflow-wrap:anywhere"><a href="${escapeHtml(args.link.url)}">${escapeHtml(args.link.url)}</a></p>
<hr style="border:none;border-top:1px solid #e2ddd5">
<p style="font-size:12px;color:#7a746c">${escapeHtml(footer)}</p>`,
  });
  return { to: args.to, subject: args.subject, html, text };
}
