import { createHash } from "node:crypto";
import { Resvg, renderAsync, type ResvgRenderOptions } from "@resvg/resvg-js";
import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { direction, formatNumber, translator, type Locale } from "~/i18n/i18n";
import { findPublicCampaignInLocale } from "~/modules/campaigns/campaigns.queries.server";
import { getCampaignCounts } from "~/modules/counts/counts.server";
import { CARD_FAMILIES, cardFontFiles } from "./card-fonts.server";
import { CARD_HEIGHT, CARD_WIDTH, countBucket } from "./count-bucket";

/**
 * The social card: a 1200×630 PNG with the campaign's title and its confirmed count, drawn from
 * an SVG by resvg with our own fonts, right-to-left for Urdu and Arabic. Rendering takes tens of
 * milliseconds, so a card is kept in Postgres (shared by every web server) per campaign and
 * language, and drawn again only when what it shows changes: the title, or the count's bucket.
 */

/** Bump when the drawing changes, so every cached card is drawn again. */
const CARD_VERSION = 1;
const MARGIN = 80;
const TEXT_WIDTH = CARD_WIDTH - 2 * MARGIN;

type Script = "arabic" | "latin";
interface TextStyle {
  size: number;
  weight: 400 | 700;
  /** the font for Arabic-script words: Nastaliq for Urdu, Naskh otherwise */
  arabicFamily: string;
}

const familyFor = (script: Script, style: TextStyle) => (script === "arabic" ? style.arabicFamily : CARD_FAMILIES.latin);

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function textElement(text: string, script: Script, style: TextStyle, x: number, y: number): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="${familyFor(script, style)}" font-size="${style.size}" font-weight="${style.weight}" fill="#ffffff">${escapeXml(text)}</text>`;
}

/** Ink extent of one run of text, measured by laying it out with resvg itself. */
export class Measurer {
  private cache = new Map<string, { x: number; width: number }>();
  constructor(private options: ResvgRenderOptions) {}
  measure(text: string, script: Script, style: TextStyle): { x: number; width: number } {
    const key = `${script}|${style.size}|${style.weight}|${style.arabicFamily}|${text}`;
    let box = this.cache.get(key);
    if (!box) {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_WIDTH * 4}" height="400">${textElement(text, script, style, 0, 200)}</svg>`;
      const bbox = new Resvg(svg, this.options).getBBox();
      box = bbox ? { x: bbox.x, width: bbox.width } : { x: 0, width: 0 };
      this.cache.set(key, box);
    }
    return box;
  }
}

/**
 * A piece of one word in one script: Arabic-script letters (with their marks and punctuation), or
 * anything else. "سی:" is two segments; "(CFM)" is one. A segment of neither letters nor digits
 * (a colon, a bracket) is neutral: it takes the direction of the line, as the Unicode bidi
 * algorithm would resolve it next to Arabic text.
 */
interface Segment {
  text: string;
  kind: "arabic" | "latin" | "neutral";
  /** a space comes before it (it starts a word that is not the line's first) */
  gapBefore: boolean;
}

const ARABIC_PART = /([\p{Script_Extensions=Arabic}\u200C\u200D]+)/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
// A neutral laid out right to left shows its mirror image, as bidi mirroring would.
const MIRRORED: Record<string, string> = { "(": ")", ")": "(", "[": "]", "]": "[", "{": "}", "}": "{", "«": "»", "»": "«", "‹": "›", "›": "‹", "<": ">", ">": "<" };

function segmentsOf(words: string[]): Segment[] {
  return words.flatMap((word, w) =>
    word
      .split(ARABIC_PART)
      .filter(Boolean)
      .map((text, i): Segment => ({
        text,
        kind: ARABIC_PART.test(text) ? "arabic" : LETTER_OR_DIGIT.test(text) ? "latin" : "neutral",
        gapBefore: i === 0 && w > 0,
      })),
  );
}

const gapOf = (style: TextStyle) => style.size * 0.3;

// resvg lays out every text element as a left-to-right paragraph, so a colon or comma inside an
// Arabic segment would land on its right. Arabic letter marks (invisible, strongly right-to-left)
// around the segment make such characters resolve right-to-left.
const ALM = "\u061C";

function measureSegment(segment: Segment, rtlLine: boolean, style: TextStyle, m: Measurer) {
  if (segment.kind === "arabic") return { text: `${ALM}${segment.text}${ALM}`, script: "arabic" as const, box: m.measure(`${ALM}${segment.text}${ALM}`, "arabic", style) };
  const text = segment.kind === "neutral" && rtlLine ? [...segment.text].map((c) => MIRRORED[c] ?? c).join("") : segment.text;
  return { text, script: "latin" as const, box: m.measure(text, "latin", style) };
}

function lineWidth(words: string[], style: TextStyle, m: Measurer, dir: "ltr" | "rtl"): number {
  return segmentsOf(words).reduce((sum, seg) => sum + measureSegment(seg, dir === "rtl", style, m).box.width + (seg.gapBefore ? gapOf(style) : 0), 0);
}

