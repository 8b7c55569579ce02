/**
 * What the `banner:` curie's names mean: the fields and links Banner adds where OSDI has none.
 * Developer documentation, like the README: English only.
 */
const FIELDS: [string, string][] = [
  ["status", "Signature: pending (waiting for the email confirmation), confirmed (counts), invalidated (fraud; never counts) or disowned (the address owner said it was not them; personal data erased). Petition: published or closed."],
  ["confirmed_date", "Signature: when the signer confirmed by email (ISO 8601), or null."],
  ["consent_version", "Signature: the version of the consent text the signer agreed to."],
  ["consent_purposes", "Signature: what the signer consented to: petition, and optionally updates:host, updates:partner."],
  ["ask_version", "Signature: the version of the petition's ask (text and targets) that was signed."],
  ["partner", "Signature: the slug of the partner organisation whose share link brought the signer, or null."],
  ["language", "Signature: the language the signer signed in. Petition: the campaign's default language."],
  ["source", "Signature: where it was made: web, widget or api."],
  ["signature", "Person link: the signature this person record belongs to (one person per confirmed signature)."],
];

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

export async function loader() {
  const items = FIELDS.map(([name, text]) => `<dt id="${name}"><code>banner:${name}</code></dt><dd>${escape(text)}</dd>`).join("\n");
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Banner OSDI extensions</title>
<h1>Banner's OSDI extensions</h1><p>Fields and links under the <code>banner</code> curie. Everything else follows OSDI v1.2.</p>
<dl>${items}</dl></html>`;
  return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "public, max-age=3600" } });
}
