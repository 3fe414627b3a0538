/**
 * Labels that other sources give incidents (public corpus categories, the AI Incident Database's technical-failure
 * labels, an old tool's categories), mapped onto the taxonomy by content, and kept on each imported incident.
 *
 * Where mappings come from: every class file's `labels: {strong: [...], weak: [...]}`, every file in
 * content/mappings/ (`labels: {<class id>: {strong, weak}}`, `triggers: {<trigger>: [...]}`), and each class id,
 * which always maps to itself (strongly). A label may map to one class only. Labels compare lowercased, with runs
 * of spaces, underscores and slashes as "-".
 *
 * The primary class is chosen by rule, never by the order labels are written in: strong before weak evidence, then
 * a subclass before a top-level class (the most specific), then the class more labels point at, then the class id
 * that sorts first. Other mapped classes contribute, except the primary's own parent (already implied).
 */
import path from "node:path";
import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { TRIGGERS, failureClasses, incidentSourceLabels } from "../../db/schema";
import { CONTENT_DIR, ContentError, listContentFiles, readContentFile } from "../utils/content.server";
import type { Conn, Db } from "../utils/db.server";
import { labelStrengths, loadTaxonomy, type LabelStrengths, type TaxonomyEntry } from "./taxonomy.server";

export type Trigger = (typeof TRIGGERS)[number];
export type Strength = "strong" | "weak";
export type LabelTarget = { classId: string; strength: Strength; file: string };
export type LabelMappings = { classes: Map<string, LabelTarget>; triggers: Map<string, { trigger: Trigger; file: string }> };

/** The form labels are compared in: "Config Errors" and "config_errors" are both "config-errors". */
export function labelKey(label: string): string {
  return label
    .trim()
    .toLowerCase()
    .replace(/[\s_/]+/g, "-");
}

const mappingFileSchema = z.strictObject({
  name: z.string({ error: "name must be text" }).trim().min(1, "name must not be empty"),
  labels: z.record(z.string(), labelStrengths, { error: "labels must map class ids to {strong, weak} lists" }).optional(),
  triggers: z
    .partialRecord(z.enum(TRIGGERS, { error: `triggers must be keyed by ${TRIGGERS.join(", ")}` }), z.array(z.string().trim().min(1)), {
      error: "triggers must map triggers to lists of labels",
    })
    .optional(),
});

function mappingProblems(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const where = i.path.length ? `${i.path.map(String).join(".")}: ` : "";
      if (i.code === "unrecognized_keys") return `${where}unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `"${k}"`).join(", ")}`;
      return `${where}${i.message}`;
    })
    .join("; ");
}

/**
 * Reads every mapping in content (class files' labels and content/mappings/*.md) and checks them: a class that does
 * not exist, a label that is another class's id or is mapped twice stop start-up with a ContentError naming the file.
 */
export function loadLabelMappings(taxonomy: TaxonomyEntry[] = loadTaxonomy(), root: string = CONTENT_DIR): LabelMappings {
  const classes = new Map<string, LabelTarget>();
  const triggers = new Map<string, { trigger: Trigger; file: string }>();
  const classIds = new Set(taxonomy.filter((e) => e.kind === "class").map((e) => e.id));
  for (const id of classIds) classes.set(id, { classId: id, strength: "strong", file: taxonomy.find((e) => e.id === id)!.file });

  const add = (file: string, classId: string, labels: LabelStrengths) => {
    for (const strength of ["strong", "weak"] as const) {
      for (const label of labels[strength]) {
        const key = labelKey(label);
        const first = classes.get(key);
        if (classIds.has(key)) throw new ContentError(file, `label "${label}" is the id of a class (ids always map to themselves)`);
        if (first) {
          throw new ContentError(file, `label "${label}" is mapped twice (also to ${first.classId} by ${path.relative(process.cwd(), first.file)})`);
        }
        classes.set(key, { classId, strength, file });
      }
    }
  };
  for (const e of taxonomy) if (e.kind === "class") add(e.file, e.id, e.labels);

  const mappingsDir = path.join(root, "mappings");
  for (const file of listContentFiles(path.relative(CONTENT_DIR, mappingsDir))) {
    const { data } = readContentFile(file);
    const res = mappingFileSchema.safeParse(data);
    if (!res.success) throw new ContentError(file, mappingProblems(res.error));
    for (const [classId, labels] of Object.entries(res.data.labels ?? {})) {
      if (!classIds.has(classId)) throw new ContentError(file, `labels: "${classId}" is not a failure class in content/taxonomy`);
      add(file, classId, labels);
    }
    for (const [trigger, labels] of Object.entries(res.data.triggers ?? {}) as [Trigger, string[]][]) {
      for (const label of labels) {
        const key = labelKey(label);
        const first = triggers.get(key);
        if (first) throw new ContentError(file, `trigger label "${label}" is mapped twice (also to ${first.trigger} by ${path.relative(process.cwd(), first.file)})`);
        triggers.set(key, { trigger: trigger as Trigger, file });
      }
    }
  }
  return { classes, triggers };
}

