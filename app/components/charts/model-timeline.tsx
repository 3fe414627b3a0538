import { scaleBand, scaleUtc } from "d3-scale";
import { familyLabel } from "../../utils/labels";
import { ML, NON_ML, TEXT } from "./palette";

export type TimelineVersion = { version: string; status: string; deployedAt: number; retiredAt: number | null };
export type TimelineIncident = { id: number; title: string; startedAt: number; version: string; family: string | null };

const FAMILY_COLOUR: Record<string, string> = { ml: ML, "non-ml": NON_ML };

/**
 * A model's versions as bars from deploy to retire (or to now), with its incidents drawn where they happened on
 * the version they involved, coloured by failure family. Server-rendered SVG; each mark has a <title>.
 */
export function ModelTimeline({
  versions,
  incidents,
  now,
  width = 760,
  label,
}: {
  versions: TimelineVersion[];
  incidents: TimelineIncident[];
  now: number;
  width?: number;
  label: string;
}) {
  const rowHeight = 22;
  const margin = { top: 8, right: 16, bottom: 24, left: 110 };
  const height = margin.top + margin.bottom + Math.max(1, versions.length) * rowHeight;
  if (!versions.length) {
    return (
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}: no deployed versions`} className="chart" fontSize={11}>
        <text fill={TEXT} x={width / 2} y={height / 2} textAnchor="middle">
          No deployed versions
        </text>
      </svg>
    );
  }
  const start = Math.min(...versions.map((v) => v.deployedAt), ...incidents.map((i) => i.startedAt));
  const end = Math.max(now, ...incidents.map((i) => i.startedAt));
  const x = scaleUtc()
    .domain([new Date(start), new Date(end === start ? start + 86_400_000 : end)])
    .range([margin.left, width - margin.right]);
  const y = scaleBand<string>()
    .domain(versions.map((v) => v.version))
    .range([margin.top, height - margin.bottom])
    .padding(0.25);
  const onChart = incidents.filter((i) => y(i.version) !== undefined);
  return (
    // A group, not an image: its incident dots are links a keyboard user can reach (an image's parts are hidden).
    <svg
      viewBox={`0 0 ${width} ${height}`}
      role="group"
      aria-label={`${label}: ${versions.length} versions, ${onChart.length} incident links`}
      className="chart" fontSize={11}
      style={{ width: "100%", maxWidth: width }}
    >
      {x.ticks(6).map((t) => (
        <g key={t.toISOString()} transform={`translate(${x(t)},0)`}>
          <line y1={margin.top} y2={height - margin.bottom} stroke="#e3e5ea" />
          <text fill={TEXT} y={height - 8} textAnchor="middle">
            {t.toISOString().slice(0, 10)}
          </text>
        </g>
      ))}
      {versions.map((v) => {
        const x0 = x(new Date(v.deployedAt));
        const x1 = x(new Date(v.retiredAt ?? now));
        return (
          <g key={v.version} className="version">
            <text fill={TEXT} x={margin.left - 6} y={(y(v.version) ?? 0) + y.bandwidth() / 2} dy="0.32em" textAnchor="end">
              {v.version}
            </text>
            <rect
              x={x0}
              y={y(v.version)}
              width={Math.max(2, x1 - x0)}
              height={y.bandwidth()}
              rx={3}
              fill={v.status === "rolled_back" ? "#f3c2be" : v.retiredAt === null ? "#9db5ee" : "#d5dbe8"}
            >
              <title>{`${v.version} (${v.status}): ${new Date(v.deployedAt).toISOString().slice(0, 10)} → ${v.retiredAt === null ? "now" : new Date(v.retiredAt).toISOString().slice(0, 10)}`}</title>
            </rect>
          </g>
        );
      })}
      {onChart.map((i) => {
        const name = `#${i.id} ${i.title} (${new Date(i.startedAt).toISOString().slice(0, 10)}, ${familyLabel(i.family) || "unclassified"})`;
        return (
          <a key={`${i.id}-${i.version}`} href={`/incidents/${i.id}`} aria-label={name}>
            <circle
              className="incident"
              cx={x(new Date(i.startedAt))}
              cy={(y(i.version) ?? 0) + y.bandwidth() / 2}
              r={5}
              fill={i.family ? FAMILY_COLOUR[i.family] : "#9aa0aa"}
              stroke="#fff"
            >
              <title>{name}</title>
            </circle>
          </a>
        );
      })}
    </svg>
  );
}
