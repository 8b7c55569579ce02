import { useId } from "react";
import { useTranslation } from "~/i18n/use-translation";
import { GRID_COLUMNS, GRID_ROWS, TILE_BY_CODE, WORLD_BACKGROUND_PATH } from "./world-grid";

export interface MapCountry {
  country: string;
  /** the country's name in the page's language, resolved on the server (ICU differs by browser) */
  name: string;
  confirmed: number;
}

export const MAP_STEPS = 5;

/**
 * The legend's swatches: the scale from the smallest to the largest count, or, when every country
 * has the same count, the one shade they all have (a scale from 1 to 1 says nothing).
 */
export function legendSteps(min: number, max: number): number[] {
  return max <= min ? [mapStep(min, min, max)] : Array.from({ length: MAP_STEPS }, (_, step) => step);
}

/** Which of MAP_STEPS shades a count gets: logarithmic, since a few countries usually dwarf the rest. */
export function mapStep(count: number, min: number, max: number): number {
  if (max <= min) return MAP_STEPS - 1;
  const t = (Math.log(count) - Math.log(min)) / (Math.log(max) - Math.log(min));
  return Math.max(0, Math.min(MAP_STEPS - 1, Math.floor(t * MAP_STEPS)));
}

/**
 * Signers by country as a tile map (one square per country, see world-grid.ts), drawn on the
 * server as SVG: no script, a few kilobytes. Geography is not mirrored in right-to-left pages;
 * the legend is HTML and follows the page's direction. The figures are also in a table next to
 * it, which is what screen readers get: the SVG is one labelled image.
 */
export function WorldMap({ countries, label }: { countries: readonly MapCountry[]; label: string }) {
  const { n } = useTranslation();
  const titleId = useId();
  const counts = countries.map((c) => c.confirmed).filter((c) => c > 0);
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  return (
    <figure className="world-map">
      <svg viewBox={`0 0 ${GRID_COLUMNS} ${GRID_ROWS}`} role="img" aria-labelledby={titleId} direction="ltr">
        <title id={titleId}>{label}</title>
        <path d={WORLD_BACKGROUND_PATH} className="world-map-land" />
        {countries.map((c) => {
          const tile = TILE_BY_CODE.get(c.country);
          if (!tile || c.confirmed <= 0) return null;
          return (
            <rect key={c.country} x={tile.col} y={tile.row} width={0.9} height={0.9} className={`world-map-step${mapStep(c.confirmed, min, max)}`}>
              <title>{`${c.name}: ${n(c.confirmed)}`}</title>
            </rect>
          );
        })}
      </svg>
      {counts.length ? (
        <figcaption className="world-map-legend" aria-hidden="true">
          {max > min ? <span>{n(min)}</span> : null}
          {legendSteps(min, max).map((step) => (
            <span key={step} className={`world-map-swatch world-map-step${step}`} />
          ))}
          <span>{n(max)}</span>
        </figcaption>
      ) : null}
    </figure>
  );
}
