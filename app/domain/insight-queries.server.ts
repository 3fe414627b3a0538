import { sql, type SQL } from "drizzle-orm";
import { readInParallel } from "../../db/readers";
import type { Db } from "../utils/db.server";
import { alertRules } from "./alert-queries.server";
import { type InsightFilter, type Period, rangeEnd, rangeStart } from "./insight-filter.server";

/**
 * The SQL behind the insights: every aggregate reads incidents_class_insights_idx (class, then start time, covering
 * every filtered column), and the heavy ones run at once on reader threads (db/readers.ts), off the request thread.
 */

/** The counts of one cell (a period and a top-level class), for incidents of one class status. */
export type CellCounts = { n: number; repeats: number; alert: number; people: number; test: number; other: number };
/** Detection sources grouped as the charts show them; "unknown" (not recorded) is n minus all of these. */
export const DETECTION_GROUPS = [
  { key: "alert", label: "Alerts", sources: ["alert"] },
  { key: "people", label: "People (user reports, dashboards)", sources: ["user_report", "dashboard"] },
  { key: "test", label: "Tests", sources: ["test"] },
  { key: "other", label: "Other (audits, anything else)", sources: ["other"] },
] as const;

/**
 * Incidents of one period and top-level class (null: no class), split by class status: `confirmed` (or no class)
 * and `suggested` (the classifier's guess, not yet confirmed by a person).
 */
export type CubeRow = { period: string; top: string | null; family: "ml" | "non-ml" | null; confirmed: CellCounts; suggested: CellCounts };

const COUNT_FIELDS = ["n", "repeats", ...DETECTION_GROUPS.map((g) => g.key)] as const;

