import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { SEVERITIES } from "../../db/schema";
import { DAY_MS } from "../utils/dates";
import type { Db } from "../utils/db.server";
import { readInParallel } from "../../db/readers";
import { alertRules } from "./alerts.server";
import { listTeams } from "./incidents.server";

export const insightFilterSchema = z.object({
  from: z.string().regex(/^\d{4}-\d\d-\d\d$/).catch(""),
  to: z.string().regex(/^\d{4}-\d\d-\d\d$/).catch(""),
  team: z.string().trim().max(100).catch(""),
  model: z.string().trim().max(100).catch(""),
  severity: z.array(z.enum(SEVERITIES)).catch([]),
  family: z.enum(["ml", "non-ml"]).or(z.literal("")).catch(""),
});
export type InsightFilter = z.infer<typeof insightFilterSchema>;

/** Filters from the URL; the range defaults to the last 12 months up to today (UTC). */
export function parseInsightFilter(params: URLSearchParams, now = Date.now()) {
  const f = insightFilterSchema.parse({
    from: params.get("from") ?? "",
    to: params.get("to") ?? "",
    team: params.get("team") ?? "",
    model: params.get("model") ?? "",
    severity: params.getAll("severity"),
    family: params.get("family") ?? "",
  });
  const today = new Date(now).toISOString().slice(0, 10);
  const to = f.to || today;
  const d = new Date(`${to}T00:00:00Z`);
  const from = f.from || new Date(Date.UTC(d.getUTCFullYear() - 1, d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
  return { ...f, from, to };
}

type Range = ReturnType<typeof parseInsightFilter>;

const rangeStart = (f: Range) => Date.parse(`${f.from}T00:00:00Z`);
const rangeEnd = (f: Range) => Date.parse(`${f.to}T00:00:00Z`) + DAY_MS;

/** The filter conditions other than the time range, each prefixed by "and" (alias i); all read from the covering indexes. */
function conditions(f: Range): SQL {
  const where: SQL[] = [];
  if (f.team) where.push(sql` and i.team = ${f.team}`);
  if (f.severity.length) where.push(sql` and i.severity in ${f.severity}`);
  if (f.family) where.push(sql` and i.family = ${f.family}`);
  if (f.model) {
    where.push(sql` and i.id in (select im.incident_id from incident_models im join model_versions mv on mv.id = im.model_version_id
      join models m on m.id = mv.model_id where m.name = ${f.model})`);
  }
  return sql.join(where);
}

/** The WHERE clause for the filtered incidents (alias i). */
function filtered(f: Range): SQL {
  return sql`i.started_at >= ${rangeStart(f)} and i.started_at < ${rangeEnd(f)}${conditions(f)}`;
}

export function quarterOf(month: string): string {
  return `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) + 2) / 3)}`;
}

/** Month keys ("YYYY-MM") and quarter keys ("YYYY-Qn") covering the range, so empty periods still show. */
export function periods(f: Range) {
  const months: string[] = [];
  const start = new Date(`${f.from}T00:00:00Z`);
  const end = new Date(`${f.to}T00:00:00Z`);
  for (let d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1)); d <= end; d.setUTCMonth(d.getUTCMonth() + 1)) {
    months.push(d.toISOString().slice(0, 7));
  }
  return { months, quarters: [...new Set(months.map(quarterOf))] };
}

const DETECTION_GROUPS = [
  { key: "alert", label: "Alerts", sources: ["alert"] },
  { key: "people", label: "People (user reports, dashboards)", sources: ["user_report", "dashboard"] },
  { key: "test", label: "Tests", sources: ["test"] },
] as const;
/** Incidents whose detection source is none of the groups above (other or not recorded). */
const OTHER_DETECTION = { key: "other", label: "Other or unknown" } as const;

type DetectionKey = (typeof DETECTION_GROUPS)[number]["key"];
/** Incidents of one month and top-level class (null: unclassified): all, repeats, and per detection group. */
export type CubeRow = { month: string; top: string | null; family: "ml" | "non-ml" | null; n: number; repeats: number } & Record<DetectionKey, number>;

