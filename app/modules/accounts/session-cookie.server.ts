import { createCookie, redirect } from "@remix-run/node";
import { getDb } from "~/services.server";
import { env } from "~/utils/env.server";
import { singleton } from "~/utils/singleton.server";
import { findSessionUser, SESSION_TTL_DAYS, type SessionUser } from "./sessions.server";

/**
 * The session cookie: HttpOnly, SameSite=Lax (no cross-site POST carries it), Secure when the
 * site is served over HTTPS (or the request came through a trusted proxy over https), signed with SESSION_SECRET. Its value is the session token, whose
 * hash is the only thing the database keeps.
 */
const sessionCookie = () =>
  singleton("session-cookie", () =>
    createCookie("banner_session", {
      httpOnly: true,
      sameSite: "lax",
      secure: env().APP_URL.startsWith("https://"),
      path: "/",
      maxAge: SESSION_TTL_DAYS * 24 * 3600,
      secrets: [env().SESSION_SECRET],
    }),
  );

export async function sessionToken(request: Request): Promise<string | undefined> {
  // A malformed cookie header is a visitor without a session, never an error page.
  const value: unknown = await sessionCookie()
    .parse(request.headers.get("Cookie"))
    .catch(() => undefined);
  return typeof value === "string" ? value : undefined;
}

export async function currentUser(request: Request): Promise<SessionUser | undefined> {
  const token = await sessionToken(request);
  return token ? findSessionUser(getDb(), token) : undefined;
}

/** The signed-in user, or a redirect to the log-in page that comes back here afterwards. */
export async function requireUser(request: Request): Promise<SessionUser> {
  const user = await currentUser(request);
  if (!user) {
    const url = new URL(request.url);
    throw redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return user;
}

/**
 * The Set-Cookie for a new session. `secure` when the request itself came over https (TLS ended at
 * a trusted proxy, say) even though APP_URL says http; an https APP_URL makes it Secure anyway.
 */
export const commitSessionCookie = (token: string, opts: { secure?: boolean } = {}) =>
  sessionCookie().serialize(token, opts.secure ? { secure: true } : undefined);
export const clearSessionCookie = () => sessionCookie().serialize("", { maxAge: 0 });
