import { and, eq, sql } from "drizzle-orm";
import { ALERT_TRIAGE, alertDeliveries, alerts, incidents, type IncidentStatus } from "../../db/schema";
import { WebhookParseError, isSender, parseWebhook, type AlertEvent, type Sender } from "../webhooks/index";
import type { Conn, Db } from "../utils/db.server";
import { sha256 } from "../utils/password.server";
import { alertKey, knownAlerts, writeAlertRows, type AlertRow } from "./alert-rows.server";
import { prepareRecordAudit, recordAudit, type Actor } from "./audit.server";
import { citeDelivery, truncateRejectedBody } from "./delivery-retention.server";
import { insertIncident } from "./incidents.server";
import { ensureModelVersion, linkIncidentModel } from "./models.server";
import { draftOpenedNotice, enqueueNotice } from "./notifications.server";
import { refreshRepeats, repeatAnchor } from "./repeats.server";

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

/**
 * A delivery's body as events, or why not: `invalid` when the body is at fault (not JSON, or not the sender's
 * shape; such a delivery is kept as "rejected"), `fault` when the parser itself threw (kept as "failed", so it can
 * be replayed once the parser is fixed). Ingest and replay both judge a body by this.
 */
export function parseDeliveryBody(sender: Sender, body: string): { events: AlertEvent[] } | { invalid: string } | { fault: string } {
  try {
    return { events: parseWebhook(sender, JSON.parse(body), { modelLabel: modelLabels().model }) };
  } catch (e) {
    if (e instanceof SyntaxError) return { invalid: "Body is not valid JSON." };
    if (e instanceof WebhookParseError) return { invalid: e.message };
    return { fault: e instanceof Error ? e.message : String(e) };
  }
}

export type IncomingDelivery = { sender: string; headers: Record<string, string>; body: string; tokenId: number | null };

/** Stores a delivery that was not applied (its body was refused, or applying it failed); an admin can replay it. */
export function storeUnappliedDelivery(db: Conn, d: IncomingDelivery, outcome: "rejected" | "failed", error: string): number {
  return db
    .insert(alertDeliveries)
    .values({
      sender: d.sender,
      headers: JSON.stringify(d.headers),
      // A refused body cannot be applied as it is: keep its start for the admin, not up to a megabyte.
      body: outcome === "rejected" ? truncateRejectedBody(d.body) : d.body,
      bodyHash: sha256(d.body),
      tokenId: d.tokenId,
      outcome,
      error,
    })
    .returning({ id: alertDeliveries.id })
    .get().id;
}

export function setDeliveryOutcome(db: Db, deliveryId: number, outcome: "rejected" | "failed", error: string): void {
  db.update(alertDeliveries).set({ outcome, error }).where(eq(alertDeliveries.id, deliveryId)).run();
}

export type ReceiveResult = IngestResult & { delivery: number; duplicate: boolean };
export type ParsedDelivery = { delivery: IncomingDelivery; events: AlertEvent[]; actor: Actor; now: number };

/**
 * Stores a delivery exactly as received and applies its events, in one transaction: the raw body is the first
 * row written, and the alert changes commit with it or not at all. A body identical to one already processed
 * (a sender's retry or repeat) is stored as a duplicate and changes nothing else. When applying fails, nothing
 * of it is applied, the body is kept as "failed" (an admin can replay it), and the error is thrown.
 */
export function receiveDelivery(db: Db, d: IncomingDelivery, events: AlertEvent[], actor: Actor, now = Date.now()): ReceiveResult {
  const [result] = receiveDeliveries(db, [{ delivery: d, events, actor, now }]);
  if (result instanceof Error) throw result;
  return result;
}

/**
 * receiveDelivery for several deliveries in one commit (group commit: they share the one fsync). Each delivery
 * is stored and applied under its own savepoint, so one that fails is rolled back alone and kept as "failed";
 * its error takes its place in the results. Nothing is acknowledged before the whole transaction commits.
 */
export function receiveDeliveries(db: Db, batch: ParsedDelivery[]): (ReceiveResult | Error)[] {
  return hot(db).receiveBatch.immediate(batch);
}