/**
 * The counts the incident charts (classes per month, Pareto, ML vs non-ML, repeats, detection) share, one row per
 * month and top-level class. Each count is a range count on incidents_class_insights_idx (class, then start time):
 * a seek and a short scan with no sort, far cheaper than one GROUP BY over every incident in the range.
 * Assumes class rows are never deleted (content sync retires them), so every top_class_id has its key.
 */
function cubeQuery(f: Range): SQL {
  const { months } = periods(f);
  const bounds = months.map((m, k) => [
    m,
    Math.max(rangeStart(f), Date.parse(`${m}-01T00:00:00Z`)),
    k + 1 < months.length ? Date.parse(`${months[k + 1]}-01T00:00:00Z`) : rangeEnd(f),
  ]);
  const count = (extra: SQL = sql``) => sql`(select count(*) from incidents i indexed by incidents_class_insights_idx
    where i.top_class_id is c.id and i.started_at >= m.s and i.started_at < m.e${conditions(f)}${extra})`;
  const groups = DETECTION_GROUPS.map((g) => sql`, ${count(sql` and i.detection_source in ${g.sources}`)} as ${sql.identifier(g.key)}`);
  return sql`select m.month as month, c.id as top, c.family as family, ${count()} as n, ${count(sql` and i.is_repeat`)} as repeats${sql.join(groups)}
    from (select value ->> 0 as month, value ->> 1 as s, value ->> 2 as e from json_each(${JSON.stringify(bounds)})) m,
      (select id, family from failure_classes where parent_id is null and kind = 'class' union all select null, null) c`;
}

export type DurationRow = { top: string; detected: number; resolved: number; toDetect: number[]; toResolve: number[] };
type DurationSqlRow = { top: string; detected: number; resolved: number } & Record<string, number | null>;

/**
 * Time to detect and to resolve per top-level class as five-number summaries (min, quartiles, median, max;
 * SQLite's percentile()), so charts draw distributions and medians without shipping every incident.
 */
function durationQuery(f: Range): SQL {
  const summary = (name: string) =>
    sql.raw(
      [`min(${name}) as ${name}_0`, `percentile(${name}, 25) as ${name}_25`, `median(${name}) as ${name}_50`, `percentile(${name}, 75) as ${name}_75`, `max(${name}) as ${name}_100`].join(", "),
    );
  return sql`select top, count(d) as detected, count(r) as resolved, ${summary("d")}, ${summary("r")}
    from (select i.top_class_id as top, i.detected_at - i.started_at as d, i.resolved_at - i.started_at as r
      from incidents i indexed by incidents_class_insights_idx where ${filtered(f)} and i.top_class_id is not null)
    group by top`;
}

function durationRows(rows: DurationSqlRow[]): DurationRow[] {
  const pick = (r: DurationSqlRow, name: string) =>
    [0, 25, 50, 75, 100].map((q) => r[`${name}_${q}`]).filter((v): v is number => typeof v === "number");
  return rows.map((r) => ({ top: r.top, detected: r.detected, resolved: r.resolved, toDetect: pick(r, "d"), toResolve: pick(r, "r") }));
}

export type ActionRow = { top: string | null; open: number; overdue: number; done: number; medianDays: number | null };

/**
 * Open action items of the filtered incidents per top-level class, and how many of them are overdue. Open and done
 * items are separate queries, each a seek on action_items_incident_idx (incident, status), so they run in parallel.
 */
function openActionsQuery(f: Range, now: number): SQL {
  return sql`select i.top_class_id as top, count(*) as open, total(a.due_at < ${now}) as overdue
    from incidents i indexed by incidents_class_insights_idx join action_items a on a.incident_id = i.id and a.status = 'open'
    where ${filtered(f)} group by 1`;
}

