import { data } from "@remix-run/node";
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

export const ADMIN_HEADERS = { "Cache-Control": "no-store" };
