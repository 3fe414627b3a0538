import { sum } from "d3-array";
import { scaleLinear } from "d3-scale";
import type { ChartTableData } from "./chart-table";
import { formatCount, formatPct } from "./format";
import { ChartSvg, count, layoutLegend, Legend, NoData, px, textWidth } from "./frame";
import { colorFor } from "./palette";

export type SplitPart = { key: string; label: string; value: number; color?: string };
export type SplitBarProps = {
  /** Drawn left to right in the order given. */
  parts: SplitPart[];
  width?: number;
  /** Grows to fit the legend when too small. */
  height?: number;
  label: string;
};

const BAR = 24;

/** One bar split into parts that add up to 100% (e.g. incidents detected by alerts vs by people). */
export function SplitBar({ parts, width = 640, height = 72, label }: SplitBarProps) {
  const values = parts.map((p) => count(p.value));
  const total = sum(values);
  if (!parts.length || total === 0) return <NoData width={width} height={height} label={label} kind="split-bar" />;
  const margin = { top: 8, right: 8, bottom: 8, left: 8 };
  const legend = layoutLegend(
    parts.map((p, k) => ({
      key: p.key,
      label: `${p.label} ${formatCount(values[k])} (${formatPct(values[k] / total)})`,
      color: colorFor(p.key, k, p.color),
    })),
    width - margin.left - margin.right,
  );
  const h = Math.max(height, margin.top + BAR + 10 + legend.rows * legend.rowHeight + margin.bottom);
  const x = scaleLinear()
    .domain([0, total])
    .range([margin.left, width - margin.right]);

  let start = 0;
  const aria =
    `${label}: ` + parts.map((p, k) => `${p.label} ${formatCount(values[k])} (${formatPct(values[k] / total)})`).join(", ") + ` of ${formatCount(total)}`;

  return (
    <ChartSvg width={width} height={h} label={aria} kind="split-bar">
      {parts.map((p, k) => {
        const v = values[k];
        const x0 = start;
        start += v;
        if (v <= 0) return null;
        const w = x(x0 + v) - x(x0);
        const pct = formatPct(v / total);
        return (
          <g key={p.key} className="part">
            <rect className="bar" x={px(x(x0))} y={margin.top} width={px(w)} height={BAR} fill={colorFor(p.key, k, p.color)}>
              <title>{`${p.label}: ${formatCount(v)} (${pct} of ${formatCount(total)})`}</title>
            </rect>
            {w > textWidth(pct) + 8 ? (
              <text x={px(x(x0) + w / 2)} y={margin.top + BAR / 2} dy="0.32em" textAnchor="middle" fill="#fff" aria-hidden="true">
                {pct}
              </text>
            ) : null}
          </g>
        );
      })}
      <Legend layout={legend} x={margin.left} y={margin.top + BAR + 10} />
    </ChartSvg>
  );
}

/** The numbers behind <SplitBar>: value and share per part. */
export function splitBarTable({ parts }: Pick<SplitBarProps, "parts">): ChartTableData {
  const total = sum(parts, (p) => count(p.value));
  return {
    columns: [
      { key: "label", label: "Part" },
      { key: "value", label: "Count", numeric: true },
      { key: "share", label: "Share", numeric: true, format: (v) => (typeof v === "number" ? formatPct(v, 1) : "–") },
    ],
    rows: parts.map((p) => ({ label: p.label, value: count(p.value), share: total > 0 ? count(p.value) / total : null })),
  };
}
