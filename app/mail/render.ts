const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

export interface EmailMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
  /** The display name of From, whose address stays the platform's (MAIL_FROM): e.g. the organisation. */
  fromName?: string;
  /** Where replies go, when not to the platform's address. */
  replyTo?: string;
  /** The sent-log key of this message; its Message-ID is derived from it (see message-id.ts). */
  sentLogKey?: string;
}

// Mail clients load no web fonts (and we send no external resources), so each script gets the
// best faces readers are likely to have installed, with Noto's names first for those who have them.
const EMAIL_FONTS: Record<string, { family: string; lineHeight: number }> = {
  ur: { family: "'Noto Nastaliq Urdu','Jameel Noori Nastaleeq','Urdu Typesetting','Noto Naskh Arabic','Noto Sans Arabic','Segoe UI',Tahoma,sans-serif", lineHeight: 2.1 },
  ar: { family: "'Noto Naskh Arabic','Segoe UI',Tahoma,'Geeza Pro',sans-serif", lineHeight: 1.8 },
};
const LATIN_FONTS = { family: "system-ui,-apple-system,'Segoe UI',sans-serif", lineHeight: 1.5 };

/**
 * The shared frame of every email: direction-aware, no external resources. Physical `text-align`
 * here, unlike the site's logical CSS: several mail clients still ignore `start`/`end`.
 */
export function emailLayout({ lang, dir, title, body }: { lang: string; dir: "ltr" | "rtl"; title: string; body: string }): string {
  const fonts = EMAIL_FONTS[lang.split("-")[0] ?? lang] ?? LATIN_FONTS;
  return `<!doctype html>
<html lang="${escapeHtml(lang)}" dir="${dir}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:0;background:#f5f3ef;font-family:${fonts.family};line-height:${fonts.lineHeight};color:#1d1b18">
<div dir="${dir}" style="max-width:560px;margin:0 auto;padding:24px;background:#ffffff;text-align:${dir === "rtl" ? "right" : "left"}">
${body}
</div>
</body>
</html>`;
}
