import { addActionItem, setActionStatus } from "~/domain/actions.server";
import { linkAlert, modelLabels, receiveDelivery, setTriage } from "~/domain/alerts.server";
import type { Actor } from "~/domain/audit.server";
import { classificationSchema, classifyIncident } from "~/domain/classification.server";
import { createIncident, type IncidentInput } from "~/domain/incidents.server";
import { changeStatus } from "~/domain/lifecycle.server";
import { linkVersion, registerVersion, versionInputSchema } from "~/domain/models.server";
import type { Db } from "~/utils/db.server";
import { parseWebhook } from "~/webhooks/index";

/** A hand-built set of incidents, action items and alerts whose insights are worked out by hand in the tests. */

export const ACTOR: Actor = { id: null, label: "insights-test" };
const BOT: Actor = { id: null, label: "token:alerts" };
export const MIN = 60_000;
/** The fixed "now" of every insights call: action items due before it are overdue. */
export const NOW = Date.UTC(2024, 6, 15, 12, 0);
export const t = (s: string) => Date.parse(`${s}Z`);

// Top-level class names, as the taxonomy in content/ spells them.
export const DATA = "Data quality & distribution shift";
export const COMPAT = "Artifact & feature compatibility";
export const CAPACITY = "Capacity, resources & hardware";
export const CHANGE = "Change & deployment";
export const DEPENDENCY = "Upstream dependency & data delivery";
export const QUALITY = "Model quality & output harm";
export const SOFTWARE = "Conventional software defect";
export const TRAINING = "Training & model configuration";

// Alert rules: one plain, one with a comma and quotes, one that a spreadsheet would run as a formula.
export const R1 = "FeatureDrift";
export const R2 = 'Latency "p99", api';
export const R3 = "+ErrorBudgetBurn";

type Spec = {
  title: string;
  start: string;
  team: string;
  severity: IncidentInput["severity"];
  source: IncidentInput["detectionSource"];
  /** Minutes from start to detection / resolution. */
  detect?: number;
  resolve?: number;
  cls?: string;
};

export function addIncident(db: Db, s: Spec): number {
  const startedAt = t(s.start);
  const input: IncidentInput = {
    title: s.title,
    severity: s.severity,
    team: s.team,
    summary: "",
    impact: "",
    detectionSource: s.source,
    startedAt,
    detectedAt: s.detect === undefined ? null : startedAt + s.detect * MIN,
    mitigatedAt: null,
    resolvedAt: s.resolve === undefined ? null : startedAt + s.resolve * MIN,
  };
  const id = createIncident(db, input, ACTOR);
  if (s.cls) classifyIncident(db, id, classificationSchema.parse({ primary: s.cls }), ACTOR);
  return id;
}

/** An action item with deterministic created / completed times. */
export function addAction(
  db: Db,
  incidentId: number,
  a: { due?: string; status?: "open" | "done" | "wont_do"; created?: string; completed?: string },
): number {
  const id = addActionItem(
    db,
    incidentId,
    { title: `Action for #${incidentId}`, owner: "", dueAt: a.due ? t(a.due) : null, kind: "prevent" },
    ACTOR,
  );
  if (a.status && a.status !== "open") setActionStatus(db, incidentId, id, a.status, ACTOR);
  db.$client
    .prepare("update action_items set created_at = ?, completed_at = ? where id = ?")
    .run(t(a.created ?? "2024-01-01T00:00"), a.status && a.status !== "open" ? t(a.completed!) : null, id);
  return id;
}

type GenericAlert = { name: string; status: "firing" | "resolved"; fingerprint: string; group?: string; startsAt?: string; endsAt?: string; labels?: Record<string, string> };

export function deliver(db: Db, now: number, ...alerts: GenericAlert[]) {
  const body = JSON.stringify({ alerts });
  const events = parseWebhook("generic", JSON.parse(body), { modelLabel: modelLabels().model });
  return receiveDelivery(db, { sender: "generic", headers: { "content-type": "application/json" }, body, tokenId: null }, events, BOT, now);
}

export function alertId(db: Db, fingerprint: string): number {
  return (db.$client.prepare("select id from alerts where fingerprint = ?").get(fingerprint) as { id: number }).id;
}
export function alertIncident(db: Db, fingerprint: string): number {
  return (db.$client.prepare("select incident_id from alerts where fingerprint = ?").get(fingerprint) as { incident_id: number }).incident_id;
}

