/**
 * Importing public postmortems: Markdown files with YAML front matter as the public corpora write them (icco's
 * postmortems, danluu's list, AI Incident Database records, status-page incidents, once put in files). Every rule
 * here is described for users in content/guides/importing-history.md; keep the two in step.
 *
 * Keys, each taken from the first of its names the file uses: title | name; start_time | started_at | date;
 * end_time | resolved_at; summary | description; company | organization (the team); severity | impact; the
 * record's id from uuid, then id | incident_id, then url. Labels come from categories, tags, labels and
 * technical_failures together, and are mapped onto the taxonomy by content (source-labels.server.ts).
 */
import * as chrono from "chrono-node";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { SEVERITIES, incidentClasses, incidents } from "../../../db/schema";
import { isoOrNull } from "../../utils/dates";
import type { Conn } from "../../utils/db.server";
import { recordAudit, type Actor } from "../audit.server";
import { refreshRepeats, repeatAnchor } from "../repeats.server";
import { activeClasses, classifyLabels, loadLabelMappings, writeSourceLabels } from "../source-labels.server";
import { ImportError, byText, describe, issueProblems, optionalTime, type FieldProblem } from "./fields.server";
import { splitFrontMatter } from "./front-matter.server";
import { claim, findImported, planFields, recordImportedFields, type FieldValues } from "./provenance.server";
import { newResult, writeClasses, writePostmortem, type ImportOptions, type ImportResult } from "./writes.server";

type Severity = (typeof SEVERITIES)[number];

/** Size limits, named in the errors. */
export const PUBLIC_LIMITS = { title: 200, team: 100, summary: 10_000, labels: 50, label: 100, url: 2_000 } as const;

/** Canonical key -> the names files use for it, in order of preference. */
const KEY_NAMES = {
  title: ["title", "name"],
  start_time: ["start_time", "started_at", "date"],
  end_time: ["end_time", "resolved_at"],
  summary: ["summary", "description"],
  team: ["company", "organization"],
  severity: ["severity", "impact"],
  uuid: ["uuid"],
  id: ["id", "incident_id"],
  url: ["url"],
  published: ["source_published_at", "published_at"],
} as const;
const LABEL_KEYS = ["categories", "tags", "labels", "technical_failures"] as const;

const SEVERITY_WORDS: Record<string, Severity> = {
  critical: "SEV1",
  emergency: "SEV1",
  severe: "SEV1",
  major: "SEV2",
  high: "SEV2",
  medium: "SEV3",
  moderate: "SEV3",
  minor: "SEV3",
  low: "SEV4",
  none: "SEV4",
  info: "SEV4",
  informational: "SEV4",
};
const SEVERITY_RULE = "must be SEV1–SEV4, a number 0–5, P0–P5 or one of critical, major, high, medium, minor, low, none";

/** The documented severity rule: SEVn, Pn and bare numbers (0 and 1 are SEV1, 5 is SEV4), or a word; else null. */
export function severityFromText(v: string | number): Severity | null {
  const s = String(v).trim().toLowerCase().replace(/[\s_-]+/g, "");
  const n = /^(?:sev|p)?([0-5])$/.exec(s);
  if (n) return SEVERITIES[Math.min(3, Math.max(0, Number(n[1]) - 1))];
  return SEVERITY_WORDS[s] ?? null;
}

const severityField = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v, ctx): Severity | null => {
    if (v === null || v === undefined || v === "") return null;
    const sev = severityFromText(v);
    if (sev === null) ctx.addIssue({ code: "custom", message: `${SEVERITY_RULE} (got ${describe(v)})` });
    return sev ?? z.NEVER;
  });

const labelList = z
  .preprocess((v) => (typeof v === "string" ? [v] : v), z.array(z.string().trim().min(1).max(PUBLIC_LIMITS.label)).max(PUBLIC_LIMITS.labels).nullish())
  .transform((v) => v ?? []);
const recordId = z
  .union([z.string().trim().min(1).max(200), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined ? null : String(v)));

