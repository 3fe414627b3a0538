import { ascending, quantileSorted } from "d3-array";
import { scaleBand, scaleLinear, scaleLog } from "d3-scale";
import type { ChartTableData } from "./chart-table";
import { DURATION, formatMs } from "./format";
import { AxisX, ChartSvg, NoData, px, textWidth, truncate } from "./frame";
import { CATEGORICAL, TEXT } from "./palette";

export type BoxGroup = { key: string; label: string; values: number[]; color?: string };
export type BoxPlotProps = {
  groups: BoxGroup[];
  /** Values are durations in milliseconds (the only unit so far). */
  unit?: "ms";
  width?: number;
  /** Defaults to 36 px a group plus axis room. */
  height?: number;
  label: string;
  /** Log by default: durations span minutes to days. */
  scale?: "log" | "linear";
  /** Above this many values a group draws an evenly spaced sample of its sorted values as dots (the box uses all). */
  maxDots?: number;
};

export type BoxStats = { n: number; min: number; q1: number; median: number; q3: number; max: number };

/** Five-number summary with d3's quantile (R-7, linear interpolation) over the sorted finite values; null when none. */
export function boxStats(values: number[]): BoxStats | null {
  const sorted = values.filter(Number.isFinite).sort(ascending);
  if (!sorted.length) return null;
  const q = (p: number) => quantileSorted(sorted, p) ?? sorted[0];
  return { n: sorted.length, min: sorted[0], q1: q(0.25), median: q(0.5), q3: q(0.75), max: sorted[sorted.length - 1] };
}

const { SECOND: S, MINUTE: M, HOUR: H, DAY: D } = DURATION;
/** Durations people read at a glance; log-axis ends snap to them and its ticks are taken from them. */
export const DURATION_LADDER = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  S, 2 * S, 5 * S, 10 * S, 15 * S, 30 * S,
  M, 2 * M, 5 * M, 10 * M, 15 * M, 30 * M,
  H, 2 * H, 3 * H, 6 * H, 12 * H,
  D, 2 * D, 3 * D, 7 * D, 14 * D, 30 * D, 60 * D, 90 * D, 180 * D, 365 * D,
];

/**
 * The log-axis domain: [lowest positive value, highest value] widened to the ladder steps around them, so both
 * ends carry a label ([1m, 5m] stays [1m, 5m]; [3m, 3m] becomes [2m, 5m]).
 */
export function logDomain(lo: number, hi: number): [number, number] {
  let a = [...DURATION_LADDER].reverse().find((v) => v <= lo) ?? lo;
  let b = DURATION_LADDER.find((v) => v >= hi) ?? hi;
  if (a >= b) {
    a = [...DURATION_LADDER].reverse().find((v) => v < a) ?? a / 2;
    b = DURATION_LADDER.find((v) => v > b) ?? b * 2;
  }
  return [a, b];
}

/**
 * Log ticks: d3's log ticks fall on powers of ten of milliseconds (10s, 1m 40s, 16m 40s), which read badly as
 * durations, so ticks are the ladder values inside the domain, kept at least `gap` px apart, the top end always kept.
 */
function logTicks(x: (v: number) => number, [a, b]: [number, number], gap: number): number[] {
  const candidates = DURATION_LADDER.filter((v) => v >= a && v <= b);
  if (!candidates.includes(a)) candidates.unshift(a);
  if (!candidates.includes(b)) candidates.push(b);
  const kept: number[] = [];
  for (const v of candidates) {
    if (!kept.length || x(v) - x(kept[kept.length - 1]) >= gap) kept.push(v);
  }
  if (kept[kept.length - 1] !== b) {
    if (kept.length > 1 && x(b) - x(kept[kept.length - 1]) < gap) kept.pop();
    kept.push(b);
  }
  return kept;
}

/** Linear ticks: d3's ticks computed in the unit that suits the range (s, m, h or d) so they land on whole units. */
function linearScale(hi: number) {
  const unit = hi >= 2 * D ? D : hi >= 2 * H ? H : hi >= 2 * M ? M : hi >= 2 * S ? S : 1;
  const inUnit = scaleLinear()
    .domain([0, Math.max(hi / unit, 1)])
    .nice();
  return { domain: [0, inUnit.domain()[1] * unit] as [number, number], ticks: inUnit.ticks(5).map((t) => t * unit) };
}

/** A value in [0, 1) per index from the golden-ratio sequence: jitter that is spread out and the same on every render. */
function jitter(i: number): number {
  return (i * 0.6180339887498949) % 1;
}

/**
 * Horizontal box plots of durations, one row per group: whiskers from min to max, box from q1 to q3, a median
 * line, and every value (or a sample above `maxDots`) as a dot with deterministic vertical jitter. On the log
 * scale, values of 0 or less are drawn at the left edge (their <title> keeps the real value).
 */
