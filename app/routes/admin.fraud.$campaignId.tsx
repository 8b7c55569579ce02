import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { FormAlert, FormField } from "~/components/ui/form-field";
import { formatDateTime, translator, type MessageKey } from "~/i18n/i18n";
import { localeFor } from "~/i18n/locale.server";
import { rootLocale } from "~/i18n/meta";
import { useTranslation } from "~/i18n/use-translation";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { INVALIDATION_FIELDS } from "~/modules/fraud/fraud.fields";
import { invalidationCriteriaSchema, invalidationNoteSchema, trendWindowSchema } from "~/modules/fraud/fraud.schema";
import { applyInvalidation, listInvalidations, previewInvalidation, undoInvalidation, type InvalidationPreview } from "~/modules/fraud/invalidations.server";
import { trendingSources, type Trend } from "~/modules/fraud/trends.server";
import { getDb } from "~/services.server";
import { env } from "~/utils/env.server";
import { isAppError } from "~/utils/errors.server";
import { parseForm, readForm, type FieldErrors } from "~/utils/forms.server";
import { throwPageError } from "~/utils/error-answers.server";
import { routeId } from "~/utils/http.server";

export const meta: MetaFunction = ({ matches }) => [{ title: `${translator(rootLocale(matches))("fraud.title")} · Banner` }];

const noStore = { "Cache-Control": "no-store" };

export async function loader({ params, request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const campaignId = routeId(params.campaignId);
  const hours = trendWindowSchema.parse(new URL(request.url).searchParams.get("hours") ?? undefined);
  const threshold = env().FRAUD_TREND_PER_HOUR;
  const locale = localeFor(request);
  try {
    const db = getDb();
    const { campaign, addresses, domains, fastForms } = await trendingSources(db, user, campaignId, { hours, threshold });
    const invalidations = await listInvalidations(db, user, campaignId);
    // Formatted here: the browser's ICU may word a date differently from Node's.
    const trend = (t: Trend) => ({ ...t, first: formatDateTime(locale, t.first), last: formatDateTime(locale, t.last), since: t.first.toISOString().slice(0, 16) });
    return data(
      {
        campaign,
        hours,
        threshold,
        addresses: addresses.map(trend),
        domains: domains.map(trend),
        fastForms,
        invalidations: invalidations.map((i) => ({
          ...i,
          criteria: i.criteria as Record<string, string | null>,
          created_at: formatDateTime(locale, i.created_at),
          undone_at: i.undone_at ? formatDateTime(locale, i.undone_at) : null,
        })),
      },
      { headers: noStore },
    );
  } catch (error) {
    throwPageError(error);
  }
}

type ActionData =
  | { kind: "preview"; errors: FieldErrors; values: Record<string, string>; preview?: InvalidationPreview; alert?: MessageKey }
  | { kind: "applied"; result: InvalidationPreview }
  | { kind: "undone"; result: InvalidationPreview }
  | { kind: "alert"; alert: MessageKey };

const expectedSchema = z.object({ signatures: z.coerce.number().int().min(0), confirmed: z.coerce.number().int().min(0) });

export async function action({ params, request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const campaignId = routeId(params.campaignId);
  const form = await readForm(request);
  const intent = form.get("intent");
  const db = getDb();
  try {
    if (intent === "undo") {
      const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).safeParse(form.get("invalidationId"));
      if (!id.success) return data<ActionData>({ kind: "alert", alert: "errorPage.body" }, { status: 400, headers: noStore });
      const result = await undoInvalidation(db, user, campaignId, id.data);
      return data<ActionData>({ kind: "undone", result }, { headers: noStore });
    }
    if (intent !== "preview" && intent !== "apply") return data<ActionData>({ kind: "alert", alert: "errorPage.body" }, { status: 400, headers: noStore });

    const parsed = parseForm(invalidationCriteriaSchema, form, INVALIDATION_FIELDS);
    const note = invalidationNoteSchema.safeParse(form.get("note") ?? undefined);
    const values = { ...(parsed.ok ? rawValues(form) : parsed.values), note: String(form.get("note") ?? "").slice(0, 500) };
    if (!parsed.ok || !note.success) {
      const errors = parsed.ok ? {} : parsed.errors;
      if (!note.success) errors.note = "fraud.error.reason";
      return data<ActionData>({ kind: "preview", errors, values }, { status: 400, headers: noStore });
    }
    if (intent === "preview") {
      const preview = await previewInvalidation(db, user, campaignId, parsed.data);
      return data<ActionData>({ kind: "preview", errors: {}, values, preview }, { headers: noStore });
    }
    const expected = expectedSchema.safeParse({ signatures: form.get("expectedSignatures"), confirmed: form.get("expectedConfirmed") });
    if (!expected.success) return data<ActionData>({ kind: "alert", alert: "errorPage.body" }, { status: 400, headers: noStore });
    try {
      const result = await applyInvalidation(db, user, campaignId, { criteria: parsed.data, expected: expected.data, note: note.data });
      return data<ActionData>({ kind: "applied", result }, { headers: noStore });
    } catch (error) {
      // Signatures arrived or changed since the preview: show the new numbers, apply nothing.
      if (isAppError(error, "PREVIEW_OUTDATED")) {
        const preview = error.details?.preview as InvalidationPreview;
        return data<ActionData>({ kind: "preview", errors: {}, values, preview, alert: "fraud.changed" }, { status: 409, headers: noStore });
      }
      if (isAppError(error, "INVALID_INPUT")) return data<ActionData>({ kind: "alert", alert: "fraud.nothing" }, { status: 400, headers: noStore });
      throw error;
    }
  } catch (error) {
    if (isAppError(error, "ALREADY_UNDONE")) return data<ActionData>({ kind: "alert", alert: "fraud.alreadyUndone" }, { status: 409, headers: noStore });
    throwPageError(error);
  }
}

function rawValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of INVALIDATION_FIELDS) {
    const value = form.get(field);
    if (typeof value === "string") values[field] = value.slice(0, 100);
  }
  return values;
}

