import { scaleLinear, scalePoint } from "d3-scale";
import { line } from "d3-shape";
import type { ChartTableData } from "./chart-table";
import { formatCount, formatPct } from "./format";
import { AxisY, BandLabels, ChartSvg, NoData, px, textWidth } from "./frame";
import { CATEGORICAL } from "./palette";

export type ShareLineProps = {
  periods: string[];
  /** Shares in 0..1, `shares[i]` for `periods[i]`. Not-finite shares leave a gap. */
  shares: number[];
  /** What each share is a share of (e.g. incidents in the quarter). A period with a count of 0 has no share: a gap. */
  counts?: number[];
  width?: number;
  height?: number;
  label: string;
  color?: string;
};

type Point = { period: string; share: number | null; count?: number };

function points({ periods, shares, counts }: Pick<ShareLineProps, "periods" | "shares" | "counts">): Point[] {
  return periods.map((period, i) => {
    const c = counts ? counts[i] : undefined;
    const s = shares[i];
    const defined = Number.isFinite(s) && (c === undefined || c > 0);
    return { period, share: defined ? Math.min(1, Math.max(0, s)) : null, count: c };
  });
}

function describe(p: Point): string {
  if (p.share === null) return p.count === 0 ? `${p.period}: none (0)` : `${p.period}: no data`;
  return p.count !== undefined
    ? `${p.period}: ${formatPct(p.share)} (${formatCount(Math.round(p.share * p.count))} of ${formatCount(p.count)})`
    : `${p.period}: ${formatPct(p.share)}`;
}

/** A share per period (e.g. repeats among incidents per quarter) as a line with dots on a fixed 0–100% axis. */
export function ShareLine({ periods, shares, counts, width = 640, height = 240, label, color = CATEGORICAL[0] }: ShareLineProps) {
  const pts = points({ periods, shares, counts });
  const known = pts.filter((p): p is Point & { share: number } => p.share !== null);
  if (!known.length) return <NoData width={width} height={height} label={label} kind="share-line" />;

  const margin = { top: 10, right: 16, bottom: 22, left: 12 + textWidth("100%") };
  const x = scalePoint<string>()
    .domain(periods)
    .range([margin.left, width - margin.right])
    .padding(0.5);
  const y = scaleLinear()
    .domain([0, 1])
    .range([height - margin.bottom, margin.top]);
  const path = line<Point>()
    .defined((p) => p.share !== null)
    .x((p) => px(x(p.period)))
    .y((p) => px(y(p.share ?? 0)))(pts);

  const first = known[0];
  const last = known[known.length - 1];
  const high = known.reduce((a, b) => (b.share > a.share ? b : a));
  const low = known.reduce((a, b) => (b.share < a.share ? b : a));
  const totalCount = counts ? known.reduce((s, p) => s + (p.count ?? 0), 0) : 0;
  const overall = counts && totalCount > 0 ? known.reduce((s, p) => s + p.share * (p.count ?? 0), 0) / totalCount : null;
  const aria =
    `${label}: ` +
    (known.length === 1
      ? `${formatPct(first.share)} in ${first.period}`
      : `${formatPct(first.share)} in ${first.period} to ${formatPct(last.share)} in ${last.period}; ` +
        `high ${formatPct(high.share)} in ${high.period}, low ${formatPct(low.share)} in ${low.period}`) +
    (overall !== null ? `; overall ${formatPct(overall)} of ${formatCount(totalCount)}` : "");

  return (
    <ChartSvg width={width} height={height} label={aria} kind="share-line">
      <AxisY ticks={y.ticks(5)} y={y} format={(t) => formatPct(t)} x1={margin.left} x2={width - margin.right} />
      <path className="line" d={path ?? ""} fill="none" stroke={color} strokeWidth={2} />
      <g className="points" fill={color}>
        {known.map((p) => (
          <circle key={p.period} className="point" cx={px(x(p.period))} cy={px(y(p.share))} r={3.5} stroke="#fff">
            <title>{describe(p)}</title>
          </circle>
        ))}
      </g>
      <BandLabels domain={periods} x={x} bandwidth={0} y={height - margin.bottom + 6} plotWidth={width - margin.left - margin.right} />
    </ChartSvg>
  );
}

/** The numbers behind <ShareLine>: the share per period, with the count it is a share of when given. */
export function shareLineTable({ periods, shares, counts }: Pick<ShareLineProps, "periods" | "shares" | "counts">): ChartTableData {
  const pts = points({ periods, shares, counts });
  return {
    columns: [
      { key: "period", label: "Period" },
      { key: "share", label: "Share", numeric: true, format: (v) => (typeof v === "number" ? formatPct(v, 1) : "–") },
      ...(counts
        ? [
            { key: "part", label: "Count", numeric: true },
            { key: "count", label: "Of", numeric: true },
          ]
        : []),
    ],
    rows: pts.map((p) => ({
      period: p.period,
      share: p.share,
      part: p.share !== null && p.count !== undefined ? Math.round(p.share * p.count) : null,
      count: p.count,
    })),
  };
}
