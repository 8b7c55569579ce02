import { data, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ShareLinks } from "~/components/share-links";
import { translator } from "~/i18n/i18n";
import { localeFor } from "~/i18n/locale.server";
import { rootLocale } from "~/i18n/meta";
import { useTranslation } from "~/i18n/use-translation";
import type { ReactNode } from "react";
import { describeVerification } from "~/modules/signatures/confirm-signature.server";
import { confirmSignatureFromLink, limitLinkAttempt } from "~/modules/signatures/confirm-from-link.server";
import { RATE_LIMIT_BUDGET_MS } from "~/modules/fraud/rate-limits.server";
import { disownSignature } from "~/modules/signatures/disown-signature.server";
import { getDb, getReadyRedis } from "~/services.server";
import { env } from "~/utils/env.server";
import { linkAnswer } from "~/utils/error-answers.server";
import { postedLinkForm, rethrowPosted } from "~/utils/http.server";
import type { RouteHandle } from "~/root";

/** A public page signers open on their phones (most from an email): server HTML and the public pages' small script, no React (ADR 0014). */
export const handle: RouteHandle = { hydrate: false };

export const meta: MetaFunction = ({ matches }) => {
  const t = translator(rootLocale(matches));
  return [{ title: `${t("verify.title")} · ${t("site.name")}` }, { name: "robots", content: "noindex" }];
};

type View =
  | { view: "confirm"; title: string; slug: string }
  | { view: "not-me"; title: string; slug: string }
  | { view: "confirmed"; title: string; slug: string; already: boolean; referralCode: string | null; appUrl: string; confirmedCount: number }
  | { view: "disowned" | "not-me-confirmed"; title: string; slug: string }
  | { view: "invalid" }
  | { view: "rate-limited"; minutes: number }
  | { view: "expired" | "closed"; title?: string; slug?: string };

// "same-origin", not "no-referrer": the token still never leaks to other sites, but under
// "no-referrer" Chromium sends `Origin: null` with the confirm form's POST, Remix's CSRF check
// rejects it, and confirming without JavaScript ends in a 500.
const noStore = { "Cache-Control": "no-store", "Referrer-Policy": "same-origin" };
// The URL holds a secret: never cache the page, never leak it in a Referer. (Without this export
// Remix drops the headers the loader and action set.)
// The page's language comes from `?lang=` (the email's language), the cookie or Accept-Language,
// but the page is never cached, so it needs no Vary.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { ...noStore, "Retry-After": retryAfter } : noStore;
};
// An explicit 200: otherwise the loader that revalidates after the action (which, after "not me",
// no longer finds the signature) sets the status of the page the action rendered.
const ok = { status: 200, headers: noStore };

/** Domain errors become a clear page with the matching status, never a 500. */
function errorView(error: unknown) {
  const answer = linkAnswer(error);
  const campaign = answer.error.details as { title?: string; slug?: string } | undefined;
  const view: View = answer.view === "invalid" ? { view: "invalid" } : { view: answer.view, ...campaign };
  return data<View>(view, { status: answer.status, headers: noStore });
}

// GET only reads: mail scanners that open the link confirm nothing.
export async function loader({ params, request }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const notMe = new URL(request.url).searchParams.has("not-me");
  const locale = localeFor(request);
  try {
    if (notMe) {
      const result = await disownSignature(getDb(), token, { dryRun: true, locale });
      const view: View =
        result.outcome === "pending"
          ? { view: "not-me", ...result.campaign }
          : { view: result.outcome === "disowned" ? "disowned" : "not-me-confirmed", ...result.campaign };
      return data<View>(view, { headers: noStore });
    }
    const state = await describeVerification(getDb(), token, { locale });
    const view: View =
      state.state === "pending"
        ? { view: "confirm", ...state.campaign }
        : { view: "confirmed", already: true, referralCode: state.referralCode, appUrl: env().APP_URL, confirmedCount: state.confirmedCount ?? 0, ...state.campaign };
    return data<View>(view, { headers: noStore });
  } catch (error) {
    return errorView(error);
  }
}

/** The `intent` the form sent (the confirm button's, when there is none or the body is unreadable). */
async function readIntent(request: Request): Promise<string> {
  try {
    return String((await request.formData()).get("intent") ?? "confirm");
  } catch {
    return "confirm";
  }
}

function rateLimitedView({ retryAfterSeconds }: { retryAfterSeconds: number }) {
  return data<View>(
    { view: "rate-limited", minutes: Math.ceil(retryAfterSeconds / 60) },
    { status: 429, headers: { ...noStore, "Retry-After": String(retryAfterSeconds) } },
  );
}

