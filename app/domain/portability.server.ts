/**
 * Export and import: each incident as a Markdown file with YAML front matter (the Faultline format), the whole
 * database as JSON, and folders of public postmortems (YAML front matter: title, url, start_time, end_time,
 * categories, company, summary) mapped onto the taxonomy.
 *
 * Faultline Markdown (`faultline: 1`): the front matter holds every structured field of the incident, its classes,
 * timeline, action items, linked model versions and alerts; the body is the postmortem, byte for byte. Left out:
 * row ids (the `id` key is informative only), bookkeeping (version, postmortem revision numbers, created/updated
 * times, alert receipt counts) and the columns derived from the rest (class copies, repeat flag).
 *
 * Imports never reuse the file's `id`: an incident is matched by (title, started_at), the lowest id winning if a
 * database already holds several, and updated in place, so importing the same files again changes nothing.
 * Every file is imported in its own transaction; created or updated incidents get one 'import' audit entry.
 *
 * Database JSON: every table's rows with their ids, in foreign-key order, except sessions (everyone signs in
 * again), api_tokens.token_hash (secrets stay behind: imported tokens come back revoked) and tables derived by
 * triggers (full-text index, alert_rule_days). Password hashes are included so people can sign in after a
 * restore: treat the file like the database itself.
 */
import fs from "node:fs";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import type { Statement } from "better-sqlite3";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import YAML from "yaml";
import { z } from "zod";
import {
  ACTION_KINDS,
  ACTION_STATUSES,
  ALERT_TRIAGE,
  DETECTION_SOURCES,
  INCIDENT_MODEL_ROLES,
  INCIDENT_STATUSES,
  LIFECYCLE_STAGES,
  SEVERITIES,
  TIMELINE_KINDS,
  TRIGGERS,
  actionItems,
  alerts,
  failureClasses,
  incidentClasses,
  incidentModels,
  incidents,
  modelVersions,
  models,
  postmortemRevisions,
  timelineEvents,
  users,
} from "../../db/schema";
import { isoOrNull, parseUtc } from "../utils/dates";
import type { Conn, Db } from "../utils/db.server";
import { severityFromLabel } from "./alerts.server";
import { recordAudit, type Actor } from "./audit.server";
import { ensureModelVersion } from "./models.server";
import { refreshRepeats, repeatAnchor } from "./repeats.server";

export const MARKDOWN_FORMAT_VERSION = 1;
export const DATABASE_FORMAT = "faultline-database";
export const DATABASE_FORMAT_VERSION = 1;

export type Progress = (done: number, total: number) => void;

/** A file or document that cannot be imported; `field` names the offending front-matter key or JSON path. */
export class ImportError extends Error {
  constructor(
    readonly field: string | null,
    readonly problem: string,
    readonly source: string | null = null,
  ) {
    super(`${source ? `${source}: ` : ""}${field ? `${field} ` : ""}${problem}`);
    this.name = "ImportError";
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The Faultline document: what one incident file holds, with times as epoch ms.

type Severity = (typeof SEVERITIES)[number];
type AlertRef = { sender: string; fingerprint: string };

export type IncidentDocument = {
  title: string;
  status: (typeof INCIDENT_STATUSES)[number];
  severity: Severity;
  team: string;
  summary: string;
  impact: string;
  detection_source: (typeof DETECTION_SOURCES)[number] | null;
  started_at: number;
  detected_at: number | null;
  mitigated_at: number | null;
  resolved_at: number | null;
  trigger: (typeof TRIGGERS)[number] | null;
  lifecycle_stage: (typeof LIFECYCLE_STAGES)[number] | null;
  source: "manual" | "webhook";
  group_key: string | null;
  owner: string | null;
  classes: { primary: string | null; contributing: string[]; factors: string[] };
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


function sortedRecord(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]]));
}

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

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

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
    status: i.status,
    severity: i.severity,
    team: i.team,
    summary: i.summary,
    impact: i.impact,
    detection_source: i.detectionSource,
    started_at: i.startedAt,
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
      contributing: classes.filter((c) => c.role === "contributing").map((c) => c.id),
      factors: classes.filter((c) => c.role === "factor").map((c) => c.id),
    },
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
    status: doc.status,
    severity: doc.severity,
    team: doc.team,
    summary: doc.summary,
    impact: doc.impact,
    detection_source: doc.detection_source,
    started_at: isoOrNull(doc.started_at),
    detected_at: isoOrNull(doc.detected_at),
    mitigated_at: isoOrNull(doc.mitigated_at),
    resolved_at: isoOrNull(doc.resolved_at),
    trigger: doc.trigger,
    lifecycle_stage: doc.lifecycle_stage,
    source: doc.source,
    group_key: doc.group_key,
    owner: doc.owner,
    classes: { primary: doc.classes.primary, contributing: doc.classes.contributing, factors: doc.classes.factors },
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
// Parsing: front matter, times, zod issues -> "<field> <problem>".

/** Splits "---\nyaml\n---\nbody"; the body is returned exactly as written. */
export function splitFrontMatter(text: string, source: string | null = null): { data: Record<string, unknown>; body: string } {
  const raw = text.replace(/^\uFEFF/, "");
  const open = /^---[ \t]*\r?\n/.exec(raw);
  if (!open) throw new ImportError("front matter", "is missing (the file must start with a --- line)", source);
  const rest = raw.slice(open[0].length);
  const close = /^---[ \t]*(?:\r?\n|$)/.exec(rest) ?? /\r?\n---[ \t]*(?:\r?\n|$)/.exec(rest);
  if (!close) throw new ImportError("front matter", "is not closed (no --- line after it)", source);
  let data: unknown;
  try {
    data = YAML.parse(rest.slice(0, close.index), { uniqueKeys: true });
  } catch (e) {
    throw new ImportError("front matter", `is not valid YAML (${(e as Error).message.split("\n")[0]})`, source);
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    throw new ImportError("front matter", "must be a set of key: value lines", source);
  }
  return { data: data as Record<string, unknown>, body: rest.slice(close.index + close[0].length) };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

/** Epoch ms from an ISO string ("2026-03-04T05:06:07Z", "2026-03-04 05:06", "2026-03-04"), or null. */
function timeValue(v: unknown): number | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.getTime();
  if (typeof v !== "string") return null;
  const s = v
    .trim()
    .replace(/^(\d{4}-\d\d-\d\d)[ ]+(?=\d)/, "$1T")
    .replace(/\s*(UTC|GMT)$/i, "Z")
    .replace(/\s+(?=[+-]\d\d:?\d\d$)/, "");
  const ms = parseUtc(s);
  return ms === null || Number.isNaN(ms) ? null : ms;
}

