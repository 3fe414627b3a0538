/**
 * The Faultline Markdown format (`faultline: 1`): one incident per file, every structured field in YAML front matter
 * (classes with their status, timeline, action items, linked model versions, alerts, source labels, the imported
 * record's id), the postmortem as the body, byte for byte. Left out: row ids (the `id` key is informative only),
 * bookkeeping (version, postmortem revision numbers, created/updated times, alert receipt counts) and the columns
 * derived from the rest (class copies, repeat flag). Importing it is faultline-import.server.ts.
 */
import { asc, eq } from "drizzle-orm";
import YAML from "yaml";
import { z } from "zod";
import {
  ACTION_KINDS,
  ACTION_STATUSES,
  ALERT_TRIAGE,
  CLASS_STATUSES,
  DETECTION_SOURCES,
  INCIDENT_MODEL_ROLES,
  INCIDENT_STATUSES,
  LIFECYCLE_STAGES,
  SEVERITIES,
  TIME_STATUSES,
  TIMELINE_KINDS,
  TRIGGERS,
  actionItems,
  alerts,
  incidentClasses,
  incidentModels,
  incidents,
  incidentSourceLabels,
  modelVersions,
  models,
  timelineEvents,
  users,
} from "../../../db/schema";
import { isoOrNull } from "../../utils/dates";
import type { Conn, Db } from "../../utils/db.server";
import { ImportError, byText, nullableEnum, nullableStr, optionalTime, parseWith, requiredTime, sortedRecord, str, textField, type Progress } from "./fields.server";
import { splitFrontMatter } from "./front-matter.server";

export const MARKDOWN_FORMAT_VERSION = 1;

type Severity = (typeof SEVERITIES)[number];
export type AlertRef = { sender: string; fingerprint: string };

export type IncidentDocument = {
  title: string;
  external_id: string | null;
  status: (typeof INCIDENT_STATUSES)[number];
  severity: Severity;
  team: string;
  summary: string;
  impact: string;
  detection_source: (typeof DETECTION_SOURCES)[number] | null;
  started_at: number;
  started_at_status: (typeof TIME_STATUSES)[number];
  detected_at: number | null;
  mitigated_at: number | null;
  resolved_at: number | null;
  trigger: (typeof TRIGGERS)[number] | null;
  lifecycle_stage: (typeof LIFECYCLE_STAGES)[number] | null;
  source: "manual" | "webhook";
  group_key: string | null;
  owner: string | null;
  classes: { primary: string | null; status: (typeof CLASS_STATUSES)[number] | null; contributing: string[]; factors: string[] };
  source_labels: string[];
  timeline: { at: number; kind: (typeof TIMELINE_KINDS)[number]; body: string; author: string | null; alert: AlertRef | null }[];
  action_items: {
    title: string;
    owner: string;
    due_at: number | null;
    status: (typeof ACTION_STATUSES)[number];
    kind: (typeof ACTION_KINDS)[number];
    completed_at: number | null;
  }[];
  models: { model: string; version: string; role: (typeof INCIDENT_MODEL_ROLES)[number] }[];
  alerts: {
    sender: string;
    fingerprint: string;
    rule: string;
    status: "firing" | "resolved";
    severity: string | null;
    starts_at: number | null;
    ends_at: number | null;
    triage: (typeof ALERT_TRIAGE)[number];
    model: string | null;
    model_version: string | null;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  }[];
};

function jsonRecord(text: string): Record<string, string> {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === "string" ? x : JSON.stringify(x)]));
    }
  } catch {
    // A malformed stored value exports as empty rather than stopping the export.
  }
  return {};
}

