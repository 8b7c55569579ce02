import { Form } from "@remix-run/react";
import { useTranslation } from "~/i18n/use-translation";
import type { InvalidationRow } from "~/modules/fraud/campaign-fraud-page.server";

/** Past invalidations of a campaign, each with its criteria and an undo button until undone. */
export function InvalidationHistory({ invalidations }: { invalidations: InvalidationRow[] }) {
  const { t, n } = useTranslation();
  return (
    <section className="panel stack" aria-labelledby="history-heading">
      <h2 id="history-heading">{t("fraud.history")}</h2>
      {invalidations.length === 0 ? (
        <p>{t("fraud.noInvalidations")}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("fraud.when")}</th>
              <th scope="col">{t("fraud.who")}</th>
              <th scope="col">{t("fraud.criteria")}</th>
              <th scope="col">{t("fraud.total")}</th>
              <th scope="col">{t("campaigns.confirmed")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("fraud.undo")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
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
                    <Form method="post">
                      <input type="hidden" name="invalidationId" value={i.id} />
                      <button type="submit" name="intent" value="undo" className="button secondary">
                        {t("fraud.undo")}
                      </button>
                    </Form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
