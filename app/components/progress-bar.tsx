import { useEffect, useState } from "react";
import { useTranslation } from "~/i18n/use-translation";

const LIVE_EVERY_MS = 10_000;

/**
 * The confirmed count against the goal. With `liveUrl` (and JavaScript), it follows the count API:
 * through React where the page is hydrated, else through the page script (app/enhance/), which
 * reads the URL and the messages, filled in but for the count, from the data attributes.
 */
export function ProgressBar({ count: initial, goal, liveUrl }: { count: number; goal: number; liveUrl?: string }) {
  const { t, n, percent: formatPercent } = useTranslation();
  const [count, setCount] = useState(initial);
  useEffect(() => setCount(initial), [initial]);
  useEffect(() => {
    if (!liveUrl) return;
    let cancelled = false;
    const timer = setInterval(async () => {
      if (document.visibilityState !== "visible") return;
      try {
        const res = await fetch(liveUrl, { headers: { Accept: "application/json" } });
        if (!res.ok) return;
        const body = (await res.json()) as { signatureCount?: unknown };
        if (!cancelled && typeof body.signatureCount === "number") setCount(body.signatureCount);
      } catch {
        // offline or flaky network: keep the last count
      }
    }, LIVE_EVERY_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [liveUrl]);

  const ratio = goal > 0 ? Math.min(1, count / goal) : 0;
  const countText = n(count);
  return (
    <div
      className="progress"
      {...(liveUrl
        ? {
            "data-live-url": liveUrl,
            "data-goal": goal,
            // {count} and {percent} stay as they are, for the page script to fill in.
            "data-count-text": t("campaign.countOfGoal", { goal }),
            "data-percent-text": t("campaign.percentOfGoal", { percent: "{percent}" }),
          }
        : {})}
    >
      <p className="progress-count" data-testid="signature-count" data-count={count} aria-live="polite">
        {t("campaign.countOfGoal", { count: "\u0000", goal })
          .split("\u0000")
          .flatMap((part, i) => (i === 0 ? [part] : [<strong key={i}>{countText}</strong>, part]))}
      </p>
      <div
        className="progress-bar"
        role="progressbar"
        aria-label={t("campaign.progressLabel")}
        aria-valuemin={0}
        aria-valuemax={goal}
        aria-valuenow={Math.min(count, goal)}
        aria-valuetext={t("campaign.countOfGoal", { count, goal })}
      >
        {/* inline-size, not width: the fill starts at the inline start, the right edge in RTL. */}
        <span style={{ inlineSize: `${(ratio * 100).toFixed(2)}%` }} />
      </div>
      <p className="progress-percent">{t("campaign.percentOfGoal", { percent: formatPercent(ratio) })}</p>
    </div>
  );
}