function receiveOne(db: Db, stmt: ReturnType<typeof prepareHot>, { delivery: d, events, actor, now }: ParsedDelivery): ReceiveResult {
  const bodyHash = sha256(d.body);
  const seen = stmt.processedDelivery.get(d.sender, bodyHash);
  const delivery = Number(stmt.insertDelivery.run({
    sender: d.sender,
    headers: JSON.stringify(d.headers),
    body: d.body,
    bodyHash,
    tokenId: d.tokenId,
    now,
    outcome: seen ? "duplicate" : "processed",
    error: seen ? `same body as delivery ${seen.id}` : null,
    alertCount: seen ? 0 : events.length,
  }).lastInsertRowid);
  if (seen) return { delivery, duplicate: true, alerts: 0, incidents: [], opened: [] };
  const applied = applyEvents(db, events, actor, now);
  for (const incidentId of applied.incidents) stmt.citeDelivery.run(incidentId, delivery);
  return { delivery, duplicate: false, ...applied };
}

export type IngestResult = { alerts: number; incidents: number[]; opened: number[] };

// The ingest path runs these for every alert: prepared once per connection, not rebuilt per query.
const hotStatements = new WeakMap<object, ReturnType<typeof prepareHot> & ReturnType<typeof prepareHotQueries> & ReturnType<typeof prepareBatch>>();
function hot(db: Db) {
  let stmts = hotStatements.get(db.$client);
  if (!stmts) {
    const prepared = { ...prepareHot(db.$client), ...prepareHotQueries(db) };
    hotStatements.set(db.$client, (stmts = { ...prepared, ...prepareBatch(db, prepared) }));
  }
  return stmts;
}

/**
 * receiveDeliveries' transaction, with better-sqlite3's own transaction functions (a nested one runs under a
 * savepoint), made once per connection: drizzle's build a transaction object and prepare SAVEPOINT per delivery.
 * The statements in them, drizzle's included, run on the same connection, so inside the transaction.
 */
function prepareBatch(db: Db, stmt: ReturnType<typeof prepareHot>) {
  const one = db.$client.transaction((item: ParsedDelivery) => receiveOne(db, stmt, item));
  const receiveBatch = db.$client.transaction((batch: ParsedDelivery[]) =>
    batch.map((item) => {
      try {
        return one(item);
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        storeUnappliedDelivery(db, item.delivery, "failed", error.message);
        return error;
      }
    }),
  );
  return { receiveBatch };
}

/** The per-delivery queries, through drizzle's builder, prepared once (building their SQL cost more than running it). */
function prepareHotQueries(db: Db) {
  return {
    raiseDraftSeverity: db
      .update(incidents)
      .set({ severity: sql`${sql.placeholder("severity")}`, updatedAt: sql`${sql.placeholder("now")}` })
      .where(and(eq(incidents.id, sql.placeholder("id")), eq(incidents.status, "draft"), sql`${incidents.severity} > ${sql.placeholder("severity")}`))
      .prepare(),
    recordAudit: prepareRecordAudit(db),
  };
}

function prepareHot(sqlite: Db["$client"]) {
  return {
    processedDelivery: sqlite.prepare<[string, string], { id: number }>(
      "select id from alert_deliveries where sender = ? and body_hash = ? and outcome = 'processed' limit 1",
    ),
    // lastInsertRowid rather than RETURNING: RETURNING costs SQLite a temporary table per row.
    insertDelivery: sqlite.prepare<[Record<string, unknown>]>(
      `insert into alert_deliveries (sender, received_at, headers, body, body_hash, token_id, outcome, error, alert_count)
       values (@sender, @now, @headers, @body, @bodyHash, @tokenId, @outcome, @error, @alertCount)`,
    ),
    // What retention keeps (delivery-retention.server.ts): the deliveries an incident collected alerts from.
    citeDelivery: sqlite.prepare<[number, number]>("insert or ignore into incident_deliveries (incident_id, delivery_id) values (?, ?)"),
    alertId: sqlite.prepare<[string, string], { id: number }>("select id from alerts where sender = ? and fingerprint = ?"),
    openGroupIncident: sqlite.prepare<[string], { id: number }>(
      `select id from incidents where group_key = ? and status in (${OPEN.map((s) => `'${s}'`).join(", ")}) order by started_at desc limit 1`,
    ),
    modelVersion: sqlite.prepare<[string, string], { id: number }>(
      "select v.id from model_versions v join models m on m.id = v.model_id where m.name = ? and v.version = ?",
    ),
    insertTimeline: sqlite.prepare(
      "insert into timeline_events (incident_id, at, kind, body, alert_id) values (?, ?, 'alert', ?, ?)",
    ),
    linkModel: sqlite.prepare(
      "insert into incident_models (incident_id, model_version_id, role) values (?, ?, 'affected') on conflict do nothing",
    ),
  };
}

