import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { translator } from "~/i18n/i18n";
import { rootLocale } from "~/i18n/meta";
import { useTranslation } from "~/i18n/use-translation";
import { requireAdminUser } from "~/modules/admin/admin-session.server";

export const meta: MetaFunction = ({ matches }) => {
  const t = translator(rootLocale(matches));
  return [{ title: `${t("adminConsole.title")} · ${t("site.name")}` }, { name: "robots", content: "noindex" }];
};

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdminUser(request);
  return null;
}

/** The sections of the console, for the nav here and the cards on the home page. */
export const ADMIN_SECTIONS = [
  { to: "/admin/users", label: "adminConsole.users.title", about: "adminConsole.users.about" },
  { to: "/admin/organisations", label: "adminConsole.orgs.title", about: "adminConsole.orgs.about" },
  { to: "/admin/reviews", label: "admin.reviewTitle", about: "adminConsole.reviews.about" },
  { to: "/admin/exports", label: "adminConsole.exports.title", about: "adminConsole.exports.about" },
  { to: "/admin/fraud", label: "adminConsole.fraud.title", about: "adminConsole.fraud.about" },
  { to: "/admin/privacy", label: "adminConsole.privacy.title", about: "adminConsole.privacy.about" },
  { to: "/admin/audit", label: "adminConsole.audit.title", about: "adminConsole.audit.about" },
  { to: "/admin/queues", label: "adminConsole.queues.title", about: "adminConsole.queues.about" },
  { to: "/admin/suppressions", label: "adminConsole.suppressions.title", about: "adminConsole.suppressions.about" },
] as const;

export default function AdminLayout() {
  const { t } = useTranslation();
  return (
    <div className="admin">
      <nav className="admin-nav" aria-label={t("adminConsole.title")}>
        <NavLink to="/admin" end>
          {t("adminConsole.home")}
        </NavLink>
        {ADMIN_SECTIONS.map((s) => (
          <NavLink key={s.to} to={s.to}>
            {t(s.label)}
          </NavLink>
        ))}
      </nav>
      <div className="admin-main">
        <Outlet />
      </div>
    </div>
  );
}
