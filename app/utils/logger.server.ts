import { pino } from "pino";

/** Structured JSON lines on stdout; one logger per process, tagged with its role. */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: { service: "banner", pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: { paths: ["email", "*.email", "token", "*.token"], censor: "[redacted]" },
});
