import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertRules } from "~/domain/alert-queries.server";
import { linkAlert, setTriage } from "~/domain/alerts.server";
import { binFor, FilterError, parseInsightQuery, periodsOf, previousRange, resolveRange } from "~/domain/insight-filter.server";
import { biggestChanges, filterOptions, insights, reportSummary, type Insights } from "~/domain/insights.server";
import { TransitionError, changeStatus } from "~/domain/lifecycle.server";
import { loadTaxonomy, syncTaxonomy, type TaxonomyEntry } from "~/domain/taxonomy.server";
import { toCsv, type Dataset } from "~/utils/dataset";
import type { Db } from "~/utils/db.server";
import { makeTestDb, type TestDb } from "../helpers/db";
import {
  ACTOR,
  buildFixture,
  CAPACITY,
  CHANGE,
  COMPAT,
  DATA,
  DEPENDENCY,
  deliver,
  NOW,
  QUALITY,
  R1,
  R2,
  R3,
  SOFTWARE,
  t,
  TRAINING,
} from "../helpers/insights-fixture";

let taxonomy: TaxonomyEntry[];
const dbs: TestDb[] = [];

function freshDb(): Db {
  const tdb = makeTestDb();
  dbs.push(tdb);
  syncTaxonomy(tdb.db, taxonomy);
  return tdb.db;
}

beforeAll(() => {
  taxonomy = loadTaxonomy();
});
afterAll(() => dbs.forEach((d) => d.cleanup()));

const query = (q: string) => parseInsightQuery(new URLSearchParams(q));
const run = (db: Db, q: string) => insights(db, query(q), NOW);
const RANGE = "from=2024-02-01&to=2024-05-31";
/** A dataset's rows as arrays in column order: what the table and the CSV show. */
const cells = (d: Dataset) => d.rows.map((r) => d.columns.map((c) => r[c.key]));
const labels = (d: Dataset) => d.columns.map((c) => c.label);
const FEW = "few (under 5)";

