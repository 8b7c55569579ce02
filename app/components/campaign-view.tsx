import { Link } from "@remix-run/react";
import { ContentLanguageNotice } from "~/components/content-language";
import { HeroPicture } from "~/components/hero-picture";
import { ProgressBar } from "~/components/progress-bar";
import { ScriptFonts } from "~/components/script-fonts";
import { ShareLinks } from "~/components/share-links";
import { SignForm, type SignFormProps } from "~/components/sign-form";
import { SignersMap } from "~/components/signers-map";
import { direction } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import type { CampaignPageData } from "~/modules/campaigns/campaign-page.server";

export type CampaignViewProps = Omit<CampaignPageData, "countries"> & {
  /** the list itself, or (the public page) its options as markup made once per language */
  countries: SignFormProps["countries"];
  attribution?: SignFormProps["attribution"];
  formStamp?: string;
  actionData?: SignFormProps["actionData"] & { closed?: boolean };
  /** The organisers' preview: the sign form is shown as it will be, but cannot be sent. */
  preview?: boolean;
};

/** The public campaign page's body; the organisers' preview renders the very same. */
export function CampaignView(props: CampaignViewProps) {
  const { campaign, count, signers, countries, attribution, formStamp, partners, targets, askHistory, defaultLocale, appUrl, hero, host, map, updates, reasons, actionData } = props;
  const preview = props.preview ?? false;
  const { t, locale, href } = useTranslation();
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
        {hero ? <HeroPicture hero={hero} sizes="(min-width: 70rem) 44rem, (min-width: 60rem) calc(100vw - 28rem), 100vw" /> : null}
        <h1 {...contentLang}>{campaign.title}</h1>
        {host ? <HostLine host={host} /> : null}
        {/* On phones the summary gives way to the ask: link previews (WhatsApp…) have shown it already. */}
        <p className="lead" {...contentLang}>
          {campaign.summary}
        </p>
        <h2>{t("campaign.theAsk")}</h2>
        <p className="ask" {...contentLang}>
          {campaign.ask}
        </p>
        <ProgressBar count={count} goal={campaign.goal} liveUrl={preview ? undefined : `/api/v1/campaigns/${campaign.slug}`} />
        {campaign.deadline ? (
          <p className="deadline" data-testid="deadline">
            <strong>{t("campaign.closesOn", { date: campaign.deadline.date })}</strong> · {t("campaign.daysLeft", { days: campaign.deadline.daysLeft })}
          </p>
        ) : null}
        {/* Phones: the form is below the fold; this takes the reader to its first field (no script needed). */}
        {open ? (
          <p className="sign-jump">
            <a className="button full" href="#sign-name">
              {t("campaign.signJump")}
            </a>
          </p>
        ) : null}
        <p className="addressed">
          {t("campaign.addressedTo")}:{" "}
          <strong className="bidi" {...contentLang}>
            {campaign.addressedTo}
          </strong>
        </p>
        {campaign.openSince ? <p className="muted small">{t("campaign.openSince", { date: campaign.openSince })}</p> : null}
        {askHistory.length > 0 ? (
          <details className="ask-history">
            <summary>{t("campaign.versionHistory")}</summary>
            <ol lang={defaultLocale} dir={direction(defaultLocale)}>
              {askHistory.map((v) => (
                <li key={v.version}>
                  <strong>{t("campaign.versionLabel", { version: v.version, date: v.date })}</strong>
                  <p className="bidi">{v.ask}</p>
                  <p className="muted small bidi">
                    {v.addressedTo}
                    {v.targets.length > 0 ? ` — ${v.targets.join("; ")}` : null}
                  </p>
                </li>
              ))}
            </ol>
          </details>
        ) : null}
      </header>
      <aside className="sign" id="sign" aria-labelledby="sign-heading">
        {/* What the page script replaces with the server's answer to a failed submit. */}
        <div className="panel" data-sign-region>
          <h2 id="sign-heading" style={{ marginBlockStart: 0 }}>
            {t("campaign.signHeading")}
          </h2>
          {open ? (
            <SignForm countries={countries} actionData={actionData} attribution={attribution} formStamp={formStamp} disabled={preview} />
          ) : (
            <p className="notice">{t("campaign.closed", { count })}</p>
          )}
        </div>
        <section className="panel" style={{ marginBlockStart: "1rem" }} aria-labelledby="signers-heading">
          <h2 id="signers-heading" style={{ marginBlockStart: 0 }}>
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
      {/* Sharing comes after the form: asking someone to share before they have signed loses both. */}
      <div className="campaign-share">
        {/* No signer is known here: the links carry only the channel. */}
        <ShareLinks campaignUrl={`${appUrl}${href(`/campaigns/${campaign.slug}`)}`} title={campaign.title} />
        <p className="small">
          <Link to={href(`/campaigns/${campaign.slug}/qr`)}>{t("share.qrLink")}</Link>
        </p>
      </div>
      <div className="campaign-argument stack-page">
        {updates.length > 0 ? (
          <section aria-labelledby="updates-heading" data-testid="campaign-updates">
            <h2 id="updates-heading">{t("campaign.updates")}</h2>
            <ol className="campaign-updates" lang={defaultLocale} dir={direction(defaultLocale)}>
              {updates.map((u) => (
                <li key={u.id}>
                  <article className="panel" aria-labelledby={`update-${u.id}`}>
                    <h3 id={`update-${u.id}`} className="bidi">
                      {u.subject}
                    </h3>
                    {u.sentOn ? (
                      <p className="muted small" lang={locale} dir={direction(locale)}>
                        {t("campaign.updateSentOn", { date: u.sentOn })}
                      </p>
                    ) : null}
                    <div className="argument" dangerouslySetInnerHTML={{ __html: u.html }} />
                  </article>
                </li>
              ))}
            </ol>
          </section>
        ) : null}
        <section aria-labelledby="why-heading">
          <h2 id="why-heading">{t("campaign.why")}</h2>
          <div className="argument" {...contentLang} dangerouslySetInnerHTML={{ __html: campaign.argumentHtml }} />
        </section>
        {reasons.length > 0 ? (
          <section aria-labelledby="reasons-heading" data-testid="signer-reasons">
            <h2 id="reasons-heading">{t("campaign.reasons")}</h2>
            <ul className="reasons">
              {reasons.map((r, i) => (
                <li key={i}>
                  <figure>
                    <blockquote className="bidi">{r.comment}</blockquote>
                    <figcaption className="muted small">
                      <span className="bidi">{r.firstName}</span>, {r.country}
                    </figcaption>
                  </figure>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        <SignersMap {...map} />
        {targets.length > 0 ? (
          <section aria-labelledby="responses-heading">
            <h2 id="responses-heading">{t("campaign.responses")}</h2>
            <ul className="stack-tight" style={{ listStyle: "none", padding: 0 }} lang={defaultLocale} dir={direction(defaultLocale)}>
              {targets.map((target) => (
                <li key={target.id} className="panel" data-target-response={target.response ? "responded" : "waiting"}>
                  <strong className="bidi">{target.name}</strong>
                  {target.role || target.country ? <span className="muted"> · {[target.role, target.country].filter(Boolean).join(", ")}</span> : null}
                  {target.response ? (
                    <>
                      <p className="small">{t("campaign.respondedOn", { date: target.response.date })}</p>
                      <p className="bidi">{target.response.summary}</p>
                      {target.response.link ? (
                        <p>
                          <a href={target.response.link} rel="nofollow noopener noreferrer" dir="ltr">
                            {t("campaign.responseLink")}
                          </a>
                        </p>
                      ) : null}
                    </>
                  ) : (
                    <p className="small muted">{t("campaign.notYetResponded")}</p>
                  )}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {partners.length > 0 ? (
          <section aria-labelledby="partners-heading">
            <h2 id="partners-heading">{t("campaign.partners")}</h2>
            <ul className="partners">
              {partners.map((p) => (
                <li key={p.name}>
                  {p.logoUrl ? <img src={p.logoUrl} alt="" width={48} height={48} loading="lazy" /> : null}
                  <span className="bidi">{p.name}</span>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </div>
    </article>
  );
}

/** "Started by <organisation>", with its logo, linking to the organisation's public page. */
function HostLine({ host }: { host: NonNullable<CampaignPageData["host"]> }) {
  const { t, href } = useTranslation();
  return (
    <p className="host" data-testid="host">
      {host.logoUrl ? <img src={host.logoUrl} alt="" width={32} height={32} /> : null}
      <span>
        {t("campaign.startedBy")}{" "}
        <Link to={href(`/organisations/${host.slug}`)} className="bidi">
          {host.name}
        </Link>
      </span>
    </p>
  );
}
