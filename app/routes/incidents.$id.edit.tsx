import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import type { Incident } from "../../db/schema";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { IncidentForm, type IncidentFormValues } from "~/components/incident-form";
import { clearedMilestoneErrors, getIncident, incidentInputSchema, updateIncident } from "~/domain/incidents.server";
import { actorOf } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { formatUtc, toDateTimeInput } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";
import { idParam } from "~/utils/params";
import { requireRole } from "~/web/permissions.server";

function formValues(i: Incident): IncidentFormValues {
  return {
    title: i.title,
    severity: i.severity,
    team: i.team,
    summary: i.summary,
    impact: i.impact,
    detectionSource: i.detectionSource ?? "",
    startedAt: toDateTimeInput(i.startedAt),
    detectedAt: toDateTimeInput(i.detectedAt),
    mitigatedAt: toDateTimeInput(i.mitigatedAt),
    resolvedAt: toDateTimeInput(i.resolvedAt),
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, "editor");
  const row = getIncident(getDb(), idParam(params.id));
  if (!row) throw new Response("Incident not found", { status: 404 });
  return { id: row.incident.id, values: formValues(row.incident), version: row.incident.version };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  const id = idParam(params.id);
  const values = formObject(await readForm(request));
  const version = Number(values.version);
  const parsed = incidentInputSchema.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values, version, theirs: null }, { status: 400 });
  const db = getDb();
  const current = getIncident(db, id);
  if (!current) throw new Response("Incident not found", { status: 404 });
  const cleared = clearedMilestoneErrors(current.incident, parsed.data);
  if (Object.keys(cleared).length) return json({ errors: cleared, values, version, theirs: null }, { status: 400 });
  const result = updateIncident(db, id, version, parsed.data, actorOf(user));
  if (result.ok) return redirect(`/incidents/${id}`);
  // Someone saved first: keep this person's edits in the form, show the saved values, and let a second
  // submit (now based on the newer version) overwrite knowingly.
  return json(
    {
      errors: {
        form: `Someone else saved this incident (${formatUtc(result.current.updatedAt)}) after you opened it. Your changes are kept below; compare them with the saved values, then save again to overwrite.`,
      },
      values,
      version: result.current.version,
      theirs: formValues(result.current),
    },
    { status: 409 },
  );
}

export default function EditIncident() {
  const { id, values, version } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  return (
    <>
      <p>
        <Link to={`/incidents/${id}`}>← Back to the incident</Link>
      </p>
      <h1>Edit incident</h1>
      {data?.theirs ? (
        <details className="card" open>
          <summary>Values saved by the other person</summary>
          <dl className="facts">
            {Object.entries(data.theirs).map(([k, v]) => (
              <div key={k} style={{ display: "contents" }}>
                <dt>{k}</dt>
                <dd>{v || "—"}</dd>
              </div>
            ))}
          </dl>
        </details>
      ) : null}
      <IncidentForm
        key={data?.version ?? version}
        values={data?.values ?? values}
        errors={data?.errors}
        version={data?.version ?? version}
        submitLabel="Save changes"
      />
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Edit incident · Faultline" }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
