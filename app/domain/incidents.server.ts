import { and, desc, eq, gte, inArray, isNull, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import {
  DETECTION_SOURCES,
  INCIDENT_STATUSES,
  SEVERITIES,
  incidents,
  users,
  type Incident,
  type IncidentStatus,
} from "../../db/schema";
import type { Conn, Db } from "../utils/db.server";
import { DAY_MS } from "../utils/dates";
import { statusLabel } from "../utils/labels";
import { pageNumber, requiredUtcTime, text, utcTime } from "../utils/forms";
import { recordAudit, type Actor } from "./audit.server";
import { refreshRepeats, repeatAnchor } from "./repeats.server";
import { labelKey } from "./source-labels.server";
import { primaryClassIs } from "./taxonomy.server";

export const incidentInputSchema = z
  .object({
    title: z.string().trim().min(3, "Give the incident a title (3+ characters).").max(200),
    severity: z.enum(SEVERITIES, { message: "Pick a severity (SEV1–SEV4)." }),
    team: text(100),
    summary: text(5000),
    impact: text(5000),
    detectionSource: z
      .enum([...DETECTION_SOURCES, ""], { message: "Pick how it was detected." })
      .nullish()
      .transform((v) => v || null),
    startedAt: requiredUtcTime,
    detectedAt: utcTime,
    mitigatedAt: utcTime,
    resolvedAt: utcTime,
  })
  .superRefine((v, ctx) => {
    for (const p of milestoneOrderProblems(v)) ctx.addIssue({ code: "custom", path: [p.field], message: p.message });
  });
export type IncidentInput = z.infer<typeof incidentInputSchema>;

export const MILESTONES = ["detectedAt", "mitigatedAt", "resolvedAt"] as const;
export type Milestone = (typeof MILESTONES)[number];

/** Each milestone must not precede the one before it (else durations go negative); one problem per field. */
export function milestoneOrderProblems(v: { startedAt: number } & Record<Milestone, number | null>): { field: Milestone; message: string }[] {
  const out: { field: Milestone; message: string }[] = [];
  let last: { field: "startedAt" | Milestone; at: number } = { field: "startedAt", at: v.startedAt };
  for (const field of MILESTONES) {
    const at = v[field];
    if (at === null) continue;
    if (at < last.at) out.push({ field, message: `Must not be before ${label(last.field)}.` });
    last = { field, at };
  }
  return out;
}

/** The milestones an incident in `status` has passed, each of which needs a time. */
export function milestonesReached(status: IncidentStatus): Milestone[] {
  const rank = INCIDENT_STATUSES.indexOf(status);
  if (rank >= INCIDENT_STATUSES.indexOf("resolved")) return [...MILESTONES];
  if (status === "mitigated") return ["detectedAt", "mitigatedAt"];
  if (status === "investigating") return ["detectedAt"];
  return [];
}

/** Field errors for an edit that would clear a time the incident's status stands on (a reopen clears them). */
export function clearedMilestoneErrors(current: Incident, input: Record<Milestone, number | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of milestonesReached(current.status)) {
    if (current[m] !== null && input[m] === null) {
      out[m] = `The incident is ${statusLabel(current.status)}, so it keeps this time (reopen it to clear it).`;
    }
  }
  return out;
}

function label(field: string): string {
  return field.replace("At", "").replace("started", "the start") + (field === "startedAt" ? "" : " time");
}

export function createIncident(
  db: Db,
  input: IncidentInput,
  actor: Actor,
  extra: { status?: IncidentStatus; source?: "manual" | "webhook"; groupKey?: string | null } = {},
): number {
  return db.transaction((tx) => insertIncident(tx, input, actor, extra));
}

/** Inserts an incident inside the caller's transaction. */
export function insertIncident(
  tx: Conn,
  input: IncidentInput,
  actor: Actor,
  extra: { status?: IncidentStatus; source?: "manual" | "webhook"; groupKey?: string | null } = {},
): number {
  const row = tx
    .insert(incidents)
    .values({
      ...input,
      status: extra.status ?? "investigating",
      source: extra.source ?? "manual",
      groupKey: extra.groupKey ?? null,
      ownerId: actor.id,
    })
    .returning({ id: incidents.id })
    .get();
  recordAudit(tx, actor, "create", "incident", row.id, { title: input.title, severity: input.severity });
  return row.id;
}

