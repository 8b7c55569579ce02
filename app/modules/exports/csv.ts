/**
 * CSV as spreadsheets read it: UTF-8 (optionally with a byte-order mark, which Excel needs to
 * guess the encoding), RFC 4180 quoting, and no cell that a spreadsheet would run as a formula.
 * The same rule is applied in SQL for the exports PostgreSQL writes itself (neutraliseSql).
 */

export const UTF8_BOM = "\uFEFF";

/**
 * A cell starting with one of these is a formula (or becomes one after the spreadsheet trims a
 * tab or carriage return): "=HYPERLINK(…)", "+1+1", "-2+3", "@SUM(…)". OWASP's advice is to
 * prefix such a cell with an apostrophe, which spreadsheets show as text and do not evaluate.
 */
export const FORMULA_TRIGGERS = ["=", "+", "-", "@", "\t", "\r"] as const;

export function neutraliseFormula(value: string): string {
  return value.length > 0 && (FORMULA_TRIGGERS as readonly string[]).includes(value[0]!) ? `'${value}` : value;
}

/** One cell: neutralised, then quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value);
  const safe = neutraliseFormula(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One record. Lines end in LF, as in the files PostgreSQL writes, so every export looks alike. */
export function csvLine(cells: readonly (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(",")}\n`;
}

export function csvDocument(header: readonly string[], rows: readonly (readonly (string | number | null)[])[], opts: { bom?: boolean } = {}): string {
  return (opts.bom ? UTF8_BOM : "") + csvLine(header) + rows.map(csvLine).join("");
}

/** SQL string literal of a trigger character, in PostgreSQL's escape-string syntax. */
function sqlChar(c: string): string {
  if (c === "\t") return "E'\\t'";
  if (c === "\r") return "E'\\r'";
  return `'${c}'`;
}

/**
 * The SQL expression of neutraliseFormula over a text expression, for COPY … TO STDOUT (CSV),
 * where PostgreSQL does the quoting. `expression` must be trusted SQL (a column name).
 */
export function neutraliseSql(expression: string): string {
  return `CASE WHEN left(${expression}, 1) IN (${FORMULA_TRIGGERS.map(sqlChar).join(", ")}) THEN '''' || ${expression} ELSE ${expression} END`;
}
