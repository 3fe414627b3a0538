import { sum } from "d3-array";
import { scaleBand } from "d3-scale";
import { stack } from "d3-shape";
import type { ChartTableData } from "./chart-table";
import { formatCount } from "./format";
import { AxisY, BandLabels, Baseline, barSlot, ChartSvg, count, countScale, countTicks, layoutLegend, Legend, NoData, px, textWidth } from "./frame";
import { colorFor } from "./palette";

export type StackedSeries = { key: string; label: string; values: number[]; color?: string };
export type StackedBarsProps = {
  /** Period keys in order ("2026-01", "2026-Q1"), shown as the x labels. */
  periods: string[];
  /** Stack order, bottom first; `values[i]` belongs to `periods[i]`. Include an "Other" series when needed. */
  series: StackedSeries[];
  width?: number;
  height?: number;
  label: string;
};

/**
 * Counts per period stacked by series (e.g. incidents per month by failure class). The y domain is
 * [0, largest period total] made nice by d3, so a period whose total is that nice maximum fills the plot height.
 * Zero segments are not drawn.
 */
export function StackedBars({ periods, series, width = 640, height = 280, label }: StackedBarsProps) {
  if (!periods.length || !series.length) return <NoData width={width} height={height} label={label} kind="stacked-bars" />;
  const totals = periods.map((_, i) => sum(series, (s) => count(s.values[i])));
  const seriesTotals = series.map((s) => sum(periods, (_, i) => count(s.values[i])));
  const grand = sum(totals);

  const y = countScale(Math.max(...totals));
  const yMax = y.domain()[1];
  const ticks = countTicks(y, yMax);
  const legend = layoutLegend(
    series.map((s, k) => ({ key: s.key, label: s.label, color: colorFor(s.key, k, s.color) })),
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

  const rows = periods.map((_, i) => Object.fromEntries(series.map((s, k) => [String(k), count(s.values[i])])));
  const layers = stack().keys(series.map((_, k) => String(k)))(rows);

  const peak = totals.indexOf(Math.max(...totals));
  const span = periods.length === 1 ? `in ${periods[0]}` : `over ${periods.length} periods (${periods[0]} to ${periods[periods.length - 1]})`;
  const aria =
    `${label}: ${formatCount(grand)} in total ${span}; ` +
    series.map((s, k) => `${s.label} ${formatCount(seriesTotals[k])}`).join(", ") +
    (grand > 0 && periods.length > 1 ? `; peak ${formatCount(totals[peak])} in ${periods[peak]}` : "");

  return (
    <ChartSvg width={width} height={height} label={aria} kind="stacked-bars">
      <Legend layout={legend} x={8} y={8} />
      <AxisY ticks={ticks} y={y} format={formatCount} x1={margin.left} x2={width - margin.right} />
      {layers.map((layer, k) => {
        const s = series[k];
        const color = colorFor(s.key, k, s.color);
        return (
          <g key={s.key} className="series" fill={color}>
            {layer.map(([y0, y1], i) =>
              y1 > y0 ? (
                <rect
                  key={periods[i]}
                  className="bar"
                  {...barSlot(x(periods[i]), x.bandwidth())}
                  y={px(y(y1))}
                  height={px(y(y0) - y(y1))}
                >
                  <title>{`${periods[i]} · ${s.label}: ${formatCount(y1 - y0)} of ${formatCount(totals[i])}`}</title>
                </rect>
              ) : null,
            )}
          </g>
        );
      })}
      <Baseline x1={margin.left} x2={width - margin.right} y1={y(0)} y2={y(0)} />
      <BandLabels domain={periods} x={x} bandwidth={x.bandwidth()} y={height - margin.bottom + 6} plotWidth={width - margin.left - margin.right} />
    </ChartSvg>
  );
}

/** The numbers behind <StackedBars>: one row per period, one column per series, and the total. */
export function stackedBarsTable({ periods, series }: Pick<StackedBarsProps, "periods" | "series">): ChartTableData {
  return {
    columns: [
      { key: "period", label: "Period" },
      ...series.map((s, k) => ({ key: `s${k}`, label: s.label, numeric: true })),
      { key: "total", label: "Total", numeric: true },
    ],
    rows: periods.map((p, i) => ({
      period: p,
      ...Object.fromEntries(series.map((s, k) => [`s${k}`, count(s.values[i])])),
      total: sum(series, (s) => count(s.values[i])),
    })),
  };
}
