import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addActionItem, setActionStatus } from "~/domain/actions.server";
import { alertRules, linkAlert, modelLabels, receiveDelivery, setTriage } from "~/domain/alerts.server";
import type { Actor } from "~/domain/audit.server";
import { classificationSchema, classifyIncident } from "~/domain/classification.server";
import { createIncident, type IncidentInput } from "~/domain/incidents.server";
import { TransitionError, changeStatus } from "~/domain/lifecycle.server";
import {
  filterOptions,
  insights,
  parseInsightFilter,
  periods,
  quarterOf,
  reportSummary,
  toCsv,
  type Insights,
} from "~/domain/insights.server";
import { linkVersion, registerVersion, versionInputSchema } from "~/domain/models.server";
import { loadTaxonomy, syncTaxonomy, type TaxonomyEntry } from "~/domain/taxonomy.server";
import type { Db } from "~/utils/db.server";
import { parseWebhook } from "~/webhooks/index";
import { makeTestDb, type TestDb } from "../helpers/db";

const ACTOR: Actor = { id: null, label: "insights-test" };
const BOT: Actor = { id: null, label: "token:alerts" };
const MIN = 60_000;
/** The fixed "now" of every insights call: action items due before it are overdue. */
const NOW = Date.UTC(2024, 6, 15, 12, 0);
const t = (s: string) => Date.parse(`${s}Z`);

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

// Top-level class names, as the taxonomy in content/ spells them.
const DATA = "Data quality & distribution shift";
const COMPAT = "Artifact & feature compatibility";
const CAPACITY = "Capacity, resources & hardware";
const CHANGE = "Change & deployment";
const DEPENDENCY = "Upstream dependency & data delivery";
const QUALITY = "Model quality & output harm";
const SOFTWARE = "Conventional software defect";
const TRAINING = "Training & model configuration";

// Alert rules: one plain, one with a comma and quotes, one that a spreadsheet would run as a formula.
const R1 = "FeatureDrift";
const R2 = 'Latency "p99", api';
const R3 = "+ErrorBudgetBurn";

type Spec = {
  title: string;
  start: string;
  team: string;
  severity: IncidentInput["severity"];
  source: IncidentInput["detectionSource"];
  /** Minutes from start to detection / resolution. */
  detect?: number;
  resolve?: number;
  cls?: string;
};

function addIncident(db: Db, s: Spec): number {
  const startedAt = t(s.start);
  const input: IncidentInput = {
    title: s.title,
    severity: s.severity,
    team: s.team,
    summary: "",
    impact: "",
    detectionSource: s.source,
    startedAt,
    detectedAt: s.detect === undefined ? null : startedAt + s.detect * MIN,
    mitigatedAt: null,
    resolvedAt: s.resolve === undefined ? null : startedAt + s.resolve * MIN,
  };
  const id = createIncident(db, input, ACTOR);
  if (s.cls) classifyIncident(db, id, classificationSchema.parse({ primary: s.cls }), ACTOR);
  return id;
}

/** An action item with deterministic created / completed times. */
function addAction(
  db: Db,
  incidentId: number,
  a: { due?: string; status?: "open" | "done" | "wont_do"; created?: string; completed?: string },
): number {
  const id = addActionItem(
    db,
    incidentId,
    { title: `Action for #${incidentId}`, owner: "", dueAt: a.due ? t(a.due) : null, kind: "prevent" },
    ACTOR,
  );
  if (a.status && a.status !== "open") setActionStatus(db, incidentId, id, a.status, ACTOR);
  db.$client
    .prepare("update action_items set created_at = ?, completed_at = ? where id = ?")
    .run(t(a.created ?? "2024-01-01T00:00"), a.status && a.status !== "open" ? t(a.completed!) : null, id);
  return id;
}

type GenericAlert = { name: string; status: "firing" | "resolved"; fingerprint: string; group?: string; startsAt?: string; endsAt?: string; labels?: Record<string, string> };

function deliver(db: Db, now: number, ...alerts: GenericAlert[]) {
  const body = JSON.stringify({ alerts });
  const events = parseWebhook("generic", JSON.parse(body), { modelLabel: modelLabels().model });
  return receiveDelivery(db, { sender: "generic", headers: { "content-type": "application/json" }, body, tokenId: null }, events, BOT, now);
}

function alertId(db: Db, fingerprint: string): number {
  return (db.$client.prepare("select id from alerts where fingerprint = ?").get(fingerprint) as { id: number }).id;
}
function alertIncident(db: Db, fingerprint: string): number {
  return (db.$client.prepare("select incident_id from alerts where fingerprint = ?").get(fingerprint) as { incident_id: number }).incident_id;
}

