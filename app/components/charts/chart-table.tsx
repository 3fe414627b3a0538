import { formatCount } from "./format";

export type ChartCell = string | number | null | undefined;
export type ChartRow = Record<string, ChartCell>;
export type ChartColumn = {
  key: string;
  label: string;
  /** Right-aligned, formatted as a count unless `format` says otherwise. Defaults to true when the first row holds a number. */
  numeric?: boolean;
  format?: (value: ChartCell) => string;
};

function show(value: ChartCell, column: ChartColumn): string {
  if (column.format) return column.format(value);
  if (value === null || value === undefined) return "–";
  return typeof value === "number" ? formatCount(value) : value;
}

/**
 * The numbers behind a chart as a plain table: what screen readers read instead of the SVG, what people copy,
 * and what the CSV export mirrors. The first column labels each row (<th scope="row">).
 */
export function ChartTable({
  caption,
  columns,
  rows,
  className = "chart-table",
}: {
  caption: string;
  columns: ChartColumn[];
  rows: ChartRow[];
  className?: string;
}) {
  const numeric = columns.map((c) => c.numeric ?? typeof rows[0]?.[c.key] === "number");
  return (
    <table className={className}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {columns.map((c, j) => (
            <th key={c.key} scope="col" style={{ textAlign: numeric[j] ? "right" : "left" }}>
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.length ? (
          rows.map((row, i) => (
            <tr key={`${String(row[columns[0]?.key ?? ""] ?? "")}-${i}`}>
              {columns.map((c, j) =>
                j === 0 ? (
                  <th key={c.key} scope="row" style={{ textAlign: numeric[j] ? "right" : "left" }}>
                    {show(row[c.key], c)}
                  </th>
                ) : (
                  <td key={c.key} style={numeric[j] ? { textAlign: "right" } : undefined}>
                    {show(row[c.key], c)}
                  </td>
                ),
              )}
            </tr>
          ))
        ) : (
          <tr>
            <td colSpan={Math.max(1, columns.length)}>No data</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/** Props for <ChartTable> minus the caption: what each chart's `…Table()` helper returns. */
export type ChartTableData = { columns: ChartColumn[]; rows: ChartRow[] };
