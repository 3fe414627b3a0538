import { sum } from "d3-array";
import { scaleBand } from "d3-scale";
import type { ChartTableData } from "./chart-table";
import { formatCount } from "./format";
import { AxisX, Baseline, ChartSvg, count, countScale, countTicks, layoutLegend, Legend, NoData, px, textWidth, truncate } from "./frame";
import { ACTION_COLORS, TEXT } from "./palette";

export type ActionRow = { key: string; label: string; open: number; overdue: number; done: number };
export type ActionBarsProps = {
  rows: ActionRow[];
  width?: number;
  /** Defaults to 26 px a row plus legend and axis room. */
  height?: number;
  label: string;
};

const STATES = [
  { key: "done", name: "Done" },
  { key: "open", name: "Open" },
  { key: "overdue", name: "Overdue" },
] as const;

/**
 * Action items per class as horizontal stacked bars: done, then open (not yet due), then overdue, with the total
 * at the end. The x domain is [0, largest row total] made nice. Zero segments are not drawn.
 */
export function ActionBars({ rows, width = 640, height, label }: ActionBarsProps) {
  const legend = layoutLegend(
    STATES.map((s) => ({ key: s.key, label: s.name, color: ACTION_COLORS[s.key] })),
    width - 16,
  );
  const top = 8 + legend.rows * legend.rowHeight + 6;
  const h = height ?? top + 24 + Math.max(1, rows.length) * 26;
  const values = rows.map((r) => ({ done: count(r.done), open: count(r.open), overdue: count(r.overdue) }));
  const totals = values.map((v) => v.done + v.open + v.overdue);
  if (!rows.length) return <NoData width={width} height={h} label={label} kind="action-bars" />;

  const x = countScale(Math.max(...totals));
  const ticks = countTicks(x, x.domain()[1]);
  const labelWidth = Math.min(width * 0.3, Math.max(...rows.map((r) => textWidth(r.label)), 20));
  const margin = { top, right: 16 + textWidth(formatCount(Math.max(...totals))), bottom: 24, left: 12 + labelWidth };
  x.range([margin.left, width - margin.right]);
  const y = scaleBand<string>()
    .domain(rows.map((r) => r.key))
    .range([margin.top, h - margin.bottom])
    .padding(0.25);

  const sums = { done: sum(values, (v) => v.done), open: sum(values, (v) => v.open), overdue: sum(values, (v) => v.overdue) };
  const worst = values.reduce((best, v, i) => (v.overdue > values[best].overdue ? i : best), 0);
  const aria =
    `${label}: ${formatCount(sums.done)} done, ${formatCount(sums.open)} open, ${formatCount(sums.overdue)} overdue ` +
    `across ${rows.length} ${rows.length === 1 ? "class" : "classes"}` +
    (sums.overdue > 0 ? `; most overdue: ${rows[worst].label} (${formatCount(values[worst].overdue)})` : "");

  return (
    <ChartSvg width={width} height={h} label={aria} kind="action-bars">
      <Legend layout={legend} x={8} y={8} />
      <AxisX ticks={ticks} x={x} format={formatCount} y1={margin.top} y2={h - margin.bottom} />
      {rows.map((r, i) => {
        const v = values[i];
        const rowTop = y(r.key) ?? 0;
        let start = 0;
        return (
          <g key={r.key} className="row">
            <text x={margin.left - 8} y={px(rowTop + y.bandwidth() / 2)} dy="0.32em" textAnchor="end" fill={TEXT}>
              {truncate(r.label, labelWidth)}
            </text>
            {STATES.map((s) => {
              const n = v[s.key];
              const x0 = start;
              start += n;
              return n > 0 ? (
                <rect
                  key={s.key}
                  className={`bar bar-${s.key}`}
                  x={px(x(x0))}
                  y={px(rowTop)}
                  width={px(x(x0 + n) - x(x0))}
                  height={px(y.bandwidth())}
                  fill={ACTION_COLORS[s.key]}
                >
                  <title>{`${r.label} · ${s.name.toLowerCase()}: ${formatCount(n)} of ${formatCount(totals[i])}`}</title>
                </rect>
              ) : null;
            })}
            <text className="total" x={px(x(totals[i]) + 4)} y={px(rowTop + y.bandwidth() / 2)} dy="0.32em" fill={TEXT}>
              {formatCount(totals[i])}
            </text>
          </g>
        );
      })}
      <Baseline x1={x(0)} x2={x(0)} y1={margin.top} y2={h - margin.bottom} />
    </ChartSvg>
  );
}

/** The numbers behind <ActionBars>: done, open, overdue and total per row. */
export function actionBarsTable({ rows }: Pick<ActionBarsProps, "rows">): ChartTableData {
  return {
    columns: [
      { key: "label", label: "Class" },
      { key: "done", label: "Done", numeric: true },
      { key: "open", label: "Open", numeric: true },
      { key: "overdue", label: "Overdue", numeric: true },
      { key: "total", label: "Total", numeric: true },
    ],
    rows: rows.map((r) => {
      const [done, open, overdue] = [count(r.done), count(r.open), count(r.overdue)];
      return { label: r.label, done, open, overdue, total: done + open + overdue };
    }),
  };
}
