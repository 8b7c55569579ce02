import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { DailyChart } from "~/components/daily-chart";
import { WorldMap } from "~/components/world-map/world-map";
import { countryName } from "~/i18n/countries";
import { formatDate, formatDayMonth, type MessageKey } from "~/i18n/i18n";
import { localeFor } from "~/i18n/locale.server";
import { useTranslation } from "~/i18n/use-translation";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { getCampaignStats } from "~/modules/stats/campaign-stats.server";
import { RECRUITER_BUCKETS } from "~/modules/stats/recruiters";
import { SERIES_MAX_DAYS } from "~/modules/stats/daily-series";
import { getDb } from "~/services.server";
import { throwPageError } from "~/utils/error-answers.server";
import { NO_STORE, routeId } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.campaign.title ?? "Campaign"} · Banner` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const locale = localeFor(request);
  const stats = await getCampaignStats(getDb(), user, routeId(params.id)).catch(throwPageError);
  const busiest = stats.daysWithConfirmations.reduce<(typeof stats.daysWithConfirmations)[number] | undefined>(
    (best, d) => (!best || d.confirmed > best.confirmed ? d : best),
    undefined,
  );
  // Dates and country names are worded here, once: browsers' ICU data differs from Node's.
  return data(
    {
      ...stats,
      series: stats.series.map((d) => ({ ...d, label: formatDayMonth(locale, d.day) })),
      daysWithConfirmations: stats.daysWithConfirmations.map((d) => ({ ...d, label: formatDate(locale, d.day) })),
      byCountry: stats.byCountry.map((c) => ({ ...c, name: countryName(c.country, locale) })),
      busiest: busiest ? { label: formatDate(locale, busiest.day), confirmed: busiest.confirmed } : null,
      range: stats.series.length ? { from: formatDate(locale, stats.series[0]!.day), to: formatDate(locale, stats.series.at(-1)!.day) } : null,
      // The chart starts later than the first confirmation: say so (the table has every day).
      truncated: stats.series.length > 0 && stats.daysWithConfirmations[0]!.day < stats.series[0]!.day,
    },
    { headers: { "Cache-Control": NO_STORE } },
  );
}

/** Brand names stay as they are in every language; the rest are translated. */
const CHANNEL_NAMES: Record<string, string> = { whatsapp: "WhatsApp", telegram: "Telegram", x: "X", facebook: "Facebook" };
const CHANNEL_KEYS: Record<string, MessageKey> = { email: "stats.channel.email", copy: "stats.channel.copy" };

type CountRow = { key: string; data?: Record<`data-${string}`, string>; label: string; labelClass?: string; count: string };

/** A two-column table: what was counted, and how many. */
function CountTable({ testId, what, howMany, rows }: { testId: string; what: string; howMany: string; rows: CountRow[] }) {
  return (
    <table data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{what}</th>
          <th scope="col" className="num">
            {howMany}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key} {...row.data}>
            <td className={row.labelClass}>{row.label}</td>
            <td className="num">{row.count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function CampaignStats() {
  const stats = useLoaderData<typeof loader>();
  const { t, n } = useTranslation();
  const channelName = (channel: string | null) =>
    channel === null ? t("stats.channel.unknown") : (CHANNEL_NAMES[channel] ?? (CHANNEL_KEYS[channel] ? t(CHANNEL_KEYS[channel]) : channel));
  const confirmedInWindow = stats.series.reduce((sum, d) => sum + d.confirmed, 0);
  return (
    <div className="stack-page">
      <p>
        <Link to={`/dashboard/campaigns/${stats.campaign.id}`}>{t("stats.back")}</Link>
      </p>
      <h1>{t("stats.heading", { title: stats.campaign.title })}</h1>
      <dl className="stat-tiles">
        <div className="panel">
          <dt>{t("stats.confirmed")}</dt>
          <dd data-testid="stats-confirmed">{n(stats.confirmed)}</dd>
        </div>
        <div className="panel">
          <dt>{t("stats.pending")}</dt>
          <dd data-testid="stats-pending">{n(stats.pending)}</dd>
        </div>
      </dl>

      <section className="panel" aria-labelledby="per-day">
        <h2 id="per-day">{t("stats.perDay")}</h2>
        {stats.series.length && stats.range && stats.busiest ? (
          <>
            <DailyChart
              days={stats.series}
              title={t("stats.perDay")}
              description={t("stats.perDay.desc", { total: confirmedInWindow, from: stats.range.from, to: stats.range.to, busiest: stats.busiest.label, most: stats.busiest.confirmed })}
            />
            {stats.truncated ? <p className="muted small">{t("stats.perDay.window", { days: SERIES_MAX_DAYS })}</p> : null}
            <details>
              <summary>{t("stats.perDay.table")}</summary>
              <CountTable
                testId="stats-days"
                what={t("stats.day")}
                howMany={t("stats.count")}
                rows={stats.daysWithConfirmations.map((d) => ({ key: d.day, data: { "data-day": d.day }, label: d.label, count: n(d.confirmed) }))}
              />
            </details>
          </>
        ) : (
          <p className="muted">{t("stats.perDay.none")}</p>
        )}
      </section>

      <section className="panel" aria-labelledby="by-country">
        <h2 id="by-country">{t("stats.byCountry")}</h2>
        <div className="map-and-table">
          <WorldMap countries={stats.byCountry} label={t("stats.map.label")} />
          <CountTable
            testId="stats-countries"
            what={t("stats.country")}
            howMany={t("stats.count")}
            rows={stats.byCountry.map((c) => ({ key: c.country, data: { "data-country": c.country }, label: c.name, count: n(c.confirmed) }))}
          />
        </div>
      </section>

      <section className="panel" aria-labelledby="by-partner">
        <h2 id="by-partner">{t("stats.byPartner")}</h2>
        <CountTable
          testId="stats-partners"
          what={t("stats.partner")}
          howMany={t("stats.count")}
          rows={stats.byPartner.map((p) => ({ key: p.name ?? "", label: p.name ?? t("stats.partner.none"), labelClass: "bidi", count: n(p.confirmed) }))}
        />
      </section>

      <section className="panel" aria-labelledby="by-share">
        <h2 id="by-share">{t("stats.byChannel")}</h2>
        {stats.byChannel.length === 0 ? (
          <p className="muted">{t("stats.shareLinks.none")}</p>
        ) : (
          <>
            <CountTable
              testId="stats-channels"
              what={t("stats.channel")}
              howMany={t("stats.count")}
              rows={stats.byChannel.map((c) => ({ key: c.channel ?? "", data: { "data-channel": c.channel ?? "" }, label: channelName(c.channel), count: n(c.confirmed) }))}
            />
            <h3>{t("stats.recruiters")}</h3>
            <CountTable
              testId="stats-recruiters"
              what={t("stats.recruiters.size")}
              howMany={t("stats.recruiters.people")}
              rows={RECRUITER_BUCKETS.map((b) => ({ key: b, data: { "data-bucket": b }, label: t(`stats.bucket.${b}`), count: n(stats.recruiters.buckets[b]) }))}
            />
            <p className="muted small">{t("stats.recruiters.note")}</p>
          </>
        )}
      </section>
    </div>
  );
}