/** An incident as a document plus its postmortem, or null when there is no such incident. */
export function incidentDocument(db: Conn, id: number): { doc: IncidentDocument; postmortem: string } | null {
  const i = db.select().from(incidents).where(eq(incidents.id, id)).get();
  if (!i) return null;
  const owner = i.ownerId === null ? null : (db.select({ email: users.email }).from(users).where(eq(users.id, i.ownerId)).get()?.email ?? null);
  const classes = db
    .select({ id: incidentClasses.classId, role: incidentClasses.role })
    .from(incidentClasses)
    .where(eq(incidentClasses.incidentId, id))
    .orderBy(asc(incidentClasses.classId))
    .all();
  const timeline = db
    .select({ at: timelineEvents.at, kind: timelineEvents.kind, body: timelineEvents.body, author: users.email, sender: alerts.sender, fingerprint: alerts.fingerprint })
    .from(timelineEvents)
    .leftJoin(users, eq(users.id, timelineEvents.authorId))
    .leftJoin(alerts, eq(alerts.id, timelineEvents.alertId))
    .where(eq(timelineEvents.incidentId, id))
    .orderBy(asc(timelineEvents.at), asc(timelineEvents.id))
    .all();
  const labels = db
    .select({ label: incidentSourceLabels.label })
    .from(incidentSourceLabels)
    .where(eq(incidentSourceLabels.incidentId, id))
    .orderBy(asc(incidentSourceLabels.key), asc(incidentSourceLabels.label))
    .all();
  const actions = db.select().from(actionItems).where(eq(actionItems.incidentId, id)).orderBy(asc(actionItems.id)).all();
  const linked = db
    .select({ model: models.name, version: modelVersions.version, role: incidentModels.role })
    .from(incidentModels)
    .innerJoin(modelVersions, eq(modelVersions.id, incidentModels.modelVersionId))
    .innerJoin(models, eq(models.id, modelVersions.modelId))
    .where(eq(incidentModels.incidentId, id))
    .all()
    .sort((a, b) => byText(a.model, b.model) || byText(a.version, b.version) || byText(a.role, b.role));
  const alertRows = db
    .select({ alert: alerts, model: models.name, version: modelVersions.version })
    .from(alerts)
    .leftJoin(modelVersions, eq(modelVersions.id, alerts.modelVersionId))
    .leftJoin(models, eq(models.id, modelVersions.modelId))
    .where(eq(alerts.incidentId, id))
    .all()
    .sort((a, b) => byText(a.alert.sender, b.alert.sender) || byText(a.alert.fingerprint, b.alert.fingerprint));
  const doc: IncidentDocument = {
    title: i.title,
    external_id: i.externalId,
    status: i.status,
    severity: i.severity,
    team: i.team,
    summary: i.summary,
    impact: i.impact,
    detection_source: i.detectionSource,
    started_at: i.startedAt,
    started_at_status: i.startedAtStatus,
    detected_at: i.detectedAt,
    mitigated_at: i.mitigatedAt,
    resolved_at: i.resolvedAt,
    trigger: i.trigger,
    lifecycle_stage: i.lifecycleStage,
    source: i.source,
    group_key: i.groupKey,
    owner,
    classes: {
      primary: classes.find((c) => c.role === "primary")?.id ?? null,
      status: classes.some((c) => c.role === "primary") ? i.classStatus : null,
      contributing: classes.filter((c) => c.role === "contributing").map((c) => c.id),
      factors: classes.filter((c) => c.role === "factor").map((c) => c.id),
    },
    source_labels: labels.map((l) => l.label),
    timeline: timeline.map((t) => ({
      at: t.at,
      kind: t.kind,
      body: t.body,
      author: t.author,
      alert: t.sender !== null && t.fingerprint !== null ? { sender: t.sender, fingerprint: t.fingerprint } : null,
    })),
    action_items: actions.map((a) => ({
      title: a.title,
      owner: a.owner,
      due_at: a.dueAt,
      status: a.status,
      kind: a.kind,
      completed_at: a.completedAt,
    })),
    models: linked,
    alerts: alertRows.map(({ alert: a, model, version }) => ({
      sender: a.sender,
      fingerprint: a.fingerprint,
      rule: a.ruleName,
      status: a.status,
      severity: a.severity,
      starts_at: a.startsAt,
      ends_at: a.endsAt,
      triage: a.triage,
      model,
      model_version: version,
      labels: jsonRecord(a.labels),
      annotations: jsonRecord(a.annotations),
    })),
  };
  return { doc, postmortem: i.postmortemMd };
}

// No folding (a long line stays one line) and literal blocks for multi-line text, so no line of the front matter
// but a top-level key starts in column 0 and the closing "---" is unambiguous.
const YAML_OPTIONS = { lineWidth: 0, minContentWidth: 0, blockQuote: "literal", aliasDuplicateObjects: false } as const;

