import { z } from "zod";

/**
 * Every job: its queue, the zod schema of its payload and, for periodic work, its schedule. The
 * worker registers its processors and its schedules from this one list (workers/jobs.ts gives
 * each name its handler) and parses every payload against it before a handler runs. Payloads
 * carry ids, never personal data.
 *
 * A schedule's `every` is its default interval; the worker's configuration may change it.
 */
const id = z.number().int().positive();
const none = z.object({}).strict();

export interface JobDefinition {
  queue: string;
  payload: z.ZodType;
  schedule?: { every: number };
}

export const JOBS = {
  "signature.verification": {
    queue: "email",
    // `swept`: re-enqueued by the sweeper, so sent only if no verification was ever recorded.
    payload: z.object({ signatureId: id, outboxId: id, swept: z.literal(true).optional() }).strict(),
  },
  "account.email": {
    queue: "email",
    payload: z.object({ userId: id, kind: z.enum(["confirm-email", "already-registered", "reset-password"]), outboxId: id }).strict(),
  },
  "organisation.invitation": {
    queue: "email",
    payload: z.object({ invitationId: id, outboxId: id }).strict(),
  },
  "updates.test": {
    queue: "email",
    payload: z.object({ updateId: id, userId: id, outboxId: id }).strict(),
  },
  "campaign.milestone": {
    queue: "email",
    payload: z.object({ campaignId: id, percent: z.union([z.literal(25), z.literal(50), z.literal(75), z.literal(100)]), outboxId: id }).strict(),
  },
  "privacy.erasure-link": {
    queue: "email",
    payload: z.object({ requestId: id, outboxId: id }).strict(),
  },
  "updates.fan-out": {
    queue: "updates",
    payload: z.object({ updateId: id, outboxId: id }).strict(),
  },
  "updates.drain": {
    queue: "updates",
    payload: z.object({ updateId: id }).strict(),
  },
  "updates.fail-abandoned": {
    queue: "maintenance",
    payload: none,
    schedule: { every: 5 * 60_000 },
  },
  "counts.fold": {
    queue: "counts",
    payload: none,
    schedule: { every: 1_000 },
  },
  "counts.recount": {
    queue: "counts",
    payload: z.object({ campaignId: id.optional() }).strict(),
    schedule: { every: 15 * 60_000 },
  },
  "retention.apply": {
    queue: "maintenance",
    payload: none,
    schedule: { every: 60 * 60_000 },
  },
  "campaigns.close-expired": {
    queue: "maintenance",
    payload: none,
    schedule: { every: 60_000 },
  },
  "exports.run": {
    queue: "exports",
    payload: z.object({ exportId: id, outboxId: id }).strict(),
  },
  "exports.purge-expired": {
    queue: "maintenance",
    payload: none,
    schedule: { every: 15 * 60_000 },
  },
  "signatures.sweep-unmailed": {
    queue: "maintenance",
    payload: none,
    schedule: { every: 30_000 },
  },
} as const satisfies Record<string, JobDefinition>;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.input<(typeof JOBS)[N]["payload"]>;
export type ParsedJobPayload<N extends JobName> = z.output<(typeof JOBS)[N]["payload"]>;
export type QueueName = (typeof JOBS)[JobName]["queue"];

export const JOB_NAMES = Object.keys(JOBS) as JobName[];
/** Every queue some job names, in first-mention order. */
export const QUEUE_NAMES: readonly QueueName[] = [...new Set(JOB_NAMES.map((name) => JOBS[name].queue))];

/** The jobs that run on a schedule, with their default interval. */
export const SCHEDULED_JOBS = JOB_NAMES.flatMap((name) => {
  const definition: JobDefinition = JOBS[name];
  return definition.schedule ? [{ name, queue: definition.queue as QueueName, every: definition.schedule.every }] : [];
});

export function isJobName(value: string): value is JobName {
  return Object.prototype.hasOwnProperty.call(JOBS, value);
}

/** Outbox payloads omit the outbox id, which the relay adds. */
export type OutboxPayload<N extends JobName> = Omit<JobPayload<N>, "outboxId">;