export type MappedLabel = { label: string; key: string; classId: string | null; strength: Strength | null };
export type LabelClassification = {
  primary: string | null;
  contributing: string[];
  trigger: Trigger | null;
  labels: MappedLabel[];
};

/** A class of the taxonomy as far as mapping needs it; retired classes are left out (their labels stay unmapped). */
export type ActiveClass = { id: string; parentId: string | null };

/** The active classes (not factors) by id. */
export function activeClasses(db: Conn): Map<string, ActiveClass> {
  return new Map(
    db
      .select({ id: failureClasses.id, parentId: failureClasses.parentId })
      .from(failureClasses)
      .where(and(eq(failureClasses.kind, "class"), eq(failureClasses.status, "active")))
      .all()
      .map((c) => [c.id, c]),
  );
}

const STRENGTH_RANK: Record<Strength, number> = { strong: 2, weak: 1 };

/** Maps a file's labels onto the active classes (see the top of this file for the rule). */
export function classifyLabels(raw: readonly string[], mappings: LabelMappings, active: ReadonlyMap<string, ActiveClass>): LabelClassification {
  const labels: MappedLabel[] = [];
  const seen = new Set<string>();
  const evidence = new Map<string, { strength: number; support: number }>();
  const triggers = new Set<Trigger>();
  for (const label of raw) {
    const key = labelKey(label);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    const target = mappings.classes.get(key);
    const cls = target ? active.get(target.classId) : undefined;
    labels.push({ label: label.trim(), key, classId: cls ? cls.id : null, strength: cls ? target!.strength : null });
    if (cls) {
      const e = evidence.get(cls.id) ?? { strength: 0, support: 0 };
      evidence.set(cls.id, { strength: Math.max(e.strength, STRENGTH_RANK[target!.strength]), support: e.support + 1 });
    }
    const trigger = mappings.triggers.get(key);
    if (trigger) triggers.add(trigger.trigger);
  }
  const ranked = [...evidence.entries()].sort(
    ([a, ea], [b, eb]) =>
      eb.strength - ea.strength ||
      Number(active.get(b)!.parentId !== null) - Number(active.get(a)!.parentId !== null) ||
      eb.support - ea.support ||
      (a < b ? -1 : 1),
  );
  const primary = ranked[0]?.[0] ?? null;
  const parentOfPrimary = primary === null ? null : active.get(primary)!.parentId;
  const contributing = ranked
    .map(([id]) => id)
    .filter((id) => id !== primary && id !== parentOfPrimary)
    .sort();
  // One trigger only when the labels agree on it: two different ones would be a guess.
  const trigger = triggers.size === 1 ? [...triggers][0] : null;
  return { primary, contributing, trigger, labels };
}

/** Replaces an incident's source labels with these (the file's, as written); writes nothing when they are the same. */
export function writeSourceLabels(tx: Conn, incidentId: number, labels: readonly MappedLabel[]): void {
  const text = (ls: readonly { label: string; classId: string | null }[]) => JSON.stringify(ls.map((l) => [l.label, l.classId]).sort());
  if (text(sourceLabelsOf(tx, incidentId)) === text(labels)) return;
  tx.delete(incidentSourceLabels).where(eq(incidentSourceLabels.incidentId, incidentId)).run();
  if (labels.length) {
    tx.insert(incidentSourceLabels)
      .values(labels.map((l) => ({ incidentId, label: l.label, key: l.key, classId: l.classId })))
      .run();
  }
}

/** An incident's source labels, in the order of their keys. */
export function sourceLabelsOf(db: Conn, incidentId: number): { label: string; classId: string | null }[] {
  return db
    .select({ label: incidentSourceLabels.label, classId: incidentSourceLabels.classId })
    .from(incidentSourceLabels)
    .where(eq(incidentSourceLabels.incidentId, incidentId))
    .orderBy(asc(incidentSourceLabels.key))
    .all();
}

/** Distinct source label keys in order, for the incidents filter; read by skipping through the key index. */
export function sourceLabelKeys(db: Db, limit = 500): string[] {
  return db
    .all<{ key: string }>(
      sql`with recursive k(key, n) as (select min(key), 1 from incident_source_labels
        union all select (select min(key) from incident_source_labels where key > k.key), n + 1 from k where k.key is not null and n < ${limit})
      select key from k where key is not null`,
    )
    .map((r) => r.key);
}
