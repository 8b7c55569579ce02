import { describe, expect, it } from "vitest";
import { en } from "~/i18n/messages/en";
import { adminAnswer, ERROR_ANSWERS, errorStatus, formAnswer, linkAnswer, placedFormAnswer, problemAnswer, retryFormAnswer, throwPageError } from "~/utils/error-answers.server";
import { APP_ERROR_CODES, AppError, type AppErrorCode } from "~/utils/errors.server";

/** What a thrown `data(body, { status })` carries: the status a page answers with. */
function thrownStatus(run: () => unknown): number {
  try {
    run();
  } catch (thrown) {
    const init = (thrown as { init?: { status?: number } }).init;
    if (init?.status === undefined) throw thrown;
    return init.status;
  }
  throw new Error("nothing was thrown");
}

const error = (code: AppErrorCode) => new AppError(code, `about ${code}`);

describe("the error answers table", () => {
  it("answers every code, and only codes, with a 4xx or 5xx status", () => {
    expect(Object.keys(ERROR_ANSWERS).sort()).toEqual([...APP_ERROR_CODES].sort());
    for (const code of APP_ERROR_CODES) expect(errorStatus(code), code).toBeGreaterThanOrEqual(400);
  });

  it("keeps the statuses the codes had before they were narrowed", () => {
    const before: Partial<Record<AppErrorCode, number>> = {
      NOT_FOUND: 404, CAMPAIGN_NOT_OPEN: 409, INVALID_INPUT: 400, TOKEN_INVALID: 404, TOKEN_EXPIRED: 410, RATE_LIMITED: 429,
      FORBIDDEN: 403, UNAUTHENTICATED: 401, INVALID_CREDENTIALS: 400, EMAIL_NOT_CONFIRMED: 403, ACCOUNT_DISABLED: 403,
      LAST_OWNER: 409, SELF_CHANGE: 409, REDIS_UNAVAILABLE: 503, METHOD_NOT_ALLOWED: 405, PAYLOAD_TOO_LARGE: 413, UNSUPPORTED_MEDIA_TYPE: 415,
    };
    for (const [code, status] of Object.entries(before)) expect(errorStatus(code as AppErrorCode), code).toBe(status);
    // Each former CONFLICT is still a 409 on every surface.
    const formerConflicts: AppErrorCode[] = ["SLUG_TAKEN", "SLUG_LOCKED", "CAMPAIGN_NOT_EDITABLE", "CAMPAIGN_WRONG_STATE", "UPDATE_ALREADY_SENT", "EXPORT_NOT_READY", "PREVIEW_OUTDATED", "ALREADY_UNDONE", "ALREADY_PARTNER", "PARTNERSHIP_CLOSED", "TOO_MANY_EMBED_ORIGINS"];
    for (const code of formerConflicts) expect(errorStatus(code), code).toBe(409);
    // Each former INVALID_INPUT is still a 400.
    const formerInvalidInputs: AppErrorCode[] = ["IMAGE_NOT_ACCEPTED", "DISPOSABLE_EMAIL", "NOTHING_TO_INVALIDATE", "PARTNER_IS_HOST", "TRANSLATION_IN_OWN_LANGUAGE", "REJECTION_WITHOUT_REASON"];
    for (const code of formerInvalidInputs) expect(errorStatus(code), code).toBe(400);
  });

  it("names only messages that exist in the catalogue", () => {
    for (const [code, answer] of Object.entries(ERROR_ANSWERS)) {
      for (const key of ["form" in answer ? answer.form : undefined, "admin" in answer ? answer.admin : undefined]) {
        if (key) expect(en, `${code}: ${key}`).toHaveProperty([key]);
      }
    }
  });
});

describe("a page", () => {
  it("answers a domain error with its status and rethrows anything else", () => {
    expect(thrownStatus(() => throwPageError(error("TOKEN_EXPIRED")))).toBe(410);
    expect(thrownStatus(() => throwPageError(error("ALREADY_UNDONE")))).toBe(409);
    const bug = new TypeError("a bug");
    expect(() => throwPageError(bug)).toThrow(bug);
  });

  it("keeps the headers the page asks for", () => {
    try {
      throwPageError(error("NOT_FOUND"), { "Cache-Control": "private, no-store" });
    } catch (thrown) {
      expect((thrown as { init?: ResponseInit }).init).toEqual({ status: 404, headers: { "Cache-Control": "private, no-store" } });
    }
    expect.assertions(1);
  });
});

