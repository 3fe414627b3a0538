import { type Dataset, formatCell } from "~/utils/dataset";

/**
 * A chart's dataset as a plain table: what screen readers read instead of the SVG, what people copy, and what the
 * CSV export writes (the same rows and columns). The first column labels each row (<th scope="row">).
 */
export function ChartTable({ caption, data, className = "chart-table" }: { caption: string; data: Dataset; className?: string }) {
  const numeric = data.columns.map((c) => c.unit !== "text");
  const align = (j: number) => ({ textAlign: numeric[j] ? ("right" as const) : ("left" as const) });
  return (
    <table className={className}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {data.columns.map((c, j) => (
            <th key={c.key} scope="col" style={align(j)}>
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {data.rows.length ? (
          data.rows.map((row, i) => (
            <tr key={i}>
              {data.columns.map((c, j) =>
                j === 0 ? (
                  <th key={c.key} scope="row" style={align(j)}>
                    {formatCell(row[c.key], c.unit)}
                  </th>
                ) : (
                  <td key={c.key} style={align(j)} data-value={row[c.key] ?? undefined}>
                    {formatCell(row[c.key], c.unit)}
                  </td>
                ),
              )}
            </tr>
          ))
        ) : (
          <tr>
            <td colSpan={Math.max(1, data.columns.length)}>No data</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
