import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useActionData, useParams } from "@remix-run/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError } from "~/components/field";
import { AssignmentError, assignIncident, claimIncident } from "~/domain/assignments.server";
import { actorOf, requireUser } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";
import { idParam } from "~/utils/params";
import { requireRole } from "~/web/permissions.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request);
  return redirect(`/incidents/${idParam(params.id)}#people`);
}

const person = z
  .string()
  .default("")
  .transform((v) => (v ? Number(v) : null))
  .refine((v) => v === null || (Number.isSafeInteger(v) && v > 0), "Pick a person.");

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  const id = idParam(params.id);
  const parsed = z
    .discriminatedUnion("intent", [z.object({ intent: z.literal("claim") }), z.object({ intent: z.literal("assign"), ownerId: person, leadId: person })])
    .safeParse(formObject(await readForm(request)));
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error) }, { status: 400 });
  const db = getDb();
  const actor = actorOf(user);
  try {
    if (parsed.data.intent === "claim") {
      claimIncident(db, id, { id: user.id, label: actor.label });
    } else {
      const { ownerId, leadId } = parsed.data;
      db.transaction((tx) => {
        assignIncident(tx, id, "owner", ownerId, actor);
        assignIncident(tx, id, "lead", leadId, actor);
      });
    }
  } catch (e) {
    if (e instanceof AssignmentError) return json({ errors: { form: e.message } }, { status: 400 });
    throw e;
  }
  return redirect(`/incidents/${id}#people`);
}

/** Only reached without JavaScript when the choice was refused. */
export default function PeopleError() {
  const result = useActionData<typeof action>();
  const { id } = useParams();
  return (
    <>
      <FormError error={result?.errors.form ?? Object.values(result?.errors ?? {})[0]} />
      <p>
        <Link to={`/incidents/${id}#people`}>← Back to the incident</Link>
      </p>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