/** The Markdown file: `---`, the front matter, `---`, then the postmortem exactly as stored. */
export function renderIncidentMarkdown(doc: IncidentDocument, postmortem: string, id: number | null): string {
  const front = {
    faultline: MARKDOWN_FORMAT_VERSION,
    ...(id === null ? {} : { id }),
    title: doc.title,
    // Only when set, like started_at_status and source_labels: most incidents were not imported.
    ...(doc.external_id === null ? {} : { external_id: doc.external_id }),
    status: doc.status,
    severity: doc.severity,
    team: doc.team,
    summary: doc.summary,
    impact: doc.impact,
    detection_source: doc.detection_source,
    started_at: isoOrNull(doc.started_at),
    ...(doc.started_at_status === "confirmed" ? {} : { started_at_status: doc.started_at_status }),
    detected_at: isoOrNull(doc.detected_at),
    mitigated_at: isoOrNull(doc.mitigated_at),
    resolved_at: isoOrNull(doc.resolved_at),
    trigger: doc.trigger,
    lifecycle_stage: doc.lifecycle_stage,
    source: doc.source,
    group_key: doc.group_key,
    owner: doc.owner,
    classes: { primary: doc.classes.primary, status: doc.classes.status, contributing: doc.classes.contributing, factors: doc.classes.factors },
    ...(doc.source_labels.length ? { source_labels: doc.source_labels } : {}),
    // author and alert appear only when set: most entries have neither.
    timeline: doc.timeline.map((t) => ({
      at: isoOrNull(t.at),
      kind: t.kind,
      body: t.body,
      ...(t.author === null ? {} : { author: t.author }),
      ...(t.alert === null ? {} : { alert: { sender: t.alert.sender, fingerprint: t.alert.fingerprint } }),
    })),
    action_items: doc.action_items.map((a) => ({
      title: a.title,
      owner: a.owner,
      due_at: isoOrNull(a.due_at),
      status: a.status,
      kind: a.kind,
      completed_at: isoOrNull(a.completed_at),
    })),
    models: doc.models.map((m) => ({ model: m.model, version: m.version, role: m.role })),
    alerts: doc.alerts.map((a) => ({
      sender: a.sender,
      fingerprint: a.fingerprint,
      rule: a.rule,
      status: a.status,
      severity: a.severity,
      starts_at: isoOrNull(a.starts_at),
      ends_at: isoOrNull(a.ends_at),
      triage: a.triage,
      model: a.model,
      model_version: a.model_version,
      labels: sortedRecord(a.labels),
      annotations: sortedRecord(a.annotations),
    })),
  };
  return `---\n${YAML.stringify(front, YAML_OPTIONS)}---\n${postmortem}`;
}

/** One incident as Faultline Markdown; throws when there is no such incident. */
export function incidentToMarkdown(db: Conn, id: number): string {
  const found = incidentDocument(db, id);
  if (!found) throw new Error(`There is no incident #${id}.`);
  return renderIncidentMarkdown(found.doc, found.postmortem, id);
}

function slug(title: string): string {
  const s = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return s || "incident";
}

/**
 * Every incident as a file `YYYY-MM-DD-<title-slug>.md` (start date; `-2`, `-3`… when names collide), oldest first.
 * Names do not depend on ids, so exporting an imported copy gives the same names.
 */
