import { eq } from "drizzle-orm";
import { INCIDENT_STATUSES, incidents, timelineEvents, type Incident, type IncidentStatus } from "../../db/schema";
import { formatUtc } from "../utils/dates";
import { statusLabel } from "../utils/labels";
import type { Db } from "../utils/db.server";
import { recordAudit, type Actor } from "./audit.server";
import { closingChecklist, type ClosingCheck } from "./closing-rules.server";
import { MILESTONES, milestoneOrderProblems, milestonesReached, type Milestone } from "./incidents.server";
import { listTimeline } from "./timeline.server";

// Times are facts people confirm: a status change records the times a person gave (or had recorded before),
// never the moment of the click.

export const MILESTONE_LABELS: Record<Milestone, string> = { detectedAt: "detected", mitigatedAt: "mitigated", resolvedAt: "resolved" };

/** Allowed moves: forward along the lifecycle (skipping is fine), or back to investigating to reopen. */
export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  const i = INCIDENT_STATUSES.indexOf(from);
  const j = INCIDENT_STATUSES.indexOf(to);
  if (j > i) return true;
  return to === "investigating" && i > j;
}

export function nextStatuses(from: IncidentStatus): IncidentStatus[] {
  return INCIDENT_STATUSES.filter((s) => s !== from && canTransition(from, s));
}

function isReopen(from: IncidentStatus, to: IncidentStatus): boolean {
  return to === "investigating" && INCIDENT_STATUSES.indexOf(from) > INCIDENT_STATUSES.indexOf(to);
}

/** The milestone a status is named after (its timeline entry is dated by it), if any. */
function ownMilestone(status: IncidentStatus): Milestone | null {
  return status === "investigating" ? "detectedAt" : status === "mitigated" ? "mitigatedAt" : status === "resolved" ? "resolvedAt" : null;
}

/** The times a move to `to` asks for: every milestone it reaches (a reopen asks none). */
export function milestonesAsked(from: IncidentStatus, to: IncidentStatus): Milestone[] {
  return isReopen(from, to) ? [] : milestonesReached(to);
}

type TimelineEntry = { at: number; kind: string; body: string };

// What a timeline entry says when it records a milestone. Detection is the first sign, so the earliest entry
// counts; mitigation and resolution are the last word, so the latest does. Status entries are skipped: they
// record what people already confirmed, and a reopen cleared those times.
const SUGGESTERS: Record<Milestone, { matches: (e: TimelineEntry) => boolean; pick: "earliest" | "latest" }> = {
  detectedAt: { matches: (e) => e.kind === "alert" || /\b(detect|notic|paged|alerted|reported)/i.test(e.body), pick: "earliest" },
  mitigatedAt: {
    matches: (e) => e.kind === "rollback" || /\b(mitigat|rolled back|roll(ed)? ?back|fail(ed)? ?over|workaround)/i.test(e.body),
    pick: "latest",
  },
  resolvedAt: { matches: (e) => /\b(resolv|fixed|recovered|back to normal)/i.test(e.body), pick: "latest" },
};

/**
 * The timeline entry that best suggests when a milestone happened, between `floor` and `now`. People enter
 * timeline times to the minute, so an entry in the same minute as `floor` (an alert's detection to the second)
 * still counts.
 */
export function suggestFromTimeline(milestone: Milestone, timeline: TimelineEntry[], floor: number, now: number): TimelineEntry | null {
  const s = SUGGESTERS[milestone];
  const from = floor - (floor % 60_000);
  const found = timeline.filter((e) => e.kind !== "status" && e.at >= from && e.at <= now && s.matches(e));
  if (!found.length) return null;
  return s.pick === "earliest" ? found[0] : found[found.length - 1];
}

export type AskedTime = {
  name: Milestone;
  label: string;
  value: number | null;
  /** Why the field holds what it holds: recorded before, suggested by a timeline entry, the current time, or blank. */
  source: { kind: "recorded" } | { kind: "timeline"; at: number; body: string } | { kind: "now" } | { kind: "none" };
};

export type StatusForm = { from: IncidentStatus; to: IncidentStatus; asked: AskedTime[]; closing: ClosingCheck[] | null };

/**
 * What moving `incident` to `to` asks: each time it needs, prefilled with the recorded value, else the matching
 * timeline entry, else (for the status's own milestone, or the last one asked) now; earlier gaps stay blank so a
 * person fills them rather than confirming one moment for all. For closing, the checklist of closing rules.
 */
export function statusForm(db: Db, incident: Incident, to: IncidentStatus, now = Date.now()): StatusForm {
  const timeline = listTimeline(db, incident.id);
  const names = milestonesAsked(incident.status, to);
  const fallbackToNow = ownMilestone(to) ?? names[names.length - 1];
  let floor = incident.startedAt;
  const asked = names.map((name): AskedTime => {
    const label = MILESTONE_LABELS[name];
    const recorded = incident[name];
    let field: AskedTime;
    if (recorded !== null) field = { name, label, value: recorded, source: { kind: "recorded" } };
    else {
      const entry = suggestFromTimeline(name, timeline, floor, now);
      // Entered to the minute, an entry may fall just before the time it follows: never suggest earlier than that.
      if (entry) field = { name, label, value: Math.max(entry.at, floor), source: { kind: "timeline", at: entry.at, body: entry.body } };
      else if (name === fallbackToNow) field = { name, label, value: now, source: { kind: "now" } };
      else field = { name, label, value: null, source: { kind: "none" } };
    }
    if (field.value !== null) floor = Math.max(floor, field.value);
    return field;
  });
  return { from: incident.status, to, asked, closing: to === "closed" ? closingChecklist(db, incident) : null };
}