describe("filters: checked, never silently replaced", () => {
  it("reads a range and filters", () => {
    expect(query(`${RANGE}&team=ranking&severity=SEV1&severity=SEV4&family=ml&model=ranker&suggested=include`)).toEqual({
      range: "",
      from: "2024-02-01",
      to: "2024-05-31",
      team: "ranking",
      model: "ranker",
      severity: ["SEV1", "SEV4"],
      family: "ml",
      suggested: "include",
    });
  });

  it("refuses dates that are malformed, impossible, outside 1970–2100 or reversed, and bad values, listing every problem", () => {
    const problems = (q: string) => {
      try {
        query(q);
      } catch (e) {
        if (e instanceof FilterError) return e.problems;
        throw e;
      }
      return [];
    };
    expect(problems("from=0001-01-01&to=9999-12-31")).toEqual([
      "from 0001-01-01 is outside 1970-01-01 – 2100-12-31.",
      "to 9999-12-31 is outside 1970-01-01 – 2100-12-31.",
    ]);
    expect(problems("from=2026-13-45")).toEqual(["from 2026-13-45 is not a calendar date."]);
    expect(problems("to=2025-02-29")).toEqual(["to 2025-02-29 is not a calendar date."]);
    expect(problems("from=2024-2-1&to=yesterday")).toEqual(['from "2024-2-1" is not a date: use YYYY-MM-DD.', 'to "yesterday" is not a date: use YYYY-MM-DD.']);
    expect(problems("from=2024-06-01&to=2024-05-31")).toEqual(["from 2024-06-01 is after to 2024-05-31."]);
    expect(problems("severity=SEV9&family=both&range=forever")).toEqual([
      'range must be "all" or left out',
      "severity must be one of SEV1, SEV2, SEV3, SEV4",
      'family must be "ml" or "non-ml"',
    ]);
    expect(problems("from=1970-01-01&to=2100-12-31")).toEqual([]);
    expect(problems("to=2024-02-29")).toEqual([]);
  });

  it("defaults to the 12 months up to today (UTC); all time runs from the first incident to today", () => {
    const span = { first: t("2019-03-04T05:00"), last: t("2024-07-01T00:00") };
    expect(resolveRange(query(""), NOW, span)).toMatchObject({ from: "2023-08-01", to: "2024-07-15" });
    expect(resolveRange(query(""), Date.UTC(2024, 0, 31, 23, 59), span)).toMatchObject({ from: "2023-02-01", to: "2024-01-31" });
    expect(resolveRange(query("range=all&from=2024-01-01"), NOW, span)).toMatchObject({ from: "2019-03-04", to: "2024-07-15" });
    expect(resolveRange(query("range=all"), NOW, { first: null, last: null })).toMatchObject({ from: "2024-07-15", to: "2024-07-15" });
    expect(previousRange({ ...resolveRange(query(RANGE), NOW, span) })).toEqual({ from: "2023-10-03", to: "2024-01-31" });
  });

  it("bins by month up to two years, by quarter up to eight, by year beyond; bounded at 131 years", () => {
    const bin = (from: string, to: string) => binFor({ from, to });
    expect([bin("2024-01-01", "2025-12-31"), bin("2024-01-01", "2026-01-01"), bin("2018-01-01", "2025-12-31"), bin("2017-12-01", "2025-12-31")]).toEqual([
      "month",
      "quarter",
      "quarter",
      "year",
    ]);
    expect(periodsOf({ from: "1970-01-01", to: "2100-12-31" }, bin("1970-01-01", "2100-12-31"))).toHaveLength(131);
    expect(periodsOf({ from: "2024-01-01", to: "2025-12-31" }, "month")).toHaveLength(24);
  });

  it("marks the periods a range cuts as partial, saying what they cover", () => {
    const keysAndMarks = (from: string, to: string, b: "month" | "quarter" | "year") => periodsOf({ from, to }, b).map((p) => [p.key, p.partial]);
    expect(keysAndMarks("2025-12-05", "2026-11-24", "quarter")).toEqual([
      ["2025-Q4", "from Dec 5"],
      ["2026-Q1", null],
      ["2026-Q2", null],
      ["2026-Q3", null],
      ["2026-Q4", "to Nov 24"],
    ]);
    expect(keysAndMarks("2024-02-01", "2024-05-31", "month").map(([, p]) => p)).toEqual([null, null, null, null]);
    expect(keysAndMarks("2024-03-05", "2024-03-20", "month")).toEqual([["2024-03", "Mar 5 – Mar 20"]]);
    expect(keysAndMarks("2016-01-01", "2026-11-24", "year").slice(-2)).toEqual([
      ["2025", null],
      ["2026", "to Nov 24"],
    ]);
    const q = periodsOf({ from: "2025-12-05", to: "2026-11-24" }, "quarter");
    expect([q[0].start, q[0].end, q[4].end]).toEqual([t("2025-12-05T00:00"), t("2026-01-01T00:00"), t("2026-11-25T00:00")]);
  });
});

