import { and, desc, eq, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
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
import { pageNumber, requiredUtcTime, text, utcTime } from "../utils/forms";
import { recordAudit, type Actor } from "./audit.server";
import { refreshRepeats, repeatAnchor } from "./repeats.server";
import { reviewApproval } from "./reviews.server";

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
    // Each milestone must not precede the one before it, else durations go negative.
    const order = [
      ["startedAt", v.startedAt],
      ["detectedAt", v.detectedAt],
      ["mitigatedAt", v.mitigatedAt],
      ["resolvedAt", v.resolvedAt],
    ] as const;
    let last: readonly [string, number | null] = order[0];
    for (const cur of order.slice(1)) {
      if (cur[1] === null) continue;
      if (last[1] !== null && cur[1] < last[1]) {
        ctx.addIssue({ code: "custom", path: [cur[0]], message: `Must not be before ${label(last[0])}.` });
      }
      last = cur;
    }
  });
export type IncidentInput = z.infer<typeof incidentInputSchema>;

function label(field: string): string {
  return field.replace("At", "").replace("started", "the start") + (field === "startedAt" ? "" : " time");
}

/** Allowed moves: forward along the lifecycle (skipping is fine), or back to investigating to reopen. */
export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  const i = INCIDENT_STATUSES.indexOf(from);
  const j = INCIDENT_STATUSES.indexOf(to);
  if (j > i) return true;
  return to === "investigating" && i > j;
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
      .set({ ...input, version: before.version + 1, updatedAt: Date.now() })
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

export class TransitionError extends Error {}

/** Moves an incident along its lifecycle, stamping mitigated/resolved times that were left empty. */
export function changeStatus(db: Db, id: number, to: IncidentStatus, actor: Actor, at = Date.now()): void {
  db.transaction((tx) => {
    const cur = tx.select().from(incidents).where(eq(incidents.id, id)).get();
    if (!cur) throw new Response("Incident not found", { status: 404 });
    if (cur.status === to) return;
    if (!canTransition(cur.status, to)) {
      throw new TransitionError(`An incident cannot go from ${cur.status} to ${to}.`);
    }
    if (cur.status === "in_review" && to === "closed") {
      const approval = reviewApproval(tx, id);
      if (!approval.ok) throw new TransitionError(`Not closed: ${approval.reason}`);
    }
    const rank = INCIDENT_STATUSES.indexOf(to);
    const set: Partial<Incident> = { status: to, version: cur.version + 1, updatedAt: Date.now() };
    if (to === "investigating" && INCIDENT_STATUSES.indexOf(cur.status) > rank) {
      // Reopened: it is neither mitigated nor resolved any more (the audit entry keeps the old times).
      set.mitigatedAt = null;
      set.resolvedAt = null;
    } else {
      // A stamp never precedes a milestone already recorded, so the times stay in order.
      let floor = cur.startedAt;
      const stamp = (existing: number | null, reachedAt: IncidentStatus): number | null => {
        const value = existing ?? (rank >= INCIDENT_STATUSES.indexOf(reachedAt) ? Math.max(floor, at) : null);
        if (value !== null) floor = Math.max(floor, value);
        return value;
      };
      set.detectedAt = stamp(cur.detectedAt, "investigating");
      set.mitigatedAt = stamp(cur.mitigatedAt, "mitigated");
      set.resolvedAt = stamp(cur.resolvedAt, "resolved");
    }
    tx.update(incidents).set(set).where(eq(incidents.id, id)).run();
    recordAudit(tx, actor, "status", "incident", id, {
      from: cur.status,
      to,
      before: { detectedAt: cur.detectedAt, mitigatedAt: cur.mitigatedAt, resolvedAt: cur.resolvedAt },
      after: { detectedAt: set.detectedAt, mitigatedAt: set.mitigatedAt, resolvedAt: set.resolvedAt },
    });
  });
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
  if (match) where.push(sql`${incidents.id} in (select rowid from incidents_fts where incidents_fts match ${match})`);
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
