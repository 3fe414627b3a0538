import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfInput } from "~/components/csrf";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { TimelineFields } from "~/components/incident/timeline";
import { deleteTimelineEvent, getTimelineEvent, timelineInputSchema, updateTimelineEvent } from "~/domain/timeline.server";
import { actorOf } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { formatUtc, toDateTimeInput } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";
import { idParam } from "~/utils/params";
import { requireRole } from "~/web/permissions.server";

/** Edit one timeline entry, or (`?confirm=delete`) confirm deleting it: the pages that work without JavaScript. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, "editor");
  const id = idParam(params.id);
  const entry = getTimelineEvent(getDb(), id, idParam(params.eventId, "Timeline entry"));
  if (!entry) throw new Response("Timeline entry not found", { status: 404 });
  return { id, entry: { ...entry, atInput: toDateTimeInput(entry.at) }, confirmDelete: new URL(request.url).searchParams.get("confirm") === "delete" };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  const id = idParam(params.id);
  const eventId = idParam(params.eventId, "Timeline entry");
  const values = formObject(await readForm(request));
  if (values.intent === "delete") {
    deleteTimelineEvent(getDb(), id, eventId, actorOf(user));
    return redirect(`/incidents/${id}#timeline`);
  }
  const parsed = timelineInputSchema.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  updateTimelineEvent(getDb(), id, eventId, parsed.data, actorOf(user));
  return redirect(`/incidents/${id}#timeline-${eventId}`);
}

export default function EditTimelineEntry() {
  const { id, entry, confirmDelete } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <p>
        <Link to={`/incidents/${id}#timeline-${entry.id}`}>← Back to the incident</Link>
      </p>
      {confirmDelete ? (
        <Form method="post" className="card notice">
          <CsrfInput />
          <h1>Delete this timeline entry?</h1>
          <p>
            {formatUtc(entry.at)} · {entry.kind}: {entry.body}
          </p>
          <p className="muted">The history keeps what it said.</p>
          <div className="row">
            <button type="submit" name="intent" value="delete" className="danger">
              Delete entry
            </button>
            <Link to={`/incidents/${id}#timeline-${entry.id}`}>Keep it</Link>
          </div>
        </Form>
      ) : (
        <Form method="post" className="card" aria-label="Edit timeline entry">
          <CsrfInput />
          <h1>Edit timeline entry</h1>
          <TimelineFields errors={result?.errors} values={result?.values} defaults={{ at: entry.atInput, kind: entry.kind, body: entry.body }} submit="Save entry" />
        </Form>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Timeline entry · Faultline" }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
