import { sum } from "d3-array";
import { scaleBand, scaleLinear } from "d3-scale";
import type { ChartTableData } from "./chart-table";
import { formatCount, formatPct } from "./format";
import { AxisX, Baseline, ChartSvg, count, NoData, px, textWidth, truncate } from "./frame";
import { CATEGORICAL, TEXT } from "./palette";

export type PrecisionRow = { rule: string; precision: number; fires: number };
export type PrecisionBarsProps = {
  /** Drawn in the order given. A precision that is not a finite number (a rule with no alerts) shows "n/a". */
  rows: PrecisionRow[];
  width?: number;
  /** Defaults to 24 px a rule plus axis room. */
  height?: number;
  label: string;
  color?: string;
};

const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** Precision per alert rule as horizontal bars on a fixed 0–100% axis, with each rule's fire count beside it. */
export function PrecisionBars({ rows, width = 640, height, label, color = CATEGORICAL[0] }: PrecisionBarsProps) {
  const h = height ?? 34 + Math.max(1, rows.length) * 24;
  if (!rows.length) return <NoData width={width} height={h} label={label} kind="precision-bars" />;
  const fires = rows.map((r) => count(r.fires));
  const precision = rows.map((r) => (Number.isFinite(r.precision) ? Math.min(1, Math.max(0, r.precision)) : null));

  const labelWidth = Math.min(width * 0.35, Math.max(...rows.map((r) => textWidth(r.rule)), 20));
  const firesWidth = Math.max(...fires.map((f) => textWidth(plural(f, "fire", "fires"))));
  const margin = { top: 8, right: 16 + firesWidth, bottom: 24, left: 12 + labelWidth };
  const x = scaleLinear()
    .domain([0, 1])
    .range([margin.left, width - margin.right]);
  const y = scaleBand<string>()
    .domain(rows.map((_, i) => String(i)))
    .range([margin.top, h - margin.bottom])
    .padding(0.25);

  const rated = rows.map((r, i) => ({ rule: r.rule, p: precision[i] })).filter((r): r is { rule: string; p: number } => r.p !== null);
  const best = rated.reduce<(typeof rated)[number] | null>((a, b) => (!a || b.p > a.p ? b : a), null);
  const worst = rated.reduce<(typeof rated)[number] | null>((a, b) => (!a || b.p < a.p ? b : a), null);
  const aria =
    `${label}: ${plural(rows.length, "rule", "rules")}, ${plural(sum(fires), "fire", "fires")}` +
    (best && worst
      ? rated.length === 1
        ? `; precision ${formatPct(best.p)} (${best.rule})`
        : `; precision from ${formatPct(worst.p)} (${worst.rule}) to ${formatPct(best.p)} (${best.rule})`
      : "");

  return (
    <ChartSvg width={width} height={h} label={aria} kind="precision-bars">
      <AxisX ticks={x.ticks(5)} x={x} format={(t) => formatPct(t)} y1={margin.top} y2={h - margin.bottom} />
      {rows.map((r, i) => {
        const top = y(String(i)) ?? 0;
        const mid = px(top + y.bandwidth() / 2);
        const p = precision[i];
        return (
          <g key={`${r.rule}-${i}`} className="row">
            <text x={margin.left - 8} y={mid} dy="0.32em" textAnchor="end" fill={TEXT}>
              {truncate(r.rule, labelWidth)}
            </text>
            {p === null ? (
              <text className="na" x={margin.left + 4} y={mid} dy="0.32em" fill={TEXT}>
                n/a
              </text>
            ) : p > 0 ? (
              <rect className="bar" x={px(x(0))} y={px(top)} width={px(x(p) - x(0))} height={px(y.bandwidth())} fill={color}>
                <title>{`${r.rule}: ${formatPct(p)} precision, ${plural(fires[i], "fire", "fires")}`}</title>
              </rect>
            ) : null}
            <text className="fires" x={px(width - margin.right + 8)} y={mid} dy="0.32em" fill={TEXT}>
              <title>{`${r.rule}: ${p === null ? "no precision yet" : `${formatPct(p)} precision`}, ${plural(fires[i], "fire", "fires")}`}</title>
              {plural(fires[i], "fire", "fires")}
            </text>
          </g>
        );
      })}
      <Baseline x1={x(0)} x2={x(0)} y1={margin.top} y2={h - margin.bottom} />
    </ChartSvg>
  );
}

/** The numbers behind <PrecisionBars>: precision and fires per rule. */
export function precisionBarsTable({ rows }: Pick<PrecisionBarsProps, "rows">): ChartTableData {
  return {
    columns: [
      { key: "rule", label: "Rule" },
      { key: "precision", label: "Precision", numeric: true, format: (v) => (typeof v === "number" ? formatPct(v, 1) : "n/a") },
      { key: "fires", label: "Fires", numeric: true },
    ],
    rows: rows.map((r) => ({ rule: r.rule, precision: Number.isFinite(r.precision) ? r.precision : null, fires: count(r.fires) })),
  };
}
