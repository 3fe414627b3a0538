import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ActionBars } from "~/components/charts/action-bars";
import { BoxPlot, boxStats, logDomain } from "~/components/charts/box-plot";
import { FamilyBars } from "~/components/charts/family-bars";
import { ACTION_COLORS, HIGHLIGHT, ML, NON_ML, OTHER } from "~/components/charts/palette";
import { cumulativeShares, Pareto } from "~/components/charts/pareto";
import { PrecisionBars } from "~/components/charts/precision-bars";
import { ShareLine } from "~/components/charts/share-line";
import { SplitBar } from "~/components/charts/split-bar";
import { StackedBars } from "~/components/charts/stacked-bars";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const render = (el: ReactElement) => renderToStaticMarkup(el);

type Attrs = Record<string, string>;
/** Attributes of every `<tag …>` whose class list includes `cls` (all of them when no class is given). */
function tags(svg: string, tag: string, cls?: string): Attrs[] {
  return [...svg.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, "g"))]
    .map((m) => Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])))
    .filter((a) => !cls || (a.class ?? "").split(" ").includes(cls));
}
const num = (a: Attrs, key: string) => Number(a[key]);
const titles = (svg: string) => [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]);
const ariaLabel = (svg: string) => /aria-label="([^"]*)"/.exec(svg)?.[1] ?? "";
/** The markup of each `<g>` whose class list includes `cls`, up to its matching `</g>`. */
function groups(svg: string, cls: string): string[] {
  const out: string[] = [];
  for (const m of svg.matchAll(/<g class="([^"]*)"/g)) {
    if (!m[1].split(" ").includes(cls)) continue;
    let depth = 0;
    const re = /<g\b|<\/g>/g;
    re.lastIndex = m.index;
    for (let t = re.exec(svg); t; t = re.exec(svg)) {
      depth += t[0] === "</g>" ? -1 : 1;
      if (depth === 0) {
        out.push(svg.slice(m.index, t.index + 4));
        break;
      }
    }
  }
  return out;
}
/** Text of the labels inside the axis group(s) whose class includes `cls`. */
const tickLabels = (svg: string, cls: string) =>
  groups(svg, cls).flatMap((g) => [...g.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]));
/** x (or y) of each tick group's translate, keyed by its label. */
function tickPositions(svg: string, axis: "x" | "y"): Map<string, number> {
  const map = new Map<string, number>();
  const re = axis === "x" ? /<g class="tick" transform="translate\(([\d.-]+),0\)">.*?<text[^>]*>([^<]*)<\/text>/g : /<g class="tick" transform="translate\(0,([\d.-]+)\)">.*?<text[^>]*>([^<]*)<\/text>/g;
  for (const m of svg.matchAll(re)) map.set(m[2], Number(m[1]));
  return map;
}
function expectClean(svg: string) {
  expect(svg).not.toMatch(/NaN|undefined|Infinity|null/);
  expect(svg).toContain('role="img"');
  expect(svg).toMatch(/^<svg viewBox="0 0 \d+ \d+"/);
}

