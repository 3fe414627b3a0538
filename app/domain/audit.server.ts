import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import { auditLog, users } from "../../db/schema";
import type { Conn, Db } from "../utils/db.server";

/** Who made a change: a signed-in user, or a token/system process (id null). */
export type Actor = { id: number | null; label: string };

export const SYSTEM: Actor = { id: null, label: "system" };

function auditRow(actor: Actor, action: string, entity: string, entityId: number | string, detail: Record<string, unknown>) {
  return { actorId: actor.id, actorLabel: actor.label, action, entity, entityId: String(entityId), detail: JSON.stringify(detail) };
}

/** Appends one audit entry; call it inside the transaction of the change it records. */
export function recordAudit(
  db: Conn,
  actor: Actor,
  action: string,
  entity: string,
  entityId: number | string,
  detail: Record<string, unknown> = {},
): void {
  db.insert(auditLog).values(auditRow(actor, action, entity, entityId, detail)).run();
}

/** recordAudit as a statement prepared once on `db`'s connection, for hot paths (it joins the open transaction). */
export function prepareRecordAudit(db: Db) {
  const insert = db
    .insert(auditLog)
    .values({
      actorId: sql.placeholder("actorId"),
      actorLabel: sql.placeholder("actorLabel"),
      action: sql.placeholder("action"),
      entity: sql.placeholder("entity"),
      entityId: sql.placeholder("entityId"),
      detail: sql.placeholder("detail"),
    })
    .prepare();
  return (actor: Actor, action: string, entity: string, entityId: number | string, detail: Record<string, unknown> = {}) =>
    void insert.run(auditRow(actor, action, entity, entityId, detail));
}

export function listAudit(db: Db, opts: { entity?: string; entityId?: string | number; limit?: number } = {}) {
  const where: SQL[] = [];
  if (opts.entity) where.push(eq(auditLog.entity, opts.entity));
  if (opts.entityId !== undefined) where.push(eq(auditLog.entityId, String(opts.entityId)));
  return db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      actor: auditLog.actorLabel,
      actorEmail: users.email,
      action: auditLog.action,
      entity: auditLog.entity,
      entityId: auditLog.entityId,
      detail: auditLog.detail,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(opts.limit ?? 200)
    .all();
}
