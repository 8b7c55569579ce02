import { data } from "@remix-run/node";
import type { MessageKey } from "~/i18n/i18n";
import { requireAdmin } from "~/modules/access/guards.server";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import type { SessionUser } from "~/modules/accounts/sessions.server";
import { isAppError } from "~/utils/errors.server";

/**
 * For /admin routes: the signed-in admin, a redirect to log in, or a 403 page. Each use case
 * checks again (requireAdmin); this only gives every route the same early, clear answer.
 */
export async function requireAdminUser(request: Request): Promise<SessionUser> {
  const user = await requireUser(request);
  try {
    requireAdmin(user);
  } catch (error) {
    if (isAppError(error, "FORBIDDEN")) throw data(null, { status: 403 });
    throw error;
  }
  return user;
}

/** How an admin action's domain error is shown: a message and a status; anything else is rethrown. */
export function adminAlert(error: unknown): { alert: MessageKey; status: number } {
  if (!isAppError(error)) throw error;
  switch (error.code) {
    case "FORBIDDEN":
      throw data(null, { status: 403 });
    case "SELF_CHANGE":
      return { alert: "adminConsole.users.self", status: 409 };
    case "NOT_FOUND":
      return { alert: "adminConsole.notFound", status: 404 };
    case "REDIS_UNAVAILABLE":
      return { alert: "adminConsole.queues.unavailable", status: 503 };
    default:
      throw error;
  }
}

export const ADMIN_HEADERS = { "Cache-Control": "no-store" };
