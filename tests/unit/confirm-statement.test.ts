/**
 * The confirming statement is compiled once per database and its parameters filled in per call
 * (compiledConfirmStatement): the result is what compiling it afresh gives, parameters in their places.
 */
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "~/db/db.server";
import { compiledConfirmStatement, confirmStatement } from "~/modules/signatures/confirm-signature.server";

// Compiling needs no connection: this database is never reached.
const db = createDb({ connectionString: "postgres://nobody@127.0.0.1:1/none" });
afterAll(() => db.destroy());

describe("the confirming statement compiled once", () => {
  it("is the statement compiled afresh, for each token hash and language", () => {
    for (const locale of ["ur", undefined, "en"]) {
      const hash = randomBytes(32);
      const fresh = confirmStatement(hash, locale).compile(db);
      const reused = compiledConfirmStatement(db, hash, locale);
      expect(reused.sql).toBe(fresh.sql);
      expect(reused.parameters).toEqual(fresh.parameters);
      expect(reused.parameters).toContain(hash);
    }
  });
});
