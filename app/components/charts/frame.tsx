import { scaleLinear } from "d3-scale";
import type { ReactNode } from "react";
import { AXIS, CATEGORICAL, GRID, OTHER, TEXT, UNCLASSIFIED_INK } from "./palette";

/** Shared pieces of the server-drawn charts: the <svg> shell, patterns, "No data", legends, axes and text estimates. */

export type Margin = { top: number; right: number; bottom: number; left: number };

/** Text size in the chart's own units. Layouts are drawn at widths that keep it at 11 px or more on screen (responsive.tsx). */
export const FONT_SIZE = 12;
const CHAR_WIDTH = FONT_SIZE * 0.6;

/** Charts cannot measure text on the server, so widths are estimated from the length (a generous 0.6em a character). */
export function textWidth(text: string): number {
  return text.length * CHAR_WIDTH;
}

/** Shortens a label to fit `maxWidth` (estimated), ending in "…"; the full text stays in the mark's <title>. */
export function truncate(text: string, maxWidth: number): string {
  const max = Math.max(2, Math.floor(maxWidth / CHAR_WIDTH));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Rounds a coordinate to 0.01 px for compact markup; anything not finite becomes 0 so "NaN" never reaches the SVG. */
export function px(v: number | undefined): number {
  return v !== undefined && Number.isFinite(v) ? Math.round(v * 100) / 100 : 0;
}

/**
 * A linear scale for counts from 0 to the largest value, made nice with the same tick count the axis uses, so the
 * end of the axis is a labelled tick (9 → 10, 13 → 14; 10 stays 10). At least [0, 1] so all-zero data draws.
 */
export function countScale(largest: number, ticks = 5) {
  return scaleLinear().domain([0, Math.max(1, largest)]).nice(ticks);
}

/** Integer ticks for a count axis (a count of 0.5 makes no sense), at most `n` of them. */
export function countTicks(scale: { ticks(n: number): number[] }, domainMax: number, n = 5): number[] {
  return scale.ticks(Math.max(1, Math.min(n, Math.ceil(domainMax)))).filter(Number.isInteger);
}

/** How many ticks a horizontal axis of this length can label without the labels running together (2 to 5). */
export function tickCount(length: number): number {
  return Math.max(2, Math.min(5, Math.floor(length / 56)));
}

/** Bars never get wider than this: one period should not become a slab across the chart. */
export const MAX_BAR = 56;

/** A bar's x and width inside its band: the band, or MAX_BAR centred in it. */
export function barSlot(start: number | undefined, bandwidth: number, max = MAX_BAR): { x: number; width: number } {
  const width = Math.min(bandwidth, max);
  return { x: px((start ?? 0) + (bandwidth - width) / 2), width: px(width) };
}

/** Ids of the patterns every chart defines, unique per chart and layout (an id must be unique in the page). */
export const patternIds = (id: string) => ({ unclassified: `${id}-unclassified`, partial: `${id}-partial` });

/** How a series is painted: "unclassified" as a hatch with an outline, "other" grey, the rest by position. */
export function seriesPaint(key: string, index: number, id: string): { fill: string; stroke?: string; swatch: string } {
  if (key === "unclassified") return { fill: `url(#${patternIds(id).unclassified})`, stroke: UNCLASSIFIED_INK, swatch: UNCLASSIFIED_INK };
  if (key === "other") return { fill: OTHER, swatch: OTHER };
  const c = CATEGORICAL[index % CATEGORICAL.length];
  return { fill: c, swatch: c };
}

export function ChartSvg({ id, width, height, label, kind, children }: { id: string; width: number; height: number; label: string; kind: string; children: ReactNode }) {
  const ids = patternIds(id);
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
      className={`chart chart-${kind}`}
      style={{ width: "100%", height: "auto" }}
      fontSize={FONT_SIZE}
      fontFamily="system-ui, sans-serif"
    >
      <defs>
        <pattern id={ids.unclassified} width={6} height={6} patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width={6} height={6} fill="#fff" />
          <line x1={0} y1={0} x2={0} y2={6} stroke={UNCLASSIFIED_INK} strokeWidth={2.5} />
        </pattern>
        <pattern id={ids.partial} width={8} height={8} patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">
          <line x1={0} y1={0} x2={0} y2={8} stroke="#fff" strokeWidth={3} strokeOpacity={0.75} />
        </pattern>
      </defs>
      {children}
    </svg>
  );
}

export function NoData({ id, width, height, label, kind }: { id: string; width: number; height: number; label: string; kind: string }) {
  return (
    <ChartSvg id={id} width={width} height={height} label={`${label}: no data`} kind={kind}>
      <text className="no-data" x={width / 2} y={height / 2} dy="0.32em" textAnchor="middle" fill={TEXT}>
        No data
      </text>
    </ChartSvg>
  );
}

/** A partial period's veil over its bar: white hatching and a dashed outline (the legend says what it means). */
export function PartialMark({ id, x, y, width, height }: { id: string; x: number; y: number; width: number; height: number }) {
  return (
    <rect
      className="partial-mark"
      x={px(x)}
      y={px(y)}
      width={px(width)}
      height={px(Math.max(0, height))}
      fill={`url(#${patternIds(id).partial})`}
      stroke={TEXT}
      strokeDasharray="3 2"
      aria-hidden="true"
    />
  );
}

