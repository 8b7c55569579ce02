import { data, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { translator } from "~/i18n/i18n";
import { rootLocale } from "~/i18n/meta";
import { useTranslation } from "~/i18n/use-translation";
import { confirmErasure, describeErasureLink } from "~/modules/privacy/self-service-erasure.server";
import { getDb } from "~/services.server";
import { linkAnswer } from "~/utils/error-answers.server";
import type { RouteHandle } from "~/root";

/** A public page signers open on their phones (most from an email): server HTML and the public pages' small script, no React (ADR 0014). */
export const handle: RouteHandle = { hydrate: false };

export const meta: MetaFunction = ({ matches }) => {
  const t = translator(rootLocale(matches));
  return [{ title: `${t("privacy.eraseTitle")} · ${t("site.name")}` }, { name: "robots", content: "noindex" }];
};

// The URL holds a secret: never cached, never sent on as a Referer ("same-origin", not
// "no-referrer", which makes Chromium send `Origin: null` with the POST; see verify.$token.tsx).
const noStore = { "Cache-Control": "no-store", "Referrer-Policy": "same-origin" };
export const headers: HeadersFunction = () => noStore;

type View = { view: "ready" | "done" | "invalid" | "expired" };

function errorView(error: unknown) {
  const { view, status } = linkAnswer(error);
  return data<View>({ view: view === "expired" ? "expired" : "invalid" }, { status, headers: noStore });
}

// GET only reads: a mail scanner opening the link erases nothing.
export async function loader({ params }: LoaderFunctionArgs) {
  try {
    const { state } = await describeErasureLink(getDb(), params.token ?? "");
    return data<View>({ view: state }, { headers: noStore });
  } catch (error) {
    return errorView(error);
  }
}

export async function action({ params }: ActionFunctionArgs) {
  try {
    const { state } = await confirmErasure(getDb(), params.token ?? "");
    return data<View>({ view: state }, { status: 200, headers: noStore });
  } catch (error) {
    return errorView(error);
  }
}

export default function EraseLink() {
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const { view } = (acted ?? loaded) as View;
  const { t, href } = useTranslation();
  const again = (
    <p>
      <Link to={href("/privacy")}>{t("privacy.askAgain")}</Link>
    </p>
  );
  switch (view) {
    case "ready":
      return (
        <section className="panel centered">
          <h1>{t("privacy.eraseTitle")}</h1>
          <p className="lead">{t("privacy.confirmBody")}</p>
          <Form method="post">
            <button type="submit" className="button danger">
              {t("privacy.confirmButton")}
            </button>
          </Form>
        </section>
      );
    case "done":
      return (
        <section className="panel centered" data-testid="erased">
          <h1>{t("privacy.doneTitle")}</h1>
          <p className="lead" role="status">
            {t("privacy.doneBody")}
          </p>
        </section>
      );
    case "expired":
      return (
        <section className="panel centered">
          <h1>{t("privacy.expiredTitle")}</h1>
          <p className="lead">{t("privacy.expiredBody")}</p>
          {again}
        </section>
      );
    default:
      return (
        <section className="panel centered">
          <h1>{t("privacy.invalidTitle")}</h1>
          <p className="lead">{t("privacy.invalidBody")}</p>
          {again}
        </section>
      );
  }
}
