/**
 * Importing Faultline Markdown (see faultline-markdown.server.ts for the format). An incident is matched by the file's
 * `external_id`, else by (title, started_at), the lowest id winning if a database already holds several; the
 * file's `id` is never reused. Each file is one transaction. Fields are updated only where no person changed them
 * since the last import (provenance.server.ts); the others are reported as conflicts. Importing the same files again
 * changes nothing.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import { actionItems, alerts, failureClasses, incidentModels, incidents, timelineEvents } from "../../../db/schema";
import { isoOrNull } from "../../utils/dates";
import type { Conn } from "../../utils/db.server";
import { recordAudit, type Actor } from "../audit.server";
import { ensureModelVersion } from "../models.server";
import { refreshRepeats, repeatAnchor } from "../repeats.server";
import { activeClasses, classifyLabels, labelKey, loadLabelMappings, writeSourceLabels } from "../source-labels.server";
import { byText, sortedRecord } from "./fields.server";
import { incidentDocument, parseIncidentMarkdown, type AlertRef, type IncidentDocument } from "./faultline-markdown.server";
import { claim, findImported, planFields, recordImportedFields, type FieldValues } from "./provenance.server";
import { newResult, userIdByEmail, writeClasses, writePostmortem, type ClassSet, type ImportOptions, type ImportResult } from "./writes.server";

export type AlertDocument = IncidentDocument["alerts"][number];

export type FaultlineImportOptions = ImportOptions & {
  /**
   * Alerts that other files of this import define (by `alertKey`): a timeline entry may refer to an alert that
   * belongs to another incident, whose file comes later. Such an alert is written early, unlinked, and its own
   * file links it.
   */
  pendingAlerts?: ReadonlyMap<string, AlertDocument>;
};

export const alertKey = (a: AlertRef) => `${a.sender}\u0000${a.fingerprint}`;

/** Labels deduplicated by key, in the order the export writes them. */
function sourceLabelOrder(labels: readonly string[]): string[] {
  const byKey = new Map<string, string>();
  for (const l of labels) if (!byKey.has(labelKey(l))) byKey.set(labelKey(l), l.trim());
  return [...byKey.entries()].sort(([a, la], [b, lb]) => byText(a, b) || byText(la, lb)).map(([, l]) => l);
}

/** The fields provenance tracks: every key of the document (an unclassified incident's classes are null) and the postmortem. */
function fieldValues(doc: IncidentDocument, postmortem: string): FieldValues {
  const { external_id: _identity, classes, ...rest } = doc;
  return { ...rest, classes: classes.primary === null ? null : classes, postmortem };
}

function alertRow(tx: Conn, ref: AlertRef) {
  return tx
    .select({ id: alerts.id, incidentId: alerts.incidentId })
    .from(alerts)
    .where(and(eq(alerts.sender, ref.sender), eq(alerts.fingerprint, ref.fingerprint)))
    .get();
}

/**
 * The document as it can be applied to this database: unknown classes, users and alert references dropped (and
 * reported), alerts owned by another incident left there, lists in export order. Comparing the result with the
 * incident's current document tells whether anything would change.
 */