/** Done action items of the filtered incidents per top-level class, with the median time from creation to done. */
function doneActionsQuery(f: Range): SQL {
  return sql`select i.top_class_id as top, count(*) as done, median(a.completed_at - a.created_at) as medianMs
    from incidents i indexed by incidents_class_insights_idx join action_items a on a.incident_id = i.id and a.status = 'done'
    where ${filtered(f)} group by 1`;
}

type OpenRow = { top: string | null; open: number; overdue: number };
type DoneRow = { top: string | null; done: number; medianMs: number | null };

function actionRows(open: OpenRow[], done: DoneRow[]): ActionRow[] {
  const rows = new Map<string | null, ActionRow>();
  const row = (top: string | null) => {
    let r = rows.get(top);
    if (!r) rows.set(top, (r = { top, open: 0, overdue: 0, done: 0, medianDays: null }));
    return r;
  };
  for (const o of open) Object.assign(row(o.top), { open: o.open - o.overdue, overdue: o.overdue });
  for (const d of done) Object.assign(row(d.top), { done: d.done, medianDays: d.medianMs === null ? null : d.medianMs / DAY_MS });
  return [...rows.values()];
}

export type Table = { columns: string[]; rows: (string | number)[][] };

const TOP_SERIES = 6;

export type InsightsRaw = {
  cube: CubeRow[];
  durations: DurationRow[];
  actions: ActionRow[];
  rules: { rule: string; alerts: number; fires: number; real: number; precision: number }[];
};

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Turns the aggregates into chart data and the table behind each chart (plain numbers and strings).
 * Pure, so the numbers can be checked against hand-computed ones.
 */