export function BoxPlot({ groups, width = 640, height, label, scale = "log", maxDots = 400 }: BoxPlotProps) {
  const stats = groups.map((g) => boxStats(g.values));
  const all = groups.flatMap((g) => g.values.filter(Number.isFinite));
  const h = height ?? 30 + Math.max(1, groups.length) * 36;
  if (!all.length) return <NoData width={width} height={h} label={label} kind="box-plot" />;

  const positive = all.filter((v) => v > 0);
  const hi = Math.max(...all);
  const labelWidth = Math.min(width * 0.3, Math.max(...groups.map((g) => textWidth(g.label)), 20));
  const margin = { top: 8, right: 20, bottom: 22, left: 12 + labelWidth };
  const range = [margin.left, width - margin.right];
  let x: (v: number) => number;
  let ticks: number[];
  if (scale === "log") {
    const domain = positive.length ? logDomain(Math.min(...positive), Math.max(...positive)) : logDomain(S, S);
    const log = scaleLog().domain(domain).range(range).clamp(true);
    x = log;
    ticks = logTicks(log, domain, 44);
  } else {
    const lin = linearScale(Math.max(hi, 0));
    const s = scaleLinear().domain(lin.domain).range(range).clamp(true);
    x = s;
    ticks = lin.ticks;
  }
  const y = scaleBand<string>()
    .domain(groups.map((g) => g.key))
    .range([margin.top, h - margin.bottom])
    .padding(0.2);
  const bw = y.bandwidth();

  const aria =
    `${label}${scale === "log" ? " (log scale)" : ""}: ` +
    groups
      .map((g, k) => {
        const s = stats[k];
        return s ? `${g.label} median ${formatMs(s.median)} (n=${s.n}, ${formatMs(s.min)} to ${formatMs(s.max)})` : `${g.label} no data`;
      })
      .join("; ");

  return (
    <ChartSvg width={width} height={h} label={aria} kind="box-plot">
      <AxisX ticks={ticks} x={x} format={formatMs} y1={margin.top} y2={h - margin.bottom} />
      {groups.map((g, k) => {
        const s = stats[k];
        const top = y(g.key) ?? 0;
        const mid = top + bw / 2;
        const color = g.color ?? CATEGORICAL[0];
        const sorted = g.values.filter(Number.isFinite).sort(ascending);
        const dots =
          sorted.length > maxDots
            ? Array.from({ length: maxDots }, (_, j) => sorted[Math.round((j * (sorted.length - 1)) / Math.max(1, maxDots - 1))])
            : sorted;
        return (
          <g key={g.key} className="group">
            <text x={margin.left - 8} y={px(mid)} dy="0.32em" textAnchor="end" fill={TEXT}>
              {truncate(g.label, labelWidth)}
            </text>
            {s ? (
              <>
                <g className="box" stroke={color}>
                  <title>{`${g.label}: median ${formatMs(s.median)}, middle half ${formatMs(s.q1)} to ${formatMs(s.q3)}, range ${formatMs(s.min)} to ${formatMs(s.max)} (n=${s.n})`}</title>
                  <line className="whisker" x1={px(x(s.min))} x2={px(x(s.q1))} y1={px(mid)} y2={px(mid)} />
                  <line className="whisker" x1={px(x(s.q3))} x2={px(x(s.max))} y1={px(mid)} y2={px(mid)} />
                  <line className="cap" x1={px(x(s.min))} x2={px(x(s.min))} y1={px(mid - bw / 4)} y2={px(mid + bw / 4)} />
                  <line className="cap" x1={px(x(s.max))} x2={px(x(s.max))} y1={px(mid - bw / 4)} y2={px(mid + bw / 4)} />
                  <rect
                    className="iqr"
                    x={px(x(s.q1))}
                    y={px(mid - bw / 3)}
                    width={px(Math.max(1, x(s.q3) - x(s.q1)))}
                    height={px((bw * 2) / 3)}
                    fill={color}
                    fillOpacity={0.15}
                  />
                  <line className="median" x1={px(x(s.median))} x2={px(x(s.median))} y1={px(mid - bw / 3)} y2={px(mid + bw / 3)} strokeWidth={2.5} />
                </g>
                <g className="dots" fill={color} fillOpacity={0.55}>
                  {dots.map((v, i) => (
                    <circle key={i} className="dot" cx={px(x(v))} cy={px(mid + (jitter(i) - 0.5) * bw * 0.6)} r={2.5}>
                      <title>{`${g.label}: ${formatMs(v)}`}</title>
                    </circle>
                  ))}
                </g>
              </>
            ) : (
              <text x={margin.left + 4} y={px(mid)} dy="0.32em" fill={TEXT}>
                No data
              </text>
            )}
          </g>
        );
      })}
    </ChartSvg>
  );
}

/** The numbers behind <BoxPlot>: the five-number summary per group, as durations. */
export function boxPlotTable({ groups }: Pick<BoxPlotProps, "groups">): ChartTableData {
  const ms = (v: unknown) => (typeof v === "number" ? formatMs(v) : "–");
  return {
    columns: [
      { key: "label", label: "Group" },
      { key: "n", label: "n", numeric: true },
      { key: "min", label: "Min", numeric: true, format: ms },
      { key: "q1", label: "25th pct", numeric: true, format: ms },
      { key: "median", label: "Median", numeric: true, format: ms },
      { key: "q3", label: "75th pct", numeric: true, format: ms },
      { key: "max", label: "Max", numeric: true, format: ms },
    ],
    rows: groups.map((g) => {
      const s = boxStats(g.values);
      return { label: g.label, n: s?.n ?? 0, min: s?.min, q1: s?.q1, median: s?.median, q3: s?.q3, max: s?.max };
    }),
  };
}
