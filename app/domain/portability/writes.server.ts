/** What the Markdown importers share: their result and options, and the writes both make to an incident. */
import { eq } from "drizzle-orm";
import { CLASS_STATUSES, failureClasses, incidentClasses, incidents, postmortemRevisions, users } from "../../../db/schema";
import type { Conn } from "../../utils/db.server";
import type { Actor } from "../audit.server";
import type { LabelMappings } from "../source-labels.server";

export type ImportOutcome = "created" | "updated" | "unchanged";

export type ImportResult = {
  outcome: ImportOutcome;
  incidentId: number;
  title: string;
  /** Fields the import wrote (all of them for a new incident). */
  changed: string[];
  /** Fields a person changed since the last import, which the file would set otherwise: kept as they are. */
  conflicts: string[];
  /** Whether the incident has a primary class after the import. */
  classified: boolean;
  /** Class ids in the file that this database does not know (the incident is left unclassified when the primary is one). */
  unknownClasses: string[];
  /** Public postmortems: labels with no mapping onto the taxonomy (kept on the incident as source labels). */
  unmappedLabels: string[];
  /** Public postmortems without a start time: the time suggested in its place and where it was found. */
  suggestedStart: { at: number; from: string } | null;
  /** Things that could not be carried over as written (unknown users, alerts that belong to another incident…). */
  warnings: string[];
};

export function newResult(title: string, incidentId: number | null): ImportResult {
  return {
    outcome: "unchanged",
    incidentId: incidentId ?? 0,
    title,
    changed: [],
    conflicts: [],
    classified: false,
    unknownClasses: [],
    unmappedLabels: [],
    suggestedStart: null,
    warnings: [],
  };
}

export type ImportOptions = {
  /** File name used in error messages and the audit entry. */
  source?: string;
  /** Incidents this run already wrote: a second file matching one of them is an error, not a silent overwrite. */
  claimed?: ReadonlySet<number>;
  /** Label mappings from content (read from CONTENT_DIR when not given). */
  mappings?: LabelMappings;
};

export type ClassSet = { primary: string | null; status: (typeof CLASS_STATUSES)[number] | null; contributing: string[]; factors: string[] };

export function userIdByEmail(tx: Conn, email: string | null): number | null {
  if (email === null) return null;
  return tx.select({ id: users.id }).from(users).where(eq(users.email, email)).get()?.id ?? null;
}

/** Replaces the incident's classes and keeps the insights copies of the primary (class, top-level class, family, status) in step. */
export function writeClasses(tx: Conn, incidentId: number, classes: ClassSet): void {
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
  const c = classes.primary === null ? undefined : tx.select().from(failureClasses).where(eq(failureClasses.id, classes.primary)).get();
  tx.update(incidents)
    .set({
      primaryClassId: c?.id ?? null,
      topClassId: c ? (c.parentId ?? c.id) : null,
      family: c?.family ?? null,
      classStatus: c ? (classes.status ?? "confirmed") : null,
    })
    .where(eq(incidents.id, incidentId))
    .run();
}

/** Sets the postmortem, recording a revision when it changed (as saving it in the app would). */
export function writePostmortem(tx: Conn, incidentId: number, markdown: string, actor: Actor): void {
  const cur = tx.select({ md: incidents.postmortemMd, rev: incidents.postmortemRev }).from(incidents).where(eq(incidents.id, incidentId)).get()!;
  if (cur.md === markdown) return;
  const rev = cur.rev + 1;
  tx.update(incidents).set({ postmortemMd: markdown, postmortemRev: rev }).where(eq(incidents.id, incidentId)).run();
  tx.insert(postmortemRevisions).values({ incidentId, rev, markdown, authorId: actor.id }).run();
}
