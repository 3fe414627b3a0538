import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ActionBars } from "~/components/charts/action-bars";
import { BoxPlot, logDomain } from "~/components/charts/box-plot";
import { ChangeDots } from "~/components/charts/change-dots";
import { contrastRatio } from "~/components/charts/colour";
import { FamilyBars } from "~/components/charts/family-bars";
import { ACTION_COLORS, CATEGORICAL, HIGHLIGHT, ML, NON_ML, OTHER, UNCLASSIFIED_INK } from "~/components/charts/palette";
import { Pareto } from "~/components/charts/pareto";
import { ShareBars } from "~/components/charts/share-bars";
import { ShareLine } from "~/components/charts/share-line";
import { SplitBar } from "~/components/charts/split-bar";
import { StackedBars } from "~/components/charts/stacked-bars";
import type { Column, Dataset, DataRow } from "~/utils/dataset";

const MIN = 60_000;

const render = (el: ReactElement) => renderToStaticMarkup(el);

type Attrs = Record<string, string>;
/** Attributes of every `<tag …>` whose class list includes `cls` (all of them when no class is given). */
function tags(svg: string, tag: string, cls?: string): Attrs[] {
  return [...svg.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, "g"))]
    .map((m) => Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])))
    .filter((a) => !cls || (a.class ?? "").split(" ").includes(cls));
}
const num = (a: Attrs, key: string) => Number(a[key]);
const titles = (svg: string) => [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => decode(m[1]));
/** React escapes & and quotes in markup. */
const decode = (s: string) => s.replaceAll("&amp;", "&").replaceAll("&quot;", '"').replaceAll("&#x27;", "'");
const ariaLabel = (svg: string) => decode(/aria-label="([^"]*)"/.exec(svg)?.[1] ?? "");
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

/** A dataset from [key, label, unit] columns and rows of values in that order. */
function ds(columns: [string, string, Column["unit"]][], rows: (string | number | null)[][], keys?: string[]): Dataset {
  return {
    columns: columns.map(([key, label, unit]) => ({ key, label, unit })),
    rows: rows.map((r, i) => ({ ...(keys ? { key: keys[i] } : {}), ...Object.fromEntries(columns.map(([key], j) => [key, r[j]])) }) as DataRow),
  };
}
const ID = "t";

