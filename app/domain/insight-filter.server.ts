import { z } from "zod";
import { SEVERITIES } from "../../db/schema";
import { DAY_MS } from "../utils/dates";

/** Insights filters from the URL, their checks, the range they cover and the periods (bins) of that range. */

/** Dates a range may start or end on; outside them a year is a typo (0001, 9999), not a period anyone reviews. */
export const EARLIEST_DATE = "1970-01-01";
export const LATEST_DATE = "2100-12-31";

const paramsSchema = z.object({
  range: z.enum(["", "all"], { message: 'range must be "all" or left out' }),
  from: z.string(),
  to: z.string(),
  team: z.string().trim().max(100, { message: "team is longer than 100 characters" }),
  model: z.string().trim().max(100, { message: "model is longer than 100 characters" }),
  severity: z.array(z.enum(SEVERITIES, { message: `severity must be one of ${SEVERITIES.join(", ")}` })),
  family: z.enum(["", "ml", "non-ml"], { message: 'family must be "ml" or "non-ml"' }),
  suggested: z.enum(["", "include"], { message: 'suggested must be "include" or left out' }),
});

/** What the URL asked for, checked; `from`/`to` are the dates given ("" when left out). */
export type InsightQuery = z.infer<typeof paramsSchema>;

/** A query with its range settled: `from`/`to` are inclusive UTC dates. */
export type InsightFilter = Omit<InsightQuery, "from" | "to" | "suggested"> & { from: string; to: string; includeSuggested: boolean };

export class FilterError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join(" "));
  }
}

/** "YYYY-MM-DD" that is a real calendar day between EARLIEST_DATE and LATEST_DATE, else what is wrong with it. */
export function dateProblem(name: string, value: string): string | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(value);
  if (!m) return `${name} "${value}" is not a date: use YYYY-MM-DD.`;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (mo < 1 || mo > 12 || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return `${name} ${value} is not a calendar date.`;
  if (value < EARLIEST_DATE || value > LATEST_DATE) return `${name} ${value} is outside ${EARLIEST_DATE} – ${LATEST_DATE}.`;
  return null;
}

