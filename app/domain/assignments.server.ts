import { and, asc, desc, eq, inArray, ne, or } from "drizzle-orm";
import { actionItems, incidents, reviewRequests, users } from "../../db/schema";
import type { Conn, Db } from "../utils/db.server";
import { recordAudit, type Actor } from "./audit.server";
import { changeStatus } from "./lifecycle.server";
import { enqueueNotice, eventKey } from "./notifications.server";

export const INCIDENT_ROLES = { owner: "owner", lead: "incident lead" } as const;
export type IncidentRole = keyof typeof INCIDENT_ROLES;

export class AssignmentError extends Error {}

/** Active people who can own, lead, review or do things (editors and admins). */
export function assignableUsers(db: Conn) {
  return db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(and(eq(users.disabled, false), ne(users.role, "viewer")))
    .orderBy(asc(users.name), asc(users.id))
    .all();
}

export function requireAssignable(tx: Conn, userId: number): { id: number; name: string; email: string } {
  const user = tx
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.disabled, false), ne(users.role, "viewer")))
    .get();
  if (!user) throw new AssignmentError("Pick an active editor or admin.");
  return user;
}

/** Makes `userId` (or nobody) the incident's owner or lead, and tells them. */
export function assignIncident(db: Conn, incidentId: number, role: IncidentRole, userId: number | null, actor: Actor): void {
  // A savepoint inside the caller's transaction, a transaction otherwise.
  (db as Db).transaction((tx) => {
    const column = role === "owner" ? incidents.ownerId : incidents.leadId;
    const cur = tx.select({ title: incidents.title, person: column, version: incidents.version }).from(incidents).where(eq(incidents.id, incidentId)).get();
    if (!cur) throw new Response("Incident not found", { status: 404 });
    if (cur.person === userId) return;
    const person = userId === null ? null : requireAssignable(tx, userId);
    tx.update(incidents)
      .set({ [role === "owner" ? "ownerId" : "leadId"]: userId, version: cur.version + 1, updatedAt: Date.now() })
      .where(eq(incidents.id, incidentId))
      .run();
    recordAudit(tx, actor, "assign", "incident", incidentId, { role, from: cur.person, to: userId, name: person?.name ?? null });
    if (person) {
      enqueueNotice(
        tx,
        {
          event: "assigned",
          key: eventKey("assigned", "incident", incidentId, role, person.id),
          subject: `${actor.label} made ${person.name} ${INCIDENT_ROLES[role]} of #${incidentId} ${cur.title}`,
          body: `${person.name} is now the ${INCIDENT_ROLES[role]} of incident #${incidentId} "${cur.title}".`,
          link: `/incidents/${incidentId}`,
          to: [person.id],
        },
        actor,
      );
    }
  });
}

/** Claiming a draft: the actor becomes its owner, and it leaves draft for investigating. */
export function claimIncident(db: Db, incidentId: number, actor: Actor & { id: number }): void {
  db.transaction((tx) => {
    assignIncident(tx, incidentId, "owner", actor.id, actor);
    const cur = tx.select({ status: incidents.status }).from(incidents).where(eq(incidents.id, incidentId)).get();
    if (cur?.status === "draft") changeStatus(tx as unknown as Db, incidentId, "investigating", actor);
  });
}

/** Assigns an action item to a person (or nobody), and tells them. */
export function assignActionItem(tx: Conn, incidentId: number, actionId: number, userId: number | null, actor: Actor): void {
  const cur = tx
    .select({ title: actionItems.title, assigneeId: actionItems.assigneeId })
    .from(actionItems)
    .where(and(eq(actionItems.id, actionId), eq(actionItems.incidentId, incidentId)))
    .get();
  if (!cur) throw new Response("Action item not found", { status: 404 });
  if (cur.assigneeId === userId) return;
  const person = userId === null ? null : requireAssignable(tx, userId);
  tx.update(actionItems).set({ assigneeId: userId }).where(eq(actionItems.id, actionId)).run();
  recordAudit(tx, actor, "action.assign", "incident", incidentId, { action: actionId, title: cur.title, from: cur.assigneeId, to: userId, name: person?.name ?? null });
  if (person) {
    enqueueNotice(
      tx,
      {
        event: "assigned",
        key: eventKey("assigned", "action", actionId, person.id),
        subject: `${actor.label} assigned you an action item: ${cur.title}`,
        body: `"${cur.title}" on incident #${incidentId} is now assigned to ${person.name}.`,
        link: `/incidents/${incidentId}#actions`,
        to: [person.id],
      },
      actor,
    );
  }
}

/** What is on one person's plate: incidents they own or lead (not closed), reviews asked of them, their open action items. */
export function myWork(db: Db, userId: number, now = Date.now()) {
  const mine = db
    .select({ id: incidents.id, title: incidents.title, status: incidents.status, severity: incidents.severity, startedAt: incidents.startedAt, ownerId: incidents.ownerId, leadId: incidents.leadId })
    .from(incidents)
    .where(and(or(eq(incidents.ownerId, userId), eq(incidents.leadId, userId)), ne(incidents.status, "closed")))
    .orderBy(desc(incidents.startedAt))
    .limit(200)
    .all()
    .map((i) => ({ ...i, roles: [i.ownerId === userId && "owner", i.leadId === userId && "lead"].filter(Boolean).join(", ") }));
  const reviews = db
    .select({ incidentId: incidents.id, title: incidents.title, status: incidents.status, requestedAt: reviewRequests.requestedAt, requestedBy: users.name })
    .from(reviewRequests)
    .innerJoin(incidents, eq(incidents.id, reviewRequests.incidentId))
    .leftJoin(users, eq(users.id, reviewRequests.requestedBy))
    .where(and(eq(reviewRequests.reviewerId, userId), eq(reviewRequests.state, "requested")))
    .orderBy(asc(reviewRequests.requestedAt))
    .all();
  const actions = db
    .select({ id: actionItems.id, title: actionItems.title, dueAt: actionItems.dueAt, kind: actionItems.kind, incidentId: incidents.id, incidentTitle: incidents.title })
    .from(actionItems)
    .innerJoin(incidents, eq(incidents.id, actionItems.incidentId))
    .where(and(eq(actionItems.assigneeId, userId), eq(actionItems.status, "open")))
    .orderBy(asc(actionItems.dueAt), asc(actionItems.id))
    .all()
    .map((a) => ({ ...a, overdue: a.dueAt !== null && a.dueAt < now }));
  return { incidents: mine, reviews, actions };
}

/** The owner and lead of an incident as people, and who may be picked for either. */
export function incidentPeople(db: Db, ownerId: number | null, leadId: number | null) {
  const names = userNames(db, [ownerId, leadId]);
  const person = (id: number | null) => (id === null ? null : { id, name: names.get(id) ?? "unknown" });
  return { owner: person(ownerId), lead: person(leadId), people: assignableUsers(db).map((u) => ({ id: u.id, name: u.name })) };
}

/** Display names for a set of user ids (owner, lead, assignees on one page). */
export function userNames(db: Conn, ids: (number | null)[]): Map<number, string> {
  const wanted = [...new Set(ids.filter((i): i is number => i !== null))];
  if (!wanted.length) return new Map();
  return new Map(db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, wanted)).all().map((u) => [u.id, u.name]));
}
