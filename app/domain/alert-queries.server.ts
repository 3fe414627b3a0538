import { and, desc, eq, gte, isNotNull, isNull, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { ALERT_TRIAGE, alertDeliveries, alertRuleDays, alerts, incidents, modelVersions, models } from "../../db/schema";
import { SENDERS } from "../webhooks/index";
import type { Db } from "../utils/db.server";
import { DAY_MS } from "../utils/dates";
import { pageNumber } from "../utils/forms";
import { cappedCount } from "./incidents.server";

// What the alert pages read: the inbox with its filters, rule precision, an incident's alerts, stored deliveries.
export const alertFilterSchema = z.object({
  status: z.enum(["firing", "resolved"]).or(z.literal("")).catch(""),
  rule: z.string().trim().max(200).catch(""),
  sender: z.enum(SENDERS).or(z.literal("")).catch(""),
  linked: z.enum(["yes", "no"]).or(z.literal("")).catch(""),
  triage: z.enum(ALERT_TRIAGE).or(z.literal("")).catch(""),
  page: pageNumber,
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
  return { rows, total: cappedCount(db, sql`${alerts}`, cond) };
}

export function alertRuleNames(db: Db): string[] {
  return db.selectDistinct({ r: alerts.ruleName }).from(alerts).orderBy(alerts.ruleName).all().map((r) => r.r);
}

/**
 * Per alert rule: alerts, firings, notifications, and precision, the share of its alerts that led to a real
 * incident (linked to one that left draft, or triaged actionable; noise never counts). Read from the
 * alert_rule_days rollup, optionally for alerts first received in [from, to). Noisiest first: most alerts
 * that led nowhere.
 */
export function alertRules(db: Db, range: { from?: number; to?: number } = {}) {
  const where: SQL[] = [];
  if (range.from !== undefined) where.push(gte(alertRuleDays.day, Math.floor(range.from / DAY_MS)));
  if (range.to !== undefined) where.push(lt(alertRuleDays.day, Math.ceil(range.to / DAY_MS)));
  const rows = db
    .select({
      rule: alertRuleDays.ruleName,
      alerts: sql<number>`sum(${alertRuleDays.alerts})`,
      fires: sql<number>`sum(${alertRuleDays.fires})`,
      deliveries: sql<number>`sum(${alertRuleDays.deliveries})`,
      real: sql<number>`sum(${alertRuleDays.realAlerts})`,
    })
    .from(alertRuleDays)
    .where(where.length ? and(...where) : undefined)
    .groupBy(alertRuleDays.ruleName)
    .having(sql`sum(${alertRuleDays.alerts}) > 0`)
    .orderBy(sql`sum(${alertRuleDays.alerts}) - sum(${alertRuleDays.realAlerts}) desc`, alertRuleDays.ruleName)
    .all();
  return rows.map((r) => ({ ...r, nowhere: r.alerts - r.real, precision: r.alerts ? r.real / r.alerts : 0 }));
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
      bytes: sql<number>`length(cast(${alertDeliveries.body} as blob))`,
    })
    .from(alertDeliveries)
    .orderBy(desc(alertDeliveries.id))
    .limit(limit)
    .all();
}

/** The alerts linked to an incident, most recent first, with their labels and annotations. */
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
      labels: alerts.labels,
      annotations: alerts.annotations,
    })
    .from(alerts)
    .where(eq(alerts.incidentId, incidentId))
    .orderBy(desc(alerts.lastReceivedAt))
    .limit(200)
    .all()
    .map((a) => ({ ...a, labels: JSON.parse(a.labels) as Record<string, string>, annotations: JSON.parse(a.annotations) as Record<string, string> }));
}
