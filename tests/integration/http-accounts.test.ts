/**
 * Accounts and organisations over real HTTP: the built server, a worker sending real mail to an
 * SMTP server of this file's own, a database and Redis prefix of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningWorker } from "../../workers/worker";
import { startTestWorker } from "../support/worker";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { deletePrefix, uniquePrefix } from "../support/redis";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";
import { fieldsOfPostForm } from "../support/html-forms";
import { postForm, startWeb, type RunningProcess } from "../support/web";

let tdb: TestDatabase;
let smtp: TestSmtpServer;
let web: RunningProcess;
let worker: RunningWorker;
const prefix = uniquePrefix("httpacct");
const PASSWORD = "a long enough passphrase";

beforeAll(async () => {
  tdb = await createTestDatabase("httpacct");
  smtp = await startSmtpServer();
  // Sign-up is limited per client (10 an hour): each organiser here signs up from an address of
  // its own, told by a proxy the server trusts.
  web = await startWeb({ DATABASE_URL: tdb.url, REDIS_PREFIX: prefix, TRUSTED_PROXIES: "127.0.0.1" });
  worker = await startTestWorker({
    databaseUrl: tdb.url,
    redisPrefix: prefix,
    smtpUrl: smtp.url,
    appUrl: web.url,
  });
});
afterAll(async () => {
  await worker?.stop();
  await web?.stop();
  await smtp?.close();
  await tdb?.drop();
  await deletePrefix(prefix);
});

let n = 0;
const cookieOf = (res: Response) => (res.headers.get("set-cookie") ?? "").split(";")[0]!;
const get = (path: string, cookie = "") => fetch(`${web.url}${path}`, { headers: { Cookie: cookie }, redirect: "manual" });
const post = (path: string, fields: Record<string, string>, cookie = "") => postForm(`${web.url}${path}`, fields, { headers: { Cookie: cookie } });

/** Signs up, confirms through the emailed link, logs in; returns the session cookie. */
async function organiser(label: string) {
  const email = `${label}-${Date.now()}-${n++}@example.org`;
  const client = `198.51.100.${n % 250}`;
  const signedUp = await postForm(`${web.url}/signup`, { displayName: label, email, password: PASSWORD }, { headers: { "X-Forwarded-For": client } });
  expect(signedUp.status).toBe(200);
  const mail = await smtp.waitFor((m) => m.to.includes(email));
  const link = mail.text.match(/http:\/\/\S+\/account\/confirm\/[A-Za-z0-9_-]{43}/)![0];
  const path = new URL(link).pathname;
  expect((await get(path)).status).toBe(200); // a scanner opening the link confirms nothing…
  const early = await post("/login", { email, password: PASSWORD });
  expect(early.status).toBe(403); // …so log-in still waits for the button
  const confirmed = await post(path, {});
  expect(confirmed.status).toBe(303); // confirming signs in…
  expect(confirmed.headers.get("location")).toBe("/dashboard");
  expect((await get("/dashboard", cookieOf(confirmed))).status).toBe(200);
  expect((await post(path, {})).headers.get("set-cookie")).toBeNull(); // …once: pressing again signs nobody in
  const res = await post("/login", { email, password: PASSWORD });
  expect(res.status).toBe(303);
  return { email, cookie: cookieOf(res), setCookie: res.headers.get("set-cookie") ?? "" };
}

