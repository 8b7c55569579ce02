import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { ContentLanguageNotice } from "~/components/content-language";
import { ProgressBar } from "~/components/progress-bar";
import { direction } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";

export type CampaignCardSummary = { slug: string; title: string; summary: string; contentLocale: string; goal: number; signatureCount: number };

/**
 * Public campaigns as cards: title, summary and progress, in the campaign's own language (marked
 * as such) when it has none in the reader's. Used by every public list of campaigns, so they read
 * and link alike. `Heading` is the card title's level under the page's outline; `footer` adds a
 * line under each card (the home page's "read and sign").
 */
export function CampaignCards({ campaigns, Heading, footer }: { campaigns: CampaignCardSummary[]; Heading: "h2" | "h3"; footer?: (href: string) => ReactNode }) {
  const { locale, href } = useTranslation();
  return (
    <ul className="campaign-list">
      {campaigns.map((c) => {
        const other = c.contentLocale !== locale;
        const link = href(`/campaigns/${c.slug}`);
        return (
          <li key={c.slug}>
            <article className="card">
              {other ? <ContentLanguageNotice contentLocale={c.contentLocale} compact /> : null}
              <div className="stack-tight" lang={other ? c.contentLocale : undefined} dir={other ? direction(c.contentLocale) : undefined}>
                <Heading>
                  <Link to={link}>{c.title}</Link>
                </Heading>
                <p className="muted">{c.summary}</p>
              </div>
              <ProgressBar count={c.signatureCount} goal={c.goal} />
              {footer?.(link)}
            </article>
          </li>
        );
      })}
    </ul>
  );
}
