import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import {
  LIFECYCLE_STAGES,
  TRIGGERS,
  actionItems,
  classChanges,
  failureClasses,
  incidentClasses,
  incidentModels,
  incidents,
  modelVersions,
} from "../../db/schema";
import { DAY_MS } from "../utils/dates";
import type { Conn, Db } from "../utils/db.server";
import { recordAudit, type Actor } from "./audit.server";
import { REPEAT_WINDOW_DAYS, refreshRepeats, repeatAnchor } from "./repeats.server";
import { noteClassification } from "./suggestions.server";

export { REPEAT_WINDOW_DAYS };


const optionalEnum = <T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z
    .enum([...values, ""], { message })
    .default("")
    .transform((v) => (v || null) as T[number] | null);

export const classificationSchema = z.object({
  primary: z.string().trim().min(1, "Pick the primary class: the one root cause."),
  contributing: z.array(z.string().trim()).default([]),
  factors: z.array(z.string().trim()).default([]),
  trigger: optionalEnum(TRIGGERS, "Unknown trigger."),
  lifecycleStage: optionalEnum(LIFECYCLE_STAGES, "Unknown lifecycle stage."),
});
export type ClassificationInput = z.infer<typeof classificationSchema>;

/** A classification that breaks a rule; `field` says which form field to flag. */
export class ClassificationError extends Error {
  constructor(
    readonly field: keyof ClassificationInput,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Replaces an incident's classification, as confirmed by a person: exactly one primary class, any contributing
 * classes and factors, plus trigger and lifecycle stage. Only active classes may be chosen, except ones the
 * incident already has (so re-saving an incident labelled with a since-retired class keeps its label). A primary
 * class other than the one before (confirmed or suggested) is recorded in class_changes.
 */
export function classifyIncident(db: Db, incidentId: number, input: ClassificationInput, actor: Actor): void {
  db.transaction((tx) => {
    const incident = tx
      .select({ trigger: incidents.trigger, lifecycleStage: incidents.lifecycleStage, classStatus: incidents.classStatus })
      .from(incidents)
      .where(eq(incidents.id, incidentId))
      .get();
    if (!incident) throw new Response("Incident not found", { status: 404 });
    const before = tx
      .select({ classId: incidentClasses.classId, role: incidentClasses.role })
      .from(incidentClasses)
      .where(eq(incidentClasses.incidentId, incidentId))
      .all();
    const kept = new Set(before.map((b) => b.classId));
    const ids = [...new Set([input.primary, ...input.contributing, ...input.factors])];
    const known = new Map(
      tx
        .select({ id: failureClasses.id, kind: failureClasses.kind, status: failureClasses.status, name: failureClasses.name })
        .from(failureClasses)
        .where(inArray(failureClasses.id, ids))
        .all()
        .map((c) => [c.id, c]),
    );
    const check = (id: string, kind: "class" | "factor", field: keyof ClassificationInput) => {
      const c = known.get(id);
      if (!c || c.kind !== kind) throw new ClassificationError(field, `Unknown ${kind === "class" ? "failure class" : "contributing factor"} "${id}".`);
      if (c.status !== "active" && !kept.has(id)) throw new ClassificationError(field, `"${c.name}" is retired; pick a current class.`);
    };
    check(input.primary, "class", "primary");
    const contributing = [...new Set(input.contributing)].filter((id) => id !== input.primary);
    contributing.forEach((id) => check(id, "class", "contributing"));
    const factors = [...new Set(input.factors)];
    factors.forEach((id) => check(id, "factor", "factors"));

    const previous = before.find((b) => b.role === "primary")?.classId;
    if (previous && previous !== input.primary) {
      tx.insert(classChanges)
        .values({ incidentId, fromClassId: previous, fromStatus: incident.classStatus ?? "confirmed", toClassId: input.primary, actorId: actor.id, actorLabel: actor.label })
        .run();
    }
    const anchorBefore = repeatAnchor(tx, incidentId);
    tx.delete(incidentClasses).where(eq(incidentClasses.incidentId, incidentId)).run();
    tx.insert(incidentClasses)
      .values([
        { incidentId, classId: input.primary, role: "primary" as const },
        ...contributing.map((classId) => ({ incidentId, classId, role: "contributing" as const })),
        ...factors.map((classId) => ({ incidentId, classId, role: "factor" as const })),
      ])
      .run();
    const primary = tx
      .select({ parentId: failureClasses.parentId, family: failureClasses.family })
      .from(failureClasses)
      .where(eq(failureClasses.id, input.primary))
      .get()!;
    tx.update(incidents)
      .set({
        trigger: input.trigger,
        lifecycleStage: input.lifecycleStage,
        primaryClassId: input.primary,
        topClassId: primary.parentId ?? input.primary,
        family: primary.family,
        classStatus: "confirmed",
        updatedAt: Date.now(),
      })
      .where(eq(incidents.id, incidentId))
      .run();
    refreshRepeats(tx, [anchorBefore, repeatAnchor(tx, incidentId)]);
    recordAudit(tx, actor, "classify", "incident", incidentId, {
      before: { classes: before, trigger: incident.trigger, lifecycleStage: incident.lifecycleStage },
      after: { primary: input.primary, contributing, factors, trigger: input.trigger, lifecycleStage: input.lifecycleStage },
    });
  });
  noteClassification(db, incidentId);
}

/**
 * Confirms `classId` as the primary class (a suggestion taken, or another class picked), keeping the incident's
 * contributing classes, factors, trigger and lifecycle stage.
 */
export function confirmPrimaryClass(db: Db, incidentId: number, classId: string, actor: Actor): void {
  const current = incidentClassification(db, incidentId);
  const row = db.select({ trigger: incidents.trigger, lifecycleStage: incidents.lifecycleStage }).from(incidents).where(eq(incidents.id, incidentId)).get();
  if (!row) throw new Response("Incident not found", { status: 404 });
  classifyIncident(
    db,
    incidentId,
    { primary: classId, contributing: current.contributing.map((c) => c.id), factors: current.factors.map((c) => c.id), trigger: row.trigger, lifecycleStage: row.lifecycleStage },
    actor,
  );
}

/**
 * Records the classifier's suggestion as an unclassified incident's primary class, with status 'suggested' (never
 * confirmed); an incident that has a primary class meanwhile is left alone. Returns whether it was recorded.
 */
export function recordSuggestedClass(tx: Conn, incidentId: number, classId: string, actor: Actor): boolean {
  const cls = tx.select({ parentId: failureClasses.parentId, family: failureClasses.family, status: failureClasses.status }).from(failureClasses).where(eq(failureClasses.id, classId)).get();
  if (!cls || cls.status !== "active") return false;
  const inserted = tx
    .insert(incidentClasses)
    .values({ incidentId, classId, role: "primary" })
    .onConflictDoNothing()
    .run();
  if (!inserted.changes) return false;
  const anchorBefore = repeatAnchor(tx, incidentId);
  tx.update(incidents)
    .set({ primaryClassId: classId, topClassId: cls.parentId ?? classId, family: cls.family, classStatus: "suggested", updatedAt: Date.now() })
    .where(and(eq(incidents.id, incidentId), isNull(incidents.primaryClassId)))
    .run();
  refreshRepeats(tx, [anchorBefore, repeatAnchor(tx, incidentId)]);
  recordAudit(tx, actor, "suggest-class", "incident", incidentId, { primary: classId });
  return true;
}

const parent = alias(failureClasses, "parent");

export type AssignedClass = {
  id: string;
  name: string;
  family: "ml" | "non-ml" | null;
  parentName: string | null;
  status: "active" | "retired";
};

export function incidentClassification(db: Db, incidentId: number) {
  const rows = db
    .select({
      role: incidentClasses.role,
      id: failureClasses.id,
      name: failureClasses.name,
      family: failureClasses.family,
      status: failureClasses.status,
      parentName: parent.name,
    })
    .from(incidentClasses)
    .innerJoin(failureClasses, eq(failureClasses.id, incidentClasses.classId))
    .leftJoin(parent, eq(parent.id, failureClasses.parentId))
    .where(eq(incidentClasses.incidentId, incidentId))
    .orderBy(failureClasses.position, failureClasses.id)
    .all();
  const pick = ({ role: _role, ...c }: (typeof rows)[number]): AssignedClass => c;
  const primary = rows.find((r) => r.role === "primary");
  return {
    primary: primary ? pick(primary) : null,
    contributing: rows.filter((r) => r.role === "contributing").map(pick),
    factors: rows.filter((r) => r.role === "factor").map(pick),
  };
}

/** Ids of the models whose versions are linked to an incident (in any role). */
function modelIdsOf(db: Db, incidentId: number): number[] {
  return db
    .selectDistinct({ id: modelVersions.modelId })
    .from(incidentModels)
    .innerJoin(modelVersions, eq(modelVersions.id, incidentModels.modelVersionId))
    .where(eq(incidentModels.incidentId, incidentId))
    .all()
    .map((r) => r.id);
}

/**
 * Earlier incidents with the same primary class on the same team or model within the repeat window, each with
 * its action items that are still open: the lesson already paid for and not yet collected.
 */
export function findRepeats(db: Db, incidentId: number) {
  const me = db
    .select({ startedAt: incidents.startedAt, team: incidents.team, classId: incidentClasses.classId })
    .from(incidents)
    .innerJoin(incidentClasses, and(eq(incidentClasses.incidentId, incidents.id), eq(incidentClasses.role, "primary")))
    .where(eq(incidents.id, incidentId))
    .get();
  if (!me) return [];
  const models = modelIdsOf(db, incidentId);
  const sameModel = models.length
    ? sql`exists (select 1 from ${incidentModels} im join ${modelVersions} mv on mv.id = im.model_version_id
        where im.incident_id = ${incidents.id} and mv.model_id in ${models})`
    : sql`0`;
  const sameTeam = me.team ? sql`${incidents.team} = ${me.team}` : sql`0`;
  const earlier = db
    .select({
      id: incidents.id,
      title: incidents.title,
      startedAt: incidents.startedAt,
      status: incidents.status,
      sameTeam: sql<number>`${sameTeam}`.mapWith(Boolean),
      sameModel: sql<number>`${sameModel}`.mapWith(Boolean),
    })
    .from(incidentClasses)
    .innerJoin(incidents, eq(incidents.id, incidentClasses.incidentId))
    .where(
      and(
        eq(incidentClasses.classId, me.classId),
        eq(incidentClasses.role, "primary"),
        sql`${incidents.id} <> ${incidentId}`,
        sql`${incidents.startedAt} < ${me.startedAt}`,
        sql`${incidents.startedAt} >= ${me.startedAt - REPEAT_WINDOW_DAYS * DAY_MS}`,
        sql`(${sameTeam} or ${sameModel})`,
      ),
    )
    .orderBy(desc(incidents.startedAt))
    .limit(20)
    .all();
  if (!earlier.length) return [];
  const open = db
    .select({ id: actionItems.id, incidentId: actionItems.incidentId, title: actionItems.title, owner: actionItems.owner, dueAt: actionItems.dueAt })
    .from(actionItems)
    .where(and(inArray(actionItems.incidentId, earlier.map((e) => e.id)), eq(actionItems.status, "open")))
    .all();
  return earlier.map((e) => ({ ...e, openActions: open.filter((a) => a.incidentId === e.id) }));
}

const STOPWORDS = new Set(
  "the and for with from that this were was into over when then than after before during our their have has had not are but all any can".split(" "),
);

/** Distinctive words of a text as an FTS5 OR-query of quoted terms (never raw user syntax), without those `isCommon` says are common. */
export function similarityQuery(text: string, isCommon: (word: string) => boolean = () => false): string | null {
  const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}_]{4,}/gu) ?? [])].filter((w) => !STOPWORDS.has(w));
  const distinctive = words.slice(0, 16).filter((w) => !isCommon(w));
  return distinctive.length ? distinctive.map((w) => `"${w}"`).join(" OR ") : null;
}