export function shapeInsights(raw: InsightsRaw, names: Map<string, string>, p: { months: string[]; quarters: string[] }) {
  const name = (top: string | null) => (top === null ? "Unclassified" : (names.get(top) ?? top));
  const sum = (rows: CubeRow[]) => rows.reduce((s, r) => s + r.n, 0);

  // 1. Per month, stacked by class: the biggest classes, then "Other", then "Unclassified".
  const totals = new Map<string | null, number>();
  for (const r of raw.cube) totals.set(r.top, (totals.get(r.top) ?? 0) + r.n);
  const ranked = [...totals].filter(([top]) => top !== null).sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])));
  const shown = ranked.slice(0, TOP_SERIES).map(([top]) => top as string);
  const seriesKey = (top: string | null) => (top === null ? "unclassified" : shown.includes(top) ? top : "other");
  const seriesKeys = [...shown, ...(ranked.length > TOP_SERIES ? ["other"] : []), ...(totals.has(null) ? ["unclassified"] : [])];
  const monthIndex = new Map(p.months.map((m, i) => [m, i]));
  const perMonth = new Map(seriesKeys.map((k) => [k, p.months.map(() => 0)]));
  for (const r of raw.cube) {
    const i = monthIndex.get(r.month);
    if (i !== undefined) perMonth.get(seriesKey(r.top))![i] += r.n;
  }
  const monthly = {
    periods: p.months,
    series: seriesKeys.map((k) => ({
      key: k,
      label: k === "other" ? "Other classes" : k === "unclassified" ? "Unclassified" : name(k),
      values: perMonth.get(k)!,
    })),
  };

  // 2. Pareto of classes, with repeats.
  const repeatsByTop = new Map<string, number>();
  for (const r of raw.cube) if (r.top !== null) repeatsByTop.set(r.top, (repeatsByTop.get(r.top) ?? 0) + r.repeats);
  const classifiedTotal = ranked.reduce((s, [, n]) => s + n, 0);
  let cumulative = 0;
  const pareto = ranked.map(([top, n]) => {
    cumulative += n;
    const repeats = repeatsByTop.get(top as string) ?? 0;
    return { key: top as string, label: name(top), count: n, repeats, cumulativeShare: classifiedTotal ? cumulative / classifiedTotal : 0, highlight: repeats > 0 };
  });

  // 3. ML-specific vs non-ML per quarter; 5. repeats per quarter.
  const quarterIndex = new Map(p.quarters.map((q, i) => [q, i]));
  const ml = p.quarters.map(() => 0);
  const nonMl = p.quarters.map(() => 0);
  const classifiedQ = p.quarters.map(() => 0);
  const repeatsQ = p.quarters.map(() => 0);
  for (const r of raw.cube) {
    const i = quarterIndex.get(quarterOf(r.month));
    if (i === undefined || r.top === null) continue;
    (r.family === "ml" ? ml : nonMl)[i] += r.n;
    classifiedQ[i] += r.n;
    repeatsQ[i] += r.repeats;
  }
  const repeatShare = classifiedQ.map((n, i) => (n ? repeatsQ[i] / n : 0));

  // 4. Time to detect / resolve per class.
  const byCount = [...raw.durations].sort((a, b) => (totals.get(b.top) ?? 0) - (totals.get(a.top) ?? 0));
  const durationGroups = (pick: "toDetect" | "toResolve") =>
    byCount.filter((d) => d[pick].length).map((d) => ({ key: d.top, label: name(d.top), values: d[pick] }));

  // 6. Action items per class.
  const actions = [...raw.actions]
    .sort((a, b) => b.open + b.overdue - (a.open + a.overdue) || name(a.top).localeCompare(name(b.top)))
    .map((a) => ({ key: a.top ?? "unclassified", label: name(a.top), open: a.open, overdue: a.overdue, done: a.done, medianDays: a.medianDays === null ? null : round(a.medianDays) }));

  // 7. Alert rules by precision, and how incidents were detected.
  const rules = raw.rules.slice(0, 15).map((r) => ({ rule: r.rule, precision: r.precision, fires: r.fires, alerts: r.alerts, real: r.real }));
  const detection: { key: string; label: string; value: number }[] = DETECTION_GROUPS.map((g) => ({ key: g.key, label: g.label, value: raw.cube.reduce((s, r) => s + r[g.key], 0) }));
  detection.push({ ...OTHER_DETECTION, value: sum(raw.cube) - detection.reduce((s, d) => s + d.value, 0) });

  const minutes = (ms: number | undefined) => (ms === undefined ? "" : round(ms / 60_000));
  const tables: Record<string, Table> = {
    "classes-by-month": {
      columns: ["month", ...monthly.series.map((s) => s.label)],
      rows: p.months.map((m, i) => [m, ...monthly.series.map((s) => s.values[i])]),
    },
    pareto: {
      columns: ["class", "incidents", "repeats", "cumulative share %"],
      rows: pareto.map((x) => [x.label, x.count, x.repeats, round(x.cumulativeShare * 100)]),
    },
    "ml-vs-non-ml": { columns: ["quarter", "ML-specific", "non-ML"], rows: p.quarters.map((q, i) => [q, ml[i], nonMl[i]]) },
    "time-to-detect-resolve": {
      columns: ["class", "detected", "median minutes to detect", "quartiles to detect", "resolved", "median minutes to resolve", "quartiles to resolve"],
      rows: byCount.map((d) => [
        name(d.top),
        d.detected,
        minutes(d.toDetect[2]),
        d.toDetect.length ? `${minutes(d.toDetect[1])}–${minutes(d.toDetect[3])}` : "",
        d.resolved,
        minutes(d.toResolve[2]),
        d.toResolve.length ? `${minutes(d.toResolve[1])}–${minutes(d.toResolve[3])}` : "",
      ]),
    },
    repeats: {
      columns: ["quarter", "classified incidents", "repeats", "repeat share %"],
      rows: p.quarters.map((q, i) => [q, classifiedQ[i], repeatsQ[i], round(repeatShare[i] * 100)]),
    },
    "action-items": {
      columns: ["class", "open", "overdue", "done", "median days to close"],
      rows: actions.map((a) => [a.label, a.open, a.overdue, a.done, a.medianDays ?? ""]),
    },
    "alert-rules": {
      columns: ["rule", "alerts", "fires", "led to an incident", "precision %"],
      rows: rules.map((r) => [r.rule, r.alerts, r.fires, r.real, round(r.precision * 100)]),
    },
    detection: { columns: ["detected by", "incidents"], rows: detection.map((d) => [d.label, d.value]) },
  };

  return {
    total: sum(raw.cube),
    classified: classifiedTotal,
    monthly,
    pareto,
    family: { periods: p.quarters, ml, nonMl },
    repeats: { periods: p.quarters, shares: repeatShare, counts: repeatsQ },
    durations: { toDetect: durationGroups("toDetect"), toResolve: durationGroups("toResolve") },
    actions,
    rules,
    detection,
    tables,
  };
}

