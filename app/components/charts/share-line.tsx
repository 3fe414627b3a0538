import { scaleLinear, scalePoint } from "d3-scale";
import { line } from "d3-shape";
import { type Dataset, cellText, colIndex } from "~/utils/dataset";
import { formatCount, formatPct } from "./format";
import { AxisY, BandLabels, ChartSvg, NoData, partialNote, periodName, px, textWidth } from "./frame";
import { CATEGORICAL } from "./palette";

export type ShareLineProps = {
  id: string;
  /** One row per period: `period`, `partial`, the `share` (percent, null when `of` is 0), its `part` and what it is a share `of`. */
  data: Dataset;
  part: string;
  of: string;
  width?: number;
  height?: number;
  label: string;
  color?: string;
};

/**
 * A share per period (repeats among classified incidents) as a line with dots on a fixed 0–100% axis. A period
 * with nothing to share is a gap; a partial period is a hollow dot.
 */
export function ShareLine({ id, data, part, of, width = 640, height = 240, label, color = CATEGORICAL[0] }: ShareLineProps) {
  const rows = data.rows;
  const known = rows.filter((r) => typeof r.share === "number");
  if (!known.length) return <NoData id={id} width={width} height={height} label={label} kind="share-line" />;
  const periods = rows.map((r) => String(r.period));
  const margin = { top: 10, right: 16, bottom: 24, left: 12 + textWidth("100%") };
  const x = scalePoint<string>().domain(periods).range([margin.left, width - margin.right]).padding(0.5);
  const y = scaleLinear().domain([0, 100]).range([height - margin.bottom, margin.top]);
  const path = line<(typeof rows)[number]>()
    .defined((r) => typeof r.share === "number")
    .x((r) => px(x(String(r.period))))
    .y((r) => px(y(Number(r.share))))(rows);

  const describe = (r: (typeof rows)[number]) => `${cellText(data, r, "share")} (${cellText(data, r, part)} of ${cellText(data, r, of)})`;
  const [first, last] = [known[0], known[known.length - 1]];
  const high = known.reduce((a, b) => (Number(b.share) > Number(a.share) ? b : a));
  const low = known.reduce((a, b) => (Number(b.share) < Number(a.share) ? b : a));
  const totalPart = rows.reduce((s, r) => s + (typeof r[part] === "number" ? Number(r[part]) : 0), 0);
  const totalOf = rows.reduce((s, r) => s + (typeof r[of] === "number" ? Number(r[of]) : 0), 0);
  const partial = partialNote(rows.map((r) => ({ period: String(r.period), partial: (r.partial as string | null) ?? null })));
  const aria =
    `${label}: ` +
    (known.length === 1
      ? `${describe(first)} in ${first.period}`
      : `${describe(first)} in ${first.period} to ${describe(last)} in ${last.period}; high ${cellText(data, high, "share")} in ${high.period}, low ${cellText(data, low, "share")} in ${low.period}`) +
    `; overall ${formatPct(totalOf ? totalPart / totalOf : 0)} (${formatCount(totalPart)} of ${formatCount(totalOf)})` +
    (partial ? `; ${partial}` : "");

  return (
    <ChartSvg id={id} width={width} height={height} label={aria} kind="share-line">
      <AxisY ticks={y.ticks(5)} y={y} format={(t) => formatPct(t / 100)} x1={margin.left} x2={width - margin.right} />
      <path className="line" d={path ?? ""} fill="none" stroke={color} strokeWidth={2} />
      <g className="points">
        {known.map((r) => (
          <circle
            key={String(r.period)}
            className={r.partial ? "point partial" : "point"}
            data-row={rows.indexOf(r)} data-col={colIndex(data, "share")} data-value={Number(r.share)}
            cx={px(x(String(r.period)))}
            cy={px(y(Number(r.share)))}
            r={4}
            fill={r.partial ? "#fff" : color}
            stroke={color}
            strokeWidth={2}
          >
            <title>{`${periodName(String(r.period), r.partial as string | null)}: ${describe(r)}`}</title>
          </circle>
        ))}
      </g>
      <BandLabels domain={periods} x={x} bandwidth={0} y={height - margin.bottom + 6} plotWidth={width - margin.left - margin.right} />
    </ChartSvg>
  );
}