/**
 * Places one line from its start edge, one <text> per segment. resvg shapes an Arabic word's
 * letters right to left but neither orders words nor resolves bidi across fonts, so the order is
 * ours: runs of one direction go in the line's direction, and the segments inside a run in the
 * run's own (an English name inside an Urdu title still reads left to right).
 */
function drawLine(words: string[], dir: "ltr" | "rtl", style: TextStyle, baseline: number, m: Measurer, inset = 0): string {
  const rtlLine = dir === "rtl";
  const segments = segmentsOf(words).map((seg) => ({ ...seg, rtl: seg.kind === "arabic" || (seg.kind === "neutral" && rtlLine), ...measureSegment(seg, rtlLine, style, m) }));
  const runs: (typeof segments)[] = [];
  for (const seg of segments) {
    const last = runs.at(-1);
    if (last && last[0]!.rtl === seg.rtl) last.push(seg);
    else runs.push([seg]);
  }
  const gap = gapOf(style);
  const parts: string[] = [];
  let cursor = rtlLine ? CARD_WIDTH - MARGIN - inset : MARGIN + inset;
  for (const run of runs) {
    const lead = run[0]!.gapBefore ? gap : 0;
    const runWidth = run.reduce((sum, seg, i) => sum + seg.box.width + (i > 0 && seg.gapBefore ? gap : 0), 0);
    const runLeft = rtlLine ? cursor - lead - runWidth : cursor + lead;
    cursor = rtlLine ? runLeft : runLeft + runWidth;
    let x = run[0]!.rtl ? runLeft + runWidth : runLeft;
    run.forEach((seg, i) => {
      const space = i > 0 && seg.gapBefore ? gap : 0;
      const left = seg.rtl ? x - space - seg.box.width : x + space;
      x = seg.rtl ? left : left + seg.box.width;
      parts.push(textElement(seg.text, seg.script, style, left - seg.box.x, baseline));
    });
  }
  return parts.join("");
}

/** Greedy word wrap by measured widths; the last line that fits ends in "…" when text is left over. */
function wrap(text: string, dir: "ltr" | "rtl", style: TextStyle, maxLines: number, m: Measurer): { lines: string[][]; fits: boolean } {
  const words = text.split(/\s+/u).filter(Boolean);
  const lines: string[][] = [];
  let current: string[] = [];
  for (const word of words) {
    if (current.length > 0 && lineWidth([...current, word], style, m, dir) > TEXT_WIDTH) {
      lines.push(current);
      current = [];
    }
    current.push(word);
  }
  if (current.length) lines.push(current);
  if (lines.length <= maxLines) return { lines, fits: true };
  const kept = lines.slice(0, maxLines);
  const last = kept[maxLines - 1]!;
  while (last.length > 1 && lineWidth([...last.slice(0, -1), `${last.at(-1)}…`], style, m, dir) > TEXT_WIDTH) last.pop();
  last[last.length - 1] = `${last.at(-1)}…`;
  return { lines: kept, fits: false };
}

export interface CardContent {
  title: string;
  /** the language the title is written in (a translation, or the campaign's default) */
  titleLocale: string;
  /** the card's language: the count's label */
  locale: Locale;
  count: number;
  goal: number;
}

