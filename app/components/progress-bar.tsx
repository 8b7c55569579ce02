import { useTranslation } from "~/i18n/use-translation";

export function ProgressBar({ count, goal }: { count: number; goal: number }) {
  const { t, n } = useTranslation();
  const percent = goal > 0 ? Math.min(100, (count / goal) * 100) : 0;
  const [countText, goalText] = [n(count), n(goal)];
  return (
    <div className="progress">
      <p className="progress-count" data-testid="signature-count" data-count={count}>
        {t("campaign.countOfGoal", { count: "\u0000", goal: goalText })
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
        aria-valuetext={t("campaign.countOfGoal", { count: countText, goal: goalText })}
      >
        <span style={{ inlineSize: `${percent.toFixed(2)}%` }} />
      </div>
    </div>
  );
}