export function* exportMarkdownFiles(db: Db, onProgress?: Progress): Generator<{ name: string; text: string; id: number }> {
  const rows = db
    .select({ id: incidents.id, title: incidents.title, startedAt: incidents.startedAt })
    .from(incidents)
    .orderBy(asc(incidents.startedAt), asc(incidents.title), asc(incidents.id))
    .all();
  const used = new Set<string>();
  let done = 0;
  for (const r of rows) {
    const base = `${new Date(r.startedAt).toISOString().slice(0, 10)}-${slug(r.title)}`;
    let name = `${base}.md`;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}.md`;
    used.add(name);
    yield { name, text: incidentToMarkdown(db, r.id), id: r.id };
    onProgress?.(++done, rows.length);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing.

// The Faultline format keeps text exactly as exported (no trimming), so matching and round trips are exact.
const exactTitle = z.string().min(1).max(200);

const faultlineSchema = z
  .strictObject({
    faultline: z.literal(MARKDOWN_FORMAT_VERSION),
    id: z.number().int().nullish(),
    title: exactTitle,
    external_id: nullableStr,
    status: z.enum(INCIDENT_STATUSES),
    severity: z.enum(SEVERITIES),
    team: textField,
    summary: textField,
    impact: textField,
    detection_source: nullableEnum(DETECTION_SOURCES),
    started_at: requiredTime,
    started_at_status: z.enum(TIME_STATUSES).nullish().transform((v) => v ?? "confirmed"),
    detected_at: optionalTime,
    mitigated_at: optionalTime,
    resolved_at: optionalTime,
    trigger: nullableEnum(TRIGGERS),
    lifecycle_stage: nullableEnum(LIFECYCLE_STAGES),
    source: z.enum(["manual", "webhook"]).nullish().transform((v) => v ?? "manual"),
    group_key: nullableStr,
    owner: nullableStr,
    classes: z
      .strictObject({
        primary: nullableStr,
        status: nullableEnum(CLASS_STATUSES),
        contributing: z.array(str).nullish().transform((v) => v ?? []),
        factors: z.array(str).nullish().transform((v) => v ?? []),
      })
      .nullish()
      .transform((v) => v ?? { primary: null, status: null, contributing: [], factors: [] }),
    source_labels: z.array(z.string().trim().min(1).max(100)).max(50).nullish().transform((v) => v ?? []),
    timeline: z
      .array(
        z.strictObject({
          at: requiredTime,
          kind: z.enum(TIMELINE_KINDS),
          body: str,
          author: nullableStr,
          alert: z.strictObject({ sender: str, fingerprint: str }).nullish().transform((v) => v ?? null),
        }),
      )
      .nullish()
      .transform((v) => v ?? []),
    action_items: z
      .array(
        z.strictObject({
          title: z.string().min(1),
          owner: textField,
          due_at: optionalTime,
          status: z.enum(ACTION_STATUSES).nullish().transform((v) => v ?? "open"),
          kind: z.enum(ACTION_KINDS),
          completed_at: optionalTime,
        }),
      )
      .nullish()
      .transform((v) => v ?? []),
    models: z
      .array(z.strictObject({ model: z.string().min(1), version: z.string().min(1), role: z.enum(INCIDENT_MODEL_ROLES) }))
      .nullish()
      .transform((v) => v ?? []),
    alerts: z
      .array(
        z.strictObject({
          sender: z.string().min(1),
          fingerprint: z.string().min(1),
          rule: str,
          status: z.enum(["firing", "resolved"]),
          severity: nullableStr,
          starts_at: optionalTime,
          ends_at: optionalTime,
          triage: z.enum(ALERT_TRIAGE).nullish().transform((v) => v ?? "unreviewed"),
          model: nullableStr,
          model_version: nullableStr,
          labels: z.record(z.string(), z.string()).nullish().transform((v) => v ?? {}),
          annotations: z.record(z.string(), z.string()).nullish().transform((v) => v ?? {}),
        }),
      )
      .nullish()
      .transform((v) => v ?? []),
  })
  .superRefine((v, ctx) => {
    if (v.detected_at !== null && v.detected_at < v.started_at) {
      ctx.addIssue({ code: "custom", path: ["detected_at"], message: "must not be before started_at" });
    }
    const seen = new Set<string>();
    v.alerts.forEach((a, i) => {
      const key = `${a.sender}\u0000${a.fingerprint}`;
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["alerts", i], message: `repeats the alert ${a.sender} ${a.fingerprint}` });
      seen.add(key);
      if ((a.model === null) !== (a.model_version === null)) {
        ctx.addIssue({ code: "custom", path: ["alerts", i, a.model === null ? "model" : "model_version"], message: "must be given together with model / model_version" });
      }
    });
  });

/** Parses and validates a Faultline Markdown file; the error names every field with a problem. */
export function parseIncidentMarkdown(text: string, source: string | null = null): { doc: IncidentDocument; postmortem: string } {
  const { data, body } = splitFrontMatter(text, source);
  if (data.faultline === undefined) {
    throw new ImportError("faultline", "is missing: not a Faultline export (expected `faultline: 1`; public postmortems have their own importer)", source);
  }
  const { faultline: _version, id: _id, ...doc } = parseWith(faultlineSchema, data, source);
  return { doc, postmortem: body };
}

