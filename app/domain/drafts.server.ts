import { and, desc, eq, inArray, ne, sql } from "drizzle-orm";
import {
  actionItems,
  alerts,
  incidentModels,
  incidents,
  reviewComments,
  timelineEvents,
} from "../../db/schema";
import type { Conn, Db } from "../utils/db.server";
import { recordAudit, type Actor } from "./audit.server";
import { listIncidents, parseIncidentFilter } from "./incidents.server";
import { linkIncidentModel } from "./models.server";
import { refreshRepeats, repeatAnchor } from "./repeats.server";

/** Triage of drafts that alerts opened: dismiss as noise, merge into another incident, find where alerts belong. */
export class TriageError extends Error {}

function requireDraft(db: Conn, id: number) {
  const row = db.select({ id: incidents.id, title: incidents.title, status: incidents.status }).from(incidents).where(eq(incidents.id, id)).get();
  if (!row) throw new Response("Incident not found", { status: 404 });
  if (row.status !== "draft") throw new TriageError(`#${id} is ${row.status.replace("_", " ")}, not a draft: only drafts are dismissed or merged.`);
  return row;
}

/**
 * A draft that was noise: its alerts are triaged noise (so they count against their rules' precision) and stay,
 * unlinked; the draft goes. The audit keeps its title, alerts and timeline.
 */
export function dismissDraft(db: Db, incidentId: number, actor: Actor): { alerts: number } {
  return db.transaction((tx) => {
    const draft = requireDraft(tx, incidentId);
    const its = tx.select({ id: alerts.id, rule: alerts.ruleName }).from(alerts).where(eq(alerts.incidentId, incidentId)).all();
    const timeline = tx.select({ at: timelineEvents.at, body: timelineEvents.body }).from(timelineEvents).where(eq(timelineEvents.incidentId, incidentId)).all();
    if (its.length) {
      tx.update(alerts).set({ triage: "noise", incidentId: null }).where(eq(alerts.incidentId, incidentId)).run();
      for (const a of its) recordAudit(tx, actor, "triage", "alert", a.id, { triage: "noise", dismissedDraft: incidentId });
    }
    tx.delete(incidents).where(eq(incidents.id, incidentId)).run();
    recordAudit(tx, actor, "dismiss", "incident", incidentId, {
      title: draft.title,
      alerts: its.map((a) => a.id),
      rules: [...new Set(its.map((a) => a.rule))],
      timeline,
    });
    return { alerts: its.length };
  });
}

/**
 * Folds a draft into another incident: its alerts, timeline, model links, action items and comments move there,
 * and the draft goes. Both incidents' histories say so.
 */
export function mergeDraft(db: Db, sourceId: number, targetId: number, actor: Actor) {
  if (sourceId === targetId) throw new TriageError("Pick another incident to merge into.");
  return db.transaction((tx) => {
    const source = requireDraft(tx, sourceId);
    const target = tx.select({ id: incidents.id, title: incidents.title }).from(incidents).where(eq(incidents.id, targetId)).get();
    if (!target) throw new TriageError(`There is no incident #${targetId}.`);
    const anchorBefore = repeatAnchor(tx, targetId);
    const moved = {
      alerts: tx.update(alerts).set({ incidentId: targetId }).where(eq(alerts.incidentId, sourceId)).run().changes,
      timeline: tx.update(timelineEvents).set({ incidentId: targetId }).where(eq(timelineEvents.incidentId, sourceId)).run().changes,
      actionItems: tx.update(actionItems).set({ incidentId: targetId }).where(eq(actionItems.incidentId, sourceId)).run().changes,
      comments: tx.update(reviewComments).set({ incidentId: targetId }).where(eq(reviewComments.incidentId, sourceId)).run().changes,
      models: tx.run(
        sql`insert into ${incidentModels} (incident_id, model_version_id, role)
          select ${targetId}, model_version_id, role from ${incidentModels} where incident_id = ${sourceId} on conflict do nothing`,
      ).changes,
    };
    tx.delete(incidents).where(eq(incidents.id, sourceId)).run();
    if (moved.models) refreshRepeats(tx, [anchorBefore, repeatAnchor(tx, targetId)]);
    recordAudit(tx, actor, "merge", "incident", sourceId, { into: targetId, intoTitle: target.title, title: source.title, ...moved });
    recordAudit(tx, actor, "merge", "incident", targetId, { from: sourceId, fromTitle: source.title, ...moved });
    return moved;
  });
}

/** Incidents matching a search (a number finds that incident), for relinking alerts and merging drafts. */
export function findIncidents(db: Db, q: string, excludeId?: number) {
  const text = q.trim();
  if (!text) return [];
  const byId = /^#?(\d+)$/.exec(text);
  const found = byId
    ? db
        .select({ id: incidents.id, title: incidents.title, status: incidents.status, severity: incidents.severity, startedAt: incidents.startedAt, team: incidents.team })
        .from(incidents)
        .where(eq(incidents.id, Number(byId[1])))
        .all()
    : listIncidents(db, parseIncidentFilter(new URLSearchParams({ q: text }))).rows.slice(0, 10);
  return found.filter((r) => r.id !== excludeId);
}

/** Incidents not yet closed, newest first: the choices offered when linking an alert (the browser filters them as one types). */
export function linkableIncidents(db: Db, limit = 200) {
  return db
    .select({ id: incidents.id, title: incidents.title })
    .from(incidents)
    .where(ne(incidents.status, "closed"))
    .orderBy(desc(incidents.startedAt))
    .limit(limit)
    .all();
}

/** Moves chosen alerts of one incident to another (relinking by search rather than by typed number). */
export function moveAlerts(db: Db, fromId: number, alertIds: number[], toId: number, actor: Actor): number {
  return db.transaction((tx) => {
    if (!tx.select({ id: incidents.id }).from(incidents).where(and(eq(incidents.id, toId), ne(incidents.id, fromId))).get()) {
      throw new TriageError(`There is no other incident #${toId}.`);
    }
    const anchorBefore = repeatAnchor(tx, toId);
    const rows = tx
      .update(alerts)
      .set({ incidentId: toId })
      .where(and(eq(alerts.incidentId, fromId), inArray(alerts.id, alertIds)))
      .returning({ id: alerts.id, modelVersionId: alerts.modelVersionId })
      .all();
    for (const r of rows) {
      if (r.modelVersionId !== null) {
        linkIncidentModel(tx, toId, r.modelVersionId, "affected");
      }
      recordAudit(tx, actor, "link", "alert", r.id, { incident: toId, from: fromId });
    }
    if (rows.some((r) => r.modelVersionId !== null)) refreshRepeats(tx, [anchorBefore, repeatAnchor(tx, toId)]);
    if (rows.length) recordAudit(tx, actor, "alerts.move", "incident", fromId, { to: toId, alerts: rows.map((r) => r.id) });
    return rows.length;
  });
}