/**
 * The hand-built fixture. In range (2024-02-01 .. 2024-05-31): I1..I13, 13 incidents, 11 classified across 8
 * top-level classes, 3 repeats (I1, I4 on team ranking; I7 through model "ranker"). I0 and I14 fall just outside.
 * Alerts: drafts X1..X5 that started in December 2023 (outside the incident range) but were received in range,
 * except X5's alert (June).
 */
function buildFixture(db: Db) {
  const ranker1 = registerVersion(db, "ranker", versionInputSchema.parse({ version: "v1" }), ACTOR, t("2023-06-01T00:00")).versionId;
  const ranker2 = registerVersion(db, "ranker", versionInputSchema.parse({ version: "v2" }), ACTOR, t("2023-09-01T00:00")).versionId;
  const scorer1 = registerVersion(db, "scorer", versionInputSchema.parse({ version: "v1" }), ACTOR, t("2023-06-01T00:00")).versionId;

  const I: Record<string, number> = {};
  I.I0 = addIncident(db, { title: "Corrupt features (January)", start: "2024-01-20T10:00", team: "ranking", severity: "SEV2", source: "alert", detect: 5, resolve: 50, cls: "data.corruption" });
  I.I1 = addIncident(db, { title: "Corrupt features again", start: "2024-02-05T10:00", team: "ranking", severity: "SEV1", source: "alert", detect: 10, resolve: 120, cls: "data.corruption" });
  I.I2 = addIncident(db, { title: "Search p99 over SLO", start: "2024-02-12T08:00", team: "search", severity: "SEV2", source: "user_report", detect: 20, resolve: 80, cls: "capacity.latency-slo" });
  I.I3 = addIncident(db, { title: "Unexplained dip", start: "2024-02-20T00:00", team: "ranking", severity: "SEV3", source: "dashboard", detect: 15, resolve: 45 });
  I.I4 = addIncident(db, { title: "Corrupt features, third time", start: "2024-03-03T09:30", team: "ranking", severity: "SEV2", source: "alert", detect: 30, resolve: 240, cls: "data.corruption" });
  I.I5 = addIncident(db, { title: "Config pushed everywhere at once", start: "2024-03-10T14:00", team: "search", severity: "SEV3", source: "test", cls: "change.config-push" });
  I.I6 = addIncident(db, { title: "Train/serve skew", start: "2024-03-25T23:59", team: "search", severity: "SEV1", source: "alert", detect: 5, resolve: 65, cls: "compat.train-serve-skew" });
  I.I7 = addIncident(db, { title: "Train/serve skew on v2", start: "2024-04-02T00:00", team: "ranking", severity: "SEV2", source: "other", detect: 15, resolve: 125, cls: "compat.train-serve-skew" });
  I.I8 = addIncident(db, { title: "Training diverged", start: "2024-04-15T12:00", team: "ranking", severity: "SEV2", source: null, detect: 60, resolve: 600, cls: "training.divergence" });
  I.I9 = addIncident(db, { title: "Seasonal drift", start: "2024-04-28T06:00", team: "search", severity: "SEV4", source: "alert", detect: 50, cls: "data.natural-drift" });
  I.I10 = addIncident(db, { title: "Users report odd results", start: "2024-05-06T00:00", team: "search", severity: "SEV3", source: "user_report" });
  I.I11 = addIncident(db, { title: "Accuracy regression", start: "2024-05-14T00:00", team: "ranking", severity: "SEV1", source: "alert", detect: 0, resolve: 30, cls: "quality.accuracy-regression" });
  I.I12 = addIncident(db, { title: "Upstream schema break", start: "2024-05-20T00:00", team: "search", severity: "SEV2", source: "dashboard", detect: 45, cls: "dependency.schema-break" });
  I.I13 = addIncident(db, { title: "Wrong invariant", start: "2024-05-31T23:59", team: "ranking", severity: "SEV3", source: "alert", detect: 1, resolve: 2, cls: "software.wrong-invariant" });
  I.I14 = addIncident(db, { title: "Corrupt features in June", start: "2024-06-01T00:00", team: "ranking", severity: "SEV2", source: "alert", detect: 10, resolve: 20, cls: "data.corruption" });

  linkVersion(db, I.I6, ranker1, "suspected_cause", ACTOR);
  linkVersion(db, I.I7, ranker2, "suspected_cause", ACTOR);
  linkVersion(db, I.I11, scorer1, "affected", ACTOR);

  // Action items (now = 2024-07-15 12:00).
  addAction(db, I.I0, { due: "2024-07-01T00:00" }); // overdue, but out of range
  addAction(db, I.I1, { status: "done", created: "2024-02-06T00:00", completed: "2024-02-09T00:00" }); // 3 days
  addAction(db, I.I1, { due: "2024-07-01T00:00" }); // overdue
  addAction(db, I.I4, { status: "done", created: "2024-03-04T00:00", completed: "2024-03-14T00:00" }); // 10 days
  addAction(db, I.I4, { due: "2024-08-01T00:00" }); // open
  addAction(db, I.I4, { status: "wont_do", created: "2024-03-04T00:00", completed: "2024-03-05T00:00" }); // counted nowhere
  addAction(db, I.I9, { status: "done", created: "2024-04-29T00:00", completed: "2024-05-05T12:00" }); // 6.5 days
  addAction(db, I.I6, {}); // open, no due date
  addAction(db, I.I7, { due: "2024-07-15T12:00" }); // due exactly now: open, not overdue
  addAction(db, I.I7, { status: "done", created: "2024-04-03T00:00", completed: "2024-04-05T12:00" }); // 2.5 days
  addAction(db, I.I2, {}); // the only item of its class: open, no due date
  addAction(db, I.I3, { due: "2024-07-10T00:00" }); // overdue
  addAction(db, I.I3, { status: "done", created: "2024-02-21T00:00", completed: "2024-02-22T00:00" }); // 1 day
  addAction(db, I.I8, { status: "wont_do", created: "2024-04-16T00:00", completed: "2024-04-17T00:00" });
  addAction(db, I.I14, { due: "2024-07-01T00:00" }); // out of range

  // Alerts. D1 (March 3): a1, a2 open draft X1 (group g1); a3 opens X2 (g2).
  deliver(
    db,
    t("2024-03-03T10:00"),
    { name: R1, status: "firing", fingerprint: "a1", group: "g1", startsAt: "2023-12-01T00:00:00Z" },
    { name: R1, status: "firing", fingerprint: "a2", group: "g1", startsAt: "2023-12-01T00:05:00Z" },
    { name: R2, status: "firing", fingerprint: "a3", group: "g2", startsAt: "2023-12-02T00:00:00Z" },
  );
  // D2 (April 10): a4 opens X3, a5 opens X4, a6 and a8 join X2.
  deliver(
    db,
    t("2024-04-10T10:00"),
    { name: R1, status: "firing", fingerprint: "a4", group: "g3", startsAt: "2023-12-03T00:00:00Z" },
    { name: R3, status: "firing", fingerprint: "a5", group: "g4", startsAt: "2023-12-04T00:00:00Z" },
    { name: R2, status: "firing", fingerprint: "a6", group: "g2", startsAt: "2023-12-02T00:10:00Z" },
    { name: R2, status: "firing", fingerprint: "a8", group: "g2", startsAt: "2023-12-02T00:20:00Z" },
  );
  // a1 resolves and fires again: 2 fires, 3 deliveries, still first received on March 3.
  deliver(db, t("2024-04-11T10:00"), { name: R1, status: "resolved", fingerprint: "a1", group: "g1", startsAt: "2023-12-01T00:00:00Z", endsAt: "2024-04-11T09:00:00Z" });
  deliver(db, t("2024-04-12T10:00"), { name: R1, status: "firing", fingerprint: "a1", group: "g1", startsAt: "2024-04-12T09:00:00Z" });
  // D5 (June 10), after the range: a7 opens X5.
  deliver(db, t("2024-06-10T10:00"), { name: R1, status: "firing", fingerprint: "a7", group: "g5", startsAt: "2023-12-05T00:00:00Z" });

  const X = { X1: alertIncident(db, "a1"), X2: alertIncident(db, "a3"), X3: alertIncident(db, "a4"), X4: alertIncident(db, "a5"), X5: alertIncident(db, "a7") };
  const A = Object.fromEntries(["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"].map((f) => [f, alertId(db, f)]));

  changeStatus(db, X.X1, "investigating", ACTOR); // a1 real; a2 becomes noise below
  setTriage(db, A.a2, "noise", ACTOR);
  setTriage(db, A.a4, "actionable", ACTOR); // real although X3 stays a draft
  setTriage(db, A.a5, "noise", ACTOR);
  linkAlert(db, A.a6, I.I6, ACTOR); // moved from draft X2 to an investigating incident: real

  return { I, X, A, versions: { ranker1, ranker2, scorer1 } };
}

