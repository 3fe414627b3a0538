import { and, asc, count, eq, isNotNull, isNull, lt, sql } from "drizzle-orm";
import { z } from "zod";
import { ACTION_KINDS, ACTION_STATUSES, actionItems, incidents, users } from "../../db/schema";
import type { Db } from "../utils/db.server";
import { utcTime } from "../utils/forms";
import { assignActionItem, userNames } from "./assignments.server";
import { recordAudit, type Actor } from "./audit.server";

export const actionInputSchema = z.object({
  title: z.string().trim().min(3, "Describe the action (3+ characters).").max(300),
  owner: z.string().trim().max(100).default(""),
  assigneeId: z
    .string()
    .nullish()
    .transform((v) => (v ? Number(v) : null))
    .refine((v) => v === null || (Number.isSafeInteger(v) && v > 0), "Pick a person."),
  dueAt: utcTime,
  kind: z.enum(ACTION_KINDS, { message: "Pick prevent, detect, mitigate or process." }),
});
/** Imported and older callers name no person: `assigneeId` left out means nobody. */
export type ActionInput = Omit<z.infer<typeof actionInputSchema>, "assigneeId"> & { assigneeId?: number | null };

export const actionStatusSchema = z.enum(ACTION_STATUSES, { message: "Unknown status." });

export function addActionItem(db: Db, incidentId: number, input: ActionInput, actor: Actor): number {
  return db.transaction((tx) => {
    if (!tx.select({ id: incidents.id }).from(incidents).where(eq(incidents.id, incidentId)).get()) {
      throw new Response("Incident not found", { status: 404 });
    }
    const { assigneeId, ...fields } = input;
    const row = tx.insert(actionItems).values({ incidentId, ...fields }).returning({ id: actionItems.id }).get();
    recordAudit(tx, actor, "action.add", "incident", incidentId, { action: row.id, title: input.title });
    if (assigneeId) assignActionItem(tx, incidentId, row.id, assigneeId, actor);
    return row.id;
  });
}

/** Edits an action item; the audit keeps each changed field's old and new value. */
export function updateActionItem(db: Db, incidentId: number, actionId: number, input: ActionInput, actor: Actor): void {
  db.transaction((tx) => {
    const cur = tx.select().from(actionItems).where(and(eq(actionItems.id, actionId), eq(actionItems.incidentId, incidentId))).get();
    if (!cur) throw new Response("Action item not found", { status: 404 });
    const { assigneeId, ...fields } = input;
    const changed = Object.fromEntries(
      Object.entries(fields).filter(([k, v]) => cur[k as keyof typeof cur] !== v).map(([k, v]) => [k, [cur[k as keyof typeof cur], v]]),
    );
    if (Object.keys(changed).length) {
      tx.update(actionItems).set(fields).where(eq(actionItems.id, actionId)).run();
      recordAudit(tx, actor, "action.edit", "incident", incidentId, { action: actionId, title: input.title, changed });
    }
    assignActionItem(tx, incidentId, actionId, assigneeId ?? null, actor);
  });
}

/** Deletes an action item; the audit keeps the whole row so nothing is lost. */
export function deleteActionItem(db: Db, incidentId: number, actionId: number, actor: Actor): void {
  db.transaction((tx) => {
    const gone = tx.delete(actionItems).where(and(eq(actionItems.id, actionId), eq(actionItems.incidentId, incidentId))).returning().get();
    if (!gone) throw new Response("Action item not found", { status: 404 });
    recordAudit(tx, actor, "action.delete", "incident", incidentId, { action: actionId, title: gone.title, deleted: gone });
  });
}

export function getActionItem(db: Db, incidentId: number, actionId: number) {
  return db.select().from(actionItems).where(and(eq(actionItems.id, actionId), eq(actionItems.incidentId, incidentId))).get();
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

/** An incident's action items as its page shows them: the assignee's name, and whether an open one is overdue. */
export function actionItemRows(db: Db, incidentId: number, now = Date.now()) {
  const items = listActionItems(db, incidentId);
  const names = userNames(db, items.map((a) => a.assigneeId));
  return items.map((a) => ({
    id: a.id,
    title: a.title,
    kind: a.kind,
    owner: a.owner,
    assignee: a.assigneeId === null ? null : (names.get(a.assigneeId) ?? null),
    dueAt: a.dueAt,
    status: a.status,
    overdue: a.status === "open" && a.dueAt !== null && a.dueAt < now,
  }));
}

export const ACTIONS_PAGE_SIZE = 100;

/** How many action items are open and how many of those are overdue: two range counts on an index (per person when asked). */
export function countOpenActionItems(db: Db, now = Date.now(), assigneeId?: number): { open: number; overdue: number } {
  const mine = assigneeId === undefined ? sql`` : sql` and assignee_id = ${assigneeId}`;
  return db.get(sql`select (select count(*) from ${actionItems} where status = 'open'${mine}) as open,
    (select count(*) from ${actionItems} where status = 'open' and due_at < ${now}${mine}) as overdue`);
}

/**
 * One page of open action items across incidents: dated ones by due date (so overdue first), then undated ones.
 * The two kinds are read apart so each follows action_items_status_due_idx (action_items_assignee_idx for one
 * person) and a page reads only its own rows.
 */
export function listOpenActionItems(
  db: Db,
  opts: { overdueOnly?: boolean; assigneeId?: number; now?: number; page?: number; pageSize?: number } = {},
) {
  const now = opts.now ?? Date.now();
  const pageSize = opts.pageSize ?? ACTIONS_PAGE_SIZE;
  const offset = ((opts.page ?? 1) - 1) * pageSize;
  const mine = opts.assigneeId === undefined ? undefined : eq(actionItems.assigneeId, opts.assigneeId);
  const open = () =>
    db
      .select({
        id: actionItems.id,
        title: actionItems.title,
        owner: actionItems.owner,
        assignee: users.name,
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
      .leftJoin(users, eq(users.id, actionItems.assigneeId));
  // One row past the page says whether there is a next one.
  const items = open()
    .where(and(eq(actionItems.status, "open"), mine, opts.overdueOnly ? lt(actionItems.dueAt, now) : isNotNull(actionItems.dueAt)))
    .orderBy(asc(actionItems.dueAt), asc(actionItems.id))
    .limit(pageSize + 1)
    .offset(offset)
    .all();
  if (!opts.overdueOnly && items.length <= pageSize) {
    const dated = db.select({ n: count() }).from(actionItems).where(and(eq(actionItems.status, "open"), mine, isNotNull(actionItems.dueAt))).get()!.n;
    items.push(
      ...open()
        .where(and(eq(actionItems.status, "open"), mine, isNull(actionItems.dueAt)))
        .orderBy(asc(actionItems.id))
        .limit(pageSize + 1 - items.length)
        .offset(Math.max(0, offset - dated))
        .all(),
    );
  }
  return { items: items.slice(0, pageSize), hasMore: items.length > pageSize };
}
