import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ChartTable } from "~/components/charts/chart-table";
import { formatCount, formatMs, formatPct } from "~/components/charts/format";
import { cellText, formatCell, percent, type Dataset } from "~/utils/dataset";

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

describe("formatCell", () => {
  it("formats each unit as the table, tooltips and aria-labels show it", () => {
    expect(formatCell(1234, "count")).toBe("1,234");
    expect(formatCell(22.2, "percent")).toBe("22.2%");
    expect(formatCell(185, "minutes")).toBe("3h 05m");
    expect(formatCell(0, "minutes")).toBe("0s");
    expect(formatCell(6.5, "days")).toBe("6.5 d");
    expect(formatCell("to Nov 24", "text")).toBe("to Nov 24");
    expect([formatCell(null, "count"), formatCell(undefined, "percent"), formatCell("", "text")]).toEqual(["–", "–", "–"]);
    expect([percent(2, 9), percent(1, 3), percent(0, 0)]).toEqual([22.2, 33.3, null]);
  });
});

describe("ChartTable", () => {
  const data: Dataset = {
    columns: [
      { key: "month", label: "Month", unit: "text" },
      { key: "n", label: "Incidents", unit: "count" },
      { key: "share", label: "Share", unit: "percent" },
      { key: "ttr", label: "Median time to resolve", unit: "minutes" },
    ],
    rows: [
      { month: "2026-01", n: 1200, share: 50, ttr: 90 },
      { month: "2026-02", n: 3, share: null, ttr: null },
    ],
  };
  const html = renderToStaticMarkup(<ChartTable caption="Incidents per month" data={data} />);

  it("renders the caption, a header row and one row per dataset row, formatted as the charts format them", () => {
    expect(html).toContain("<caption>Incidents per month</caption>");
    expect(html.match(/<th scope="col"/g)).toHaveLength(4);
    expect(html.match(/<tr>/g)).toHaveLength(3);
    expect(html).toContain('<th scope="row" style="text-align:left">2026-01</th>');
    expect(html).toContain('<td style="text-align:right" data-value="1200">1,200</td>');
    expect(html).toContain('data-value="50">50%</td>');
    expect(html).toContain('data-value="90">1h 30m</td>');
    expect(html).toContain('<td style="text-align:right">–</td>');
    expect(cellText(data, data.rows[0], "ttr")).toBe("1h 30m");
  });

  it("says No data for no rows", () => {
    const empty = renderToStaticMarkup(<ChartTable caption="Empty" data={{ columns: [{ key: "a", label: "A", unit: "text" }], rows: [] }} />);
    expect(empty).toContain("<caption>Empty</caption>");
    expect(empty).toMatch(/<td colspan="1">No data<\/td>/i);
  });
});