/**
 * Whether a word is in more than a tenth of all incidents, and in more than 2,000 of them: such a word says little
 * about likeness, yet ranking every incident that has one was what the similar-text lookup spent its time on (over
 * 100k incidents, "detected" or "through" match nearly all: 183 ms to rank, 11 ms without such words, 46 of the top
 * 50 the same). A word's matches are counted only up to that bar.
 */
function commonWords(db: Db): (word: string) => boolean {
  const total = db.get<{ n: number }>(sql`select count(*) as n from ${incidents}`)!.n;
  const bar = Math.max(2_000, Math.floor(total / 10));
  if (total <= bar) return () => false;
  return (word) =>
    db.get<{ n: number }>(sql`select count(*) as n from (select 1 from incidents_fts where incidents_fts match ${`"${word}"`} limit ${bar + 1})`)!.n > bar;
}

/**
 * Past incidents worth reading while classifying: same class, same team or model, or similar text (FTS5 rank).
 * Each comes with the reasons it was picked, best matches first.
 */
export function similarIncidents(db: Db, incidentId: number, classId: string | null, limit = 8) {
  const me = db
    .select({ title: incidents.title, summary: incidents.summary, team: incidents.team })
    .from(incidents)
    .where(eq(incidents.id, incidentId))
    .get();
  if (!me) return [];
  const scores = new Map<number, { score: number; reasons: Set<string> }>();
  const add = (ids: number[], weight: number, reason: string) => {
    for (const id of ids) {
      if (id === incidentId) continue;
      const s = scores.get(id) ?? { score: 0, reasons: new Set<string>() };
      s.score += weight;
      s.reasons.add(reason);
      scores.set(id, s);
    }
  };
  // "+id" in the sets below, as in listIncidents: reading in start order stops at 50, where looking each member up
  // sorted all of them first (a model's 25k incidents of 100k: 67 ms against 5).
  const recent = (where: ReturnType<typeof sql>) =>
    db.select({ id: incidents.id }).from(incidents).where(where).orderBy(desc(incidents.startedAt)).limit(50).all().map((r) => r.id);

  const match = similarityQuery(`${me.title} ${me.summary}`, commonWords(db));
  if (match) {
    const rows = db.all<{ id: number }>(
      sql`select rowid as id from incidents_fts where incidents_fts match ${match} order by rank limit 50`,
    );
    // Rank order matters: the best text matches weigh most.
    rows.forEach((r, i) => add([r.id], 2 * (1 - i / rows.length), "similar text"));
  }
  if (classId) {
    add(recent(sql`+${incidents.id} in (select incident_id from ${incidentClasses} where class_id = ${classId} and role = 'primary')`), 3, "same class");
  }
  if (me.team) add(recent(sql`${incidents.team} = ${me.team}`), 1, "same team");
  const models = modelIdsOf(db, incidentId);
  if (models.length) {
    add(
      recent(sql`+${incidents.id} in (select im.incident_id from ${incidentModels} im join ${modelVersions} mv on mv.id = im.model_version_id where mv.model_id in ${models})`),
      2,
      "same model",
    );
  }
  const top = [...scores].sort((a, b) => b[1].score - a[1].score).slice(0, limit);
  if (!top.length) return [];
  const rows = db
    .select({ id: incidents.id, title: incidents.title, startedAt: incidents.startedAt, severity: incidents.severity, team: incidents.team })
    .from(incidents)
    .where(inArray(incidents.id, top.map(([id]) => id)))
    .all();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return top.flatMap(([id, s]) => {
    const r = byId.get(id);
    return r ? [{ ...r, reasons: [...s.reasons] }] : [];
  });
}