describe("insights over a hand-built fixture", () => {
  let db: Db;
  let fx: ReturnType<typeof buildFixture>;
  let data: Insights;
  let d: Insights["datasets"];

  beforeAll(async () => {
    db = freshDb();
    fx = buildFixture(db);
    data = await run(db, RANGE);
    d = data.datasets;
  });

  it("has the repeat flags the fixture intends", () => {
    const repeats = db.$client.prepare("select id from incidents where is_repeat order by id").all() as { id: number }[];
    expect(repeats.map((r) => r.id)).toEqual([fx.I.I1, fx.I.I4, fx.I.I7, fx.I.I14]);
  });

  it("counts the incidents that started in the range, by month, compared with the 121 days before", () => {
    expect(data.summary).toEqual({ total: 13, classified: 11, suggestedLeftOut: 0, bin: "month", previous: { from: "2023-10-03", to: "2024-01-31" } });
  });

  it("stacks incidents per month: six biggest classes, Other classes, Unclassified, and the total", () => {
    expect(labels(d["classes-over-time"])).toEqual(["month", "partial period", DATA, COMPAT, CAPACITY, CHANGE, DEPENDENCY, QUALITY, "Other classes", "Unclassified", "total"]);
    expect(d["classes-over-time"].columns.slice(-3, -1).map((c) => c.key)).toEqual(["other", "unclassified"]);
    expect(cells(d["classes-over-time"])).toEqual([
      ["2024-02", null, 1, 0, 1, 0, 0, 0, 0, 1, 3],
      ["2024-03", null, 1, 1, 0, 1, 0, 0, 0, 0, 3],
      ["2024-04", null, 1, 1, 0, 0, 0, 0, 1, 0, 3],
      ["2024-05", null, 0, 0, 0, 0, 1, 1, 1, 1, 4],
    ]);
  });

  it("orders the Pareto by count then id, with shares, cumulative shares, repeats and few-incident marks", () => {
    expect(labels(d.pareto)).toEqual(["class", "incidents", "share of classified %", "cumulative share %", "repeats", "note"]);
    expect(cells(d.pareto)).toEqual([
      [DATA, 3, 27.3, 27.3, 2, FEW],
      [COMPAT, 2, 18.2, 45.5, 1, FEW],
      [CAPACITY, 1, 9.1, 54.5, 0, FEW],
      [CHANGE, 1, 9.1, 63.6, 0, FEW],
      [DEPENDENCY, 1, 9.1, 72.7, 0, FEW],
      [QUALITY, 1, 9.1, 81.8, 0, FEW],
      [SOFTWARE, 1, 9.1, 90.9, 0, FEW],
      [TRAINING, 1, 9.1, 100, 0, FEW],
    ]);
  });

  it("splits ML-specific and non-ML causes per quarter, both quarters cut by the range", () => {
    expect(cells(d["ml-vs-non-ml"])).toEqual([
      ["2024-Q1", "from Feb 1", 3, 2, 5, 60],
      ["2024-Q2", "to May 31", 4, 2, 6, 66.7],
    ]);
  });

  it("counts repeats per quarter with their share of classified incidents", () => {
    expect(cells(d.repeats)).toEqual([
      ["2024-Q1", "from Feb 1", 5, 2, 40],
      ["2024-Q2", "to May 31", 6, 1, 16.7],
    ]);
  });

  it("summarises time to detect and resolve per class in minutes (n, min, quartiles, median, max; linear interpolation)", () => {
    expect(labels(d["time-to-detect"])).toEqual(["class", "n", "fastest", "25th percentile", "median", "75th percentile", "slowest", "note"]);
    expect(cells(d["time-to-detect"])).toEqual([
      [DATA, 3, 10, 20, 30, 40, 50, FEW],
      [COMPAT, 2, 5, 7.5, 10, 12.5, 15, FEW],
      [CAPACITY, 1, 20, 20, 20, 20, 20, FEW],
      // change: never detected, so no row
      [DEPENDENCY, 1, 45, 45, 45, 45, 45, FEW],
      [QUALITY, 1, 0, 0, 0, 0, 0, FEW],
      [SOFTWARE, 1, 1, 1, 1, 1, 1, FEW],
      [TRAINING, 1, 60, 60, 60, 60, 60, FEW],
    ]);
    expect(cells(d["time-to-resolve"])).toEqual([
      [DATA, 2, 120, 150, 180, 210, 240, FEW],
      [COMPAT, 2, 65, 80, 95, 110, 125, FEW],
      [CAPACITY, 1, 80, 80, 80, 80, 80, FEW],
      [QUALITY, 1, 30, 30, 30, 30, 30, FEW],
      [SOFTWARE, 1, 2, 2, 2, 2, 2, FEW],
      [TRAINING, 1, 600, 600, 600, 600, 600, FEW],
    ]);
  });

  it("shows per class how many incidents no alert caught, and time to detect with and without one", () => {
    expect(labels(d["blind-spots"])).toEqual([
      "class",
      "incidents",
      "caught by an alert",
      "found another way",
      "detection recorded",
      "detection not recorded",
      "found another way %",
      "median time to detect, alert",
      "median time to detect, no alert",
      "note",
    ]);
    expect(cells(d["blind-spots"])).toEqual([
      ["Unclassified", 2, 0, 2, 2, 0, 100, null, 15, FEW],
      [COMPAT, 2, 1, 1, 2, 0, 50, 5, 15, FEW],
      [CAPACITY, 1, 0, 1, 1, 0, 100, null, 20, FEW],
      [CHANGE, 1, 0, 1, 1, 0, 100, null, null, FEW],
      [DEPENDENCY, 1, 0, 1, 1, 0, 100, null, 45, FEW],
      [DATA, 3, 3, 0, 3, 0, 0, 30, null, FEW],
      [QUALITY, 1, 1, 0, 1, 0, 0, 0, null, FEW],
      [SOFTWARE, 1, 1, 0, 1, 0, 0, 1, null, FEW],
      // Its detection source was never recorded: no share rather than a guess.
      [TRAINING, 1, 0, 0, 0, 1, null, null, null, FEW],
    ]);
  });

  it("counts action items per class: done, open, overdue (due before now), total, median days to close", () => {
    expect(cells(d["action-items"])).toEqual([
      [COMPAT, 1, 2, 0, 3, 2.5],
      [DATA, 3, 1, 1, 5, 6.5],
      // Its only item is open with no due date: 0 overdue (not null).
      [CAPACITY, 0, 1, 0, 1, null],
      ["Unclassified", 1, 0, 1, 2, 1],
      // Training's only item was declined (won't do): counted nowhere, so the class has no row.
    ]);
  });

  it("ranks alert rules by alerts that led nowhere, for alerts first received in the range", () => {
    expect(cells(d["alert-rules"])).toEqual([
      [R2, 3, 3, 1, 33.3],
      [R3, 1, 1, 0, 0],
      [R1, 3, 4, 2, 66.7],
    ]);
  });

  it("splits incidents by how they were detected, keeping 'not recorded' apart", () => {
    expect(cells(d.detection)).toEqual([
      ["Alerts", 6, 46.2],
      ["People (user reports, dashboards)", 4, 30.8],
      ["Tests", 1, 7.7],
      ["Other (audits, anything else)", 1, 7.7],
      ["Not recorded", 1, 7.7],
    ]);
  });

  it("compares each class with the previous period of the same length, biggest change first", () => {
    expect(labels(d["then-vs-now"])).toEqual([
      "class",
      "incidents 2023-10-03 – 2024-01-31",
      "incidents now",
      "change",
      "direction",
      "share before %",
      "share now %",
      "median time to resolve before",
      "median time to resolve now",
      "time to resolve",
    ]);
    // Before: I0 and the five alert drafts X1..X5 (started in December 2023, unclassified).
    expect(cells(d["then-vs-now"])).toEqual([
      ["Unclassified", 5, 2, -3, "down", 83.3, 15.4, null, null, null],
      [DATA, 1, 3, 2, "up", 16.7, 23.1, 50, 180, "slower"],
      [COMPAT, 0, 2, 2, "new", 0, 15.4, null, 95, null],
      [CAPACITY, 0, 1, 1, "new", 0, 7.7, null, 80, null],
      [CHANGE, 0, 1, 1, "new", 0, 7.7, null, null, null],
      [SOFTWARE, 0, 1, 1, "new", 0, 7.7, null, 2, null],
      [QUALITY, 0, 1, 1, "new", 0, 7.7, null, 30, null],
      [TRAINING, 0, 1, 1, "new", 0, 7.7, null, 600, null],
      [DEPENDENCY, 0, 1, 1, "new", 0, 7.7, null, null, null],
    ]);
    expect(biggestChanges(data)).toEqual([
      "Unclassified: 5 → 2 incidents (down 3; 83.3% → 15.4% of incidents).",
      `${DATA}: 1 → 3 incidents (up 2; 16.7% → 23.1% of incidents); median time to resolve 50m → 3h (slower).`,
      `${COMPAT}: 0 → 2 incidents (up 2; 0% → 15.4% of incidents).`,
    ]);
  });

  it("exports datasets as CSV: labels as header, raw values, RFC 4180 quoting, formula-looking text prefixed with '", () => {
    expect(toCsv(d["alert-rules"])).toBe(
      "rule,alerts,fires,led to an incident,precision %\r\n" + '"Latency ""p99"", api",3,3,1,33.3\r\n' + "'+ErrorBudgetBurn,1,1,0,0\r\n" + "FeatureDrift,3,4,2,66.7\r\n",
    );
    expect(toCsv(d["ml-vs-non-ml"])).toBe("quarter,partial period,ML-specific,non-ML,classified,ML-specific share %\r\n2024-Q1,from Feb 1,3,2,5,60\r\n2024-Q2,to May 31,4,2,6,66.7\r\n");
    expect(toCsv(d["time-to-detect"]).split("\r\n").slice(0, 3)).toEqual([
      "class,n,fastest,25th percentile,median,75th percentile,slowest,note",
      `${DATA},3,10,20,30,40,50,few (under 5)`,
      `${COMPAT},2,5,7.5,10,12.5,15,few (under 5)`,
    ]);
  });

  it("writes the report summary", () => {
    expect(reportSummary(data)).toEqual([
      "13 incidents started in the period; 11 (85%) have a confirmed class.",
      `Top 3 classes: ${DATA} (3, 27%); ${COMPAT} (2, 18%); ${CAPACITY} (1, 9%) — together 55% of classified incidents.`,
      "36% had a non-ML root cause and 64% an ML-specific one.",
      "3 incidents (27% of classified) repeated a class seen on the same team or model in the previous 180 days.",
      "46% were detected by alerts.",
      `Most often missed by alerts: ${COMPAT} (1 of 2 found another way).`,
      "2 action items from these incidents are overdue.",
    ]);
  });

  it("lists teams and models for the pickers", () => {
    expect(filterOptions(db)).toEqual({ teams: ["ranking", "search"], models: ["ranker", "scorer"] });
  });

  describe("filters", () => {
    const pareto = (x: Insights) => x.datasets.pareto.rows.map((r) => [r.key, r.incidents, r.repeats]);
    it("team", async () => {
      const x = await run(db, `${RANGE}&team=ranking`);
      expect([x.summary.total, x.summary.classified]).toEqual([7, 6]);
      expect(pareto(x)).toEqual([
        ["data", 2, 2],
        ["compat", 1, 1],
        ["quality", 1, 0],
        ["software", 1, 0],
        ["training", 1, 0],
      ]);
      expect(cells(x.datasets["classes-over-time"]).map((r) => r.slice(2))).toEqual([
        [1, 0, 0, 0, 0, 1, 2],
        [1, 0, 0, 0, 0, 0, 1],
        [0, 1, 0, 0, 1, 0, 2],
        [0, 0, 1, 1, 0, 0, 2],
      ]);
      expect(cells(x.datasets["ml-vs-non-ml"]).map((r) => r.slice(2, 4))).toEqual([
        [2, 0],
        [3, 1],
      ]);
      expect(cells(x.datasets.repeats).map((r) => r.slice(2))).toEqual([
        [2, 2, 100],
        [4, 1, 25],
      ]);
      expect(cells(x.datasets.detection).map((r) => r[1])).toEqual([4, 1, 0, 1, 1]);
      expect(cells(x.datasets["action-items"])).toEqual([
        [DATA, 2, 1, 1, 4, 6.5],
        [COMPAT, 1, 1, 0, 2, 2.5],
        ["Unclassified", 1, 0, 1, 2, 1],
      ]);
    });

    it("severity (several)", async () => {
      const x = await run(db, `${RANGE}&severity=SEV1&severity=SEV4`);
      expect([x.summary.total, x.summary.classified]).toEqual([4, 4]);
      expect(pareto(x)).toEqual([
        ["data", 2, 1],
        ["compat", 1, 0],
        ["quality", 1, 0],
      ]);
      expect(cells(x.datasets["time-to-detect"]).map((r) => r.slice(0, 7))).toEqual([
        [DATA, 2, 10, 20, 30, 40, 50],
        [COMPAT, 1, 5, 5, 5, 5, 5],
        [QUALITY, 1, 0, 0, 0, 0, 0],
      ]);
    });

    it("family", async () => {
      const nonMl = await run(db, `${RANGE}&family=non-ml`);
      expect([nonMl.summary.total, nonMl.summary.classified]).toEqual([4, 4]);
      expect(nonMl.datasets["classes-over-time"].columns.map((c) => c.key)).toEqual(["period", "partial", "class:capacity", "class:change", "class:dependency", "class:software", "total"]);
      const ml = await run(db, `${RANGE}&family=ml`);
      expect([ml.summary.total, ml.summary.classified]).toEqual([7, 7]);
      expect(cells(ml.datasets["ml-vs-non-ml"]).map((r) => r.slice(2, 4))).toEqual([
        [3, 0],
        [4, 0],
      ]);
    });

    it("model (incidents linked to any version of it)", async () => {
      const x = await run(db, `${RANGE}&model=ranker`);
      expect([x.summary.total, x.summary.classified]).toEqual([2, 2]);
      expect(pareto(x)).toEqual([["compat", 2, 1]]);
      expect(cells(x.datasets["time-to-resolve"])).toEqual([[COMPAT, 2, 65, 80, 95, 110, 125, FEW]]);
      const none = await run(db, `${RANGE}&model=nope`);
      expect(none.summary.total).toBe(0);
      expect(reportSummary(none)).toEqual(["No incidents started in this period."]);
    });

    it("a date range that leaves incidents out (and alerts first received outside it)", async () => {
      const x = await run(db, "from=2024-03-01&to=2024-04-30");
      expect([x.summary.total, x.summary.classified]).toEqual([6, 6]);
      expect(cells(x.datasets.repeats)).toEqual([
        ["2024-Q1", "from Mar 1", 3, 1, 33.3],
        ["2024-Q2", "to Apr 30", 3, 1, 33.3],
      ]);
      const april = await run(db, "from=2024-04-01&to=2024-05-31");
      expect(cells(april.datasets["alert-rules"])).toEqual([
        [R3, 1, 1, 0, 0],
        [R2, 2, 2, 1, 50],
        [R1, 1, 1, 1, 100],
      ]);
      const wide = await run(db, "from=2024-01-21&to=2024-06-10");
      expect(wide.summary.total).toBe(14);
      expect(cells(wide.datasets["alert-rules"]).find((r) => r[0] === R1)).toEqual([R1, 4, 5, 2, 50]);
    });

    it("all time: from the first incident to today, in months", async () => {
      const x = await run(db, "range=all");
      expect(x.filter).toMatchObject({ from: "2023-12-01", to: "2024-07-15" });
      expect(x.summary.bin).toBe("month");
      expect(x.summary.total).toBe(20);
      expect(cells(x.datasets["classes-over-time"]).map((r) => [r[0], r[1]])).toEqual([
        ["2023-12", null],
        ["2024-01", null],
        ["2024-02", null],
        ["2024-03", null],
        ["2024-04", null],
        ["2024-05", null],
        ["2024-06", null],
        ["2024-07", "to Jul 15"],
      ]);
    });
  });
});

