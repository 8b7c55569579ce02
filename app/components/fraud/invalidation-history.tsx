import { DataTable } from "~/components/ui/data-table";
import { PostButton } from "~/components/ui/post-button";
import { useTranslation } from "~/i18n/use-translation";
import type { InvalidationRow } from "~/modules/fraud/campaign-fraud-page.server";

/** Past invalidations of a campaign, each with its criteria and an undo button until undone. */
export function InvalidationHistory({ invalidations }: { invalidations: InvalidationRow[] }) {
  const { t, n } = useTranslation();
  return (
    <section className="panel stack" aria-labelledby="history-heading">
      <h2 id="history-heading">{t("fraud.history")}</h2>
      <DataTable
        columns={[t("fraud.when"), t("fraud.who"), t("fraud.criteria"), t("fraud.total"), t("campaigns.confirmed"), <span className="visually-hidden">{t("fraud.undo")}</span>]}
        rowCount={invalidations.length}
        empty={t("fraud.noInvalidations")}
      >
        {invalidations.map((i) => (
          <tr key={i.id}>
            <td>{i.created_at}</td>
            <td dir="ltr">{i.actor_label}</td>
            <td dir="ltr">
              {Object.entries(i.criteria)
                .filter(([, v]) => v)
                .map(([k, v]) => `${k}: ${v}`)
                .join(" · ")}
              {i.reason ? <div className="muted">{i.reason}</div> : null}
            </td>
            <td>{n(i.signature_count)}</td>
            <td>{n(i.confirmed_count)}</td>
            <td>
              {i.undone_at ? (
                <span className="muted">{t("fraud.undoneAt", { when: i.undone_at })}</span>
              ) : (
                <PostButton fields={{ invalidationId: i.id }} name="intent" value="undo">
                  {t("fraud.undo")}
                </PostButton>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
