import MarkdownIt from "markdown-it";
import type Token from "markdown-it/lib/token.mjs";

// The same reading of Markdown as the HTML part (app/utils/markdown.server.ts): no raw HTML,
// bare URLs recognised, typographic quotes.
const md = new MarkdownIt({ html: false, linkify: true, typographer: true });

/**
 * The plain-text part of an email, made from the Markdown its HTML part is made from: no `**`,
 * `#` or `[…](…)` left; a link reads "text (url)", or just the URL when the text is the URL.
 * Paragraphs, headings and list items each start a line; lists keep a "- " or "1. " marker.
 */
export function markdownToText(source: string): string {
  const blocks: string[] = [];
  const lists: { ordered: boolean; next: number }[] = [];
  let quote = 0;
  let pendingItem = "";
  let listStarts = false;
  for (const token of md.parse(source, {})) {
    switch (token.type) {
      case "bullet_list_open":
        listStarts ||= lists.length === 0;
        lists.push({ ordered: false, next: 1 });
        break;
      case "ordered_list_open":
        listStarts ||= lists.length === 0;
        lists.push({ ordered: true, next: Number(token.attrGet("start") ?? 1) });
        break;
      case "bullet_list_close":
      case "ordered_list_close":
        lists.pop();
        break;
      case "list_item_open": {
        const list = lists.at(-1);
        pendingItem = `${"  ".repeat(Math.max(0, lists.length - 1))}${list?.ordered ? `${list.next++}.` : "-"} `;
        break;
      }
      case "blockquote_open":
        quote += 1;
        break;
      case "blockquote_close":
        quote -= 1;
        break;
      case "hr":
        blocks.push("----");
        break;
      case "inline":
        push(inlineText(token.children ?? []));
        break;
      case "fence":
      case "code_block":
        push(token.content.replace(/\n$/, ""));
        break;
    }
  }
  return blocks.join("\n\n");

  function push(text: string) {
    const prefix = "> ".repeat(quote);
    const lines = text.split("\n").map((line, i) => `${prefix}${i === 0 ? pendingItem : " ".repeat(pendingItem.length)}${line}`);
    // Items of one list sit on consecutive lines; everything else is a paragraph of its own.
    if (lists.length && !listStarts && blocks.length) blocks[blocks.length - 1] += `\n${lines.join("\n")}`;
    else blocks.push(lines.join("\n"));
    pendingItem = "";
    listStarts = false;
  }
}

function inlineText(tokens: Token[]): string {
  let out = "";
  const links: { href: string; start: number }[] = [];
  for (const token of tokens) {
    switch (token.type) {
      case "text":
      case "code_inline":
        out += token.content;
        break;
      case "softbreak":
      case "hardbreak":
        out += "\n";
        break;
      case "image":
        out += `${token.content || token.attrGet("alt") || ""} (${token.attrGet("src") ?? ""})`;
        break;
      case "link_open":
        links.push({ href: token.attrGet("href") ?? "", start: out.length });
        break;
      case "link_close": {
        const link = links.pop();
        if (!link) break;
        const text = out.slice(link.start);
        // A bare URL (linkify or <…>) is already its own text; mailto: links show the address.
        const shown = link.href.replace(/^mailto:/, "");
        if (text !== link.href && text !== shown) out += ` (${link.href})`;
        break;
      }
    }
  }
  return out;
}