describe("confirmed classes only, unless suggested ones are asked for", () => {
  let db: Db;
  let fx: ReturnType<typeof buildFixture>;

  beforeAll(() => {
    db = freshDb();
    fx = buildFixture(db);
    // The classifier (issue 12) records suggestions; here two incidents' classes were only suggested.
    db.$client.prepare("update incidents set class_status = 'suggested' where id in (?, ?)").run(fx.I.I6, fx.I.I12);
  });

  it("counts a suggested class as unclassified and says how many were left out", async () => {
    const x = await run(db, RANGE);
    expect(x.summary).toMatchObject({ total: 13, classified: 9, suggestedLeftOut: 2 });
    expect(x.datasets.pareto.rows.map((r) => [r.key, r.incidents])).toContainEqual(["compat", 1]);
    expect(x.datasets.pareto.rows.map((r) => r.key)).not.toContain("dependency");
    const unclassified = x.datasets["classes-over-time"].rows.map((r) => r.unclassified);
    expect(unclassified).toEqual([1, 1, 0, 2]);
    expect(x.datasets["time-to-resolve"].rows.find((r) => r.key === "compat")).toMatchObject({ n: 1, median: 125 });
    expect(x.datasets["blind-spots"].rows.find((r) => r.key === "unclassified")).toMatchObject({ incidents: 4, alert: 1, noAlert: 3 });
    expect(x.datasets["ml-vs-non-ml"].rows.map((r) => [r.ml, r.nonMl])).toEqual([
      [2, 2],
      [4, 1],
    ]);
    expect(reportSummary(x).slice(0, 2)).toEqual([
      "13 incidents started in the period; 9 (69%) have a confirmed class.",
      "2 incidents with only a suggested class count as unclassified here.",
    ]);
  });

  it("counts them under their class with suggested=include", async () => {
    const x = await run(db, `${RANGE}&suggested=include`);
    expect(x.filter.includeSuggested).toBe(true);
    expect(x.summary).toMatchObject({ total: 13, classified: 11, suggestedLeftOut: 0 });
    expect(x.datasets.pareto.rows.map((r) => [r.key, r.incidents])).toContainEqual(["compat", 2]);
    expect(x.datasets["time-to-resolve"].rows.find((r) => r.key === "compat")).toMatchObject({ n: 2, median: 95 });
  });

  it("leaves a guessed family out of a family filter", async () => {
    const x = await run(db, `${RANGE}&family=ml`);
    expect(x.summary).toMatchObject({ total: 6, classified: 6, suggestedLeftOut: 1 });
    expect(x.datasets["classes-over-time"].columns.map((c) => c.key)).not.toContain("unclassified");
    const included = await run(db, `${RANGE}&family=ml&suggested=include`);
    expect(included.summary).toMatchObject({ total: 7, classified: 7 });
  });
});

