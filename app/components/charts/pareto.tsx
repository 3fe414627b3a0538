import { sum } from "d3-array";
import { scaleBand, scaleLinear } from "d3-scale";
import { line } from "d3-shape";
import type { ChartTableData } from "./chart-table";
import { formatCount, formatPct } from "./format";
import { AxisY, Baseline, barSlot, ChartSvg, count, countScale, countTicks, FONT_SIZE, layoutLegend, Legend, NoData, px, textWidth, truncate } from "./frame";
import { CATEGORICAL, HIGHLIGHT, INK, TEXT } from "./palette";

export type ParetoItem = { key: string; label: string; count: number; highlight?: boolean };
export type ParetoProps = {
  /** Drawn in the order given: sort by count, largest first, before passing them. */
  items: ParetoItem[];
  width?: number;
  height?: number;
  label: string;
  /** Legend text for highlighted bars. */
  highlightLabel?: string;
  /** Legend text for the other bars. */
  countLabel?: string;
};

const ANGLE = 35;
const SIN = Math.sin((ANGLE * Math.PI) / 180);
const COS = Math.cos((ANGLE * Math.PI) / 180);

/** Running share of the total after each item (the last one is 1 when the total is positive). */
export function cumulativeShares(counts: number[]): number[] {
  const total = sum(counts, count);
  let running = 0;
  return counts.map((c) => {
    running += count(c);
    return total > 0 ? running / total : 0;
  });
}

/**
 * Bars of counts (left axis: [0, largest count] made nice) with the cumulative share as a line on a right axis
 * from 0 to 100%. Highlighted bars (e.g. classes with repeat incidents) take the highlight colour.
 */