/**
 * Applies a delivery's events inside the caller's transaction: upsert each alert by sender + fingerprint, link
 * its model version, attach firing alerts to the open incident of their group (or open a draft), and note state
 * changes on the incident timeline (one entry per incident, rule and state). Applying the same events again
 * changes no state.
 */
function applyEvents(db: Db, events: AlertEvent[], actor: Actor, now: number): IngestResult {
  const labelNames = modelLabels();
  // Drizzle queries and prepared statements alike run on the caller's connection, so inside its transaction.
  const stmt = hot(db);
  const opened: number[] = [];
  const groupIncident = new Map<string, number>();
  const modelVersionIds = new Map<string, number>();
  const linkedModels = new Set<string>();
  const newModelLinks = new Set<number>();
  // Per incident, the most severe firing alert of this delivery ("SEV1" < "SEV2" as strings).
  const draftSeverity = new Map<number, ReturnType<typeof severityFromLabel>>();
  // incident -> "rule state" -> first alert and count, written as one timeline entry each.
  const changes = new Map<number, Map<string, { at: number; alertId: number | null; sender: string; fingerprint: string; count: number; title: string }>>();

  // The alerts this delivery knows already, read at once; all its rows are written at the end. A fingerprint
  // repeated within the delivery must see its own earlier write, so such a (rare) delivery reads and writes
  // each alert as it goes.
  const rows: AlertRow[] = [];
  const writeAsWeGo = new Set(events.map(alertKey)).size < events.length;
  const known = writeAsWeGo ? null : knownAlerts(db.$client, events);
  const flushRows = () => writeAlertRows(db.$client, rows.splice(0), now);

  for (const e of events) {
    const modelName = e.labels[labelNames.model];
    const modelVersion = e.labels[labelNames.version];
    let modelVersionId: number | null = null;
    if (modelName && modelVersion) {
      const key = `${modelName}\u0000${modelVersion}`;
      modelVersionId =
        modelVersionIds.get(key) ?? stmt.modelVersion.get(modelName, modelVersion)?.id ?? ensureModelVersion(db, modelName, modelVersion);
      modelVersionIds.set(key, modelVersionId);
    }
    const before = (known ?? knownAlerts(db.$client, [e])).get(alertKey(e));
    // A new firing: first sight, after a resolve, or (resolve notices can be lost) a later start than we know.
    const firesAnew =
      e.status === "firing" &&
      (!before ||
        before.status === "resolved" ||
        (e.startsAt !== null && before.startsAt !== null && e.startsAt > before.startsAt));
    let incidentId = before?.incidentId ?? null;
    const incidentOpen = before?.incidentStatus ? OPEN.includes(before.incidentStatus) : false;
    // Only a new firing attaches to an incident: a repeat notification of the same firing leaves an alert that a
    // person unlinked where they put it.
    if (firesAnew && (incidentId === null || !incidentOpen)) {
      incidentId = groupIncident.get(e.groupKey) ?? stmt.openGroupIncident.get(e.groupKey)?.id ?? openDraftIncident(db, e, actor, now, opened);
      groupIncident.set(e.groupKey, incidentId);
    }
    rows.push({
      sender: e.sender,
      fingerprint: e.fingerprint,
      ruleName: e.ruleName,
      status: e.status,
      severity: e.severity,
      labels: JSON.stringify(e.labels),
      annotations: JSON.stringify(e.annotations),
      startsAt: e.startsAt,
      endsAt: e.endsAt,
      fired: firesAnew ? 1 : 0,
      incidentId,
      modelVersionId,
      id: before?.id ?? null,
    });
    if (writeAsWeGo) flushRows();

    if (incidentId === null) continue;
    if (e.status === "firing") {
      const severity = severityFromLabel(e.severity);
      const worst = draftSeverity.get(incidentId);
      if (!worst || severity < worst) draftSeverity.set(incidentId, severity);
    }
    if (modelVersionId !== null && !linkedModels.has(`${incidentId}:${modelVersionId}`)) {
      if (stmt.linkModel.run(incidentId, modelVersionId).changes) newModelLinks.add(incidentId);
      linkedModels.add(`${incidentId}:${modelVersionId}`);
    }
    if (firesAnew || (e.status === "resolved" && before?.status === "firing")) {
      const at = e.status === "firing" ? Math.min(e.startsAt ?? now, now) : (e.endsAt ?? now);
      const perIncident = changes.get(incidentId) ?? new Map();
      changes.set(incidentId, perIncident);
      const key = `${e.ruleName} ${e.status}`;
      const seen = perIncident.get(key);
      if (seen) {
        seen.count += 1;
        seen.at = Math.min(seen.at, at);
      } else {
        perIncident.set(key, { at, alertId: before?.id ?? null, sender: e.sender, fingerprint: e.fingerprint, count: 1, title: e.title && e.title !== e.ruleName ? `: ${e.title}` : "" });
      }
    }
  }
  flushRows();
  // A draft takes the severity of its most severe alert; once people triage it, severity is theirs to set.
  for (const [incidentId, severity] of draftSeverity) {
    const raised = stmt.raiseDraftSeverity.run({ severity, now, id: incidentId }).changes > 0;
    if (raised && !opened.includes(incidentId)) stmt.recordAudit(actor, "severity", "incident", incidentId, { to: severity });
  }
  // A classified incident that gained a model may now repeat an earlier one (drafts are not classified yet).
  const anchors = [...newModelLinks].map((id) => repeatAnchor(db, id)).filter((a) => a?.classId);
  if (anchors.length) refreshRepeats(db, anchors);
  for (const [incidentId, perIncident] of changes) {
    for (const [key, c] of perIncident) {
      const alertId = c.alertId ?? stmt.alertId.get(c.sender, c.fingerprint)!.id;
      stmt.insertTimeline.run(incidentId, c.at, `${key}${c.count > 1 ? ` (${c.count} alerts)` : ""}${c.title}`, alertId);
    }
    if (!opened.includes(incidentId)) stmt.recordAudit(actor, "alerts", "incident", incidentId, { alerts: perIncident.size });
  }
  return { alerts: events.length, incidents: [...new Set([...opened, ...changes.keys()])], opened };
}

