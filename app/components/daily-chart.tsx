import { useId } from "react";
import { direction } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";

export interface ChartDay {
  day: string;
  confirmed: number;
  /** the day as the axis shows it, formatted on the server (browsers' ICU words dates differently) */
  label: string;
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { start: 64, end: 12, top: 16, bottom: 42 };

/** The smallest "round" number (1, 2, 4, 5, 6, 8 × 10ⁿ) at or above `value`: the top of the y axis. */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 4, 5, 6, 8, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/**
 * Confirmations per day as a bar chart, drawn on the server as SVG: readable without JavaScript,
 * with a title and description for assistive technology (the caller puts the same numbers in a
 * table). In right-to-left languages time runs from right to left, like the text around it.
 */
export function DailyChart({ days, title, description }: { days: readonly ChartDay[]; title: string; description: string }) {
  const { n, locale } = useTranslation();
  const ids = useId();
  const rtl = direction(locale) === "rtl";
  const top = niceCeiling(Math.max(0, ...days.map((d) => d.confirmed)));
  const ticks = top % 2 === 0 ? [0, top / 2, top] : [0, top];
  const plotWidth = WIDTH - PAD.start - PAD.end;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / Math.max(1, days.length);
  const gap = slot > 4 ? slot * 0.2 : 0;
  // The x of a slot's start edge, from the inline start of the plot.
  const slotX = (i: number) => (rtl ? WIDTH - PAD.start - (i + 1) * slot : PAD.start + i * slot);
  const y = (value: number) => PAD.top + plotHeight * (1 - value / top);
  const plotLeft = rtl ? PAD.end : PAD.start;
  const plotRight = plotLeft + plotWidth;
  const axisX = rtl ? plotRight : plotLeft;
  // The first and last days, and one between; the outer two are anchored inside the plot's edges.
  // The labels run in the page's direction, so "start" is the plot's inline start in both.
  const last = days.length - 1;
  const labels = (last < 2 ? days.map((_, i) => i) : [0, Math.floor(last / 2), last]).map((i) => {
    if (last < 2 || (i > 0 && i < last)) return { i, x: slotX(i) + slot / 2, anchor: "middle" };
    const atStart = i === 0;
    return { i, x: atStart === rtl ? plotRight : plotLeft, anchor: atStart ? "start" : "end" };
  });
  return (
    <svg className="daily-chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${ids}t ${ids}d`}>
      <title id={`${ids}t`}>{title}</title>
      <desc id={`${ids}d`}>{description}</desc>
      {ticks.map((tick) => (
        <g key={tick}>
          <line x1={plotLeft} x2={plotRight} y1={y(tick)} y2={y(tick)} className="daily-chart-grid" />
          <text x={rtl ? axisX + 8 : axisX - 8} y={y(tick)} dy="0.35em" textAnchor={rtl ? "start" : "end"} direction="ltr" className="daily-chart-label">
            {n(tick)}
          </text>
        </g>
      ))}
      {days.map((d, i) =>
        d.confirmed > 0 ? (
          <rect key={d.day} x={slotX(i) + gap / 2} y={y(d.confirmed)} width={slot - gap} height={plotHeight * (d.confirmed / top)} className="daily-chart-bar">
            <title>{`${d.label}: ${n(d.confirmed)}`}</title>
          </rect>
        ) : null,
      )}
      {labels.map(({ i, x, anchor }) => (
        <text key={days[i]!.day} x={x} y={HEIGHT - 8} textAnchor={anchor} direction={rtl ? "rtl" : "ltr"} className="daily-chart-label">
          {days[i]!.label}
        </text>
      ))}
    </svg>
  );
}
