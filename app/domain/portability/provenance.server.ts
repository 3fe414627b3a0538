/**
 * Where an imported incident came from, and which of its fields the import still owns.
 *
 * Identity: a file's own id (`uuid`, then `id`, then `url`) is stored on the incident as `external_id`; a re-import
 * finds the incident by it first, so a corrected title or start time updates the same incident. Files without one
 * match on title + start time (an incident that holds another source's id is never matched that way).
 *
 * Per-field provenance: for every field it writes, the import remembers a hash of the value. A re-import changes a
 * field only while the incident still holds exactly that value; a field a person changed since (classification
 * included) is kept and reported as a conflict, unless the file now says the same as the person, or says nothing.
 */
import { createHash } from "node:crypto";
import { and, asc, eq, isNull, or } from "drizzle-orm";
import { importedFields, incidents } from "../../../db/schema";
import type { Conn } from "../../utils/db.server";
import { sourceLabelsOf } from "../source-labels.server";
import { ImportError } from "./fields.server";

/** An incident's importable fields by name, each a JSON value (lists in a stable order). */
export type FieldValues = Record<string, unknown>;

export function valueHash(v: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(v ?? null))
    .digest("base64url");
}

/** A file that leaves a field empty says nothing about it, so it never contradicts what a person filled in. */
function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);
}

export type FieldPlan = {
  /** Fields whose value differs from the file's and that no one changed since the last import: updated. */
  changed: string[];
  /** Fields a person changed that the file would set to something else: kept, and reported. */
  conflicts: string[];
};

/** Field -> hash of the value the last import wrote. */
function importedHashes(tx: Conn, incidentId: number): Map<string, string> {
  return new Map(
    tx
      .select({ field: importedFields.field, hash: importedFields.valueHash })
      .from(importedFields)
      .where(eq(importedFields.incidentId, incidentId))
      .all()
      .map((r) => [r.field, r.hash]),
  );
}

export function planFields(tx: Conn, incidentId: number, current: FieldValues, incoming: FieldValues): FieldPlan {
  const imported = importedHashes(tx, incidentId);
  const plan: FieldPlan = { changed: [], conflicts: [] };
  for (const [field, value] of Object.entries(incoming)) {
    const now = valueHash(current[field]);
    if (now === valueHash(value)) continue;
    if (imported.get(field) === now) plan.changed.push(field);
    else if (!isEmpty(value)) plan.conflicts.push(field);
  }
  plan.conflicts.sort();
  return plan;
}

/** Records the file's values as imported, except for conflicting fields (they keep the hash of the last import). */
export function recordImportedFields(tx: Conn, incidentId: number, incoming: FieldValues, conflicts: readonly string[] = []): void {
  const stored = importedHashes(tx, incidentId);
  const now = Date.now();
  for (const [field, value] of Object.entries(incoming)) {
    if (conflicts.includes(field)) continue;
    const hash = valueHash(value);
    if (stored.get(field) === hash) continue;
    tx.insert(importedFields)
      .values({ incidentId, field, valueHash: hash, importedAt: now })
      .onConflictDoUpdate({ target: [importedFields.incidentId, importedFields.field], set: { valueHash: hash, importedAt: now } })
      .run();
  }
}

/** The incident a file describes: by its external id, else by title and start time; null when there is none. */
export function findImported(tx: Conn, externalId: string | null, title: string, startedAt: number): number | null {
  if (externalId !== null) {
    const byId = tx.select({ id: incidents.id }).from(incidents).where(eq(incidents.externalId, externalId)).get();
    if (byId) return byId.id;
  }
  return (
    tx
      .select({ id: incidents.id })
      .from(incidents)
      .where(and(eq(incidents.title, title), eq(incidents.startedAt, startedAt), or(isNull(incidents.externalId), externalId === null ? undefined : eq(incidents.externalId, externalId))))
      .orderBy(asc(incidents.id))
      .limit(1)
      .get()?.id ?? null
  );
}

/** A second file of the same run that describes an incident already written is an error, not a silent overwrite. */
export function claim(existing: number | null, claimed: ReadonlySet<number> | undefined, source: string | null): void {
  if (existing !== null && claimed?.has(existing)) {
    throw new ImportError("title", `and start time (or id) match another file of this import (incident #${existing}); only one file may describe an incident`, source);
  }
}

/** What the incident page shows of an import: the source id, whether the start time awaits confirmation, the labels. */
export function importOrigin(db: Conn, incidentId: number) {
  const row = db.select({ externalId: incidents.externalId, startedAtStatus: incidents.startedAtStatus }).from(incidents).where(eq(incidents.id, incidentId)).get();
  return { externalId: row?.externalId ?? null, startedAtStatus: row?.startedAtStatus ?? "confirmed", labels: sourceLabelsOf(db, incidentId) };
}