describe("organiser accounts over HTTP", () => {
  it("confirm by email, then log in with an HttpOnly, SameSite=Lax session cookie, and log out by POST only", async () => {
    const alice = await organiser("alice");
    expect(alice.setCookie).toMatch(/HttpOnly/i);
    expect(alice.setCookie).toMatch(/SameSite=Lax/i);
    expect((await get("/dashboard", alice.cookie)).status).toBe(200);
    expect((await get("/dashboard")).status).toBe(302); // to the log-in page
    expect((await get("/logout", alice.cookie)).status).toBe(302); // GET logs nobody out
    expect((await get("/dashboard", alice.cookie)).status).toBe(200);
    const out = await post("/logout", {}, alice.cookie);
    expect(out.status).toBe(303);
    expect((await get("/dashboard", alice.cookie)).status).toBe(302); // the session was revoked server-side
  });

  it("sign other sessions out from the account page's buttons, keeping this one", async () => {
    const bob = await organiser("bob");
    const other = cookieOf(await post("/login", { email: bob.email, password: PASSWORD }));
    expect((await get("/dashboard", other)).status).toBe(200);
    const page = await (await get("/account", bob.cookie)).text();
    // Confirming the address signed bob in too: every session but this one has a button.
    const ids = [...page.matchAll(/name="sessionId" value="(\d+)"/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      const fields = fieldsOfPostForm(page, `name="sessionId" value="${id}"`);
      expect(fields).toEqual({ intent: "revoke-session", sessionId: id });
      expect((await post("/account", fields, bob.cookie)).status).toBe(200);
    }
    expect((await get("/dashboard", other)).status).toBe(302);
    expect((await get("/dashboard", bob.cookie)).status).toBe(200);
  });

  it("refuse a password change with the wrong current password, beside that field, and change nothing", async () => {
    const carol = await organiser("carol");
    const wrong = await post("/account", { currentPassword: "not my password", newPassword: "new passphrase 123" }, carol.cookie);
    expect(wrong.status).toBe(400);
    const html = await wrong.text();
    expect(html).toMatch(/id="f-currentPassword-error"[^>]*>Your current password is not right\./);
    expect((await post("/login", { email: carol.email, password: PASSWORD })).status).toBe(303);
  });

  it("offer log-out in the header of every signed-in page, and separate the footer's links", async () => {
    const alice = await organiser("header");
    const page = await (await get("/dashboard", alice.cookie)).text();
    const header = page.slice(page.indexOf("<header"), page.indexOf("</header>"));
    expect(header).toMatch(/<form method="post" action="\/logout"[^>]*>\s*<button[^>]*>Log out<\/button>/);
    const anonymous = await (await get("/")).text();
    const footer = anonymous.slice(anonymous.indexOf("<footer"), anonymous.indexOf("</footer>"));
    expect(footer.replace(/<[^>]+>/g, "")).toMatch(/Privacy · Log in · Sign up/);
  });

  it("never let a shared cache keep a signed-in page", async () => {
    const alice = await organiser("cache");
    const anonymous = await get("/");
    expect(anonymous.headers.get("cache-control")).toMatch(/public/);
    expect(await anonymous.text()).not.toContain('href="/dashboard"');
    const signedIn = await get("/", alice.cookie);
    expect(signedIn.headers.get("cache-control")).toBe("private, no-store");
    expect(await signedIn.text()).toContain('href="/dashboard"');
  });

  it("answer a sign-up with a taken address exactly like a new one", async () => {
    const alice = await organiser("taken");
    const again = await post("/signup", { displayName: "Someone", email: alice.email, password: PASSWORD });
    const fresh = await post("/signup", { displayName: "Someone", email: `fresh-${Date.now()}@example.org`, password: PASSWORD });
    expect(again.status).toBe(fresh.status);
    expect((await again.text()).replace(/"[^"]*\.(js|css)"/g, "")).toContain("Confirm your address");
  });

  it("reject bad sign-up input with field messages and a 400, creating nothing", async () => {
    const cases = [
      { displayName: "", email: "a@example.org", password: PASSWORD },
      { displayName: "<b>x</b>", email: "a@example.org", password: PASSWORD },
      { displayName: "Ok", email: "not-an-email", password: PASSWORD },
      { displayName: "Ok", email: "a@example.org", password: "short" },
      { displayName: "Ok", email: "a@example.org", password: "x".repeat(201) },
    ];
    for (const fields of cases) {
      const res = await post("/signup", fields);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(await res.text()).toContain("field-error");
    }
    const users = await tdb.db.selectFrom("users").select("id").where("email", "=", "a@example.org").execute();
    expect(users).toHaveLength(0);
  });

  it("keep one organisation's pages and forms closed to members of another", async () => {
    const alice = await organiser("owner-a");
    const bob = await organiser("owner-b");
    const slug = `org-${Date.now().toString(36)}`;
    const created = await post("/dashboard/orgs/new", { name: "Org A", slug }, alice.cookie);
    expect(created.status).toBe(303);
    expect((await get(`/dashboard/orgs/${slug}`, alice.cookie)).status).toBe(200);
    expect((await get(`/dashboard/orgs/${slug}`, bob.cookie)).status).toBe(404);
    const invite = await post(`/dashboard/orgs/${slug}`, { intent: "invite", email: "spy@example.org", role: "owner" }, bob.cookie);
    expect(invite.status).toBe(404);
    expect(await tdb.db.selectFrom("invitations").select("id").where("email", "=", "spy@example.org").execute()).toHaveLength(0);

    // Alice invites Bob; Bob accepts through the emailed link and can then see the organisation.
    expect((await post(`/dashboard/orgs/${slug}`, { intent: "invite", email: bob.email, role: "organiser" }, alice.cookie)).status).toBe(200);
    const mail = await smtp.waitFor((m) => m.to.includes(bob.email) && /Join Org A/.test(m.subject));
    const path = new URL(mail.text.match(/http:\/\/\S+\/invitations\/[A-Za-z0-9_-]{43}/)![0]).pathname;
    expect((await get(path, bob.cookie)).status).toBe(200);
    const accepted = await post(path, {}, bob.cookie);
    expect(accepted.status).toBe(303);
    expect((await get(`/dashboard/orgs/${slug}`, bob.cookie)).status).toBe(200);
    // As an organiser, Bob still cannot invite.
    const denied = await post(`/dashboard/orgs/${slug}`, { intent: "invite", email: "x@example.org", role: "owner" }, bob.cookie);
    expect(denied.status).toBe(403);
  });

  it("take a campaign from an organiser's draft through an admin's review to a public page", async () => {
    const alice = await organiser("campaigner");
    const admin = await organiser("admin");
    await tdb.db.updateTable("users").set({ role: "admin" }).where("email", "=", admin.email).execute();
    const outsider = await organiser("outsider");
    const org = `org-${Date.now().toString(36)}`;
    await post("/dashboard/orgs/new", { name: "Campaigners", slug: org }, alice.cookie);

    const slug = `campaign-${Date.now().toString(36)}`;
    const fields = {
      intent: "save",
      slug,
      title: "Convene the CFM",
      summary: "Ask the OIC.",
      ask: "Convene the Council of Foreign Ministers on Kashmir.",
      addressedTo: "The OIC",
      argumentMd: "## Why\n\nBecause.",
      goal: "5000",
      "target-0-name": "OIC Secretary-General",
      "target-0-role": "Secretary-General",
      "target-0-country": "SA",
    };
    const bad = await post(`/dashboard/orgs/${org}/campaigns/new`, { ...fields, goal: "-3", title: "<script>x</script>" }, alice.cookie);
    expect(bad.status).toBe(400);
    expect(await tdb.db.selectFrom("campaigns").select("id").where("slug", "=", slug).execute()).toHaveLength(0);
    expect((await post(`/dashboard/orgs/${org}/campaigns/new`, fields, outsider.cookie)).status).toBe(404);

    const created = await post(`/dashboard/orgs/${org}/campaigns/new`, fields, alice.cookie);
    expect(created.status).toBe(303);
    const editPath = created.headers.get("location")!;
    expect(editPath).toMatch(/^\/dashboard\/campaigns\/\d+$/);
    expect((await get(editPath, outsider.cookie)).status).toBe(404);
    expect((await get(`/campaigns/${slug}`)).status).toBe(404); // a draft is not public

    expect((await post(editPath, { intent: "submit" }, alice.cookie)).status).toBe(200);
    expect((await get("/admin/reviews", alice.cookie)).status).toBe(403);
    const queue = await (await get("/admin/reviews", admin.cookie)).text();
    expect(queue).toContain("Convene the CFM");
    const id = editPath.split("/").pop()!;
    expect((await post("/admin/reviews", { campaignId: id, decision: "publish" }, alice.cookie)).status).toBe(403);
    // Sent back to draft only with a reason the organisers can read.
    const silent = await post("/admin/reviews", { campaignId: id, decision: "reject", note: " " }, admin.cookie);
    expect(silent.status).toBe(400);
    expect(await silent.text()).toContain('<div class="error-summary" role="alert">Reason (shown to the organisers; needed to send back)</div>');
    expect((await post("/admin/reviews", { campaignId: id, decision: "publish" }, admin.cookie)).status).toBe(200);

    const page = await get(`/campaigns/${slug}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Convene the Council of Foreign Ministers on Kashmir.");
    const targets = await tdb.db.selectFrom("campaign_targets").selectAll().execute();
    expect(targets).toEqual([expect.objectContaining({ name: "OIC Secretary-General", role: "Secretary-General", country: "SA" })]);
  });

  it("refuse a log-in form posted from another site", async () => {
    const res = await postForm(`${web.url}/login`, { email: "a@example.org", password: PASSWORD }, { headers: { Origin: "https://evil.example" } });
    expect(res.status).toBe(403);
  });
});
