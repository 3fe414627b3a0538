import { scaleBand } from "d3-scale";
import { type Dataset, cellText, num, colIndex, sum } from "~/utils/dataset";
import { formatCount } from "./format";
import { AxisX, Baseline, ChartSvg, countScale, countTicks, layoutLegend, Legend, NoData, px, textWidth, tickCount, truncate } from "./frame";
import { ACTION_COLORS, TEXT } from "./palette";

export type ActionBarsProps = {
  id: string;
  /** One row per class: `class`, `done`, `open`, `overdue`, `total`. */
  data: Dataset;
  width?: number;
  /** Defaults to 28 px a row plus legend and axis room. */
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
 * at the end. The x domain is [0, largest total] made nice. Zero segments are not drawn.
 */
export function ActionBars({ id, data, width = 640, height, label }: ActionBarsProps) {
  const rows = data.rows;
  const legend = layoutLegend(
    STATES.map((s) => ({ key: s.key, label: s.name, color: ACTION_COLORS[s.key] })),
    width - 16,
  );
  const top = 8 + legend.rows * legend.rowHeight + 6;
  const h = height ?? top + 26 + Math.max(1, rows.length) * 28;
  if (!rows.length) return <NoData id={id} width={width} height={h} label={label} kind="action-bars" />;

  const totals = rows.map((r) => num(r, "total"));
  const names = rows.map((r) => String(r.class));
  const labelWidth = Math.min(width * 0.3, Math.max(...names.map((n) => textWidth(n)), 20));
  const margin = { top, right: 16 + textWidth(formatCount(Math.max(...totals))), bottom: 26, left: 12 + labelWidth };
  const x = countScale(Math.max(...totals), tickCount(width - margin.left - margin.right));
  const ticks = countTicks(x, x.domain()[1], tickCount(width - margin.left - margin.right));
  x.range([margin.left, width - margin.right]);
  const keys = rows.map((r, i) => String(r.key ?? i));
  const y = scaleBand<string>().domain(keys).range([margin.top, h - margin.bottom]).padding(0.25);

  const sums = Object.fromEntries(STATES.map((s) => [s.key, sum(data, s.key)]));
  const worst = rows.reduce((best, r, i) => (num(r, "overdue") > num(rows[best], "overdue") ? i : best), 0);
  const aria =
    `${label}: ${formatCount(sums.done)} done, ${formatCount(sums.open)} open, ${formatCount(sums.overdue)} overdue ` +
    `across ${rows.length} ${rows.length === 1 ? "class" : "classes"}` +
    (sums.overdue > 0 ? `; most overdue: ${names[worst]} (${cellText(data, rows[worst], "overdue")})` : "");

  return (
    <ChartSvg id={id} width={width} height={h} label={aria} kind="action-bars">
      <Legend id={id} layout={legend} x={8} y={8} />
      <AxisX ticks={ticks} x={x} format={formatCount} y1={margin.top} y2={h - margin.bottom} />
      {rows.map((r, i) => {
        const rowTop = y(keys[i]) ?? 0;
        let start = 0;
        return (
          <g key={keys[i]} className="row">
            <text x={margin.left - 8} y={px(rowTop + y.bandwidth() / 2)} dy="0.32em" textAnchor="end" fill={TEXT}>
              {truncate(names[i], labelWidth)}
            </text>
            {STATES.map((s) => {
              const n = num(r, s.key);
              const x0 = start;
              start += n;
              return n > 0 ? (
                <rect key={s.key} className={`bar bar-${s.key}`} data-row={i} data-col={colIndex(data, s.key)} data-value={n} x={px(x(x0))} y={px(rowTop)} width={px(x(x0 + n) - x(x0))} height={px(y.bandwidth())} fill={ACTION_COLORS[s.key]}>
                  <title>{`${names[i]} · ${s.name.toLowerCase()}: ${cellText(data, r, s.key)} of ${cellText(data, r, "total")}`}</title>
                </rect>
              ) : null;
            })}
            <text className="total" x={px(x(totals[i]) + 4)} y={px(rowTop + y.bandwidth() / 2)} dy="0.32em" fill={TEXT}>
              {cellText(data, r, "total")}
            </text>
          </g>
        );
      })}
      <Baseline x1={x(0)} x2={x(0)} y1={margin.top} y2={h - margin.bottom} />
    </ChartSvg>
  );
}
