import { Redis } from "ioredis";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmEmail, describeEmailConfirmation } from "~/modules/accounts/confirm-email.server";
import { logIn, LOGIN_PER_ACCOUNT_CLIENT, LOGIN_PER_IP } from "~/modules/accounts/log-in.server";
import { verifyPassword } from "~/modules/accounts/passwords.server";
import { changePassword, requestPasswordReset, resetPassword } from "~/modules/accounts/reset-password.server";
import { findSessionUser } from "~/modules/accounts/sessions.server";
import { signUp } from "~/modules/accounts/sign-up.server";
import { hashToken } from "~/utils/tokens.server";
import type { RunningWorker } from "../../workers/worker";
import { startTestWorker } from "../support/worker";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { deletePrefix, freePort, SHARED_REDIS_URL, uniquePrefix } from "../support/redis";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";

let t: TestDatabase;
let smtp: TestSmtpServer;
let worker: RunningWorker;
let redis: Redis;
const prefix = uniquePrefix("accounts");

beforeAll(async () => {
  t = await createTestDatabase("accounts");
  smtp = await startSmtpServer();
  redis = new Redis(SHARED_REDIS_URL);
  worker = await startTestWorker({
    databaseUrl: t.url,
    redisPrefix: prefix,
    smtpUrl: smtp.url,
  });
});
afterAll(async () => {
  await worker.stop();
  await smtp.close();
  redis.disconnect();
  await t.drop();
  await deletePrefix(prefix);
});

const deps = () => ({ db: t.db, redis, redisPrefix: prefix });
const PASSWORD = "correct horse battery staple";
let n = 0;
const newEmail = () => `organiser-${Date.now()}-${n++}@example.org`;
const linkIn = (text: string, path: string) => {
  const match = text.match(new RegExp(`http://banner\\.test/${path}/([A-Za-z0-9_-]{43})`));
  if (!match) throw new Error(`no ${path} link in:\n${text}`);
  return match[1]!;
};

async function confirmedAccount(email = newEmail(), password = PASSWORD) {
  await signUp(t.db, { displayName: "Org Aniser", email, password });
  const mail = await smtp.waitFor((m) => m.to.includes(email) && /Confirm your Banner account/.test(m.subject));
  await confirmEmail(t.db, linkIn(mail.text, "account/confirm"));
  return email;
}

