/**
 * One drain of one update, in a process of its own, so a test can pause it (SIGSTOP) the way a
 * stalled worker stops: no timers, no renewals, no sends until it is let go. Settings come from
 * the environment (DATABASE_URL, SMTP_URL, UPDATE_ID, PER_SECOND, BATCH, LEASE_SECONDS); the
 * outcome is printed as one line of JSON.
 */
import { createDb } from "~/db/db.server";
import { createMailer } from "~/mail/transport.server";
import { drainUpdate } from "~/modules/updates/send-updates.server";

async function main() {
  const env = process.env;
  const db = createDb({ connectionString: env.DATABASE_URL!, max: 2, applicationName: "banner-test-drain" });
  const mailer = createMailer({ smtpUrl: env.SMTP_URL, from: "Banner <no-reply@banner.test>", db });
  try {
    const result = await drainUpdate({ db, mailer, appUrl: "http://banner.test" }, Number(env.UPDATE_ID), {
      perSecond: Number(env.PER_SECOND),
      batch: Number(env.BATCH),
      leaseSeconds: Number(env.LEASE_SECONDS),
    });
    console.log(JSON.stringify({ outcome: "done", sent: result.sent }));
  } catch (error) {
    console.log(JSON.stringify({ outcome: "stopped", error: String(error) }));
  } finally {
    mailer.close();
    await db.destroy();
  }
}

void main();
