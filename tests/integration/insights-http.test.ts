import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DomUtils, parseDocument } from "htmlparser2";
import type { Element } from "domhandler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client";
import { loadTaxonomy, syncTaxonomy } from "~/domain/taxonomy.server";
import { setupAdmin, type Client } from "../helpers/http";
import { buildFixture, COMPAT } from "../helpers/insights-fixture";
import { startServer, type RunningServer } from "../helpers/server";

// The built server over HTTP on the hand-built fixture: refused filters, bins, partial marks, the suggested-class
// filter, and, for every chart on /insights and the report, that the SVG, the table and the CSV say the same.

let server: RunningServer;
let admin: Client;
const RANGE = "from=2024-02-01&to=2024-05-31";

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faultline-insights-"));
  const db = openDatabase(path.join(dir, "faultline.db"));
  syncTaxonomy(db, loadTaxonomy());
  const fx = buildFixture(db);
  // One incident whose class the classifier only suggested (issue 12 records these).
  db.$client.prepare("update incidents set class_status = 'suggested' where id = ?").run(fx.I.I6);
  db.$client.close();
  server = await startServer({ dir });
  admin = await setupAdmin(server.url);
});
afterAll(async () => {
  await server?.dispose();
});

const elements = (root: Parameters<typeof DomUtils.findAll>[1], test: (e: Element) => boolean) => DomUtils.findAll(test, root);
const hasClass = (e: Element, c: string) => (e.attribs.class ?? "").split(" ").includes(c);
const text = (e: Element) => DomUtils.textContent(e).trim();
const titleOf = (e: Element) => {
  const t = e.children.find((c): c is Element => c.type === "tag" && c.name === "title");
  return t ? text(t) : "";
};

