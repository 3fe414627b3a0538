import { scaleBand, scaleLinear } from "d3-scale";
import { line } from "d3-shape";
import { type Dataset, cellText, num, colIndex } from "~/utils/dataset";
import { formatCount, formatPct } from "./format";
import { AxisY, Baseline, barSlot, ChartSvg, countScale, countTicks, FONT_SIZE, layoutLegend, Legend, NoData, px, textWidth, truncate } from "./frame";
import { CATEGORICAL, HIGHLIGHT, INK, TEXT } from "./palette";

export type ParetoProps = {
  id: string;
  /** One row per class, largest first: `class`, `incidents`, `share` and `cumulative` (percent), `repeats`, `note` (set for few incidents). */
  data: Dataset;
  width?: number;
  height?: number;
  label: string;
};

const ANGLE = 35;
const SIN = Math.sin((ANGLE * Math.PI) / 180);
const COS = Math.cos((ANGLE * Math.PI) / 180);

/**
 * Bars of incidents per class (left axis: [0, largest] made nice) with the cumulative share as a line on a right
 * axis from 0 to 100%, both from the dataset's rows. Classes with repeats take the highlight colour; classes with
 * few incidents are drawn pale with an outline, so a class of 2 does not look as solid as one of 26.
 */
export function Pareto({ id, data, width = 640, height = 300, label }: ParetoProps) {
  const rows = data.rows;
  const counts = rows.map((r) => num(r, "incidents"));
  const total = counts.reduce((s, n) => s + n, 0);
  if (!rows.length || total === 0) return <NoData id={id} width={width} height={height} label={label} kind="pareto" />;
  const keys = rows.map((r, i) => String(r.key ?? i));
  const names = rows.map((r) => String(r.class));
  const repeated = rows.map((r) => num(r, "repeats") > 0);
  const few = rows.map((r) => Boolean(r.note));

  const y = countScale(Math.max(...counts));
  const ticks = countTicks(y, y.domain()[1]);
  const share = scaleLinear().domain([0, 100]);
  const legend = layoutLegend(
    [
      { key: "count", label: "Incidents", color: CATEGORICAL[0] },
      ...(repeated.some(Boolean) ? [{ key: "highlight", label: "Has repeats", color: HIGHLIGHT }] : []),
      ...(few.some(Boolean) ? [{ key: "few", label: "Few (under 5): pale", color: CATEGORICAL[0], fill: "#cfe3f1" }] : []),
      { key: "cumulative", label: "Cumulative share", color: INK, shape: "line" as const },
    ],
    width - 16,
  );
  const left = 12 + Math.max(...ticks.map((t) => textWidth(formatCount(t))), 6);
  const right = 12 + textWidth("100%");
  const x = scaleBand<string>().domain(keys).range([left, width - right]).padding(0.2);

  // Long class names turn to 35° and get up to a third of the height; the rest shows in each bar's <title>.
  const longest = Math.max(...names.map((n) => textWidth(n)));
  const rotate = longest > x.step() - 4;
  const bottom = rotate ? Math.min(height / 3, 12 + longest * SIN + FONT_SIZE) : 24;
  const labelRoom = rotate ? (bottom - 12 - FONT_SIZE) / SIN : x.step() - 4;
  const step = rotate ? Math.ceil((FONT_SIZE * 1.3) / x.step()) : 1;
  const margin = { top: 8 + legend.rows * legend.rowHeight + 6, right, bottom, left };
  y.range([height - margin.bottom, margin.top]);
  share.range([height - margin.bottom, margin.top]);

  const cx = (i: number) => (x(keys[i]) ?? 0) + x.bandwidth() / 2;
  const path = line<number>()
    .x((_, i) => px(cx(i)))
    .y((c) => px(share(c)))(rows.map((r) => num(r, "cumulative")));

  const reach = rows.findIndex((r) => num(r, "cumulative") >= 80);
  const aria =
    `${label}: ${formatCount(total)} classified incidents across ${rows.length} ${rows.length === 1 ? "class" : "classes"}; ` +
    `largest ${names[0]} ${cellText(data, rows[0], "incidents")} (${cellText(data, rows[0], "share")})` +
    (rows.length > 1 && reach >= 0 ? `; the first ${reach + 1} make up ${cellText(data, rows[reach], "cumulative")}` : "") +
    (repeated.some(Boolean) ? `; ${repeated.filter(Boolean).length} with repeats` : "") +
    (few.some(Boolean) ? `; ${few.filter(Boolean).length} with few incidents` : "");

  return (
    <ChartSvg id={id} width={width} height={height} label={aria} kind="pareto">
      <Legend id={id} layout={legend} x={8} y={8} />
      <AxisY ticks={ticks} y={y} format={formatCount} x1={margin.left} x2={width - margin.right} />
      <AxisY ticks={share.ticks(5)} y={share} format={(t) => formatPct(t / 100)} x1={margin.left} x2={width - margin.right} side="right" grid={false} />
      <g className="bars">
        {rows.map((r, i) => {
          if (counts[i] <= 0) return null;
          const color = repeated[i] ? HIGHLIGHT : CATEGORICAL[0];
          return (
            <rect
              key={keys[i]}
              className={["bar", repeated[i] ? "highlight" : "", few[i] ? "few" : ""].filter(Boolean).join(" ")}
              data-row={i} data-col={colIndex(data, "incidents")} data-value={counts[i]}
              {...barSlot(x(keys[i]), x.bandwidth())}
              y={px(y(counts[i]))}
              height={px(y(0) - y(counts[i]))}
              fill={color}
              fillOpacity={few[i] ? 0.3 : 1}
              stroke={few[i] ? color : undefined}
              strokeWidth={few[i] ? 1.5 : undefined}
            >
              <title>
                {`${names[i]}: ${cellText(data, r, "incidents")} (${cellText(data, r, "share")} of classified), ${cellText(data, r, "repeats")} repeats` +
                  (r.note ? ` · ${r.note}` : "")}
              </title>
            </rect>
          );
        })}
      </g>
      <Baseline x1={margin.left} x2={width - margin.right} y1={y(0)} y2={y(0)} />
      <path className="cumulative" d={path ?? ""} fill="none" stroke={INK} strokeWidth={1.5} />
      <g className="cumulative-points" fill={INK}>
        {rows.map((r, i) => (
          <circle key={keys[i]} className="point" data-row={i} data-col={colIndex(data, "cumulative")} data-value={num(r, "cumulative")} cx={px(cx(i))} cy={px(share(num(r, "cumulative")))} r={3}>
            <title>{`${names[i]}: cumulative ${cellText(data, r, "cumulative")}`}</title>
          </circle>
        ))}
      </g>
      <g className="axis axis-band">
        {rows.map((_, i) =>
          i % step === 0 ? (
            <text
              key={keys[i]}
              transform={`translate(${px(cx(i))},${px(height - margin.bottom + 6)})${rotate ? ` rotate(-${ANGLE})` : ""}`}
              dy={rotate ? "0.32em" : "0.71em"}
              textAnchor={rotate ? "end" : "middle"}
              fill={TEXT}
            >
              {truncate(names[i], rotate ? Math.min(labelRoom, (cx(i) - 10) / COS) : labelRoom)}
            </text>
          ) : null,
        )}
      </g>
    </ChartSvg>
  );
}
