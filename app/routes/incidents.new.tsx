import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { IncidentForm } from "~/components/incident-form";
import { createIncident, incidentInputSchema } from "~/domain/incidents.server";
import { actorOf } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { toDateTimeInput } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";
import { requireRole } from "~/web/permissions.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "editor");
  return { now: toDateTimeInput(Date.now()) };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  const values = formObject(await readForm(request));
  const parsed = incidentInputSchema.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  const id = createIncident(getDb(), parsed.data, actorOf(user));
  return redirect(`/incidents/${id}`);
}

export default function NewIncident() {
  const { now } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  return (
    <>
      <p>
        <Link to="/incidents">← Incidents</Link>
      </p>
      <h1>New incident</h1>
      <IncidentForm values={data?.values ?? { startedAt: now }} errors={data?.errors} submitLabel="Create incident" />
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "New incident · Faultline" }];