const filterOf = (query: string) => parseInsightFilter(new URLSearchParams(query), NOW);
const RANGE = "from=2024-02-01&to=2024-05-31";

describe("parseInsightFilter, periods, quarterOf", () => {
  it("reads an explicit range and filters, dropping malformed values", () => {
    expect(filterOf(`${RANGE}&team=ranking&severity=SEV1&severity=SEV4&family=ml&model=ranker`)).toEqual({
      from: "2024-02-01",
      to: "2024-05-31",
      team: "ranking",
      model: "ranker",
      severity: ["SEV1", "SEV4"],
      family: "ml",
    });
    expect(filterOf("from=2024-2-1&to=yesterday&severity=SEV9&family=both")).toEqual({
      from: "2023-08-01",
      to: "2024-07-15",
      team: "",
      model: "",
      severity: [],
      family: "",
    });
  });

  it("defaults to the 12 months up to today (UTC)", () => {
    expect(filterOf("")).toMatchObject({ from: "2023-08-01", to: "2024-07-15" });
    expect(periods(filterOf("")).months).toHaveLength(12);
    expect(parseInsightFilter(new URLSearchParams(""), Date.UTC(2024, 0, 31, 23, 59))).toMatchObject({ from: "2023-02-01", to: "2024-01-31" });
  });

  it("lists every month and quarter of the range", () => {
    expect(periods(filterOf(RANGE))).toEqual({ months: ["2024-02", "2024-03", "2024-04", "2024-05"], quarters: ["2024-Q1", "2024-Q2"] });
    expect(periods(filterOf("from=2023-11-15&to=2024-01-02"))).toEqual({ months: ["2023-11", "2023-12", "2024-01"], quarters: ["2023-Q4", "2024-Q1"] });
    expect(["2024-01", "2024-03", "2024-04", "2024-06", "2024-07", "2024-09", "2024-10", "2024-12"].map(quarterOf)).toEqual([
      "2024-Q1",
      "2024-Q1",
      "2024-Q2",
      "2024-Q2",
      "2024-Q3",
      "2024-Q3",
      "2024-Q4",
      "2024-Q4",
    ]);
  });
});

