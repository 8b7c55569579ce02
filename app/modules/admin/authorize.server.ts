import type { Actor } from "~/modules/organisations/organisations.server";
import { AppError } from "~/utils/errors.server";

/**
 * Every admin use case starts here (the /admin layout's check alone would not do: Remix runs a
 * child route's loader and action without waiting for the layout's). The actor comes from the
 * session, whose role is read from the database on every request.
 */
export function requireAdmin(actor: Actor): void {
  if (actor.role !== "admin") throw new AppError("FORBIDDEN", "admins only");
}
