import { describe, expect, it } from "vitest";
import { isDisposableDomain, registrableDomain } from "~/modules/fraud/email-domains.server";
import { FORM_STAMP_FIELD, HONEYPOT_FIELD } from "~/modules/fraud/fraud.fields";
import { invalidationCriteriaSchema } from "~/modules/fraud/fraud.schema";
import { issueFormStamp, readFormStamp, screenSignForm } from "~/modules/fraud/form-screen.server";
import { canonicalEmail } from "~/modules/signatures/signatures.schema";
import ipaddr from "ipaddr.js";
import { parseAddress, parseTrustedProxies, rateLimitSubject, resolveClientAddress } from "~/utils/client-address.server";
import { parseEnv } from "~/utils/env.server";
import { parseRateRules } from "~/utils/rate-limit.server";

describe("canonicalEmail", () => {
  it.each([
    ["A.Yesha.Khan+petition@Gmail.com", "ayeshakhan@gmail.com"],
    ["ayesha.khan@googlemail.com", "ayeshakhan@gmail.com"],
    [" AyeshaKhan@gmail.com ", "ayeshakhan@gmail.com"],
    ["ayesha.khan+x@outlook.com", "ayesha.khan@outlook.com"],
    ["ayesha.khan+x@icloud.com", "ayesha.khan@icloud.com"],
    // Elsewhere dots and "+" may be part of a distinct mailbox: kept.
    ["Ayesha.Khan+x@Example.org", "ayesha.khan+x@example.org"],
    // A tag that would leave nothing keeps the local part whole.
    ["+tag@gmail.com", "+tag@gmail.com"],
  ])("%s → %s", (input, expected) => {
    expect(canonicalEmail(input)).toBe(expected);
    expect(canonicalEmail(expected)).toBe(expected); // idempotent: the migration relies on it
  });
});

describe("email domains", () => {
  it("knows disposable domains and their subdomains, and not ordinary ones", () => {
    expect(isDisposableDomain("mailinator.com")).toBe(true);
    expect(isDisposableDomain("inbox.Mailinator.com")).toBe(true);
    expect(isDisposableDomain("example.org")).toBe(false);
    expect(isDisposableDomain("gmail.com")).toBe(false);
  });

  it("counts per-domain limits by the registered name", () => {
    expect(registrableDomain("mail.example.org")).toBe("example.org");
    expect(registrableDomain("a.b.example.com.pk")).toBe("example.com.pk");
    expect(registrableDomain("uni.ac.uk")).toBe("uni.ac.uk");
    expect(registrableDomain("gmail.com")).toBe("gmail.com");
  });
});

