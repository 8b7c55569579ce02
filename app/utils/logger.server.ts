import { pino } from "pino";

/**
 * Lines go out in batches of up to 4 KB, at least every 250 ms, instead of one write per line:
 * with one request line per request, a synchronous write was a system call per signature. The
 * batch is flushed when the process exits (pino does so for an asynchronous destination), so only
 * a process killed outright (SIGKILL) can lose its last quarter second of lines.
 */
function destination() {
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => stream.flush(), 250).unref();
  return stream;
}

/** Structured JSON lines on stdout; one logger per process, tagged with its role. */
export const logger = pino(
  {
    level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
    base: { service: "banner", pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ["email", "*.email", "token", "*.token"], censor: "[redacted]" },
  },
  destination(),
);
