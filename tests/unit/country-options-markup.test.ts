/**
 * The public campaign page renders its country list from markup made once per language
 * (app/i18n/country-options-markup.server.tsx); the page must be byte for byte what rendering the
 * 250 options with React gives, whatever value the form is re-shown with.
 */
import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { CountrySelect } from "~/components/sign-form";
import { countryOptions } from "~/i18n/countries";
import { countryOptionsMarkup } from "~/i18n/country-options-markup.server";
import { LOCALES, translator } from "~/i18n/i18n";

const values = ["", "PK", "AF", "ZW", "ZZ", "pk", '"><b>x</b>', 'AD">'];

describe("the sign form's country list from markup", () => {
  it("is the same HTML as the options rendered by React, in every language and for every value", () => {
    for (const locale of LOCALES) {
      const placeholder = translator(locale)("form.chooseCountry");
      for (const value of values) {
        for (const invalid of [false, true]) {
          const props = { placeholder, value, invalid, describedBy: invalid ? "sign-country-error" : undefined };
          const rendered = renderToStaticMarkup(h(CountrySelect, { ...props, countries: countryOptions(locale) }));
          const fromMarkup = renderToStaticMarkup(h(CountrySelect, { ...props, countries: countryOptionsMarkup(locale) }));
          expect(fromMarkup, `${locale} ${value}`).toBe(rendered);
        }
      }
      expect(renderToStaticMarkup(h(CountrySelect, { placeholder, value: "PK", invalid: false, describedBy: undefined, countries: countryOptionsMarkup(locale) }))).toContain('<option value="PK" selected="">');
    }
  });

  it("is made once per language", () => {
    expect(countryOptionsMarkup("ur")).toBe(countryOptionsMarkup("ur"));
    expect(countryOptionsMarkup("ur").optionsHtml).not.toBe(countryOptionsMarkup("en").optionsHtml);
  });
});
