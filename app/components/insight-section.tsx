import type { ReactNode } from "react";
import { ChartTable } from "./charts/chart-table";

export type TableData = { columns: string[]; rows: (string | number)[][] };

/** One chart with its numbers as a table and a CSV download of the same table. */
export function InsightSection({
  id,
  title,
  table,
  search,
  children,
  note,
}: {
  id: string;
  title: string;
  table: TableData;
  search: string;
  children: ReactNode;
  note?: ReactNode;
}) {
  const columns = table.columns.map((label, i) => ({ key: String(i), label }));
  const rows = table.rows.map((r) => Object.fromEntries(r.map((v, i) => [String(i), v])));
  return (
    <section className="card insight" id={id} aria-labelledby={`${id}-title`}>
      <div className="spread">
        <h2 id={`${id}-title`} style={{ marginTop: 0 }}>
          {title}
        </h2>
        <a href={`/insights/csv/${id}${search}`} download={`${id}.csv`} className="no-print">
          CSV
        </a>
      </div>
      {children}
      {note ? <p className="muted">{note}</p> : null}
      <details>
        <summary>Numbers</summary>
        <ChartTable caption={title} columns={columns} rows={rows} />
      </details>
    </section>
  );
}