describe("StackedBars", () => {
  const periods = ["2026-01", "2026-02", "2026-03"];
  const series = [
    { key: "data.drift", label: "Data drift", values: [4, 2, 0] },
    { key: "infra", label: "Infra", values: [6, 3, 0] },
    { key: "other", label: "Other", values: [0, 0, 5] },
  ];
  // Legend: one row, so the plot runs from y = 30 (8 + 16 + 6) to y = 258 (280 - 22): 228 px for the domain [0, 10].
  const svg = render(<StackedBars periods={periods} series={series} label="Incidents by class" />);
  const bars = tags(svg, "rect", "bar");

  it("draws one rect per non-zero value, stacked bottom-first in series order", () => {
    expect(bars).toHaveLength(5);
    const [drift, infra] = [bars.slice(0, 2), bars.slice(2, 4)];
    expect(drift.map((b) => num(b, "height"))).toEqual([91.2, 45.6]); // 4/10 and 2/10 of 228
    expect(num(drift[0], "y") + num(drift[0], "height")).toBeCloseTo(258, 5); // on the baseline
    expect(num(infra[0], "y") + num(infra[0], "height")).toBeCloseTo(num(drift[0], "y"), 5); // on top of drift
  });

  it("gives the tallest stack the full plot height and a half-total stack half of it", () => {
    const byX = new Map<string, number>();
    for (const b of bars) byX.set(b.x, (byX.get(b.x) ?? 0) + num(b, "height"));
    const heights = [...byX.values()];
    expect(heights[0]).toBeCloseTo(228, 5);
    expect(heights[1]).toBeCloseTo(114, 5);
    expect(heights[2]).toBeCloseTo(114, 5);
    expect(Math.min(...bars.map((b) => num(b, "y")))).toBe(30);
  });

  it("labels the axes from the scale's ticks", () => {
    expect(tickLabels(svg, "axis-y")).toEqual(["0", "2", "4", "6", "8", "10"]);
    expect(tickLabels(svg, "axis-band")).toEqual(periods);
  });

  it("summarises the totals in the aria-label and every segment in a <title>", () => {
    expect(ariaLabel(svg)).toBe("Incidents by class: 20 in total over 3 periods (2026-01 to 2026-03); Data drift 6, Infra 9, Other 5; peak 10 in 2026-01");
    expect(titles(svg)).toContain("2026-01 · Data drift: 4 of 10");
    expect(titles(svg)).toContain("2026-03 · Other: 5 of 5");
  });

  it("draws a legend entry per series, with Other in grey", () => {
    const legend = /<g class="legend"[^>]*>(.*?)<\/g><\/g>/.exec(svg)?.[1] ?? "";
    expect([...legend.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(["Data drift", "Infra", "Other"]);
    expect(svg).toContain(`<g class="series" fill="${OTHER}">`);
  });

  it("thins the x labels when there are many periods", () => {
    const many = Array.from({ length: 36 }, (_, i) => `${2023 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`);
    const out = render(<StackedBars periods={many} series={[{ key: "a", label: "A", values: many.map(() => 1) }]} label="x" />);
    const labels = tickLabels(out, "axis-band");
    expect(labels.length).toBeLessThan(many.length);
    expect(labels.length).toBeGreaterThan(4);
    expect(labels[0]).toBe("2023-01");
    expect(tags(out, "rect", "bar")).toHaveLength(36);
  });
});

describe("Pareto", () => {
  const items = [
    { key: "data.drift", label: "Data drift", count: 40, highlight: true },
    { key: "infra", label: "Infra", count: 20 },
    { key: "config", label: "Config", count: 20, highlight: true },
    { key: "deps", label: "Deps", count: 10 },
    { key: "other", label: "Other", count: 10 },
  ];
  // Short labels stay horizontal: plot from y = 30 to y = 258 (228 px) for counts [0, 40] and shares [0, 1].
  const svg = render(<Pareto items={items} label="Failure classes" highlightLabel="Has repeats" countLabel="Incidents" />);
  const bars = tags(svg, "rect", "bar");

  it("draws the bars in the given order, heights proportional to the counts", () => {
    expect(bars).toHaveLength(5);
    expect(bars.map((b) => num(b, "height"))).toEqual([228, 114, 114, 57, 57]);
    const xs = bars.map((b) => num(b, "x"));
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
  });

  it("computes cumulative shares and ends the line at 100%", () => {
    expect(cumulativeShares([40, 20, 20, 10, 10])).toEqual([0.4, 0.6, 0.8, 0.9, 1]);
    expect(cumulativeShares([0, 0])).toEqual([0, 0]);
    const d = tags(svg, "path", "cumulative")[0].d;
    const last = d.split("L").pop() ?? "";
    expect(Number(last.split(",")[1])).toBe(30);
    const points = tags(svg, "circle", "point");
    expect(points).toHaveLength(5);
    expect(num(points[4], "cy")).toBe(30);
    expect(num(points[0], "cy")).toBeCloseTo(258 - 0.4 * 228, 5);
    expect(titles(svg)).toContain("Other: cumulative 100%");
  });

  it("puts the share on a right axis from 0 to 100% and counts on the left", () => {
    expect(tickLabels(svg, "axis-right")).toEqual(["0%", "20%", "40%", "60%", "80%", "100%"]);
    expect(tickLabels(svg, "axis-left")).toEqual(["0", "10", "20", "30", "40"]);
  });

  it("colours highlighted bars distinctly and explains them in the legend", () => {
    const highlighted = tags(svg, "rect", "highlight");
    expect(highlighted).toHaveLength(2);
    expect(highlighted.every((b) => b.fill === HIGHLIGHT)).toBe(true);
    expect(svg).toMatch(/<rect class="swatch"[^>]*fill="#d55e00"><\/rect><text[^>]*>Has repeats<\/text>/);
    expect(svg).toContain(">Incidents</text>");
    expect(svg).toContain(">Cumulative share</text>");
    expect(titles(svg)).toContain("Data drift: 40 (40% of 100) · Has repeats");
    expect(titles(svg)).toContain("Infra: 20 (20% of 100)");
    const plain = render(<Pareto items={items.map((i) => ({ ...i, highlight: false }))} label="x" />);
    expect(plain).not.toContain("Has repeats");
  });

  it("summarises the total and the 80% point in the aria-label", () => {
    expect(ariaLabel(svg)).toBe("Failure classes: 100 in total across 5 categories; largest Data drift 40 (40%); the first 3 make up 80%; 2 marked Has repeats");
  });

  it("turns long labels and keeps the full name in the bar's title", () => {
    const long = items.map((i) => ({ ...i, label: `${i.label} in the feature pipeline of the ranking model` }));
    const out = render(<Pareto items={long} label="x" />);
    expect(out).toContain("rotate(-35)");
    expect(out).toContain("…</text>");
    expect(titles(out)).toContain("Infra in the feature pipeline of the ranking model: 20 (20% of 100)");
    expectClean(out);
  });
});

describe("FamilyBars", () => {
  const periods = ["2026-Q1", "2026-Q2"];
  // Plot from y = 30 to y = 258 (228 px); grouped domain [0, 8] (the largest single bar).
  const svg = render(<FamilyBars periods={periods} ml={[4, 0]} nonMl={[2, 8]} label="ML vs non-ML" />);

  it("draws grouped bars in the family colours, skipping zeros, heights proportional", () => {
    const bars = tags(svg, "rect", "bar");
    expect(bars).toHaveLength(3);
    expect(svg).toContain(`<g class="series series-ml" fill="${ML}">`);
    expect(svg).toContain(`<g class="series series-non-ml" fill="${NON_ML}">`);
    expect(bars.map((b) => num(b, "height"))).toEqual([114, 57, 228]);
    expect(tickLabels(svg, "axis-y")).toEqual(["0", "2", "4", "6", "8"]);
  });

  it("summarises each family's total and share", () => {
    expect(ariaLabel(svg)).toBe("ML vs non-ML: ML-specific 4 (29%), Non-ML 10 (71%) over 2 periods (2026-Q1 to 2026-Q2)");
    expect(titles(svg)).toEqual(["2026-Q1 · ML-specific: 4 (67% of 6)", "2026-Q1 · Non-ML: 2 (33% of 6)", "2026-Q2 · Non-ML: 8 (100% of 8)"]);
    expect(svg).toContain(">ML-specific</text>");
    expect(svg).toContain(">Non-ML</text>");
  });

  it("stacks non-ML on ML when asked, against the largest total", () => {
    const out = render(<FamilyBars periods={periods} ml={[4, 0]} nonMl={[2, 8]} label="x" mode="stacked" />);
    const [ml, nonMl] = tags(out, "rect", "bar");
    expect(num(ml, "height")).toBe(114); // 4 of 8
    expect(num(nonMl, "y") + num(nonMl, "height")).toBeCloseTo(num(ml, "y"), 5);
    expect(ml.x).toBe(nonMl.x);
  });
});

describe("BoxPlot", () => {
  const minutes = [5, 1, 4, 2, 3].map((m) => m * MIN);
  const svg = render(<BoxPlot unit="ms" groups={[{ key: "drift", label: "Data drift", values: minutes }]} label="Time to resolve" />);

  it("computes the five-number summary with d3's quantile over the sorted values", () => {
    expect(boxStats([5, 1, 4, 2, 3])).toEqual({ n: 5, min: 1, q1: 2, median: 3, q3: 4, max: 5 });
    expect(boxStats([4, 1, 3, 2])?.median).toBe(2.5);
    expect(boxStats([7, Number.NaN])).toEqual({ n: 1, min: 7, q1: 7, median: 7, q3: 7, max: 7 });
    expect(boxStats([])).toBeNull();
  });

  it("places the median of 1..5 minutes at 3m on a log axis from 1m to 5m", () => {
    expect(logDomain(MIN, 5 * MIN)).toEqual([MIN, 5 * MIN]);
    const ticks = tickPositions(svg, "x");
    expect([...ticks.keys()]).toEqual(["1m", "2m", "5m"]);
    const [left, right] = [ticks.get("1m") ?? 0, ticks.get("5m") ?? 0];
    const at = (ms: number) => left + ((right - left) * Math.log(ms / MIN)) / Math.log(5);
    const median = tags(svg, "line", "median")[0];
    expect(num(median, "x1")).toBeCloseTo(at(3 * MIN), 1);
    const box = tags(svg, "rect", "iqr")[0];
    expect(num(box, "x")).toBeCloseTo(at(2 * MIN), 1);
    expect(num(box, "x") + num(box, "width")).toBeCloseTo(at(4 * MIN), 1);
    expect(titles(svg)).toContain("Data drift: median 3m, middle half 2m to 4m, range 1m to 5m (n=5)");
    expect(ariaLabel(svg)).toBe("Time to resolve (log scale): Data drift median 3m (n=5, 1m to 5m)");
  });

  it("draws every value as a dot with the same jitter on every render", () => {
    const dots = tags(svg, "circle", "dot");
    expect(dots).toHaveLength(5);
    expect(new Set(dots.map((d) => d.cy)).size).toBeGreaterThan(1);
    expect(render(<BoxPlot unit="ms" groups={[{ key: "drift", label: "Data drift", values: minutes }]} label="Time to resolve" />)).toBe(svg);
    expect(titles(svg)).toContain("Data drift: 4m");
  });

  it("formats log ticks as durations from minutes to days", () => {
    const out = render(
      <BoxPlot
        unit="ms"
        groups={[
          { key: "a", label: "Data drift", values: [5 * MIN, 40 * MIN, 2 * HOUR, 9 * HOUR, 3 * DAY] },
          { key: "b", label: "Infra", values: [12 * MIN, 3 * HOUR] },
        ]}
        label="TTR"
      />,
    );
    const labels = [...tickPositions(out, "x").keys()];
    expect(labels[0]).toBe("5m");
    expect(labels[labels.length - 1]).toBe("3d");
    expect(labels).toContain("1h");
    expect(labels).toContain("1d");
    for (const l of labels) expect(l).toMatch(/^\d+(ms|s|m|h|d)$/);
    const xs = [...tickPositions(out, "x").values()];
    for (let i = 1; i < xs.length; i++) expect(xs[i] - xs[i - 1]).toBeGreaterThanOrEqual(44);
    expect(tags(out, "rect", "iqr")).toHaveLength(2);
    expectClean(out);
  });

  it("can use a linear axis with ticks on whole units", () => {
    const out = render(<BoxPlot unit="ms" scale="linear" groups={[{ key: "a", label: "A", values: [0, 10 * MIN, 50 * MIN] }]} label="x" />);
    expect([...tickPositions(out, "x").keys()]).toEqual(["0s", "10m", "20m", "30m", "40m", "50m"]);
    expect(ariaLabel(out)).not.toContain("log scale");
    expectClean(out);
  });

  it("draws zero on a log axis at the left edge, samples many values, and notes empty groups", () => {
    const out = render(
      <BoxPlot
        unit="ms"
        maxDots={50}
        groups={[
          { key: "a", label: "A", values: [0, ...Array.from({ length: 999 }, (_, i) => (i + 1) * MIN)] },
          { key: "b", label: "Nothing yet", values: [] },
        ]}
        label="x"
      />,
    );
    expectClean(out);
    expect(tags(out, "circle", "dot")).toHaveLength(50);
    expect(titles(out)).toContain("A: 0s");
    expect(out).toContain(">No data</text>");
    expect(ariaLabel(out)).toContain("Nothing yet no data");
  });
});

describe("ShareLine", () => {
  // Plot from y = 10 to y = 218 for the shares [0, 1].
  const svg = render(<ShareLine periods={["2026-Q1", "2026-Q2", "2026-Q3"]} shares={[0.25, 0.5, 1]} counts={[8, 4, 2]} label="Repeat share" />);

  it("plots each share as a dot on a 0–100% axis, joined by a line", () => {
    const points = tags(svg, "circle", "point");
    expect(points.map((p) => num(p, "cy"))).toEqual([166, 114, 10]);
    expect(tickLabels(svg, "axis-y")).toEqual(["0%", "20%", "40%", "60%", "80%", "100%"]);
    expect(tags(svg, "path", "line")[0].d).toMatch(/^M[\d.]+,166L[\d.]+,114L[\d.]+,10$/);
    expect(tickLabels(svg, "axis-band")).toEqual(["2026-Q1", "2026-Q2", "2026-Q3"]);
  });

  it("gives numerator and count in titles and the overall share in the aria-label", () => {
    expect(titles(svg)).toEqual(["2026-Q1: 25% (2 of 8)", "2026-Q2: 50% (2 of 4)", "2026-Q3: 100% (2 of 2)"]);
    expect(ariaLabel(svg)).toBe("Repeat share: 25% in 2026-Q1 to 100% in 2026-Q3; high 100% in 2026-Q3, low 25% in 2026-Q1; overall 43% of 14");
  });

  it("leaves a gap for a period with nothing to share", () => {
    const out = render(<ShareLine periods={["a", "b", "c"]} shares={[0.25, Number.NaN, 1]} counts={[4, 0, 2]} label="x" />);
    expectClean(out);
    expect(tags(out, "circle", "point")).toHaveLength(2);
    expect(tags(out, "path", "line")[0].d.match(/M/g)).toHaveLength(2);
  });
});

describe("ActionBars", () => {
  const rows = [
    { key: "drift", label: "Data drift", done: 6, open: 2, overdue: 2 },
    { key: "infra", label: "Infra", done: 0, open: 1, overdue: 4 },
  ];
  const svg = render(<ActionBars rows={rows} label="Action items" />);

  it("stacks done, open and overdue left to right, widths proportional to counts", () => {
    const bars = tags(svg, "rect", "bar");
    expect(bars.map((b) => b.class)).toEqual(["bar bar-done", "bar bar-open", "bar bar-overdue", "bar bar-open", "bar bar-overdue"]);
    expect(bars.map((b) => b.fill)).toEqual([ACTION_COLORS.done, ACTION_COLORS.open, ACTION_COLORS.overdue, ACTION_COLORS.open, ACTION_COLORS.overdue]);
    const ticks = tickPositions(svg, "x");
    expect([...ticks.keys()]).toEqual(["0", "2", "4", "6", "8", "10"]);
    const unit = ((ticks.get("10") ?? 0) - (ticks.get("0") ?? 0)) / 10;
    expect(bars.map((b) => num(b, "width") / unit).map((v) => Math.round(v * 100) / 100)).toEqual([6, 2, 2, 1, 4]);
    expect(num(bars[0], "x")).toBe(ticks.get("0"));
    expect(num(bars[1], "x")).toBeCloseTo(num(bars[0], "x") + num(bars[0], "width"), 1);
  });

  it("labels rows and totals, summarises states and the worst class", () => {
    expect(svg).toContain(">Data drift</text>");
    expect(svg).toMatch(/class="total"[^>]*>10<\/text>/);
    expect(ariaLabel(svg)).toBe("Action items: 6 done, 3 open, 6 overdue across 2 classes; most overdue: Infra (4)");
    expect(titles(svg)).toContain("Infra · overdue: 4 of 5");
    for (const name of ["Done", "Open", "Overdue"]) expect(svg).toContain(`>${name}</text>`);
  });
});

describe("PrecisionBars", () => {
  const rows = [
    { rule: "HighLatencyP99", precision: 1, fires: 1200 },
    { rule: "FeatureNullRate", precision: 0.5, fires: 1 },
    { rule: "NewRule", precision: Number.NaN, fires: 0 },
  ];
  const svg = render(<PrecisionBars rows={rows} label="Rule precision" />);

  it("draws precision as bar widths on a 0–100% axis", () => {
    const ticks = tickPositions(svg, "x");
    expect([...ticks.keys()]).toEqual(["0%", "20%", "40%", "60%", "80%", "100%"]);
    const full = (ticks.get("100%") ?? 0) - (ticks.get("0%") ?? 0);
    const bars = tags(svg, "rect", "bar");
    expect(bars).toHaveLength(2);
    expect(num(bars[0], "width")).toBeCloseTo(full, 1);
    expect(num(bars[1], "width")).toBeCloseTo(full / 2, 1);
  });

  it("writes the fires beside each rule and n/a without a precision", () => {
    expect(svg).toMatch(/class="fires"[^>]*><title>[^<]*<\/title>1,200 fires<\/text>/);
    expect(svg).toContain("</title>1 fire</text>");
    expect(svg).toMatch(/class="na"[^>]*>n\/a<\/text>/);
    expect(titles(svg)).toContain("FeatureNullRate: 50% precision, 1 fire");
    expect(ariaLabel(svg)).toBe("Rule precision: 3 rules, 1,201 fires; precision from 50% (FeatureNullRate) to 100% (HighLatencyP99)");
    expectClean(svg);
  });
});

describe("SplitBar", () => {
  const parts = [
    { key: "alert", label: "Alerts", value: 30 },
    { key: "people", label: "People", value: 10, color: "#123456" },
  ];
  const svg = render(<SplitBar parts={parts} label="Detected by" />);

  it("splits one full-width bar in proportion", () => {
    const bars = tags(svg, "rect", "bar");
    expect(bars).toHaveLength(2);
    expect(num(bars[0], "width") + num(bars[1], "width")).toBeCloseTo(640 - 16, 5);
    expect(num(bars[0], "width") / num(bars[1], "width")).toBeCloseTo(3, 5);
    expect(bars[1].fill).toBe("#123456");
  });

  it("gives shares in titles, legend and aria-label", () => {
    expect(titles(svg)).toEqual(["Alerts: 30 (75% of 40)", "People: 10 (25% of 40)"]);
    expect(svg).toContain(">Alerts 30 (75%)</text>");
    expect(ariaLabel(svg)).toBe("Detected by: Alerts 30 (75%), People 10 (25%) of 40");
  });
});

describe("empty and single-value data", () => {
  const empty: [string, ReactElement][] = [
    ["StackedBars", <StackedBars periods={[]} series={[]} label="E" />],
    ["Pareto", <Pareto items={[]} label="E" />],
    ["Pareto (all zero)", <Pareto items={[{ key: "a", label: "A", count: 0 }]} label="E" />],
    ["FamilyBars", <FamilyBars periods={[]} ml={[]} nonMl={[]} label="E" />],
    ["BoxPlot", <BoxPlot unit="ms" groups={[]} label="E" />],
    ["BoxPlot (no values)", <BoxPlot unit="ms" groups={[{ key: "a", label: "A", values: [] }]} label="E" />],
    ["ShareLine", <ShareLine periods={[]} shares={[]} label="E" />],
    ["ActionBars", <ActionBars rows={[]} label="E" />],
    ["PrecisionBars", <PrecisionBars rows={[]} label="E" />],
    ["SplitBar", <SplitBar parts={[]} label="E" />],
  ];
  it.each(empty)("%s renders an SVG saying No data", (_, el) => {
    const svg = render(el);
    expectClean(svg);
    expect(svg).toContain(">No data</text>");
    expect(ariaLabel(svg)).toBe("E: no data");
  });

  const single: [string, ReactElement][] = [
    ["StackedBars", <StackedBars periods={["2026-01"]} series={[{ key: "a", label: "A", values: [3] }]} label="S" />],
    ["StackedBars (all zero)", <StackedBars periods={["2026-01"]} series={[{ key: "a", label: "A", values: [0] }]} label="S" />],
    ["Pareto", <Pareto items={[{ key: "a", label: "A", count: 3 }]} label="S" />],
    ["FamilyBars", <FamilyBars periods={["2026-Q1"]} ml={[1]} nonMl={[0]} label="S" />],
    ["FamilyBars (all zero)", <FamilyBars periods={["2026-Q1"]} ml={[0]} nonMl={[0]} label="S" mode="stacked" />],
    ["BoxPlot", <BoxPlot unit="ms" groups={[{ key: "a", label: "A", values: [3 * MIN] }]} label="S" />],
    ["BoxPlot (linear)", <BoxPlot unit="ms" scale="linear" groups={[{ key: "a", label: "A", values: [0] }]} label="S" />],
    ["BoxPlot (only zero, log)", <BoxPlot unit="ms" groups={[{ key: "a", label: "A", values: [0] }]} label="S" />],
    ["ShareLine", <ShareLine periods={["2026-Q1"]} shares={[0.5]} label="S" />],
    ["ShareLine (with count)", <ShareLine periods={["2026-Q1"]} shares={[0]} counts={[3]} label="S" />],
    ["ActionBars", <ActionBars rows={[{ key: "a", label: "A", done: 0, open: 0, overdue: 0 }]} label="S" />],
    ["PrecisionBars", <PrecisionBars rows={[{ rule: "r", precision: 0, fires: 0 }]} label="S" />],
    ["SplitBar", <SplitBar parts={[{ key: "a", label: "A", value: 1 }]} label="S" />],
  ];
  it.each(single)("%s draws without NaN or undefined", (_, el) => {
    const svg = render(el);
    expectClean(svg);
    expect(svg).not.toContain("No data");
    expect(ariaLabel(svg)).toMatch(/^S( \(log scale\))?: \S/);
  });

  it("a single value sits inside its axis", () => {
    const box = render(<BoxPlot unit="ms" groups={[{ key: "a", label: "A", values: [3 * MIN] }]} label="S" />);
    expect([...tickPositions(box, "x").keys()]).toEqual(["2m", "5m"]);
    const bar = tags(render(<StackedBars periods={["2026-01"]} series={[{ key: "a", label: "A", values: [3] }]} label="S" />), "rect", "bar");
    expect(bar).toHaveLength(1);
    expect(num(bar[0], "width")).toBe(56); // capped, not a slab across the chart
  });
});