/** The filter conditions other than the time range and class status, each prefixed by "and" (alias i). */
function conditions(f: InsightFilter): SQL {
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

type Span = { from: number; to: number };
const spanOf = (f: InsightFilter): Span => ({ from: rangeStart(f), to: rangeEnd(f) });

/** Incidents that count as classified: confirmed ones, and suggested ones when the filter includes them. */
function classified(f: InsightFilter): SQL {
  return f.includeSuggested ? sql`i.top_class_id is not null` : sql`i.class_status is 'confirmed'`;
}

/**
 * The filtered incidents of a span. With a family filter, an unconfirmed class is left out when suggestions are:
 * its family is only a guess.
 */
function filtered(f: InsightFilter, span: Span): SQL {
  const guessed = f.family && !f.includeSuggested ? sql` and i.class_status is 'confirmed'` : sql``;
  return sql`i.started_at >= ${span.from} and i.started_at < ${span.to}${conditions(f)}${guessed}`;
}

/**
 * The counts the incident charts share, one row per period and top-level class. Each cell is one range scan on
 * incidents_class_insights_idx (class, then start time) computing every count at once (FILTER clauses, returned
 * as a JSON array): a seek and a short scan with no sort, far cheaper than one GROUP BY over every incident.
 * The number of cells is bounded: periods (at most 131 years) times top-level classes.
 */
function cubeQuery(f: InsightFilter, periods: Period[]): SQL {
  const bounds = periods.map((p) => [p.key, p.start, p.end]);
  const counts = (status: SQL) => [
    sql`count(*) filter (where ${status})`,
    sql`count(*) filter (where ${status} and i.is_repeat)`,
    ...DETECTION_GROUPS.map((g) => sql`count(*) filter (where ${status} and i.detection_source in ${g.sources})`),
  ];
  const cells = [...counts(sql`i.class_status is not 'suggested'`), ...counts(sql`i.class_status is 'suggested'`)];
  return sql`select m.period as period, c.id as top, c.family as family,
      (select json_array(${sql.join(cells, sql`, `)}) from incidents i indexed by incidents_class_insights_idx
        where i.top_class_id is c.id and i.started_at >= m.s and i.started_at < m.e${conditions(f)}) as counts
    from (select value ->> 0 as period, value ->> 1 as s, value ->> 2 as e from json_each(${JSON.stringify(bounds)})) m,
      (select id, family from failure_classes where parent_id is null and kind = 'class' union all select null, null) c`;
}

type CubeSqlRow = { period: string; top: string | null; family: "ml" | "non-ml" | null; counts: string };

function cubeRows(rows: CubeSqlRow[]): CubeRow[] {
  const out: CubeRow[] = [];
  for (const r of rows) {
    const v = JSON.parse(r.counts) as number[];
    if (!v[0] && !v[COUNT_FIELDS.length]) continue;
    const pick = (at: number) => Object.fromEntries(COUNT_FIELDS.map((k, j) => [k, v[at + j]])) as CellCounts;
    out.push({ period: r.period, top: r.top, family: r.family, confirmed: pick(0), suggested: pick(COUNT_FIELDS.length) });
  }
  return out;
}

/** Five-number summary (min, quartiles, median, max) of one duration, and how many incidents it covers. */
export type Summary = { n: number; min: number; q1: number; median: number; q3: number; max: number };
export type DurationRow = { top: string; toDetect: Summary | null; toResolve: Summary | null };
type DurationSqlRow = { top: string; d_alert: number | null; d_other: number | null } & Record<string, number | null>;

/**
 * Time to detect and to resolve per top-level class of the classified incidents, as five-number summaries
 * (SQLite's percentile()), so charts draw distributions without shipping every incident; and, in the same scan,
 * the median time to detect of the incidents an alert caught and of those found another way.
 */
function durationQuery(f: InsightFilter, span: Span): SQL {
  const summary = (name: string) =>
    sql.raw(
      [
        `count(${name}) as ${name}_n`,
        `min(${name}) as ${name}_0`,
        `percentile(${name}, 25) as ${name}_25`,
        `median(${name}) as ${name}_50`,
        `percentile(${name}, 75) as ${name}_75`,
        `max(${name}) as ${name}_100`,
      ].join(", "),
    );
  return sql`select top, ${summary("d")}, ${summary("r")}, ${detectMedians}
    from (${durationsOf(f, span, classified(f))})
    group by top`;
}

/** The durations of the filtered incidents of a span that match `which`, by top-level class. */
function durationsOf(f: InsightFilter, span: Span, which: SQL): SQL {
  return sql`select i.top_class_id as top, i.detected_at - i.started_at as d, i.resolved_at - i.started_at as r, i.detection_source as src
    from incidents i indexed by incidents_class_insights_idx where ${filtered(f, span)} and ${which}`;
}

const detectMedians = sql.raw("median(d) filter (where src = 'alert') as d_alert, median(d) filter (where src <> 'alert') as d_other");

/** The same two medians for the incidents without a (counted) class: one scan, no grouping. */
function unclassifiedDetectQuery(f: InsightFilter, span: Span): SQL {
  return sql`select null as top, ${detectMedians} from (${durationsOf(f, span, sql`not (${classified(f)})`)})`;
}

/** Median time to resolve per class, for the previous period (then vs now needs nothing else from it). */
function resolveMedianQuery(f: InsightFilter, span: Span): SQL {
  return sql`select top, median(r) as median from (${durationsOf(f, span, classified(f))}) group by top`;
}

function durationRows(rows: DurationSqlRow[]): DurationRow[] {
  const pick = (r: DurationSqlRow, name: string): Summary | null =>
    r[`${name}_n`]
      ? { n: r[`${name}_n`]!, min: r[`${name}_0`]!, q1: r[`${name}_25`]!, median: r[`${name}_50`]!, q3: r[`${name}_75`]!, max: r[`${name}_100`]! }
      : null;
  return rows.map((r) => ({ top: r.top, toDetect: pick(r, "d"), toResolve: pick(r, "r") }));
}

/** Median time to detect per class (null: not classified), apart for incidents an alert caught and the others. */
export type DetectRow = { top: string | null; byAlert: boolean; median: number | null };
type DetectSqlRow = { top: string | null; d_alert: number | null; d_other: number | null };

function detectRows(rows: DetectSqlRow[]): DetectRow[] {
  return rows.flatMap((r) => [
    { top: r.top, byAlert: true, median: r.d_alert },
    { top: r.top, byAlert: false, median: r.d_other },
  ]);
}

export type ActionRow = { top: string | null; open: number; overdue: number; done: number; medianDays: number | null };

/**
 * Open and done action items of the filtered incidents per top-level class in one pass: a seek on
 * action_items_incident_idx (incident, status) per incident, grouped in index order (no sort). Items of incidents
 * that do not count as classified are counted apart (`_u`) for the unclassified row; its median needs its own scan
 * (medians do not add up).
 */
function actionsQuery(f: InsightFilter, span: Span, now: number): SQL {
  const counted = classified(f);
  const open = sql`a.status = 'open'`;
  const done = sql`a.status = 'done'`;
  const overdue = sql`a.status = 'open' and a.due_at < ${now}`;
  return sql`select i.top_class_id as top,
      count(*) filter (where ${counted} and ${open}) as open, count(*) filter (where ${counted} and ${overdue}) as overdue,
      count(*) filter (where ${counted} and ${done}) as done, ${daysToClose} filter (where ${counted} and ${done}) as medianMs,
      count(*) filter (where not (${counted}) and ${open}) as open_u, count(*) filter (where not (${counted}) and ${overdue}) as overdue_u,
      count(*) filter (where not (${counted}) and ${done}) as done_u
    from incidents i indexed by incidents_class_insights_idx join action_items a on a.incident_id = i.id and a.status in ('open', 'done')
    where ${filtered(f, span)} group by i.top_class_id`;
}

const daysToClose = sql.raw("median(a.completed_at - a.created_at)");

function unclassifiedDoneQuery(f: InsightFilter, span: Span): SQL {
  return sql`select ${daysToClose} as medianMs
    from incidents i indexed by incidents_class_insights_idx join action_items a on a.incident_id = i.id and a.status = 'done'
    where ${filtered(f, span)} and not (${classified(f)})`;
}

type ActionSqlRow = { top: string | null; open: number; overdue: number; done: number; medianMs: number | null; open_u: number; overdue_u: number; done_u: number };

function actionRows(counts: ActionSqlRow[], unclassifiedMedianMs: number | null): ActionRow[] {
  const rows = new Map<string | null, ActionRow>();
  const row = (top: string | null) => {
    let r = rows.get(top);
    if (!r) rows.set(top, (r = { top, open: 0, overdue: 0, done: 0, medianDays: null }));
    return r;
  };
  const days = (ms: number | null) => (ms === null ? null : ms / 86_400_000);
  for (const c of counts) {
    if (c.open || c.done) Object.assign(row(c.top), { open: c.open - c.overdue, overdue: c.overdue, done: c.done, medianDays: days(c.medianMs) });
    if (c.open_u || c.done_u) {
      const u = row(null);
      Object.assign(u, { open: u.open + c.open_u - c.overdue_u, overdue: u.overdue + c.overdue_u, done: u.done + c.done_u });
    }
  }
  if (rows.has(null)) row(null).medianDays = days(unclassifiedMedianMs);
  return [...rows.values()];
}

export type RuleRow = { rule: string; alerts: number; fires: number; real: number; precision: number };

/** Everything the insights need from the database, for a range and the same-length range before it. */
export type InsightsRaw = {
  cube: CubeRow[];
  previous: CubeRow[];
  durations: DurationRow[];
  /** Median time to resolve per class in the previous period. */
  previousResolve: { top: string; median: number | null }[];
  detect: DetectRow[];
  actions: ActionRow[];
  rules: RuleRow[];
  names: Map<string, string>;
};

/** Runs the insights queries: the scans in parallel on reader threads, the small reads here meanwhile. */
export async function readInsights(db: Db, f: InsightFilter, periods: Period[], previous: Period, now: number): Promise<InsightsRaw> {
  const span = spanOf(f);
  const before = { from: previous.start, to: previous.end };
  type Median = { top: string; median: number | null };
  // The previous period is one more cell per class in the same cube query.
  const scans = readInParallel<[ActionSqlRow[], DurationSqlRow[], CubeSqlRow[], Median[], DetectSqlRow[], { medianMs: number | null }[]]>(db, [
    actionsQuery(f, span, now),
    durationQuery(f, span),
    cubeQuery(f, [...periods, previous]),
    resolveMedianQuery(f, before),
    unclassifiedDetectQuery(f, span),
    unclassifiedDoneQuery(f, span),
  ]);
  const names = new Map(db.all<{ id: string; name: string }>(sql`select id, name from failure_classes where parent_id is null`).map((r) => [r.id, r.name]));
  const rules = alertRules(db, span).map(({ rule, alerts, fires, real, precision }) => ({ rule, alerts, fires, real, precision }));
  const [actions, durations, cells, previousResolve, unclassifiedDetect, unclassifiedDone] = await scans;
  const cube = cubeRows(cells);
  return {
    cube: cube.filter((r) => r.period !== previous.key),
    previous: cube.filter((r) => r.period === previous.key),
    durations: durationRows(durations),
    previousResolve,
    detect: detectRows([...durations, ...unclassifiedDetect]),
    actions: actionRows(actions, unclassifiedDone[0]?.medianMs ?? null),
    rules,
    names,
  };
}

/** The first and last incident start times (for "all time"): two seeks on incidents_started_idx. */
export function incidentSpan(db: Db): { first: number | null; last: number | null } {
  // Two subqueries: SQLite answers a lone min() or max() from the index, but not both in one select.
  return db.get<{ first: number | null; last: number | null }>(
    sql`select (select min(started_at) from incidents) as first, (select max(started_at) from incidents) as last`,
  )!;
}