describe("toCsv", () => {
  it("quotes commas, quotes and line breaks, defuses formula-looking text, and leaves missing values empty", () => {
    const csv = toCsv({
      columns: [
        { key: "name", label: "name", unit: "text" },
        { key: "n", label: "n", unit: "count" },
      ],
      rows: [
        ["plain", 1],
        ["a, b", 2],
        ['say "hi"', 3],
        ["two\nlines", 4],
        ["=SUM(A1:A9)", 5],
        ["+1", 6],
        ["-cmd", 7],
        ["@import", 8],
        ["\tindented", 9],
        ['=HYPERLINK("http://x", "y")', -1.5],
        ["", null],
      ].map(([name, n]) => ({ name, n })),
    });
    expect(csv).toBe(
      [
        "name,n",
        "plain,1",
        '"a, b",2',
        '"say ""hi""",3',
        '"two\nlines",4',
        "'=SUM(A1:A9),5",
        "'+1,6",
        "'-cmd,7",
        "'@import,8",
        "'\tindented,9",
        '"\'=HYPERLINK(""http://x"", ""y"")",-1.5',
        ",",
      ].join("\r\n") + "\r\n",
    );
  });
});

describe("the alert rule rollup stays exact", () => {
  let db: Db;
  let fx: ReturnType<typeof buildFixture>;

  /** Precision straight from the alerts table (the definition), to check the rollup against. */
  function recount() {
    return db.$client
      .prepare(
        `select a.rule_name as rule, count(*) as alerts, sum(a.fire_count) as fires, sum(a.delivery_count) as deliveries,
           sum(a.triage <> 'noise' and (a.triage = 'actionable' or coalesce(i.status, 'draft') <> 'draft')) as real
         from alerts a left join incidents i on i.id = a.incident_id group by 1`,
      )
      .all() as { rule: string; alerts: number; fires: number; deliveries: number; real: number }[];
  }
  function recountByDay() {
    return db.$client
      .prepare(
        `select a.rule_name as rule, a.first_received_at / 86400000 as day, count(*) as alerts, sum(a.fire_count) as fires,
           sum(a.delivery_count) as deliveries,
           sum(a.triage <> 'noise' and (a.triage = 'actionable' or coalesce(i.status, 'draft') <> 'draft')) as real
         from alerts a left join incidents i on i.id = a.incident_id group by 1, 2 order by 1, 2`,
      )
      .all();
  }
  function rollupByDay() {
    return db.$client
      .prepare(
        `select rule_name as rule, day, alerts, fires, deliveries, real_alerts as real from alert_rule_days
         where alerts <> 0 or fires <> 0 or deliveries <> 0 or real_alerts <> 0 order by 1, 2`,
      )
      .all();
  }
  function expectExact(step: string) {
    expect(rollupByDay(), step).toEqual(recountByDay());
    const byRule = new Map(recount().map((r) => [r.rule, r]));
    const rules = alertRules(db);
    expect(rules.length, step).toBe(byRule.size);
    for (const r of rules) {
      const c = byRule.get(r.rule)!;
      expect({ rule: r.rule, alerts: r.alerts, fires: r.fires, deliveries: r.deliveries, real: r.real }, step).toEqual(c);
      expect(r.precision, step).toBe(c.real / c.alerts);
      expect(r.nowhere, step).toBe(c.alerts - c.real);
    }
  }
  const real = (rule: string) => alertRules(db).find((r) => r.rule === rule)!.real;

  beforeAll(() => {
    db = freshDb();
    fx = buildFixture(db);
  });

  it("after building the fixture", () => {
    expectExact("fixture");
    expect(alertRules(db).map((r) => [r.rule, r.alerts, r.fires, r.deliveries, r.real])).toEqual([
      [R1, 4, 5, 6, 2],
      [R2, 3, 3, 3, 1],
      [R3, 1, 1, 1, 0],
    ]);
  });

  it("after triage changes", () => {
    setTriage(db, fx.A.a3, "actionable", ACTOR);
    expectExact("a3 actionable");
    expect(real(R2)).toBe(2);
    setTriage(db, fx.A.a3, "noise", ACTOR);
    expectExact("a3 noise");
    expect(real(R2)).toBe(1);
    setTriage(db, fx.A.a3, "unreviewed", ACTOR);
    expectExact("a3 unreviewed");
    setTriage(db, fx.A.a4, "unreviewed", ACTOR); // X3 is a draft: no longer real
    expectExact("a4 unreviewed");
    expect(real(R1)).toBe(1);
    setTriage(db, fx.A.a4, "actionable", ACTOR);
    expectExact("a4 actionable");
  });

  it("after status changes of an incident with alerts (draft -> investigating -> resolved -> investigating, and back to draft)", () => {
    changeStatus(db, fx.X.X2, "investigating", ACTOR);
    expectExact("X2 investigating");
    expect(real(R2)).toBe(3); // a3, a8 now count; a6 was linked to I6
    changeStatus(db, fx.X.X2, "resolved", ACTOR, { times: { mitigatedAt: t("2024-04-21T00:00"), resolvedAt: t("2024-04-21T00:00") } });
    expectExact("X2 resolved");
    changeStatus(db, fx.X.X2, "investigating", ACTOR);
    expectExact("X2 reopened");
    expect(real(R2)).toBe(3);
    // The lifecycle never goes back to draft...
    expect(() => changeStatus(db, fx.X.X2, "draft", ACTOR)).toThrow(TransitionError);
    expectExact("refused move to draft");
    // ...but whatever writes the row (an import, a restore), the trigger follows it.
    db.$client.prepare("update incidents set status = 'draft' where id = ?").run(fx.X.X2);
    expectExact("X2 back to draft");
    expect(real(R2)).toBe(1);
    setTriage(db, fx.A.a8, "noise", ACTOR);
    changeStatus(db, fx.X.X2, "mitigated", ACTOR, { times: { mitigatedAt: t("2024-04-23T00:00") } });
    expectExact("X2 mitigated with a8 noise");
    expect(real(R2)).toBe(2);
  });

  it("after linking and unlinking alerts", () => {
    linkAlert(db, fx.A.a7, fx.I.I5, ACTOR); // draft X5 -> investigating I5
    expectExact("a7 -> I5");
    linkAlert(db, fx.A.a7, null, ACTOR);
    expectExact("a7 unlinked");
    linkAlert(db, fx.A.a2, fx.I.I1, ACTOR); // noise stays unreal
    expectExact("a2 (noise) -> I1");
    linkAlert(db, fx.A.a1, fx.X.X3, ACTOR); // investigating X1 -> draft X3
    expectExact("a1 -> X3");
    linkAlert(db, fx.A.a1, fx.X.X1, ACTOR);
    expectExact("a1 -> X1");
  });

  it("after more deliveries: a repeat delivery, a re-fire after the incident closed", () => {
    deliver(db, t("2024-04-25T10:00"), { name: R2, status: "firing", fingerprint: "a3", group: "g2", startsAt: "2023-12-02T00:00:00Z", labels: { again: "yes" } });
    expectExact("a3 delivered again");
    changeStatus(db, fx.X.X3, "resolved", ACTOR, { times: { mitigatedAt: t("2024-04-26T00:00"), resolvedAt: t("2024-04-26T00:00") } });
    changeStatus(db, fx.X.X3, "closed", ACTOR);
    expectExact("X3 closed");
    deliver(db, t("2024-04-27T10:00"), { name: R1, status: "resolved", fingerprint: "a4", group: "g3", startsAt: "2023-12-03T00:00:00Z", endsAt: "2024-04-27T09:00:00Z" });
    const refire = deliver(db, t("2024-04-28T10:00"), { name: R1, status: "firing", fingerprint: "a4", group: "g3", startsAt: "2024-04-28T09:00:00Z" });
    expect(refire.opened).toHaveLength(1); // X3 is closed, so the re-fire opens a new draft
    expectExact("a4 re-fired onto a new draft");
    deliver(db, t("2024-04-29T10:00"), { name: "BrandNew", status: "firing", fingerprint: "b1", group: "g1" }); // joins X1 (investigating)
    expectExact("new rule onto an investigating incident");
    expect(real("BrandNew")).toBe(1);
    // The sender renames the rule of an existing alert (same fingerprint): its counts move to the new name.
    deliver(db, t("2024-04-30T10:00"), { name: "BrandNewer", status: "firing", fingerprint: "b1", group: "g1" });
    expectExact("rule renamed");
    expect(alertRules(db).map((r) => r.rule)).not.toContain("BrandNew");
    expect(real("BrandNewer")).toBe(1);
  });
});