export type SaveResult = { ok: true; version: number } | { ok: false; current: Incident };

/** Saves the structured fields if nobody saved since `expectedVersion`; otherwise returns the current row. */
export function updateIncident(db: Db, id: number, expectedVersion: number, input: IncidentInput, actor: Actor): SaveResult {
  return db.transaction((tx) => {
    const before = tx.select().from(incidents).where(eq(incidents.id, id)).get();
    if (!before) throw new Response("Incident not found", { status: 404 });
    if (before.version !== expectedVersion) return { ok: false as const, current: before };
    const anchorBefore = repeatAnchor(tx, id);
    tx.update(incidents)
      // Saving the form confirms the start time it showed (an import may only have suggested it).
      .set({ ...input, startedAtStatus: "confirmed", version: before.version + 1, updatedAt: Date.now() })
      .where(eq(incidents.id, id))
      .run();
    if (before.primaryClassId && (before.team !== input.team || before.startedAt !== input.startedAt)) {
      refreshRepeats(tx, [anchorBefore, repeatAnchor(tx, id)]);
    }
    recordAudit(tx, actor, "update", "incident", id, { changed: changedFields(before, input) });
    return { ok: true as const, version: before.version + 1 };
  });
}

function changedFields(before: Incident, after: IncidentInput): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const [k, v] of Object.entries(after)) {
    const old = before[k as keyof Incident];
    if (old !== v) out[k] = [old, v];
  }
  return out;
}

export function getIncident(db: Db, id: number) {
  return db
    .select({ incident: incidents, ownerEmail: users.email })
    .from(incidents)
    .leftJoin(users, eq(users.id, incidents.ownerId))
    .where(eq(incidents.id, id))
    .get();
}

/** Time to detect / mitigate / resolve, measured from the start. */
export function durations(i: Pick<Incident, "startedAt" | "detectedAt" | "mitigatedAt" | "resolvedAt">) {
  const since = (t: number | null) => (t === null ? null : t - i.startedAt);
  return { toDetect: since(i.detectedAt), toMitigate: since(i.mitigatedAt), toResolve: since(i.resolvedAt) };
}

export const incidentFilterSchema = z.object({
  status: z.array(z.enum(INCIDENT_STATUSES)).catch([]),
  severity: z.array(z.enum(SEVERITIES)).catch([]),
  team: z.string().trim().max(100).catch(""),
  from: utcTime.catch(null),
  to: utcTime.catch(null),
  q: z.string().trim().max(200).catch(""),
  /** A class id: a subclass, or a top-level class with its subclasses. */
  class: z.string().trim().regex(/^[a-z0-9.-]{0,100}$/).catch(""),
  family: z.enum(["ml", "non-ml"]).or(z.literal("")).catch(""),
  model: z.string().trim().max(200).catch(""),
  /** A label an import kept on the incident (compared as source-labels.server's labelKey). */
  label: z.string().trim().max(100).catch(""),
  unclassified: z.boolean().catch(false),
  page: pageNumber,
});
export type IncidentFilter = z.infer<typeof incidentFilterSchema>;

/** Reads filters from a URL; unknown or malformed values are dropped rather than failing the page. */
export function parseIncidentFilter(params: URLSearchParams): IncidentFilter {
  return incidentFilterSchema.parse({
    status: params.getAll("status"),
    severity: params.getAll("severity"),
    team: params.get("team") ?? "",
    from: params.get("from") ?? "",
    to: params.get("to") ?? "",
    q: params.get("q") ?? "",
    class: params.get("class") ?? "",
    family: params.get("family") ?? "",
    model: params.get("model") ?? "",
    label: params.get("label") ?? "",
    unclassified: ["1", "on", "true"].includes(params.get("unclassified") ?? ""),
    page: params.get("page") ?? 1,
  });
}

