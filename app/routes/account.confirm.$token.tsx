import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/i18n/use-translation";
import { confirmEmail, describeEmailConfirmation } from "~/modules/accounts/confirm-email.server";
import { commitSessionCookie } from "~/modules/accounts/session-cookie.server";
import { getDb } from "~/services.server";
import { clientAddress } from "~/utils/http.server";
import { linkAnswer } from "~/utils/error-answers.server";

export const meta: MetaFunction = () => [{ title: "Confirm your address · Banner" }, { name: "robots", content: "noindex" }];
const noStore = { "Cache-Control": "no-store", "Referrer-Policy": "same-origin" };
export const headers = () => noStore;

type View = { state: "pending" | "confirmed" | "invalid" };

// GET shows a button and changes nothing; the POST confirms.
export async function loader({ params }: LoaderFunctionArgs) {
  try {
    return data<View>(await describeEmailConfirmation(getDb(), params.token ?? ""), { headers: noStore });
  } catch (error) {
    return data<View>({ state: "invalid" }, { status: linkAnswer(error).status, headers: noStore });
  }
}

export async function action({ params, request, context }: ActionFunctionArgs) {
  try {
    const { sessionToken } = await confirmEmail(getDb(), params.token ?? "", {
      ipAddress: clientAddress(context),
      userAgent: request.headers.get("User-Agent"),
    });
    // Confirming signs you in: straight on to the dashboard, where the first organisation is made.
    if (sessionToken) return redirect("/dashboard", { status: 303, headers: { ...noStore, "Set-Cookie": await commitSessionCookie(sessionToken) } });
    return data<View>({ state: "confirmed" }, { status: 200, headers: noStore });
  } catch (error) {
    return data<View>({ state: "invalid" }, { status: linkAnswer(error).status, headers: noStore });
  }
}

export default function ConfirmAccount() {
  const view = (useActionData<typeof action>() ?? useLoaderData<typeof loader>()) as View;
  const { t } = useTranslation();
  return (
    <section className="panel centered">
      {view.state === "pending" ? (
        <>
          <h1>{t("auth.confirmTitle")}</h1>
          <p className="lead">{t("auth.confirmBody")}</p>
          <Form method="post">
            <button type="submit" className="button">
              {t("auth.confirmButton")}
            </button>
          </Form>
        </>
      ) : view.state === "confirmed" ? (
        <>
          <h1>{t("auth.confirmedTitle")}</h1>
          <p className="lead">{t("auth.confirmedBody")}</p>
          <p>
            <Link className="button" to="/login">
              {t("auth.logInTitle")}
            </Link>
          </p>
        </>
      ) : (
        <>
          <h1>{t("verify.invalidTitle")}</h1>
          <p className="lead">{t("auth.tokenInvalid")}</p>
        </>
      )}
    </section>
  );
}
