import { describe, expect, it } from "vitest";
import { DEFAULT_RETENTION, retentionPolicy } from "~/modules/privacy/retention.server";
import { parseEnv } from "~/utils/env.server";

describe("the retention policy from the environment", () => {
  it("keeps network data 30 days unless FRAUD_WINDOW_DAYS says otherwise; unconfirmed signatures always go after 30", () => {
    expect(parseEnv({}).FRAUD_WINDOW_DAYS).toBe(30);
    expect(retentionPolicy(parseEnv({}).FRAUD_WINDOW_DAYS)).toEqual(DEFAULT_RETENTION);
    expect(retentionPolicy(parseEnv({ FRAUD_WINDOW_DAYS: "14" }).FRAUD_WINDOW_DAYS)).toEqual({ unconfirmedDays: 30, networkDataDays: 14 });
  });

  it("names a bad FRAUD_WINDOW_DAYS", () => {
    for (const value of ["0", "-3", "2.5", "thirty", "366"]) expect(() => parseEnv({ FRAUD_WINDOW_DAYS: value }), value).toThrow(/FRAUD_WINDOW_DAYS must be/);
  });
});
