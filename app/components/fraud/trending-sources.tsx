import { Form, Link } from "@remix-run/react";
import { DataTable } from "~/components/ui/data-table";
import { useTranslation } from "~/i18n/use-translation";
import type { TrendRow } from "~/modules/fraud/campaign-fraud-page.server";

/** The hour windows an admin can look back over. */
const WINDOWS = [1, 6, 24, 72, 168, 720];

type Props = {
  hours: number;
  threshold: number;
  addresses: TrendRow[];
  domains: TrendRow[];
  fastForms: { total: number; confirmed: number };
};

/** Where a campaign's signatures came from in bursts: addresses and domains above the hourly threshold. */
export function TrendingSources({ hours, threshold, addresses, domains, fastForms }: Props) {
  const { t } = useTranslation();
  return (
    <section className="panel stack" aria-labelledby="trending-heading">
      <h2 id="trending-heading">{t("fraud.trending")}</h2>
      <p className="muted">{t("fraud.trendingHelp", { threshold, hours })}</p>
      <Form method="get" className="inline-form">
        <label htmlFor="hours">{t("fraud.window")}</label>
        <select id="hours" name="hours" defaultValue={String(hours)}>
          {WINDOWS.map((h) => (
            <option key={h} value={h}>
              {t("fraud.hours", { hours: h })}
            </option>
          ))}
        </select>
        <button type="submit" className="button secondary">
          {t("fraud.show")}
        </button>
      </Form>
      {addresses.length === 0 && domains.length === 0 ? <p>{t("fraud.nothingTrending")}</p> : null}
      <p data-testid="fast-forms">{t("fraud.fastForms", { total: fastForms.total, confirmed: fastForms.confirmed })}</p>
      {addresses.length > 0 ? <TrendTable rows={addresses} kind="ipRange" caption={t("fraud.trendingAddresses")} /> : null}
      {domains.length > 0 ? <TrendTable rows={domains} kind="emailDomain" caption={t("fraud.trendingDomains")} /> : null}
    </section>
  );
}

/** One kind of source; each row links to the invalidation form filled in with it. */
function TrendTable({ rows, kind, caption }: { rows: TrendRow[]; kind: "ipRange" | "emailDomain"; caption: string }) {
  const { t, n } = useTranslation();
  return (
    <DataTable
      caption={caption}
      columns={[kind === "ipRange" ? t("fraud.address") : t("fraud.domain"), t("fraud.peakPerHour"), t("fraud.total"), t("campaigns.confirmed"), t("fraud.seen"), <span className="visually-hidden">{t("fraud.preview")}</span>]}
      rowCount={rows.length}
    >
      {rows.map((r) => (
        <tr key={r.key}>
          <td dir="ltr">{r.key}</td>
          <td>{n(r.peakPerHour)}</td>
          <td>{n(r.total)}</td>
          <td>{n(r.confirmed)}</td>
          <td>
            {r.first} – {r.last}
          </td>
          <td>
            <Link to={`?${new URLSearchParams({ [kind]: r.key, from: r.since })}#invalidate`}>{t("fraud.previewThis")}</Link>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