export type LegendItem = { key: string; label: string; color: string; fill?: string; shape?: "swatch" | "line" | "partial" };
export type LegendLayout = { items: (LegendItem & { x: number; row: number })[]; rows: number; rowHeight: number };

const SWATCH = 11;

/** Places legend items left to right, wrapping within `maxWidth`; call before sizing the plot so it can make room. */
export function layoutLegend(items: LegendItem[], maxWidth: number): LegendLayout {
  const rowHeight = 18;
  let x = 0;
  let row = 0;
  const placed = items.map((item) => {
    const w = SWATCH + 4 + textWidth(item.label) + 14;
    if (x > 0 && x + w > maxWidth) {
      x = 0;
      row += 1;
    }
    const at = { ...item, x, row };
    x += w;
    return at;
  });
  return { items: placed, rows: items.length ? row + 1 : 0, rowHeight };
}

export function Legend({ id, layout, x, y }: { id: string; layout: LegendLayout; x: number; y: number }) {
  return (
    <g className="legend" transform={`translate(${px(x)},${px(y)})`}>
      {layout.items.map((item) => (
        <g key={item.key} className="legend-item" transform={`translate(${px(item.x)},${item.row * layout.rowHeight})`}>
          {item.shape === "line" ? (
            <line className="swatch" x1={0} x2={SWATCH} y1={SWATCH / 2} y2={SWATCH / 2} stroke={item.color} strokeWidth={2} />
          ) : item.shape === "partial" ? (
            <>
              <rect className="swatch" width={SWATCH} height={SWATCH} fill={item.color} />
              <PartialMark id={id} x={0} y={0} width={SWATCH} height={SWATCH} />
            </>
          ) : (
            <rect className="swatch" width={SWATCH} height={SWATCH} rx={2} fill={item.fill ?? item.color} stroke={item.fill ? item.color : undefined} />
          )}
          <text x={SWATCH + 4} y={SWATCH / 2} dy="0.32em" fill={TEXT}>
            {item.label}
          </text>
        </g>
      ))}
    </g>
  );
}

/** Horizontal grid lines with labels for a vertical value axis (left or right of the plot). */
export function AxisY({
  ticks,
  y,
  format,
  x1,
  x2,
  side = "left",
  grid = true,
}: {
  ticks: number[];
  y: (v: number) => number;
  format: (v: number) => string;
  x1: number;
  x2: number;
  side?: "left" | "right";
  grid?: boolean;
}) {
  return (
    <g className={`axis axis-y axis-${side}`}>
      {ticks.map((t) => (
        <g key={t} className="tick" transform={`translate(0,${px(y(t))})`}>
          {grid ? <line x1={x1} x2={x2} stroke={GRID} /> : null}
          <text x={side === "left" ? x1 - 4 : x2 + 4} dy="0.32em" textAnchor={side === "left" ? "end" : "start"} fill={TEXT}>
            {format(t)}
          </text>
        </g>
      ))}
    </g>
  );
}

/** Vertical grid lines with labels below the plot, for a horizontal value axis. */
export function AxisX({ ticks, x, format, y1, y2 }: { ticks: number[]; x: (v: number) => number; format: (v: number) => string; y1: number; y2: number }) {
  return (
    <g className="axis axis-x">
      {ticks.map((t) => (
        <g key={t} className="tick" transform={`translate(${px(x(t))},0)`}>
          <line y1={y1} y2={y2} stroke={GRID} />
          <text y={y2 + 4} dy="0.71em" textAnchor="middle" fill={TEXT}>
            {format(t)}
          </text>
        </g>
      ))}
    </g>
  );
}

/** The baseline under vertical bars (or beside horizontal ones). */
export function Baseline({ x1, x2, y1, y2 }: { x1: number; x2: number; y1: number; y2: number }) {
  return <line className="baseline" x1={px(x1)} x2={px(x2)} y1={px(y1)} y2={px(y2)} stroke={AXIS} />;
}

/**
 * Category labels under a band scale: every `step`-th label when there are more than fit side by side,
 * shortened to the space they get.
 */
export function BandLabels({ domain, x, bandwidth, y, plotWidth }: { domain: string[]; x: (v: string) => number | undefined; bandwidth: number; y: number; plotWidth: number }) {
  const longest = Math.max(...domain.map((d) => textWidth(d)), 1);
  const slot = Math.max(longest + 8, 28);
  const fit = Math.max(1, Math.floor(plotWidth / slot));
  const step = Math.ceil(domain.length / fit);
  return (
    <g className="axis axis-band">
      {domain.map((d, i) =>
        i % step === 0 ? (
          <text key={d} x={px((x(d) ?? 0) + bandwidth / 2)} y={y} dy="0.71em" textAnchor="middle" fill={TEXT}>
            {truncate(d, Math.max(slot * step, bandwidth) - 4)}
          </text>
        ) : null,
      )}
    </g>
  );
}

/** The label of a period in tooltips: "2026-Q4 (partial: to Nov 24)". */
export function periodName(period: string, partial: string | null | undefined): string {
  return partial ? `${period} (partial: ${partial})` : period;
}

/** "partial: 2025-12 from Dec 5; 2026-11 to Nov 24" for the aria-label and legend, or "" when every period is whole. */
export function partialNote(periods: { period: string; partial: string | null }[]): string {
  const cut = periods.filter((p) => p.partial);
  return cut.length ? `partial: ${cut.map((p) => `${p.period} ${p.partial}`).join("; ")}` : "";
}
