import { describe, expect, it } from "vitest";
import { normaliseEmail, parseSignForm } from "~/modules/signatures/signatures.schema";

const form = (fields: Record<string, string | string[]>) => {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const x of ([] as string[]).concat(v)) fd.append(k, x);
  return parseSignForm(fd);
};
const valid = { name: "Ayesha Khan", email: "ayesha@example.org", country: "PK", consent: "on" };

describe("the sign form schema", () => {
  it("accepts a minimal valid signature and cleans it", () => {
    const result = form({ ...valid, name: "  Ayesha  Khan ", country: "pk", postalCode: " 44000 ", comment: " I <3 Kashmir \r\nsecond line " });
    expect(result).toEqual({
      ok: true,
      data: {
        name: "Ayesha  Khan",
        email: "ayesha@example.org",
        country: "PK",
        postalCode: "44000",
        comment: "I <3 Kashmir \nsecond line",
        publicName: false,
        optIn: false,
        consent: "on",
      },
      values: expect.objectContaining({ name: "  Ayesha  Khan ", country: "pk" }),
    });
  });

  it("accepts names in any script, including joiners", () => {
    for (const name of ["عائشہ خان", "Zeynep Yılmaz", "محمد‌رضا", "Nurul Izzah binti Anwar"]) {
      expect(form({ ...valid, name }).ok, name).toBe(true);
    }
  });

  it.each([
    ["missing name", { name: undefined }, "name", "error.name.required"],
    ["blank name", { name: "   " }, "name", "error.name.required"],
    ["overlong name", { name: "x".repeat(101) }, "name", "error.name.tooLong"],
    ["control character in name", { name: "Ay\u0007esha" }, "name", "error.text.invalid"],
    ["bidi override in name", { name: "Ayesha\u202Eevil" }, "name", "error.text.invalid"],
    ["script tag in name", { name: "<script>alert(1)</script>" }, "name", "error.text.invalid"],
    ["entity in name", { name: "&lt;b&gt;" }, "name", "error.text.invalid"],
    ["name sent twice", { name: ["a", "b"] }, "name", "error.text.invalid"],
    ["invalid email", { email: "not-an-email" }, "email", "error.email.invalid"],
    ["missing email", { email: undefined }, "email", "error.email.required"],
    ["overlong email", { email: `${"a".repeat(250)}@example.org` }, "email", "error.email.tooLong"],
    ["unknown country", { country: "XX" }, "country", "error.country.unknown"],
    ["missing country", { country: "" }, "country", "error.country.required"],
    ["bad postal code", { postalCode: "<b>" }, "postalCode", "error.postalCode.invalid"],
    ["overlong comment", { comment: "x".repeat(1001) }, "comment", "error.comment.tooLong"],
    ["html in comment", { comment: 'hi <img src=x onerror="alert(1)">' }, "comment", "error.text.invalid"],
    ["odd checkbox value", { publicName: "yes" }, "publicName", "error.checkbox.invalid"],
    ["missing consent", { consent: undefined }, "consent", "error.consent.required"],
    ["consent with another value", { consent: "true" }, "consent", "error.consent.required"],
  ])("rejects %s with a message on that field", (_label, change, field, message) => {
    const fields: Record<string, string | string[]> = { ...valid };
    for (const [k, v] of Object.entries(change)) {
      if (v === undefined) delete fields[k];
      else fields[k] = v as string | string[];
    }
    const result = form(fields);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[field as keyof typeof result.errors]).toBe(message);
  });

  it("normalises addresses so case and spaces never make a second signature", () => {
    expect(normaliseEmail("  Ayesha.Khan@Example.ORG ")).toBe("ayesha.khan@example.org");
  });
});
