import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/i18n/use-translation";
import { currentUser, requireUser } from "~/modules/accounts/session-cookie.server";
import { normaliseEmail } from "~/modules/signatures/signatures.schema";
import { acceptInvitation, describeInvitation } from "~/modules/organisations/organisations.server";
import { getDb } from "~/services.server";
import { linkAnswer } from "~/utils/error-answers.server";

export const meta: MetaFunction = () => [{ title: "Invitation · Banner" }, { name: "robots", content: "noindex" }];
const noStore = { "Cache-Control": "no-store", "Referrer-Policy": "same-origin" };
export const headers = () => noStore;

type View =
  | { state: "open"; name: string; role: string; signedIn: boolean; matches: boolean; path: string }
  | { state: "invalid" }
  | { state: "wrong-account" };

// GET describes the invitation and changes nothing; joining is the POST.
export async function loader({ request, params }: LoaderFunctionArgs) {
  try {
    const invitation = await describeInvitation(getDb(), params.token ?? "");
    const user = await currentUser(request);
    const view: View = {
      state: "open",
      name: invitation.organisation.name,
      role: invitation.role,
      signedIn: Boolean(user),
      matches: Boolean(user && normaliseEmail(user.email) === invitation.emailNormalized),
      path: new URL(request.url).pathname,
    };
    return data<View>(view, { headers: noStore });
  } catch (error) {
    return data<View>({ state: "invalid" }, { status: linkAnswer(error).status, headers: noStore });
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  try {
    const org = await acceptInvitation(getDb(), user, params.token ?? "");
    return redirect(`/dashboard/orgs/${org.slug}`, { status: 303 });
  } catch (error) {
    const { status, error: known } = linkAnswer(error);
    // FORBIDDEN: signed in as another account than the one invited.
    return data<View>({ state: known.code === "FORBIDDEN" ? "wrong-account" : "invalid" }, { status, headers: noStore });
  }
}

export default function Invitation() {
  const view = (useActionData<typeof action>() ?? useLoaderData<typeof loader>()) as View;
  const { t } = useTranslation();
  if (view.state === "invalid") {
    return (
      <section className="panel centered">
        <h1>{t("verify.invalidTitle")}</h1>
        <p className="lead">{t("org.inviteInvalid")}</p>
      </section>
    );
  }
  if (view.state === "wrong-account") {
    return (
      <section className="panel centered">
        <p className="lead">{t("org.inviteWrongAccount")}</p>
      </section>
    );
  }
  const role = t(view.role === "owner" ? "org.role.owner" : "org.role.organiser");
  return (
    <section className="panel centered">
      <h1>{t("org.inviteTitleAccept", { name: view.name })}</h1>
      <p className="lead">{t("org.inviteBody", { name: view.name, role })}</p>
      {view.signedIn && view.matches ? (
        <Form method="post">
          <button type="submit" className="button">
            {t("org.inviteAccept")}
          </button>
        </Form>
      ) : view.signedIn ? (
        <p className="notice">{t("org.inviteWrongAccount")}</p>
      ) : (
        <p>
          <Link className="button" to={`/login?next=${encodeURIComponent(view.path)}`}>
            {t("auth.logInTitle")}
          </Link>{" "}
          <Link to="/signup">{t("nav.signUp")}</Link>
        </p>
      )}
    </section>
  );
}
