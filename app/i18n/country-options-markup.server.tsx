import { renderToStaticMarkup } from "react-dom/server";
import { countrySelectOptions, type CountryOptionsMarkup } from "~/components/sign-form";
import { countryOptions } from "./countries";
import { translator, type Locale } from "./i18n";

const made = new Map<Locale, CountryOptionsMarkup>();

/**
 * The sign form's country options in `locale`, placeholder chosen, as markup: rendered by React
 * once per language from the same elements CountrySelect renders (so the page's HTML is the same
 * byte for byte), then shared by every view of the campaign page in that language.
 */
export function countryOptionsMarkup(locale: Locale): CountryOptionsMarkup {
  let markup = made.get(locale);
  if (!markup) {
    const select = renderToStaticMarkup(<select defaultValue="">{countrySelectOptions(translator(locale)("form.chooseCountry"), countryOptions(locale))}</select>);
    markup = Object.freeze({ optionsHtml: select.slice("<select>".length, -"</select>".length) });
    made.set(locale, markup);
  }
  return markup;
}