function TrendTable({ rows, kind, caption }: { rows: ReturnType<typeof useLoaderData<typeof loader>>["addresses"]; kind: "ipRange" | "emailDomain"; caption: string }) {
  const { t, n } = useTranslation();
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{kind === "ipRange" ? t("fraud.address") : t("fraud.domain")}</th>
          <th scope="col">{t("fraud.peakPerHour")}</th>
          <th scope="col">{t("fraud.total")}</th>
          <th scope="col">{t("campaigns.confirmed")}</th>
          <th scope="col">{t("fraud.seen")}</th>
          <th scope="col">
            <span className="visually-hidden">{t("fraud.preview")}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <td dir="ltr">{r.key}</td>
            <td>{n(r.peakPerHour)}</td>
            <td>{n(r.total)}</td>
            <td>{n(r.confirmed)}</td>
            <td>
              {r.first} – {r.last}
            </td>
            <td>
              <Link to={`?${new URLSearchParams({ [kind]: r.key, from: r.since })}#invalidate`}>{t("fraud.previewThis")}</Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function FraudCampaign() {
  const { campaign, hours, threshold, addresses, domains, fastForms, invalidations } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [search] = useSearchParams();
  const { t, n } = useTranslation();
  const preview = result?.kind === "preview" ? result : undefined;
  // A trend's link fills the form in through the query string.
  const values = preview?.values ?? Object.fromEntries(INVALIDATION_FIELDS.map((f) => [f, search.get(f) ?? ""]));
  const errors = preview?.errors ?? {};
  const formKey = JSON.stringify(values);

  return (
    <div className="stack-page">
      <p>
        <Link to="/admin/fraud">{t("fraud.title")}</Link>
      </p>
      <h1>{t("fraud.campaignTitle", { title: campaign.title })}</h1>
      {result?.kind === "alert" ? <FormAlert message={t(result.alert)} /> : null}
      {preview?.alert ? <FormAlert message={t(preview.alert)} /> : null}
      {result?.kind === "applied" ? (
        <p className="notice" role="status">
          {t("fraud.applied", { count: result.result.signatures, confirmed: result.result.confirmed })}
        </p>
      ) : null}
      {result?.kind === "undone" ? (
        <p className="notice" role="status">
          {t("fraud.undone", { count: result.result.signatures, confirmed: result.result.confirmed })}
        </p>
      ) : null}

      <section className="panel stack" aria-labelledby="trending-heading">
        <h2 id="trending-heading">{t("fraud.trending")}</h2>
        <p className="muted">{t("fraud.trendingHelp", { threshold, hours })}</p>
        <Form method="get" className="inline-form">
          <label htmlFor="hours">{t("fraud.window")}</label>
          <select id="hours" name="hours" defaultValue={String(hours)}>
            {[1, 6, 24, 72, 168, 720].map((h) => (
              <option key={h} value={h}>
                {t("fraud.hours", { hours: h })}
              </option>
            ))}
          </select>
          <button type="submit" className="button secondary">
            {t("fraud.show")}
          </button>
        </Form>
        {addresses.length === 0 && domains.length === 0 ? <p>{t("fraud.nothingTrending")}</p> : null}
        <p data-testid="fast-forms">{t("fraud.fastForms", { total: fastForms.total, confirmed: fastForms.confirmed })}</p>
        {addresses.length > 0 ? <TrendTable rows={addresses} kind="ipRange" caption={t("fraud.trendingAddresses")} /> : null}
        {domains.length > 0 ? <TrendTable rows={domains} kind="emailDomain" caption={t("fraud.trendingDomains")} /> : null}
      </section>

      <section className="panel stack" id="invalidate" aria-labelledby="invalidate-heading">
        <h2 id="invalidate-heading">{t("fraud.invalidate")}</h2>
        <p className="muted">{t("fraud.invalidateHelp")}</p>
        <Form method="post" className="stack" key={formKey}>
          <FormField name="ipRange" dir="ltr" label={t("fraud.ipRange")} hint={t("fraud.ipRangeHint")} defaultValue={values.ipRange} error={errors.ipRange} maxLength={50} />
          <FormField name="emailDomain" dir="ltr" label={t("fraud.emailDomain")} hint={t("fraud.emailDomainHint")} defaultValue={values.emailDomain} error={errors.emailDomain} maxLength={253} />
          <FormField name="from" type="datetime-local" label={t("fraud.from")} defaultValue={values.from} error={errors.from} />
          <FormField name="to" type="datetime-local" label={t("fraud.to")} defaultValue={values.to} error={errors.to} />
          <FormField name="note" label={t("fraud.note")} defaultValue={preview?.values.note} error={errors.note} maxLength={500} params={{ max: 500 }} />
          <button type="submit" name="intent" value="preview" className="button secondary">
            {t("fraud.preview")}
          </button>
        </Form>
        {preview?.preview ? (
          <div className="notice stack" role="status">
            <p>{t("fraud.previewResult", { count: preview.preview.signatures, confirmed: preview.preview.confirmed })}</p>
            {preview.preview.signatures > 0 ? (
              <Form method="post">
                {INVALIDATION_FIELDS.map((f) => (
                  <input key={f} type="hidden" name={f} value={preview.values[f] ?? ""} />
                ))}
                <input type="hidden" name="note" value={preview.values.note ?? ""} />
                <input type="hidden" name="expectedSignatures" value={preview.preview.signatures} />
                <input type="hidden" name="expectedConfirmed" value={preview.preview.confirmed} />
                <button type="submit" name="intent" value="apply" className="button danger">
                  {t("fraud.apply", { count: preview.preview.signatures })}
                </button>
              </Form>
            ) : null}
          </div>
        ) : null}
      </section>

      <section className="panel stack" aria-labelledby="history-heading">
        <h2 id="history-heading">{t("fraud.history")}</h2>
        {invalidations.length === 0 ? (
          <p>{t("fraud.noInvalidations")}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t("fraud.when")}</th>
                <th scope="col">{t("fraud.who")}</th>
                <th scope="col">{t("fraud.criteria")}</th>
                <th scope="col">{t("fraud.total")}</th>
                <th scope="col">{t("campaigns.confirmed")}</th>
                <th scope="col">
                  <span className="visually-hidden">{t("fraud.undo")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {invalidations.map((i) => (
                <tr key={i.id}>
                  <td>{i.created_at}</td>
                  <td dir="ltr">{i.actor_label}</td>
                  <td dir="ltr">
                    {Object.entries(i.criteria)
                      .filter(([, v]) => v)
                      .map(([k, v]) => `${k}: ${v}`)
                      .join(" · ")}
                    {i.reason ? <div className="muted">{i.reason}</div> : null}
                  </td>
                  <td>{n(i.signature_count)}</td>
                  <td>{n(i.confirmed_count)}</td>
                  <td>
                    {i.undone_at ? (
                      <span className="muted">{t("fraud.undoneAt", { when: i.undone_at })}</span>
                    ) : (
                      <Form method="post">
                        <input type="hidden" name="invalidationId" value={i.id} />
                        <button type="submit" name="intent" value="undo" className="button secondary">
                          {t("fraud.undo")}
                        </button>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
