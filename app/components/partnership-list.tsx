import { Form } from "@remix-run/react";
import type { PartnerStatus } from "~/db/schema";
import { useTranslation } from "~/i18n/use-translation";

export interface PartnershipRow {
  id: number;
  status: PartnerStatus;
  role: string;
  partnerName: string;
  campaignSlug: string;
  campaignTitle: string;
  hostName: string | null;
  shareLink: string | null;
}

/** Campaigns the user's organisations were invited to join, or have joined, as partners. */
export function PartnershipList({ partnerships }: { partnerships: PartnershipRow[] }) {
  const { t } = useTranslation();
  if (partnerships.length === 0) return null;
  return (
    <section className="panel stack-tight" aria-labelledby="partnerships-heading">
      <h2 id="partnerships-heading">{t("partners.dashboardTitle")}</h2>
      <ul className="stack-page" style={{ listStyle: "none", padding: 0 }}>
        {partnerships.map((p) => (
          <li key={p.id} className="stack-tight" data-partnership={p.id}>
            {p.status === "invited" ? (
              <>
                <span className="bidi">{t("partners.invitationFrom", { host: p.hostName ?? "Banner", partner: p.partnerName, title: p.campaignTitle })}</span>
                {p.role === "owner" ? (
                  <Form method="post" className="inline-form">
                    <input type="hidden" name="partnerId" value={p.id} />
                    <button type="submit" name="decision" value="accept" className="button">
                      {t("partners.accept")}
                    </button>
                    <button type="submit" name="decision" value="decline" className="button secondary">
                      {t("partners.decline")}
                    </button>
                  </Form>
                ) : (
                  <span className="muted small">{t("partners.ownersAnswer", { partner: p.partnerName })}</span>
                )}
              </>
            ) : (
              <>
                <span className="bidi">{t("partners.partnerOf", { partner: p.partnerName, title: p.campaignTitle })}</span>
                {p.shareLink ? (
                  <label className="field">
                    <span>{t("partners.shareLink")}</span>
                    <input type="text" readOnly value={p.shareLink} dir="ltr" />
                  </label>
                ) : null}
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
