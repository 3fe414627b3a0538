import type { LoaderFunctionArgs } from "@remix-run/node";
import { getIncident } from "~/domain/incidents.server";
import { incidentToMarkdown } from "~/domain/portability/faultline-markdown.server";
import { requireUser } from "~/web/auth.server";
import { getDb } from "~/utils/db.server";
import { idParam } from "~/utils/params";

/** One incident as a Faultline Markdown file (the export format, so it imports back). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request);
  const db = getDb();
  const id = idParam(params.id);
  if (!getIncident(db, id)) throw new Response("Incident not found", { status: 404 });
  return new Response(incidentToMarkdown(db, id), {
    headers: {
      "Content-Type": "text/markdown; charset=utf-8",
      "Content-Disposition": `attachment; filename="incident-${id}.md"`,
      "Cache-Control": "no-store",
    },
  });
}