function resolveDocument(tx: Conn, doc: IncidentDocument, incidentId: number | null, result: ImportResult, opts: FaultlineImportOptions): IncidentDocument {
  const ids = [doc.classes.primary, ...doc.classes.contributing, ...doc.classes.factors].filter((c): c is string => c !== null);
  const known = new Map(
    (ids.length ? tx.select({ id: failureClasses.id, kind: failureClasses.kind }).from(failureClasses).where(inArray(failureClasses.id, ids)).all() : []).map(
      (c) => [c.id, c.kind],
    ),
  );
  const ok = (id: string, kind: "class" | "factor") => {
    if (known.get(id) === kind) return true;
    if (!result.unknownClasses.includes(id)) result.unknownClasses.push(id);
    return false;
  };
  const primary = doc.classes.primary !== null && ok(doc.classes.primary, "class") ? doc.classes.primary : null;
  const contributing = [...new Set(doc.classes.contributing)].filter((c) => c !== primary && ok(c, "class")).sort(byText);
  const factors = [...new Set(doc.classes.factors)].filter((c) => ok(c, "factor")).sort(byText);
  let classes: ClassSet = { primary, status: primary === null ? null : (doc.classes.status ?? "confirmed"), contributing, factors };
  if (primary === null && (contributing.length || factors.length)) {
    result.warnings.push(`no known primary class, so the incident is left unclassified (dropped ${[...contributing, ...factors].join(", ")})`);
    classes = { primary: null, status: null, contributing: [], factors: [] };
  }

  const emails = new Map<string, string | null>();
  const email = (e: string | null) => {
    if (e === null) return null;
    if (!emails.has(e)) {
      const found = userIdByEmail(tx, e) !== null;
      emails.set(e, found ? e : null);
      if (!found) result.warnings.push(`${e} is not a user here: left out as owner or author`);
    }
    return emails.get(e)!;
  };

  const keptAlerts = doc.alerts.filter((a) => {
    const row = alertRow(tx, a);
    if (row && row.incidentId !== null && row.incidentId !== incidentId) {
      result.warnings.push(`alert ${a.sender} ${a.fingerprint} belongs to incident #${row.incidentId}: left there`);
      return false;
    }
    return true;
  });
  const inFile = new Set(doc.alerts.map(alertKey));
  const timeline = doc.timeline
    .map((t) => {
      let alert = t.alert;
      if (alert && !inFile.has(alertKey(alert)) && !opts.pendingAlerts?.has(alertKey(alert)) && !alertRow(tx, alert)) {
        result.warnings.push(`timeline entry at ${isoOrNull(t.at)} refers to unknown alert ${alert.sender} ${alert.fingerprint}: reference dropped`);
        alert = null;
      }
      return { ...t, author: email(t.author), alert };
    })
    // Stable: entries at the same time keep the file's order, which is also the order they are inserted in.
    .sort((a, b) => a.at - b.at);

  const linkKeys = new Set<string>();
  const linked = doc.models
    .filter((m) => {
      const key = `${m.model}\u0000${m.version}\u0000${m.role}`;
      if (linkKeys.has(key)) return false;
      linkKeys.add(key);
      return true;
    })
    .sort((a, b) => byText(a.model, b.model) || byText(a.version, b.version) || byText(a.role, b.role));

  return {
    ...doc,
    owner: email(doc.owner),
    classes,
    source_labels: sourceLabelOrder(doc.source_labels),
    timeline,
    models: linked,
    alerts: keptAlerts
      .map((a) => ({ ...a, labels: sortedRecord(a.labels), annotations: sortedRecord(a.annotations) }))
      .sort((a, b) => byText(a.sender, b.sender) || byText(a.fingerprint, b.fingerprint)),
  };
}

/** Creates or updates an alert (by sender and fingerprint) and links it to `incidentId`; returns its id. */
function upsertAlert(tx: Conn, a: AlertDocument, incidentId: number | null, fallbackTime: number): number {
  const modelVersionId = a.model !== null && a.model_version !== null ? ensureModelVersion(tx, a.model, a.model_version) : null;
  const values = {
    ruleName: a.rule,
    status: a.status,
    severity: a.severity,
    labels: JSON.stringify(a.labels),
    annotations: JSON.stringify(a.annotations),
    startsAt: a.starts_at,
    endsAt: a.ends_at,
    triage: a.triage,
    modelVersionId,
    incidentId,
  };
  const row = alertRow(tx, a);
  if (row) {
    tx.update(alerts).set(values).where(eq(alerts.id, row.id)).run();
    return row.id;
  }
  // Receipt times are not in the file; the alert's own start stands in, so rule statistics land on its day.
  const received = a.starts_at ?? fallbackTime;
  return tx
    .insert(alerts)
    .values({ ...values, sender: a.sender, fingerprint: a.fingerprint, firstReceivedAt: received, lastReceivedAt: a.ends_at ?? received })
    .returning({ id: alerts.id })
    .get().id;
}

const COLUMNS = {
  title: "title",
  status: "status",
  severity: "severity",
  team: "team",
  summary: "summary",
  impact: "impact",
  detection_source: "detectionSource",
  started_at: "startedAt",
  started_at_status: "startedAtStatus",
  detected_at: "detectedAt",
  mitigated_at: "mitigatedAt",
  resolved_at: "resolvedAt",
  trigger: "trigger",
  lifecycle_stage: "lifecycleStage",
  source: "source",
  group_key: "groupKey",
} as const satisfies Partial<Record<keyof IncidentDocument, keyof typeof incidents.$inferInsert>>;

