import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { PAGE_SIZE, createIncident, getIncident, incidentInputSchema, listIncidents, parseIncidentFilter } from "~/domain/incidents.server";
import { tokenActor } from "~/domain/tokens.server";
import { apiError, incidentJson, readJsonObject, requireApiToken, validationError } from "~/web/api.server";
import { getDb } from "~/utils/db.server";
import { isoOrNull } from "~/utils/dates";

/** GET /api/v1/incidents?status=&severity=&team=&from=&to=&q=&page= (the same filters as the incidents page). */
export async function loader({ request }: LoaderFunctionArgs) {
  requireApiToken(request, "api");
  const filter = parseIncidentFilter(new URL(request.url).searchParams);
  const { rows, total } = listIncidents(getDb(), filter);
  return json({
    total,
    page: filter.page,
    pageSize: PAGE_SIZE,
    incidents: rows.map((r) => ({ ...r, startedAt: isoOrNull(r.startedAt), detectedAt: isoOrNull(r.detectedAt), resolvedAt: isoOrNull(r.resolvedAt) })),
  });
}

/** POST /api/v1/incidents: the same fields and rules as the form; 201 with the incident. */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return apiError(405, "Create incidents with POST.", { Allow: "GET, POST" });
  const token = requireApiToken(request, "api");
  const parsed = incidentInputSchema.safeParse(await readJsonObject(request));
  if (!parsed.success) return validationError(parsed.error);
  const db = getDb();
  const id = createIncident(db, parsed.data, tokenActor(token));
  return json(incidentJson(getIncident(db, id)!.incident), { status: 201, headers: { Location: `/api/v1/incidents/${id}` } });
}
