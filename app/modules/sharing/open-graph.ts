import { translator, type Locale } from "~/i18n/i18n";
import { localePath } from "~/i18n/use-translation";
import { CARD_HEIGHT, CARD_WIDTH, countBucket } from "./count-bucket";

/** Open Graph locales: language_TERRITORY, for the territory most of each language's readers live in. */
const OG_LOCALES: Record<string, string> = { en: "en_GB", ur: "ur_PK", ar: "ar_AR", ms: "ms_MY", tr: "tr_TR" };

export interface OpenGraph {
  url: string;
  title: string;
  description: string;
  image: string;
  imageAlt: string;
  locale: string;
  alternateLocales: string[];
}

/**
 * A campaign page's link-preview data in the page's language. The card's URL carries the count
 * bucket (`v`), which the card route ignores: a new bucket is a new URL, so networks that cache
 * previews by image URL fetch the new card.
 */
export function openGraphFor(opts: {
  appUrl: string;
  locale: Locale;
  slug: string;
  title: string;
  summary: string;
  count: number;
  contentLocales: string[];
}): OpenGraph {
  const bucket = countBucket(opts.count);
  return {
    url: `${opts.appUrl}${localePath(opts.locale, `/campaigns/${opts.slug}`)}`,
    title: opts.title,
    description: opts.summary,
    image: `${opts.appUrl}/campaigns/${opts.slug}/card.png?lang=${opts.locale}&v=${bucket.value}`,
    imageAlt: translator(opts.locale)(bucket.approximate ? "card.imageAltAtLeast" : "card.imageAlt", { title: opts.title, count: bucket.value }),
    locale: OG_LOCALES[opts.locale] ?? opts.locale,
    alternateLocales: opts.contentLocales.filter((l) => l !== opts.locale).map((l) => OG_LOCALES[l] ?? l),
  };
}

/** The <meta> descriptors for Remix's `meta` export. */
export function openGraphTags(og: OpenGraph) {
  return [
    { property: "og:type", content: "website" },
    { property: "og:site_name", content: "Banner" },
    { property: "og:url", content: og.url },
    { property: "og:title", content: og.title },
    { property: "og:description", content: og.description },
    { property: "og:image", content: og.image },
    { property: "og:image:type", content: "image/png" },
    { property: "og:image:width", content: String(CARD_WIDTH) },
    { property: "og:image:height", content: String(CARD_HEIGHT) },
    { property: "og:image:alt", content: og.imageAlt },
    { property: "og:locale", content: og.locale },
    ...og.alternateLocales.map((l) => ({ property: "og:locale:alternate", content: l })),
    { name: "twitter:card", content: "summary_large_image" },
    { name: "twitter:title", content: og.title },
    { name: "twitter:description", content: og.description },
    { name: "twitter:image", content: og.image },
    { name: "twitter:image:alt", content: og.imageAlt },
  ];
}
