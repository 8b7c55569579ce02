/**
 * CSP nonces (server/security-headers.ts) are drawn from a pool of random bytes filled a few
 * kilobytes at a time: each is 128 bits in base64, and none repeats across refills of the pool.
 */
import { describe, expect, it } from "vitest";
import { newNonce } from "../../server/security-headers";

describe("CSP nonces", () => {
  it("are 16 random bytes each, and never the same twice, across many refills of the pool", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const nonce = newNonce();
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(Buffer.from(nonce, "base64")).toHaveLength(16);
      seen.add(nonce);
    }
    expect(seen.size).toBe(5_000);
  });
});
