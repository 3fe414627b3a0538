import type { Column, Dataset, DataRow } from "../utils/dataset";
import { percent, round } from "../utils/dataset";
import { type Bin, coarseBin, type InsightFilter, type Period, periodKeyIn } from "./insight-filter.server";
import { type CellCounts, type CubeRow, DETECTION_GROUPS, type InsightsRaw, type Summary } from "./insight-queries.server";

/**
 * Turns the aggregates into one dataset per chart (pure, so the numbers can be checked by hand). The charts,
 * their tables and the CSV downloads all read these rows.
 */

/** Below this many incidents a class's numbers are marked as few: a median of 3 says little. */
export const FEW = 5;
const FEW_NOTE = `few (under ${FEW})`;
const TOP_SERIES = 6;
const UNCLASSIFIED = "unclassified";
const OTHER = "other";

const col = (key: string, label: string, unit: Column["unit"] = "count"): Column => ({ key, label, unit });
const minutes = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : round(ms / 60_000));
const few = (n: number) => (n < FEW ? FEW_NOTE : null);
const ZERO: CellCounts = { n: 0, repeats: 0, alert: 0, people: 0, test: 0, other: 0 };
const add = (a: CellCounts, b: CellCounts): CellCounts => ({
  n: a.n + b.n,
  repeats: a.repeats + b.repeats,
  alert: a.alert + b.alert,
  people: a.people + b.people,
  test: a.test + b.test,
  other: a.other + b.other,
});

/** Where a cube row's incidents count: a suggested class counts as unclassified unless the filter includes suggestions. */
function buckets(r: CubeRow, f: InsightFilter): { top: string | null; family: CubeRow["family"]; counts: CellCounts }[] {
  if (r.top === null) return [{ top: null, family: null, counts: r.confirmed }];
  if (f.includeSuggested) return [{ top: r.top, family: r.family, counts: add(r.confirmed, r.suggested) }];
  // With a family filter an unconfirmed class's family is a guess, so it is left out rather than shown as unclassified.
  return [{ top: r.top, family: r.family, counts: r.confirmed }, ...(f.family ? [] : [{ top: null, family: null, counts: r.suggested }])];
}

/** Counts per class bucket (null: unclassified) over the given cube rows. */
function byClass(rows: CubeRow[], f: InsightFilter): Map<string | null, CellCounts> {
  const out = new Map<string | null, CellCounts>();
  for (const r of rows) for (const b of buckets(r, f)) out.set(b.top, add(out.get(b.top) ?? ZERO, b.counts));
  return out;
}

const periodColumns = (bin: Bin) => [col("period", bin === "month" ? "month" : bin, "text"), col("partial", "partial period", "text")];
const periodCells = (p: Period) => ({ period: p.key, partial: p.partial });

export type InsightSummary = {
  total: number;
  classified: number;
  /** Incidents whose class is only suggested, counted as unclassified (or left out) because the filter excludes them. */
  suggestedLeftOut: number;
  bin: Bin;
  previous: { from: string; to: string };
};

/** The chart datasets, by the id of their section (and CSV route). */
export type InsightDatasets = Record<(typeof DATASET_IDS)[number], Dataset>;
export const DATASET_IDS = [
  "then-vs-now",
  "classes-over-time",
  "pareto",
  "ml-vs-non-ml",
  "time-to-detect",
  "time-to-resolve",
  "blind-spots",
  "repeats",
  "action-items",
  "alert-rules",
  "detection",
] as const;

