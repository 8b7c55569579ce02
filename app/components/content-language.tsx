import { isLocale, type MessageKey } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";

/**
 * Says, in the page's language, that the content below is in another language because there is
 * no current translation ("not yet available in Urdu; showing English").
 */
export function ContentLanguageNotice({ contentLocale, compact = false }: { contentLocale: string; compact?: boolean }) {
  const { t, locale } = useTranslation();
  const name = (l: string) => (isLocale(l) ? t(`language.${l}` as MessageKey) : l);
  return (
    <p className={compact ? "notice compact" : "notice"} data-testid="content-language-notice">
      {t("campaign.fallbackNotice", { language: name(locale), fallback: name(contentLocale) })}
    </p>
  );
}
