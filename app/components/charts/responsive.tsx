import type { ReactNode } from "react";

/**
 * A viewBox scales text with the chart, so one drawing cannot keep 12-unit text at 11 px or more on a 390 px phone
 * and still fill a 1100 px card. Each chart is drawn at three widths and CSS container queries (charts.css) show
 * the one that fits its card: the shown drawing is scaled by 0.94–1.6 at most, so its text stays at 11–19 px.
 */
export const LAYOUTS = [
  { name: "narrow", width: 320 },
  { name: "medium", width: 640 },
  { name: "wide", width: 1040 },
] as const;

export function ResponsiveChart({ id, children }: { id: string; children: (width: number, id: string) => ReactNode }) {
  return (
    <div className="chart-frame">
      {LAYOUTS.map((l) => (
        <div key={l.name} className={`chart-layout chart-layout-${l.name}`}>
          {children(l.width, `${id}-${l.name}`)}
        </div>
      ))}
    </div>
  );
}