describe("StackedBars", () => {
  const data = ds(
    [
      ["period", "month", "text"],
      ["partial", "partial period", "text"],
      ["class:drift", "Data drift", "count"],
      ["other", "Other classes", "count"],
      ["unclassified", "Unclassified", "count"],
      ["total", "total", "count"],
    ],
    [
      ["2026-01", "from Jan 5", 4, 2, 4, 10],
      ["2026-02", null, 2, 3, 0, 5],
      ["2026-03", "to Mar 20", 0, 0, 5, 5],
    ],
  );
  const series = data.columns.slice(2, 5);
  const svg = render(<StackedBars id={ID} data={data} series={series} label="Incidents by class" />);
  const bars = tags(svg, "rect", "bar");

  it("draws one rect per non-zero cell, stacked bottom-first, heights proportional to the cells", () => {
    expect(bars.map((b) => b["data-value"])).toEqual(["4", "2", "2", "3", "4", "5"]);
    const perUnit = num(bars[0], "height") / 4;
    for (const b of bars) expect(num(b, "height")).toBeCloseTo(perUnit * num(b, "data-value"), 1);
    // The tallest stack (10, the nice maximum) fills the plot: from the top margin to the baseline.
    const first = bars.filter((b) => b["data-row"] === "0");
    expect(first.reduce((s, b) => s + num(b, "height"), 0)).toBeCloseTo(10 * perUnit, 1);
    const baseline = tags(svg, "line", "baseline")[0];
    expect(num(first[0], "y") + num(first[0], "height")).toBeCloseTo(num(baseline, "y1"), 1);
    expect(num(first[1], "y") + num(first[1], "height")).toBeCloseTo(num(first[0], "y"), 1);
  });

  it("says in titles and the aria-label what the table says, partial periods included", () => {
    expect(titles(svg)).toContain("2026-01 (partial: from Jan 5) · Data drift: 4 of 10");
    expect(titles(svg)).toContain("2026-02 · Other classes: 3 of 5");
    expect(ariaLabel(svg)).toBe(
      "Incidents by class: 20 in total over 3 periods (2026-01 to 2026-03); Data drift 6, Other classes 5, Unclassified 9; peak 10 in 2026-01; partial: 2026-01 from Jan 5; 2026-03 to Mar 20",
    );
  });

  it("hatches partial periods and says so in the legend", () => {
    // Two partial bars and the legend swatch.
    expect(tags(svg, "rect", "partial-mark")).toHaveLength(3);
    expect(svg).toContain(">partial period</text>");
  });

  it("draws Unclassified as an outlined pattern and Other classes in solid grey", () => {
    expect(svg).toContain(`<g class="series series-other" fill="${OTHER}">`);
    expect(svg).toContain(`<g class="series series-unclassified" fill="url(#${ID}-unclassified)" stroke="${UNCLASSIFIED_INK}">`);
    expect(svg).toMatch(new RegExp(`<pattern id="${ID}-unclassified"`));
    expect(svg).toContain(`<g class="series series-class:drift" fill="${CATEGORICAL[0]}">`);
  });

  it("thins the x labels when there are many periods", () => {
    const many = Array.from({ length: 36 }, (_, i) => [`${2023 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`, null, 1, 1]);
    const d = ds(
      [
        ["period", "month", "text"],
        ["partial", "partial", "text"],
        ["a", "A", "count"],
        ["total", "total", "count"],
      ],
      many,
    );
    const out = render(<StackedBars id={ID} data={d} series={d.columns.slice(2, 3)} label="x" />);
    const labels = tickLabels(out, "axis-band");
    expect(labels.length).toBeLessThan(36);
    expect(labels.length).toBeGreaterThan(4);
    expect(labels[0]).toBe("2023-01");
    expect(tags(out, "rect", "bar")).toHaveLength(36);
    expectClean(out);
  });
});

describe("Pareto", () => {
  const data = ds(
    [
      ["class", "class", "text"],
      ["incidents", "incidents", "count"],
      ["share", "share", "percent"],
      ["cumulative", "cumulative", "percent"],
      ["repeats", "repeats", "count"],
      ["note", "note", "text"],
    ],
    [
      ["Data drift", 40, 40, 40, 3, null],
      ["Infra", 20, 20, 60, 0, null],
      ["Config", 20, 20, 80, 1, null],
      ["Deps", 10, 10, 90, 0, null],
      ["Labels", 4, 4, 94, 0, "few (under 5)"],
    ],
    ["drift", "infra", "config", "deps", "labels"],
  );
  const svg = render(<Pareto id={ID} data={data} label="Failure classes" />);
  const bars = tags(svg, "rect", "bar");

  it("draws the bars in order, heights proportional to the counts, and the cumulative line to 100%", () => {
    expect(bars.map((b) => b["data-value"])).toEqual(["40", "20", "20", "10", "4"]);
    const perUnit = num(bars[0], "height") / 40;
    for (const b of bars) expect(num(b, "height")).toBeCloseTo(perUnit * num(b, "data-value"), 1);
    const points = tags(svg, "circle", "point");
    expect(points.map((p) => p["data-value"])).toEqual(["40", "60", "80", "90", "94"]);
    // 40% sits 0.4 of the way from the baseline to the top of the 0–100% axis.
    const top = tickPositions(svg, "y").get("100%")!;
    const zero = tickPositions(svg, "y").get("0%")!;
    expect(num(points[0], "cy")).toBeCloseTo(zero + 0.4 * (top - zero), 1);
    expect(titles(svg)).toContain("Labels: cumulative 94%");
  });

  it("colours classes with repeats and draws classes with few incidents pale with an outline", () => {
    expect(tags(svg, "rect", "highlight").map((b) => b["data-value"])).toEqual(["40", "20"]);
    expect(tags(svg, "rect", "highlight").every((b) => b.fill === HIGHLIGHT)).toBe(true);
    const few = tags(svg, "rect", "few");
    expect(few).toHaveLength(1);
    expect(few[0]).toMatchObject({ "fill-opacity": "0.3", stroke: CATEGORICAL[0] });
    expect(titles(svg)).toContain("Labels: 4 (4% of classified), 0 repeats · few (under 5)");
    expect(titles(svg)).toContain("Data drift: 40 (40% of classified), 3 repeats");
    expect(svg).toContain(">Has repeats</text>");
    expect(svg).toContain(">Few (under 5): pale</text>");
  });

  it("summarises the total and the 80% point in the aria-label", () => {
    expect(ariaLabel(svg)).toBe(
      "Failure classes: 94 classified incidents across 5 classes; largest Data drift 40 (40%); the first 3 make up 80%; 2 with repeats; 1 with few incidents",
    );
  });

  it("turns long labels and keeps the full name in the bar's title", () => {
    const long = { ...data, rows: data.rows.map((r) => ({ ...r, class: `${r.class} in the feature pipeline of the ranking model` })) };
    const out = render(<Pareto id={ID} data={long} label="x" />);
    expect(out).toContain("rotate(-35)");
    expect(out).toContain("…</text>");
    expect(titles(out)).toContain("Infra in the feature pipeline of the ranking model: 20 (20% of classified), 0 repeats");
    expectClean(out);
  });
});