/** Reads and checks the filters; throws FilterError listing every problem (nothing is silently replaced). */
export function parseInsightQuery(params: URLSearchParams): InsightQuery {
  const parsed = paramsSchema.safeParse({
    range: params.get("range") ?? "",
    from: params.get("from") ?? "",
    to: params.get("to") ?? "",
    team: params.get("team") ?? "",
    model: params.get("model") ?? "",
    severity: params.getAll("severity"),
    family: params.get("family") ?? "",
    suggested: params.get("suggested") ?? "",
  });
  if (!parsed.success) throw new FilterError([...new Set(parsed.error.issues.map((i) => i.message))]);
  const q = parsed.data;
  if (q.range === "all") return q;
  const problems = [q.from && dateProblem("from", q.from), q.to && dateProblem("to", q.to)].filter((p): p is string => Boolean(p));
  if (!problems.length && q.from && q.to && q.from > q.to) problems.push(`from ${q.from} is after to ${q.to}.`);
  if (problems.length) throw new FilterError(problems);
  return q;
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const clampDate = (d: string) => (d < EARLIEST_DATE ? EARLIEST_DATE : d > LATEST_DATE ? LATEST_DATE : d);

/**
 * Settles the range: "all" runs from the first incident's start to today (or the last start, if later); otherwise
 * the dates given, `to` defaulting to today and `from` to the first of the month a year before `to`'s next month.
 */
export function resolveRange(q: InsightQuery, now: number, span: { first: number | null; last: number | null }): InsightFilter {
  const { suggested, ...rest } = q;
  const today = isoDate(now);
  let from: string;
  let to: string;
  if (q.range === "all") {
    to = clampDate(span.last !== null && isoDate(span.last) > today ? isoDate(span.last) : today);
    from = span.first === null ? to : clampDate(isoDate(span.first));
    if (from > to) from = to;
  } else {
    to = q.to || (q.from && q.from > today ? q.from : today);
    const d = new Date(`${to}T00:00:00Z`);
    from = q.from || clampDate(isoDate(Date.UTC(d.getUTCFullYear() - 1, d.getUTCMonth() + 1, 1)));
  }
  return { ...rest, from, to, includeSuggested: suggested === "include" };
}

export const rangeStart = (f: Pick<InsightFilter, "from">) => Date.parse(`${f.from}T00:00:00Z`);
/** Exclusive end: the start of the day after `to`. */
export const rangeEnd = (f: Pick<InsightFilter, "to">) => Date.parse(`${f.to}T00:00:00Z`) + DAY_MS;

/** The range of the same length just before this one, for "then vs now". */
export function previousRange(f: InsightFilter): { from: string; to: string } {
  const days = Math.round((rangeEnd(f) - rangeStart(f)) / DAY_MS);
  return { from: isoDate(rangeStart(f) - days * DAY_MS), to: isoDate(rangeStart(f) - DAY_MS) };
}

export type Bin = "month" | "quarter" | "year";

/** Bins follow the range so bars stay readable: months up to two years, quarters up to eight, years beyond. */
export function binFor(f: Pick<InsightFilter, "from" | "to">): Bin {
  const days = (rangeEnd(f) - rangeStart(f)) / DAY_MS;
  return days <= 731 ? "month" : days <= 8 * 366 ? "quarter" : "year";
}

/** The coarser bin of the charts that compare shares (ML vs non-ML, repeats): a month holds too few incidents. */
export function coarseBin(bin: Bin): Bin {
  return bin === "month" ? "quarter" : bin;
}

/** One bar of a chart over time: its key ("2026-11", "2026-Q4", "2026"), its part of the range, partial or not. */
export type Period = { key: string; start: number; end: number; partial: string | null };

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const dayLabel = (ms: number) => {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
};

function binKey(start: Date, bin: Bin): string {
  const y = start.getUTCFullYear();
  if (bin === "year") return String(y);
  if (bin === "quarter") return `${y}-Q${Math.floor(start.getUTCMonth() / 3) + 1}`;
  return start.toISOString().slice(0, 7);
}

/**
 * The periods covering the range, empty ones included. A period the range cuts (it starts late, ends early or
 * runs to today) is partial, with what it covers: "to Nov 24", "from Dec 5", "Dec 5 – Dec 20".
 */
export function periodsOf(f: Pick<InsightFilter, "from" | "to">, bin: Bin): Period[] {
  const months = bin === "month" ? 1 : bin === "quarter" ? 3 : 12;
  const [lo, hi] = [rangeStart(f), rangeEnd(f)];
  const first = new Date(lo);
  const out: Period[] = [];
  const firstMonth = bin === "year" ? 0 : first.getUTCMonth() - (first.getUTCMonth() % months);
  for (let d = new Date(Date.UTC(first.getUTCFullYear(), firstMonth, 1)); d.getTime() < hi; ) {
    const next = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
    const [start, end] = [Math.max(lo, d.getTime()), Math.min(hi, next.getTime())];
    const cutStart = start > d.getTime();
    const cutEnd = end < next.getTime();
    const partial =
      cutStart && cutEnd ? `${dayLabel(start)} – ${dayLabel(end - DAY_MS)}` : cutStart ? `from ${dayLabel(start)}` : cutEnd ? `to ${dayLabel(end - DAY_MS)}` : null;
    out.push({ key: binKey(d, bin), start, end, partial });
    d = next;
  }
  return out;
}

/** The key of the coarser period a finer one falls in ("2026-11" → "2026-Q4" → "2026"). */
export function periodKeyIn(key: string, bin: Bin): string {
  const y = key.slice(0, 4);
  if (bin === "year") return y;
  if (bin === "quarter") return key.length === 7 && key[5] !== "Q" ? `${y}-Q${Math.floor((Number(key.slice(5, 7)) - 1) / 3) + 1}` : key;
  return key;
}
