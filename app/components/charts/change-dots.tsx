import { scaleBand } from "d3-scale";
import { type Dataset, cellText, num, colIndex } from "~/utils/dataset";
import { formatCount } from "./format";
import { AxisX, ChartSvg, countScale, countTicks, layoutLegend, Legend, NoData, px, textWidth, tickCount, truncate } from "./frame";
import { CATEGORICAL, HIGHLIGHT, OTHER, TEXT } from "./palette";

export type ChangeDotsProps = {
  id: string;
  /** One row per class: `class`, `before`, `now`, `change`, `direction`. */
  data: Dataset;
  width?: number;
  height?: number;
  label: string;
  /** Rows drawn (the dataset is sorted by the size of the change). */
  limit?: number;
};

const UP = HIGHLIGHT;
const DOWN = CATEGORICAL[0];

/**
 * Each class then and now: a hollow dot at the previous period's count, a filled one at this period's, joined by a
 * line; more incidents in vermillion, fewer in blue, and the change written at the end of the row.
 */
export function ChangeDots({ id, data, width = 640, height, label, limit = 10 }: ChangeDotsProps) {
  const rows = data.rows.slice(0, limit);
  const legend = layoutLegend(
    [
      { key: "before", label: "previous period", color: TEXT, fill: "#fff" },
      { key: "up", label: "now: more", color: UP },
      { key: "down", label: "now: fewer", color: DOWN },
    ],
    width - 16,
  );
  const top = 8 + legend.rows * legend.rowHeight + 6;
  const h = height ?? top + 26 + Math.max(1, rows.length) * 26;
  if (!rows.length) return <NoData id={id} width={width} height={h} label={label} kind="change-dots" />;

  const names = rows.map((r) => String(r.class));
  const changes = rows.map((r) => (num(r, "change") > 0 ? `+${cellText(data, r, "change")}` : cellText(data, r, "change")));
  const labelWidth = Math.min(width * 0.3, Math.max(...names.map((n) => textWidth(n)), 20));
  const margin = { top, right: 16 + Math.max(...changes.map((c) => textWidth(c))), bottom: 26, left: 12 + labelWidth };
  const n = tickCount(width - margin.left - margin.right);
  const x = countScale(Math.max(...rows.flatMap((r) => [num(r, "before"), num(r, "now")])), n);
  const ticks = countTicks(x, x.domain()[1], n);
  x.range([margin.left, width - margin.right]);
  const keys = rows.map((r, i) => String(r.key ?? i));
  const y = scaleBand<string>().domain(keys).range([margin.top, h - margin.bottom]).padding(0.3);

  const aria =
    `${label}: ` +
    rows.map((r, i) => `${names[i]} ${cellText(data, r, "before")} → ${cellText(data, r, "now")} (${changes[i]})`).join("; ") +
    (data.rows.length > rows.length ? `; ${data.rows.length - rows.length} more classes in the table` : "");

  return (
    <ChartSvg id={id} width={width} height={h} label={aria} kind="change-dots">
      <Legend id={id} layout={legend} x={8} y={8} />
      <AxisX ticks={ticks} x={x} format={formatCount} y1={margin.top} y2={h - margin.bottom} />
      {rows.map((r, i) => {
        const mid = px((y(keys[i]) ?? 0) + y.bandwidth() / 2);
        const [a, b] = [num(r, "before"), num(r, "now")];
        const color = b > a ? UP : b < a ? DOWN : OTHER;
        return (
          <g key={keys[i]} className="row" data-row={i}>
            <title>{`${names[i]}: ${cellText(data, r, "before")} → ${cellText(data, r, "now")} incidents (${changes[i]}, ${r.direction})`}</title>
            <text x={margin.left - 8} y={mid} dy="0.32em" textAnchor="end" fill={TEXT}>
              {truncate(names[i], labelWidth)}
            </text>
            <line x1={px(x(a))} x2={px(x(b))} y1={mid} y2={mid} stroke={color} strokeWidth={2} />
            <circle className="before" data-row={i} data-col={colIndex(data, "before")} data-value={a} cx={px(x(a))} cy={mid} r={5} fill="#fff" stroke={TEXT} strokeWidth={1.5} />
            <circle className="now" data-row={i} data-col={colIndex(data, "now")} data-value={b} cx={px(x(b))} cy={mid} r={5} fill={color} />
            <text className="change" x={px(width - margin.right + 8)} y={mid} dy="0.32em" fill={TEXT}>
              {changes[i]}
            </text>
          </g>
        );
      })}
    </ChartSvg>
  );
}