const TIME_HINT = "must be a date and time like 2026-03-04T05:06:00Z";

// `.optional()` first: zod 4 reports an absent key as an error unless the schema says it may be absent.
const optionalTime = z.unknown().optional().transform((v, ctx): number | null => {
  if (v === null || v === undefined || v === "") return null;
  const ms = timeValue(v);
  if (ms === null) {
    ctx.addIssue({ code: "custom", message: `${TIME_HINT} (got ${describe(v)})` });
    return z.NEVER;
  }
  return ms;
});

const requiredTime = z.unknown().optional().transform((v, ctx): number => {
  if (v === null || v === undefined || v === "") {
    ctx.addIssue({ code: "custom", message: "is required" });
    return z.NEVER;
  }
  const ms = timeValue(v);
  if (ms === null) {
    ctx.addIssue({ code: "custom", message: `${TIME_HINT} (got ${describe(v)})` });
    return z.NEVER;
  }
  return ms;
});

function fieldPath(p: readonly PropertyKey[]): string {
  return p.reduce<string>((s, k) => (typeof k === "number" ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), "");
}

function valueAt(data: unknown, p: readonly PropertyKey[]): unknown {
  let v = data;
  for (const k of p) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

const TYPE_NAMES: Record<string, string> = { string: "text", number: "a number", array: "a list", object: "a mapping", boolean: "true or false" };

/** Validates with zod; the first problem becomes an ImportError naming the field. */
function parseWith<T extends z.ZodType>(schema: T, data: unknown, source: string | null, prefix: readonly PropertyKey[] = []): z.output<T> {
  const res = schema.safeParse(data);
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  const value = valueAt(data, issue.path);
  let field = fieldPath([...prefix, ...issue.path]);
  let problem = issue.message;
  if (issue.code === "unrecognized_keys") {
    field = fieldPath([...prefix, ...issue.path, issue.keys[0]]);
    problem = "is not a known key";
  } else if (issue.code === "invalid_type") {
    problem = value === undefined ? "is required" : `must be ${TYPE_NAMES[issue.expected] ?? issue.expected} (got ${describe(value)})`;
  } else if (issue.code === "invalid_value") {
    problem = `must be one of ${issue.values.map((v) => String(v)).join(", ")} (got ${describe(value)})`;
  } else if (issue.code === "too_small" || issue.code === "too_big") {
    problem = issue.code === "too_small" && typeof value === "string" && !value.trim() ? "must not be empty" : issue.message.replace(/^Too (small|big): expected string to have /, "must have ");
  }
  throw new ImportError(field || "front matter", problem, source);
}

const str = z.string();
const nullableStr = z.string().nullish().transform((v) => v ?? null);
const textField = z.string().nullish().transform((v) => v ?? "");
// The Faultline format keeps text exactly as exported (no trimming), so matching and round trips are exact.
const exactTitle = z.string().min(1).max(200);
const publicTitle = z.string().trim().min(1).max(200);
const nullableEnum = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values).nullish().transform((v) => (v ?? null) as T[number] | null);

const faultlineSchema = z
  .strictObject({
    faultline: z.literal(MARKDOWN_FORMAT_VERSION),
    id: z.number().int().nullish(),
    title: exactTitle,
    status: z.enum(INCIDENT_STATUSES),
    severity: z.enum(SEVERITIES),
    team: textField,
    summary: textField,
    impact: textField,
    detection_source: nullableEnum(DETECTION_SOURCES),
    started_at: requiredTime,
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
        contributing: z.array(str).nullish().transform((v) => v ?? []),
        factors: z.array(str).nullish().transform((v) => v ?? []),
      })
      .nullish()
      .transform((v) => v ?? { primary: null, contributing: [], factors: [] }),
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
    v.alerts.forEach((a, i) => {
      if ((a.model === null) !== (a.model_version === null)) {
        ctx.addIssue({ code: "custom", path: ["alerts", i, a.model === null ? "model" : "model_version"], message: "must be given together with model / model_version" });
      }
    });
  });

/** Parses and validates a Faultline Markdown file; errors name the field. */
export function parseIncidentMarkdown(text: string, source: string | null = null): { doc: IncidentDocument; postmortem: string } {
  const { data, body } = splitFrontMatter(text, source);
  if (data.faultline === undefined) {
    throw new ImportError("faultline", "is missing: not a Faultline export (expected `faultline: 1`; public postmortems have their own importer)", source);
  }
  const { faultline: _version, id: _id, ...doc } = parseWith(faultlineSchema, data, source);
  const seen = new Set<string>();
  doc.alerts.forEach((a, i) => {
    const key = `${a.sender}\u0000${a.fingerprint}`;
    if (seen.has(key)) throw new ImportError(`alerts[${i}]`, `repeats the alert ${a.sender} ${a.fingerprint}`, source);
    seen.add(key);
  });
  return { doc, postmortem: body };
}

// ---------------------------------------------------------------------------------------------------------------
// Importing Faultline Markdown.

export type ImportOutcome = "created" | "updated" | "unchanged";

export type ImportResult = {
  outcome: ImportOutcome;
  incidentId: number;
  title: string;
  /** Class ids in the file that this database does not know (the incident is left unclassified when the primary is one). */
  unknownClasses: string[];
  /** Public postmortems: categories with no mapping onto the taxonomy. */
  unmappedCategories: string[];
  /** Things that could not be carried over as written (unknown users, alerts that belong to another incident…). */
  warnings: string[];
};

export type ImportOptions = {
  /** File name used in error messages and the audit entry. */
  source?: string;
  /** Incidents this run already wrote: a second file matching one of them is an error, not a silent overwrite. */
  claimed?: ReadonlySet<number>;
  /**
   * Alerts that other files of this import define (by `alertKey`): a timeline entry may refer to an alert that
   * belongs to another incident, whose file comes later. Such an alert is written early, unlinked, and its own
   * file links it.
   */
  pendingAlerts?: ReadonlyMap<string, AlertDocument>;
};

type AlertDocument = IncidentDocument["alerts"][number];

export const alertKey = (a: AlertRef) => `${a.sender}\u0000${a.fingerprint}`;

