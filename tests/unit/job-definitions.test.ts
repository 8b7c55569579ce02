import { UnrecoverableError, type Job } from "bullmq";
import { describe, expect, it } from "vitest";
import { JOB_NAMES, JOBS, QUEUE_NAMES, SCHEDULED_JOBS } from "~/jobs/definitions";
import { HANDLERS, processorFor, type JobDeps } from "../../workers/jobs";

// The processor refuses these before any handler runs, so no connection is ever touched.
const deps = {} as JobDeps;
const job = (name: string, data: unknown) => ({ id: "1", name, data, attemptsMade: 0, opts: {} }) as unknown as Job;

describe("jobs as definitions", () => {
  it("gives every job a handler and every queue a job", () => {
    expect(Object.keys(HANDLERS).sort()).toEqual([...JOB_NAMES].sort());
    expect([...QUEUE_NAMES].sort()).toEqual(["counts", "email", "exports", "maintenance", "updates"]);
    for (const name of JOB_NAMES) expect(QUEUE_NAMES).toContain(JOBS[name].queue);
  });

  it("schedules the periodic jobs, the sweeper among them, each on its own queue", () => {
    const byName = Object.fromEntries(SCHEDULED_JOBS.map((s) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual(
      ["campaigns.close-expired", "counts.fold", "counts.recount", "exports.purge-expired", "retention.apply", "signatures.sweep-unmailed", "updates.fail-abandoned"].sort(),
    );
    expect(byName["counts.fold"]).toMatchObject({ queue: "counts", every: 1_000 });
    expect(byName["signatures.sweep-unmailed"]).toMatchObject({ queue: "maintenance" });
  });

  it("refuses a bad payload as unrecoverable, before its handler runs", async () => {
    const email = processorFor("email", deps);
    await expect(email(job("signature.verification", { signatureId: "7", outboxId: 1 }))).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(email(job("signature.verification", { signatureId: 7, outboxId: 1, email: "someone@example.org" }))).rejects.toThrow(
      /bad signature.verification payload/,
    );
    // updates.fail-abandoned used to run whatever it was given.
    await expect(processorFor("maintenance", deps)(job("updates.fail-abandoned", { extra: 1 }))).rejects.toBeInstanceOf(UnrecoverableError);
  });

  it("refuses a job on a queue that is not its own, and a name nobody defined", async () => {
    await expect(processorFor("email", deps)(job("counts.fold", {}))).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(processorFor("counts", deps)(job("counts.explode", {}))).rejects.toThrow(/unknown counts job/);
  });
});
