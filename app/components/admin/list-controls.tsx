import { Form, Link } from "@remix-run/react";
import { FormAlert } from "~/components/ui/form-field";
import type { MessageKey } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";

/** What an admin list's last form post came to: an error alert, or a notice of what was done. */
export function ActionOutcome({ result }: { result?: { alert?: MessageKey; done?: MessageKey } }) {
  const { t } = useTranslation();
  return (
    <>
      <FormAlert message={result?.alert ? t(result.alert) : undefined} />
      {result?.done ? (
        <p className="notice" role="status">
          {t(result.done)}
        </p>
      ) : null}
    </>
  );
}

/** A GET search box over an admin list; `q` is the search shown now. */
export function SearchForm({ id, label, q }: { id: string; label: string; q: string }) {
  const { t } = useTranslation();
  return (
    <Form method="get" className="inline-form" role="search">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="text" name="q" defaultValue={q} maxLength={200} />
      <button type="submit" className="button secondary">
        {t("adminConsole.search")}
      </button>
    </Form>
  );
}

/** Previous and next page links; `link` makes a page's URL (keeping the list's filters). */
export function Pager({ page, hasMore, link }: { page: number; hasMore: boolean; link: (page: number) => string }) {
  const { t } = useTranslation();
  return (
    <nav className="inline-form" aria-label={t("adminConsole.paging")}>
      {page > 1 ? <Link to={link(page - 1)}>{t("adminConsole.previous")}</Link> : null}
      {hasMore ? <Link to={link(page + 1)}>{t("adminConsole.next")}</Link> : null}
    </nav>
  );
}
