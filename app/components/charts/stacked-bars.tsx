import { scaleBand } from "d3-scale";
import { stack } from "d3-shape";
import { type Column, type Dataset, cellText, colIndex, num } from "~/utils/dataset";
import { AxisY, BandLabels, Baseline, barSlot, ChartSvg, countScale, countTicks, layoutLegend, Legend, NoData, PartialMark, partialNote, periodName, px, seriesPaint, textWidth } from "./frame";
import { formatCount } from "./format";
import { TEXT } from "./palette";

export type StackedBarsProps = {
  id: string;
  /** One row per period: `period`, `partial` (what a cut period covers, or null), one count column per series, `total`. */
  data: Dataset;
  /** The columns to stack, bottom first ("other" is grey, "unclassified" hatched). */
  series: Column[];
  width?: number;
  height?: number;
  label: string;
};

/**
 * Counts per period stacked by series (incidents per period by failure class), drawn from the dataset's rows:
 * bar heights from the counts, tooltips from the formatted cells, the aria-label from the `total` column.
 * Partial periods are hatched and named in the legend. Zero segments are not drawn.
 */
export function StackedBars({ id, data, series, width = 640, height = 300, label }: StackedBarsProps) {
  const rows = data.rows;
  if (!rows.length || !series.length) return <NoData id={id} width={width} height={height} label={label} kind="stacked-bars" />;
  const periods = rows.map((r) => String(r.period));
  const totals = rows.map((r) => num(r, "total"));
  const grand = totals.reduce((s, n) => s + n, 0);
  const y = countScale(Math.max(...totals));
  const ticks = countTicks(y, y.domain()[1]);
  const partial = partialNote(rows.map((r) => ({ period: String(r.period), partial: (r.partial as string | null) ?? null })));
  const paints = series.map((s, k) => seriesPaint(s.key, k, id));
  const legend = layoutLegend(
    [
      ...series.map((s, k) => ({ key: s.key, label: s.label, color: paints[k].swatch, fill: paints[k].stroke ? paints[k].fill : undefined })),
      ...(partial ? [{ key: "partial", label: "partial period", color: TEXT, shape: "partial" as const }] : []),
    ],
    width - 16,
  );
  const margin = { top: 8 + legend.rows * legend.rowHeight + 6, right: 12, bottom: 24, left: 12 + Math.max(...ticks.map((t) => textWidth(formatCount(t))), 6) };
  y.range([height - margin.bottom, margin.top]);
  const x = scaleBand<string>().domain(periods).range([margin.left, width - margin.right]).padding(0.2);
  const layers = stack<(typeof rows)[number]>()
    .keys(series.map((s) => s.key))
    .value((r, key) => num(r, key))(rows);

  const peak = totals.indexOf(Math.max(...totals));
  const span = periods.length === 1 ? `in ${periods[0]}` : `over ${periods.length} periods (${periods[0]} to ${periods[periods.length - 1]})`;
  const seriesTotals = series.map((s) => rows.reduce((sum, r) => sum + num(r, s.key), 0));
  const aria =
    `${label}: ${formatCount(grand)} in total ${span}; ` +
    series.map((s, k) => `${s.label} ${formatCount(seriesTotals[k])}`).join(", ") +
    (grand > 0 && periods.length > 1 ? `; peak ${cellText(data, rows[peak], "total")} in ${periods[peak]}` : "") +
    (partial ? `; ${partial}` : "");

  return (
    <ChartSvg id={id} width={width} height={height} label={aria} kind="stacked-bars">
      <Legend id={id} layout={legend} x={8} y={8} />
      <AxisY ticks={ticks} y={y} format={formatCount} x1={margin.left} x2={width - margin.right} />
      {layers.map((layer, k) => {
        const s = series[k];
        return (
          <g key={s.key} className={`series series-${s.key}`} fill={paints[k].fill} stroke={paints[k].stroke}>
            {layer.map(([y0, y1], i) =>
              y1 > y0 ? (
                <rect key={periods[i]} className="bar" data-row={i} data-col={colIndex(data, s.key)} data-value={num(rows[i], s.key)} {...barSlot(x(periods[i]), x.bandwidth())} y={px(y(y1))} height={px(y(y0) - y(y1))}>
                  <title>{`${periodName(periods[i], rows[i].partial as string | null)} · ${s.label}: ${cellText(data, rows[i], s.key)} of ${cellText(data, rows[i], "total")}`}</title>
                </rect>
              ) : null,
            )}
          </g>
        );
      })}
      {rows.map((r, i) =>
        r.partial && totals[i] > 0 ? <PartialMark key={periods[i]} id={id} {...barSlot(x(periods[i]), x.bandwidth())} y={y(totals[i])} height={y(0) - y(totals[i])} /> : null,
      )}
      <Baseline x1={margin.left} x2={width - margin.right} y1={y(0)} y2={y(0)} />
      <BandLabels domain={periods} x={x} bandwidth={x.bandwidth()} y={height - margin.bottom + 6} plotWidth={width - margin.left - margin.right} />
    </ChartSvg>
  );
}
