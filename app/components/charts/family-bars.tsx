import { scaleBand } from "d3-scale";
import { type Dataset, cellText, num, colIndex, sum } from "~/utils/dataset";
import { formatCount } from "./format";
import { AxisY, BandLabels, Baseline, ChartSvg, countScale, countTicks, layoutLegend, Legend, MAX_BAR, NoData, PartialMark, partialNote, periodName, px, textWidth } from "./frame";
import { ML, NON_ML, TEXT } from "./palette";

export type FamilyBarsProps = {
  id: string;
  /** One row per period: `period`, `partial`, `ml`, `nonMl`, `total`, `mlShare` (percent). */
  data: Dataset;
  width?: number;
  height?: number;
  label: string;
};

const FAMILIES = [
  { key: "ml", name: "ML-specific", color: ML },
  { key: "nonMl", name: "Non-ML", color: NON_ML },
] as const;

/** ML-specific vs non-ML incidents per period, side by side in the family colours; partial periods hatched. */
export function FamilyBars({ id, data, width = 640, height = 300, label }: FamilyBarsProps) {
  const rows = data.rows;
  if (!rows.length) return <NoData id={id} width={width} height={height} label={label} kind="family-bars" />;
  const periods = rows.map((r) => String(r.period));
  const y = countScale(Math.max(...rows.flatMap((r) => [num(r, "ml"), num(r, "nonMl")])));
  const ticks = countTicks(y, y.domain()[1]);
  const partial = partialNote(rows.map((r) => ({ period: String(r.period), partial: (r.partial as string | null) ?? null })));
  const legend = layoutLegend(
    [
      ...FAMILIES.map((f) => ({ key: f.key, label: f.name, color: f.color })),
      ...(partial ? [{ key: "partial", label: "partial period", color: TEXT, shape: "partial" as const }] : []),
    ],
    width - 16,
  );
  const margin = { top: 8 + legend.rows * legend.rowHeight + 6, right: 12, bottom: 24, left: 12 + Math.max(...ticks.map((t) => textWidth(formatCount(t))), 6) };
  y.range([height - margin.bottom, margin.top]);
  const x = scaleBand<string>().domain(periods).range([margin.left, width - margin.right]).padding(0.2);
  const group = Math.min(x.bandwidth(), MAX_BAR * 1.6);
  const inner = scaleBand<string>()
    .domain(FAMILIES.map((f) => f.key))
    .range([(x.bandwidth() - group) / 2, (x.bandwidth() + group) / 2])
    .padding(0.06);

  const [ml, nonMl] = [sum(data, "ml"), sum(data, "nonMl")];
  const share = (n: number) => (ml + nonMl ? ` (${Math.round((100 * n) / (ml + nonMl))}%)` : "");
  const span = periods.length === 1 ? `in ${periods[0]}` : `over ${periods.length} periods (${periods[0]} to ${periods[periods.length - 1]})`;
  const aria = `${label}: ML-specific ${formatCount(ml)}${share(ml)}, non-ML ${formatCount(nonMl)}${share(nonMl)} ${span}` + (partial ? `; ${partial}` : "");

  return (
    <ChartSvg id={id} width={width} height={height} label={aria} kind="family-bars">
      <Legend id={id} layout={legend} x={8} y={8} />
      <AxisY ticks={ticks} y={y} format={formatCount} x1={margin.left} x2={width - margin.right} />
      {FAMILIES.map((f) => (
        <g key={f.key} className={`series series-${f.key}`} fill={f.color}>
          {rows.map((r, i) => {
            const v = num(r, f.key);
            if (v <= 0) return null;
            const bar = { x: (x(periods[i]) ?? 0) + (inner(f.key) ?? 0), y: y(v), width: inner.bandwidth(), height: y(0) - y(v) };
            return (
              <g key={periods[i]}>
                <rect className="bar" data-row={i} data-col={colIndex(data, f.key)} data-value={v} x={px(bar.x)} y={px(bar.y)} width={px(bar.width)} height={px(bar.height)}>
                  <title>{`${periodName(periods[i], r.partial as string | null)} · ${f.name}: ${cellText(data, r, f.key)} of ${cellText(data, r, "total")} (ML-specific share ${cellText(data, r, "mlShare")})`}</title>
                </rect>
                {r.partial ? <PartialMark id={id} {...bar} /> : null}
              </g>
            );
          })}
        </g>
      ))}
      <Baseline x1={margin.left} x2={width - margin.right} y1={y(0)} y2={y(0)} />
      <BandLabels domain={periods} x={x} bandwidth={x.bandwidth()} y={height - margin.bottom + 6} plotWidth={width - margin.left - margin.right} />
    </ChartSvg>
  );
}