export type Insights = ReturnType<typeof shapeInsights>;

/** Every insights aggregate for a filter, shaped for charts and tables; the four scans run in parallel. */
export async function insights(db: Db, f: Range, now = Date.now()): Promise<Insights> {
  const scans = readInParallel<[DoneRow[], DurationSqlRow[], OpenRow[], CubeRow[]]>(db, [
    doneActionsQuery(f),
    durationQuery(f),
    openActionsQuery(f, now),
    cubeQuery(f),
  ]);
  // The small reads run here while the workers scan.
  const names = new Map(db.all<{ id: string; name: string }>(sql`select id, name from failure_classes where parent_id is null`).map((r) => [r.id, r.name]));
  const rules = alertRules(db, { from: rangeStart(f), to: rangeEnd(f) });
  const [done, durations, open, cube] = await scans;
  return shapeInsights({ cube: cube.filter((r) => r.n > 0), durations: durationRows(durations), actions: actionRows(open, done), rules }, names, periods(f));
}

/** A table as CSV (RFC 4180 quoting; text that a spreadsheet would run as a formula is prefixed with '). */
export function toCsv(t: Table): string {
  const cell = (v: string | number) => {
    if (typeof v === "number") return String(v);
    const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  return [t.columns, ...t.rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

/** Teams and models for the filter pickers. */
export function filterOptions(db: Db) {
  return { teams: listTeams(db), models: db.all<{ name: string }>(sql`select name from models order by 1`).map((r) => r.name) };
}

/** The short written summary at the top of the quarterly report: top classes, repeats, detection, open work. */
export function reportSummary(data: Insights, overdueActions: number): string[] {
  const pct = (n: number, of: number) => (of ? `${Math.round((100 * n) / of)}%` : "0%");
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
  const lines: string[] = [];
  if (!data.total) return ["No incidents started in this period."];
  lines.push(`${count(data.total, "incident")} started in the period; ${data.classified} (${pct(data.classified, data.total)}) are classified.`);
  const top = data.pareto.slice(0, 3);
  if (top.length) {
    lines.push(
      `Top ${top.length === 1 ? "class" : `${top.length} classes`}: ${top.map((c) => `${c.label} (${c.count}, ${pct(c.count, data.classified)})`).join("; ")} — together ${pct(top.reduce((s, c) => s + c.count, 0), data.classified)} of classified incidents.`,
    );
  }
  const ml = data.family.ml.reduce((s, n) => s + n, 0);
  const nonMl = data.family.nonMl.reduce((s, n) => s + n, 0);
  if (ml + nonMl) lines.push(`${pct(nonMl, ml + nonMl)} had a non-ML root cause and ${pct(ml, ml + nonMl)} an ML-specific one.`);
  const repeats = data.repeats.counts.reduce((s, n) => s + n, 0);
  lines.push(`${count(repeats, "incident")} (${pct(repeats, data.classified)} of classified) repeated a class seen on the same team or model in the previous 180 days.`);
  const byAlert = data.detection.find((d) => d.key === "alert")?.value ?? 0;
  lines.push(`${pct(byAlert, data.total)} were detected by alerts.`);
  lines.push(`${count(overdueActions, "action item")} from these incidents ${overdueActions === 1 ? "is" : "are"} overdue.`);
  return lines;
}
