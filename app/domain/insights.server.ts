import { sql } from "drizzle-orm";
import { cellText, num, sum } from "../utils/dataset";
import type { Db } from "../utils/db.server";
import { listTeams } from "./incidents.server";
import { type InsightDatasets, type InsightSummary, shapeInsights } from "./insight-datasets.server";
import { binFor, coarseBin, type InsightFilter, type InsightQuery, periodsOf, previousRange, rangeEnd, rangeStart, resolveRange } from "./insight-filter.server";
import { incidentSpan, readInsights } from "./insight-queries.server";

export { DATASET_IDS, type InsightDatasets } from "./insight-datasets.server";
export { FilterError, parseInsightQuery, type InsightFilter, type InsightQuery } from "./insight-filter.server";

export type Insights = { filter: InsightFilter; summary: InsightSummary; datasets: InsightDatasets };

/**
 * Every insights dataset for a checked query. The work is bounded whatever the range: at most 131 yearly periods
 * (1970–2100) times the top-level classes, each an index range count, read on worker threads.
 */
export async function insights(db: Db, q: InsightQuery, now = Date.now()): Promise<Insights> {
  const filter = resolveRange(q, now, q.range === "all" ? incidentSpan(db) : { first: null, last: null });
  const bin = binFor(filter);
  const periods = periodsOf(filter, bin);
  const coarse = periodsOf(filter, coarseBin(bin));
  const previous = previousRange(filter);
  const before = { key: "previous", start: rangeStart(previous), end: rangeEnd(previous), partial: null };
  const raw = await readInsights(db, filter, periods, before, now);
  return { filter, ...shapeInsights(raw, filter, { bin, periods, coarse, previous }) };
}

/** Teams and models for the filter pickers. */
export function filterOptions(db: Db) {
  return { teams: listTeams(db), models: db.all<{ name: string }>(sql`select name from models order by 1`).map((r) => r.name) };
}

const pct = (n: number, of: number) => (of ? `${Math.round((100 * n) / of)}%` : "0%");
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** What moved most against the previous period of the same length: the report opens with these. */
export function biggestChanges({ summary, datasets }: Insights, limit = 3): string[] {
  const d = datasets["then-vs-now"];
  const was = `${summary.previous.from} – ${summary.previous.to}`;
  if (sum(d, "before") === 0) return [`No incidents started in the previous period (${was}) to compare with.`];
  const moved = d.rows.filter((r) => num(r, "change") !== 0).slice(0, limit);
  if (!moved.length) return [`Every class had as many incidents as in the previous period (${was}).`];
  return moved.map((r) => {
    const change = num(r, "change");
    const resolve =
      r.resolveBefore !== null && r.resolveNow !== null
        ? `; median time to resolve ${cellText(d, r, "resolveBefore")} → ${cellText(d, r, "resolveNow")} (${r.resolveDirection})`
        : "";
    return (
      `${r.class}: ${num(r, "before")} → ${num(r, "now")} incidents (${change > 0 ? "up" : "down"} ${Math.abs(change)}; ` +
      `${cellText(d, r, "shareBefore")} → ${cellText(d, r, "shareNow")} of incidents)${resolve}.`
    );
  });
}

/** The short written summary of the report: totals, top classes, causes, repeats, detection, open work. */
export function reportSummary({ summary, datasets }: Insights): string[] {
  const { total, classified, suggestedLeftOut } = summary;
  if (!total) return ["No incidents started in this period."];
  const lines = [`${plural(total, "incident")} started in the period; ${classified} (${pct(classified, total)}) have a confirmed class.`];
  if (suggestedLeftOut) lines.push(`${plural(suggestedLeftOut, "incident")} with only a suggested class ${suggestedLeftOut === 1 ? "counts" : "count"} as unclassified here.`);
  const top = datasets.pareto.rows.slice(0, 3);
  if (top.length) {
    const n = top.reduce((s, r) => s + num(r, "incidents"), 0);
    lines.push(
      `Top ${top.length === 1 ? "class" : `${top.length} classes`}: ${top.map((r) => `${r.class} (${num(r, "incidents")}, ${pct(num(r, "incidents"), classified)})`).join("; ")} — together ${pct(n, classified)} of classified incidents.`,
    );
  }
  const [ml, nonMl] = [sum(datasets["ml-vs-non-ml"], "ml"), sum(datasets["ml-vs-non-ml"], "nonMl")];
  if (ml + nonMl) lines.push(`${pct(nonMl, ml + nonMl)} had a non-ML root cause and ${pct(ml, ml + nonMl)} an ML-specific one.`);
  const repeats = sum(datasets.repeats, "repeats");
  lines.push(`${plural(repeats, "incident")} (${pct(repeats, classified)} of classified) repeated a class seen on the same team or model in the previous 180 days.`);
  const detection = datasets.detection.rows;
  lines.push(`${pct(num(detection.find((r) => r.key === "alert") ?? {}, "incidents"), total)} were detected by alerts.`);
  const blind = datasets["blind-spots"].rows.find((r) => r.key !== "unclassified" && num(r, "noAlert") > 0);
  if (blind) lines.push(`Most often missed by alerts: ${blind.class} (${num(blind, "noAlert")} of ${num(blind, "incidents")} found another way).`);
  const overdue = sum(datasets["action-items"], "overdue");
  lines.push(`${plural(overdue, "action item")} from these incidents ${overdue === 1 ? "is" : "are"} overdue.`);
  return lines;
}
