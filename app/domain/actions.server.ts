import { and, asc, eq, isNotNull, isNull, lt, sql } from "drizzle-orm";
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

export const ACTIONS_PAGE_SIZE = 100;

/** How many action items are open and how many of those are overdue: two range counts on action_items_status_due_idx. */
export function countOpenActionItems(db: Db, now = Date.now()): { open: number; overdue: number } {
  return db.get(sql`select (select count(*) from ${actionItems} where status = 'open') as open,
    (select count(*) from ${actionItems} where status = 'open' and due_at < ${now}) as overdue`);
}

/**
 * One page of open action items across incidents: dated ones by due date (so overdue first), then undated ones.
 * The two kinds are read apart so each follows action_items_status_due_idx and a page reads only its own rows.
 */
export function listOpenActionItems(db: Db, opts: { overdueOnly?: boolean; now?: number; page?: number; pageSize?: number } = {}) {
  const now = opts.now ?? Date.now();
  const pageSize = opts.pageSize ?? ACTIONS_PAGE_SIZE;
  const offset = ((opts.page ?? 1) - 1) * pageSize;
  const open = () =>
    db
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
      .innerJoin(incidents, eq(incidents.id, actionItems.incidentId));
  // One row past the page says whether there is a next one.
  const items = open()
    .where(and(eq(actionItems.status, "open"), opts.overdueOnly ? lt(actionItems.dueAt, now) : isNotNull(actionItems.dueAt)))
    .orderBy(asc(actionItems.dueAt), asc(actionItems.id))
    .limit(pageSize + 1)
    .offset(offset)
    .all();
  if (!opts.overdueOnly && items.length <= pageSize) {
    const dated = db.get<{ n: number }>(sql`select count(*) as n from ${actionItems} where status = 'open' and due_at is not null`).n;
    items.push(
      ...open()
        .where(and(eq(actionItems.status, "open"), isNull(actionItems.dueAt)))
        .orderBy(asc(actionItems.id))
        .limit(pageSize + 1 - items.length)
        .offset(Math.max(0, offset - dated))
        .all(),
    );
  }
  return { items: items.slice(0, pageSize), hasMore: items.length > pageSize };
}
