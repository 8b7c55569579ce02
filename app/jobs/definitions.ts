import { z } from "zod";

/**
 * Every job: its queue, its name and the zod schema of its payload. Payloads carry ids, never
 * personal data; the worker validates them again before it acts.
 */
const id = z.number().int().positive();

export const JOBS = {
  "signature.verification": {
    queue: "email",
    payload: z.object({ signatureId: id, outboxId: id }).strict(),
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
    payload: z.object({}).strict(),
  },
  "counts.fold": {
    queue: "counts",
    payload: z.object({}).strict(),
  },
  "counts.recount": {
    queue: "counts",
    payload: z.object({ campaignId: id.optional() }).strict(),
  },
  "retention.apply": {
    queue: "maintenance",
    payload: z.object({}).strict(),
  },
  "campaigns.close-expired": {
    queue: "maintenance",
    payload: z.object({}).strict(),
  },
  "exports.run": {
    queue: "exports",
    payload: z.object({ exportId: id, outboxId: id }).strict(),
  },
  "exports.purge-expired": {
    queue: "maintenance",
    payload: z.object({}).strict(),
  },
} as const;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.input<(typeof JOBS)[N]["payload"]>;
export const QUEUE_NAMES = ["email", "counts", "maintenance", "updates", "exports"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export function isJobName(value: string): value is JobName {
  return Object.prototype.hasOwnProperty.call(JOBS, value);
}

/** Outbox payloads omit the outbox id, which the relay adds. */
export type OutboxPayload<N extends JobName> = Omit<JobPayload<N>, "outboxId">;
