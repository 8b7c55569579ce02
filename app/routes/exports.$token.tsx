import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { MessageKey } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { getExportStatus } from "~/modules/exports/download-export.server";
import { getDb } from "~/services.server";
import { linkAnswer } from "~/utils/error-answers.server";

const REFRESH_SECONDS = 3;

// While the worker writes the file, the page reloads itself (no JavaScript needed).
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: "Export · Banner" },
  { name: "robots", content: "noindex" },
  ...(data?.state === "working" ? [{ httpEquiv: "refresh", content: String(REFRESH_SECONDS) } as const] : []),
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const token = params.token ?? "";
  const headers = { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" };
  try {
    const view = await getExportStatus(getDb(), user, token);
    const state = view.status === "done" ? "ready" : view.status === "failed" ? "failed" : "working";
    return data(
      {
        state,
        token,
        kind: view.kind,
        status: view.status,
        rowsDone: view.rowsDone,
        rowsExpected: view.rowsExpected,
        fileName: view.fileName,
        expiresAt: view.expiresAt.toISOString(),
        campaign: view.campaign,
        deliveryBundleId: view.deliveryBundleId,
      } as const,
      { headers },
    );
  } catch (error) {
    const { view, status } = linkAnswer(error);
    if (view === "expired") return data({ state: "expired" } as const, { status, headers });
    return data({ state: "unknown" } as const, { status, headers });
  }
}

export default function ExportProgress() {
  const view = useLoaderData<typeof loader>();
  const { t, date } = useTranslation();
  if (view.state === "unknown" || view.state === "expired") {
    return (
      <section className="panel">
        <h1>{t("exports.job.title")}</h1>
        <p role="alert">{t(view.state === "unknown" ? "exports.job.unknown" : "exports.job.expired")}</p>
        <p>
          <Link to="/dashboard">{t("exports.job.dashboard")}</Link>
        </p>
      </section>
    );
  }
  const total = Math.max(view.rowsExpected, view.rowsDone, 1);
  const done = view.state === "ready" ? total : Math.min(view.rowsDone, total);
  return (
    <section className="panel stack" aria-labelledby="export-title">
      <h1 id="export-title">{t("exports.job.title")}</h1>
      <p>
        <span className="bidi">{view.campaign.title}</span> · {t(`exports.kind.${view.kind}` as MessageKey)} ·{" "}
        <strong data-testid="export-status">{t(`exports.status.${view.status}` as MessageKey)}</strong>
      </p>
      <div
        className="progress-bar"
        role="progressbar"
        aria-label={t("exports.job.progressLabel")}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
      >
        <span style={{ inlineSize: `${((done / total) * 100).toFixed(1)}%` }} />
      </div>
      {view.state === "working" ? (
        <>
          <p aria-live="polite">{t("exports.job.progress", { done: view.rowsDone, total: view.rowsExpected })}</p>
          <p className="muted">
            {t("exports.job.autoRefresh")} <a href={`/exports/${view.token}`}>{t("exports.job.reload")}</a>
          </p>
          <p className="notice">{t("exports.job.keepLink")}</p>
        </>
      ) : null}
      {view.state === "ready" ? (
        <>
          <p role="status">{t("exports.job.ready", { count: view.rowsDone, date: date(view.expiresAt) })}</p>
          <p className="inline-form">
            <a className="button" href={`/exports/${view.token}/file`} download={view.fileName} data-testid="export-download">
              {t("exports.job.downloadCsv")}
            </a>
            {view.kind === "delivery" ? (
              <a className="button secondary" href={`/exports/${view.token}/manifest`} download>
                {t("exports.job.downloadManifest")}
              </a>
            ) : null}
          </p>
          {view.deliveryBundleId ? (
            <p>
              <Link to={`/campaigns/${view.campaign.slug}/deliveries/${view.deliveryBundleId}`}>{t("exports.delivery.public")}</Link>
            </p>
          ) : null}
        </>
      ) : null}
      {view.state === "failed" ? <p role="alert">{t("exports.job.failed")}</p> : null}
      <p>
        <Link to={`/dashboard/campaigns/${view.campaign.id}/exports`}>{t("exports.job.back")}</Link>
      </p>
    </section>
  );
}
