import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfInput } from "~/components/csrf";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ActionFields } from "~/components/incident/action-items";
import { actionInputSchema, deleteActionItem, getActionItem, updateActionItem } from "~/domain/actions.server";
import { AssignmentError, assignableUsers } from "~/domain/assignments.server";
import { actorOf } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { formatDate } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";
import { idParam } from "~/utils/params";
import { requireRole } from "~/web/permissions.server";

/** Edit one action item, or (`?confirm=delete`) confirm deleting it: the pages that work without JavaScript. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, "editor");
  const db = getDb();
  const id = idParam(params.id);
  const item = getActionItem(db, id, idParam(params.actionId, "Action item"));
  if (!item) throw new Response("Action item not found", { status: 404 });
  return {
    id,
    item: { id: item.id, title: item.title, owner: item.owner, assigneeId: item.assigneeId === null ? "" : String(item.assigneeId), dueAt: item.dueAt === null ? "" : formatDate(item.dueAt), kind: item.kind },
    people: assignableUsers(db),
    confirmDelete: new URL(request.url).searchParams.get("confirm") === "delete",
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  const id = idParam(params.id);
  const actionId = idParam(params.actionId, "Action item");
  const values = formObject(await readForm(request));
  if (values.intent === "delete") {
    deleteActionItem(getDb(), id, actionId, actorOf(user));
    return redirect(`/incidents/${id}#actions`);
  }
  const parsed = actionInputSchema.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  try {
    updateActionItem(getDb(), id, actionId, parsed.data, actorOf(user));
  } catch (e) {
    if (e instanceof AssignmentError) return json({ errors: { assigneeId: e.message } as Record<string, string>, values }, { status: 400 });
    throw e;
  }
  return redirect(`/incidents/${id}#action-${actionId}`);
}

export default function EditActionItem() {
  const { id, item, people, confirmDelete } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <p>
        <Link to={`/incidents/${id}#action-${item.id}`}>← Back to the incident</Link>
      </p>
      {confirmDelete ? (
        <Form method="post" className="card notice">
          <CsrfInput />
          <h1>Delete this action item?</h1>
          <p>
            {item.title} ({item.kind}
            {item.dueAt ? `, due ${item.dueAt}` : ""})
          </p>
          <p className="muted">The history keeps the whole item.</p>
          <div className="row">
            <button type="submit" name="intent" value="delete" className="danger">
              Delete action item
            </button>
            <Link to={`/incidents/${id}#action-${item.id}`}>Keep it</Link>
          </div>
        </Form>
      ) : (
        <Form method="post" className="card" aria-label="Edit action item">
          <CsrfInput />
          <h1>Edit action item</h1>
          <ActionFields errors={result?.errors} values={result?.values} people={people} defaults={item} submit="Save action item" />
        </Form>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Action item · Faultline" }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
