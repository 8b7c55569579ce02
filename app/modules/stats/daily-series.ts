export interface DayCount {
  /** a UTC calendar day, YYYY-MM-DD */
  day: string;
  confirmed: number;
}

/** At most this many days are drawn: a longer campaign shows its latest weeks (the table has all). */
export const SERIES_MAX_DAYS = 90;

const DAY_MS = 86_400_000;

/**
 * Every day from the first with confirmations (or SERIES_MAX_DAYS before `end`, if later) up to
 * `end`, days without confirmations as zero: a chart whose gaps are visible, not squeezed out.
 */
export function dailySeries(days: readonly DayCount[], end: string): DayCount[] {
  const byDay = new Map(days.map((d) => [d.day, d.confirmed]));
  const endMs = Date.parse(`${end}T00:00:00Z`);
  const firstMs = days.length ? Date.parse(`${days[0]!.day}T00:00:00Z`) : endMs;
  const startMs = Math.max(Math.min(firstMs, endMs), endMs - (SERIES_MAX_DAYS - 1) * DAY_MS);
  const series: DayCount[] = [];
  for (let ms = startMs; ms <= endMs; ms += DAY_MS) {
    const day = new Date(ms).toISOString().slice(0, 10);
    series.push({ day, confirmed: byDay.get(day) ?? 0 });
  }
  return series;
}
