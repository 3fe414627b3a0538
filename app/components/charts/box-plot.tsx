import { scaleBand, scaleLinear, scaleLog } from "d3-scale";
import { type Dataset, cellText, num } from "~/utils/dataset";
import { DURATION, formatMs } from "./format";
import { AxisX, ChartSvg, NoData, px, textWidth, truncate } from "./frame";
import { CATEGORICAL, TEXT } from "./palette";

export type BoxPlotProps = {
  id: string;
  /**
   * One row per class: `class`, `n`, the five-number summary `min`, `q1`, `median`, `q3`, `max` (minutes) and
   * `note` (set when n is small).
   */
  data: Dataset;
  width?: number;
  /** Defaults to 34 px a row plus axis room. */
  height?: number;
  label: string;
  /** Log by default: durations span minutes to days. */
  scale?: "log" | "linear";
  color?: string;
};

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


const FIELDS = ["min", "q1", "median", "q3", "max"] as const;

/**
 * Horizontal box plots of durations, one row per class, drawn from the dataset's five-number summaries: whiskers
 * from fastest to slowest, box over the middle half, a median line, and n printed at the end of every row. A row
 * with few incidents is drawn dashed and pale and says "few". On the log scale a duration of 0 sits at the left edge.
 */
export function BoxPlot({ id, data, width = 640, height, label, scale = "log", color = CATEGORICAL[0] }: BoxPlotProps) {
  const rows = data.rows;
  const ms = rows.map((r) => Object.fromEntries(FIELDS.map((k) => [k, num(r, k) * M])) as Record<(typeof FIELDS)[number], number>);
  const h = height ?? 30 + Math.max(1, rows.length) * 34;
  if (!rows.length) return <NoData id={id} width={width} height={h} label={label} kind="box-plot" />;

  const all = ms.flatMap((s) => [s.min, s.max]);
  const positive = all.filter((v) => v > 0);
  const names = rows.map((r) => String(r.class));
  const nText = rows.map((r) => `n=${cellText(data, r, "n")}${r.note ? " · few" : ""}`);
  const labelWidth = Math.min(width * 0.3, Math.max(...names.map((n) => textWidth(n)), 20));
  const margin = { top: 8, right: 12 + Math.max(...nText.map((t) => textWidth(t))), bottom: 24, left: 12 + labelWidth };
  const range = [margin.left, width - margin.right];
  let x: (v: number) => number;
  let ticks: number[];
  if (scale === "log") {
    const domain = positive.length ? logDomain(Math.min(...positive), Math.max(...positive)) : logDomain(S, S);
    const log = scaleLog().domain(domain).range(range).clamp(true);
    x = log;
    ticks = logTicks(log, domain, 48);
  } else {
    const lin = linearScale(Math.max(...all, 0));
    x = scaleLinear().domain(lin.domain).range(range).clamp(true);
    ticks = lin.ticks;
  }
  const keys = rows.map((r, i) => String(r.key ?? i));
  const y = scaleBand<string>().domain(keys).range([margin.top, h - margin.bottom]).padding(0.2);
  const bw = y.bandwidth();

  const aria =
    `${label}${scale === "log" ? " (log scale)" : ""}: ` +
    rows.map((r, i) => `${names[i]} median ${cellText(data, r, "median")} (n=${cellText(data, r, "n")}${r.note ? ", few" : ""}, ${cellText(data, r, "min")} to ${cellText(data, r, "max")})`).join("; ");

  return (
    <ChartSvg id={id} width={width} height={h} label={aria} kind="box-plot">
      <AxisX ticks={ticks} x={x} format={formatMs} y1={margin.top} y2={h - margin.bottom} />
      {rows.map((r, i) => {
        const s = ms[i];
        const mid = (y(keys[i]) ?? 0) + bw / 2;
        const dash = r.note ? "4 3" : undefined;
        return (
          <g key={keys[i]} className={r.note ? "group few" : "group"}>
            <text x={margin.left - 8} y={px(mid)} dy="0.32em" textAnchor="end" fill={TEXT}>
              {truncate(names[i], labelWidth)}
            </text>
            <g className="box" data-row={i} stroke={color} strokeDasharray={dash}>
              <title>
                {`${names[i]}: median ${cellText(data, r, "median")}, middle half ${cellText(data, r, "q1")} to ${cellText(data, r, "q3")}, ` +
                  `range ${cellText(data, r, "min")} to ${cellText(data, r, "max")} (n=${cellText(data, r, "n")})${r.note ? ` · ${r.note}` : ""}`}
              </title>
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
                fillOpacity={r.note ? 0.08 : 0.2}
              />
              <line className="median" x1={px(x(s.median))} x2={px(x(s.median))} y1={px(mid - bw / 3)} y2={px(mid + bw / 3)} strokeWidth={2.5} strokeDasharray={undefined} />
            </g>
            <text className="n" x={px(width - margin.right + 8)} y={px(mid)} dy="0.32em" fill={TEXT} fontStyle={r.note ? "italic" : undefined}>
              {nText[i]}
            </text>
          </g>
        );
      })}
    </ChartSvg>
  );
}