/** A new draft incident opened from an alert whose group has no open incident. */
function openDraftIncident(db: Conn, e: AlertEvent, actor: Actor, now: number, opened: number[]): number {
  const startedAt = Math.min(e.startsAt ?? now, now);
  const id = insertIncident(
    db,
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
  enqueueNotice(db, draftOpenedNotice(id, e.title || e.ruleName, e.description), actor);
  opened.push(id);
  return id;
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
    if (incidentId !== null && alert.modelVersionId !== null) {
      linkIncidentModel(tx, incidentId, alert.modelVersionId, "affected");
      refreshRepeats(tx, [repeatAnchor(tx, incidentId)]);
    }
    recordAudit(tx, actor, incidentId === null ? "unlink" : "link", "alert", alertId, { incident: incidentId });
  });
}

export class LinkError extends Error {}

/**
 * Applies a stored delivery that was not applied (refused, or failed), as of the time it was received. A delivery
 * already applied (or a duplicate of one) is left alone: replaying it changes nothing.
 */
export function replayDelivery(db: Db, deliveryId: number, actor: Actor): IngestResult {
  const d = db.select().from(alertDeliveries).where(eq(alertDeliveries.id, deliveryId)).get();
  if (!d) throw new Response("Delivery not found", { status: 404 });
  if (d.outcome === "processed" || d.outcome === "duplicate") {
    recordAudit(db, actor, "replay", "delivery", deliveryId, { skipped: `already ${d.outcome}` });
    return { alerts: 0, incidents: [], opened: [] };
  }
  if (!isSender(d.sender)) throw new Response(`Unknown sender ${d.sender}`, { status: 400 });
  const parsed = parseDeliveryBody(d.sender, d.body);
  if (!("events" in parsed)) {
    // A body at fault is rejected for good; a parser's fault leaves the delivery failed, to replay after the fix.
    const [outcome, message] = "invalid" in parsed ? (["rejected", parsed.invalid] as const) : (["failed", parsed.fault] as const);
    setDeliveryOutcome(db, deliveryId, outcome, message);
    throw new LinkError(`Delivery ${deliveryId} cannot be applied: ${message}`);
  }
  const { events } = parsed;
  return db.transaction((tx) => {
    const result = applyEvents(db, events, actor, d.receivedAt);
    citeDelivery(tx, deliveryId, result.incidents);
    tx.update(alertDeliveries).set({ outcome: "processed", error: null, alertCount: events.length }).where(eq(alertDeliveries.id, deliveryId)).run();
    recordAudit(tx, actor, "replay", "delivery", deliveryId, { alerts: result.alerts });
    return result;
  });
}