export function shapeInsights(
  raw: InsightsRaw,
  f: InsightFilter,
  p: { bin: Bin; periods: Period[]; coarse: Period[]; previous: { from: string; to: string } },
): { summary: InsightSummary; datasets: InsightDatasets } {
  const name = (top: string | null) => (top === null ? "Unclassified" : (raw.names.get(top) ?? top));
  const classes = byClass(raw.cube, f);
  const total = [...classes.values()].reduce((s, c) => s + c.n, 0);
  const ranked = [...classes]
    .filter(([top, c]) => top !== null && c.n > 0)
    .sort((a, b) => b[1].n - a[1].n || String(a[0]).localeCompare(String(b[0]))) as [string, CellCounts][];
  const classified = ranked.reduce((s, [, c]) => s + c.n, 0);
  const suggestedLeftOut = f.includeSuggested ? 0 : raw.cube.reduce((s, r) => s + (r.top === null ? 0 : r.suggested.n), 0);

  // Classes over time, stacked: the biggest classes, then "Other classes", then "Unclassified".
  const shown = ranked.slice(0, TOP_SERIES).map(([top]) => top);
  const seriesKey = (top: string | null) => (top === null ? UNCLASSIFIED : shown.includes(top) ? `class:${top}` : OTHER);
  const series = [
    ...shown.map((top) => col(`class:${top}`, name(top))),
    ...(ranked.length > TOP_SERIES ? [col(OTHER, "Other classes")] : []),
    ...((classes.get(null)?.n ?? 0) > 0 ? [col(UNCLASSIFIED, "Unclassified")] : []),
  ];
  const perPeriod = new Map(p.periods.map((x) => [x.key, Object.fromEntries(series.map((s) => [s.key, 0])) as Record<string, number>]));
  for (const r of raw.cube) {
    for (const b of buckets(r, f)) {
      const cells = perPeriod.get(r.period);
      if (cells && b.counts.n) cells[seriesKey(b.top)] += b.counts.n;
    }
  }
  const overTime: Dataset = {
    columns: [...periodColumns(p.bin), ...series, col("total", "total")],
    rows: p.periods.map((x) => {
      const cells = perPeriod.get(x.key)!;
      return { ...periodCells(x), ...cells, total: Object.values(cells).reduce((s, n) => s + n, 0) };
    }),
  };

  // Pareto of classes, with repeats and small classes marked.
  let running = 0;
  const pareto: Dataset = {
    columns: [col("class", "class", "text"), col("incidents", "incidents"), col("share", "share of classified %", "percent"), col("cumulative", "cumulative share %", "percent"), col("repeats", "repeats"), col("note", "note", "text")],
    rows: ranked.map(([top, c]) => {
      running += c.n;
      return { key: top, class: name(top), incidents: c.n, share: percent(c.n, classified), cumulative: percent(running, classified), repeats: c.repeats, note: few(c.n) };
    }),
  };

  // ML-specific vs non-ML and repeats, per coarse period.
  const coarse = coarseBin(p.bin);
  const perCoarse = new Map(p.coarse.map((x) => [x.key, { ml: 0, nonMl: 0, classified: 0, repeats: 0 }]));
  for (const r of raw.cube) {
    const cell = perCoarse.get(periodKeyIn(r.period, coarse));
    if (!cell) continue;
    for (const b of buckets(r, f)) {
      if (b.top === null) continue;
      if (b.family === "ml") cell.ml += b.counts.n;
      else cell.nonMl += b.counts.n;
      cell.classified += b.counts.n;
      cell.repeats += b.counts.repeats;
    }
  }
  const family: Dataset = {
    columns: [...periodColumns(coarse), col("ml", "ML-specific"), col("nonMl", "non-ML"), col("total", "classified"), col("mlShare", "ML-specific share %", "percent")],
    rows: p.coarse.map((x) => {
      const c = perCoarse.get(x.key)!;
      return { ...periodCells(x), ml: c.ml, nonMl: c.nonMl, total: c.ml + c.nonMl, mlShare: percent(c.ml, c.ml + c.nonMl) };
    }),
  };
  const repeats: Dataset = {
    columns: [...periodColumns(coarse), col("classified", "classified incidents"), col("repeats", "repeats"), col("share", "repeat share %", "percent")],
    rows: p.coarse.map((x) => {
      const c = perCoarse.get(x.key)!;
      return { ...periodCells(x), classified: c.classified, repeats: c.repeats, share: percent(c.repeats, c.classified) };
    }),
  };

  // Time to detect / resolve per class, largest classes first.
  const order = new Map(ranked.map(([top], i) => [top, i]));
  const byCount = [...raw.durations].sort((a, b) => (order.get(a.top) ?? 1e9) - (order.get(b.top) ?? 1e9) || a.top.localeCompare(b.top));
  const durationSet = (pick: "toDetect" | "toResolve"): Dataset => ({
    columns: [col("class", "class", "text"), col("n", "n"), col("min", "fastest", "minutes"), col("q1", "25th percentile", "minutes"), col("median", "median", "minutes"), col("q3", "75th percentile", "minutes"), col("max", "slowest", "minutes"), col("note", "note", "text")],
    rows: byCount
      .filter((d) => d[pick])
      .map((d) => {
        const s = d[pick] as Summary;
        return { key: d.top, class: name(d.top), n: s.n, min: minutes(s.min), q1: minutes(s.q1), median: minutes(s.median), q3: minutes(s.q3), max: minutes(s.max), note: few(s.n) };
      }),
  });

  // Where detection is blind: per class, the incidents no alert caught, and how long they took to detect.
  const detectMedian = new Map(raw.detect.map((d) => [`${d.top}|${d.byAlert}`, d.median]));
  const blindRows = [...ranked, ...(classes.has(null) && classes.get(null)!.n > 0 ? [[null, classes.get(null)!] as const] : [])].map(([top, c]) => {
    const noAlert = c.people + c.test + c.other;
    return {
      key: top ?? UNCLASSIFIED,
      class: name(top),
      incidents: c.n,
      alert: c.alert,
      noAlert,
      known: c.alert + noAlert,
      unknown: c.n - c.alert - noAlert,
      blindShare: percent(noAlert, c.alert + noAlert),
      detectAlert: minutes(detectMedian.get(`${top}|true`)),
      detectNoAlert: minutes(detectMedian.get(`${top}|false`)),
      note: few(c.n),
    };
  });
  const blindSpots: Dataset = {
    columns: [
      col("class", "class", "text"),
      col("incidents", "incidents"),
      col("alert", "caught by an alert"),
      col("noAlert", "found another way"),
      col("known", "detection recorded"),
      col("unknown", "detection not recorded"),
      col("blindShare", "found another way %", "percent"),
      col("detectAlert", "median time to detect, alert", "minutes"),
      col("detectNoAlert", "median time to detect, no alert", "minutes"),
      col("note", "note", "text"),
    ],
    rows: blindRows.sort((a, b) => b.noAlert - a.noAlert || b.incidents - a.incidents),
  };

  // Action items per class.
  const actions: Dataset = {
    columns: [col("class", "class", "text"), col("done", "done"), col("open", "open"), col("overdue", "overdue"), col("total", "total"), col("medianDays", "median days to close", "days")],
    rows: [...raw.actions]
      .sort((a, b) => b.open + b.overdue - (a.open + a.overdue) || name(a.top).localeCompare(name(b.top)))
      .map((a) => ({ key: a.top ?? UNCLASSIFIED, class: name(a.top), done: a.done, open: a.open, overdue: a.overdue, total: a.done + a.open + a.overdue, medianDays: a.medianDays === null ? null : round(a.medianDays) })),
  };

  const rules: Dataset = {
    columns: [col("rule", "rule", "text"), col("alerts", "alerts"), col("fires", "fires"), col("real", "led to an incident"), col("precision", "precision %", "percent")],
    rows: raw.rules.slice(0, 15).map((r) => ({ rule: r.rule, alerts: r.alerts, fires: r.fires, real: r.real, precision: percent(r.real, r.alerts) })),
  };

  const all = [...classes.values()].reduce(add, ZERO);
  const detectionParts: { key: string; source: string; incidents: number }[] = DETECTION_GROUPS.map((g) => ({ key: g.key, source: g.label, incidents: all[g.key] }));
  detectionParts.push({ key: "unknown", source: "Not recorded", incidents: total - detectionParts.reduce((s, d) => s + d.incidents, 0) });
  const detection: Dataset = {
    columns: [col("source", "detected by", "text"), col("incidents", "incidents"), col("share", "share %", "percent")],
    rows: detectionParts.map((d) => ({ ...d, share: percent(d.incidents, total) })),
  };

  const thenVsNow = compare(raw, f, name, classes, total, p.previous);
  return {
    summary: { total, classified, suggestedLeftOut, bin: p.bin, previous: p.previous },
    datasets: {
      "then-vs-now": thenVsNow,
      "classes-over-time": overTime,
      pareto,
      "ml-vs-non-ml": family,
      "time-to-detect": durationSet("toDetect"),
      "time-to-resolve": durationSet("toResolve"),
      "blind-spots": blindSpots,
      repeats,
      "action-items": actions,
      "alert-rules": rules,
      detection,
    },
  };
}

