import type { Database } from "~/db/db.server";
import { DEFAULT_LOCALE, isLocale, translator } from "~/i18n/i18n";
import { sendOnce, type SendOnceOutcome } from "~/mail/sent-log.server";
import { linkEmail } from "~/mail/templates/link-email";
import type { Mailer } from "~/mail/transport.server";
import { ERASURE_LINK_TTL_HOURS, issueErasureLink } from "./self-service-erasure.server";

/** The worker's half of a self-service erasure request: the confirmation link, sent once. */
export async function sendErasureLink(deps: { db: Database; mailer: Mailer; appUrl: string }, job: { requestId: number; outboxId: number }): Promise<SendOnceOutcome> {
  const kind = "privacy.erasure-link";
  return sendOnce(deps, { dedupeKey: `${kind}:${job.requestId}:${job.outboxId}`, kind }, async () => {
    const link = await issueErasureLink(deps.db, job.requestId);
    if (!link) return undefined;
    const locale = isLocale(link.locale) ? link.locale : DEFAULT_LOCALE;
    const t = translator(locale);
    // Like /verify, the link page has no language prefix: `?lang=` opens it in the email's language.
    const lang = locale === DEFAULT_LOCALE ? "" : `?lang=${locale}`;
    return linkEmail({
      to: link.email,
      locale,
      subject: t("email.erasure.subject"),
      paragraphs: [t("email.erasure.body"), t("email.erasure.expires", { hours: ERASURE_LINK_TTL_HOURS })],
      link: { url: `${deps.appUrl}/privacy/erase/${link.token}${lang}`, label: t("email.erasure.button") },
      footer: t("email.erasure.footer"),
    });
  });
}
