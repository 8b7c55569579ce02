/** Below this many confirmed signers, a country is not shown on its own on public pages. */
export const PUBLIC_COUNTRY_MIN = 10;

export interface CountryCount {
  country: string;
  confirmed: number;
}

/**
 * The public view of counts by country: countries with fewer than PUBLIC_COUNTRY_MIN signers are
 * folded into one "other countries" figure, so that nobody is singled out (one signer from a
 * small country would otherwise be findable). Organisers' dashboards show every country.
 */
export function groupSmallCountries(byCountry: Record<string, number>, min = PUBLIC_COUNTRY_MIN): { shown: CountryCount[]; other: number } {
  const shown: CountryCount[] = [];
  let other = 0;
  for (const [country, confirmed] of Object.entries(byCountry)) {
    if (confirmed >= min) shown.push({ country, confirmed });
    else other += Math.max(0, confirmed);
  }
  shown.sort((a, b) => b.confirmed - a.confirmed || a.country.localeCompare(b.country));
  return { shown, other };
}

/**
 * Counts by country for the public API: the countries the public map shows, and the rest as one
 * figure. The same threshold as the page, so the API never undoes the map's privacy.
 */
export function publicCountsByCountry(byCountry: Record<string, number>): { countsByCountry: Record<string, number>; otherCountries: number } {
  const { shown, other } = groupSmallCountries(byCountry);
  return { countsByCountry: Object.fromEntries(shown.map((c) => [c.country, c.confirmed])), otherCountries: other };
}
