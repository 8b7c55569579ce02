import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "~/utils/env.server";

describe("environment", () => {
  it("uses the documented defaults when nothing is set", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/banner",
      REDIS_URL: "redis://127.0.0.1:6379",
      MAIL_FROM: "Banner <no-reply@localhost>",
      APP_URL: "http://localhost:3000",
      PORT: 3000,
      SMTP_URL: undefined,
    });
    expect(env.SESSION_SECRET.length).toBeGreaterThanOrEqual(32);
  });

  it("names every bad variable with its own message, all at once", () => {
    let error: unknown;
    try {
      parseEnv({ DATABASE_URL: "mysql://x", REDIS_URL: "nope", PORT: "eighty", APP_URL: "ftp://x", SMTP_URL: "http://mail" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvError);
    const problems = (error as EnvError).problems.join("\n");
    for (const name of ["DATABASE_URL", "REDIS_URL", "PORT", "APP_URL", "SMTP_URL"]) expect(problems).toContain(name);
    expect(problems).toMatch(/PORT must be a whole number/);
  });

  it("requires SESSION_SECRET in production only", () => {
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrow(/SESSION_SECRET is required in production/);
    expect(() => parseEnv({ NODE_ENV: "production", SESSION_SECRET: "short" })).toThrow(/SESSION_SECRET must be at least 32/);
    expect(parseEnv({ NODE_ENV: "production", SESSION_SECRET: "x".repeat(40) }).SESSION_SECRET).toBe("x".repeat(40));
  });

  it("rejects an out-of-range port and trims a trailing slash from APP_URL", () => {
    expect(() => parseEnv({ PORT: "70000" })).toThrow(/PORT must be between 1 and 65535/);
    expect(parseEnv({ APP_URL: "https://banner.example/" }).APP_URL).toBe("https://banner.example");
  });

  it("treats an empty SMTP_URL as unset (dev outbox)", () => {
    expect(parseEnv({ SMTP_URL: "" }).SMTP_URL).toBeUndefined();
    expect(parseEnv({ SMTP_URL: "smtp://127.0.0.1:1025" }).SMTP_URL).toBe("smtp://127.0.0.1:1025");
  });

  it("reads OSDI_RATE_LIMIT as a whole number of requests a minute, 600 by default", () => {
    expect(parseEnv({}).OSDI_RATE_LIMIT).toBe(600);
    expect(parseEnv({ OSDI_RATE_LIMIT: "120" }).OSDI_RATE_LIMIT).toBe(120);
    expect(() => parseEnv({ OSDI_RATE_LIMIT: "0" })).toThrow(/OSDI_RATE_LIMIT must be between 1 and 100000/);
    expect(() => parseEnv({ OSDI_RATE_LIMIT: "lots" })).toThrow(/OSDI_RATE_LIMIT must be a whole number/);
  });
});
