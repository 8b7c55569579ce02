import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/i18n/use-translation";
import { findUnsubscribe, unsubscribe } from "~/modules/updates/updates.server";
import { getDb } from "~/services.server";
import { linkAnswer } from "~/utils/error-answers.server";
import type { RouteHandle } from "~/root";

/** A public page signers open on their phones (most from an email): server HTML and the public pages' small script, no React (ADR 0014). */
export const handle: RouteHandle = { hydrate: false };

export const meta: MetaFunction = () => [{ title: "Unsubscribe · Banner" }, { name: "robots", content: "noindex" }];
const noStore = { "Cache-Control": "no-store", "Referrer-Policy": "same-origin" };
export const headers = () => noStore;

type View = { state: "ask" | "done"; title: string } | { state: "invalid" };

// GET shows the button and changes nothing (link scanners); POST unsubscribes. Mail clients'
// one-click button (RFC 8058) POSTs "List-Unsubscribe=One-Click" here directly.
export async function loader({ params }: LoaderFunctionArgs) {
  const row = await findUnsubscribe(getDb(), params.token ?? "");
  if (!row) return data<View>({ state: "invalid" }, { status: 404, headers: noStore });
  return data<View>({ state: row.unsubscribed_at ? "done" : "ask", title: row.title }, { headers: noStore });
}

export async function action({ params }: ActionFunctionArgs) {
  try {
    const { title } = await unsubscribe(getDb(), params.token ?? "");
    return data<View>({ state: "done", title }, { status: 200, headers: noStore });
  } catch (error) {
    return data<View>({ state: "invalid" }, { status: linkAnswer(error).status, headers: noStore });
  }
}

export default function Unsubscribe() {
  const view = (useActionData<typeof action>() ?? useLoaderData<typeof loader>()) as View;
  const { t } = useTranslation();
  return (
    <section className="panel centered">
      <h1>{t("unsubscribe.title")}</h1>
      {view.state === "invalid" ? (
        <p className="lead">{t("unsubscribe.invalid")}</p>
      ) : view.state === "done" ? (
        <p className="lead" role="status">
          {t("unsubscribe.done", { title: view.title })}
        </p>
      ) : (
        <>
          <p className="lead">{t("unsubscribe.body", { title: view.title })}</p>
          <Form method="post">
            <button type="submit" className="button">
              {t("unsubscribe.button")}
            </button>
          </Form>
        </>
      )}
    </section>
  );
}
