/**
 * A small bar chart of the last days, drawn as SVG on the server; its label carries the figures.
 * `scale` enlarges it where it stands alone (a campaign's own page) rather than in a table row.
 */
export function Sparkline({ values, label, scale = 1 }: { values: number[]; label: string; scale?: number }) {
  const max = Math.max(1, ...values);
  const height = 20;
  return (
    <svg
      className="sparkline"
      viewBox={`0 0 ${values.length * 6} ${height}`}
      width={values.length * 6 * scale}
      height={height * scale}
      role="img"
      aria-label={label}
      direction="ltr"
    >
      {values.map((v, i) => {
        const h = v > 0 ? Math.max(2, Math.round((v / max) * height)) : 1;
        return <rect key={i} x={i * 6} y={height - h} width={4} height={h} className={v > 0 ? "sparkline-bar" : "sparkline-empty"} />;
      })}
    </svg>
  );
}
