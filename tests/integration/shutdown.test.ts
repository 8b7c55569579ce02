import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, signer } from "../support/fixtures";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "../support/redis";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";
import { postForm, startWeb, workerEntry } from "../support/web";

const ROOT = path.resolve(import.meta.dirname, "../..");
let t: TestDatabase;
let smtp: TestSmtpServer;
const prefix = uniquePrefix("stop");

beforeAll(async () => {
  t = await createTestDatabase("shutdown");
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.close();
  await t.drop();
  await deletePrefix(prefix);
});

describe("SIGTERM", () => {
  it("lets the worker finish the email it is sending, then exit cleanly", async () => {
    const campaign = await createCampaign(t.db);
    const child = spawn(process.execPath, workerEntry(), {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "test",
        LOG_LEVEL: "info",
        DATABASE_URL: t.url,
        REDIS_URL: SHARED_REDIS_URL,
        REDIS_PREFIX: prefix,
        SMTP_URL: smtp.url,
        APP_URL: "http://banner.test",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));

    // The SMTP server holds the message for 1.5 s; SIGTERM arrives while it is in flight.
    const inFlight = new Promise<void>((resolve) => smtp.slowDown(1_500, resolve));
    const input = signer();
    await signCampaign(t.db, { campaignSlug: campaign.slug, input, locale: "en" });
    await inFlight;
    child.kill("SIGTERM");

    expect(await exited).toBe(0);
    expect(out).toContain("worker stopped");
    expect(smtp.messages.filter((m) => m.to.includes(input.email))).toHaveLength(1);
    const log = await t.db.selectFrom("sent_emails").select("status").execute();
    expect(log.map((l) => l.status)).toContain("sent");
    smtp.slowDown(0);
  });

  it("closes the web server cleanly, having logged JSON lines that never hold a token", async () => {
    const web = await startWeb({ DATABASE_URL: t.url, REDIS_PREFIX: prefix, LOG_LEVEL: "info" });
    expect((await fetch(`${web.url}/healthz`)).status).toBe(200);
    const token = "A".repeat(43);
    expect((await fetch(`${web.url}/verify/${token}`)).status).toBe(404);
    // A plain sign form is answered before Express, or handed on to it (a field error): one line each.
    const { slug } = await createCampaign(t.db);
    const input = signer();
    const fields = { name: input.name, email: input.email, country: input.country, consent: "on" };
    expect((await postForm(`${web.url}/campaigns/${slug}`, fields)).status).toBe(303);
    const refused = await postForm(`${web.url}/campaigns/${slug}`, { ...fields, country: "XX" });
    expect(refused.status).toBe(400);
    await refused.text(); // the whole page, so the connection is idle again before SIGTERM
    expect(await web.stop("SIGTERM")).toBe(0);
    expect(web.output()).toContain("web stopped");

    const lines = web.output().split("\n").filter((l) => l.trim());
    const records = lines.map((line) => JSON.parse(line) as { msg?: string; path?: string; status?: number });
    expect(records).toContainEqual(expect.objectContaining({ msg: "request", path: "/verify/:token", status: 404 }));
    const signLines = records.filter((r) => r.msg === "request" && r.path?.startsWith("/campaigns/"));
    expect(signLines.map((r) => r.status)).toEqual([303, 400]);
    expect(web.output()).not.toContain(token);
  });

  it("answers every request already sent by 50 keep-alive clients, saying Connection: close while draining, then exits", async () => {
    const web = await startWeb({ DATABASE_URL: t.url, REDIS_PREFIX: prefix, SHUTDOWN_DRAIN_MS: "1500" });
    // A reset on a fresh connection the process never accepted (still in the kernel's backlog when
    // the listener closed) reached no code of ours: counted apart from resets of requests on
    // established keep-alive connections, which the process had and must answer.
    const tally = { ok: 0, closeHeader: 0, refused: 0, resets: [] as string[], unaccepted: 0 };
    let stopped = false;
    let signalled = false;
    const client = async () => {
      // One socket per client, reused for every request while the server keeps it open.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        while (!stopped) {
          const outcome = await new Promise<"ok" | "refused" | string>((resolve) => {
            const req = http.get({ host: "127.0.0.1", port: web.port, path: "/healthz", agent }, (res) => {
              if (signalled && res.headers.connection === "close") tally.closeHeader++;
              res.resume();
              res.on("end", () => resolve(res.statusCode === 200 ? "ok" : `status ${res.statusCode}`));
              res.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
            });
            req.on("error", (e: NodeJS.ErrnoException) =>
              resolve(e.code === "ECONNREFUSED" ? "refused" : !req.reusedSocket && e.code === "ECONNRESET" ? "unaccepted" : (e.code ?? e.message)),
            );
          });
          if (outcome === "ok") tally.ok++;
          else if (outcome === "unaccepted") {
            tally.unaccepted++;
            return;
          } else if (outcome === "refused") {
            tally.refused++;
            return; // the server has stopped listening: nothing was sent
          } else tally.resets.push(outcome);
        }
      } finally {
        agent.destroy();
      }
    };
    const clients = Array.from({ length: 50 }, client);
    await new Promise((r) => setTimeout(r, 1_000));
    const before = tally.ok;
    signalled = true;
    const code = await web.stop("SIGTERM");
    stopped = true;
    await Promise.all(clients);
    console.log(`keep-alive drain: ${before} answered before SIGTERM, ${tally.ok - before} after (${tally.closeHeader} with Connection: close), ${tally.resets.length} resets, ${tally.unaccepted} fresh connections never accepted, ${tally.refused} refused`);
    expect(code).toBe(0);
    expect(before).toBeGreaterThan(50);
    expect(tally.resets).toEqual([]);
    expect(tally.closeHeader).toBeGreaterThan(0);
  });
});