/** Turns free text into an FTS5 query of prefix terms, so user input can never be FTS syntax. */
export function ftsQuery(q: string): string | null {
  const terms = q.toLowerCase().match(/[\p{L}\p{N}_]+/gu);
  if (!terms?.length) return null;
  // Whole words, except the last, which may still be being typed.
  const words = terms.slice(0, 12);
  return words.map((t, i) => (i === words.length - 1 ? `"${t}"*` : `"${t}"`)).join(" ");
}

export const PAGE_SIZE = 50;
/** Counts stop here: past it the list says "10,000+", which keeps big result sets as fast as small ones. */
export const COUNT_CAP = 10_000;

/** Matching rows up to COUNT_CAP + 1, so callers can show an exact count or "10,000+". */
export function cappedCount(db: Db, from: SQL, where: SQL | undefined): number {
  return db.get<{ n: number }>(sql`select count(*) as n from (select 1 from ${from} ${where ? sql`where ${where}` : sql``} limit ${COUNT_CAP + 1})`)!.n;
}

export function listIncidents(db: Db, f: IncidentFilter) {
  const where: SQL[] = [];
  if (f.status.length) where.push(inArray(incidents.status, f.status));
  if (f.severity.length) where.push(inArray(incidents.severity, f.severity));
  if (f.team) where.push(eq(incidents.team, f.team));
  if (f.from !== null) where.push(gte(incidents.startedAt, f.from));
  // Dates are inclusive: "to" means through the end of that day.
  if (f.to !== null) where.push(lt(incidents.startedAt, f.to + DAY_MS));
  const match = ftsQuery(f.q);
  if (match) {
    // Source labels are searched too: "cascading" finds the incidents labelled cascading-failure. "+id", as for
    // the label and model filters below: a common word (a quarter of 100k incidents) otherwise had every match
    // looked up and sorted (85 ms), where reading in start order stops at the page (5 ms; a full scan at most).
    const key = labelKey(f.q);
    where.push(
      sql`(+${incidents.id} in (select rowid from incidents_fts where incidents_fts match ${match})
        or +${incidents.id} in (select incident_id from incident_source_labels where key >= ${key} and key < ${`${key}\uffff`}))`,
    );
  }
  if (f.class) where.push(primaryClassIs(f.class));
  if (f.family) where.push(eq(incidents.family, f.family));
  if (f.unclassified) where.push(isNull(incidents.primaryClassId));
  // "+id": the list is read in start order and each incident looked up in the (materialised) set, so a common model or
  // label costs a page, not a sort of all its incidents; the sets come from covering indexes alone.
  if (f.label) where.push(sql`+${incidents.id} in (select incident_id from incident_source_labels where key = ${labelKey(f.label)})`);
  if (f.model) {
    where.push(
      sql`+${incidents.id} in (select im.incident_id from incident_models im where im.model_version_id in
        (select mv.id from model_versions mv join models m on m.id = mv.model_id where m.name = ${f.model}))`,
    );
  }
  const cond = where.length ? and(...where) : undefined;
  const rows = db
    .select({
      id: incidents.id,
      title: incidents.title,
      status: incidents.status,
      severity: incidents.severity,
      team: incidents.team,
      startedAt: incidents.startedAt,
      detectedAt: incidents.detectedAt,
      resolvedAt: incidents.resolvedAt,
      source: incidents.source,
      primaryClassId: incidents.primaryClassId,
      classStatus: incidents.classStatus,
    })
    .from(incidents)
    .where(cond)
    .orderBy(desc(incidents.startedAt), desc(incidents.id))
    .limit(PAGE_SIZE)
    .offset((f.page - 1) * PAGE_SIZE)
    .all();
  return { rows, total: cappedCount(db, sql`${incidents}`, cond) };
}

/** Every team named on an incident, in order; read by skipping from one team to the next in incidents_team_started_idx. */
export function listTeams(db: Db): string[] {
  return db
    .all<{ team: string }>(
      sql`with recursive t(team) as (select min(team) from incidents where team > ''
        union all select (select min(team) from incidents where team > t.team) from t where t.team is not null)
      select team from t where team is not null`,
    )
    .map((r) => r.team);
}
