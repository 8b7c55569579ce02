import { z } from "zod";

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

const envObject = z.object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: urlWithProtocol(["postgres:", "postgresql:"]).default(
      "postgres://postgres@127.0.0.1:5432/banner",
    ),
    REDIS_URL: urlWithProtocol(["redis:", "rediss:"]).default("redis://127.0.0.1:6379"),
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
    PORT: z.coerce
      .number({ error: "must be a whole number" })
      .int("must be a whole number")
      .min(1, "must be between 1 and 65535")
      .max(65535, "must be between 1 and 65535")
      .default(3000),
    SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    // Update emails per second that the workers send for one update.
    UPDATE_SEND_RATE: z.coerce
      .number({ error: "must be a number" })
      .positive("must be more than 0")
      .max(10_000, "must be at most 10000")
      .default(50),
    // Days a signature keeps its client address and user agent for fraud checks; then retention drops them.
    FRAUD_WINDOW_DAYS: z.coerce
      .number({ error: "must be a whole number" })
      .int("must be a whole number")
      .min(1, "must be between 1 and 365")
      .max(365, "must be between 1 and 365")
      .default(30),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
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
