import type { ReactNode } from "react";
import type { Dataset } from "~/utils/dataset";
import { ChartTable } from "./charts/chart-table";
import { partialNote } from "./charts/frame";
import { ResponsiveChart } from "./charts/responsive";

/**
 * One chart with its numbers: the chart (drawn at each layout width), a note, the table and a CSV download, all
 * three from the same dataset.
 */
export function InsightSection({
  id,
  title,
  data,
  search,
  chart,
  note,
  tableOpen = false,
}: {
  id: string;
  title: string;
  data: Dataset;
  search: string;
  chart?: (width: number, chartId: string) => ReactNode;
  note?: ReactNode;
  /** The printable report shows every table (a closed <details> does not print). */
  tableOpen?: boolean;
}) {
  const periods = data.columns.some((c) => c.key === "partial")
    ? partialNote(data.rows.map((r) => ({ period: String(r.period), partial: (r.partial as string | null) ?? null })))
    : "";
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
      {chart ? <ResponsiveChart id={`chart-${id}`}>{chart}</ResponsiveChart> : null}
      {note || periods ? (
        <p className="chart-note">
          {note}
          {note && periods ? " " : null}
          {periods ? `Hatched or hollow marks are partial periods (${periods.replace(/^partial: /, "")}).` : null}
        </p>
      ) : null}
      <details className="insight-table" open={tableOpen || !chart}>
        <summary>Numbers</summary>
        <ChartTable caption={title} data={data} />
      </details>
    </section>
  );
}
