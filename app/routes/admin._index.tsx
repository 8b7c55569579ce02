import { Link } from "@remix-run/react";
import { useTranslation } from "~/i18n/use-translation";
import { ADMIN_SECTIONS } from "./admin";

export default function AdminHome() {
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("adminConsole.title")}</h1>
      <ul className="campaign-list">
        {ADMIN_SECTIONS.map((s) => (
          <li key={s.to}>
            <article className="card">
              <h2>
                <Link to={s.to}>{t(s.label)}</Link>
              </h2>
              <p className="muted">{t(s.about)}</p>
            </article>
          </li>
        ))}
      </ul>
    </>
  );
}
