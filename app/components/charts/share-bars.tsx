import { scaleBand, scaleLinear } from "d3-scale";
import { type Dataset, type DataRow, cellText, colIndex } from "~/utils/dataset";
import { formatPct } from "./format";
import { AxisX, Baseline, ChartSvg, NoData, px, textWidth, tickCount, truncate } from "./frame";
import { CATEGORICAL, TEXT } from "./palette";

export type ShareBarsProps = {
  id: string;
  /** One row per bar, drawn in order. */
  data: Dataset;
  /** The row label column and the share column (percent; null shows "n/a"). */
  name: string;
  share: string;
  /** The short text beside each bar ("4 fires", "12 of 40"), and the tooltip, both from the row's cells. */
  side: (row: DataRow) => string;
  describe: (row: DataRow) => string;
  width?: number;
  /** Defaults to 26 px a row plus axis room. */
  height?: number;
  label: string;
  color?: string;
};

/** A share per row (alert rule precision, incidents no alert caught) as horizontal bars on a fixed 0–100% axis. */
export function ShareBars({ id, data, name, share, side, describe, width = 640, height, label, color = CATEGORICAL[0] }: ShareBarsProps) {
  const rows = data.rows;
  const h = height ?? 36 + Math.max(1, rows.length) * 26;
  if (!rows.length) return <NoData id={id} width={width} height={h} label={label} kind="share-bars" />;
  const names = rows.map((r) => String(r[name]));
  const shares = rows.map((r) => (typeof r[share] === "number" ? Math.min(100, Math.max(0, Number(r[share]))) : null));
  const sides = rows.map(side);
  const labelWidth = Math.min(width * 0.35, Math.max(...names.map((n) => textWidth(n)), 20));
  const margin = { top: 8, right: 16 + Math.max(...sides.map((s) => textWidth(s))), bottom: 26, left: 12 + labelWidth };
  const x = scaleLinear().domain([0, 100]).range([margin.left, width - margin.right]);
  const y = scaleBand<string>().domain(rows.map((_, i) => String(i))).range([margin.top, h - margin.bottom]).padding(0.25);

  const rated = rows.map((r, i) => ({ i, p: shares[i] })).filter((r): r is { i: number; p: number } => r.p !== null);
  const hi = rated.reduce<(typeof rated)[number] | null>((a, b) => (!a || b.p > a.p ? b : a), null);
  const lo = rated.reduce<(typeof rated)[number] | null>((a, b) => (!a || b.p < a.p ? b : a), null);
  const aria =
    `${label}: ${rows.length} ${rows.length === 1 ? "row" : "rows"}` +
    (hi && lo
      ? rated.length === 1
        ? `; ${names[hi.i]} ${cellText(data, rows[hi.i], share)}`
        : `; from ${cellText(data, rows[lo.i], share)} (${names[lo.i]}) to ${cellText(data, rows[hi.i], share)} (${names[hi.i]})`
      : "");

  return (
    <ChartSvg id={id} width={width} height={h} label={aria} kind="share-bars">
      <AxisX ticks={x.ticks(tickCount(width - margin.left - margin.right))} x={x} format={(t) => formatPct(t / 100)} y1={margin.top} y2={h - margin.bottom} />
      {rows.map((r, i) => {
        const top = y(String(i)) ?? 0;
        const mid = px(top + y.bandwidth() / 2);
        const p = shares[i];
        return (
          <g key={`${names[i]}-${i}`} className="row" data-row={i}>
            <title>{describe(r)}</title>
            <text x={margin.left - 8} y={mid} dy="0.32em" textAnchor="end" fill={TEXT}>
              {truncate(names[i], labelWidth)}
            </text>
            {p === null ? (
              <text className="na" x={margin.left + 4} y={mid} dy="0.32em" fill={TEXT}>
                n/a
              </text>
            ) : p > 0 ? (
              <rect className="bar" data-row={i} data-col={colIndex(data, share)} data-value={p} x={px(x(0))} y={px(top)} width={px(x(p) - x(0))} height={px(y.bandwidth())} fill={color} />
            ) : null}
            <text className="side" x={px(width - margin.right + 8)} y={mid} dy="0.32em" fill={TEXT}>
              {sides[i]}
            </text>
          </g>
        );
      })}
      <Baseline x1={x(0)} x2={x(0)} y1={margin.top} y2={h - margin.bottom} />
    </ChartSvg>
  );
}
