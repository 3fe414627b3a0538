import { max } from "d3-array";
import { scaleBand, scaleLinear } from "d3-scale";
import { TEXT } from "./palette";

export type MonthCount = { month: string; count: number };

/** A small bar chart of counts per month, drawn as SVG on the server (no JS needed). */
export function MonthlyBars({ data, width = 480, height = 140, label }: { data: MonthCount[]; width?: number; height?: number; label: string }) {
  const margin = { top: 10, right: 8, bottom: 22, left: 28 };
  const x = scaleBand<string>()
    .domain(data.map((d) => d.month))
    .range([margin.left, width - margin.right])
    .padding(0.2);
  const y = scaleLinear()
    .domain([0, Math.max(1, max(data, (d) => d.count) ?? 0)])
    .nice()
    .range([height - margin.bottom, margin.top]);
  const total = data.reduce((s, d) => s + d.count, 0);
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`${label}: ${total} incidents over ${data.length} months`}
      className="chart" fontSize={11}
      style={{ maxWidth: width, width: "100%" }}
    >
      {y.ticks(3).map((t) => (
        <g key={t} transform={`translate(0,${y(t)})`}>
          <line x1={margin.left} x2={width - margin.right} stroke="#e3e5ea" />
          <text fill={TEXT} x={margin.left - 4} dy="0.32em" textAnchor="end">
            {t}
          </text>
        </g>
      ))}
      {data.map((d, i) => (
        <g key={d.month}>
          <rect x={x(d.month)} y={y(d.count)} width={x.bandwidth()} height={y(0) - y(d.count)} fill="#2353c6">
            <title>{`${d.month}: ${d.count}`}</title>
          </rect>
          {i % 3 === 0 || i === data.length - 1 ? (
            <text fill={TEXT} x={(x(d.month) ?? 0) + x.bandwidth() / 2} y={height - 6} textAnchor="middle">
              {d.month}
            </text>
          ) : null}
        </g>
      ))}
    </svg>
  );
}
