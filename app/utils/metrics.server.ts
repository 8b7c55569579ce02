import { sql } from "kysely";
import { Counter, Gauge, register } from "prom-client";
import { outboxBacklog } from "~/jobs/outbox.server";
import type { Grouper } from "~/db/grouped.server";
import { queueDepths } from "~/jobs/queues.server";
import { confirmingGroup } from "~/modules/signatures/confirm-signature.server";
import { signingGroup } from "~/modules/signatures/sign-campaign.server";
import { getDb, getProducer, getQueues } from "~/services.server";
import { singleton } from "./singleton.server";

/**
 * Counters count what this process did; gauges read the shared truth (Postgres, Redis) when
 * scraped, so any web process reports the same backlog and the same email totals.
 */
/** A counter read, when scraped, off the signing and confirming queues of this process's database. */
function groupedCounter(name: string, help: string, pick: (stats: Grouper<unknown, unknown>["stats"]) => number) {
  return new Counter({
    name,
    help,
    labelNames: ["what"],
    collect() {
      this.reset();
      this.inc({ what: "sign" }, pick(signingGroup(getDb()).stats));
      this.inc({ what: "confirm" }, pick(confirmingGroup(getDb()).stats));
    },
  });
}

export const metrics = singleton("metrics", () => ({
  signaturesCreated: new Counter({
    name: "banner_signatures_created_total",
    help: "Sign requests answered with success by this process, by outcome",
    labelNames: ["outcome"],
  }),
  signaturesRefused: new Counter({
    name: "banner_sign_refused_total",
    help: "Sign requests refused by the fraud defences in this process, by reason (honeypot, rate-limited, disposable); forms sent too fast are stored and flagged instead",
    labelNames: ["reason"],
  }),
  rateLimitSkipped: new Counter({
    name: "banner_rate_limit_skipped_total",
    help: "Signing or confirming attempts let through uncounted because Redis failed or did not answer within the budget, by check and reason (timeout, error)",
    labelNames: ["what", "reason"],
  }),
  signaturesConfirmed: new Counter({
    name: "banner_signatures_confirmed_total",
    help: "Signatures confirmed through this process",
  }),
  verifyFastPath: new Counter({
    name: "banner_verify_fast_path_total",
    help: "Confirm-button posts taken before Express (server/verify-form-post.ts), by how they were answered: answered there (confirmed), or passed to Remix (any other outcome, another intent, a failure)",
    labelNames: ["result"],
  }),
  groupedStatements: groupedCounter(
    "banner_grouped_statements_total",
    "Signing and confirming statements this process sent to Postgres, by what they did; calls made at the same moment share one (app/db/grouped.server.ts)",
    (stats) => stats.statements,
  ),
  groupedCalls: groupedCounter(
    "banner_grouped_calls_total",
    "Signatures signed and links confirmed by those statements (one run again alone after its group failed counts twice)",
    (stats) => stats.calls,
  ),
  emails: new Gauge({
    name: "banner_emails",
    help: "Emails recorded in the sent-log, by kind and status (sent or failed)",
    labelNames: ["kind", "status"],
    async collect() {
      const rows = await sql<{ kind: string; status: string; n: number }>`
        SELECT kind, status, count(*)::int AS n FROM sent_emails GROUP BY kind, status`.execute(getDb());
      this.reset();
      for (const row of rows.rows) this.set({ kind: row.kind, status: row.status }, row.n);
    },
  }),
  outboxBacklog: new Gauge({
    name: "banner_outbox_backlog",
    help: "Outbox rows not yet relayed to the queues",
    async collect() {
      this.set(await outboxBacklog(getDb()));
    },
  }),
  queueDepth: new Gauge({
    name: "banner_queue_jobs",
    help: "Jobs per queue and state",
    labelNames: ["queue", "state"],
    async collect() {
      let timer: NodeJS.Timeout | undefined;
      try {
        // BullMQ waits for a connection that never becomes ready while Redis is away: bound it, or
        // the scrape (and a graceful shutdown behind it) hangs.
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("redis did not answer")), 2_000);
        });
        const depths = await Promise.race([queueDepths(getQueues()), timeout]);
        for (const [queue, counts] of Object.entries(depths))
          for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
      } catch {
        // Redis away: leave the last values (/readyz reports the outage) and start afresh next time.
        await getProducer().reset().catch(() => undefined);
      } finally {
        clearTimeout(timer);
      }
    },
  }),
}));

export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  void metrics; // make sure the metrics are registered before the first scrape
  return { contentType: register.contentType, body: await register.metrics() };
}
