import { DEFAULT_LOCALE, direction, translator, type Locale } from "~/i18n/i18n";
import { emailLayout, escapeHtml, type EmailMessage } from "../render";

export interface VerificationEmailArgs {
  to: string;
  name: string;
  campaignTitle: string;
  token: string;
  appUrl: string;
  locale: Locale;
}

export function verificationEmail(args: VerificationEmailArgs): EmailMessage {
  const t = translator(args.locale);
  // /verify has no language prefix: `?lang=` opens it in the email's language, whatever the
  // browser that opens the link would pick (often another device than the one that signed).
  // The default language needs no hint, which keeps its links exactly as they were.
  const lang = args.locale === DEFAULT_LOCALE ? "" : `lang=${args.locale}`;
  const confirmUrl = `${args.appUrl}/verify/${args.token}${lang ? `?${lang}` : ""}`;
  const notMeUrl = `${args.appUrl}/verify/${args.token}?not-me${lang ? `&${lang}` : ""}`;
  const subject = t("email.verify.subject", { title: args.campaignTitle });
  const lines = {
    greeting: t("email.verify.greeting", { name: args.name }),
    intro: t("email.verify.intro", { title: args.campaignTitle }),
    button: t("email.verify.button"),
    expires: t("email.verify.expires"),
    notMe: t("email.verify.notMe"),
    // The site's address on a line of its own: no full stop or bidi isolate may touch a URL.
    footer: t("email.verify.footer"),
  };

  const text = [
    lines.greeting,
    "",
    lines.intro,
    confirmUrl,
    "",
    lines.expires,
    "",
    lines.notMe,
    notMeUrl,
    "",
    "--",
    lines.footer,
    args.appUrl,
  ].join("\n");

  const html = emailLayout({
    lang: args.locale,
    dir: direction(args.locale),
    title: subject,
    body: `<p>${escapeHtml(lines.greeting)}</p>
<p>${escapeHtml(lines.intro)}</p>
<p><a href="${escapeHtml(confirmUrl)}" style="display:inline-block;padding:12px 20px;background:#0b6e4f;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:600">${escapeHtml(lines.button)}</a></p>
<p style="font-size:14px;color:#55504a">${escapeHtml(lines.expires)}</p>
<p style="font-size:14px;color:#55504a">${escapeHtml(lines.notMe)}<br><a dir="ltr" href="${escapeHtml(notMeUrl)}" style="overflow-wrap:anywhere;word-break:break-all">${escapeHtml(notMeUrl)}</a></p>
<hr style="border:none;border-top:1px solid #e2ddd5">
<p style="font-size:12px;color:#7a746c">${escapeHtml(lines.footer)}<br><a dir="ltr" href="${escapeHtml(args.appUrl)}">${escapeHtml(args.appUrl)}</a></p>`,
  });

  return { to: args.to, subject, html, text };
}
