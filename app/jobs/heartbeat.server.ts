import os from "node:os";

/**
 * The worker's heartbeat: each worker process writes, every few seconds, when it last finished a
 * job (any queue; the counts fold runs every second, so a consuming worker is never quiet for
 * long). `npm run worker:health` reads it: alive but not consuming (Redis gone, workers stuck or
 * paused) shows as stale. One key per host and process, expiring on its own.
 */
export const HEARTBEAT_EVERY_MS = 5_000;
export const HEARTBEAT_STALE_MS = 30_000;

export function heartbeatKey(prefix: string, host = os.hostname(), pid: number | "*" = process.pid): string {
  return `${prefix}:heartbeat:${host}:${pid}`;
}

export interface Heartbeat {
  /** when this process last finished a job (ms since epoch), or 0 */
  consumedAt: number;
  /** when it wrote this (ms since epoch) */
  writtenAt: number;
}
