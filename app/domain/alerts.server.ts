import { and, count, desc, eq, inArray, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { ALERT_TRIAGE, alertDeliveries, alerts, incidents, modelVersions, models, timelineEvents, type IncidentStatus } from "../../db/schema";
import { SENDERS, isSender, parseWebhook, type AlertEvent } from "../webhooks/index";
import type { Conn, Db } from "../utils/db.server";
import { sha256 } from "../utils/password.server";
import { recordAudit, type Actor } from "./audit.server";
import { insertIncident } from "./incidents.server";
import { ensureModelVersion, linkIncidentModel } from "./models.server";

export const MAX_WEBHOOK_BYTES = 1024 * 1024;

/** Statuses in which an incident still collects the alerts of its group. */
const OPEN: IncidentStatus[] = ["draft", "investigating", "mitigated"];

export function modelLabels() {
  return { model: process.env.MODEL_LABEL || "model", version: process.env.MODEL_VERSION_LABEL || "model_version" };
}

/** Alert severity label -> incident severity; unknown or missing labels open SEV3 drafts. */
export function severityFromLabel(severity: string | null): "SEV1" | "SEV2" | "SEV3" | "SEV4" {
  const s = (severity ?? "").toLowerCase();
  if (["critical", "page", "p1", "sev1", "emergency"].includes(s)) return "SEV1";
  if (["high", "error", "major", "p2", "sev2"].includes(s)) return "SEV2";
  if (["info", "low", "minor", "p4", "p5", "sev4", "none"].includes(s)) return "SEV4";
  return "SEV3";
}

export type DeliveryRecord = { id: number; duplicate: boolean };

/**
 * Stores a delivery exactly as received, before anything else, in its own transaction, so nothing sent to us
 * is lost whatever happens next. A body identical to one already processed is marked a duplicate.
 */
export function recordDelivery(
  db: Db,
  d: { sender: string; headers: Record<string, string>; body: string; tokenId: number | null },
): DeliveryRecord {
  const bodyHash = sha256(d.body);
  return db.transaction((tx) => {
    const seen = tx
      .select({ id: alertDeliveries.id })
      .from(alertDeliveries)
      .where(and(eq(alertDeliveries.sender, d.sender), eq(alertDeliveries.bodyHash, bodyHash), eq(alertDeliveries.outcome, "processed")))
      .limit(1)
      .get();
    const row = tx
      .insert(alertDeliveries)
      .values({
        sender: d.sender,
        headers: JSON.stringify(d.headers),
        body: d.body,
        bodyHash,
        tokenId: d.tokenId,
        outcome: seen ? "duplicate" : "received",
        error: seen ? `same body as delivery ${seen.id}` : null,
      })
      .returning({ id: alertDeliveries.id })
      .get();
    return { id: row.id, duplicate: !!seen };
  });
}

/** Marks a delivery whose body was refused (bad JSON or shape): kept for inspection, never applied. */
export function rejectDelivery(db: Db, deliveryId: number, error: string): void {
  db.update(alertDeliveries).set({ outcome: "rejected", error }).where(eq(alertDeliveries.id, deliveryId)).run();
}

/** Marks a delivery that failed while being applied (a bug, not bad input); it can be replayed. */
export function failDelivery(db: Db, deliveryId: number, error: string): void {
  db.update(alertDeliveries).set({ outcome: "failed", error }).where(eq(alertDeliveries.id, deliveryId)).run();
}

export type IngestResult = { alerts: number; incidents: number[]; opened: number[] };

/**
 * Applies a delivery's events in one transaction: upsert each alert by sender + fingerprint, link its model
 * version, attach firing alerts to the open incident of their group (or open a draft), and note state changes
 * on the incident timeline. Applying the same events again changes no state.
 */
export function ingestEvents(db: Db, deliveryId: number, events: AlertEvent[], actor: Actor, now = Date.now()): IngestResult {
  const labelNames = modelLabels();
  return db.transaction((tx) => {
    const touched = new Set<number>();
    const opened: number[] = [];
    const groupIncident = new Map<string, number>();
    for (const e of events) {
      const modelName = e.labels[labelNames.model];
      const modelVersion = e.labels[labelNames.version];
      const modelVersionId = modelName && modelVersion ? ensureModelVersion(tx, modelName, modelVersion) : null;
      const before = tx
        .select({ id: alerts.id, status: alerts.status, incidentId: alerts.incidentId, incidentStatus: incidents.status })
        .from(alerts)
        .leftJoin(incidents, eq(incidents.id, alerts.incidentId))
        .where(and(eq(alerts.sender, e.sender), eq(alerts.fingerprint, e.fingerprint)))
        .get();
      const firesAnew = e.status === "firing" && (!before || before.status === "resolved");
      const values = {
        ruleName: e.ruleName,
        status: e.status,
        severity: e.severity,
        labels: JSON.stringify(e.labels),
        annotations: JSON.stringify(e.annotations),
        startsAt: e.startsAt,
        endsAt: e.endsAt,
        lastReceivedAt: now,
        modelVersionId: modelVersionId ?? undefined,
      };
      let alertId: number;
      if (!before) {
        alertId = tx
          .insert(alerts)
          .values({ ...values, sender: e.sender, fingerprint: e.fingerprint, firstReceivedAt: now, fireCount: firesAnew ? 1 : 0 })
          .returning({ id: alerts.id })
          .get().id;
      } else {
        alertId = before.id;
        tx.update(alerts)
          .set({
            ...values,
            deliveryCount: sql`${alerts.deliveryCount} + 1`,
            fireCount: firesAnew ? sql`${alerts.fireCount} + 1` : undefined,
          })
          .where(eq(alerts.id, alertId))
          .run();
      }

      let incidentId = before?.incidentId ?? null;
      const incidentOpen = before?.incidentStatus ? OPEN.includes(before.incidentStatus) : false;
      if (e.status === "firing" && (incidentId === null || (firesAnew && !incidentOpen))) {
        incidentId = groupIncident.get(e.groupKey) ?? openIncidentFor(tx, e, actor, now, opened);
        groupIncident.set(e.groupKey, incidentId);
        tx.update(alerts).set({ incidentId }).where(eq(alerts.id, alertId)).run();
      }
      if (incidentId === null) continue;
      if (modelVersionId !== null) linkIncidentModel(tx, incidentId, modelVersionId, "affected");
      const stateChanged = firesAnew || (e.status === "resolved" && before?.status === "firing");
      if (stateChanged) {
        tx.insert(timelineEvents)
          .values({
            incidentId,
            at: e.status === "firing" ? Math.min(e.startsAt ?? now, now) : (e.endsAt ?? now),
            kind: "alert",
            body: `${e.ruleName} ${e.status}${e.title && e.title !== e.ruleName ? `: ${e.title}` : ""}`,
            alertId,
          })
          .run();
        touched.add(incidentId);
      }
    }
    for (const id of touched) {
      if (!opened.includes(id)) recordAudit(tx, actor, "alerts", "incident", id, { delivery: deliveryId });
    }
    tx.update(alertDeliveries)
      .set({ outcome: "processed", error: null, alertCount: events.length })
      .where(eq(alertDeliveries.id, deliveryId))
      .run();
    return { alerts: events.length, incidents: [...touched], opened };
  });
}

/** The open incident of this alert's group, or a new draft opened from the alert. */
function openIncidentFor(tx: Conn, e: AlertEvent, actor: Actor, now: number, opened: number[]): number {
  const open = tx
    .select({ id: incidents.id })
    .from(incidents)
    .where(and(eq(incidents.groupKey, e.groupKey), inArray(incidents.status, OPEN)))
    .orderBy(desc(incidents.startedAt))
    .limit(1)
    .get();
  if (open) return open.id;
  const startedAt = Math.min(e.startsAt ?? now, now);
  const id = insertIncident(
    tx,
    {
      title: (e.title || e.ruleName).slice(0, 200),
      severity: severityFromLabel(e.severity),
      team: (e.labels.team ?? "").slice(0, 100),
      summary: e.description.slice(0, 5000),
      impact: "",
      detectionSource: "alert",
      startedAt,
      detectedAt: now,
      mitigatedAt: null,
      resolvedAt: null,
    },
    actor,
    { status: "draft", source: "webhook", groupKey: e.groupKey },
  );
  opened.push(id);
  return id;
}

export const alertFilterSchema = z.object({
  status: z.enum(["firing", "resolved"]).or(z.literal("")).catch(""),
  rule: z.string().trim().max(200).catch(""),
  sender: z.enum(SENDERS).or(z.literal("")).catch(""),
  linked: z.enum(["yes", "no"]).or(z.literal("")).catch(""),
  triage: z.enum(ALERT_TRIAGE).or(z.literal("")).catch(""),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});
export type AlertFilter = z.infer<typeof alertFilterSchema>;

export function parseAlertFilter(params: URLSearchParams): AlertFilter {
  return alertFilterSchema.parse(Object.fromEntries(["status", "rule", "sender", "linked", "triage", "page"].map((k) => [k, params.get(k) ?? ""])));
}

export const ALERT_PAGE_SIZE = 50;

export function listAlerts(db: Db, f: AlertFilter) {
  const where: SQL[] = [];
  if (f.status) where.push(eq(alerts.status, f.status));
  if (f.rule) where.push(eq(alerts.ruleName, f.rule));
  if (f.sender) where.push(eq(alerts.sender, f.sender));
  if (f.linked === "yes") where.push(isNotNull(alerts.incidentId));
  if (f.linked === "no") where.push(isNull(alerts.incidentId));
  if (f.triage) where.push(eq(alerts.triage, f.triage));
  const cond = where.length ? and(...where) : undefined;
  const rows = db
    .select({
      id: alerts.id,
      sender: alerts.sender,
      ruleName: alerts.ruleName,
      status: alerts.status,
      severity: alerts.severity,
      startsAt: alerts.startsAt,
      lastReceivedAt: alerts.lastReceivedAt,
      fireCount: alerts.fireCount,
      deliveryCount: alerts.deliveryCount,
      triage: alerts.triage,
      incidentId: alerts.incidentId,
      incidentTitle: incidents.title,
      model: models.name,
      modelVersion: modelVersions.version,
    })
    .from(alerts)
    .leftJoin(incidents, eq(incidents.id, alerts.incidentId))
    .leftJoin(modelVersions, eq(modelVersions.id, alerts.modelVersionId))
    .leftJoin(models, eq(models.id, modelVersions.modelId))
    .where(cond)
    .orderBy(desc(alerts.lastReceivedAt), desc(alerts.id))
    .limit(ALERT_PAGE_SIZE)
    .offset((f.page - 1) * ALERT_PAGE_SIZE)
    .all();
  const total = db.select({ n: count() }).from(alerts).where(cond).get()!.n;
  return { rows, total };
}

export function alertRuleNames(db: Db): string[] {
  return db.selectDistinct({ r: alerts.ruleName }).from(alerts).orderBy(alerts.ruleName).all().map((r) => r.r);
}

export function setTriage(db: Db, alertId: number, triage: (typeof ALERT_TRIAGE)[number], actor: Actor): void {
  db.transaction((tx) => {
    const row = tx.update(alerts).set({ triage }).where(eq(alerts.id, alertId)).returning({ rule: alerts.ruleName }).get();
    if (!row) throw new Response("Alert not found", { status: 404 });
    recordAudit(tx, actor, "triage", "alert", alertId, { triage });
  });
}

/** Links an alert to an incident (or unlinks it with null), carrying its model version over to the incident. */
export function linkAlert(db: Db, alertId: number, incidentId: number | null, actor: Actor): void {
  db.transaction((tx) => {
    const alert = tx.select({ id: alerts.id, modelVersionId: alerts.modelVersionId }).from(alerts).where(eq(alerts.id, alertId)).get();
    if (!alert) throw new Response("Alert not found", { status: 404 });
    if (incidentId !== null && !tx.select({ id: incidents.id }).from(incidents).where(eq(incidents.id, incidentId)).get()) {
      throw new LinkError(`There is no incident #${incidentId}.`);
    }
    tx.update(alerts).set({ incidentId }).where(eq(alerts.id, alertId)).run();
    if (incidentId !== null && alert.modelVersionId !== null) linkIncidentModel(tx, incidentId, alert.modelVersionId, "affected");
    recordAudit(tx, actor, incidentId === null ? "unlink" : "link", "alert", alertId, { incident: incidentId });
  });
}

export class LinkError extends Error {}

/**
 * Per alert rule: how often it fired and notified, and its precision, the share of its alerts that led to a
 * real incident (linked to one that left draft, or triaged actionable; triaged noise never counts).
 * Noisiest first: most firings that led nowhere.
 */
export function alertRules(db: Db) {
  const real = sql`(${alerts.triage} <> 'noise' and (${alerts.triage} = 'actionable' or ${incidents.status} <> 'draft'))`;
  const rows = db
    .select({
      rule: alerts.ruleName,
      alerts: count(),
      fires: sql<number>`sum(${alerts.fireCount})`,
      deliveries: sql<number>`sum(${alerts.deliveryCount})`,
      real: sql<number>`sum(case when ${real} then 1 else 0 end)`,
      noiseFires: sql<number>`sum(case when ${real} then 0 else ${alerts.fireCount} end)`,
      incidents: sql<number>`count(distinct case when ${real} then ${alerts.incidentId} end)`,
      lastReceivedAt: sql<number>`max(${alerts.lastReceivedAt})`,
    })
    .from(alerts)
    .leftJoin(incidents, eq(incidents.id, alerts.incidentId))
    .groupBy(alerts.ruleName)
    .orderBy(sql`6 desc`, alerts.ruleName)
    .all();
  return rows.map((r) => ({ ...r, precision: r.alerts ? r.real / r.alerts : 0 }));
}

export function listDeliveries(db: Db, limit = 100) {
  return db
    .select({
      id: alertDeliveries.id,
      sender: alertDeliveries.sender,
      receivedAt: alertDeliveries.receivedAt,
      outcome: alertDeliveries.outcome,
      error: alertDeliveries.error,
      alertCount: alertDeliveries.alertCount,
      bytes: sql<number>`length(${alertDeliveries.body})`,
    })
    .from(alertDeliveries)
    .orderBy(desc(alertDeliveries.id))
    .limit(limit)
    .all();
}

/** Applies a stored delivery again (after a fix, or to re-check); applying is idempotent. */
export function replayDelivery(db: Db, deliveryId: number, actor: Actor): IngestResult {
  const d = db.select().from(alertDeliveries).where(eq(alertDeliveries.id, deliveryId)).get();
  if (!d) throw new Response("Delivery not found", { status: 404 });
  if (!isSender(d.sender)) throw new Response(`Unknown sender ${d.sender}`, { status: 400 });
  let events: AlertEvent[];
  try {
    events = parseWebhook(d.sender, JSON.parse(d.body), { modelLabel: modelLabels().model });
  } catch (e) {
    const message = e instanceof SyntaxError ? "Body is not valid JSON." : (e as Error).message;
    rejectDelivery(db, deliveryId, message);
    throw new LinkError(`Delivery ${deliveryId} cannot be applied: ${message}`);
  }
  const result = ingestEvents(db, deliveryId, events, actor);
  recordAudit(db, actor, "replay", "delivery", deliveryId, { alerts: result.alerts });
  return result;
}

/** The alerts linked to an incident, most recent first. */
export function alertsForIncident(db: Db, incidentId: number) {
  return db
    .select({
      id: alerts.id,
      sender: alerts.sender,
      ruleName: alerts.ruleName,
      status: alerts.status,
      severity: alerts.severity,
      startsAt: alerts.startsAt,
      endsAt: alerts.endsAt,
      fireCount: alerts.fireCount,
      triage: alerts.triage,
    })
    .from(alerts)
    .where(eq(alerts.incidentId, incidentId))
    .orderBy(desc(alerts.lastReceivedAt))
    .limit(200)
    .all();
}