const publicSchema = z.object({
  title: z.string().trim().min(1).max(PUBLIC_LIMITS.title).nullish(),
  start_time: optionalTime,
  end_time: optionalTime,
  published: optionalTime,
  summary: z.string().max(PUBLIC_LIMITS.summary).nullish().transform((v) => v ?? ""),
  team: z.string().trim().max(PUBLIC_LIMITS.team).nullish().transform((v) => v ?? ""),
  severity: severityField,
  uuid: recordId,
  id: recordId,
  url: z.string().trim().max(PUBLIC_LIMITS.url).nullish().transform((v) => v || null),
  ...Object.fromEntries(LABEL_KEYS.map((k) => [k, labelList])),
});

type PublicFields = z.output<typeof publicSchema> & Record<(typeof LABEL_KEYS)[number], string[]>;

/** The first full calendar date written in the text (a year, month and day), as chrono-node reads it. */
function dateInText(text: string): { at: number; text: string } | null {
  for (const r of chrono.strict.parse(text, { instant: new Date(), timezone: "UTC" })) {
    const s = r.start;
    // Relative phrases ("for 90 minutes") come out "certain" too: only a written year counts.
    if (!/\b(19|20)\d\d\b/.test(r.text) || !s.isCertain("day") || !s.isCertain("month")) continue;
    const at = s.isCertain("hour") ? s.date().getTime() : Date.UTC(s.get("year")!, s.get("month")! - 1, s.get("day")!);
    if (at >= Date.UTC(1970, 0, 1) && at <= Date.now()) return { at, text: r.text };
  }
  return null;
}

