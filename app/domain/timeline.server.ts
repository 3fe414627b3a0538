import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { MANUAL_TIMELINE_KINDS, TIMELINE_KINDS, incidents, timelineEvents, users } from "../../db/schema";
import type { Conn, Db } from "../utils/db.server";
import { requiredUtcTime } from "../utils/forms";
import { recordAudit, type Actor } from "./audit.server";

export const timelineInputSchema = z.object({
  at: requiredUtcTime,
  kind: z.enum(MANUAL_TIMELINE_KINDS, { message: "Pick what kind of entry this is." }),
  body: z.string().trim().min(1, "Say what happened.").max(5000),
});
export type TimelineInput = z.infer<typeof timelineInputSchema>;

export function addTimelineEvent(
  db: Conn,
  incidentId: number,
  input: Omit<TimelineInput, "kind"> & { kind: (typeof TIMELINE_KINDS)[number]; alertId?: number | null },
  actor: Actor,
): number {
  // A savepoint when called inside the caller's transaction (webhook ingest), a transaction otherwise.
  return (db as Db).transaction((tx) => {
    if (!tx.select({ id: incidents.id }).from(incidents).where(eq(incidents.id, incidentId)).get()) {
      throw new Response("Incident not found", { status: 404 });
    }
    const row = tx
      .insert(timelineEvents)
      .values({ incidentId, ...input, authorId: actor.id })
      .returning({ id: timelineEvents.id })
      .get();
    recordAudit(tx, actor, "timeline.add", "incident", incidentId, { event: row.id, kind: input.kind });
    return row.id;
  });
}

/** A status entry records a status change and the times people confirmed with it: it is kept as written. */
function refuseStatusEntry(kind: string): void {
  if (kind === "status") throw new Response("A status entry records a status change; it cannot be edited or deleted.", { status: 400 });
}

/** Edits an entry's time, kind or text; the audit keeps what it said before. */
export function updateTimelineEvent(db: Db, incidentId: number, eventId: number, input: TimelineInput, actor: Actor): void {
  db.transaction((tx) => {
    const cur = getTimelineEvent(tx, incidentId, eventId);
    if (!cur) throw new Response("Timeline entry not found", { status: 404 });
    refuseStatusEntry(cur.kind);
    if (cur.at === input.at && cur.kind === input.kind && cur.body === input.body) return;
    tx.update(timelineEvents).set(input).where(eq(timelineEvents.id, eventId)).run();
    recordAudit(tx, actor, "timeline.edit", "incident", incidentId, { event: eventId, before: { at: cur.at, kind: cur.kind, body: cur.body }, after: input });
  });
}

export function deleteTimelineEvent(db: Db, incidentId: number, eventId: number, actor: Actor): void {
  db.transaction((tx) => {
    const cur = getTimelineEvent(tx, incidentId, eventId);
    if (!cur) throw new Response("Timeline entry not found", { status: 404 });
    refuseStatusEntry(cur.kind);
    const gone = tx
      .delete(timelineEvents)
      .where(and(eq(timelineEvents.id, eventId), eq(timelineEvents.incidentId, incidentId)))
      .returning({ at: timelineEvents.at, kind: timelineEvents.kind, body: timelineEvents.body })
      .get();
    if (!gone) throw new Response("Timeline entry not found", { status: 404 });
    recordAudit(tx, actor, "timeline.delete", "incident", incidentId, { event: eventId, at: gone.at, kind: gone.kind, body: gone.body });
  });
}

export function getTimelineEvent(db: Conn, incidentId: number, eventId: number) {
  return db
    .select({ id: timelineEvents.id, at: timelineEvents.at, kind: timelineEvents.kind, body: timelineEvents.body })
    .from(timelineEvents)
    .where(and(eq(timelineEvents.id, eventId), eq(timelineEvents.incidentId, incidentId)))
    .get();
}

export function listTimeline(db: Db, incidentId: number) {
  return db
    .select({
      id: timelineEvents.id,
      at: timelineEvents.at,
      kind: timelineEvents.kind,
      body: timelineEvents.body,
      alertId: timelineEvents.alertId,
      author: users.email,
    })
    .from(timelineEvents)
    .leftJoin(users, eq(users.id, timelineEvents.authorId))
    .where(eq(timelineEvents.incidentId, incidentId))
    .orderBy(asc(timelineEvents.at), asc(timelineEvents.id))
    .all();
}
