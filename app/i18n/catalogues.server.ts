import { makeTranslator, type Catalogue, type Locale, type Translate } from "./i18n";
import { ar } from "./messages/ar";
import { en } from "./messages/en";
import { ms } from "./messages/ms";
import { tr } from "./messages/tr";
import { ur } from "./messages/ur";

/**
 * All five catalogues, on the server only. The browser gets its page's one catalogue through the
 * root loader's data: shipping all five in the bundle cost every visitor about 50 KB compressed.
 */
const CATALOGUES: Record<Locale, Catalogue> = { en, ur, ar, ms, tr };

const translators = new Map<Locale, Translate>();

export function translator(locale: Locale): Translate {
  let t = translators.get(locale);
  if (!t) translators.set(locale, (t = makeTranslator(locale, CATALOGUES[locale])));
  return t;
}

/** One language's catalogue: for the root loader (the browser's copy), tests and tools. */
export function catalogue(locale: Locale): Catalogue {
  return CATALOGUES[locale];
}