describe("a signed-in form", () => {
  it("says what went wrong, with the code's status", () => {
    expect(formAnswer(error("SLUG_TAKEN"))).toMatchObject({ message: "error.slug.taken", status: 409 });
    expect(formAnswer(error("SLUG_LOCKED"))).toMatchObject({ message: "error.campaign.slugLocked", status: 409 });
    expect(formAnswer(error("LAST_OWNER"))).toMatchObject({ message: "org.lastOwner", status: 409 });
    expect(formAnswer(error("FORBIDDEN"))).toMatchObject({ message: "org.forbidden", status: 403 });
    expect(formAnswer(error("PARTNER_IS_HOST"))).toMatchObject({ message: "partners.error.self", status: 400 });
    expect(formAnswer(error("TRANSLATION_IN_OWN_LANGUAGE"))).toMatchObject({ message: "translations.error.language", status: 400 });
    expect(formAnswer(error("DISPOSABLE_EMAIL"))).toMatchObject({ message: "error.email.disposable", status: 400 });
  });

  it("places the message beside the field the error names, or else above the form", () => {
    expect(placedFormAnswer(new AppError("SLUG_TAKEN", "taken", { field: "slug" }))).toEqual({ errors: { slug: "error.slug.taken" }, status: 409 });
    expect(placedFormAnswer(error("LAST_OWNER"))).toEqual({ errors: {}, alert: "org.lastOwner", status: 409 });
    expect(thrownStatus(() => placedFormAnswer(error("NOT_FOUND")))).toBe(404);
  });

  it("says when to try again after a refusal for now, in whole minutes and as Retry-After", () => {
    const words = { RATE_LIMITED: "auth.rateLimited", REDIS_UNAVAILABLE: "auth.unavailable" } as const;
    const limited = new AppError("RATE_LIMITED", "slow down", { retryAfterSeconds: 61 });
    expect(retryFormAnswer(limited, words)).toEqual({ message: "auth.rateLimited", status: 429, minutes: 2, headers: { "Retry-After": "61" } });
    expect(retryFormAnswer(error("RATE_LIMITED"), words, 60)).toMatchObject({ minutes: 1, headers: { "Retry-After": "60" } });
    expect(retryFormAnswer(error("REDIS_UNAVAILABLE"), words, 60)).toEqual({ message: "auth.unavailable", status: 503, minutes: 1, headers: {} });
  });

  it("lets a form word a situation its own way", () => {
    expect(formAnswer(error("NOT_FOUND"), { NOT_FOUND: "partners.error.unknown" })).toMatchObject({ message: "partners.error.unknown", status: 404 });
  });

  it("answers as a page where the form has nothing to say, and rethrows what is not a domain error", () => {
    expect(thrownStatus(() => formAnswer(error("NOT_FOUND")))).toBe(404);
    expect(thrownStatus(() => formAnswer(error("EXPORT_NOT_READY")))).toBe(409);
    const bug = new Error("a bug");
    expect(() => formAnswer(bug)).toThrow(bug);
  });
});

describe("the admin console", () => {
  it("shows an alert, or a 403 page to someone who is not an admin", () => {
    expect(adminAnswer(error("NOT_FOUND"))).toEqual({ alert: "adminConsole.notFound", status: 404 });
    expect(adminAnswer(error("SELF_CHANGE"))).toEqual({ alert: "adminConsole.users.self", status: 409 });
    expect(adminAnswer(error("REDIS_UNAVAILABLE"))).toEqual({ alert: "adminConsole.queues.unavailable", status: 503 });
    expect(adminAnswer(error("PREVIEW_OUTDATED"))).toEqual({ alert: "fraud.changed", status: 409 });
    expect(adminAnswer(error("ALREADY_UNDONE"))).toEqual({ alert: "fraud.alreadyUndone", status: 409 });
    expect(adminAnswer(error("NOTHING_TO_INVALIDATE"))).toEqual({ alert: "fraud.nothing", status: 400 });
    expect(adminAnswer(error("REJECTION_WITHOUT_REASON"))).toEqual({ alert: "admin.rejectReason", status: 400 });
    expect(thrownStatus(() => adminAnswer(error("FORBIDDEN")))).toBe(403);
  });
});

describe("a page reached through an emailed link", () => {
  it("shows which notice fits the code", () => {
    expect(linkAnswer(error("TOKEN_INVALID"))).toMatchObject({ view: "invalid", status: 404 });
    expect(linkAnswer(error("TOKEN_EXPIRED"))).toMatchObject({ view: "expired", status: 410 });
    expect(linkAnswer(error("CAMPAIGN_NOT_OPEN"))).toMatchObject({ view: "closed", status: 409 });
    expect(linkAnswer(error("RATE_LIMITED"))).toMatchObject({ view: "invalid", status: 429 });
  });
});

describe("the API", () => {
  it("answers RFC 9457 problem JSON with the code's status and the error's message", async () => {
    const response = problemAnswer(error("EXPORT_NOT_READY"));
    expect(response.status).toBe(409);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toEqual({ type: "about:blank", title: "Conflict", status: 409, detail: "about EXPORT_NOT_READY" });
    expect(problemAnswer(error("NOT_FOUND"), "No such thing.").status).toBe(404);
  });
});