describe("FamilyBars", () => {
  const data = ds(
    [
      ["period", "quarter", "text"],
      ["partial", "partial", "text"],
      ["ml", "ML-specific", "count"],
      ["nonMl", "non-ML", "count"],
      ["total", "classified", "count"],
      ["mlShare", "ML share", "percent"],
    ],
    [
      ["2026-Q1", null, 4, 2, 6, 66.7],
      ["2026-Q2", "to May 3", 0, 8, 8, 0],
    ],
  );
  const svg = render(<FamilyBars id={ID} data={data} label="ML vs non-ML" />);

  it("draws grouped bars in the family colours, skipping zeros, heights proportional", () => {
    const bars = tags(svg, "rect", "bar");
    expect(bars.map((b) => b["data-value"])).toEqual(["4", "2", "8"]);
    expect(svg).toContain(`<g class="series series-ml" fill="${ML}">`);
    expect(svg).toContain(`<g class="series series-nonMl" fill="${NON_ML}">`);
    expect(num(bars[0], "height") / 4).toBeCloseTo(num(bars[2], "height") / 8, 1);
    expect(tickLabels(svg, "axis-y")).toEqual(["0", "2", "4", "6", "8"]);
    expect(tags(svg, "rect", "partial-mark")).toHaveLength(2); // the partial bar and the legend swatch
  });

  it("summarises each family's total and share", () => {
    expect(ariaLabel(svg)).toBe("ML vs non-ML: ML-specific 4 (29%), non-ML 10 (71%) over 2 periods (2026-Q1 to 2026-Q2); partial: 2026-Q2 to May 3");
    expect(titles(svg)).toContain("2026-Q2 (partial: to May 3) · Non-ML: 8 of 8 (ML-specific share 0%)");
  });
});

