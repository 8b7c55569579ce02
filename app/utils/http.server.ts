import { data } from "@remix-run/node";
import { z } from "zod";
import { httpStatusFor, isAppError } from "./errors.server";

/** Public, CDN-cacheable: short freshness, then served stale while the CDN revalidates. */
export const PUBLIC_CACHE = "public, max-age=3, s-maxage=3, stale-while-revalidate=30";
export const NO_STORE = "no-store";

const PROBLEM_TITLES: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  413: "Content Too Large",
  429: "Too Many Requests",
  503: "Service Unavailable",
};

/** RFC 9457 problem details. */
export function problem(status: number, detail: string, extra: Record<string, unknown> = {}): Response {
  return new Response(JSON.stringify({ type: "about:blank", title: PROBLEM_TITLES[status] ?? "Error", status, detail, ...extra }), {
    status,
    headers: { "Content-Type": "application/problem+json; charset=utf-8", "Cache-Control": NO_STORE },
  });
}

/** Turns a domain error into an error response for a page; anything else is rethrown. */
export function throwPageError(error: unknown): never {
  if (isAppError(error)) throw data({ code: error.code }, { status: httpStatusFor(error.code) });
  throw error;
}

export function clientAddress(context: unknown): string | null {
  const ip = (context as { clientIp?: string } | undefined)?.clientIp;
  if (!ip) return null;
  return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
}

const ROUTE_ID = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** A numeric id from a URL segment; anything else is a 404, like an id that does not exist. */
export function routeId(value: string | undefined): number {
  const parsed = ROUTE_ID.safeParse(value);
  if (!parsed.success) throw data(null, { status: 404 });
  return parsed.data;
}

const CAMPAIGN_SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** A campaign slug from a URL segment; anything malformed is a 404, like a slug that does not exist. */
export function campaignSlugParam(value: string | undefined): string {
  if (!value || value.length > 80 || !CAMPAIGN_SLUG.test(value)) throw data(null, { status: 404 });
  return value;
}
