import { scaleLinear } from "d3-scale";
import { type Dataset, cellText, num, colIndex } from "~/utils/dataset";
import { textOn } from "./colour";
import { formatCount } from "./format";
import { ChartSvg, layoutLegend, Legend, NoData, px, textWidth } from "./frame";
import { colorFor } from "./palette";

export type SplitBarProps = {
  id: string;
  /** One row per part, drawn left to right: `source` (its name), `incidents`, `share` (percent). */
  data: Dataset;
  width?: number;
  /** Grows to fit the legend when too small. */
  height?: number;
  label: string;
};

const BAR = 28;

/** One bar split into parts that add up to 100% (incidents detected by alerts, by people, …), labels in contrast. */
export function SplitBar({ id, data, width = 640, height = 72, label }: SplitBarProps) {
  const rows = data.rows;
  const values = rows.map((r) => num(r, "incidents"));
  const total = values.reduce((s, n) => s + n, 0);
  if (!rows.length || total === 0) return <NoData id={id} width={width} height={height} label={label} kind="split-bar" />;
  const margin = { top: 8, right: 8, bottom: 8, left: 8 };
  const colors = rows.map((r, k) => colorFor(String(r.key ?? k), k));
  const text = (k: number) => `${rows[k].source} ${cellText(data, rows[k], "incidents")} (${cellText(data, rows[k], "share")})`;
  // Parts with nothing are not drawn, so they need no legend entry (the table and aria-label still list them).
  const legend = layoutLegend(
    rows.flatMap((r, k) => (values[k] > 0 ? [{ key: String(r.key ?? k), label: text(k), color: colors[k] }] : [])),
    width - margin.left - margin.right,
  );
  const h = Math.max(height, margin.top + BAR + 10 + legend.rows * legend.rowHeight + margin.bottom);
  const x = scaleLinear().domain([0, total]).range([margin.left, width - margin.right]);
  const aria = `${label}: ${rows.map((_, k) => text(k)).join(", ")} of ${formatCount(total)}`;

  let start = 0;
  return (
    <ChartSvg id={id} width={width} height={h} label={aria} kind="split-bar">
      {rows.map((r, k) => {
        const v = values[k];
        const x0 = start;
        start += v;
        if (v <= 0) return null;
        const w = x(x0 + v) - x(x0);
        const share = cellText(data, r, "share");
        return (
          <g key={String(r.key ?? k)} className="part">
            <rect className="bar" data-row={k} data-col={colIndex(data, "incidents")} data-value={v} x={px(x(x0))} y={margin.top} width={px(w)} height={BAR} fill={colors[k]}>
              <title>{`${r.source}: ${cellText(data, r, "incidents")} (${share} of ${formatCount(total)})`}</title>
            </rect>
            {w > textWidth(share) + 8 ? (
              <text x={px(x(x0) + w / 2)} y={margin.top + BAR / 2} dy="0.32em" textAnchor="middle" fill={textOn(colors[k])} aria-hidden="true">
                {share}
              </text>
            ) : null}
          </g>
        );
      })}
      <Legend id={id} layout={legend} x={margin.left} y={margin.top + BAR + 10} />
    </ChartSvg>
  );
}
