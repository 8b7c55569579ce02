import { useTranslation } from "~/i18n/use-translation";
import { WorldMap, type MapCountry } from "./world-map/world-map";

/**
 * The public "Signers' map": countries with enough signers on a tile map, the same figures in a
 * table beside it, and the small countries only as one grouped total (see groupSmallCountries).
 */
export function SignersMap({ shown, other, min }: { shown: readonly MapCountry[]; other: number; min: number }) {
  const { t, n } = useTranslation();
  return (
    <section className="signers-map" aria-labelledby="map-heading">
      <h2 id="map-heading">{t("campaign.map.title")}</h2>
      <div className="map-and-table">
        <WorldMap countries={shown} label={t("campaign.map.label")} />
        <table data-testid="map-table">
          <tbody>
            {shown.map((c) => (
              <tr key={c.country} data-country={c.country}>
                <th scope="row">{c.name}</th>
                <td className="num">{n(c.confirmed)}</td>
              </tr>
            ))}
            {other > 0 ? (
              <tr data-country="other">
                <th scope="row">{t("campaign.map.other", { min })}</th>
                <td className="num">{n(other)}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {shown.length === 0 ? <p className="muted small">{t("campaign.map.none", { min })}</p> : null}
    </section>
  );
}