const direction = (before: number | null, now: number | null, up: string, down: string) =>
  before === null || now === null ? null : now > before ? up : now < before ? down : "same";

/**
 * Each class now and in the previous period of the same length: incidents, share of all incidents, median time to
 * resolve, and which way each moved. Sorted by the size of the change in incidents, largest first.
 */
function compare(
  raw: InsightsRaw,
  f: InsightFilter,
  name: (top: string | null) => string,
  now: Map<string | null, CellCounts>,
  total: number,
  previous: { from: string; to: string },
): Dataset {
  const before = byClass(raw.previous, f);
  const totalBefore = [...before.values()].reduce((s, c) => s + c.n, 0);
  const resolveNow = new Map(raw.durations.map((d) => [d.top, d.toResolve?.median ?? null]));
  const resolveBefore = new Map(raw.previousResolve.map((d) => [d.top, d.median]));
  const tops = [...new Set([...now.keys(), ...before.keys()])].filter((t) => (now.get(t)?.n ?? 0) + (before.get(t)?.n ?? 0) > 0);
  const rows: DataRow[] = tops.map((top) => {
    const [a, b] = [before.get(top)?.n ?? 0, now.get(top)?.n ?? 0];
    const [ra, rb] = [minutes(top === null ? null : resolveBefore.get(top)), minutes(top === null ? null : resolveNow.get(top))];
    return {
      key: top ?? UNCLASSIFIED,
      class: name(top),
      before: a,
      now: b,
      change: b - a,
      direction: a === 0 ? "new" : b === 0 ? "gone" : direction(a, b, "up", "down"),
      shareBefore: percent(a, totalBefore),
      shareNow: percent(b, total),
      resolveBefore: ra,
      resolveNow: rb,
      resolveDirection: direction(ra, rb, "slower", "faster"),
    };
  });
  rows.sort((x, y) => Math.abs(Number(y.change)) - Math.abs(Number(x.change)) || Number(y.now) - Number(x.now) || String(x.class).localeCompare(String(y.class)));
  const was = `${previous.from} – ${previous.to}`;
  return {
    columns: [
      col("class", "class", "text"),
      col("before", `incidents ${was}`),
      col("now", "incidents now"),
      col("change", "change"),
      col("direction", "direction", "text"),
      col("shareBefore", "share before %", "percent"),
      col("shareNow", "share now %", "percent"),
      col("resolveBefore", "median time to resolve before", "minutes"),
      col("resolveNow", "median time to resolve now", "minutes"),
      col("resolveDirection", "time to resolve", "text"),
    ],
    rows,
  };
}
