import { describe, expect, it } from "vitest";
import { freshNonce } from "../../server/security-headers";

describe("CSP nonces cut from a pool of random bytes", () => {
  it("gives every response a distinct 16-byte nonce, across many refills of the pool", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const nonce = freshNonce();
      expect(Buffer.from(nonce, "base64")).toHaveLength(16);
      seen.add(nonce);
    }
    expect(seen.size).toBe(5_000);
  });

  it("does not hand out two overlapping slices: no nonce shares its bytes with the next", () => {
    const a = Buffer.from(freshNonce(), "base64");
    const b = Buffer.from(freshNonce(), "base64");
    // Overlapping slices of one pool would repeat 8 or more bytes at an offset.
    expect(a.subarray(8).equals(b.subarray(0, 8))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });
});
