import { count, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { failureClasses, incidents } from "../../db/schema";
import type { Db } from "../utils/db.server";
import type { Actor } from "./audit.server";
import { confirmPrimaryClass, recordSuggestedClass } from "./classification.server";
import { suggestForIncidents, suggester } from "./suggestions.server";

export const TRIAGE_PAGE_SIZE = 10;

const inQueue = or(isNull(incidents.classStatus), eq(incidents.classStatus, "suggested"));

/** Unclassified and suggested incidents, newest first, each with its top suggestions. */
export async function triageQueue(db: Db, page: number) {
  const total = db.select({ n: count() }).from(incidents).where(inQueue).get()?.n ?? 0;
  const rows = db
    .select({
      id: incidents.id,
      title: incidents.title,
      severity: incidents.severity,
      team: incidents.team,
      startedAt: incidents.startedAt,
      classStatus: incidents.classStatus,
      primaryClassId: incidents.primaryClassId,
      primaryName: failureClasses.name,
    })
    .from(incidents)
    .leftJoin(failureClasses, eq(failureClasses.id, incidents.primaryClassId))
    .where(inQueue)
    .orderBy(desc(incidents.startedAt), desc(incidents.id))
    .limit(TRIAGE_PAGE_SIZE)
    .offset((page - 1) * TRIAGE_PAGE_SIZE)
    .all();
  const suggestions = await suggestForIncidents(db, rows.map((r) => r.id));
  return { total, page, pageSize: TRIAGE_PAGE_SIZE, items: rows.map((r) => ({ ...r, suggestions: suggestions.get(r.id) ?? [] })) };
}

/**
 * Records the top suggestion of each unclassified incident among `incidentIds` as suggested (never confirmed), for
 * imports of old postmortems. Incidents already classified, or with no words to go on, are left alone.
 */
export async function suggestUnclassified(db: Db, incidentIds: number[], actor: Actor): Promise<{ suggested: number }> {
  // A batch job: use the model with every confirmed incident learned, not the one still warming up.
  await (await suggester(db)).warm;
  let suggested = 0;
  for (let i = 0; i < incidentIds.length; i += 500) {
    const ids = db
      .select({ id: incidents.id })
      .from(incidents)
      .where(sql`${inArray(incidents.id, incidentIds.slice(i, i + 500))} and ${incidents.primaryClassId} is null`)
      .all()
      .map((r) => r.id);
    const best = await suggestForIncidents(db, ids, 1);
    db.transaction((tx) => {
      for (const [id, [top]] of best) if (top && top.score > 0 && recordSuggestedClass(tx, id, top.subclassId ?? top.classId, actor)) suggested++;
    });
  }
  return { suggested };
}

/** Confirms, one by one, the class a person chose for each incident (a bulk selection from the triage queue). */
export function confirmClasses(db: Db, choices: { incidentId: number; classId: string }[], actor: Actor): number {
  db.transaction(() => {
    for (const c of choices) confirmPrimaryClass(db, c.incidentId, c.classId, actor);
  });
  return choices.length;
}