/** Writes the fields named in `changed` (all of them for a new incident); returns the incident id. */
function applyDocument(
  tx: Conn,
  existing: number | null,
  doc: IncidentDocument,
  postmortem: string,
  changed: ReadonlySet<string>,
  actor: Actor,
  opts: FaultlineImportOptions,
): number {
  const set: Partial<typeof incidents.$inferInsert> = {};
  for (const [field, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, (typeof COLUMNS)[keyof typeof COLUMNS]][]) {
    if (existing === null || changed.has(field)) (set as Record<string, unknown>)[column] = doc[field];
  }
  if (existing === null || changed.has("owner")) set.ownerId = userIdByEmail(tx, doc.owner);
  let id: number;
  if (existing === null) {
    id = tx
      .insert(incidents)
      .values({ ...(set as typeof incidents.$inferInsert), externalId: doc.external_id })
      .returning({ id: incidents.id })
      .get().id;
  } else {
    id = existing;
    tx.update(incidents)
      .set({ ...set, version: sql`${incidents.version} + 1`, updatedAt: Date.now() })
      .where(eq(incidents.id, id))
      .run();
    if (doc.external_id !== null) tx.update(incidents).set({ externalId: doc.external_id }).where(and(eq(incidents.id, id), sql`${incidents.externalId} is null`)).run();
  }
  const has = (field: string) => existing === null || changed.has(field);
  if (has("postmortem")) writePostmortem(tx, id, postmortem, actor);
  if (has("classes")) writeClasses(tx, id, doc.classes);
  if (has("source_labels")) {
    writeSourceLabels(tx, id, classifyLabels(doc.source_labels, opts.mappings ?? loadLabelMappings(), activeClasses(tx)).labels);
  }
  if (has("alerts")) {
    const keep = new Set(doc.alerts.map(alertKey));
    const gone = tx
      .select({ id: alerts.id, sender: alerts.sender, fingerprint: alerts.fingerprint })
      .from(alerts)
      .where(eq(alerts.incidentId, id))
      .all()
      .filter((a) => !keep.has(alertKey(a)))
      .map((a) => a.id);
    if (gone.length) tx.update(alerts).set({ incidentId: null }).where(inArray(alerts.id, gone)).run();
    for (const a of doc.alerts) upsertAlert(tx, a, id, doc.started_at);
  }
  if (has("timeline")) {
    tx.delete(timelineEvents).where(eq(timelineEvents.incidentId, id)).run();
    for (const t of doc.timeline) {
      let alertId = t.alert ? (alertRow(tx, t.alert)?.id ?? null) : null;
      const pending = t.alert && alertId === null ? opts.pendingAlerts?.get(alertKey(t.alert)) : undefined;
      if (pending) alertId = upsertAlert(tx, pending, null, t.at);
      tx.insert(timelineEvents).values({ incidentId: id, at: t.at, kind: t.kind, body: t.body, alertId, authorId: userIdByEmail(tx, t.author) }).run();
    }
  }
  if (has("action_items")) {
    tx.delete(actionItems).where(eq(actionItems.incidentId, id)).run();
    for (const a of doc.action_items) {
      tx.insert(actionItems)
        .values({ incidentId: id, title: a.title, owner: a.owner, dueAt: a.due_at, status: a.status, kind: a.kind, completedAt: a.completed_at })
        .run();
    }
  }
  if (has("models")) {
    tx.delete(incidentModels).where(eq(incidentModels.incidentId, id)).run();
    for (const m of doc.models) {
      tx.insert(incidentModels).values({ incidentId: id, modelVersionId: ensureModelVersion(tx, m.model, m.version), role: m.role }).onConflictDoNothing().run();
    }
  }
  return id;
}

/**
 * Imports one Faultline Markdown file in one transaction (a savepoint when `db` is a transaction): creates the
 * incident, or updates the fields of the matching one that no person changed since; nothing is written when they
 * already match. Unknown model versions are created.
 */
export function importIncidentMarkdown(db: Conn, text: string, actor: Actor, opts: FaultlineImportOptions = {}): ImportResult {
  const source = opts.source ?? null;
  const { doc, postmortem } = parseIncidentMarkdown(text, source);
  return db.transaction((tx) => {
    const existing = findImported(tx, doc.external_id, doc.title, doc.started_at);
    claim(existing, opts.claimed, source);
    const result = newResult(doc.title, existing);
    const resolved = resolveDocument(tx, doc, existing, result, opts);
    const incoming = fieldValues(resolved, postmortem);
    result.classified = resolved.classes.primary !== null;
    if (existing === null) {
      result.changed = Object.keys(incoming);
    } else {
      const current = incidentDocument(tx, existing)!;
      const plan = planFields(tx, existing, fieldValues(current.doc, current.postmortem), incoming);
      result.changed = plan.changed;
      result.conflicts = plan.conflicts;
      if (plan.conflicts.includes("classes")) result.classified = current.doc.classes.primary !== null;
      if (!plan.changed.length) {
        recordImportedFields(tx, existing, incoming, plan.conflicts);
        return result;
      }
    }
    const anchorBefore = existing === null ? null : repeatAnchor(tx, existing);
    const id = applyDocument(tx, existing, resolved, postmortem, new Set(result.changed), actor, opts);
    recordImportedFields(tx, id, incoming, result.conflicts);
    refreshRepeats(tx, [anchorBefore, repeatAnchor(tx, id)]);
    result.outcome = existing === null ? "created" : "updated";
    result.incidentId = id;
    recordAudit(tx, actor, "import", "incident", id, {
      format: "faultline",
      outcome: result.outcome,
      ...(source ? { file: source } : {}),
      ...(existing === null ? {} : { fields: result.changed }),
      ...(result.conflicts.length ? { conflicts: result.conflicts } : {}),
      ...(result.unknownClasses.length ? { unknownClasses: result.unknownClasses } : {}),
    });
    return result;
  });
}