export function Pareto({ items, width = 640, height = 280, label, highlightLabel = "Has repeats", countLabel = "Count" }: ParetoProps) {
  const counts = items.map((d) => count(d.count));
  const total = sum(counts);
  if (!items.length || total === 0) return <NoData width={width} height={height} label={label} kind="pareto" />;
  const cum = cumulativeShares(counts);
  const highlighted = items.filter((d) => d.highlight);

  const y = countScale(Math.max(...counts));
  const ticks = countTicks(y, y.domain()[1]);
  const share = scaleLinear().domain([0, 1]);
  const legend = layoutLegend(
    [
      { key: "count", label: countLabel, color: CATEGORICAL[0] },
      ...(highlighted.length ? [{ key: "highlight", label: highlightLabel, color: HIGHLIGHT }] : []),
      { key: "cumulative", label: "Cumulative share", color: INK, shape: "line" as const },
    ],
    width - 16,
  );
  const left = 12 + Math.max(...ticks.map((t) => textWidth(formatCount(t))), 6);
  const right = 12 + textWidth("100%");
  const x = scaleBand<string>()
    .domain(items.map((d) => d.key))
    .range([left, width - right])
    .padding(0.2);

  // Long category names turn to 35° and get up to a third of the height; the rest shows in each bar's <title>.
  const longest = Math.max(...items.map((d) => textWidth(d.label)));
  const rotate = longest > x.step() - 4;
  const maxBottom = height / 3;
  const bottom = rotate ? Math.min(maxBottom, 12 + longest * SIN + FONT_SIZE) : 22;
  const labelRoom = rotate ? (bottom - 12 - FONT_SIZE) / SIN : x.step() - 4;
  const step = rotate ? Math.ceil((FONT_SIZE * 1.3) / x.step()) : 1;
  const margin = { top: 8 + legend.rows * legend.rowHeight + 6, right, bottom, left };
  y.range([height - margin.bottom, margin.top]);
  share.range([height - margin.bottom, margin.top]);

  const cx = (i: number) => (x(items[i].key) ?? 0) + x.bandwidth() / 2;
  const path = line<number>()
    .x((_, i) => px(cx(i)))
    .y((c) => px(share(c)))(cum);

  const reach = cum.findIndex((c) => c >= 0.8 - 1e-9);
  const top = items[0];
  const aria =
    `${label}: ${formatCount(total)} in total across ${items.length} ${items.length === 1 ? "category" : "categories"}; ` +
    `largest ${top.label} ${formatCount(counts[0])} (${formatPct(counts[0] / total)})` +
    (items.length > 1 ? `; the first ${reach + 1} make up ${formatPct(cum[reach])}` : "") +
    (highlighted.length ? `; ${highlighted.length} marked ${highlightLabel}` : "");

  return (
    <ChartSvg width={width} height={height} label={aria} kind="pareto">
      <Legend layout={legend} x={8} y={8} />
      <AxisY ticks={ticks} y={y} format={formatCount} x1={margin.left} x2={width - margin.right} />
      <AxisY ticks={share.ticks(5)} y={share} format={(t) => formatPct(t)} x1={margin.left} x2={width - margin.right} side="right" grid={false} />
      <g className="bars">
        {items.map((d, i) =>
          counts[i] > 0 ? (
            <rect
              key={d.key}
              className={d.highlight ? "bar highlight" : "bar"}
              {...barSlot(x(d.key), x.bandwidth())}
              y={px(y(counts[i]))}
              height={px(y(0) - y(counts[i]))}
              fill={d.highlight ? HIGHLIGHT : CATEGORICAL[0]}
            >
              <title>{`${d.label}: ${formatCount(counts[i])} (${formatPct(counts[i] / total)} of ${formatCount(total)})${d.highlight ? ` · ${highlightLabel}` : ""}`}</title>
            </rect>
          ) : null,
        )}
      </g>
      <Baseline x1={margin.left} x2={width - margin.right} y1={y(0)} y2={y(0)} />
      <path className="cumulative" d={path ?? ""} fill="none" stroke={INK} strokeWidth={1.5} />
      <g className="cumulative-points" fill={INK}>
        {items.map((d, i) => (
          <circle key={d.key} className="point" cx={px(cx(i))} cy={px(share(cum[i]))} r={3}>
            <title>{`${d.label}: cumulative ${formatPct(cum[i])}`}</title>
          </circle>
        ))}
      </g>
      <g className="axis axis-band">
        {items.map((d, i) =>
          i % step === 0 ? (
            <text
              key={d.key}
              transform={`translate(${px(cx(i))},${px(height - margin.bottom + 6)})${rotate ? ` rotate(-${ANGLE})` : ""}`}
              dy={rotate ? "0.32em" : "0.71em"}
              textAnchor={rotate ? "end" : "middle"}
              fill={TEXT}
            >
              {truncate(d.label, rotate ? Math.min(labelRoom, (cx(i) - 2) / COS) : labelRoom)}
            </text>
          ) : null,
        )}
      </g>
    </ChartSvg>
  );
}

/** The numbers behind <Pareto>: count, share and cumulative share per item. */
export function paretoTable({ items, highlightLabel = "Has repeats" }: Pick<ParetoProps, "items" | "highlightLabel">): ChartTableData {
  const counts = items.map((d) => count(d.count));
  const total = sum(counts);
  const cum = cumulativeShares(counts);
  const pct = (v: unknown) => (typeof v === "number" ? formatPct(v, 1) : "–");
  return {
    columns: [
      { key: "label", label: "Category" },
      { key: "count", label: "Count", numeric: true },
      { key: "share", label: "Share", numeric: true, format: pct },
      { key: "cumulative", label: "Cumulative", numeric: true, format: pct },
      ...(items.some((d) => d.highlight) ? [{ key: "highlight", label: highlightLabel }] : []),
    ],
    rows: items.map((d, i) => ({
      label: d.label,
      count: counts[i],
      share: total > 0 ? counts[i] / total : null,
      cumulative: total > 0 ? cum[i] : null,
      highlight: d.highlight ? "yes" : "",
    })),
  };
}