describe("BoxPlot", () => {
  const cols: [string, string, Column["unit"]][] = [
    ["class", "class", "text"],
    ["n", "n", "count"],
    ["min", "fastest", "minutes"],
    ["q1", "q1", "minutes"],
    ["median", "median", "minutes"],
    ["q3", "q3", "minutes"],
    ["max", "slowest", "minutes"],
    ["note", "note", "text"],
  ];
  const data = ds(cols, [
    ["Data drift", 26, 1, 2, 3, 4, 5, null],
    ["Labels", 2, 2, 2.5, 3, 3.5, 4, "few (under 5)"],
  ]);
  const svg = render(<BoxPlot id={ID} data={data} label="Time to resolve" />);

  it("places the summary on a log axis: the median of 3m between 1m and 5m", () => {
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
  });

  it("prints n on every row, marks few incidents, and gives the same n in titles and the aria-label", () => {
    expect([...svg.matchAll(/<text class="n"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(["n=26", "n=2 · few"]);
    expect(titles(svg)).toContain("Data drift: median 3m, middle half 2m to 4m, range 1m to 5m (n=26)");
    // 2.5 and 3.5 minutes read as 3m and 4m, in the table as in the tooltip (one formatter).
    expect(titles(svg)).toContain("Labels: median 3m, middle half 3m to 4m, range 2m to 4m (n=2) · few (under 5)");
    expect(ariaLabel(svg)).toBe("Time to resolve (log scale): Data drift median 3m (n=26, 1m to 5m); Labels median 3m (n=2, few, 2m to 4m)");
    expect(tags(svg, "g", "few")).toHaveLength(1);
    expect(svg).toMatch(/<g class="group few"><text[^>]*>Labels<\/text><g class="box" data-row="1" stroke="#0077bb" stroke-dasharray="4 3">/);
  });

  it("formats log ticks as durations from minutes to days", () => {
    const out = render(
      <BoxPlot
        id={ID}
        data={ds(cols, [
          ["Data drift", 5, 5, 40, 120, 540, 4320, null],
          ["Infra", 2, 12, 30, 60, 120, 180, "few (under 5)"],
        ])}
        label="TTR"
      />,
    );
    const labels = [...tickPositions(out, "x").keys()];
    expect(labels[0]).toBe("5m");
    expect(labels[labels.length - 1]).toBe("3d");
    expect(labels).toContain("1h");
    for (const l of labels) expect(l).toMatch(/^\d+(ms|s|m|h|d)$/);
    const xs = [...tickPositions(out, "x").values()];
    for (let i = 1; i < xs.length; i++) expect(xs[i] - xs[i - 1]).toBeGreaterThanOrEqual(48);
    expectClean(out);
  });

  it("can use a linear axis with ticks on whole units, and draws 0 on a log axis at its left edge", () => {
    const lin = render(<BoxPlot id={ID} scale="linear" data={ds(cols, [["A", 3, 0, 5, 10, 30, 50, null]])} label="x" />);
    expect([...tickPositions(lin, "x").keys()]).toEqual(["0s", "10m", "20m", "30m", "40m", "50m"]);
    expect(ariaLabel(lin)).not.toContain("log scale");
    const zero = render(<BoxPlot id={ID} data={ds(cols, [["A", 3, 0, 1, 2, 3, 4, null]])} label="x" />);
    expect(num(tags(zero, "line", "cap")[0], "x1")).toBe(num(tags(zero, "line", "cap")[0], "x2"));
    expectClean(zero);
  });
});

describe("ShareLine", () => {
  const data = ds(
    [
      ["period", "quarter", "text"],
      ["partial", "partial", "text"],
      ["classified", "classified", "count"],
      ["repeats", "repeats", "count"],
      ["share", "share", "percent"],
    ],
    [
      ["2025-Q4", "from Nov 3", 9, 2, 22.2],
      ["2026-Q1", null, 0, 0, null],
      ["2026-Q2", null, 4, 1, 25],
    ],
  );
  const svg = render(<ShareLine id={ID} data={data} part="repeats" of="classified" label="Repeats" />);

  it("plots each share with its numerator and count as the table has them, and leaves a gap for none", () => {
    expect(titles(svg)).toEqual(["2025-Q4 (partial: from Nov 3): 22.2% (2 of 9)", "2026-Q2: 25% (1 of 4)"]);
    const points = tags(svg, "circle", "point");
    expect(points).toHaveLength(2);
    expect(points[0]).toMatchObject({ class: "point partial", fill: "#fff" });
    const top = tickPositions(svg, "y").get("100%")!;
    const zero = tickPositions(svg, "y").get("0%")!;
    expect(num(points[1], "cy")).toBeCloseTo(zero + 0.25 * (top - zero), 1);
    expect(tags(svg, "path", "line")[0].d.split("M")).toHaveLength(3); // two pieces: a gap in 2026-Q1
    expect(ariaLabel(svg)).toBe("Repeats: 22.2% (2 of 9) in 2025-Q4 to 25% (1 of 4) in 2026-Q2; high 25% in 2026-Q2, low 22.2% in 2025-Q4; overall 23% (3 of 13); partial: 2025-Q4 from Nov 3");
  });
});

describe("ActionBars", () => {
  const data = ds(
    [
      ["class", "class", "text"],
      ["done", "done", "count"],
      ["open", "open", "count"],
      ["overdue", "overdue", "count"],
      ["total", "total", "count"],
    ],
    [
      ["Data drift", 2, 1, 3, 6],
      ["Infra", 1, 0, 0, 1],
    ],
  );
  const svg = render(<ActionBars id={ID} data={data} label="Actions" />);

  it("stacks done, open and overdue left to right, widths proportional, in the state colours", () => {
    const bars = tags(svg, "rect", "bar");
    expect(bars.map((b) => [b.class, b["data-value"], b.fill])).toEqual([
      ["bar bar-done", "2", ACTION_COLORS.done],
      ["bar bar-open", "1", ACTION_COLORS.open],
      ["bar bar-overdue", "3", ACTION_COLORS.overdue],
      ["bar bar-done", "1", ACTION_COLORS.done],
    ]);
    const perUnit = num(bars[0], "width") / 2;
    for (const b of bars) expect(num(b, "width")).toBeCloseTo(perUnit * num(b, "data-value"), 1);
    expect(num(bars[1], "x")).toBeCloseTo(num(bars[0], "x") + num(bars[0], "width"), 1);
    expect(ariaLabel(svg)).toBe("Actions: 3 done, 1 open, 3 overdue across 2 classes; most overdue: Data drift (3)");
    expect(titles(svg)).toContain("Data drift · overdue: 3 of 6");
  });
});

describe("ShareBars", () => {
  const data = ds(
    [
      ["rule", "rule", "text"],
      ["fires", "fires", "count"],
      ["precision", "precision", "percent"],
    ],
    [
      ["Drift", 12, 25],
      ["Latency", 3, 100],
      ["New", 0, null],
    ],
  );
  const svg = render(
    <ShareBars id={ID} data={data} name="rule" share="precision" side={(r) => `${r.fires} fires`} describe={(r) => `${r.rule}: ${r.precision ?? "n/a"}`} label="Precision" />,
  );

  it("draws shares on a fixed 0–100% axis, says n/a without one, and writes the side text", () => {
    const bars = tags(svg, "rect", "bar");
    expect(bars.map((b) => b["data-value"])).toEqual(["25", "100"]);
    expect(num(bars[1], "width")).toBeCloseTo(4 * num(bars[0], "width"), 1);
    expect(svg).toContain(">n/a</text>");
    expect([...svg.matchAll(/<text class="side"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(["12 fires", "3 fires", "0 fires"]);
    expect(titles(svg)).toEqual(["Drift: 25", "Latency: 100", "New: n/a"]);
    expect(ariaLabel(svg)).toBe("Precision: 3 rows; from 25% (Drift) to 100% (Latency)");
  });
});

describe("SplitBar", () => {
  const data = ds(
    [
      ["source", "detected by", "text"],
      ["incidents", "incidents", "count"],
      ["share", "share", "percent"],
    ],
    [
      ["Alerts", 6, 60],
      ["People", 3, 30],
      ["Tests", 1, 10],
      ["Not recorded", 0, 0],
    ],
    ["alert", "people", "test", "unknown"],
  );
  const svg = render(<SplitBar id={ID} data={data} label="Detection" />);

  it("splits one bar in proportion and labels parts in a colour with at least 4.5:1 contrast", () => {
    const bars = tags(svg, "rect", "bar");
    expect(bars.map((b) => b["data-value"])).toEqual(["6", "3", "1"]);
    expect(num(bars[0], "width")).toBeCloseTo(2 * num(bars[1], "width"), 1);
    const labels = [...svg.matchAll(/<rect class="bar"[^>]*fill="(#[0-9a-f]{6})"[^>]*>.*?<\/rect><text[^>]*fill="(#[0-9a-f]{6})"/g)];
    expect(labels.length).toBeGreaterThanOrEqual(2);
    for (const [, bar, text] of labels) expect(contrastRatio(bar, text)).toBeGreaterThanOrEqual(4.5);
    expect(ariaLabel(svg)).toBe("Detection: Alerts 6 (60%), People 3 (30%), Tests 1 (10%), Not recorded 0 (0%) of 10");
    expect(titles(svg)).toContain("Alerts: 6 (60% of 10)");
  });
});

describe("ChangeDots", () => {
  const data = ds(
    [
      ["class", "class", "text"],
      ["before", "before", "count"],
      ["now", "now", "count"],
      ["change", "change", "count"],
      ["direction", "direction", "text"],
    ],
    [
      ["Data drift", 2, 12, 10, "up"],
      ["Infra", 8, 3, -5, "down"],
    ],
  );
  const svg = render(<ChangeDots id={ID} data={data} label="Then vs now" />);

  it("puts the previous count hollow and the current one filled, coloured by direction", () => {
    const before = tags(svg, "circle", "before");
    const now = tags(svg, "circle", "now");
    expect(before.map((c) => c["data-value"])).toEqual(["2", "8"]);
    expect(now.map((c) => [c["data-value"], c.fill])).toEqual([
      ["12", HIGHLIGHT],
      ["3", CATEGORICAL[0]],
    ]);
    expect(num(now[0], "cx") - num(before[0], "cx")).toBeCloseTo(2 * (num(before[1], "cx") - num(now[1], "cx")), 1);
    expect(titles(svg)).toEqual(["Data drift: 2 → 12 incidents (+10, up)", "Infra: 8 → 3 incidents (-5, down)"]);
    expect(ariaLabel(svg)).toBe("Then vs now: Data drift 2 → 12 (+10); Infra 8 → 3 (-5)");
  });
});

describe("empty and single-row data", () => {
  const none = (cols: [string, string, Column["unit"]][]) => ds(cols, []);
  const periodCols: [string, string, Column["unit"]][] = [
    ["period", "p", "text"],
    ["partial", "partial", "text"],
    ["a", "A", "count"],
    ["total", "total", "count"],
  ];
  const empty: [string, ReactElement][] = [
    ["StackedBars", <StackedBars id={ID} data={none(periodCols)} series={[]} label="E" />],
    ["Pareto", <Pareto id={ID} data={none([["class", "c", "text"], ["incidents", "n", "count"]])} label="E" />],
    ["FamilyBars", <FamilyBars id={ID} data={none(periodCols)} label="E" />],
    ["BoxPlot", <BoxPlot id={ID} data={none([["class", "c", "text"]])} label="E" />],
    ["ShareLine", <ShareLine id={ID} data={none(periodCols)} part="a" of="total" label="E" />],
    ["ActionBars", <ActionBars id={ID} data={none([["class", "c", "text"]])} label="E" />],
    ["ShareBars", <ShareBars id={ID} data={none([["rule", "r", "text"]])} name="rule" share="p" side={() => ""} describe={() => ""} label="E" />],
    ["SplitBar", <SplitBar id={ID} data={none([["source", "s", "text"]])} label="E" />],
    ["ChangeDots", <ChangeDots id={ID} data={none([["class", "c", "text"]])} label="E" />],
  ];
  it.each(empty)("%s renders an SVG saying No data", (_, el) => {
    const svg = render(el);
    expectClean(svg);
    expect(svg).toContain(">No data</text>");
    expect(ariaLabel(svg)).toBe("E: no data");
  });

  it("a single period draws a capped bar, not a slab across the chart", () => {
    const d = ds(periodCols, [["2026-01", null, 3, 3]]);
    const bar = tags(render(<StackedBars id={ID} data={d} series={d.columns.slice(2, 3)} label="S" />), "rect", "bar");
    expect(bar).toHaveLength(1);
    expect(num(bar[0], "width")).toBe(56);
  });
});
