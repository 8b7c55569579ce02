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

/** `headingOffset` moves headings down (## becomes h3) to sit under the page's own headings. */
export function renderMarkdown(source: string, { headingOffset = 0 } = {}): string {
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
