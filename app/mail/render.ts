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
}

/** The shared frame of every email: direction-aware, no external resources. */
export function emailLayout({ lang, dir, title, body }: { lang: string; dir: "ltr" | "rtl"; title: string; body: string }): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}" dir="${dir}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:0;background:#f5f3ef;font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d1b18">
<div style="max-width:560px;margin:0 auto;padding:24px;background:#ffffff;text-align:start">
${body}
</div>
</body>
</html>`;
}