function findIncident(tx: Conn, titleText: string, startedAt: number): number | null {
  return (
    tx
      .select({ id: incidents.id })
      .from(incidents)
      .where(and(eq(incidents.title, titleText), eq(incidents.startedAt, startedAt)))
      .orderBy(asc(incidents.id))
      .limit(1)
      .get()?.id ?? null
  );
}

function userIdByEmail(tx: Conn, email: string | null): number | null {
  if (email === null) return null;
  return tx.select({ id: users.id }).from(users).where(eq(users.email, email)).get()?.id ?? null;
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
function resolveDocument(tx: Conn, doc: IncidentDocument, incidentId: number | null, result: ImportResult, opts: ImportOptions): IncidentDocument {
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
  let classes = { primary, contributing, factors };
  if (primary === null && (contributing.length || factors.length)) {
    result.warnings.push(`no known primary class, so the incident is left unclassified (dropped ${[...contributing, ...factors].join(", ")})`);
    classes = { primary: null, contributing: [], factors: [] };
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
    timeline,
    models: linked,
    alerts: keptAlerts
      .map((a) => ({ ...a, labels: sortedRecord(a.labels), annotations: sortedRecord(a.annotations) }))
      .sort((a, b) => byText(a.sender, b.sender) || byText(a.fingerprint, b.fingerprint)),
  };
}

/** Keeps the insights copies of the primary class (class, top-level class, family) in step. */
function setClassColumns(tx: Conn, incidentId: number, primary: string | null): void {
  const c = primary === null ? undefined : tx.select().from(failureClasses).where(eq(failureClasses.id, primary)).get();
  tx.update(incidents)
    .set({ primaryClassId: c?.id ?? null, topClassId: c ? (c.parentId ?? c.id) : null, family: c?.family ?? null, classStatus: c ? "confirmed" : null })
    .where(eq(incidents.id, incidentId))
    .run();
}

function writeClasses(tx: Conn, incidentId: number, classes: IncidentDocument["classes"]): void {
  tx.delete(incidentClasses).where(eq(incidentClasses.incidentId, incidentId)).run();
  if (classes.primary !== null) {
    tx.insert(incidentClasses)
      .values([
        { incidentId, classId: classes.primary, role: "primary" as const },
        ...classes.contributing.map((classId) => ({ incidentId, classId, role: "contributing" as const })),
        ...classes.factors.map((classId) => ({ incidentId, classId, role: "factor" as const })),
      ])
      .run();
  }
  setClassColumns(tx, incidentId, classes.primary);
}

/** Sets the postmortem, recording a revision when it changed (as saving it in the app would). */
function writePostmortem(tx: Conn, incidentId: number, markdown: string, actor: Actor): void {
  const cur = tx.select({ md: incidents.postmortemMd, rev: incidents.postmortemRev }).from(incidents).where(eq(incidents.id, incidentId)).get()!;
  if (cur.md === markdown) return;
  const rev = cur.rev + 1;
  tx.update(incidents).set({ postmortemMd: markdown, postmortemRev: rev }).where(eq(incidents.id, incidentId)).run();
  tx.insert(postmortemRevisions).values({ incidentId, rev, markdown, authorId: actor.id }).run();
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

function applyDocument(
  tx: Conn,
  existing: number | null,
  doc: IncidentDocument,
  postmortem: string,
  actor: Actor,
  pendingAlerts?: ReadonlyMap<string, AlertDocument>,
): number {
  const now = Date.now();
  const fields = {
    title: doc.title,
    status: doc.status,
    severity: doc.severity,
    team: doc.team,
    summary: doc.summary,
    impact: doc.impact,
    detectionSource: doc.detection_source,
    startedAt: doc.started_at,
    detectedAt: doc.detected_at,
    mitigatedAt: doc.mitigated_at,
    resolvedAt: doc.resolved_at,
    trigger: doc.trigger,
    lifecycleStage: doc.lifecycle_stage,
    source: doc.source,
    groupKey: doc.group_key,
    ownerId: userIdByEmail(tx, doc.owner),
  };
  let id: number;
  if (existing === null) {
    id = tx.insert(incidents).values(fields).returning({ id: incidents.id }).get().id;
  } else {
    id = existing;
    tx.update(incidents)
      .set({ ...fields, version: sql`${incidents.version} + 1`, updatedAt: now })
      .where(eq(incidents.id, id))
      .run();
    tx.delete(timelineEvents).where(eq(timelineEvents.incidentId, id)).run();
    tx.delete(actionItems).where(eq(actionItems.incidentId, id)).run();
    tx.delete(incidentModels).where(eq(incidentModels.incidentId, id)).run();
    const keep = new Set(doc.alerts.map(alertKey));
    const gone = tx
      .select({ id: alerts.id, sender: alerts.sender, fingerprint: alerts.fingerprint })
      .from(alerts)
      .where(eq(alerts.incidentId, id))
      .all()
      .filter((a) => !keep.has(alertKey(a)))
      .map((a) => a.id);
    if (gone.length) tx.update(alerts).set({ incidentId: null }).where(inArray(alerts.id, gone)).run();
  }
  writePostmortem(tx, id, postmortem, actor);
  writeClasses(tx, id, doc.classes);

  for (const a of doc.alerts) upsertAlert(tx, a, id, doc.started_at);
  for (const t of doc.timeline) {
    let alertId = t.alert ? (alertRow(tx, t.alert)?.id ?? null) : null;
    const pending = t.alert && alertId === null ? pendingAlerts?.get(alertKey(t.alert)) : undefined;
    if (pending) alertId = upsertAlert(tx, pending, null, t.at);
    tx.insert(timelineEvents).values({ incidentId: id, at: t.at, kind: t.kind, body: t.body, alertId, authorId: userIdByEmail(tx, t.author) }).run();
  }
  for (const a of doc.action_items) {
    tx.insert(actionItems)
      .values({ incidentId: id, title: a.title, owner: a.owner, dueAt: a.due_at, status: a.status, kind: a.kind, completedAt: a.completed_at })
      .run();
  }
  for (const m of doc.models) {
    tx.insert(incidentModels).values({ incidentId: id, modelVersionId: ensureModelVersion(tx, m.model, m.version), role: m.role }).onConflictDoNothing().run();
  }
  return id;
}

function claim(existing: number | null, opts: ImportOptions): void {
  if (existing !== null && opts.claimed?.has(existing)) {
    throw new ImportError("title", `and start time match another file of this import (incident #${existing}); only one file may describe an incident`, opts.source ?? null);
  }
}

/**
 * Imports one Faultline Markdown file in one transaction: creates the incident, or updates the one with the same
 * title and started_at; nothing is written when it already matches. Unknown model versions are created.
 */
export function importIncidentMarkdown(db: Db, text: string, actor: Actor, opts: ImportOptions = {}): ImportResult {
  const source = opts.source ?? null;
  const { doc, postmortem } = parseIncidentMarkdown(text, source);
  return db.transaction((tx) => {
    const existing = findIncident(tx, doc.title, doc.started_at);
    claim(existing, opts);
    const result: ImportResult = { outcome: "unchanged", incidentId: existing ?? 0, title: doc.title, unknownClasses: [], unmappedCategories: [], warnings: [] };
    const resolved = resolveDocument(tx, doc, existing, result, opts);
    if (existing !== null) {
      const current = incidentDocument(tx, existing)!;
      if (renderIncidentMarkdown(current.doc, current.postmortem, null) === renderIncidentMarkdown(resolved, postmortem, null)) return result;
    }
    const anchorBefore = existing === null ? null : repeatAnchor(tx, existing);
    const id = applyDocument(tx, existing, resolved, postmortem, actor, opts.pendingAlerts);
    refreshRepeats(tx, [anchorBefore, repeatAnchor(tx, id)]);
    result.outcome = existing === null ? "created" : "updated";
    result.incidentId = id;
    recordAudit(tx, actor, "import", "incident", id, {
      format: "faultline",
      outcome: result.outcome,
      ...(source ? { file: source } : {}),
      ...(result.unknownClasses.length ? { unknownClasses: result.unknownClasses } : {}),
    });
    return result;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Importing public postmortems (front matter: title, url, start_time, end_time, categories, company, summary).

/**
 * Public categories -> taxonomy class and trigger. The first category with a class is the primary, later ones
 * contributing; the first with a trigger sets the trigger. Categories not listed (e.g. "security") are reported
 * and otherwise ignored. Keys are compared lowercased with spaces and underscores as "-".
 */
export const CATEGORY_MAP: Record<string, { classId: string; trigger: (typeof TRIGGERS)[number] | null }> = {
  "config-change": { classId: "change.config-push", trigger: "config_push" },
  config: { classId: "change.config-push", trigger: "config_push" },
  deploy: { classId: "change.binary-push", trigger: "binary_push" },
  deployment: { classId: "change.binary-push", trigger: "binary_push" },
  hardware: { classId: "capacity.cpu-network-storage", trigger: "hardware" },
  network: { classId: "capacity.cpu-network-storage", trigger: null },
  dns: { classId: "capacity.cpu-network-storage", trigger: null },
  capacity: { classId: "capacity.unprovisioned", trigger: "capacity" },
  memory: { classId: "capacity.unprovisioned", trigger: "capacity" },
  ddos: { classId: "capacity.overloaded-backend", trigger: "user_behaviour" },
  cloud: { classId: "dependency.third-party-change", trigger: "provider_change" },
  dependency: { classId: "dependency.third-party-change", trigger: "provider_change" },
  upstream: { classId: "dependency.third-party-change", trigger: "provider_change" },
  database: { classId: "dependency", trigger: null },
  automation: { classId: "orchestration.scheduler-error", trigger: null },
  time: { classId: "software.wrong-invariant", trigger: null },
};

export function normalizeCategory(c: string): string {
  return c.trim().toLowerCase().replace(/[\s_]+/g, "-");
}

const publicSchema = z
  .looseObject({
    title: publicTitle,
    url: nullableStr,
    start_time: requiredTime,
    end_time: optionalTime,
    categories: z
      .preprocess((v) => (typeof v === "string" ? [v] : v), z.array(z.string()).nullish())
      .transform((v) => v ?? []),
    company: z.string().trim().max(100).nullish().transform((v) => v ?? ""),
    summary: textField,
    severity: z.union([z.string(), z.number()]).nullish().transform((v) => (v === null || v === undefined ? null : String(v))),
  })
  .superRefine((v, ctx) => {
    if (v.end_time !== null && v.end_time < v.start_time) ctx.addIssue({ code: "custom", path: ["end_time"], message: "must not be before start_time" });
  });

/** The postmortem stored for a public file: its body, then where it came from. */
function publicPostmortem(body: string, url: string | null): string {
  const text = body.replace(/^(\s*\n)+/, "").trimEnd();
  if (!url) return text ? `${text}\n` : "";
  return `${text ? `${text}\n\n` : ""}Source: ${url}\n`;
}

/**
 * Imports one public postmortem in one transaction. New incidents are closed, SEV3 unless the file gives a
 * severity, team = company, resolved at end_time. Re-importing updates what the file states (team, summary,
 * resolved time, postmortem, and the classes and trigger when its categories map to any), leaving status,
 * severity (unless given), other fields and contributing factors as people may have edited them.
 */
export function importPublicPostmortem(db: Db, text: string, actor: Actor, opts: ImportOptions = {}): ImportResult {
  const source = opts.source ?? null;
  const { data, body } = splitFrontMatter(text, source);
  const fm = parseWith(publicSchema, data, source);
  const postmortem = publicPostmortem(body, fm.url);
  return db.transaction((tx) => {
    const existing = findIncident(tx, fm.title, fm.start_time);
    claim(existing, opts);
    const result: ImportResult = { outcome: "unchanged", incidentId: existing ?? 0, title: fm.title, unknownClasses: [], unmappedCategories: [], warnings: [] };

    const active = new Set(
      tx.select({ id: failureClasses.id }).from(failureClasses).where(and(eq(failureClasses.kind, "class"), eq(failureClasses.status, "active"))).all().map((c) => c.id),
    );
    const mapped: string[] = [];
    let trigger: (typeof TRIGGERS)[number] | null = null;
    for (const raw of fm.categories) {
      const m = CATEGORY_MAP[normalizeCategory(raw)];
      if (!m || !active.has(m.classId)) {
        if (!result.unmappedCategories.includes(raw)) result.unmappedCategories.push(raw);
        continue;
      }
      if (!mapped.includes(m.classId)) mapped.push(m.classId);
      trigger ??= m.trigger;
    }
    const classes = mapped.length ? { primary: mapped[0], contributing: mapped.slice(1).sort(byText) } : null;
    const severity: Severity | null = fm.severity === null ? null : severityFromLabel(fm.severity);

    let id: number;
    if (existing === null) {
      id = tx
        .insert(incidents)
        .values({
          title: fm.title,
          status: "closed",
          severity: severity ?? "SEV3",
          team: fm.company,
          summary: fm.summary,
          startedAt: fm.start_time,
          resolvedAt: fm.end_time,
          trigger,
          source: "manual",
          ownerId: actor.id,
        })
        .returning({ id: incidents.id })
        .get().id;
      writePostmortem(tx, id, postmortem, actor);
      if (classes) writeClasses(tx, id, { ...classes, factors: [] });
      result.outcome = "created";
    } else {
      id = existing;
      const cur = tx.select().from(incidents).where(eq(incidents.id, id)).get()!;
      const curClasses = tx
        .select({ id: incidentClasses.classId, role: incidentClasses.role })
        .from(incidentClasses)
        .where(eq(incidentClasses.incidentId, id))
        .all();
      const set: Partial<typeof incidents.$inferInsert> = {};
      if (cur.team !== fm.company) set.team = fm.company;
      if (cur.summary !== fm.summary) set.summary = fm.summary;
      if (cur.resolvedAt !== fm.end_time) set.resolvedAt = fm.end_time;
      if (severity !== null && cur.severity !== severity) set.severity = severity;
      if (trigger !== null && cur.trigger !== trigger) set.trigger = trigger;
      const sameClasses =
        !classes ||
        (curClasses.find((c) => c.role === "primary")?.id === classes.primary &&
          JSON.stringify(curClasses.filter((c) => c.role === "contributing").map((c) => c.id).sort(byText)) === JSON.stringify(classes.contributing));
      if (!Object.keys(set).length && sameClasses && cur.postmortemMd === postmortem) return result;
      const anchorBefore = repeatAnchor(tx, id);
      tx.update(incidents)
        .set({ ...set, version: cur.version + 1, updatedAt: Date.now() })
        .where(eq(incidents.id, id))
        .run();
      writePostmortem(tx, id, postmortem, actor);
      if (!sameClasses) {
        const factors = curClasses.filter((c) => c.role === "factor").map((c) => c.id);
        writeClasses(tx, id, { ...classes!, factors });
      }
      refreshRepeats(tx, [anchorBefore]);
      result.outcome = "updated";
    }
    refreshRepeats(tx, [repeatAnchor(tx, id)]);
    result.incidentId = id;
    recordAudit(tx, actor, "import", "incident", id, {
      format: "public",
      outcome: result.outcome,
      ...(source ? { file: source } : {}),
      ...(fm.url ? { url: fm.url } : {}),
      ...(result.unmappedCategories.length ? { unmappedCategories: result.unmappedCategories } : {}),
    });
    return result;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Folders of Markdown files.

export type MarkdownFile = { name: string; text: string };

/** Every .md file under a folder (recursively), sorted by path; names are relative to the folder. */
export function readMarkdownFolder(dir: string): MarkdownFile[] {
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${dir} is not a folder.`);
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.toLowerCase().endsWith(".md") && fs.statSync(path.join(dir, f)).isFile())
    .sort()
    .map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), "utf8") }));
}

export type FolderImportSummary = {
  files: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: { file: string; message: string }[];
  /** Unknown class id -> number of files naming it. */
  unknownClasses: Record<string, number>;
  /** Unmapped public category -> number of files using it. */
  unmappedCategories: Record<string, number>;
  warnings: { file: string; message: string }[];
};

/**
 * Imports files one transaction each, continuing past bad ones (their errors are collected; nothing of them is
 * written). Running it again on the same files changes nothing.
 */
export function importMarkdownFiles(db: Db, format: "faultline" | "public", files: MarkdownFile[], actor: Actor, onProgress?: Progress): FolderImportSummary {
  const summary: FolderImportSummary = { files: files.length, created: 0, updated: 0, unchanged: 0, failed: [], unknownClasses: {}, unmappedCategories: {}, warnings: [] };
  const claimed = new Set<number>();
  const pendingAlerts = new Map<string, AlertDocument>();
  if (format === "faultline") {
    for (const f of files) {
      try {
        for (const a of parseIncidentMarkdown(f.text, f.name).doc.alerts) pendingAlerts.set(alertKey(a), a);
      } catch {
        // Reported when the file itself is imported.
      }
    }
  }
  files.forEach((f, i) => {
    try {
      const opts = { source: f.name, claimed, pendingAlerts };
      const r = format === "faultline" ? importIncidentMarkdown(db, f.text, actor, opts) : importPublicPostmortem(db, f.text, actor, opts);
      claimed.add(r.incidentId);
      summary[r.outcome]++;
      for (const c of r.unknownClasses) summary.unknownClasses[c] = (summary.unknownClasses[c] ?? 0) + 1;
      for (const c of r.unmappedCategories) summary.unmappedCategories[c] = (summary.unmappedCategories[c] ?? 0) + 1;
      for (const w of r.warnings) summary.warnings.push({ file: f.name, message: w });
    } catch (e) {
      // Any failure rolled back that file's transaction; the others go on.
      const message = e instanceof ImportError ? e.message : `${f.name}: ${(e as Error).message}`;
      summary.failed.push({ file: f.name, message });
    }
    onProgress?.(i + 1, files.length);
  });
  return summary;
}

// ---------------------------------------------------------------------------------------------------------------
// The whole database as JSON.

/** Filled by triggers from other tables, or session state: never exported. */
const SKIPPED_TABLES = new Set(["sessions", "alert_rule_days"]);
/** Secrets that stay behind. */
const SKIPPED_COLUMNS: Record<string, string[]> = { api_tokens: ["token_hash"] };
/** Tables the app fills at start-up (the taxonomy from content/): may be present in an "empty" database. */
const STARTUP_TABLES = new Set(["failure_classes"]);

type TableInfo = { name: string; columns: string[]; exported: string[]; orderBy: string };

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The exported tables in foreign-key order (parents first), each with its columns and a stable row order. */
function exportedTables(sqlite: Db["$client"]): TableInfo[] {
  const names = (
    sqlite
      .prepare(
        `select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\'
           and name not like '\\_\\_drizzle%' escape '\\' and name not like 'incidents\\_fts%' escape '\\' order by name`,
      )
      .all() as { name: string }[]
  )
    .map((r) => r.name)
    .filter((n) => !SKIPPED_TABLES.has(n));
  const parents = new Map(
    names.map((n) => [
      n,
      new Set((sqlite.prepare(`pragma foreign_key_list(${quote(n)})`).all() as { table: string }[]).map((f) => f.table).filter((t) => t !== n && names.includes(t))),
    ]),
  );
  const ordered: string[] = [];
  const visit = (n: string, path: Set<string>) => {
    if (ordered.includes(n) || path.has(n)) return;
    path.add(n);
    for (const p of [...parents.get(n)!].sort()) visit(p, path);
    ordered.push(n);
  };
  for (const n of names) visit(n, new Set());
  return ordered.map((name) => {
    const cols = sqlite.prepare(`pragma table_info(${quote(name)})`).all() as { name: string; pk: number }[];
    const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => quote(c.name));
    const skipped = SKIPPED_COLUMNS[name] ?? [];
    return {
      name,
      columns: cols.map((c) => c.name),
      exported: cols.map((c) => c.name).filter((c) => !skipped.includes(c)),
      orderBy: pk.length ? pk.join(", ") : "rowid",
    };
  });
}

type Row = Record<string, string | number | null>;

function tableRows(sqlite: Db["$client"], t: TableInfo): IterableIterator<Row> {
  return sqlite.prepare(`select ${t.exported.map(quote).join(", ")} from ${quote(t.name)} order by ${t.orderBy}`).iterate() as IterableIterator<Row>;
}

export type DatabaseExport = { format: typeof DATABASE_FORMAT; version: number; tables: Record<string, Row[]> };

/** Every exported table's rows (see the top of this file for what is left out), parents before children. */
export function exportDatabaseJson(db: Db): DatabaseExport {
  const tables: Record<string, Row[]> = {};
  for (const t of exportedTables(db.$client)) tables[t.name] = [...tableRows(db.$client, t)];
  return { format: DATABASE_FORMAT, version: DATABASE_FORMAT_VERSION, tables };
}

/**
 * The same export as JSON text, in pieces (one row a line), so a large database is written without holding it
 * all in memory: `JSON.parse(pieces.join(""))` deep-equals `exportDatabaseJson(db)`.
 */
export function* exportDatabaseJsonText(db: Db, onProgress?: Progress): Generator<string> {
  const sqlite = db.$client;
  const tables = exportedTables(sqlite);
  const counts = tables.map((t) => (sqlite.prepare(`select count(*) as n from ${quote(t.name)}`).get() as { n: number }).n);
  const total = counts.reduce((a, b) => a + b, 0);
  let done = 0;
  yield `{"format":${JSON.stringify(DATABASE_FORMAT)},"version":${DATABASE_FORMAT_VERSION},"tables":{`;
  for (const [i, t] of tables.entries()) {
    yield `${i ? "," : ""}\n${JSON.stringify(t.name)}:[`;
    let first = true;
    for (const row of tableRows(sqlite, t)) {
      yield `${first ? "" : ","}\n${JSON.stringify(row)}`;
      first = false;
      if ((++done & 1023) === 0) onProgress?.(done, total);
    }
    yield "]";
  }
  yield "\n}}\n";
  onProgress?.(total, total);
}

const headerSchema = z.object({ format: z.literal(DATABASE_FORMAT), version: z.literal(DATABASE_FORMAT_VERSION) });

const READ_CHUNK_BYTES = 2 ** 20;

/**
 * A file's UTF-8 text in chunks (a character split between two reads comes out whole), reporting bytes read. The
 * file is opened at once, so a wrong path fails before anything else happens; it is closed when reading ends.
 */
export function readTextChunks(file: string, onProgress?: Progress, chunkBytes = READ_CHUNK_BYTES): Iterable<string> {
  const fd = fs.openSync(file, "r");
  let size: number;
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${file} is not a file.`);
    size = stat.size;
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  return (function* () {
    const decoder = new StringDecoder("utf8");
    const buf = Buffer.allocUnsafe(chunkBytes);
    let done = 0;
    try {
      for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) {
        done += n;
        onProgress?.(done, Math.max(size, done));
        yield decoder.write(buf.subarray(0, n));
      }
      const rest = decoder.end();
      if (rest) yield rest;
    } finally {
      fs.closeSync(fd);
    }
  })();
}

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const BACKSLASH = 0x5c;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;

/** Far beyond any row of an export: a value that long is malformed JSON (an unclosed string, say), not data. */
const MAX_VALUE_CHARS = 256 * 2 ** 20;

/** Letters, digits, "+", "-" and ".": what numbers, true, false and null are made of (JSON.parse judges the rest). */
function isScalarChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x2b || c === 0x2d || c === 0x2e;
}

/**
 * JSON text arriving in chunks, walked one value at a time while holding only the value being read: objects and
 * arrays are walked here, each leaf value (a row, a string, a number) is cut out with its strings and brackets
 * matched and handed to JSON.parse, which judges the rest. Errors name the JSON path and the byte offset.
 */
class JsonChunkReader {
  private text = "";
  private pos = 0;
  /** Where the value being read starts: text before it has been read and may be dropped. */
  private mark = 0;
  /** UTF-8 bytes dropped before `text`. */
  private dropped = 0;
  private readonly chunks: Iterator<string>;

  constructor(source: Iterable<string>) {
    this.chunks = source[Symbol.iterator]();
  }

  close(): void {
    this.chunks.return?.();
  }

  /** Appends the next chunk, dropping the text before `mark`; false at the end of the input. */
  private more(): boolean {
    const next = this.chunks.next();
    if (next.done) return false;
    let keep = this.mark;
    // A surrogate pair stays together, so byte offsets count it as the 4 bytes it is.
    if (keep > 0 && (this.text.charCodeAt(keep - 1) & 0xfc00) === 0xd800) keep--;
    if (keep > 0) this.dropped += Buffer.byteLength(this.text.slice(0, keep));
    this.text = this.text.slice(keep) + next.value;
    this.pos -= keep;
    this.mark -= keep;
    return true;
  }

  private byteAt(i: number): number {
    return this.dropped + Buffer.byteLength(this.text.slice(0, i));
  }

  /** Skips whitespace: the code of the next character, or -1 at the end of the input. */
  peek(): number {
    for (;;) {
      const s = this.text;
      let i = this.pos;
      for (; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c !== SPACE && c !== LF && c !== CR && c !== TAB) {
          this.pos = this.mark = i;
          return c;
        }
      }
      this.pos = this.mark = i;
      if (!this.more()) return -1;
    }
  }

  /** The byte offset of the next character. */
  offset(): number {
    this.peek();
    return this.byteAt(this.pos);
  }

  malformed(path: string | null, at: number, problem: string): ImportError {
    return path === null
      ? new ImportError(null, `not valid JSON at byte ${this.byteAt(at)}: ${problem}`)
      : new ImportError(path, `is not valid JSON at byte ${this.byteAt(at)}: ${problem}`);
  }

  /** The error for what stands at `pos` (after peek) when `expected` should: malformed, or cut short at the end. */
  unexpected(path: string | null, expected: string): ImportError {
    if (this.pos >= this.text.length) {
      const end = this.byteAt(this.text.length);
      return path === null
        ? new ImportError(null, `the file ends at byte ${end}, before the export does (truncated?)`)
        : new ImportError(path, `is cut short: the file ends at byte ${end} (truncated?)`);
    }
    const found = String.fromCodePoint(this.text.codePointAt(this.pos)!);
    return this.malformed(path, this.pos, `expected ${expected}, found ${JSON.stringify(found)}`);
  }

  private expect(code: number, path: string | null): void {
    if (this.peek() !== code) throw this.unexpected(path, JSON.stringify(String.fromCharCode(code)));
    this.pos++;
  }

  /** The text of the next value: strings and brackets are matched here, JSON.parse checks the rest. */
  private value(path: string | null): string {
    const first = this.peek();
    if (first !== QUOTE && first !== LBRACE && first !== LBRACKET) return this.scalar(path);
    const closers: number[] = [];
    let s = this.text;
    let i = this.pos;
    let inString = false;
    let escaped = false;
    for (;;) {
      if (i >= s.length) {
        this.pos = i;
        if (!this.more()) throw this.unexpected(path, "the rest of the value");
        if (this.pos - this.mark > MAX_VALUE_CHARS) throw this.malformed(path, this.mark, `a value longer than ${MAX_VALUE_CHARS} characters starts here`);
        s = this.text;
        i = this.pos;
        continue;
      }
      const c = s.charCodeAt(i++);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === QUOTE) {
          inString = false;
          if (!closers.length) break;
        } else if (c === BACKSLASH) escaped = true;
        // Raw line breaks are not allowed in JSON text: stopping here keeps an unclosed string from swallowing the file.
        else if (c < SPACE) throw this.malformed(path, i - 1, `a control character (U+${c.toString(16).padStart(4, "0")}) inside text`);
      } else if (c === QUOTE) inString = true;
      else if (c === LBRACE) closers.push(RBRACE);
      else if (c === LBRACKET) closers.push(RBRACKET);
      else if (c === RBRACE || c === RBRACKET) {
        const expected = closers.pop()!;
        if (c !== expected) throw this.malformed(path, i - 1, `expected ${JSON.stringify(String.fromCharCode(expected))}, found ${JSON.stringify(String.fromCharCode(c))}`);
        if (!closers.length) break;
      }
    }
    this.pos = i;
    return s.slice(this.mark, i);
  }

  private scalar(path: string | null): string {
    let s = this.text;
    let i = this.pos;
    for (;;) {
      if (i >= s.length) {
        this.pos = i;
        if (!this.more()) break;
        s = this.text;
        i = this.pos;
        continue;
      }
      if (!isScalarChar(s.charCodeAt(i))) break;
      i++;
    }
    this.pos = i;
    if (i === this.mark) throw this.unexpected(path, "a value");
    return this.text.slice(this.mark, i);
  }

  /** The next value, parsed. */
  parsed(path: string | null): unknown {
    const text = this.value(path);
    try {
      return JSON.parse(text);
    } catch (e) {
      throw this.malformed(path, this.mark, (e as Error).message);
    }
  }

  /** What the next value is, for messages ("a list", "null", "\"text\""); containers are not read. */
  describeNext(path: string | null): string {
    const c = this.peek();
    if (c === LBRACKET) return "a list";
    if (c === LBRACE) return "a mapping";
    return describe(this.parsed(path));
  }

  /** Walks the object that comes next: `member` gets each key and must read its value. */
  object(path: string | null, member: (key: string) => void): void {
    this.expect(LBRACE, path);
    if (this.peek() === RBRACE) {
      this.pos++;
      return;
    }
    for (;;) {
      if (this.peek() !== QUOTE) throw this.unexpected(path, "a quoted key");
      const key = this.parsed(path) as string;
      this.expect(COLON, path);
      member(key);
      const c = this.peek();
      if (c !== COMMA && c !== RBRACE) throw this.unexpected(path, '"," or "}"');
      this.pos++;
      if (c === RBRACE) return;
    }
  }

  /** Walks the array that comes next: `item` gets each index and must read its value. Returns the length. */
  array(path: string | null, item: (index: number) => void): number {
    this.expect(LBRACKET, path);
    if (this.peek() === RBRACKET) {
      this.pos++;
      return 0;
    }
    for (let i = 0; ; ) {
      item(i++);
      const c = this.peek();
      if (c !== COMMA && c !== RBRACKET) throw this.unexpected(path, '"," or "]"');
      this.pos++;
      if (c === RBRACKET) return i;
    }
  }
}

/** The format and version checks; with `complete` false, of the keys read so far (the rest is checked at the end). */
function checkHeader(header: { format?: unknown; version?: unknown }, complete: boolean): void {
  if (!complete && !("format" in header)) return;
  if (header.format !== DATABASE_FORMAT) throw new ImportError("format", `must be "${DATABASE_FORMAT}": this is not a Faultline database export`);
  if (!complete && !("version" in header)) return;
  parseWith(headerSchema, header, null);
}

function refuseNonEmpty(sqlite: Db["$client"], tables: TableInfo[]): void {
  const nonEmpty = [...tables.map((t) => t.name).filter((n) => !STARTUP_TABLES.has(n)), "sessions"]
    .map((name) => ({ name, n: (sqlite.prepare(`select count(*) as n from ${quote(name)}`).get() as { n: number }).n }))
    .filter((t) => t.n > 0);
  if (nonEmpty.length) {
    throw new Error(
      `Refusing to import: the database already holds data (${nonEmpty.map((t) => `${t.n} ${t.name}`).join(", ")}). ` +
        "A database export can only be read into a new, empty database file.",
    );
  }
}

// Rows go in several to a statement. Each statement with a trigger is a savepoint, and FTS5 writes out its pending
// index at every savepoint: one row per statement made importing incidents quadratic (a segment per row).
const ROWS_PER_INSERT = 1000;
/** SQLite's default cap on parameters in one statement. */
const MAX_INSERT_VARIABLES = 32766;

/** Inserts the rows of the table that comes next as they are read, a batch at a time; returns how many there were. */
function importTableRows(sqlite: Db["$client"], json: JsonChunkReader, t: TableInfo, now: number): number {
  const path = `tables.${t.name}`;
  if (json.peek() !== LBRACKET) throw new ImportError(path, `must be a list (got ${json.describeNext(path)})`);
  const columns = new Set(t.exported);
  const verb = STARTUP_TABLES.has(t.name) ? "insert or replace" : "insert";
  const statements = new Map<string, Statement<unknown[]>>();
  const insert = (cols: string[], rows: number) => {
    const key = `${rows}:${cols.join("\u0000")}`;
    let stmt = statements.get(key);
    if (!stmt) {
      const tuple = `(${cols.map(() => "?").join(", ")})`;
      stmt = sqlite.prepare<unknown[]>(`${verb} into ${quote(t.name)} (${cols.map(quote).join(", ")}) values ${Array(rows).fill(tuple).join(", ")}`);
      statements.set(key, stmt);
    }
    return stmt;
  };
  let batch: Row[] = [];
  let batchCols: string[] = [];
  let batchKey = "";
  let batchStart = 0;
  const flush = () => {
    if (!batch.length) return;
    const values: unknown[] = [];
    for (const row of batch) for (const c of batchCols) values.push(row[c]);
    try {
      insert(batchCols, batch.length).run(values);
    } catch (e) {
      // The failed statement changed nothing: row by row again, so the error names the row.
      batch.forEach((row, k) => {
        try {
          insert(batchCols, 1).run(batchCols.map((c) => row[c]));
        } catch (rowError) {
          throw new ImportError(`${path}[${batchStart + k}]`, `cannot be inserted: ${(rowError as Error).message}`);
        }
      });
      throw new ImportError(`${path}[${batchStart}]`, `cannot be inserted: ${(e as Error).message}`);
    }
    batch = [];
  };
  const count = json.array(path, (i) => {
    const rowPath = `${path}[${i}]`;
    if (json.peek() !== LBRACE) throw new ImportError(rowPath, `must be a mapping (got ${json.describeNext(rowPath)})`);
    const row = json.parsed(rowPath) as Row;
    for (const col of Object.keys(row)) {
      const v: unknown = row[col];
      if (v !== null && typeof v !== "string" && !(typeof v === "number" && Number.isFinite(v))) {
        throw new ImportError(`${rowPath}.${col}`, `must be text, a number or null (got ${describe(v)})`);
      }
    }
    for (const col of Object.keys(row)) {
      if (!columns.has(col)) throw new ImportError(`${rowPath}.${col}`, "is not a column this database imports");
    }
    if (t.name === "api_tokens") {
      // The secret stayed behind: a placeholder no sha-256 equals, and the token shown as revoked.
      row.token_hash = `imported:${String(row.id)}:${i}`;
      row.revoked_at ??= now;
    }
    const cols = Object.keys(row);
    const key = cols.join("\u0000");
    if (key !== batchKey) {
      flush();
      batchKey = key;
      batchCols = cols;
    }
    if (!batch.length) batchStart = i;
    batch.push(row);
    if (batch.length >= Math.min(ROWS_PER_INSERT, Math.floor(MAX_INSERT_VARIABLES / cols.length))) flush();
  });
  flush();
  return count;
}

/**
 * Reads a database export, given as text in chunks (`readTextChunks` for a file), into an empty database (only the
 * taxonomy synced from content/ may be there; the export's classes replace it), keeping every id, in one
 * transaction. Rows are inserted as they are read, so the export may be larger than memory; tables must come in the
 * order the export writes them. Imported API tokens cannot authenticate (their secrets were not exported) and come
 * back revoked.
 */
export function importDatabaseJson(db: Db, source: Iterable<string>, actor: Actor): { rows: Record<string, number> } {
  const sqlite = db.$client;
  const tables = exportedTables(sqlite);
  const order = new Map(tables.map((t, i) => [t.name, i]));
  const json = new JsonChunkReader(source);
  const header: { format?: unknown; version?: unknown } = {};
  const counts: Record<string, number> = {};
  let tablesRead = false;
  const now = Date.now();
  try {
    db.transaction((tx) => {
      // Cycles and rows referring forward are checked once, at the end, rather than row by row.
      tx.run(sql`pragma defer_foreign_keys = on`);
      const first = json.peek();
      if (first !== LBRACE) {
        const found = first === -1 ? "the file is empty" : `no JSON object at byte ${json.offset()}`;
        throw new ImportError("format", `must be "${DATABASE_FORMAT}": this is not a Faultline database export (${found})`);
      }
      json.object(null, (key) => {
        if (key !== "tables") {
          const value = json.parsed(key);
          if (key === "format" || key === "version") header[key] = value;
          return;
        }
        if (tablesRead) throw new ImportError("tables", "appears twice");
        tablesRead = true;
        // Usually the format and version come first: a wrong file is refused before any row is read.
        checkHeader(header, false);
        refuseNonEmpty(sqlite, tables);
        if (json.peek() !== LBRACE) throw new ImportError("tables", `must be a mapping (got ${json.describeNext("tables")})`);
        let last = -1;
        json.object("tables", (name) => {
          const index = order.get(name);
          if (index === undefined) throw new ImportError(`tables.${name}`, "is not a table this database imports (exported by a newer version?)");
          if (index === last) throw new ImportError(`tables.${name}`, "appears twice");
          // Insert triggers (full-text index, rule rollups) need the parent rows in place first.
          if (index < last) {
            throw new ImportError(`tables.${name}`, `comes after tables.${tables[last].name}: tables must be in the order the export writes them (parents first)`);
          }
          last = index;
          counts[name] = importTableRows(sqlite, json, tables[index], now);
        });
      });
      if (json.peek() !== -1) throw json.unexpected(null, "the end of the file after the export");
      checkHeader(header, true);
      if (!tablesRead) throw new ImportError("tables", "is required");
      const broken = sqlite.prepare("pragma foreign_key_check").all() as { table: string; rowid: number; parent: string }[];
      if (broken.length) {
        const b = broken[0];
        throw new ImportError(`tables.${b.table}`, `has a row (rowid ${b.rowid}) referring to a missing ${b.parent} row${broken.length > 1 ? ` (and ${broken.length - 1} more)` : ""}`);
      }
      recordAudit(tx, actor, "import", "database", "json", { format: DATABASE_FORMAT, version: DATABASE_FORMAT_VERSION, rows: counts });
    });
  } finally {
    json.close();
  }
  return { rows: counts };
}