export async function action({ params, request, context }: ActionFunctionArgs) {
  const token = params.token ?? "";
  const locale = localeFor(request);
  const redis = () => getReadyRedis(RATE_LIMIT_BUDGET_MS);
  try {
    // A plain POST of the form was taken by the web server's fast path (server/verify-form-post.ts),
    // which read the body and, for the confirm button, confirmed already: render what it reached.
    const posted = postedLinkForm(context);
    const intent = posted ? posted.intent : await readIntent(request);
    if (intent !== "confirm") {
      // Attempts per link are limited whatever they ask for.
      const limited = await limitLinkAttempt(redis, token);
      if (limited) return rateLimitedView(limited);
      if (intent !== "not-me") return data<View>({ view: "invalid" }, { status: 400, headers: noStore });
      const result = await disownSignature(getDb(), token, { locale });
      return data<View>({ view: result.outcome === "disowned" ? "disowned" : "not-me-confirmed", ...result.campaign }, ok);
    }
    const done = posted?.outcome;
    if (done && !done.ok) rethrowPosted(done);
    const result = done ? done.result : await confirmSignatureFromLink({ db: getDb(), redis }, token, { locale });
    if (result.outcome === "rate-limited") return rateLimitedView(result);
    return data<View>(
      {
        view: "confirmed",
        already: result.outcome === "already-confirmed",
        referralCode: result.referralCode,
        appUrl: env().APP_URL,
        confirmedCount: result.confirmedCount,
        ...result.campaign,
      },
      ok,
    );
  } catch (error) {
    return errorView(error);
  }
}

/** The one shape every outcome of the link takes: a heading, a sentence, what can be done next. */
function Notice({ title, body, back, testId, children }: { title: string; body: string; back?: string; testId?: string; children?: ReactNode }) {
  const { t, href } = useTranslation();
  return (
    <section className="panel centered" data-testid={testId}>
      <h1>{title}</h1>
      <p className="lead">{body}</p>
      {children}
      {back ? (
        <p>
          <Link to={href(`/campaigns/${back}`)}>{t("signed.back")}</Link>
        </p>
      ) : null}
    </section>
  );
}

/** The one button of the confirm and "not me" pages: a plain POST, which works without JavaScript. */
function IntentButton({ intent, label, danger }: { intent: "confirm" | "not-me"; label: string; danger?: boolean }) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={intent} />
      <button type="submit" className={danger ? "button danger" : "button"}>
        {label}
      </button>
    </Form>
  );
}

export default function Verify() {
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const v = (acted ?? loaded) as View;
  const { t, href } = useTranslation();
  switch (v.view) {
    case "confirm":
      return (
        <Notice title={t("verify.title")} body={t("verify.body", { title: v.title })}>
          <IntentButton intent="confirm" label={t("verify.button")} />
        </Notice>
      );
    case "not-me":
      return (
        <Notice title={t("notMe.title")} body={t("notMe.body", { title: v.title })}>
          <IntentButton intent="not-me" label={t("notMe.button")} danger />
        </Notice>
      );
    case "confirmed":
      return (
        <Notice
          title={t("verify.confirmedTitle")}
          body={v.already ? t("verify.alreadyBody", { title: v.title }) : t("verify.confirmedBody", { title: v.title })}
          back={v.slug}
          testId="confirmed"
        >
          <p className="thanks-count" data-testid="confirmed-count">
            {t("verify.count", { count: v.confirmedCount })}
          </p>
          {/* Links carry this signer's own code: whoever signs through them is counted as theirs. */}
          <ShareLinks campaignUrl={`${v.appUrl}${href(`/campaigns/${v.slug}`)}`} title={v.title} referralCode={v.referralCode} intro={t("share.afterConfirm")} />
        </Notice>
      );
    case "disowned":
      return <Notice title={t("notMe.doneTitle")} body={t("notMe.doneBody")} />;
    case "not-me-confirmed":
      return <Notice title={t("notMe.title")} body={t("notMe.confirmedBody")} back={v.slug} />;
    case "expired":
      return <Notice title={t("verify.expiredTitle")} body={t("verify.expiredBody")} back={v.slug} />;
    case "closed":
      return <Notice title={t("verify.invalidTitle")} body={t("verify.closedBody")} back={v.slug} />;
    case "rate-limited":
      return <Notice title={t("verify.rateLimitedTitle")} body={t("verify.rateLimitedBody", { minutes: v.minutes })} />;
    default:
      return <Notice title={t("verify.invalidTitle")} body={t("verify.invalidBody")} />;
  }
}
