import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { INCIDENT_STATUSES, type Incident } from "../../db/schema";
import { listActionItems } from "~/domain/actions.server";
import { alertsForIncident } from "~/domain/alert-queries.server";
import { incidentClassification } from "~/domain/classification.server";
import { clearedMilestoneErrors, getIncident, incidentInputSchema, updateIncident } from "~/domain/incidents.server";
import { TransitionError, changeStatus } from "~/domain/lifecycle.server";
import { incidentVersions } from "~/domain/models.server";
import { listTimeline } from "~/domain/timeline.server";
import { tokenActor } from "~/domain/tokens.server";
import { apiError, incidentJson, readJsonObject, requireApiToken, validationError } from "~/web/api.server";
import { getDb } from "~/utils/db.server";
import { isoOrNull } from "~/utils/dates";

function incidentOr404(id: string | undefined): Incident {
  const n = Number(id);
  const row = Number.isSafeInteger(n) && n > 0 ? getIncident(getDb(), n) : undefined;
  if (!row) throw apiError(404, `No incident ${id}.`);
  return row.incident;
}

/** GET /api/v1/incidents/:id with classification, timeline, action items, model versions and alerts. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  requireApiToken(request, "api");
  const incident = incidentOr404(params.id);
  const db = getDb();
  return json({
    ...incidentJson(incident),
    classification: incidentClassification(db, incident.id),
    timeline: listTimeline(db, incident.id).map((t) => ({ ...t, at: isoOrNull(t.at) })),
    actionItems: listActionItems(db, incident.id).map((a) => ({ ...a, dueAt: isoOrNull(a.dueAt), completedAt: isoOrNull(a.completedAt), createdAt: isoOrNull(a.createdAt) })),
    modelVersions: incidentVersions(db, incident.id),
    alerts: alertsForIncident(db, incident.id).map((a) => ({ ...a, startsAt: isoOrNull(a.startsAt), endsAt: isoOrNull(a.endsAt) })),
  });
}

const patchSchema = z.object({
  version: z.number({ message: "Send the `version` you read: edits are refused if someone saved since (optimistic locking)." }).int(),
  status: z.enum(INCIDENT_STATUSES, { message: `status must be one of ${INCIDENT_STATUSES.join(", ")}.` }).optional(),
});

/**
 * PATCH /api/v1/incidents/:id with `version` and any fields to change (same rules as the form), and optionally
 * `status`: the times that status implies must be sent or already recorded, and closing follows the closing rules
 * (400 listing every problem). 409 with the current incident if `version` is stale.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "PATCH") return apiError(405, "Change incidents with PATCH.", { Allow: "GET, PATCH" });
  const token = requireApiToken(request, "api");
  const current = incidentOr404(params.id);
  const body = await readJsonObject(request);
  const meta = patchSchema.safeParse(body);
  if (!meta.success) return validationError(meta.error);
  // Fields left out keep their current values; the merged incident must pass the same rules as the form.
  const currentFields = incidentJson(current);
  const merged = Object.fromEntries(
    Object.keys(incidentInputSchema.shape).map((k) => [k, k in body ? body[k] : currentFields[k as keyof typeof currentFields]]),
  );
  const parsed = incidentInputSchema.safeParse(merged);
  if (!parsed.success) return validationError(parsed.error);
  if (!meta.data.status || meta.data.status === current.status) {
    const cleared = clearedMilestoneErrors(current, parsed.data);
    if (Object.keys(cleared).length) return json({ error: "Invalid input.", fields: cleared }, { status: 400 });
  }
  const db = getDb();
  const actor = tokenActor(token);
  // One transaction: a refused status change (missing times, closing rules) leaves the fields unsaved too.
  let saved;
  try {
    saved = db.transaction(() => {
      const result = updateIncident(db, current.id, meta.data.version, parsed.data, actor);
      if (result.ok && meta.data.status) changeStatus(db, current.id, meta.data.status, actor);
      return result;
    });
  } catch (e) {
    if (!(e instanceof TransitionError)) throw e;
    return json({ error: e.message, fields: e.fieldErrors() }, { status: 400 });
  }
  if (!saved.ok) {
    return json({ error: `Version ${meta.data.version} is stale: the incident was saved since (now version ${saved.current.version}).`, current: incidentJson(saved.current) }, { status: 409 });
  }
  return json(incidentJson(getIncident(db, current.id)!.incident));
}
