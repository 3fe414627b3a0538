import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { actionBarsTable } from "~/components/charts/action-bars";
import { boxPlotTable } from "~/components/charts/box-plot";
import { ChartTable } from "~/components/charts/chart-table";
import { familyBarsTable } from "~/components/charts/family-bars";
import { formatCount, formatMs, formatPct } from "~/components/charts/format";
import { CATEGORICAL, colorFor, ML, NON_ML, OTHER } from "~/components/charts/palette";
import { paretoTable } from "~/components/charts/pareto";
import { precisionBarsTable } from "~/components/charts/precision-bars";
import { shareLineTable } from "~/components/charts/share-line";
import { splitBarTable } from "~/components/charts/split-bar";
import { stackedBarsTable } from "~/components/charts/stacked-bars";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe("formatMs", () => {
  it.each([
    [0, "0s"],
    [350, "350ms"],
    [999.6, "1s"],
    [45 * S, "45s"],
    [59.4 * S, "59s"],
    [12 * M, "12m"],
    [12 * M + 20 * S, "12m"],
    [59.6 * M, "1h"],
    [2 * H, "2h"],
    [3 * H + 5 * M, "3h 05m"],
    [23 * H + 59.7 * M, "1d"],
    [2 * D, "2d"],
    [2 * D + 4 * H, "2d 4h"],
    [45 * D, "45d"],
    [-90 * S, "-2m"],
    [Number.NaN, "–"],
  ])("formatMs(%d) = %s", (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});

describe("formatPct and formatCount", () => {
  it("formats shares and counts", () => {
    expect(formatPct(0.423)).toBe("42%");
    expect(formatPct(0.4234, 1)).toBe("42.3%");
    expect(formatPct(1)).toBe("100%");
    expect(formatPct(Number.NaN)).toBe("–");
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(formatCount(2.5)).toBe("2.5");
  });
});

describe("palette", () => {
  it("has ten categorical colours and fixed family and Other colours", () => {
    expect(CATEGORICAL).toHaveLength(10);
    expect(new Set(CATEGORICAL).size).toBe(10);
    expect(ML).toBe("#7b3fb8");
    expect(NON_ML).toBe("#2f7d8c");
    expect(colorFor("ml", 3)).toBe(ML);
    expect(colorFor("non-ml", 0)).toBe(NON_ML);
    expect(colorFor("Other", 0)).toBe(OTHER);
    expect(colorFor("data.drift", 11)).toBe(CATEGORICAL[1]);
    expect(colorFor("x", 0, "#000000")).toBe("#000000");
  });
});

describe("ChartTable", () => {
  const html = renderToStaticMarkup(
    <ChartTable
      caption="Incidents per month"
      columns={[
        { key: "month", label: "Month" },
        { key: "n", label: "Incidents" },
        { key: "share", label: "Share", numeric: true, format: (v) => (typeof v === "number" ? formatPct(v) : "–") },
      ]}
      rows={[
        { month: "2026-01", n: 1200, share: 0.5 },
        { month: "2026-02", n: 3, share: null },
      ]}
    />,
  );

  it("renders the caption, a header row and one row per data row", () => {
    expect(html).toContain("<caption>Incidents per month</caption>");
    expect(html.match(/<th scope="col"/g)).toHaveLength(3);
    expect(html).toContain(">Month</th>");
    expect(html.match(/<tr>/g)).toHaveLength(3);
    expect(html).toContain('<th scope="row" style="text-align:left">2026-01</th>');
    expect(html).toContain('<td style="text-align:right">1,200</td>');
    expect(html).toContain(">50%</td>");
    expect(html).toContain(">–</td>");
  });

  it("says No data for no rows", () => {
    const empty = renderToStaticMarkup(<ChartTable caption="Empty" columns={[{ key: "a", label: "A" }]} rows={[]} />);
    expect(empty).toContain("<caption>Empty</caption>");
    expect(empty).toMatch(/<td colspan="1">No data<\/td>/i);
  });
});

describe("chart table helpers", () => {
  it("hold the same numbers as the charts", () => {
    const stacked = stackedBarsTable({
      periods: ["2026-01", "2026-02"],
      series: [
        { key: "a", label: "A", values: [1, 2] },
        { key: "other", label: "Other", values: [3, 0] },
      ],
    });
    expect(stacked.columns.map((c) => c.label)).toEqual(["Period", "A", "Other", "Total"]);
    expect(stacked.rows).toEqual([
      { period: "2026-01", s0: 1, s1: 3, total: 4 },
      { period: "2026-02", s0: 2, s1: 0, total: 2 },
    ]);

    const pareto = paretoTable({ items: [{ key: "a", label: "A", count: 3, highlight: true }, { key: "b", label: "B", count: 1 }] });
    expect(pareto.rows).toEqual([
      { label: "A", count: 3, share: 0.75, cumulative: 0.75, highlight: "yes" },
      { label: "B", count: 1, share: 0.25, cumulative: 1, highlight: "" },
    ]);

    expect(familyBarsTable({ periods: ["Q1"], ml: [1], nonMl: [3] }).rows).toEqual([{ period: "Q1", ml: 1, nonMl: 3, total: 4, mlShare: 0.25 }]);
    expect(boxPlotTable({ groups: [{ key: "a", label: "A", values: [1, 2, 3, 4, 5].map((v) => v * M) }] }).rows[0]).toEqual({
      label: "A", n: 5, min: M, q1: 2 * M, median: 3 * M, q3: 4 * M, max: 5 * M,
    });
    expect(shareLineTable({ periods: ["Q1", "Q2"], shares: [0.5, 0], counts: [4, 0] }).rows).toEqual([
      { period: "Q1", share: 0.5, part: 2, count: 4 },
      { period: "Q2", share: null, part: null, count: 0 },
    ]);
    expect(actionBarsTable({ rows: [{ key: "a", label: "A", done: 1, open: 2, overdue: 3 }] }).rows).toEqual([
      { label: "A", done: 1, open: 2, overdue: 3, total: 6 },
    ]);
    expect(precisionBarsTable({ rows: [{ rule: "r", precision: Number.NaN, fires: 2 }] }).rows).toEqual([{ rule: "r", precision: null, fires: 2 }]);
    expect(splitBarTable({ parts: [{ key: "a", label: "A", value: 1 }, { key: "b", label: "B", value: 3 }] }).rows).toEqual([
      { label: "A", value: 1, share: 0.25 },
      { label: "B", value: 3, share: 0.75 },
    ]);
  });

  it("render through ChartTable without undefined", () => {
    const html = renderToStaticMarkup(
      <ChartTable caption="Box" {...boxPlotTable({ groups: [{ key: "a", label: "A", values: [] }, { key: "b", label: "B", values: [M, 2 * H] }] })} />,
    );
    expect(html).not.toMatch(/undefined|NaN/);
    expect(html).toContain('<th scope="row" style="text-align:left">A</th><td style="text-align:right">0</td><td style="text-align:right">–</td>');
    expect(html).toContain(">1m</td>"); // min
    expect(html).toContain(">1h 01m</td>"); // median of 1m and 2h: 60.5 minutes
    expect(html).toContain(">2h</td>"); // max
  });
});
