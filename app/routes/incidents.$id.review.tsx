import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ReviewPanel } from "~/components/incident/review";
import { AssignmentError, assignableUsers } from "~/domain/assignments.server";
import { CommentError, addComment, commentInputSchema } from "~/domain/comments.server";
import { getIncident } from "~/domain/incidents.server";
import { ReviewError, decideReview, requestReview, reviewView, verdictSchema } from "~/domain/reviews.server";
import type { loader as rootLoader } from "~/root";
import { actorOf, requireUser } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";
import { idParam } from "~/utils/params";
import { requireRole } from "~/web/permissions.server";
import { hasRole } from "~/utils/roles";

/** The review panel on a page of its own: where a refused comment or request lands without JavaScript. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request);
  const db = getDb();
  const id = idParam(params.id);
  const row = getIncident(db, id);
  if (!row) throw new Response("Incident not found", { status: 404 });
  return { id, title: row.incident.title, people: assignableUsers(db), ...reviewView(db, id) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  const id = idParam(params.id);
  const form = await readForm(request);
  const values = formObject(form);
  const parsed = z
    .discriminatedUnion("intent", [
      z.object({
        intent: z.literal("review.request"),
        reviewers: z.array(z.coerce.number().int().positive()).min(1, "Pick at least one reviewer."),
      }),
      commentInputSchema.extend({ intent: z.literal("review.comment"), verdict: verdictSchema.optional() }),
    ])
    .safeParse({ ...values, reviewers: form.getAll("reviewers") });
  const refuse = (errors: Record<string, string>) => json({ intent: values.intent ?? "", errors, values }, { status: 400 });
  if (!parsed.success) return refuse(fieldErrors(parsed.error));
  const db = getDb();
  const actor = actorOf(user);
  const input = parsed.data;
  try {
    if (input.intent === "review.request") requestReview(db, id, input.reviewers, actor);
    else if (input.verdict) decideReview(db, id, input.verdict, { body: input.body, quote: input.quote }, actor);
    else addComment(db, id, { body: input.body, quote: input.quote }, actor);
  } catch (e) {
    if (e instanceof ReviewError || e instanceof CommentError || e instanceof AssignmentError) return refuse({ form: e.message });
    throw e;
  }
  return redirect(`/incidents/${id}#review`);
}

export default function ReviewPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const user = useRouteLoaderData<typeof rootLoader>("root")?.user;
  return (
    <>
      <p>
        <Link to={`/incidents/${data.id}#review`}>← #{data.id} {data.title}</Link>
      </p>
      <ReviewPanel incidentId={data.id} state={data.state} reviewers={data.reviewers} comments={data.comments} people={data.people} me={user?.id} canEdit={hasRole(user, "editor")} result={result} />
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Review of #${data.id} · Faultline` : "Review · Faultline" }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