export type StatusProblem = { field: Milestone | "status"; message: string };

/** A refused status change, with every reason (field problems and unmet closing rules) at once. */
export class TransitionError extends Error {
  constructor(readonly problems: StatusProblem[]) {
    super(problems.map((p) => p.message).join(" "));
  }
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const p of this.problems) out[p.field] = out[p.field] ? `${out[p.field]} ${p.message}` : p.message;
    return out;
  }
}

export type StatusChange = {
  /** Times a person confirmed for this move; milestones left out keep their recorded times. */
  times?: Partial<Record<Milestone, number>>;
  note?: string;
  now?: number;
};

/**
 * Moves an incident along its lifecycle (page and API alike): every time the new status implies must be given or
 * already recorded, in order and not in the future; closing must pass the closing rules. Records a "status"
 * timeline entry. Throws TransitionError listing every problem; nothing is written then.
 */
export function changeStatus(db: Db, id: number, to: IncidentStatus, actor: Actor, change: StatusChange = {}): void {
  const now = change.now ?? Date.now();
  db.transaction((tx) => {
    const cur = tx.select().from(incidents).where(eq(incidents.id, id)).get();
    if (!cur) throw new Response("Incident not found", { status: 404 });
    if (cur.status === to) return;
    if (!canTransition(cur.status, to)) {
      throw new TransitionError([{ field: "status", message: `An incident cannot go from ${cur.status} to ${to}.` }]);
    }
    const problems: StatusProblem[] = [];
    const set: Partial<Incident> = { status: to, version: cur.version + 1, updatedAt: Date.now() };
    const reopen = isReopen(cur.status, to);
    if (reopen) {
      // Reopened: it is neither mitigated nor resolved any more (the timeline entry and audit keep the old times).
      set.mitigatedAt = null;
      set.resolvedAt = null;
    } else {
      const times = { startedAt: cur.startedAt, detectedAt: cur.detectedAt, mitigatedAt: cur.mitigatedAt, resolvedAt: cur.resolvedAt };
      for (const m of milestonesReached(to)) {
        times[m] = change.times?.[m] ?? cur[m];
        if (times[m] === null) problems.push({ field: m, message: `Say when it was ${MILESTONE_LABELS[m]}.` });
        else if (times[m]! > now) problems.push({ field: m, message: `The ${MILESTONE_LABELS[m]} time must not be in the future.` });
        else set[m] = times[m];
      }
      problems.push(...milestoneOrderProblems(times));
    }
    if (to === "closed") {
      // One problem per unmet rule, so a refusal lists each thing to fix.
      for (const c of closingChecklist(tx, cur)) if (!c.met) problems.push({ field: "status", message: `Cannot close: ${c.missing}.` });
    }
    if (problems.length) throw new TransitionError(problems);

    tx.update(incidents).set(set).where(eq(incidents.id, id)).run();
    const own = ownMilestone(to);
    const confirmed = milestonesReached(to)
      .filter((m) => !reopen && set[m] !== undefined)
      .map((m) => `${MILESTONE_LABELS[m]} ${formatUtc(set[m] as number)}`);
    const cleared = reopen
      ? MILESTONES.filter((m) => m !== "detectedAt" && cur[m] !== null).map((m) => `${MILESTONE_LABELS[m]} ${formatUtc(cur[m])}`)
      : [];
    const body = [
      `${statusLabel(cur.status)} → ${statusLabel(to)}${reopen ? " (reopened)" : ""}.`,
      confirmed.length ? `Times: ${confirmed.join(", ")}.` : "",
      cleared.length ? `Cleared: ${cleared.join(", ")}.` : "",
      change.note?.trim() ?? "",
    ]
      .filter(Boolean)
      .join(" ");
    const entry = tx
      .insert(timelineEvents)
      .values({ incidentId: id, at: !reopen && own ? (set[own] as number) : now, kind: "status", body, authorId: actor.id })
      .returning({ id: timelineEvents.id })
      .get();
    recordAudit(tx, actor, "status", "incident", id, {
      from: cur.status,
      to,
      event: entry.id,
      before: { detectedAt: cur.detectedAt, mitigatedAt: cur.mitigatedAt, resolvedAt: cur.resolvedAt },
      after: { detectedAt: set.detectedAt ?? cur.detectedAt, mitigatedAt: set.mitigatedAt === undefined ? cur.mitigatedAt : set.mitigatedAt, resolvedAt: set.resolvedAt === undefined ? cur.resolvedAt : set.resolvedAt },
    });
  });
}
