import { and, asc, eq, lt, sql } from "drizzle-orm";
import { z } from "zod";
import { ACTION_KINDS, ACTION_STATUSES, actionItems, incidents } from "../../db/schema";
import type { Db } from "../utils/db.server";
import { utcTime } from "../utils/forms";
import { recordAudit, type Actor } from "./audit.server";

export const actionInputSchema = z.object({
  title: z.string().trim().min(3, "Describe the action (3+ characters).").max(300),
  owner: z.string().trim().max(100).default(""),
  dueAt: utcTime,
  kind: z.enum(ACTION_KINDS, { message: "Pick prevent, detect, mitigate or process." }),
});
export type ActionInput = z.infer<typeof actionInputSchema>;

export const actionStatusSchema = z.enum(ACTION_STATUSES, { message: "Unknown status." });

export function addActionItem(db: Db, incidentId: number, input: ActionInput, actor: Actor): number {
  return db.transaction((tx) => {
    if (!tx.select({ id: incidents.id }).from(incidents).where(eq(incidents.id, incidentId)).get()) {
      throw new Response("Incident not found", { status: 404 });
    }
    const row = tx.insert(actionItems).values({ incidentId, ...input }).returning({ id: actionItems.id }).get();
    recordAudit(tx, actor, "action.add", "incident", incidentId, { action: row.id, title: input.title });
    return row.id;
  });
}

export function setActionStatus(
  db: Db,
  incidentId: number,
  actionId: number,
  status: (typeof ACTION_STATUSES)[number],
  actor: Actor,
): void {
  db.transaction((tx) => {
    const cur = tx
      .select({ status: actionItems.status })
      .from(actionItems)
      .where(and(eq(actionItems.id, actionId), eq(actionItems.incidentId, incidentId)))
      .get();
    if (!cur) throw new Response("Action item not found", { status: 404 });
    if (cur.status === status) return;
    tx.update(actionItems)
      .set({ status, completedAt: status === "open" ? null : Date.now() })
      .where(eq(actionItems.id, actionId))
      .run();
    recordAudit(tx, actor, "action.status", "incident", incidentId, { action: actionId, from: cur.status, to: status });
  });
}

export function listActionItems(db: Db, incidentId: number) {
  return db
    .select()
    .from(actionItems)
    .where(eq(actionItems.incidentId, incidentId))
    .orderBy(asc(actionItems.status), asc(actionItems.dueAt), asc(actionItems.id))
    .all();
}

/** Open action items across incidents, overdue first, then by due date (undated last). */
export function listOpenActionItems(db: Db, opts: { overdueOnly?: boolean; now?: number } = {}) {
  const now = opts.now ?? Date.now();
  return db
    .select({
      id: actionItems.id,
      title: actionItems.title,
      owner: actionItems.owner,
      dueAt: actionItems.dueAt,
      kind: actionItems.kind,
      incidentId: incidents.id,
      incidentTitle: incidents.title,
      severity: incidents.severity,
      team: incidents.team,
      overdue: sql<number>`${actionItems.dueAt} is not null and ${actionItems.dueAt} < ${now}`.mapWith(Boolean),
    })
    .from(actionItems)
    .innerJoin(incidents, eq(incidents.id, actionItems.incidentId))
    .where(and(eq(actionItems.status, "open"), opts.overdueOnly ? lt(actionItems.dueAt, now) : undefined))
    .orderBy(sql`${actionItems.dueAt} is null`, asc(actionItems.dueAt), asc(actionItems.id))
    .limit(1000)
    .all();
}