export function socialCardSvg(content: CardContent, m: Measurer): string {
  const t = translator(content.locale);
  const dir = direction(content.locale);
  const titleDir = direction(content.titleLocale);
  const arabicFamily = (locale: string) => (locale === "ur" ? CARD_FAMILIES.nastaliq : CARD_FAMILIES.naskh);
  // Nastaliq needs far more leading than Naskh, and Naskh more than Latin.
  const leading = (locale: string) => (locale === "ur" ? 1.9 : locale === "ar" ? 1.5 : 1.22);

  // The title gets the band between the brand and the count, in the largest size that fits.
  const [bandTop, bandHeight] = [150, 300];
  let title = { lines: [] as string[][], style: { size: 0, weight: 700, arabicFamily: arabicFamily(content.titleLocale) } as TextStyle, lineHeight: 0 };
  for (const size of [64, 54, 46]) {
    const style: TextStyle = { size, weight: 700, arabicFamily: arabicFamily(content.titleLocale) };
    const lineHeight = size * leading(content.titleLocale);
    const wrapped = wrap(content.title, titleDir, style, Math.min(4, Math.floor(bandHeight / lineHeight)), m);
    title = { lines: wrapped.lines, style, lineHeight };
    if (wrapped.fits) break;
  }
  // Each baseline sits a little below the middle of its line box.
  const titleSvg = title.lines
    .map((line, i) => drawLine(line, titleDir, title.style, bandTop + title.lineHeight * (i + 0.5) + title.style.size * 0.35, m))
    .join("");

  const bucket = countBucket(content.count);
  const number = `${formatNumber(content.locale, bucket.value)}${bucket.approximate ? "+" : ""}`;
  const numberStyle: TextStyle = { size: 84, weight: 700, arabicFamily: arabicFamily(content.locale) };
  const labelStyle: TextStyle = { size: 36, weight: 400, arabicFamily: arabicFamily(content.locale) };
  const numberBox = m.measure(number, "latin", numberStyle);
  const countBaseline = 535;
  const numberX = dir === "rtl" ? CARD_WIDTH - MARGIN - numberBox.width : MARGIN;
  // The label continues the count's line, after the number in reading order.
  const labelLine = drawLine(t("card.signatures").split(/\s+/u), dir, labelStyle, countBaseline, m, numberBox.width + 24);

  const ratio = content.goal > 0 ? Math.min(1, bucket.value / content.goal) : 0;
  const fill = TEXT_WIDTH * ratio;
  const fillX = dir === "rtl" ? CARD_WIDTH - MARGIN - fill : MARGIN;
  const brandX = dir === "rtl" ? CARD_WIDTH - MARGIN : MARGIN;
  const brandBox = m.measure("Banner", "latin", { size: 34, weight: 700, arabicFamily: CARD_FAMILIES.naskh });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_WIDTH}" height="${CARD_HEIGHT}" viewBox="0 0 ${CARD_WIDTH} ${CARD_HEIGHT}">`,
    `<rect width="${CARD_WIDTH}" height="${CARD_HEIGHT}" fill="#0b6e4f"/>`,
    `<rect width="${CARD_WIDTH}" height="14" fill="#f2c14e"/>`,
    `<rect x="${dir === "rtl" ? brandX - 30 : brandX}" y="72" width="30" height="30" rx="6" fill="#f2c14e"/>`,
    textElement("Banner", "latin", { size: 34, weight: 700, arabicFamily: CARD_FAMILIES.naskh }, (dir === "rtl" ? brandX - 44 - brandBox.width : brandX + 44) - brandBox.x, 100),
    titleSvg,
    textElement(number, "latin", numberStyle, numberX - numberBox.x, countBaseline),
    labelLine,
    `<rect x="${MARGIN}" y="565" width="${TEXT_WIDTH}" height="16" rx="8" fill="#08553d"/>`,
    fill > 0 ? `<rect x="${fillX.toFixed(1)}" y="565" width="${fill.toFixed(1)}" height="16" rx="8" fill="#f2c14e"/>` : "",
    `</svg>`,
  ].join("");
}

async function renderOptions(): Promise<ResvgRenderOptions> {
  // No system fonts: every server draws the same card, whatever it has installed.
  return { font: { fontFiles: await cardFontFiles(), loadSystemFonts: false, defaultFontFamily: CARD_FAMILIES.latin }, logLevel: "off" };
}

export async function renderSocialCard(content: CardContent): Promise<Buffer> {
  const options = await renderOptions();
  const svg = socialCardSvg(content, new Measurer(options));
  const rendered = await renderAsync(svg, options);
  return rendered.asPng();
}

/** What the card shows, as a short hash: the cache key besides campaign and language, and the ETag. */
export function cardFingerprint(content: CardContent): string {
  const bucket = countBucket(content.count);
  const shown = { v: CARD_VERSION, title: content.title, titleLocale: content.titleLocale, locale: content.locale, bucket, goal: content.goal };
  return createHash("sha256").update(JSON.stringify(shown)).digest("base64url").slice(0, 22);
}

/**
 * The card of a public campaign in `locale`, from the cache when it still shows the current title
 * and count bucket, else drawn and stored. Several servers may draw the same card at once; the
 * last write wins and both are correct. Undefined for a campaign the public cannot see.
 */
export async function getSocialCard(db: Database, slug: string, locale: Locale): Promise<{ png: Buffer; fingerprint: string } | undefined> {
  const found = await findPublicCampaignInLocale(db, slug, locale);
  if (!found) return undefined;
  const { total } = await getCampaignCounts(db, found.campaign.id);
  const content: CardContent = { title: found.content.title, titleLocale: found.content.locale, locale, count: total, goal: found.campaign.goal };
  const fingerprint = cardFingerprint(content);
  const cached = await db
    .selectFrom("social_cards")
    .select("png")
    .where("campaign_id", "=", found.campaign.id)
    .where("locale", "=", locale)
    .where("fingerprint", "=", fingerprint)
    .executeTakeFirst();
  if (cached) return { png: cached.png, fingerprint };

  const png = await renderSocialCard(content);
  await db
    .insertInto("social_cards")
    .values({ campaign_id: found.campaign.id, locale, fingerprint, png })
    .onConflict((oc) => oc.columns(["campaign_id", "locale"]).doUpdateSet({ fingerprint, png, rendered_at: sql`now()` }))
    .execute();
  return { png, fingerprint };
}
