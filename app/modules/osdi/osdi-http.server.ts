import { getDb, getReadyRedis } from "~/services.server";
import { authenticateApiKey, type ApiPrincipal } from "~/modules/api-keys/api-keys.server";
import type { Database } from "~/db/db.server";
import { env } from "~/utils/env.server";
import { errorStatus } from "~/utils/error-answers.server";
import { AppError, isAppError } from "~/utils/errors.server";
import { parseRouteId, problem } from "~/utils/http.server";
import { hitRateLimits } from "~/utils/rate-limit.server";
import { OSDI_CONTENT_TYPE, type OsdiUrls } from "./osdi.hal";
import { parseListQuery, type ListQuery } from "./osdi.schema";

/** The header OSDI names for API keys. Cookies are never read by the API. */
export const API_TOKEN_HEADER = "OSDI-API-Token";

export interface OsdiRequest {
  db: Database;
  principal: ApiPrincipal;
  urls: OsdiUrls;
  url: URL;
}

export function osdiUrls(): OsdiUrls {
  const site = env().APP_URL;
  return { site, api: `${site}/api/osdi/v1` };
}

/** An id from the URL; a non-numeric one is a 404 problem, like an id that does not exist. */
export function osdiId(value: string | undefined, what: string): number {
  const id = parseRouteId(value);
  if (id === null) throw new AppError("NOT_FOUND", `no ${what} "${String(value).slice(0, 40)}"`);
  return id;
}

/** A collection's `page`, `per_page` and `filter`, with the filter's text kept for the paging links. */
export function listQueryOf(url: URL): { query: ListQuery; rawFilter: string | null } {
  return { query: parseListQuery(url.searchParams), rawFilter: url.searchParams.get("filter") };
}

/** The action of read-only resources: POST, PUT, DELETE and PATCH get a 405 problem. */
export async function osdiReadOnly(): Promise<Response> {
  const response = problem(405, "this resource is read-only: use GET");
  response.headers.set("Allow", "GET, HEAD");
  return response;
}

/**
 * Runs one API request: the key from the OSDI-API-Token header (a session cookie counts for
 * nothing here), the key's rate limit, then `handle`. Domain errors become problem JSON; a
 * missing or bad key is a 401, whatever the route.
 */
export async function handleOsdiRequest(
  request: Request,
  handle: (req: OsdiRequest) => Promise<{ status?: number; body: unknown }>,
): Promise<Response> {
  const db = getDb();
  try {
    const principal = await authenticateApiKey(db, request.headers.get(API_TOKEN_HEADER));
    await limitRate(principal);
    const result = await handle({ db, principal, urls: osdiUrls(), url: new URL(request.url) });
    return new Response(JSON.stringify(result.body), {
      status: result.status ?? 200,
      // Personal data behind a key: no shared cache may keep it, and answers differ per key.
      headers: { "Content-Type": OSDI_CONTENT_TYPE, "Cache-Control": "private, no-store", Vary: API_TOKEN_HEADER },
    });
  } catch (error) {
    if (!isAppError(error)) throw error;
    const status = errorStatus(error.code);
    const extra: Record<string, unknown> = {};
    if (Array.isArray(error.details?.errors)) extra.errors = error.details.errors;
    const response = problem(status, error.message, extra);
    const retry = Number(error.details?.retryAfterSeconds ?? 0);
    if (retry) response.headers.set("Retry-After", String(retry));
    // The rest of an oversized body is never read here: the server reads and drops it after the
    // answer, or closes the connection when it is over a megabyte (keepConnectionUsable, server/guards.ts).
    if (status === 401) response.headers.set("WWW-Authenticate", `${API_TOKEN_HEADER} realm="Banner OSDI API"`);
    return response;
  }
}

/**
 * OSDI_RATE_LIMIT requests per minute per key, counted in Redis and shared by every web process.
 * If Redis cannot count, the API answers 503 rather than run without a limit (as log-in does).
 */
async function limitRate(principal: ApiPrincipal): Promise<void> {
  const rule = { name: "osdi-key", limit: env().OSDI_RATE_LIMIT, windowSeconds: 60 };
  let result;
  try {
    result = await hitRateLimits(await getReadyRedis(), env().REDIS_PREFIX, [{ rule, key: String(principal.keyId) }]);
  } catch {
    throw new AppError("REDIS_UNAVAILABLE", "the API cannot count requests right now; try again shortly", { retryAfterSeconds: 5 });
  }
  if (!result.allowed) throw new AppError("RATE_LIMITED", `at most ${rule.limit} requests a minute per API key`, { retryAfterSeconds: result.retryAfterSeconds });
}