describe("accounts", () => {
  it("store a memory-hard hash, never the password, and need a confirmed address to log in", async () => {
    const email = newEmail();
    await signUp(t.db, { displayName: "Ayesha", email, password: PASSWORD });
    const user = await t.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(user.password_hash).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, user.password_hash)).toBe(true);
    expect(await verifyPassword("wrong password!!", user.password_hash)).toBe(false);

    await expect(logIn(deps(), { email, password: PASSWORD })).rejects.toMatchObject({ code: "EMAIL_NOT_CONFIRMED" });

    const mail = await smtp.waitFor((m) => m.to.includes(email));
    const token = linkIn(mail.text, "account/confirm");
    // Opening the link (GET) changes nothing; only the button's POST confirms.
    expect(await describeEmailConfirmation(t.db, token)).toEqual({ state: "pending" });
    expect((await t.db.selectFrom("users").select("email_confirmed_at").where("id", "=", user.id).executeTakeFirstOrThrow()).email_confirmed_at).toBeNull();
    expect(await confirmEmail(t.db, token)).toEqual({ outcome: "confirmed" });
    expect(await confirmEmail(t.db, token)).toEqual({ outcome: "already-confirmed" });

    const { token: session } = await logIn(deps(), { email: email.toUpperCase(), password: PASSWORD });
    const stored = await t.db.selectFrom("sessions").select("token_hash").where("user_id", "=", user.id).execute();
    expect(stored.map((s) => s.token_hash.toString("hex"))).toEqual([hashToken(session).toString("hex")]);
    expect(await findSessionUser(t.db, session)).toMatchObject({ id: user.id, email, role: "user" });
  });

  it("answer a second sign-up with the same address by mail to its owner, and keep the first password", async () => {
    const email = await confirmedAccount();
    const again = await signUp(t.db, { displayName: "Impostor", email: ` ${email.toUpperCase()} `, password: "another long password" });
    expect(again.outcome).toBe("exists");
    await smtp.waitFor((m) => m.to.includes(email) && /already have a Banner account/.test(m.subject));
    await expect(logIn(deps(), { email, password: "another long password" })).rejects.toMatchObject({ code: "INVALID_CREDENTIALS" });
    const users = await t.db.selectFrom("users").select("id").where("email_normalized", "=", email.toLowerCase()).execute();
    expect(users).toHaveLength(1);
  });

  it("refuse wrong passwords alike for known and unknown addresses, and limit attempts per account", async () => {
    const email = await confirmedAccount();
    await expect(logIn(deps(), { email, password: "not the password" })).rejects.toMatchObject({ code: "INVALID_CREDENTIALS" });
    await expect(logIn(deps(), { email: newEmail(), password: "not the password" })).rejects.toMatchObject({ code: "INVALID_CREDENTIALS" });
    for (let i = 0; i < LOGIN_PER_ACCOUNT_CLIENT.limit; i++) {
      await logIn(deps(), { email, password: "still wrong" }, { ipAddress: "10.0.0.1" }).catch(() => undefined);
    }
    // That client is refused for this account, even with the right password...
    await expect(logIn(deps(), { email, password: PASSWORD }, { ipAddress: "10.0.0.1" })).rejects.toMatchObject({ code: "RATE_LIMITED" });
    // ...but the owner, from anywhere else, is not locked out.
    await expect(logIn(deps(), { email, password: PASSWORD }, { ipAddress: "10.9.9.9" })).resolves.toMatchObject({ token: expect.any(String) });
  });

  it("limit attempts per client address across accounts", async () => {
    const ip = "192.0.2.77";
    // As if 45 attempts had come from this address already (saves 45 slow password hashes).
    await redis.set(`${prefix}:ratelimit:login-ip:${ip}`, 45, "EX", 900);
    let limited = 0;
    for (let i = 0; i < 10; i++) {
      const error = await logIn(deps(), { email: `nobody-${i}@example.org`, password: "x".repeat(12) }, { ipAddress: ip }).catch((e) => e);
      if (error?.code === "RATE_LIMITED") limited++;
    }
    expect(LOGIN_PER_IP.limit).toBe(50);
    expect(limited).toBe(5); // attempts 46–50 pass the limiter, 51–55 do not
  });

  it("refuse to log in, rather than go unlimited, when Redis cannot count", async () => {
    const email = await confirmedAccount();
    const dead = new Redis(`redis://127.0.0.1:${await freePort()}`, { maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    dead.on("error", () => undefined);
    try {
      await expect(logIn({ db: t.db, redis: dead, redisPrefix: prefix }, { email, password: PASSWORD })).rejects.toMatchObject({ code: "REDIS_UNAVAILABLE" });
    } finally {
      dead.disconnect();
    }
  });

  it("reset a forgotten password once per link and log out every session", async () => {
    const email = await confirmedAccount();
    const { token: oldSession } = await logIn(deps(), { email, password: PASSWORD });
    await requestPasswordReset(t.db, email);
    await requestPasswordReset(t.db, newEmail()); // unknown: nothing happens, nothing is said
    const mail = await smtp.waitFor((m) => m.to.includes(email) && /Reset your Banner password/.test(m.subject));
    const token = linkIn(mail.text, "reset-password");
    await resetPassword(t.db, token, "a brand new passphrase");
    await expect(resetPassword(t.db, token, "yet another passphrase")).rejects.toMatchObject({ code: "TOKEN_INVALID" });
    expect(await findSessionUser(t.db, oldSession)).toBeUndefined();
    await expect(logIn(deps(), { email, password: PASSWORD })).rejects.toMatchObject({ code: "INVALID_CREDENTIALS" });
    await logIn(deps(), { email, password: "a brand new passphrase" });
  });

  it("expire reset links after an hour", async () => {
    const email = await confirmedAccount();
    await requestPasswordReset(t.db, email);
    const mail = await smtp.waitFor((m) => m.to.includes(email) && /Reset/.test(m.subject));
    const token = linkIn(mail.text, "reset-password");
    await sql`UPDATE user_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = ${hashToken(token)}`.execute(t.db);
    await expect(resetPassword(t.db, token, "a brand new passphrase")).rejects.toMatchObject({ code: "TOKEN_INVALID" });
  });

  it("change a password with the current one, keeping this session and ending the others", async () => {
    const email = await confirmedAccount();
    const here = await logIn(deps(), { email, password: PASSWORD });
    const elsewhere = await logIn(deps(), { email, password: PASSWORD });
    const me = (await findSessionUser(t.db, here.token))!;
    await expect(changePassword(t.db, { id: me.id, sessionId: me.sessionId }, { currentPassword: "wrong one here", newPassword: "new passphrase 123" })).rejects.toMatchObject({
      code: "INVALID_CREDENTIALS",
    });
    await changePassword(t.db, { id: me.id, sessionId: me.sessionId }, { currentPassword: PASSWORD, newPassword: "new passphrase 123" });
    expect(await findSessionUser(t.db, here.token)).toBeDefined();
    expect(await findSessionUser(t.db, elsewhere.token)).toBeUndefined();
  });

  it("end the sessions of a disabled account", async () => {
    const email = await confirmedAccount();
    const { token, userId } = await logIn(deps(), { email, password: PASSWORD });
    await t.db.updateTable("users").set({ disabled_at: new Date() }).where("id", "=", userId).execute();
    expect(await findSessionUser(t.db, token)).toBeUndefined();
    await expect(logIn(deps(), { email, password: PASSWORD })).rejects.toMatchObject({ code: "ACCOUNT_DISABLED" });
  });
});