describe("insights over a hand-built fixture", () => {
  let db: Db;
  let fx: ReturnType<typeof buildFixture>;
  let data: Insights;

  beforeAll(async () => {
    db = freshDb();
    fx = buildFixture(db);
    data = await insights(db, filterOf(RANGE), NOW);
  });

  it("has the repeat flags the fixture intends", () => {
    const repeats = db.$client.prepare("select id from incidents where is_repeat order by id").all() as { id: number }[];
    expect(repeats.map((r) => r.id)).toEqual([fx.I.I1, fx.I.I4, fx.I.I7, fx.I.I14]);
  });

  it("counts the incidents that started in the range", () => {
    expect(data.total).toBe(13);
    expect(data.classified).toBe(11);
  });

  it("stacks incidents per month: six biggest classes, Other classes, Unclassified", () => {
    expect(data.monthly).toEqual({
      periods: ["2024-02", "2024-03", "2024-04", "2024-05"],
      series: [
        { key: "data", label: DATA, values: [1, 1, 1, 0] },
        { key: "compat", label: COMPAT, values: [0, 1, 1, 0] },
        { key: "capacity", label: CAPACITY, values: [1, 0, 0, 0] },
        { key: "change", label: CHANGE, values: [0, 1, 0, 0] },
        { key: "dependency", label: DEPENDENCY, values: [0, 0, 0, 1] },
        { key: "quality", label: QUALITY, values: [0, 0, 0, 1] },
        { key: "other", label: "Other classes", values: [0, 0, 1, 1] },
        { key: "unclassified", label: "Unclassified", values: [1, 0, 0, 1] },
      ],
    });
    expect(data.tables["classes-by-month"]).toEqual({
      columns: ["month", DATA, COMPAT, CAPACITY, CHANGE, DEPENDENCY, QUALITY, "Other classes", "Unclassified"],
      rows: [
        ["2024-02", 1, 0, 1, 0, 0, 0, 0, 1],
        ["2024-03", 1, 1, 0, 1, 0, 0, 0, 0],
        ["2024-04", 1, 1, 0, 0, 0, 0, 1, 0],
        ["2024-05", 0, 0, 0, 0, 1, 1, 1, 1],
      ],
    });
  });

  it("orders the Pareto by count then id, with cumulative shares and repeats", () => {
    const expected: [string, string, number, number][] = [
      ["data", DATA, 3, 2],
      ["compat", COMPAT, 2, 1],
      ["capacity", CAPACITY, 1, 0],
      ["change", CHANGE, 1, 0],
      ["dependency", DEPENDENCY, 1, 0],
      ["quality", QUALITY, 1, 0],
      ["software", SOFTWARE, 1, 0],
      ["training", TRAINING, 1, 0],
    ];
    let cum = 0;
    expect(data.pareto).toEqual(
      expected.map(([key, label, count, repeats]) => {
        cum += count;
        return { key, label, count, repeats, cumulativeShare: cum / 11, highlight: repeats > 0 };
      }),
    );
    expect(data.pareto.map((p) => p.cumulativeShare)).toEqual([3 / 11, 5 / 11, 6 / 11, 7 / 11, 8 / 11, 9 / 11, 10 / 11, 1]);
    expect(data.tables.pareto).toEqual({
      columns: ["class", "incidents", "repeats", "cumulative share %"],
      rows: [
        [DATA, 3, 2, 27.3],
        [COMPAT, 2, 1, 45.5],
        [CAPACITY, 1, 0, 54.5],
        [CHANGE, 1, 0, 63.6],
        [DEPENDENCY, 1, 0, 72.7],
        [QUALITY, 1, 0, 81.8],
        [SOFTWARE, 1, 0, 90.9],
        [TRAINING, 1, 0, 100],
      ],
    });
  });

  it("splits ML-specific and non-ML causes per quarter", () => {
    expect(data.family).toEqual({ periods: ["2024-Q1", "2024-Q2"], ml: [3, 4], nonMl: [2, 2] });
    expect(data.tables["ml-vs-non-ml"]).toEqual({
      columns: ["quarter", "ML-specific", "non-ML"],
      rows: [
        ["2024-Q1", 3, 2],
        ["2024-Q2", 4, 2],
      ],
    });
  });

  it("counts repeats per quarter with their share of classified incidents", () => {
    expect(data.repeats).toEqual({ periods: ["2024-Q1", "2024-Q2"], counts: [2, 1], shares: [2 / 5, 1 / 6] });
    expect(data.tables.repeats).toEqual({
      columns: ["quarter", "classified incidents", "repeats", "repeat share %"],
      rows: [
        ["2024-Q1", 5, 2, 40],
        ["2024-Q2", 6, 1, 16.7],
      ],
    });
  });

  it("summarises time to detect and resolve per class (min, quartiles, median, max; linear interpolation)", () => {
    const five = (...minutes: number[]) => minutes.map((m) => m * MIN);
    expect(data.durations.toDetect).toEqual([
      { key: "data", label: DATA, values: five(10, 20, 30, 40, 50) },
      { key: "compat", label: COMPAT, values: five(5, 7.5, 10, 12.5, 15) },
      { key: "capacity", label: CAPACITY, values: five(20, 20, 20, 20, 20) },
      // change: never detected, so no distribution
      { key: "dependency", label: DEPENDENCY, values: five(45, 45, 45, 45, 45) },
      { key: "quality", label: QUALITY, values: five(0, 0, 0, 0, 0) },
      { key: "software", label: SOFTWARE, values: five(1, 1, 1, 1, 1) },
      { key: "training", label: TRAINING, values: five(60, 60, 60, 60, 60) },
    ]);
    expect(data.durations.toResolve).toEqual([
      { key: "data", label: DATA, values: five(120, 150, 180, 210, 240) },
      { key: "compat", label: COMPAT, values: five(65, 80, 95, 110, 125) },
      { key: "capacity", label: CAPACITY, values: five(80, 80, 80, 80, 80) },
      { key: "quality", label: QUALITY, values: five(30, 30, 30, 30, 30) },
      { key: "software", label: SOFTWARE, values: five(2, 2, 2, 2, 2) },
      { key: "training", label: TRAINING, values: five(600, 600, 600, 600, 600) },
    ]);
    expect(data.tables["time-to-detect-resolve"]).toEqual({
      columns: ["class", "detected", "median minutes to detect", "quartiles to detect", "resolved", "median minutes to resolve", "quartiles to resolve"],
      rows: [
        [DATA, 3, 30, "20–40", 2, 180, "150–210"],
        [COMPAT, 2, 10, "7.5–12.5", 2, 95, "80–110"],
        [CAPACITY, 1, 20, "20–20", 1, 80, "80–80"],
        [CHANGE, 0, "", "", 0, "", ""],
        [DEPENDENCY, 1, 45, "45–45", 0, "", ""],
        [QUALITY, 1, 0, "0–0", 1, 30, "30–30"],
        [SOFTWARE, 1, 1, "1–1", 1, 2, "2–2"],
        [TRAINING, 1, 60, "60–60", 1, 600, "600–600"],
      ],
    });
  });

  it("counts action items per class: open, overdue (due before now), done, median days to close", () => {
    // Soft: the three views of the same numbers each report their own difference.
    expect.soft(data.actions).toEqual([
      { key: "compat", label: COMPAT, open: 2, overdue: 0, done: 1, medianDays: 2.5 },
      { key: "data", label: DATA, open: 1, overdue: 1, done: 3, medianDays: 6.5 },
      // Its only item is open with no due date: 0 overdue (not null).
      { key: "capacity", label: CAPACITY, open: 1, overdue: 0, done: 0, medianDays: null },
      { key: "unclassified", label: "Unclassified", open: 0, overdue: 1, done: 1, medianDays: 1 },
      // Training's only item was declined (won't do): counted nowhere, so the class has no row.
    ]);
    expect.soft(data.tables["action-items"]).toEqual({
      columns: ["class", "open", "overdue", "done", "median days to close"],
      rows: [
        [COMPAT, 2, 0, 1, 2.5],
        [DATA, 1, 1, 3, 6.5],
        [CAPACITY, 1, 0, 0, ""],
        ["Unclassified", 0, 1, 1, 1],
      ],
    });
    expect.soft(toCsv(data.tables["action-items"])).toBe(
      "class,open,overdue,done,median days to close\r\n" +
        `${COMPAT},2,0,1,2.5\r\n` +
        `${DATA},1,1,3,6.5\r\n` +
        `"${CAPACITY}",1,0,0,\r\n` +
        "Unclassified,0,1,1,1\r\n",
    );
  });

  it("ranks alert rules by alerts that led nowhere, for alerts first received in the range", () => {
    expect(data.rules).toEqual([
      { rule: R2, alerts: 3, fires: 3, real: 1, precision: 1 / 3 },
      { rule: R3, alerts: 1, fires: 1, real: 0, precision: 0 },
      { rule: R1, alerts: 3, fires: 4, real: 2, precision: 2 / 3 },
    ]);
    expect(data.tables["alert-rules"]).toEqual({
      columns: ["rule", "alerts", "fires", "led to an incident", "precision %"],
      rows: [
        [R2, 3, 3, 1, 33.3],
        [R3, 1, 1, 0, 0],
        [R1, 3, 4, 2, 66.7],
      ],
    });
  });

  it("splits incidents by how they were detected", () => {
    expect(data.detection).toEqual([
      { key: "alert", label: "Alerts", value: 6 },
      { key: "people", label: "People (user reports, dashboards)", value: 4 },
      { key: "test", label: "Tests", value: 1 },
      { key: "other", label: "Other or unknown", value: 2 },
    ]);
    expect(data.tables.detection).toEqual({
      columns: ["detected by", "incidents"],
      rows: [
        ["Alerts", 6],
        ["People (user reports, dashboards)", 4],
        ["Tests", 1],
        ["Other or unknown", 2],
      ],
    });
  });

  it("exports tables as CSV: header line, RFC 4180 quoting, formula-looking text prefixed with '", () => {
    expect(toCsv(data.tables["alert-rules"])).toBe(
      "rule,alerts,fires,led to an incident,precision %\r\n" +
        '"Latency ""p99"", api",3,3,1,33.3\r\n' +
        "'+ErrorBudgetBurn,1,1,0,0\r\n" +
        "FeatureDrift,3,4,2,66.7\r\n",
    );
    expect(toCsv(data.tables["classes-by-month"])).toBe(
      `month,${DATA},${COMPAT},"${CAPACITY}",${CHANGE},${DEPENDENCY},${QUALITY},Other classes,Unclassified\r\n` +
        "2024-02,1,0,1,0,0,0,0,1\r\n" +
        "2024-03,1,1,0,1,0,0,0,0\r\n" +
        "2024-04,1,1,0,0,0,0,1,0\r\n" +
        "2024-05,0,0,0,0,1,1,1,1\r\n",
    );
    expect(toCsv(data.tables.detection)).toBe(
      'detected by,incidents\r\nAlerts,6\r\n"People (user reports, dashboards)",4\r\nTests,1\r\nOther or unknown,2\r\n',
    );
    expect(toCsv(data.tables["time-to-detect-resolve"]).split("\r\n").slice(0, 5)).toEqual([
      "class,detected,median minutes to detect,quartiles to detect,resolved,median minutes to resolve,quartiles to resolve",
      `${DATA},3,30,20–40,2,180,150–210`,
      `${COMPAT},2,10,7.5–12.5,2,95,80–110`,
      `"${CAPACITY}",1,20,20–20,1,80,80–80`,
      `${CHANGE},0,,,0,,`,
    ]);
    expect(toCsv(data.tables.repeats)).toBe("quarter,classified incidents,repeats,repeat share %\r\n2024-Q1,5,2,40\r\n2024-Q2,6,1,16.7\r\n");
  });

  it("writes the report summary", () => {
    const overdue = data.actions.reduce((s, a) => s + a.overdue, 0);
    expect(overdue).toBe(2);
    expect(reportSummary(data, overdue)).toEqual([
      "13 incidents started in the period; 11 (85%) are classified.",
      `Top 3 classes: ${DATA} (3, 27%); ${COMPAT} (2, 18%); ${CAPACITY} (1, 9%) — together 55% of classified incidents.`,
      "36% had a non-ML root cause and 64% an ML-specific one.",
      "3 incidents (27% of classified) repeated a class seen on the same team or model in the previous 180 days.",
      "46% were detected by alerts.",
      "2 action items from these incidents are overdue.",
    ]);
  });

  it("lists teams and models for the pickers", () => {
    expect(filterOptions(db)).toEqual({ teams: ["ranking", "search"], models: ["ranker", "scorer"] });
  });

  describe("filters", () => {
    it("team", async () => {
      const d = await insights(db, filterOf(`${RANGE}&team=ranking`), NOW);
      expect([d.total, d.classified]).toEqual([7, 6]);
      expect(d.pareto.map((p) => [p.key, p.count, p.repeats])).toEqual([
        ["data", 2, 2],
        ["compat", 1, 1],
        ["quality", 1, 0],
        ["software", 1, 0],
        ["training", 1, 0],
      ]);
      expect(d.monthly.series.map((s) => [s.key, s.values])).toEqual([
        ["data", [1, 1, 0, 0]],
        ["compat", [0, 0, 1, 0]],
        ["quality", [0, 0, 0, 1]],
        ["software", [0, 0, 0, 1]],
        ["training", [0, 0, 1, 0]],
        ["unclassified", [1, 0, 0, 0]],
      ]);
      expect(d.family).toEqual({ periods: ["2024-Q1", "2024-Q2"], ml: [2, 3], nonMl: [0, 1] });
      expect(d.repeats).toEqual({ periods: ["2024-Q1", "2024-Q2"], counts: [2, 1], shares: [1, 1 / 4] });
      expect(d.detection.map((x) => x.value)).toEqual([4, 1, 0, 2]);
      expect(d.actions).toEqual([
        { key: "data", label: DATA, open: 1, overdue: 1, done: 2, medianDays: 6.5 },
        { key: "compat", label: COMPAT, open: 1, overdue: 0, done: 1, medianDays: 2.5 },
        { key: "unclassified", label: "Unclassified", open: 0, overdue: 1, done: 1, medianDays: 1 },
      ]);
    });

    it("severity (several)", async () => {
      const d = await insights(db, filterOf(`${RANGE}&severity=SEV1&severity=SEV4`), NOW);
      expect([d.total, d.classified]).toEqual([4, 4]);
      expect(d.pareto.map((p) => [p.key, p.count, p.repeats])).toEqual([
        ["data", 2, 1],
        ["compat", 1, 0],
        ["quality", 1, 0],
      ]);
      expect(d.family).toEqual({ periods: ["2024-Q1", "2024-Q2"], ml: [2, 2], nonMl: [0, 0] });
      expect(d.durations.toDetect.map((g) => [g.key, g.values])).toEqual([
        ["data", [10, 20, 30, 40, 50].map((m) => m * MIN)],
        ["compat", [5, 5, 5, 5, 5].map((m) => m * MIN)],
        ["quality", [0, 0, 0, 0, 0]],
      ]);
      const one = await insights(db, filterOf(`${RANGE}&severity=SEV4`), NOW);
      expect(one.pareto.map((p) => [p.key, p.count])).toEqual([["data", 1]]);
    });

    it("family", async () => {
      const nonMl = await insights(db, filterOf(`${RANGE}&family=non-ml`), NOW);
      expect([nonMl.total, nonMl.classified]).toEqual([4, 4]);
      expect(nonMl.monthly.series.map((s) => [s.key, s.values])).toEqual([
        ["capacity", [1, 0, 0, 0]],
        ["change", [0, 1, 0, 0]],
        ["dependency", [0, 0, 0, 1]],
        ["software", [0, 0, 0, 1]],
      ]);
      expect(nonMl.family).toEqual({ periods: ["2024-Q1", "2024-Q2"], ml: [0, 0], nonMl: [2, 2] });
      const ml = await insights(db, filterOf(`${RANGE}&family=ml`), NOW);
      expect([ml.total, ml.classified]).toEqual([7, 7]);
      expect(ml.family).toEqual({ periods: ["2024-Q1", "2024-Q2"], ml: [3, 4], nonMl: [0, 0] });
      expect(ml.monthly.series.some((s) => s.key === "unclassified")).toBe(false);
    });

    it("model (incidents linked to any version of it)", async () => {
      const d = await insights(db, filterOf(`${RANGE}&model=ranker`), NOW);
      expect([d.total, d.classified]).toEqual([2, 2]);
      expect(d.pareto).toEqual([{ key: "compat", label: COMPAT, count: 2, repeats: 1, cumulativeShare: 1, highlight: true }]);
      expect(d.durations.toResolve).toEqual([{ key: "compat", label: COMPAT, values: [65, 80, 95, 110, 125].map((m) => m * MIN) }]);
      expect(d.actions).toEqual([{ key: "compat", label: COMPAT, open: 2, overdue: 0, done: 1, medianDays: 2.5 }]);
      const scorer = await insights(db, filterOf(`${RANGE}&model=scorer`), NOW);
      expect(scorer.pareto.map((p) => [p.key, p.count])).toEqual([["quality", 1]]);
      expect(reportSummary(scorer, 0).slice(1)).toEqual([
        `Top class: ${QUALITY} (1, 100%) — together 100% of classified incidents.`,
        "0% had a non-ML root cause and 100% an ML-specific one.",
        "0 incidents (0% of classified) repeated a class seen on the same team or model in the previous 180 days.",
        "100% were detected by alerts.",
        "0 action items from these incidents are overdue.",
      ]);
      const none = await insights(db, filterOf(`${RANGE}&model=nope`), NOW);
      expect(none.total).toBe(0);
      expect(reportSummary(none, 0)).toEqual(["No incidents started in this period."]);
    });

    it("a date range that leaves incidents out (and alerts first received outside it)", async () => {
      const d = await insights(db, filterOf("from=2024-03-01&to=2024-04-30"), NOW);
      expect([d.total, d.classified]).toEqual([6, 6]);
      expect(d.monthly.periods).toEqual(["2024-03", "2024-04"]);
      expect(d.family).toEqual({ periods: ["2024-Q1", "2024-Q2"], ml: [2, 3], nonMl: [1, 0] });
      expect(d.repeats).toEqual({ periods: ["2024-Q1", "2024-Q2"], counts: [1, 1], shares: [1 / 3, 1 / 3] });
      expect(d.tables.repeats.rows).toEqual([
        ["2024-Q1", 3, 1, 33.3],
        ["2024-Q2", 3, 1, 33.3],
      ]);

      const april = await insights(db, filterOf("from=2024-04-01&to=2024-05-31"), NOW);
      expect(april.total).toBe(7);
      // a1, a2, a3 were first received on March 3; a7 in June.
      expect(april.rules).toEqual([
        { rule: R3, alerts: 1, fires: 1, real: 0, precision: 0 },
        { rule: R2, alerts: 2, fires: 2, real: 1, precision: 0.5 },
        { rule: R1, alerts: 1, fires: 1, real: 1, precision: 1 },
      ]);

      // The whole range through June 1 picks up I14 (first minute of June) and a7 (June 10).
      const wide = await insights(db, filterOf("from=2024-01-21&to=2024-06-10"), NOW);
      expect(wide.total).toBe(14);
      expect(wide.rules.find((r) => r.rule === R1)).toEqual({ rule: R1, alerts: 4, fires: 5, real: 2, precision: 0.5 });
    });
  });
});

describe("toCsv", () => {
  it("quotes commas, quotes and line breaks, and defuses formula-looking text", () => {
    const csv = toCsv({
      columns: ["name", "n"],
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
        ["=HYPERLINK(\"http://x\", \"y\")", -1.5],
        ["", 0],
      ],
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
        ",0",
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
