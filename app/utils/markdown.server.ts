import MarkdownIt from "markdown-it";

/**
 * Markdown with raw HTML switched off: any tag in the source is shown as text, never rendered,
 * and markdown-it refuses javascript:, vbscript:, file: and data: links. Links open safely.
 */
const md = new MarkdownIt({ html: false, linkify: true, typographer: true });

const defaultLinkOpen =
  md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  token.attrSet("rel", "nofollow noopener noreferrer ugc");
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/**
 * Rendered HTML by source text and heading offset. A campaign's argument and updates change only
 * when an organiser edits them, yet every uncached view of the page would parse them again; the
 * text itself is the key, so an edit is a new entry and nothing needs invalidating. Bounded: the
 * oldest entries go first.
 */
const rendered = new Map<string, string>();
const MAX_RENDERED = 200;
/** Longer texts are rendered each time rather than kept (the cache is for campaign pages). */
const MAX_KEPT_SOURCE = 100_000;

/** `headingOffset` moves headings down (## becomes h3) to sit under the page's own headings. */
export function renderMarkdown(source: string, { headingOffset = 0 } = {}): string {
  if (source.length > MAX_KEPT_SOURCE) return renderNow(source, headingOffset);
  const key = `${headingOffset}\u0000${source}`;
  let html = rendered.get(key);
  if (html === undefined) {
    html = renderNow(source, headingOffset);
    if (rendered.size >= MAX_RENDERED) rendered.delete(rendered.keys().next().value!);
    rendered.set(key, html);
  }
  return html;
}

function renderNow(source: string, headingOffset: number): string {
  const tokens = md.parse(source, {});
  if (headingOffset) {
    for (const token of tokens) {
      if (token.type === "heading_open" || token.type === "heading_close") {
        token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + headingOffset)}`;
      }
    }
  }
  return md.renderer.render(tokens, md.options, {});
}
