import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { clearSessionCookie, currentUser } from "~/modules/accounts/session-cookie.server";
import { revokeSession } from "~/modules/accounts/sessions.server";
import { getDb } from "~/services.server";

// Logging out changes state, so it is a POST (a link or an image cannot log anyone out).
export async function loader(_args: LoaderFunctionArgs) {
  throw redirect("/account");
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await currentUser(request);
  if (user) await revokeSession(getDb(), user.sessionId);
  return redirect("/", { status: 303, headers: { "Set-Cookie": await clearSessionCookie() } });
}
