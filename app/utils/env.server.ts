import { z } from "zod";
import { parseTrustedProxies } from "./client-address.server";
import { parseRateRules } from "./rate-limit.server";
import { parseClusterNodes } from "~/jobs/redis.server";

const DEV_SESSION_SECRET = "banner-development-secret-not-for-production";

const urlWithProtocol = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`);

/** A whole number from `min` to `max`, `fallback` when unset; a bad value is told the range. */
const wholeNumber = (min: number, max: number, fallback: number) => {
  const range = `must be between ${min} and ${max}`;
  return z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(min, range).max(max, range).default(fallback);
};

/** "3/1m,10/10m": at most 3 per minute and 10 per 10 minutes. */
const rateRules = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const rules = parseRateRules(value);
      if (!rules) {
        ctx.addIssue({ code: "custom", message: 'must be "count/window" pairs separated by commas, e.g. "3/1m,10/10m" (window in s, m, h or d)' });
        return z.NEVER;
      }
      return rules;
    });

/**
 * Mail providers with millions of users: a per-domain limit would turn away real signers in a
 * surge, and these providers already make mass sign-ups costly (their aliases fold into one
 * signature through the canonical address). Per-address limits still apply.
 */
const DEFAULT_EXEMPT_DOMAINS = [
  "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
  "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "gmx.net",
  "web.de", "mail.ru", "yandex.ru", "yandex.com", "qq.com", "163.com", "zoho.com",
].join(",");

const envObject = z.object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: urlWithProtocol(["postgres:", "postgresql:"]).default(
      "postgres://postgres@127.0.0.1:5432/banner",
    ),
    // Postgres itself, for migrations and whatever needs a real session; unset: DATABASE_URL.
    DATABASE_DIRECT_URL: urlWithProtocol(["postgres:", "postgresql:"]).optional(),
    // Named prepared statements for the hot queries: "auto" turns them off behind a pooler (ADR 0020).
    DATABASE_PREPARED_STATEMENTS: z.enum(["auto", "on", "off"], { error: 'must be "auto", "on" or "off"' }).default("auto"),
    REDIS_URL: urlWithProtocol(["redis:", "rediss:"]).default("redis://127.0.0.1:6379"),
    // A Redis Cluster instead of REDIS_URL: "host:port,host:port,…" (any of its masters will do).
    REDIS_CLUSTER_NODES: z
      .string()
      .optional()
      .transform((value, ctx) => {
        if (value === undefined) return undefined;
        const nodes = parseClusterNodes(value);
        if (!nodes) {
          ctx.addIssue({ code: "custom", message: 'must be "host:port" pairs separated by commas, e.g. "10.0.0.1:6379,10.0.0.2:6379"' });
          return z.NEVER;
        }
        return nodes;
      }),
    // Lets several deployments (and every test run) share one Redis without colliding.
    REDIS_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,40}$/, "must be 1–40 letters, digits, '_' or '-'")
      .default("banner"),
    SMTP_URL: z.preprocess(
      (v) => (v === "" ? undefined : v),
      urlWithProtocol(["smtp:", "smtps:"]).optional(),
    ),
    MAIL_FROM: z.string().trim().min(3).default("Banner <no-reply@localhost>"),
    APP_URL: urlWithProtocol(["http:", "https:"])
      .default("http://localhost:3000")
      .transform((v) => v.replace(/\/+$/, "")),
    PORT: wholeNumber(1, 65535, 3000),
    SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    // Update emails per second that the workers send for one update.
    UPDATE_SEND_RATE: z.coerce
      .number({ error: "must be a number" })
      .positive("must be more than 0")
      .max(10_000, "must be at most 10000")
      .default(50),
    // The sweeper: a pending signature with no verification email recorded this long after it
    // was requested is owed one (Redis lost its job); how often the sweeper looks.
    SWEEP_GRACE_SECONDS: wholeNumber(1, 86_400, 120),
    SWEEP_EVERY_SECONDS: wholeNumber(1, 3_600, 30),
    // How often a worker re-asserts every job schedule in Redis (besides on each reconnect).
    SCHEDULE_CHECK_SECONDS: wholeNumber(1, 3_600, 60),
    // Requests per minute that one OSDI API key may make.
    OSDI_RATE_LIMIT: wholeNumber(1, 100_000, 600),
    // Full signature exports up to this many rows download at once; larger ones become a worker job.
    EXPORT_STREAM_MAX_ROWS: wholeNumber(0, 10_000_000, 10_000),
    // How long the link to an export file made by the worker works.
    EXPORT_LINK_TTL_HOURS: wholeNumber(1, 720, 24),
    // Proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed; none: the socket address is the client.
    TRUSTED_PROXIES: z
      .string()
      .default("")
      .transform((value, ctx) => {
        try {
          return parseTrustedProxies(value);
        } catch (error) {
          ctx.addIssue({ code: "custom", message: `must be a comma-separated list of IP addresses or CIDR ranges: ${(error as Error).message}` });
          return z.NEVER;
        }
      }),
    // Signing limits, "count/window" pairs: per client address (IPv6: per /64) and campaign …
    SIGN_RATE_PER_IP: rateRules("3/1m,10/10m"),
    // … and per email domain and campaign, except the big providers below.
    SIGN_RATE_PER_DOMAIN: rateRules("20/1m,100/1h"),
    SIGN_RATE_DOMAIN_EXEMPT: z
      .string()
      .default(DEFAULT_EXEMPT_DOMAINS)
      .transform((value) => value.split(",").map((d) => d.trim().toLowerCase()).filter(Boolean)),
    // Confirmation attempts (POST /verify/:token) per link.
    VERIFY_RATE_PER_TOKEN: rateRules("5/10m"),
    // "on" opens /dev/outbox (captured mails, SMTP_URL unset) to every client, not only this machine.
    DEV_OUTBOX: z.enum(["on", "off"], { error: 'must be "on" or "off"' }).default("off"),
    // A sign form sent sooner than this after the page was rendered is flagged for the fraud view.
    SIGN_MIN_FILL_SECONDS: z.coerce
      .number({ error: "must be a number" })
      .min(0, "must be 0 or more")
      .max(60, "must be at most 60")
      .default(3),
    // Admin fraud tools: an address or domain with this many signatures in one hour is "trending".
    FRAUD_TREND_PER_HOUR: wholeNumber(1, 1_000_000, 20),
    // Days a signature keeps its client address and user agent for fraud checks; then retention drops them.
    FRAUD_WINDOW_DAYS: wholeNumber(1, 365, 30),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    // The in-process copy of public pages (server/page-cache.ts): "off" renders every request.
    PAGE_CACHE: z.enum(["on", "off"], { error: 'must be "on" or "off"' }).default("on"),
    // How long a cached public page is served as fresh before one request re-renders it (the
    // count on it is at most about this much older than the database's).
    PAGE_CACHE_FRESH_MS: wholeNumber(0, 700, 400),
});

const envSchema = envObject
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && !env.SESSION_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["SESSION_SECRET"],
        message: "is required in production (at least 32 random characters)",
      });
    }
  })
  .transform((env) => ({
    ...env,
    DATABASE_DIRECT_URL: env.DATABASE_DIRECT_URL ?? env.DATABASE_URL,
    SESSION_SECRET: env.SESSION_SECRET ?? DEV_SESSION_SECRET,
  }));

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** Parses an environment, returning every problem at once with the variable it belongs to. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // Treat empty strings as unset so `FOO= npm start` means "use the default".
  const cleaned: Record<string, string | undefined> = {};
  for (const key of Object.keys(envObject.shape)) {
    const value = source[key];
    cleaned[key] = key !== "SMTP_URL" && value === "" ? undefined : value;
  }
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new EnvError(
      result.error.issues.map((issue) => `${issue.path.join(".") || "environment"} ${issue.message}`),
    );
  }
  return result.data;
}

let cached: Env | undefined;

/** The process environment, parsed once. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
