import { data, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ShareLinks } from "~/components/share-links";
import { translator } from "~/i18n/i18n";
import { localeFor } from "~/i18n/locale.server";
import { rootLocale } from "~/i18n/meta";
import { useTranslation } from "~/i18n/use-translation";
import { confirmSignature, describeVerification } from "~/modules/signatures/confirm-signature.server";
import { hitConfirmationLimit, RATE_LIMIT_BUDGET_MS } from "~/modules/fraud/rate-limits.server";
import { disownSignature } from "~/modules/signatures/disown-signature.server";
import { getDb, getReadyRedis } from "~/services.server";
import { env } from "~/utils/env.server";
import { linkAnswer } from "~/utils/error-answers.server";
import { isWellFormedToken } from "~/utils/tokens.server";
import { metrics } from "~/utils/metrics.server";
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

export async function action({ params, request }: ActionFunctionArgs) {
  const token = params.token ?? "";
  const locale = localeFor(request);
  let intent: string;
  try {
    intent = String((await request.formData()).get("intent") ?? "confirm");
  } catch {
    intent = "confirm";
  }
  // Attempts per link are limited (a malformed token is refused unread, so it is not counted).
  if (isWellFormedToken(token)) {
    const config = env();
    const limit = await hitConfirmationLimit({ redis: await getReadyRedis(RATE_LIMIT_BUDGET_MS), redisPrefix: config.REDIS_PREFIX }, config.VERIFY_RATE_PER_TOKEN, token);
    if (!limit.allowed) {
      const retry = Math.max(1, limit.retryAfterSeconds);
      return data<View>({ view: "rate-limited", minutes: Math.ceil(retry / 60) }, { status: 429, headers: { ...noStore, "Retry-After": String(retry) } });
    }
  }
  try {
    if (intent === "not-me") {
      const result = await disownSignature(getDb(), token, { locale });
      return data<View>({ view: result.outcome === "disowned" ? "disowned" : "not-me-confirmed", ...result.campaign }, ok);
    }
    if (intent !== "confirm") return data<View>({ view: "invalid" }, { status: 400, headers: noStore });
    const result = await confirmSignature(getDb(), token, { locale });
    if (result.outcome === "confirmed") metrics.signaturesConfirmed.inc();
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

export default function Verify() {
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const v = (acted ?? loaded) as View;
  const { t, href } = useTranslation();
  const back = "slug" in v && v.slug ? (
    <p>
      <Link to={href(`/campaigns/${v.slug}`)}>{t("signed.back")}</Link>
    </p>
  ) : null;

  switch (v.view) {
    case "confirm":
      return (
        <section className="panel centered">
          <h1>{t("verify.title")}</h1>
          <p className="lead">{t("verify.body", { title: v.title })}</p>
          <Form method="post">
            <input type="hidden" name="intent" value="confirm" />
            <button type="submit" className="button">
              {t("verify.button")}
            </button>
          </Form>
        </section>
      );
    case "not-me":
      return (
        <section className="panel centered">
          <h1>{t("notMe.title")}</h1>
          <p className="lead">{t("notMe.body", { title: v.title })}</p>
          <Form method="post">
            <input type="hidden" name="intent" value="not-me" />
            <button type="submit" className="button danger">
              {t("notMe.button")}
            </button>
          </Form>
        </section>
      );
    case "confirmed":
      return (
        <section className="panel centered" data-testid="confirmed">
          <h1>{t("verify.confirmedTitle")}</h1>
          <p className="lead">{v.already ? t("verify.alreadyBody", { title: v.title }) : t("verify.confirmedBody", { title: v.title })}</p>
          <p className="thanks-count" data-testid="confirmed-count">
            {t("verify.count", { count: v.confirmedCount })}
          </p>
          {/* Links carry this signer's own code: whoever signs through them is counted as theirs. */}
          <ShareLinks campaignUrl={`${v.appUrl}${href(`/campaigns/${v.slug}`)}`} title={v.title} referralCode={v.referralCode} intro={t("share.afterConfirm")} />
          {back}
        </section>
      );
    case "disowned":
      return (
        <section className="panel centered">
          <h1>{t("notMe.doneTitle")}</h1>
          <p className="lead">{t("notMe.doneBody")}</p>
        </section>
      );
    case "not-me-confirmed":
      return (
        <section className="panel centered">
          <h1>{t("notMe.title")}</h1>
          <p className="lead">{t("notMe.confirmedBody")}</p>
          {back}
        </section>
      );
    case "expired":
      return (
        <section className="panel centered">
          <h1>{t("verify.expiredTitle")}</h1>
          <p className="lead">{t("verify.expiredBody")}</p>
          {back}
        </section>
      );
    case "closed":
      return (
        <section className="panel centered">
          <h1>{t("verify.invalidTitle")}</h1>
          <p className="lead">{t("verify.closedBody")}</p>
          {back}
        </section>
      );
    case "rate-limited":
      return (
        <section className="panel centered">
          <h1>{t("verify.rateLimitedTitle")}</h1>
          <p className="lead">{t("verify.rateLimitedBody", { minutes: v.minutes })}</p>
        </section>
      );
    default:
      return (
        <section className="panel centered">
          <h1>{t("verify.invalidTitle")}</h1>
          <p className="lead">{t("verify.invalidBody")}</p>
        </section>
      );
  }
}
