import { describe, expect, it } from "vitest";
import { canonicalRow, chainNext, chainStart, DELIVERY_FORMAT } from "~/modules/exports/delivery-chain";
import { csvCell, csvDocument, FORMULA_TRIGGERS, neutraliseFormula, neutraliseSql } from "~/modules/exports/csv";
import { parseCsv, verifyDelivery } from "../../scripts/verify-delivery";

describe("export CSV", () => {
  it("prefixes every formula trigger with an apostrophe, and nothing else", () => {
    for (const trigger of FORMULA_TRIGGERS) expect(neutraliseFormula(`${trigger}SUM(A1)`)).toBe(`'${trigger}SUM(A1)`);
    for (const safe of ["Amina", "'=already quoted", " =space first", "", "3"]) expect(neutraliseFormula(safe)).toBe(safe);
  });

  it("quotes commas, quotes and line breaks as RFC 4180 says, and the parser reads them back", () => {
    const doc = csvDocument(["a", "b"], [["x, y", 'say "hi"'], ["two\nlines", 7], ["=1+1", null]], { bom: true });
    expect(doc).toBe('\uFEFFa,b\n"x, y","say ""hi"""\n"two\nlines",7\n\'=1+1,\n');
    expect(parseCsv(doc.slice(1))).toEqual([["a", "b"], ["x, y", 'say "hi"'], ["two\nlines", "7"], ["'=1+1", ""]]);
    expect(csvCell("\r\n")).toBe(`"'\r\n"`);
  });

  it("the SQL version covers the same triggers", () => {
    const expression = neutraliseSql("s.name");
    for (const c of ["'='", "'+'", "'-'", "'@'", "E'\\t'", "E'\\r'"]) expect(expression).toContain(c);
  });
});

describe("delivery hash chain", () => {
  const header = { format: DELIVERY_FORMAT, campaign: "c", target: { name: "T", role: "R" }, snapshotAt: "2026-11-27T00:00:00.000Z" } as const;
  const rows = [["Amina", "PK"], ["'=x", "TR"]] as const;
  const finalHash = rows.reduce((h, [name, country]) => chainNext(h, canonicalRow(name, country)), chainStart(header)).toString("hex");
  const manifest = { ...header, target: { ...header.target }, rowCount: 2, finalHash };
  const csv = csvDocument(["name", "country"], rows.map((r) => [...r]));

  it("the standalone script agrees with the app's chain, and notices any change", () => {
    expect(verifyDelivery(csv, manifest, finalHash)).toMatchObject({ ok: true, rows: 2 });
    expect(verifyDelivery(csv.replace("PK", "IN"), manifest).ok).toBe(false);
    expect(verifyDelivery(csv, { ...manifest, target: { name: "Someone else", role: "R" } }).ok).toBe(false);
    expect(verifyDelivery(csv, manifest, "0".repeat(64)).ok).toBe(false);
  });
});