describe("the client address", () => {
  const trusted = parseTrustedProxies("127.0.0.1, 10.0.0.0/8");

  it("ignores X-Forwarded-For without a trusted proxy", () => {
    expect(resolveClientAddress("::ffff:127.0.0.1", "203.0.113.9", [])).toBe("127.0.0.1");
    expect(resolveClientAddress("198.51.100.1", "203.0.113.9", trusted)).toBe("198.51.100.1");
  });

  it("believes it from a trusted proxy, taking the nearest address that is not a proxy", () => {
    expect(resolveClientAddress("127.0.0.1", "203.0.113.9", trusted)).toBe("203.0.113.9");
    // The client forged a first entry; our proxies appended the real one after it.
    expect(resolveClientAddress("127.0.0.1", "6.6.6.6, 203.0.113.9, 10.1.2.3", trusted)).toBe("203.0.113.9");
    expect(resolveClientAddress("127.0.0.1", ["6.6.6.6", "2001:db8::1"], trusted)).toBe("2001:db8::1");
    // Garbage stops the walk at the last address a trusted proxy vouched for.
    expect(resolveClientAddress("127.0.0.1", "203.0.113.9, not-an-ip", trusted)).toBe("127.0.0.1");
    expect(resolveClientAddress("127.0.0.1", undefined, trusted)).toBe("127.0.0.1");
  });

  it("reads addresses as ipaddr.js's strict forms do, whether or not Node wraps IPv4 in ::ffff:", () => {
    // parseAddress reads dotted quads itself (the hot path); it must agree with ipaddr.js's rules.
    const reference = (text: string) => {
      const t = text.trim();
      if (ipaddr.IPv4.isValidFourPartDecimal(t)) return ipaddr.IPv4.parse(t).toString();
      return t.includes(":") && ipaddr.IPv6.isValid(t) ? ipaddr.process(t).toString() : null;
    };
    const cases = ["1.2.3.4", " 10.0.0.1 ", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1.2.3", "1.2.3.4.5", "1.2.3.x",
      "::ffff:1.2.3.4", "::FFFF:1.2.3.4", "::ffff:01.2.3.4", "::ffff:256.1.1.1", "::ffff:7f00:1", "2001:db8::1", "::1", "", "x"];
    for (const text of cases) expect(parseAddress(text)?.toString() ?? null, JSON.stringify(text)).toBe(reference(text));
    expect(parseAddress("::ffff:203.0.113.9")?.toString()).toBe("203.0.113.9");
    expect(parseAddress("01.2.3.4")).toBeNull();
  });

  it("limits IPv6 per /64", () => {
    expect(rateLimitSubject("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(rateLimitSubject("203.0.113.9")).toBe("203.0.113.9");
    expect(rateLimitSubject(null)).toBe("unknown");
  });

  it("rejects a bad TRUSTED_PROXIES entry at start", () => {
    expect(() => parseEnv({ TRUSTED_PROXIES: "127.0.0.1,10.0.0.0/33" })).toThrow(/TRUSTED_PROXIES/);
    expect(() => parseEnv({ TRUSTED_PROXIES: "proxy.local" })).toThrow(/TRUSTED_PROXIES/);
    expect(parseEnv({ TRUSTED_PROXIES: "127.0.0.1, fd00::/8" }).TRUSTED_PROXIES).toHaveLength(2);
  });
});

describe("rate settings", () => {
  it("read count/window pairs", () => {
    expect(parseRateRules("3/1m,10/10m")).toEqual([
      { limit: 3, windowSeconds: 60 },
      { limit: 10, windowSeconds: 600 },
    ]);
    expect(parseRateRules("5/30s")).toEqual([{ limit: 5, windowSeconds: 30 }]);
    for (const bad of ["", "3", "3/", "0/1m", "3/1w", "-1/1m", "3/1m,"]) expect(parseRateRules(bad), bad).toBeNull();
  });

  it("stop the process with a message naming the variable", () => {
    expect(() => parseEnv({ SIGN_RATE_PER_IP: "lots" })).toThrow(/SIGN_RATE_PER_IP/);
    expect(() => parseEnv({ SIGN_MIN_FILL_SECONDS: "-1" })).toThrow(/SIGN_MIN_FILL_SECONDS/);
    expect(parseEnv({}).SIGN_RATE_PER_IP).toEqual([
      { limit: 3, windowSeconds: 60 },
      { limit: 10, windowSeconds: 600 },
    ]);
  });
});

describe("the sign form's bot checks", () => {
  const secret = "x".repeat(40);
  const formWith = (fields: Record<string, string>) => {
    const fd = new FormData();
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    return fd;
  };
  const now = 1_800_000_000_000;

  it("stamps are ours and cannot be backdated", () => {
    const stamp = issueFormStamp(secret, now - 60_000);
    expect(readFormStamp(secret, stamp)).toBe(now - 60_000);
    expect(readFormStamp("y".repeat(40), stamp)).toBeNull();
    const [, mac] = stamp.split(".");
    expect(readFormStamp(secret, `${now - 600_000}.${mac}`)).toBeNull();
  });

  it("a filled honeypot is a bot", () => {
    expect(screenSignForm(formWith({ [HONEYPOT_FIELD]: "http://spam.example" }), { secret, minFillSeconds: 3, now }).verdict).toBe("honeypot");
  });

  it("a form sent sooner than the minimum is a bot; later, or from a cached page, a person", () => {
    const at = (ms: number) => formWith({ [FORM_STAMP_FIELD]: issueFormStamp(secret, now - ms), [HONEYPOT_FIELD]: "" });
    expect(screenSignForm(at(1_000), { secret, minFillSeconds: 3, now }).verdict).toBe("too-fast");
    expect(screenSignForm(at(3_000), { secret, minFillSeconds: 3, now })).toEqual({ verdict: "person", stamped: true });
    // A page served from a cache an hour later only looks older.
    expect(screenSignForm(at(3_600_000), { secret, minFillSeconds: 3, now })).toEqual({ verdict: "person", stamped: true });
    // A clock a little ahead on another web process is not a bot.
    expect(screenSignForm(at(-500), { secret, minFillSeconds: 3, now }).verdict).toBe("person");
  });

  it("a missing or foreign stamp never turns a person away", () => {
    expect(screenSignForm(formWith({}), { secret, minFillSeconds: 3, now })).toEqual({ verdict: "person", stamped: false });
    expect(screenSignForm(formWith({ [FORM_STAMP_FIELD]: "garbage" }), { secret, minFillSeconds: 3, now })).toEqual({ verdict: "person", stamped: false });
  });
});

describe("invalidation criteria", () => {
  it("normalise a range, a domain and a UTC window", () => {
    const parsed = invalidationCriteriaSchema.parse({ ipRange: "203.0.113.77/24", emailDomain: "@Example.ORG", from: "2026-11-27T10:00", to: "2026-11-27T11:00" });
    expect(parsed).toEqual({
      ipRange: "203.0.113.0/24",
      emailDomain: "example.org",
      from: new Date("2026-11-27T10:00:00Z"),
      to: new Date("2026-11-27T11:00:00Z"),
    });
    expect(invalidationCriteriaSchema.parse({ ipRange: "2001:db8::1" }).ipRange).toBe("2001:db8::1/128");
  });

  it("need at least one criterion, a valid range and a window that ends after it starts", () => {
    const issue = (input: object) => invalidationCriteriaSchema.safeParse(input).error?.issues[0]?.message;
    expect(issue({ ipRange: "", emailDomain: "" })).toBe("fraud.error.noCriteria");
    expect(issue({ ipRange: "10.0.0.0/40" })).toBe("fraud.error.ipRange");
    expect(issue({ emailDomain: "not a domain" })).toBe("fraud.error.domain");
    expect(issue({ from: "2026-11-27T11:00", to: "2026-11-27T10:00" })).toBe("fraud.error.window");
  });
});
