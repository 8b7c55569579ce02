import { ContentLanguageNotice } from "~/components/content-language";
import { ProgressBar } from "~/components/progress-bar";
import { ScriptFonts } from "~/components/script-fonts";
import { SignForm, type SignFormProps } from "~/components/sign-form";
import { direction } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";

export interface CampaignViewProps {
  campaign: {
    slug: string;
    title: string;
    summary: string;
    ask: string;
    addressedTo: string;
    contentLocale: string;
    goal: number;
    status: string;
    openSince: string | null;
    argumentHtml: string;
  };
  count: number;
  signers: { firstName: string; country: string }[];
  countries: SignFormProps["countries"];
  attribution?: SignFormProps["attribution"];
  actionData?: SignFormProps["actionData"] & { closed?: boolean };
  /** The organisers' preview: the sign form is shown as it will be, but cannot be sent. */
  preview?: boolean;
}

/** The public campaign page's body; the organisers' preview renders the very same. */
export function CampaignView({ campaign, count, signers, countries, attribution, actionData, preview = false }: CampaignViewProps) {
  const { t, locale } = useTranslation();
  const open = preview || (campaign.status === "published" && !actionData?.closed);
  // Untranslated content says which language it is in, so screen readers switch voice.
  const other = campaign.contentLocale !== locale;
  const contentLang = other ? { lang: campaign.contentLocale, dir: direction(campaign.contentLocale) } : {};
  return (
    <article className="campaign">
      <header className="campaign-intro">
        {other ? (
          <>
            <ContentLanguageNotice contentLocale={campaign.contentLocale} />
            <ScriptFonts locale={campaign.contentLocale} />
          </>
        ) : null}
        <h1 {...contentLang}>{campaign.title}</h1>
        <p className="lead" {...contentLang}>
          {campaign.summary}
        </p>
        <p className="addressed">
          {t("campaign.addressedTo")}:{" "}
          <strong className="bidi" {...contentLang}>
            {campaign.addressedTo}
          </strong>
        </p>
        <h2>{t("campaign.theAsk")}</h2>
        <p className="ask" {...contentLang}>
          {campaign.ask}
        </p>
        <ProgressBar count={count} goal={campaign.goal} liveUrl={preview ? undefined : `/api/v1/campaigns/${campaign.slug}`} />
        {campaign.openSince ? <p className="muted small">{t("campaign.openSince", { date: campaign.openSince })}</p> : null}
      </header>
      <aside className="sign" aria-labelledby="sign-heading">
        <div className="panel">
          <h2 id="sign-heading" className="panel-heading">
            {t("campaign.signHeading")}
          </h2>
          {open ? (
            <SignForm countries={countries} actionData={actionData} attribution={attribution} disabled={preview} />
          ) : (
            <p className="notice">{t("campaign.closed", { count })}</p>
          )}
        </div>
        <section className="panel signers-panel" aria-labelledby="signers-heading">
          <h2 id="signers-heading" className="panel-heading">
            {t("campaign.recentSigners")}
          </h2>
          {signers.length === 0 ? (
            <p className="muted">{t("campaign.noSigners")}</p>
          ) : (
            <ul className="signers">
              {signers.map((s, i) => (
                <li key={i}>
                  <span className="bidi">{s.firstName}</span>
                  <span className="muted">{s.country}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </aside>
      <section className="campaign-argument" aria-labelledby="why-heading">
        <h2 id="why-heading">{t("campaign.why")}</h2>
        <div className="argument" {...contentLang} dangerouslySetInnerHTML={{ __html: campaign.argumentHtml }} />
      </section>
    </article>
  );
}
