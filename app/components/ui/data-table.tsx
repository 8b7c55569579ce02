import type { ReactNode } from "react";

/** A column heading: its text, or the text with a class (`num` right-aligns figures). */
export type Column = ReactNode | { label: ReactNode; className?: string };

function isLabelled(column: Column): column is { label: ReactNode; className?: string } {
  return typeof column === "object" && column !== null && "label" in column;
}

/**
 * A table of rows under column headings, scrolling sideways on its own on a narrow phone rather
 * than widening the page. With no rows and an `empty` message, the message stands in its place.
 * The rows (`<tr>`s) are the caller's: cells differ too much from table to table to describe here.
 */
export function DataTable({
  columns,
  rowCount,
  empty,
  caption,
  className,
  testId,
  children,
}: {
  columns: Column[];
  rowCount: number;
  empty?: string;
  caption?: string;
  className?: string;
  testId?: string;
  children: ReactNode;
}) {
  if (rowCount === 0 && empty) return <p className="notice">{empty}</p>;
  return (
    <div className="table-scroll">
      <table className={className} data-testid={testId}>
        {caption ? <caption>{caption}</caption> : null}
        <thead>
          <tr>
            {columns.map((column, i) =>
              isLabelled(column) ? (
                <th key={i} scope="col" className={column.className}>
                  {column.label}
                </th>
              ) : (
                <th key={i} scope="col">
                  {column}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
