/**
 * Where the CPU went during a benchmark phase, read from /proc (Linux; elsewhere it reports nothing).
 * The machine is shared (Postgres, the bench's own load generator, the server, and whatever else
 * runs), so CPU-milliseconds per operation are steadier figures than operations per second.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import type { Database } from "~/db/db.server";
import { sql } from "kysely";

const HAS_PROC = existsSync("/proc/stat");
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface CpuReport {
  wallS: number;
  /** CPU-seconds of each part */
  webS: number;
  benchS: number;
  postgresS: number;
  otherS: number;
  /** wall time × cores */
  capacityS: number;
}

function processSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The process and its descendants (a cluster's workers), by scanning /proc for parent pids. */
function treeSeconds(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    total += processSeconds(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

function machineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
  const [, user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / TICKS_PER_SECOND;
}

async function backendPids(db: Database, dbName: string): Promise<number[]> {
  const result = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = ${dbName}`.execute(db);
  return result.rows.map((r) => r.pid);
}

/**
 * Starts watching: the web server's pid (if any), this process, and the Postgres backends serving
 * `dbName` (those alive at the end; a backend that exited during the phase is missed).
 */
export async function watchCpu(opts: { db: Database; dbName: string; webPid?: number }): Promise<() => Promise<CpuReport | null>> {
  if (!HAS_PROC) return async () => null;
  const startPids = await backendPids(opts.db, opts.dbName);
  const pgStart = new Map(startPids.map((pid) => [pid, processSeconds(pid)]));
  const webStart = opts.webPid ? treeSeconds(opts.webPid) : 0;
  const benchStart = process.cpuUsage();
  const machineStart = machineBusySeconds();
  const t0 = performance.now();
  return async () => {
    const wallS = (performance.now() - t0) / 1000;
    const machineS = machineBusySeconds() - machineStart;
    const bench = process.cpuUsage(benchStart);
    const benchS = (bench.user + bench.system) / 1e6;
    const webS = opts.webPid ? treeSeconds(opts.webPid) - webStart : 0;
    let postgresS = 0;
    for (const pid of await backendPids(opts.db, opts.dbName)) postgresS += processSeconds(pid) - (pgStart.get(pid) ?? 0);
    return {
      wallS,
      webS,
      benchS,
      postgresS,
      otherS: Math.max(0, machineS - webS - benchS - postgresS),
      capacityS: wallS * os.cpus().length,
    };
  };
}

/** "web 1.20 · load generator 0.15 · postgres 0.90 CPU-ms per op; machine 80 % busy, 5 % of it other processes" */
export function describeCpu(report: CpuReport | null, ops: number, benchLabel: string): string {
  if (!report || ops === 0) return "n/a";
  const per = (s: number) => ((s / ops) * 1000).toFixed(2);
  const parts = [report.webS > 0 ? `web ${per(report.webS)}` : null, `${benchLabel} ${per(report.benchS)}`, `postgres ${per(report.postgresS)}`];
  const busy = ((report.webS + report.benchS + report.postgresS + report.otherS) / report.capacityS) * 100;
  return `${parts.filter(Boolean).join(" · ")} CPU-ms per op; machine ${busy.toFixed(0)} % busy, ${otherShare(report).toFixed(0)} % of it other processes`;
}

/** Percent of the machine's capacity used by everything but web, bench and our Postgres backends. */
export function otherShare(report: CpuReport | null): number {
  return report ? (report.otherS / report.capacityS) * 100 : 0;
}