/**
 * The hand-built fixture. In range (2024-02-01 .. 2024-05-31): I1..I13, 13 incidents, 11 classified across 8
 * top-level classes, 3 repeats (I1, I4 on team ranking; I7 through model "ranker"). I0 and I14 fall just outside.
 * Alerts: drafts X1..X5 that started in December 2023 (outside the incident range) but were received in range,
 * except X5's alert (June).
 */
export function buildFixture(db: Db) {
  const ranker1 = registerVersion(db, "ranker", versionInputSchema.parse({ version: "v1" }), ACTOR, t("2023-06-01T00:00")).versionId;
  const ranker2 = registerVersion(db, "ranker", versionInputSchema.parse({ version: "v2" }), ACTOR, t("2023-09-01T00:00")).versionId;
  const scorer1 = registerVersion(db, "scorer", versionInputSchema.parse({ version: "v1" }), ACTOR, t("2023-06-01T00:00")).versionId;

  const I: Record<string, number> = {};
  I.I0 = addIncident(db, { title: "Corrupt features (January)", start: "2024-01-20T10:00", team: "ranking", severity: "SEV2", source: "alert", detect: 5, resolve: 50, cls: "data.corruption" });
  I.I1 = addIncident(db, { title: "Corrupt features again", start: "2024-02-05T10:00", team: "ranking", severity: "SEV1", source: "alert", detect: 10, resolve: 120, cls: "data.corruption" });
  I.I2 = addIncident(db, { title: "Search p99 over SLO", start: "2024-02-12T08:00", team: "search", severity: "SEV2", source: "user_report", detect: 20, resolve: 80, cls: "capacity.latency-slo" });
  I.I3 = addIncident(db, { title: "Unexplained dip", start: "2024-02-20T00:00", team: "ranking", severity: "SEV3", source: "dashboard", detect: 15, resolve: 45 });
  I.I4 = addIncident(db, { title: "Corrupt features, third time", start: "2024-03-03T09:30", team: "ranking", severity: "SEV2", source: "alert", detect: 30, resolve: 240, cls: "data.corruption" });
  I.I5 = addIncident(db, { title: "Config pushed everywhere at once", start: "2024-03-10T14:00", team: "search", severity: "SEV3", source: "test", cls: "change.config-push" });
  I.I6 = addIncident(db, { title: "Train/serve skew", start: "2024-03-25T23:59", team: "search", severity: "SEV1", source: "alert", detect: 5, resolve: 65, cls: "compat.train-serve-skew" });
  I.I7 = addIncident(db, { title: "Train/serve skew on v2", start: "2024-04-02T00:00", team: "ranking", severity: "SEV2", source: "other", detect: 15, resolve: 125, cls: "compat.train-serve-skew" });
  I.I8 = addIncident(db, { title: "Training diverged", start: "2024-04-15T12:00", team: "ranking", severity: "SEV2", source: null, detect: 60, resolve: 600, cls: "training.divergence" });
  I.I9 = addIncident(db, { title: "Seasonal drift", start: "2024-04-28T06:00", team: "search", severity: "SEV4", source: "alert", detect: 50, cls: "data.natural-drift" });
  I.I10 = addIncident(db, { title: "Users report odd results", start: "2024-05-06T00:00", team: "search", severity: "SEV3", source: "user_report" });
  I.I11 = addIncident(db, { title: "Accuracy regression", start: "2024-05-14T00:00", team: "ranking", severity: "SEV1", source: "alert", detect: 0, resolve: 30, cls: "quality.accuracy-regression" });
  I.I12 = addIncident(db, { title: "Upstream schema break", start: "2024-05-20T00:00", team: "search", severity: "SEV2", source: "dashboard", detect: 45, cls: "dependency.schema-break" });
  I.I13 = addIncident(db, { title: "Wrong invariant", start: "2024-05-31T23:59", team: "ranking", severity: "SEV3", source: "alert", detect: 1, resolve: 2, cls: "software.wrong-invariant" });
  I.I14 = addIncident(db, { title: "Corrupt features in June", start: "2024-06-01T00:00", team: "ranking", severity: "SEV2", source: "alert", detect: 10, resolve: 20, cls: "data.corruption" });

  linkVersion(db, I.I6, ranker1, "suspected_cause", ACTOR);
  linkVersion(db, I.I7, ranker2, "suspected_cause", ACTOR);
  linkVersion(db, I.I11, scorer1, "affected", ACTOR);

  // Action items (now = 2024-07-15 12:00).
  addAction(db, I.I0, { due: "2024-07-01T00:00" }); // overdue, but out of range
  addAction(db, I.I1, { status: "done", created: "2024-02-06T00:00", completed: "2024-02-09T00:00" }); // 3 days
  addAction(db, I.I1, { due: "2024-07-01T00:00" }); // overdue
  addAction(db, I.I4, { status: "done", created: "2024-03-04T00:00", completed: "2024-03-14T00:00" }); // 10 days
  addAction(db, I.I4, { due: "2024-08-01T00:00" }); // open
  addAction(db, I.I4, { status: "wont_do", created: "2024-03-04T00:00", completed: "2024-03-05T00:00" }); // counted nowhere
  addAction(db, I.I9, { status: "done", created: "2024-04-29T00:00", completed: "2024-05-05T12:00" }); // 6.5 days
  addAction(db, I.I6, {}); // open, no due date
  addAction(db, I.I7, { due: "2024-07-15T12:00" }); // due exactly now: open, not overdue
  addAction(db, I.I7, { status: "done", created: "2024-04-03T00:00", completed: "2024-04-05T12:00" }); // 2.5 days
  addAction(db, I.I2, {}); // the only item of its class: open, no due date
  addAction(db, I.I3, { due: "2024-07-10T00:00" }); // overdue
  addAction(db, I.I3, { status: "done", created: "2024-02-21T00:00", completed: "2024-02-22T00:00" }); // 1 day
  addAction(db, I.I8, { status: "wont_do", created: "2024-04-16T00:00", completed: "2024-04-17T00:00" });
  addAction(db, I.I14, { due: "2024-07-01T00:00" }); // out of range

  // Alerts. D1 (March 3): a1, a2 open draft X1 (group g1); a3 opens X2 (g2).
  deliver(
    db,
    t("2024-03-03T10:00"),
    { name: R1, status: "firing", fingerprint: "a1", group: "g1", startsAt: "2023-12-01T00:00:00Z" },
    { name: R1, status: "firing", fingerprint: "a2", group: "g1", startsAt: "2023-12-01T00:05:00Z" },
    { name: R2, status: "firing", fingerprint: "a3", group: "g2", startsAt: "2023-12-02T00:00:00Z" },
  );
  // D2 (April 10): a4 opens X3, a5 opens X4, a6 and a8 join X2.
  deliver(
    db,
    t("2024-04-10T10:00"),
    { name: R1, status: "firing", fingerprint: "a4", group: "g3", startsAt: "2023-12-03T00:00:00Z" },
    { name: R3, status: "firing", fingerprint: "a5", group: "g4", startsAt: "2023-12-04T00:00:00Z" },
    { name: R2, status: "firing", fingerprint: "a6", group: "g2", startsAt: "2023-12-02T00:10:00Z" },
    { name: R2, status: "firing", fingerprint: "a8", group: "g2", startsAt: "2023-12-02T00:20:00Z" },
  );
  // a1 resolves and fires again: 2 fires, 3 deliveries, still first received on March 3.
  deliver(db, t("2024-04-11T10:00"), { name: R1, status: "resolved", fingerprint: "a1", group: "g1", startsAt: "2023-12-01T00:00:00Z", endsAt: "2024-04-11T09:00:00Z" });
  deliver(db, t("2024-04-12T10:00"), { name: R1, status: "firing", fingerprint: "a1", group: "g1", startsAt: "2024-04-12T09:00:00Z" });
  // D5 (June 10), after the range: a7 opens X5.
  deliver(db, t("2024-06-10T10:00"), { name: R1, status: "firing", fingerprint: "a7", group: "g5", startsAt: "2023-12-05T00:00:00Z" });

  const X = { X1: alertIncident(db, "a1"), X2: alertIncident(db, "a3"), X3: alertIncident(db, "a4"), X4: alertIncident(db, "a5"), X5: alertIncident(db, "a7") };
  const A = Object.fromEntries(["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"].map((f) => [f, alertId(db, f)]));

  changeStatus(db, X.X1, "investigating", ACTOR); // a1 real; a2 becomes noise below
  setTriage(db, A.a2, "noise", ACTOR);
  setTriage(db, A.a4, "actionable", ACTOR); // real although X3 stays a draft
  setTriage(db, A.a5, "noise", ACTOR);
  linkAlert(db, A.a6, I.I6, ACTOR); // moved from draft X2 to an investigating incident: real

  return { I, X, A, versions: { ranker1, ranker2, scorer1 } };
}