/** RFC 4180 fields (quotes doubled inside quoted fields), enough to read what toCsv writes. */
function readCsv(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const ch = csv[i];
    if (quoted) {
      if (ch === '"' && csv[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(field), (field = "");
    else if (ch === "\r" && csv[i + 1] === "\n") row.push(field), rows.push(row), (row = []), (field = ""), i++;
    else field += ch;
  }
  return rows;
}

type Section = {
  id: string;
  csv: string[][];
  /** The table's rows as the page shows them, and each numeric cell's raw value. */
  shown: string[][];
  raw: (string | undefined)[][];
  svgs: Element[];
  note: string;
};

async function sections(pagePath: string): Promise<Section[]> {
  const { res, body } = await admin.html(pagePath);
  expect(res.status).toBe(200);
  const doc = parseDocument(body);
  const found = elements(doc.children, (e) => e.name === "section" && hasClass(e, "insight"));
  const query = pagePath.includes("?") ? pagePath.slice(pagePath.indexOf("?")) : "";
  return Promise.all(
    found.map(async (s) => {
      const id = s.attribs.id;
      const csvRes = await admin.get(`/insights/csv/${id}${query}`);
      expect(csvRes.status, id).toBe(200);
      const [table] = elements([s], (e) => e.name === "table");
      const bodyRows = elements([table], (e) => e.name === "tr" && e.parent?.type === "tag" && (e.parent as Element).name === "tbody");
      const cellsOf = (tr: Element) => tr.children.filter((c): c is Element => c.type === "tag" && (c.name === "td" || c.name === "th"));
      return {
        id,
        csv: readCsv(await csvRes.text()),
        shown: bodyRows.map((tr) => cellsOf(tr).map(text)),
        raw: bodyRows.map((tr) => cellsOf(tr).map((c) => c.attribs["data-value"])),
        svgs: elements([s], (e) => e.name === "svg"),
        note: elements([s], (e) => hasClass(e, "chart-note")).map(text).join(" "),
      };
    }),
  );
}

/** Checks one section: the table holds the CSV's values, and every drawing's marks, titles and label come from them. */
function expectAgreement(s: Section) {
  const [header, ...rows] = s.csv;
  const col = (label: string) => {
    const j = header.indexOf(label);
    if (j < 0) throw new Error(`${s.id}: no column "${label}" in ${header.join(" | ")}`);
    return j;
  };
  // Table and CSV: the same rows; numeric cells carry the CSV's raw value, empty cells show "–".
  expect(s.shown.length, `${s.id} rows`).toBe(rows.length);
  // The CSV defuses text a spreadsheet would run as a formula with a leading "'"; the page shows it as it is.
  const asText = (v: string) => (/^'[=+\-@\t\r]/.test(v) ? v.slice(1) : v);
  rows.forEach((r, i) =>
    r.forEach((v, j) => {
      if (j === 0) expect(s.shown[i][0], `${s.id} row ${i}`).toBe(asText(v) || "–");
      else if (s.raw[i][j] !== undefined) expect(s.raw[i][j], `${s.id} row ${i} ${header[j]}`).toBe(v);
      else expect(s.shown[i][j], `${s.id} row ${i} ${header[j]}`).toBe(v === "" ? "–" : asText(v));
    }),
  );
  const shown = (i: number, label: string) => s.shown[i][col(label)];
  const csvNum = (i: number, label: string) => Number(rows[i][col(label)]);
  const sum = (label: string) => rows.reduce((t, _, i) => t + csvNum(i, label), 0);
  if (s.id === "then-vs-now" && sum(header[1]) === 0) {
    // Nothing before to compare with: no chart drawing every class as "more", and the note says why.
    expect(s.svgs, s.id).toHaveLength(0);
    expect(s.note).toContain("No incidents started in the previous period");
    return;
  }
  expect(s.svgs, s.id).toHaveLength(3);

  for (const svg of s.svgs) {
    const label = svg.attribs["aria-label"];
    expect(svg.attribs.role).toBe("img");
    const marks = elements([svg], (e) => e.attribs["data-row"] !== undefined && e.attribs["data-value"] !== undefined);
    const row = (e: Element) => Number(e.attribs["data-row"]);
    /** The CSV column a mark is drawn from. */
    const key = (e: Element) => header[Number(e.attribs["data-col"])];
    // Every mark's value is its row's value in the CSV.
    for (const m of marks) expect(m.attribs["data-value"], `${s.id} mark of ${key(m)}`).toBe(rows[row(m)][Number(m.attribs["data-col"])]);
    /** Bars drawn on one linear scale: size over value is the same for every bar. */
    const proportional = (bars: Element[], size: "height" | "width") => {
      const ratios = bars.filter((b) => Number(b.attribs["data-value"]) > 0).map((b) => Number(b.attribs[size]) / Number(b.attribs["data-value"]));
      for (const r of ratios) expect(r, `${s.id} ${size} per unit`).toBeCloseTo(ratios[0], 1);
    };
    const period = (i: number) => (rows[i][1] ? `${rows[i][0]} (partial: ${rows[i][1]})` : rows[i][0]);
    const name = (i: number) => asText(rows[i][0]);

    switch (s.id) {
      case "classes-over-time": {
        const series = header.slice(2, -1);
        for (const m of marks) {
          const i = row(m);
          expect(series).toContain(key(m));
          expect(titleOf(m)).toBe(`${period(i)} · ${key(m)}: ${shown(i, key(m))} of ${shown(i, "total")}`);
        }
        proportional(marks, "height");
        expect(label).toContain(`${sum("total")} in total`);
        for (const name of series) expect(label).toContain(`${name} ${sum(name)}`);
        break;
      }
      case "pareto": {
        const bars = marks.filter((m) => key(m) === "incidents");
        expect(bars).toHaveLength(rows.length);
        for (const m of bars) {
          const i = row(m);
          expect(titleOf(m)).toBe(
            `${rows[i][0]}: ${shown(i, "incidents")} (${shown(i, "share of classified %")} of classified), ${shown(i, "repeats")} repeats` +
              (rows[i][col("note")] ? ` · ${rows[i][col("note")]}` : ""),
          );
          expect(hasClass(m, "few")).toBe(Boolean(rows[i][col("note")]));
        }
        for (const m of marks.filter((x) => key(x) === "cumulative share %")) expect(titleOf(m)).toBe(`${rows[row(m)][0]}: cumulative ${shown(row(m), "cumulative share %")}`);
        proportional(bars, "height");
        expect(label).toContain(`${sum("incidents")} classified incidents across ${rows.length} classes`);
        break;
      }
      case "ml-vs-non-ml": {
        for (const m of marks) {
          const i = row(m);
          const column = key(m);
          const name = column === "ML-specific" ? "ML-specific" : "Non-ML";
          expect(titleOf(m)).toBe(`${period(i)} · ${name}: ${shown(i, column)} of ${shown(i, "classified")} (ML-specific share ${shown(i, "ML-specific share %")})`);
        }
        proportional(marks, "height");
        expect(label).toContain(`ML-specific ${sum("ML-specific")}`);
        expect(label).toContain(`non-ML ${sum("non-ML")}`);
        break;
      }
      case "time-to-detect":
      case "time-to-resolve": {
        const boxes = elements([svg], (e) => hasClass(e, "box"));
        expect(boxes).toHaveLength(rows.length);
        for (const b of boxes) {
          const i = row(b);
          const note = rows[i][col("note")];
          expect(titleOf(b)).toBe(
            `${rows[i][0]}: median ${shown(i, "median")}, middle half ${shown(i, "25th percentile")} to ${shown(i, "75th percentile")}, ` +
              `range ${shown(i, "fastest")} to ${shown(i, "slowest")} (n=${shown(i, "n")})${note ? ` · ${note}` : ""}`,
          );
          expect(label).toContain(`${rows[i][0]} median ${shown(i, "median")} (n=${shown(i, "n")}${note ? ", few" : ""}, `);
        }
        // n is printed on every row.
        const printed = elements([svg], (e) => e.name === "text" && hasClass(e, "n")).map(text);
        expect(printed).toEqual(rows.map((r, i) => `n=${shown(i, "n")}${r[col("note")] ? " · few" : ""}`));
        break;
      }
      case "blind-spots":
      case "alert-rules": {
        const share = s.id === "blind-spots" ? "found another way %" : "precision %";
        const groups = elements([svg], (e) => hasClass(e, "row"));
        expect(groups).toHaveLength(rows.length);
        for (const g of groups) {
          const i = row(g);
          expect(titleOf(g).startsWith(`${name(i)}: ${shown(i, share)} `), titleOf(g)).toBe(true);
          if (s.id === "blind-spots") {
            expect(titleOf(g)).toContain(`(${shown(i, "found another way")} of ${shown(i, "detection recorded")}); median time to detect ${shown(i, "median time to detect, alert")} with an alert, ${shown(i, "median time to detect, no alert")} without`);
          } else {
            expect(titleOf(g)).toBe(`${name(i)}: ${shown(i, share)} precision (${shown(i, "led to an incident")} of ${shown(i, "alerts")} alerts led to an incident), ${shown(i, "fires")} fires`);
          }
        }
        for (const m of marks) expect(key(m)).toBe(share);
        proportional(marks, "width");
        expect(label).toContain(`${rows.length} rows`);
        break;
      }
      case "repeats": {
        for (const m of marks) {
          const i = row(m);
          expect(key(m)).toBe("repeat share %");
          expect(titleOf(m)).toBe(`${period(i)}: ${shown(i, "repeat share %")} (${shown(i, "repeats")} of ${shown(i, "classified incidents")})`);
        }
        expect(marks).toHaveLength(rows.filter((r) => r[col("repeat share %")] !== "").length);
        expect(label).toContain(`(${sum("repeats")} of ${sum("classified incidents")})`);
        break;
      }
      case "action-items": {
        for (const m of marks) {
          const i = row(m);
          expect(titleOf(m)).toBe(`${rows[i][0]} · ${key(m)}: ${shown(i, key(m))} of ${shown(i, "total")}`);
        }
        proportional(marks, "width");
        expect(label).toContain(`${sum("done")} done, ${sum("open")} open, ${sum("overdue")} overdue across ${rows.length} classes`);
        break;
      }
      case "detection": {
        for (const m of marks) {
          const i = row(m);
          expect(key(m)).toBe("incidents");
          expect(titleOf(m)).toBe(`${rows[i][0]}: ${shown(i, "incidents")} (${shown(i, "share %")} of ${sum("incidents")})`);
        }
        proportional(marks, "width");
        for (let i = 0; i < rows.length; i++) expect(label).toContain(`${rows[i][0]} ${shown(i, "incidents")} (${shown(i, "share %")})`);
        break;
      }
      case "then-vs-now": {
        const before = header[1];
        const groups = elements([svg], (e) => hasClass(e, "row"));
        expect(groups.length).toBe(Math.min(10, rows.length));
        expect(new Set(marks.map(key))).toEqual(new Set([before, "incidents now"]));
        for (const g of groups) {
          const i = row(g);
          const change = csvNum(i, "change") > 0 ? `+${shown(i, "change")}` : shown(i, "change");
          expect(titleOf(g)).toBe(`${rows[i][0]}: ${shown(i, before)} → ${shown(i, "incidents now")} incidents (${change}, ${rows[i][col("direction")]})`);
          expect(label).toContain(`${rows[i][0]} ${shown(i, before)} → ${shown(i, "incidents now")} (${change})`);
        }
        break;
      }
      default:
        throw new Error(`no agreement check for section ${s.id}`);
    }
  }
}

describe("insights over HTTP", () => {
  it("refuses impossible ranges on the page, the report and the CSV route with a clear message", async () => {
    const page = await admin.html("/insights?from=0001-01-01&to=9999-12-31");
    expect(page.res.status).toBe(400);
    expect(page.body).toContain("from 0001-01-01 is outside 1970-01-01 – 2100-12-31.");
    expect(page.body).toContain("to 9999-12-31 is outside 1970-01-01 – 2100-12-31.");
    expect(page.body).not.toContain('role="img"');
    const report = await admin.html("/insights/report?from=2026-13-45");
    expect(report.res.status).toBe(400);
    expect(report.body).toContain("from 2026-13-45 is not a calendar date.");
    const csv = await admin.get("/insights/csv/pareto?from=2026-13-45&to=2026-02-30");
    expect(csv.status).toBe(400);
    expect(await csv.json()).toEqual({ error: "from 2026-13-45 is not a calendar date. to 2026-02-30 is not a calendar date." });
    const unknown = await admin.get(`/insights/csv/nope?${RANGE}`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatch(/^No table "nope"\. Use one of: then-vs-now, classes-over-time, pareto/);
  });

  it("bins by month, quarter or year as the range grows", async () => {
    const title = async (q: string) => /<h2 id="classes-over-time-title"[^>]*>([^<]*)</.exec((await admin.html(`/insights?${q}`)).body)?.[1];
    expect(await title(RANGE)).toBe("Incidents per month by failure class");
    expect(await title("from=2020-01-01&to=2024-12-31")).toBe("Incidents per quarter by failure class");
    expect(await title("from=1970-01-01&to=2100-12-31")).toBe("Incidents per year by failure class");
    const years = readCsv(await (await admin.get("/insights/csv/classes-over-time?from=1970-01-01&to=2100-12-31")).text());
    expect(years).toHaveLength(1 + 131);
    expect(years[1].slice(0, 2)).toEqual(["1970", ""]);
  });

  it("marks and names partial periods", async () => {
    const q = "from=2024-02-10&to=2024-05-20";
    const csv = readCsv(await (await admin.get(`/insights/csv/classes-over-time?${q}`)).text());
    expect(csv.slice(1).map((r) => r.slice(0, 2))).toEqual([
      ["2024-02", "from Feb 10"],
      ["2024-03", ""],
      ["2024-04", ""],
      ["2024-05", "to May 20"],
    ]);
    const { body } = await admin.html(`/insights?${q}`);
    const section = elements(parseDocument(body).children, (e) => e.attribs.id === "classes-over-time")[0];
    const [wide] = elements([section], (e) => e.name === "svg" && (e.parent as Element).attribs.class.includes("chart-layout-wide"));
    expect(elements([wide], (e) => hasClass(e, "partial-mark")).length).toBeGreaterThanOrEqual(2 + 1); // two bars and the legend swatch
    expect(wide.attribs["aria-label"]).toContain("partial: 2024-02 from Feb 10; 2024-05 to May 20");
    expect(text(elements([section], (e) => hasClass(e, "chart-note"))[0])).toContain("partial periods (2024-02 from Feb 10; 2024-05 to May 20)");
  });

  it("counts confirmed classes only unless the URL asks for suggested ones", async () => {
    const confirmed = await admin.html(`/insights?${RANGE}`);
    const scope = (html: string) => text(elements(parseDocument(html).children, (e) => hasClass(e, "insight-scope"))[0]);
    expect(scope(confirmed.body)).toBe(
      "13 incidents started 2024-02-01 – 2024-05-31 (UTC), 10 of them with a confirmed class. 1 with only a suggested class count as unclassified. Include suggested classes",
    );
    expect(confirmed.body).toContain(`href="/insights?${RANGE.replace("&", "&amp;")}&amp;suggested=include"`);
    const pareto = async (q: string) => readCsv(await (await admin.get(`/insights/csv/pareto?${q}`)).text()).find((r) => r[0] === COMPAT)?.[1];
    expect(await pareto(RANGE)).toBe("1");
    expect(await pareto(`${RANGE}&suggested=include`)).toBe("2");
    const included = await admin.html(`/insights?${RANGE}&suggested=include`);
    expect(scope(included.body)).toBe("13 incidents started 2024-02-01 – 2024-05-31 (UTC), 11 of them with a confirmed class or a suggested one (included). Count confirmed classes only");
    const box = (html: string) => elements(parseDocument(html).children, (e) => e.name === "input" && e.attribs.name === "suggested")[0];
    expect(box(included.body).attribs.checked).toBeDefined();
    expect(box(confirmed.body).attribs.checked).toBeUndefined();
    const report = await admin.html(`/insights/report?${RANGE}`);
    expect(report.body).toContain("1 incident with only a suggested class counts as unclassified here.");
  });

  for (const pagePath of [`/insights?${RANGE}`, `/insights/report?${RANGE}`, "/insights?range=all", `/insights?${RANGE}&team=ranking&suggested=include`]) {
    it(`every chart on ${pagePath} agrees with its table and its CSV`, async () => {
      const found = await sections(pagePath);
      expect(found.map((s) => s.id)).toEqual([
        "then-vs-now",
        "classes-over-time",
        "pareto",
        "ml-vs-non-ml",
        "blind-spots",
        "time-to-detect",
        "time-to-resolve",
        "repeats",
        "action-items",
        "alert-rules",
        "detection",
      ]);
      for (const s of found) expectAgreement(s);
    });
  }

  it("opens the report with what changed most since the previous period", async () => {
    const { body } = await admin.html(`/insights/report?${RANGE}`);
    const doc = parseDocument(body);
    const [first] = elements(doc.children, (e) => e.name === "section");
    expect(text(elements([first], (e) => e.name === "h2")[0])).toBe("What changed most since 2023-10-03 – 2024-01-31");
    // With I6's class only suggested, Unclassified goes 5 → 3 (down 2), as far as Data quality goes up (1 → 3); more incidents now comes first.
    expect(elements([first], (e) => e.name === "li").map(text)).toEqual([
      "Data quality & distribution shift: 1 → 3 incidents (up 2; 16.7% → 23.1% of incidents); median time to resolve 50m → 3h (slower).",
      "Unclassified: 5 → 3 incidents (down 2; 83.3% → 23.1% of incidents).",
      "Artifact & feature compatibility: 0 → 1 incidents (up 1; 0% → 7.7% of incidents).",
    ]);
  });
});
