import { and, eq } from "drizzle-orm";
import { incidentModels, modelVersions, models } from "../../db/schema";
import type { Conn } from "../utils/db.server";

/** The id of (model, version), creating the model and version records on first sight. */
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

export type IncidentModelRole = (typeof incidentModels.$inferInsert)["role"];

/** Links a model version to an incident in a role; linking twice is a no-op. */
export function linkIncidentModel(tx: Conn, incidentId: number, modelVersionId: number, role: IncidentModelRole): void {
  tx.insert(incidentModels).values({ incidentId, modelVersionId, role }).onConflictDoNothing().run();
}
