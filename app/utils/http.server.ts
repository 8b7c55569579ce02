import { data, type AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import type { LinkConfirmation } from "~/modules/signatures/confirm-from-link.server";
import type { ScreenedSignResult } from "~/modules/signatures/screen-and-sign-campaign.server";
import { AppError, type AppErrorCode } from "./errors.server";

/**
 * Public pages, CDN-cacheable: a shared cache keeps them a second (the count on them stays about a
 * second fresh, as in this process's own copy: server/page-cache.ts), then serves its copy while it
 * revalidates, and for a day when Banner is down rather than an error. Browsers keep them 3 s.
 */
export const PUBLIC_CACHE = "public, max-age=3, s-maxage=1, stale-while-revalidate=30, stale-if-error=86400";
/** The public JSON counts: read by widgets that poll, so kept briefly everywhere; an hour's copy beats an error. */
export const COUNT_API_CACHE = "public, max-age=1, s-maxage=1, stale-while-revalidate=5, stale-if-error=3600";
export const NO_STORE = "no-store";

const PROBLEM_TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  413: "Content Too Large",
  415: "Unsupported Media Type",
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

declare module "@remix-run/node" {
  /**
   * What server/index.ts (and the page cache, server/page-cache.ts) hands every loader and action.
   * Declared here, by the declaration merging Remix provides for it, so `context` is typed in every route.
   */
  interface AppLoadContext {
    /** The client's address as server/index.ts resolved it (proxies believed only when trusted); null when unknown. */
    clientIp: string | null;
    /** This response's Content-Security-Policy nonce (server/security-headers.ts): inline scripts carry it. */
    cspNonce?: string;
    /** The request came over https (APP_URL is https, or a trusted proxy says so): cookies go out Secure. */
    viaHttps?: boolean;
    /** A campaign-page signature already handled by server/sign-form-post.ts (its outcome was not a redirect). */
    presignedSign?: ScreenedSignResult;
    /** …or what it failed with. */
    presignedError?: unknown;
    /** A verification link's form already read (and, for the confirm button, confirmed) by server/verify-form-post.ts. */
    posted?: PostedLinkForm;
  }
}

/**
 * What server/verify-form-post.ts did with a verification link's POST before handing it on: it
 * read the body (the action must not read it again) and, for the confirm button, reached an
 * outcome or failed.
 */
export type PostedLinkForm = {
  intent: string;
  /**
   * A domain error travels as its code and details: the server and the Remix build each load
   * their own copy of the AppError class, so `instanceof` would not know it across the two.
   */
  outcome?: { ok: true; result: LinkConfirmation } | { ok: false; error: unknown } | { ok: false; code: AppErrorCode; details?: Record<string, unknown> };
};

/** Throws what the fast path failed with, as the action's own call would have thrown it. */
export function rethrowPosted(failure: { error: unknown } | { code: AppErrorCode; details?: Record<string, unknown> }): never {
  if ("code" in failure) throw new AppError(failure.code, failure.code, failure.details);
  throw failure.error;
}

/** What a domain error becomes in PostedLinkForm; anything else is passed as it is. */
export function postedFailure(error: unknown): { ok: false; error: unknown } | { ok: false; code: AppErrorCode; details?: Record<string, unknown> } {
  if (error instanceof Error && error.name === "AppError" && "code" in error) {
    const { code, details } = error as AppError;
    return { ok: false, code, details };
  }
  return { ok: false, error };
}

export function postedLinkForm(context: AppLoadContext): PostedLinkForm | undefined {
  return context.posted;
}

/**
 * The outcome server/sign-form-post.ts reached for this request, if it handled the form already;
 * throws what it failed with, if it failed.
 */
export function presignedSign(context: AppLoadContext): ScreenedSignResult | undefined {
  if (context.presignedError !== undefined) throw context.presignedError;
  return context.presignedSign;
}

export function viaHttps(context: AppLoadContext): boolean {
  return context.viaHttps === true;
}

/** The client's address, an IPv4-mapped IPv6 address written as plain IPv4. */
export function clientAddress(context: AppLoadContext): string | null {
  const ip = context.clientIp;
  if (!ip) return null;
  return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
}

const ROUTE_ID = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** A numeric id from a URL segment, or null when the segment is not one. */
export function parseRouteId(value: string | undefined): number | null {
  const parsed = ROUTE_ID.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** A numeric id from a URL segment; anything else is a 404, like an id that does not exist. */
export function routeId(value: string | undefined): number {
  const id = parseRouteId(value);
  if (id === null) throw data(null, { status: 404 });
  return id;
}

/**
 * A JSON request body, read up to `maxBytes` and no further (a lying or missing Content-Length
 * cannot make the server buffer more). Throws AppError: UNSUPPORTED_MEDIA_TYPE, PAYLOAD_TOO_LARGE
 * or INVALID_INPUT, so the caller answers a 4xx problem.
 */
export async function readJsonBody(request: Request, maxBytes = 16 * 1024): Promise<unknown> {
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!/^application\/([a-z.+-]+\+)?json$/.test(type)) throw new AppError("UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
  if (Number(request.headers.get("Content-Length") ?? 0) > maxBytes) throw new AppError("PAYLOAD_TOO_LARGE", `the body can be at most ${maxBytes} bytes`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      // Stop reading (the stream's backpressure pauses the socket) rather than cancel: cancelling
      // destroys the socket before the 413 can be sent. The caller closes the connection.
      if (size > maxBytes) throw new AppError("PAYLOAD_TOO_LARGE", `the body can be at most ${maxBytes} bytes`);
      chunks.push(value);
    }
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new AppError("INVALID_INPUT", "the body is not valid UTF-8");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError("INVALID_INPUT", "the body is not valid JSON");
  }
}

const CAMPAIGN_SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** A campaign slug from a URL segment; anything malformed is a 404, like a slug that does not exist. */
export function isCampaignSlug(value: string | undefined): value is string {
  return value !== undefined && value.length <= 80 && CAMPAIGN_SLUG.test(value);
}

export function campaignSlugParam(value: string | undefined): string {
  if (!isCampaignSlug(value)) throw data(null, { status: 404 });
  return value;
}