/** The first sentence of a text, cut at a word to at most `max` characters. */
function firstSentence(text: string, max: number): string {
  const plain = text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[#*_`>]+/g, "")
    .replace(/\s+/g, " ")
    .trim();
  const sentence = /^(.+?[.!?])(\s|$)/.exec(plain)?.[1] ?? plain;
  if (sentence.length <= max) return sentence;
  return `${sentence.slice(0, max - 1).replace(/\s+\S*$/, "")}…`;
}

type ParsedPublic = {
  title: string;
  externalId: string | null;
  start: { at: number; suggested: { from: string } | null };
  endTime: number | null;
  summary: string;
  team: string;
  severity: Severity | null;
  url: string | null;
  labels: string[];
  postmortem: string;
  warnings: string[];
};

/** The postmortem stored for a public file: its body, then where it came from. */
function publicPostmortem(body: string, url: string | null): string {
  const text = body.replace(/^(\s*\n)+/, "").trimEnd();
  if (!url) return text ? `${text}\n` : "";
  return `${text ? `${text}\n\n` : ""}Source: ${url}\n`;
}

/** Reads and checks a public file; every problem is reported at once, each under the key the file used. */
export function parsePublicPostmortem(text: string, source: string | null = null): ParsedPublic {
  const { data, body } = splitFrontMatter(text, source);
  const canonical: Record<string, unknown> = {};
  const used: Record<string, string> = {};
  for (const [key, names] of Object.entries(KEY_NAMES)) {
    const name = names.find((n) => data[n] !== undefined && data[n] !== null);
    if (name !== undefined) {
      canonical[key] = data[name];
      used[key] = name;
    }
  }
  for (const k of LABEL_KEYS) canonical[k] = data[k];
  // Key by key, so that a bad value in one does not hide a missing title or start time.
  const problems: FieldProblem[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(publicSchema.shape)) {
    const res = (schema as z.ZodType).safeParse(canonical[key]);
    if (res.success) parsed[key] = res.data;
    else problems.push(...issueProblems(res.error, canonical[key], [used[key] ?? key]));
  }
  const fm = { ...Object.fromEntries(Object.keys(publicSchema.shape).map((k) => [k, null])), ...parsed } as PublicFields;
  for (const k of LABEL_KEYS) fm[k] ??= [];
  const warnings: string[] = [];

  let title = fm.title ?? null;
  if (title === null && canonical.title === undefined) {
    const sentence = firstSentence(fm.summary || body, 120);
    if (sentence) {
      title = fm.team ? `${fm.team}: ${sentence}` : sentence;
      warnings.push("title was missing: made one from the company and the first sentence (edit it in the app)");
    } else problems.push({ field: "title", problem: "is required (and there is no summary or text to make one from)" });
  }

  let start: ParsedPublic["start"] | null = null;
  if (fm.start_time !== null) start = { at: fm.start_time, suggested: null };
  else if (canonical.start_time === undefined || canonical.start_time === "") {
    const inText = dateInText(`${fm.summary}\n${body}`);
    const candidates: { at: number; from: string }[] = [
      ...(inText ? [{ at: inText.at, from: `the date in the text ("${inText.text}")` }] : []),
      ...(fm.published !== null ? [{ at: fm.published, from: used.published }] : []),
    ].filter((c) => fm.end_time === null || c.at <= fm.end_time);
    const pick = candidates[0] ?? (fm.end_time !== null ? { at: fm.end_time, from: "end_time" } : null);
    if (pick) start = { at: pick.at, suggested: { from: pick.from } };
    else problems.push({ field: "start_time", problem: "is missing, and nothing in the file dates the incident: add start_time (a day such as 2023-07-20 is enough)" });
  }
  if (start && start.suggested === null && fm.end_time !== null && fm.end_time < start.at) {
    problems.push({ field: used.end_time, problem: `must not be before ${used.start_time}` });
  }
  if (problems.length || !start || title === null) throw ImportError.of(problems, source);

  if (fm.severity === null) warnings.push("severity not given: SEV3");
  const externalId = fm.uuid !== null ? `uuid:${fm.uuid}` : fm.id !== null ? `id:${fm.id}` : fm.url !== null ? `url:${fm.url}` : null;
  return {
    title,
    externalId,
    start,
    endTime: fm.end_time,
    summary: fm.summary,
    team: fm.team,
    severity: fm.severity,
    url: fm.url,
    labels: LABEL_KEYS.flatMap((k) => fm[k]),
    postmortem: publicPostmortem(body, fm.url),
    warnings,
  };
}

/** The fields of an incident that a public file sets, as provenance compares them. */
function currentFields(tx: Conn, id: number): FieldValues & { factors: string[] } {
  const cur = tx.select().from(incidents).where(eq(incidents.id, id)).get()!;
  const classes = tx.select({ id: incidentClasses.classId, role: incidentClasses.role }).from(incidentClasses).where(eq(incidentClasses.incidentId, id)).all();
  const primary = classes.find((c) => c.role === "primary")?.id ?? null;
  const ids = (role: string) => classes.filter((c) => c.role === role).map((c) => c.id).sort(byText);
  return {
    title: cur.title,
    started_at: cur.startedAt,
    started_at_status: cur.startedAtStatus,
    resolved_at: cur.resolvedAt,
    team: cur.team,
    summary: cur.summary,
    severity: cur.severity,
    trigger: cur.trigger,
    classes: primary === null ? null : { primary, contributing: ids("contributing") },
    postmortem: cur.postmortemMd,
    factors: ids("factor"),
  };
}

/**
 * Imports one public postmortem in one transaction (a savepoint inside a transaction). New incidents are closed,
 * SEV3 unless the file gives a severity, team = company, resolved at end_time, classes from its labels (confirmed:
 * the file states them). A re-import updates the fields no person changed since the last import and reports the
 * others as conflicts; status, other fields and contributing factors stay as people set them.
 */
export function importPublicPostmortem(db: Conn, text: string, actor: Actor, opts: ImportOptions = {}): ImportResult {
  const source = opts.source ?? null;
  const fm = parsePublicPostmortem(text, source);
  const mappings = opts.mappings ?? loadLabelMappings();
  return db.transaction((tx) => {
    const existing = findImported(tx, fm.externalId, fm.title, fm.start.at);
    claim(existing, opts.claimed, source);
    const result = newResult(fm.title, existing);
    result.warnings.push(...fm.warnings);
    const mapped = classifyLabels(fm.labels, mappings, activeClasses(tx));
    result.unmappedLabels = mapped.labels.filter((l) => l.classId === null).map((l) => l.label);
    const incoming: FieldValues = {
      title: fm.title,
      started_at: fm.start.at,
      started_at_status: fm.start.suggested ? "suggested" : "confirmed",
      resolved_at: fm.endTime,
      team: fm.team,
      summary: fm.summary,
      severity: fm.severity ?? "SEV3",
      trigger: mapped.trigger,
      classes: mapped.primary === null ? null : { primary: mapped.primary, contributing: mapped.contributing },
      postmortem: fm.postmortem,
    };

    let id: number;
    let factors: string[] = [];
    if (existing === null) {
      id = tx
        .insert(incidents)
        .values({
          title: fm.title,
          status: "closed",
          severity: fm.severity ?? "SEV3",
          team: fm.team,
          summary: fm.summary,
          startedAt: fm.start.at,
          startedAtStatus: fm.start.suggested ? "suggested" : "confirmed",
          resolvedAt: fm.endTime,
          trigger: mapped.trigger,
          source: "manual",
          ownerId: actor.id,
          externalId: fm.externalId,
        })
        .returning({ id: incidents.id })
        .get().id;
      result.changed = Object.keys(incoming);
    } else {
      id = existing;
      const current = currentFields(tx, id);
      factors = current.factors;
      // A file without a severity says nothing about it: SEV3 is only where new incidents start.
      if (fm.severity === null) delete incoming.severity;
      // A suggested start says less than a person's confirmation: it never competes with one.
      if (fm.start.suggested && current.started_at_status === "confirmed") {
        delete incoming.started_at;
        delete incoming.started_at_status;
      }
      const plan = planFields(tx, id, current, incoming);
      result.changed = plan.changed;
      result.conflicts = plan.conflicts;
      if (plan.conflicts.includes("classes")) incoming.classes = current.classes;
    }
    const changed = new Set(result.changed);
    /** What is left for a person after the import: a class to choose, a suggested start to confirm. */
    const needs = () => {
      const row = tx.select({ c: incidents.primaryClassId, s: incidents.startedAtStatus, at: incidents.startedAt }).from(incidents).where(eq(incidents.id, id)).get()!;
      result.classified = row.c !== null;
      if (row.s === "suggested" && fm.start.suggested && row.at === fm.start.at) result.suggestedStart = { at: row.at, from: fm.start.suggested.from };
    };
    writeSourceLabels(tx, id, mapped.labels);
    if (existing !== null && !changed.size) {
      recordImportedFields(tx, id, incoming, result.conflicts);
      needs();
      return result;
    }
    const anchorBefore = existing === null ? null : repeatAnchor(tx, id);
    if (existing !== null) {
      const set: Partial<typeof incidents.$inferInsert> = {};
      if (changed.has("title")) set.title = fm.title;
      if (changed.has("started_at")) set.startedAt = fm.start.at;
      if (changed.has("started_at_status")) set.startedAtStatus = fm.start.suggested ? "suggested" : "confirmed";
      if (changed.has("resolved_at")) set.resolvedAt = fm.endTime;
      if (changed.has("team")) set.team = fm.team;
      if (changed.has("summary")) set.summary = fm.summary;
      if (changed.has("severity")) set.severity = fm.severity ?? "SEV3";
      if (changed.has("trigger")) set.trigger = mapped.trigger;
      tx.update(incidents)
        .set({ ...set, version: sql`${incidents.version} + 1`, updatedAt: Date.now() })
        .where(eq(incidents.id, id))
        .run();
      if (fm.externalId !== null) tx.update(incidents).set({ externalId: fm.externalId }).where(eq(incidents.id, id)).run();
    }
    if (changed.has("postmortem")) writePostmortem(tx, id, fm.postmortem, actor);
    if (changed.has("classes")) {
      const c = incoming.classes as { primary: string; contributing: string[] } | null;
      writeClasses(tx, id, { primary: c?.primary ?? null, status: c ? "confirmed" : null, contributing: c?.contributing ?? [], factors: c ? factors : [] });
    }
    recordImportedFields(tx, id, incoming, result.conflicts);
    refreshRepeats(tx, [anchorBefore, repeatAnchor(tx, id)]);
    result.outcome = existing === null ? "created" : "updated";
    result.incidentId = id;
    needs();
    recordAudit(tx, actor, "import", "incident", id, {
      format: "public",
      outcome: result.outcome,
      ...(source ? { file: source } : {}),
      ...(fm.url ? { url: fm.url } : {}),
      ...(existing === null ? {} : { fields: result.changed }),
      ...(result.conflicts.length ? { conflicts: result.conflicts } : {}),
      ...(fm.start.suggested ? { suggestedStart: { at: isoOrNull(fm.start.at), from: fm.start.suggested.from } } : {}),
      labels: mapped.labels.map((l) => ({ label: l.label, class: l.classId })),
    });
    return result;
  });
}
