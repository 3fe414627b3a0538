import { sum } from "d3-array";
import { scaleBand } from "d3-scale";
import type { ChartTableData } from "./chart-table";
import { formatCount, formatPct } from "./format";
import { AxisY, BandLabels, Baseline, ChartSvg, count, countScale, countTicks, layoutLegend, Legend, MAX_BAR, NoData, px, textWidth } from "./frame";
import { ML, NON_ML } from "./palette";

export type FamilyBarsProps = {
  /** Period keys in order ("2026-Q1"). */
  periods: string[];
  /** ML-specific counts, `ml[i]` for `periods[i]`. */
  ml: number[];
  /** Non-ML counts. */
  nonMl: number[];
  width?: number;
  height?: number;
  label: string;
  /** Side by side (compare the families) or stacked (see the total). */
  mode?: "grouped" | "stacked";
  mlLabel?: string;
  nonMlLabel?: string;
};

/**
 * ML-specific vs non-ML counts per period, in the family colours. The y domain is [0, largest bar] made nice
 * (largest single value when grouped, largest period total when stacked). Zero bars are not drawn.
 */
export function FamilyBars({
  periods,
  ml,
  nonMl,
  width = 640,
  height = 280,
  label,
  mode = "grouped",
  mlLabel = "ML-specific",
  nonMlLabel = "Non-ML",
}: FamilyBarsProps) {
  if (!periods.length) return <NoData width={width} height={height} label={label} kind="family-bars" />;
  const a = periods.map((_, i) => count(ml[i]));
  const b = periods.map((_, i) => count(nonMl[i]));
  const totals = periods.map((_, i) => a[i] + b[i]);
  const [mlTotal, nonMlTotal] = [sum(a), sum(b)];
  const grand = mlTotal + nonMlTotal;

  const y = countScale(Math.max(...(mode === "stacked" ? totals : [...a, ...b])));
  const ticks = countTicks(y, y.domain()[1]);
  const legend = layoutLegend(
    [
      { key: "ml", label: mlLabel, color: ML },
      { key: "non-ml", label: nonMlLabel, color: NON_ML },
    ],
    width - 16,
  );
  const margin = {
    top: 8 + legend.rows * legend.rowHeight + 6,
    right: 12,
    bottom: 22,
    left: 12 + Math.max(...ticks.map((t) => textWidth(formatCount(t))), 6),
  };
  y.range([height - margin.bottom, margin.top]);
  const x = scaleBand<string>()
    .domain(periods)
    .range([margin.left, width - margin.right])
    .padding(0.2);
  // The pair (or the stack) is at most MAX_BAR-ish wide, centred in its period.
  const group = Math.min(x.bandwidth(), mode === "stacked" ? MAX_BAR : MAX_BAR * 1.6);
  const inner = scaleBand<string>()
    .domain(mode === "stacked" ? ["all"] : ["ml", "non-ml"])
    .range([(x.bandwidth() - group) / 2, (x.bandwidth() + group) / 2])
    .padding(mode === "stacked" ? 0 : 0.06);

  const families = [
    { key: "ml", name: mlLabel, values: a, color: ML },
    { key: "non-ml", name: nonMlLabel, values: b, color: NON_ML },
  ];
  const span = periods.length === 1 ? `in ${periods[0]}` : `over ${periods.length} periods (${periods[0]} to ${periods[periods.length - 1]})`;
  const aria =
    `${label}: ${mlLabel} ${formatCount(mlTotal)}` +
    (grand ? ` (${formatPct(mlTotal / grand)})` : "") +
    `, ${nonMlLabel} ${formatCount(nonMlTotal)}` +
    (grand ? ` (${formatPct(nonMlTotal / grand)})` : "") +
    ` ${span}`;

  return (
    <ChartSvg width={width} height={height} label={aria} kind="family-bars">
      <Legend layout={legend} x={8} y={8} />
      <AxisY ticks={ticks} y={y} format={formatCount} x1={margin.left} x2={width - margin.right} />
      {families.map((f, k) => (
        <g key={f.key} className={`series series-${f.key}`} fill={f.color}>
          {periods.map((p, i) => {
            const v = f.values[i];
            if (v <= 0) return null;
            // Stacked: ML at the bottom, non-ML on top of it.
            const base = mode === "stacked" && k === 1 ? a[i] : 0;
            return (
              <rect
                key={p}
                className="bar"
                x={px((x(p) ?? 0) + (inner(mode === "stacked" ? "all" : f.key) ?? 0))}
                y={px(y(base + v))}
                width={px(inner.bandwidth())}
                height={px(y(base) - y(base + v))}
              >
                <title>{`${p} · ${f.name}: ${formatCount(v)} (${formatPct(v / totals[i])} of ${formatCount(totals[i])})`}</title>
              </rect>
            );
          })}
        </g>
      ))}
      <Baseline x1={margin.left} x2={width - margin.right} y1={y(0)} y2={y(0)} />
      <BandLabels domain={periods} x={x} bandwidth={x.bandwidth()} y={height - margin.bottom + 6} plotWidth={width - margin.left - margin.right} />
    </ChartSvg>
  );
}

/** The numbers behind <FamilyBars>: both families, the total and the ML share per period. */
export function familyBarsTable({
  periods,
  ml,
  nonMl,
  mlLabel = "ML-specific",
  nonMlLabel = "Non-ML",
}: Pick<FamilyBarsProps, "periods" | "ml" | "nonMl" | "mlLabel" | "nonMlLabel">): ChartTableData {
  return {
    columns: [
      { key: "period", label: "Period" },
      { key: "ml", label: mlLabel, numeric: true },
      { key: "nonMl", label: nonMlLabel, numeric: true },
      { key: "total", label: "Total", numeric: true },
      { key: "mlShare", label: `${mlLabel} share`, numeric: true, format: (v) => (typeof v === "number" ? formatPct(v) : "–") },
    ],
    rows: periods.map((p, i) => {
      const [m, n] = [count(ml[i]), count(nonMl[i])];
      return { period: p, ml: m, nonMl: n, total: m + n, mlShare: m + n > 0 ? m / (m + n) : null };
    }),
  };
}
