import { and, asc, desc, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import {
  INCIDENT_MODEL_ROLES,
  MODEL_VERSION_STATUSES,
  failureClasses,
  incidentClasses,
  incidentModels,
  incidents,
  modelVersions,
  models,
} from "../../db/schema";
import { DAY_MS } from "../utils/dates";
import type { Conn, Db } from "../utils/db.server";
import { text, utcTime } from "../utils/forms";
import { recordAudit, type Actor } from "./audit.server";
import { refreshRepeats, repeatAnchor } from "./repeats.server";

export type IncidentModelRole = (typeof INCIDENT_MODEL_ROLES)[number];

const name = z
  .string()
  .trim()
  .min(1, "Name the model.")
  .max(100)
  .regex(/^[\w.-]+$/, "Use letters, digits, '.', '-' and '_' only (it appears in URLs and alert labels).");

export const modelInputSchema = z.object({
  name,
  team: text(100),
  description: text(2000),
});

export const versionInputSchema = z.object({
  version: z.string().trim().min(1, "Give the version.").max(100),
  status: z.enum(MODEL_VERSION_STATUSES, { message: `Status must be one of ${MODEL_VERSION_STATUSES.join(", ")}.` }).default("serving"),
  deployedAt: utcTime,
  retiredAt: utcTime,
  trainingDataRef: text(500),
  codeRef: text(500),
  notes: text(5000),
}).refine((v) => v.deployedAt === null || v.retiredAt === null || v.retiredAt >= v.deployedAt, {
  path: ["retiredAt"],
  message: "Must not be before the deploy time.",
});
export type VersionInput = z.infer<typeof versionInputSchema>;

export class DuplicateModelError extends Error {}

export function createModel(db: Db, input: z.infer<typeof modelInputSchema>, actor: Actor): number {
  return db.transaction((tx) => {
    if (tx.select({ id: models.id }).from(models).where(eq(models.name, input.name)).get()) {
      throw new DuplicateModelError(`A model named ${input.name} already exists.`);
    }
    const id = tx.insert(models).values(input).returning({ id: models.id }).get().id;
    recordAudit(tx, actor, "create", "model", id, input);
    return id;
  });
}

/** The id of (model, version), creating the model and version records on first sight (used by webhooks). */
export function ensureModelVersion(tx: Conn, modelName: string, version: string): number {
  tx.insert(models).values({ name: modelName }).onConflictDoNothing().run();
  const model = tx.select({ id: models.id }).from(models).where(eq(models.name, modelName)).get()!;
  tx.insert(modelVersions).values({ modelId: model.id, version }).onConflictDoNothing().run();
  return tx
    .select({ id: modelVersions.id })
    .from(modelVersions)
    .where(and(eq(modelVersions.modelId, model.id), eq(modelVersions.version, version)))
    .get()!.id;
}

export type RegisterResult = { created: boolean; changed: boolean; versionId: number };

/**
 * Registers a version (idempotent on model + version): creates the model if unknown, creates or updates the
 * version, and when it becomes the serving one retires the version that served before, at its deploy time.
 */
export function registerVersion(db: Db, modelName: string, input: VersionInput, actor: Actor, now = Date.now()): RegisterResult {
  return db.transaction((tx) => {
    tx.insert(models).values({ name: modelName }).onConflictDoNothing().run();
    const modelId = tx.select({ id: models.id }).from(models).where(eq(models.name, modelName)).get()!.id;
    const before = tx
      .select()
      .from(modelVersions)
      .where(and(eq(modelVersions.modelId, modelId), eq(modelVersions.version, input.version)))
      .get();
    const values = { ...input, deployedAt: input.deployedAt ?? before?.deployedAt ?? (input.status === "serving" ? now : null) };
    let versionId: number;
    let changed = true;
    if (!before) {
      versionId = tx.insert(modelVersions).values({ ...values, modelId }).returning({ id: modelVersions.id }).get().id;
    } else {
      versionId = before.id;
      changed = (Object.keys(values) as (keyof typeof values)[]).some((k) => values[k] !== before[k]);
      if (changed) tx.update(modelVersions).set(values).where(eq(modelVersions.id, versionId)).run();
    }
    let retired: string[] = [];
    if (changed && values.status === "serving") {
      retired = tx
        .update(modelVersions)
        .set({ status: "retired", retiredAt: sql`coalesce(${modelVersions.retiredAt}, ${values.deployedAt ?? now})` })
        .where(and(eq(modelVersions.modelId, modelId), eq(modelVersions.status, "serving"), ne(modelVersions.id, versionId)))
        .returning({ version: modelVersions.version })
        .all()
        .map((r) => r.version);
    }
    if (changed) recordAudit(tx, actor, before ? "update" : "create", "model_version", versionId, { model: modelName, ...values, retired });
    return { created: !before, changed, versionId };
  });
}

export function listModels(db: Db) {
  const serving = db
    .select({ modelId: modelVersions.modelId, version: sql<string>`group_concat(${modelVersions.version}, ', ')`.as("serving") })
    .from(modelVersions)
    .where(eq(modelVersions.status, "serving"))
    .groupBy(modelVersions.modelId)
    .as("serving");
  return db
    .select({
      id: models.id,
      name: models.name,
      team: models.team,
      description: models.description,
      versions: sql<number>`(select count(*) from ${modelVersions} v where v.model_id = ${models.id})`,
      incidents: sql<number>`(select count(distinct im.incident_id) from ${incidentModels} im join ${modelVersions} v on v.id = im.model_version_id where v.model_id = ${models.id})`,
      serving: serving.version,
    })
    .from(models)
    .leftJoin(serving, eq(serving.modelId, models.id))
    .orderBy(asc(models.name))
    .all();
}

export function getModel(db: Db, modelName: string) {
  return db.select().from(models).where(eq(models.name, modelName)).get();
}

/**
 * A model's versions with their incidents: count, time serving (deploy to retire, or to `now`), and incidents
 * per 30 days of serving, so a short-lived bad version stands out against a long-lived good one.
 */
export function versionsWithStats(db: Db, modelId: number, now = Date.now()) {
  const rows = db
    .select({
      id: modelVersions.id,
      version: modelVersions.version,
      status: modelVersions.status,
      deployedAt: modelVersions.deployedAt,
      retiredAt: modelVersions.retiredAt,
      trainingDataRef: modelVersions.trainingDataRef,
      codeRef: modelVersions.codeRef,
      notes: modelVersions.notes,
      incidents: sql<number>`(select count(distinct im.incident_id) from ${incidentModels} im where im.model_version_id = ${modelVersions.id})`,
    })
    .from(modelVersions)
    .where(eq(modelVersions.modelId, modelId))
    .orderBy(sql`${modelVersions.deployedAt} is null`, desc(modelVersions.deployedAt), desc(modelVersions.id))
    .all();
  return rows.map((v) => {
    const servingMs = v.deployedAt === null ? null : Math.max(0, (v.retiredAt ?? now) - v.deployedAt);
    return { ...v, servingMs, per30Days: servingMs ? (v.incidents / servingMs) * 30 * DAY_MS : null };
  });
}

/** Incidents linked to any version of a model, with the version, role and the family of the primary class. */
export function modelIncidents(db: Db, modelId: number) {
  return db
    .select({
      incidentId: incidents.id,
      title: incidents.title,
      severity: incidents.severity,
      status: incidents.status,
      startedAt: incidents.startedAt,
      versionId: modelVersions.id,
      version: modelVersions.version,
      role: incidentModels.role,
      family: failureClasses.family,
    })
    .from(incidentModels)
    .innerJoin(modelVersions, eq(modelVersions.id, incidentModels.modelVersionId))
    .innerJoin(incidents, eq(incidents.id, incidentModels.incidentId))
    .leftJoin(incidentClasses, and(eq(incidentClasses.incidentId, incidents.id), eq(incidentClasses.role, "primary")))
    .leftJoin(failureClasses, eq(failureClasses.id, incidentClasses.classId))
    .where(eq(modelVersions.modelId, modelId))
    .orderBy(desc(incidents.startedAt))
    .limit(1000)
    .all();
}

export function getVersion(db: Db, modelName: string, version: string) {
  return db
    .select({ id: modelVersions.id, modelId: models.id, model: models.name, version: modelVersions.version, status: modelVersions.status, deployedAt: modelVersions.deployedAt, retiredAt: modelVersions.retiredAt, trainingDataRef: modelVersions.trainingDataRef, codeRef: modelVersions.codeRef, notes: modelVersions.notes })
    .from(modelVersions)
    .innerJoin(models, eq(models.id, modelVersions.modelId))
    .where(and(eq(models.name, modelName), eq(modelVersions.version, version)))
    .get();
}

/** Every model version, for the "link a version" picker. */
export function allVersions(db: Db) {
  return db
    .select({ id: modelVersions.id, model: models.name, version: modelVersions.version, status: modelVersions.status })
    .from(modelVersions)
    .innerJoin(models, eq(models.id, modelVersions.modelId))
    .orderBy(asc(models.name), desc(modelVersions.deployedAt), desc(modelVersions.id))
    .limit(2000)
    .all();
}

export function incidentVersions(db: Db, incidentId: number) {
  return db
    .select({ versionId: modelVersions.id, model: models.name, version: modelVersions.version, status: modelVersions.status, role: incidentModels.role })
    .from(incidentModels)
    .innerJoin(modelVersions, eq(modelVersions.id, incidentModels.modelVersionId))
    .innerJoin(models, eq(models.id, modelVersions.modelId))
    .where(eq(incidentModels.incidentId, incidentId))
    .orderBy(asc(models.name), asc(modelVersions.version))
    .all();
}

/** Links a model version to an incident in a role; linking twice is a no-op. */
export function linkIncidentModel(tx: Conn, incidentId: number, modelVersionId: number, role: IncidentModelRole): void {
  tx.insert(incidentModels).values({ incidentId, modelVersionId, role }).onConflictDoNothing().run();
}

export function linkVersion(db: Db, incidentId: number, versionId: number, role: IncidentModelRole, actor: Actor): void {
  db.transaction((tx) => {
    if (!tx.select({ id: incidents.id }).from(incidents).where(eq(incidents.id, incidentId)).get()) throw new Response("Incident not found", { status: 404 });
    if (!tx.select({ id: modelVersions.id }).from(modelVersions).where(eq(modelVersions.id, versionId)).get()) {
      throw new Response("Model version not found", { status: 404 });
    }
    linkIncidentModel(tx, incidentId, versionId, role);
    refreshRepeats(tx, [repeatAnchor(tx, incidentId)]);
    recordAudit(tx, actor, "model.link", "incident", incidentId, { version: versionId, role });
  });
}

export function unlinkVersion(db: Db, incidentId: number, versionId: number, role: IncidentModelRole, actor: Actor): void {
  db.transaction((tx) => {
    const anchorBefore = repeatAnchor(tx, incidentId);
    if (!anchorBefore) throw new Response("Incident not found", { status: 404 });
    const removed = tx
      .delete(incidentModels)
      .where(and(eq(incidentModels.incidentId, incidentId), eq(incidentModels.modelVersionId, versionId), eq(incidentModels.role, role)))
      .run().changes;
    if (!removed) return;
    refreshRepeats(tx, [anchorBefore, repeatAnchor(tx, incidentId)]);
    recordAudit(tx, actor, "model.unlink", "incident", incidentId, { version: versionId, role });
  });
}

export function versionIncidents(db: Db, versionId: number) {
  return db
    .select({ id: incidents.id, title: incidents.title, severity: incidents.severity, status: incidents.status, startedAt: incidents.startedAt, role: incidentModels.role })
    .from(incidentModels)
    .innerJoin(incidents, eq(incidents.id, incidentModels.incidentId))
    .where(eq(incidentModels.modelVersionId, versionId))
    .orderBy(desc(incidents.startedAt))
    .all();
}

export function updateModel(db: Db, modelId: number, input: { team: string; description: string }, actor: Actor): void {
  db.transaction((tx) => {
    tx.update(models).set(input).where(eq(models.id, modelId)).run();
    recordAudit(tx, actor, "update", "model", modelId, input);
  });
}
