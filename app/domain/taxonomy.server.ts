import path from "node:path";
import { and, asc, count, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { classChanges, failureClasses, incidentClasses, incidents } from "../../db/schema";
import { CONTENT_DIR, ContentError, listContentFiles, readContentFile } from "../utils/content.server";
import type { Db } from "../utils/db.server";
import { allowedImageHosts } from "../utils/image-hosts.server";
import { renderMarkdown } from "../utils/markdown.server";
import { syncIncidentClassColumns } from "./repeats.server";

export type Family = "ml" | "non-ml";
export type FailureClass = typeof failureClasses.$inferSelect;

/** One failure class, subclass or contributing factor as read from content/. */
export type TaxonomyEntry = {
  id: string;
  parentId: string | null;
  family: Family | null;
  kind: "class" | "factor";
  name: string;
  position: number;
  body: string;
  file: string;
  /** Labels other sources use for this class (see content/guides/importing-history.md). */
  labels: LabelStrengths;
};

/** Labels by how strongly they point at a class: a specific term is strong evidence, a generic word weak. */
export type LabelStrengths = { strong: string[]; weak: string[] };

const labelList = z.array(z.string({ error: "labels must be lists of text" }).trim().min(1, "labels must not be empty").max(100, "labels must be at most 100 characters"), {
  error: "labels.strong and labels.weak must be lists of text",
});
/** `labels: {strong: [...], weak: [...]}`, both optional; also used by content/mappings. */
export const labelStrengths = z
  .strictObject({ strong: labelList.optional(), weak: labelList.optional() }, { error: "labels must be a mapping with strong and/or weak lists" })
  .transform((v): LabelStrengths => ({ strong: v.strong ?? [], weak: v.weak ?? [] }));
const noLabels: LabelStrengths = { strong: [], weak: [] };

const ID_SEGMENT = /^[a-z0-9-]+$/;
const ID_SYNTAX = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/;

const id = z
  .string({ error: "id must be a string" })
  .regex(ID_SYNTAX, "id must be lowercase, dot-separated segments of a-z, 0-9 and -");
const name = z.string({ error: "name must be a string" }).trim().min(1, "name must not be empty");
const family = z.enum(["ml", "non-ml"], { error: "family must be ml or non-ml" });
const order = z.number({ error: "order must be an integer" }).int("order must be an integer").optional();

const classSchema = z.strictObject({ id, family, name, order, labels: labelStrengths.optional() });
const subclassSchema = z.strictObject({
  id,
  parent: z.string({ error: "parent must be a string" }),
  family,
  name,
  order,
  labels: labelStrengths.optional(),
});
const factorSchema = z.strictObject({ id, name, order });

function parseFrontMatter<T extends z.ZodObject>(schema: T, file: string, data: Record<string, unknown>): z.infer<T> {
  const res = schema.safeParse(data);
  if (res.success) return res.data;
  const allowed = Object.keys(schema.shape).join(", ");
  const problems = res.error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys" && issue.path.length) {
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} in ${issue.path.join(".")} (allowed: strong, weak)`;
    }
    if (issue.code === "unrecognized_keys") {
      return `unknown front-matter key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} (allowed: ${allowed})`;
    }
    const key = String(issue.path[0]);
    if (data[key] === undefined || data[key] === null) return `missing front-matter key "${key}"`;
    return issue.message;
  });
  throw new ContentError(file, problems.join("; "));
}

/** The .md files under root/dir, through content.server's listing (which is rooted at CONTENT_DIR). */
function markdownFiles(root: string, dir: string): string[] {
  return listContentFiles(path.relative(CONTENT_DIR, path.join(root, dir)));
}

/**
 * Reads content/taxonomy (classes in `<id>.md`, subclasses in `<parent>/<slug>.md`) and content/factors,
 * and checks them against each other. Throws a ContentError naming the file at the first problem.
 */
export function loadTaxonomy(root: string = CONTENT_DIR): TaxonomyEntry[] {
  const taxonomyDir = path.join(root, "taxonomy");
  const entries: TaxonomyEntry[] = [];

  for (const file of markdownFiles(root, "taxonomy")) {
    const { data, body } = readContentFile(file);
    const folders = path.relative(taxonomyDir, path.dirname(file)).split(path.sep).filter(Boolean);
    if (folders.length > 1) {
      throw new ContentError(file, "too deeply nested: use taxonomy/<class>.md or taxonomy/<class>/<subclass>.md");
    }
    const folder = folders[0];
    if (folder === undefined) {
      if (typeof data.parent === "string") {
        throw new ContentError(file, `declares parent "${data.parent}" but is not in the folder taxonomy/${data.parent}/`);
      }
      const fm = parseFrontMatter(classSchema, file, data);
      if (fm.id.includes(".")) throw new ContentError(file, `top-level class id "${fm.id}" must not contain a dot`);
      // Ids `factor.*` are contributing factors; a class named "factor" would make them look like its subclasses.
      if (fm.id === "factor") throw new ContentError(file, `the id "factor" is reserved for contributing factors`);
      entries.push({ id: fm.id, parentId: null, family: fm.family, kind: "class", name: fm.name, position: fm.order ?? 0, body, file, labels: fm.labels ?? noLabels });
    } else {
      const fm = parseFrontMatter(subclassSchema, file, data);
      if (fm.parent !== folder) {
        throw new ContentError(file, `parent is "${fm.parent}" but the file is in taxonomy/${folder}/: move it to taxonomy/${fm.parent}/`);
      }
      const slug = fm.id.startsWith(`${fm.parent}.`) ? fm.id.slice(fm.parent.length + 1) : "";
      if (!ID_SEGMENT.test(slug)) {
        throw new ContentError(file, `subclass id "${fm.id}" must be "${fm.parent}.<slug>" (its parent, a dot, one segment)`);
      }
      entries.push({ id: fm.id, parentId: fm.parent, family: fm.family, kind: "class", name: fm.name, position: fm.order ?? 0, body, file, labels: fm.labels ?? noLabels });
    }
  }

  const factorsDir = path.join(root, "factors");
  for (const file of markdownFiles(root, "factors")) {
    const { data, body } = readContentFile(file);
    if (path.dirname(file) !== factorsDir) throw new ContentError(file, "factor files go directly in factors/, not in a subfolder");
    const fm = parseFrontMatter(factorSchema, file, data);
    const slug = fm.id.startsWith("factor.") ? fm.id.slice("factor.".length) : "";
    if (!ID_SEGMENT.test(slug)) throw new ContentError(file, `factor id "${fm.id}" must be "factor.<slug>"`);
    entries.push({ id: fm.id, parentId: null, family: null, kind: "factor", name: fm.name, position: fm.order ?? 0, body, file, labels: noLabels });
  }

  const byId = new Map<string, TaxonomyEntry>();
  for (const e of entries) {
    const first = byId.get(e.id);
    if (first) {
      throw new ContentError(e.file, `duplicate id "${e.id}" (also used by ${path.relative(process.cwd(), first.file)})`);
    }
    byId.set(e.id, e);
  }
  for (const e of entries) {
    if (e.parentId === null) continue;
    const parent = byId.get(e.parentId);
    if (!parent) {
      throw new ContentError(e.file, `parent "${e.parentId}" does not exist (expected taxonomy/${e.parentId}.md)`);
    }
    if (parent.kind !== "class" || parent.parentId !== null) {
      throw new ContentError(e.file, `parent "${e.parentId}" is not a top-level class (see ${path.relative(process.cwd(), parent.file)})`);
    }
    if (e.family !== parent.family) {
      throw new ContentError(e.file, `family is "${e.family}" but its parent "${parent.id}" is "${parent.family}"`);
    }
  }
  // An empty taxonomy would retire every class on sync: more likely a wrong CONTENT_DIR than intent.
  if (!entries.some((e) => e.kind === "class")) throw new ContentError(taxonomyDir, "no failure classes found");
  return entries;
}

export type SyncResult = { added: number; updated: number; retired: number };

/**
 * Makes failure_classes match content in one transaction: every entry active, rows missing from content
 * retired (never deleted, so incidents keep their labels). Reactivating a retired row counts as updated.
 */
export function syncTaxonomy(db: Db, entries: TaxonomyEntry[]): SyncResult {
  return db.transaction((tx) => {
    const existing = new Map(tx.select().from(failureClasses).all().map((r) => [r.id, r]));
    const result: SyncResult = { added: 0, updated: 0, retired: 0 };
    for (const e of entries) {
      const row = { parentId: e.parentId, family: e.family, kind: e.kind, name: e.name, position: e.position, status: "active" as const };
      const cur = existing.get(e.id);
      if (!cur) {
        tx.insert(failureClasses).values({ id: e.id, ...row }).run();
        result.added++;
      } else if ((Object.keys(row) as (keyof typeof row)[]).some((k) => cur[k] !== row[k])) {
        tx.update(failureClasses).set(row).where(eq(failureClasses.id, e.id)).run();
        result.updated++;
      }
    }
    const inContent = new Set(entries.map((e) => e.id));
    const gone = [...existing.values()].filter((r) => r.status === "active" && !inContent.has(r.id)).map((r) => r.id);
    if (gone.length) {
      tx.update(failureClasses).set({ status: "retired" }).where(inArray(failureClasses.id, gone)).run();
      result.retired = gone.length;
    }
    // A class moved under another parent or family changes how its incidents aggregate.
    if (result.updated) syncIncidentClassColumns(tx);
    return result;
  });
}

export type ClassNode = FailureClass & { children: FailureClass[] };
export type TaxonomyTree = { classes: ClassNode[]; factors: FailureClass[] };

/** Top-level classes with their subclasses, then factors; retired rows included (status 'retired'). */
export function taxonomyTree(db: Db): TaxonomyTree {
  const rows = db.select().from(failureClasses).orderBy(asc(failureClasses.position), asc(failureClasses.id)).all();
  const factors = rows.filter((r) => r.kind === "factor");
  const classRows = rows.filter((r) => r.kind === "class");
  const tops = new Map<string, ClassNode>(
    classRows.filter((r) => r.parentId === null).map((r) => [r.id, { ...r, children: [] }]),
  );
  for (const r of classRows) {
    if (r.parentId === null) continue;
    const parent = tops.get(r.parentId);
    // A row whose parent is unknown (only possible if edited by hand) is shown rather than lost.
    if (parent) parent.children.push(r);
    else tops.set(r.id, { ...r, children: [] });
  }
  return { classes: [...tops.values()], factors };
}

export type ClassCounts = {
  /** Incidents whose primary class is exactly this id. */
  direct: Record<string, number>;
  /** Per top-level class: its own primary incidents plus those of its subclasses. */
  rolledUp: Record<string, number>;
};

/** Which classifications to count: confirmed ones only (the default), or suggested ones too. */
export type CountOptions = { suggested?: boolean };

type ClassRow = { id: string; parentId: string | null; family: Family | null; n: number };
const perClass = { id: failureClasses.id, parentId: failureClasses.parentId, family: failureClasses.family, n: count() };

/** Primary classes of every classified incident, per class (index-only over incident_classes). */
function allPrimaryRows(db: Db): ClassRow[] {
  return db
    .select(perClass)
    .from(incidentClasses)
    .innerJoin(failureClasses, eq(failureClasses.id, incidentClasses.classId))
    .where(eq(incidentClasses.role, "primary"))
    .groupBy(failureClasses.id)
    .all();
}

/** Primary classes that are only suggested, per class; few rows, found through the class-status index. */
function suggestedRows(db: Db): ClassRow[] {
  return db
    .select(perClass)
    .from(incidents)
    .innerJoin(failureClasses, eq(failureClasses.id, incidents.primaryClassId))
    .where(eq(incidents.classStatus, "suggested"))
    .groupBy(failureClasses.id)
    .all();
}

/** Every primary class, less the suggested ones unless they are asked for (rows from before class_status count as confirmed). */
function primaryRows(db: Db, opts: CountOptions): ClassRow[] {
  const all = allPrimaryRows(db);
  if (opts.suggested) return all;
  const suggested = new Map(suggestedRows(db).map((r) => [r.id, r.n]));
  return all.map((r) => ({ ...r, n: r.n - (suggested.get(r.id) ?? 0) })).filter((r) => r.n > 0);
}

function countsOf(rows: ClassRow[]): ClassCounts {
  const out: ClassCounts = { direct: {}, rolledUp: {} };
  for (const r of rows) {
    out.direct[r.id] = r.n;
    const top = r.parentId ?? r.id;
    out.rolledUp[top] = (out.rolledUp[top] ?? 0) + r.n;
  }
  return out;
}

/** Primary classes per class; confirmed only unless `suggested` is set. */
export function classCounts(db: Db, opts: CountOptions = {}): ClassCounts {
  return countsOf(primaryRows(db, opts));
}

/** Classes the classifier suggested and nobody confirmed yet, per class. */
export function suggestedCounts(db: Db): ClassCounts {
  return countsOf(suggestedRows(db));
}

/** Incidents by the family of their primary class; unclassified incidents are in neither. Confirmed only unless `suggested`. */
export function familyShare(db: Db, opts: CountOptions = {}): { ml: number; nonMl: number } {
  const rows = primaryRows(db, opts);
  const n = (f: Family) => rows.filter((r) => r.family === f).reduce((a, r) => a + r.n, 0);
  return { ml: n("ml"), nonMl: n("non-ml") };
}

export type ClassChangeCounts = {
  /** Per top-level class: person-confirmed classifications later changed to another class. */
  corrected: Record<string, number>;
  /** Per top-level class: suggestions a person replaced with another class. */
  overridden: Record<string, number>;
};

/** How often each top-level class was changed after it was first recorded (by a person, or suggested). */
export function classChangeCounts(db: Db): ClassChangeCounts {
  const rows = db
    .select({ top: sql<string>`coalesce(${failureClasses.parentId}, ${failureClasses.id})`, status: classChanges.fromStatus, n: count() })
    .from(classChanges)
    .innerJoin(failureClasses, eq(failureClasses.id, classChanges.fromClassId))
    .groupBy(sql`1`, classChanges.fromStatus)
    .all();
  const out: ClassChangeCounts = { corrected: {}, overridden: {} };
  for (const r of rows) (r.status === "confirmed" ? out.corrected : out.overridden)[r.top] = r.n;
  return out;
}

/** Incidents with no primary class yet (imported unclassified, or never classified); they are in neither family. */
export function unclassifiedCount(db: Db): number {
  return db.select({ n: count() }).from(incidents).where(isNull(incidents.primaryClassId)).get()!.n;
}

/** One class or factor with its parent and subclasses, or null when the id was never known. */
export function getClass(db: Db, id: string): (FailureClass & { parent: FailureClass | null; children: FailureClass[] }) | null {
  const row = db.select().from(failureClasses).where(eq(failureClasses.id, id)).get();
  if (!row) return null;
  const parent = row.parentId
    ? (db.select().from(failureClasses).where(eq(failureClasses.id, row.parentId)).get() ?? null)
    : null;
  const children = db
    .select()
    .from(failureClasses)
    .where(eq(failureClasses.parentId, id))
    .orderBy(asc(failureClasses.position), asc(failureClasses.id))
    .all();
  return { ...row, parent, children };
}

// Rendered HTML per file, reused while the body is unchanged (content.server re-reads a file only when its mtime moves).
// The allowed image hosts change what the HTML holds, so a change of list renders again.
const rendered = new Map<string, { body: string; imageHosts: readonly string[]; html: string }>();

/** Id -> sanitized definition HTML for every class and factor in content (retired ones have none). */
export function classDefinitions(root: string = CONTENT_DIR): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of loadTaxonomy(root)) {
    let hit = rendered.get(e.file);
    if (!hit || hit.body !== e.body || hit.imageHosts !== allowedImageHosts()) {
      hit = { body: e.body, imageHosts: allowedImageHosts(), html: renderMarkdown(e.body) };
      rendered.set(e.file, hit);
    }
    out.set(e.id, hit.html);
  }
  return out;
}

/**
 * Condition on incidents: primary class is `id` or, for a top-level class, any of its subclasses; confirmed only
 * unless `suggested` (rows from before class_status count as confirmed).
 */
function primaryIn(id: string, opts: CountOptions) {
  const inClass = primaryClassIs(id);
  return opts.suggested ? inClass : and(inClass, sql`${incidents.classStatus} is not 'suggested'`);
}

/**
 * Condition on incidents: primary class is `id` or, for a top-level class, one of its subclasses, read from the
 * incident's own copies of its primary class (kept with incident_classes): an index range in start order, where
 * joining incident_classes sorted all of a class's incidents (a quarter of 100k). Only a subclass id has a dot
 * (the taxonomy loader enforces it).
 */
export function primaryClassIs(id: string) {
  return id.includes(".") ? eq(incidents.primaryClassId, id) : eq(incidents.topClassId, id);
}

/** Incidents whose primary class is this class (or one of its subclasses), newest first. */
export function classIncidents(db: Db, id: string, limit = 100, opts: CountOptions = {}) {
  return db
    .select({
      id: incidents.id,
      title: incidents.title,
      severity: incidents.severity,
      status: incidents.status,
      team: incidents.team,
      startedAt: incidents.startedAt,
      classStatus: incidents.classStatus,
    })
    .from(incidents)
    .where(primaryIn(id, opts))
    .orderBy(desc(incidents.startedAt))
    .limit(limit)
    .all();
}

/** Incidents of this class per calendar month (UTC) for the `months` months up to and including `now`'s. */
export function classTrend(db: Db, id: string, months = 12, now = Date.now(), opts: CountOptions = {}): { month: string; count: number }[] {
  const end = new Date(now);
  const keys = Array.from({ length: months }, (_, i) =>
    new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - (months - 1 - i), 1)).toISOString().slice(0, 7),
  );
  const from = Date.parse(`${keys[0]}-01T00:00:00Z`);
  const rows = db
    .select({ month: sql<string>`strftime('%Y-%m', ${incidents.startedAt} / 1000, 'unixepoch')`, n: count() })
    .from(incidents)
    .where(and(primaryIn(id, opts), sql`${incidents.startedAt} >= ${from}`))
    .groupBy(sql`1`)
    .all();
  const byMonth = new Map(rows.map((r) => [r.month, r.n]));
  return keys.map((month) => ({ month, count: byMonth.get(month) ?? 0 }));
}

/** Id -> "Class › Subclass" (or "Class") for every class, to name suggestions and choices. */
export function classLabels(db: Db): Map<string, string> {
  const rows = db.select({ id: failureClasses.id, name: failureClasses.name, parentId: failureClasses.parentId }).from(failureClasses).all();
  const names = new Map(rows.map((r) => [r.id, r.name]));
  return new Map(rows.map((r) => [r.id, r.parentId ? `${names.get(r.parentId) ?? r.parentId} › ${r.name}` : r.name]));
}
