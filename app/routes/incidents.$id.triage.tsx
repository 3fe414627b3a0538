import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { StatusBadge } from "~/components/badges";
import { CsrfInput } from "~/components/csrf";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError } from "~/components/field";
import { alertsForIncident } from "~/domain/alert-queries.server";
import { TriageError, dismissDraft, findIncidents, mergeDraft, moveAlerts } from "~/domain/drafts.server";
import { getIncident } from "~/domain/incidents.server";
import { actorOf } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { formatUtc } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";
import { idParam } from "~/utils/params";
import { requireRole } from "~/web/permissions.server";

/** Where alerts and drafts go: search incidents to merge a draft into or move alerts to; confirm a dismissal. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, "editor");
  const db = getDb();
  const id = idParam(params.id);
  const row = getIncident(db, id);
  if (!row) throw new Response("Incident not found", { status: 404 });
  const url = new URL(request.url);
  const q = url.searchParams.get("q")?.slice(0, 200) ?? "";
  return {
    id,
    title: row.incident.title,
    isDraft: row.incident.status === "draft",
    confirmDismiss: url.searchParams.get("confirm") === "dismiss",
    q,
    results: findIncidents(db, q, id),
    alerts: alertsForIncident(db, id).map((a) => ({ id: a.id, ruleName: a.ruleName, status: a.status, startsAt: a.startsAt })),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  const id = idParam(params.id);
  const form = await readForm(request);
  const values = formObject(form);
  const target = z.coerce.number({ message: "Pick an incident." }).int().positive("Pick an incident.");
  const parsed = z
    .discriminatedUnion("intent", [
      z.object({ intent: z.literal("dismiss") }),
      z.object({ intent: z.literal("merge"), targetId: target }),
      z.object({ intent: z.literal("move"), targetId: target, alertIds: z.array(z.coerce.number().int().positive()).min(1, "Tick the alerts to move.") }),
    ])
    .safeParse({ ...values, alertIds: form.getAll("alertIds") });
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error) }, { status: 400 });
  const db = getDb();
  const actor = actorOf(user);
  const input = parsed.data;
  try {
    if (input.intent === "dismiss") {
      dismissDraft(db, id, actor);
      return redirect("/incidents?status=draft");
    }
    if (input.intent === "merge") {
      mergeDraft(db, id, input.targetId, actor);
      return redirect(`/incidents/${input.targetId}`);
    }
    moveAlerts(db, id, input.alertIds, input.targetId, actor);
    return redirect(`/incidents/${id}#alerts`);
  } catch (e) {
    if (e instanceof TriageError) return json({ errors: { form: e.message } as Record<string, string> }, { status: 400 });
    throw e;
  }
}

export default function Triage() {
  const { id, title, isDraft, confirmDismiss, q, results, alerts } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors;
  return (
    <>
      <p>
        <Link to={`/incidents/${id}`}>
          ← #{id} {title}
        </Link>
      </p>
      <h1>Where does #{id} belong?</h1>
      <FormError error={errors?.form ?? errors?.targetId ?? errors?.alertIds} />
      {confirmDismiss && isDraft ? (
        <Form method="post" className="card notice">
          <CsrfInput />
          <p>
            Dismiss draft #{id} as noise? Its {alerts.length} alert{alerts.length === 1 ? "" : "s"} stay, marked noise, and count against their rule’s precision; the
            draft is removed and the audit log keeps its title, alerts and timeline.
          </p>
          <div className="row">
            <button type="submit" name="intent" value="dismiss" className="danger">
              Dismiss as noise
            </button>
            <Link to={`/incidents/${id}`}>Keep it</Link>
          </div>
        </Form>
      ) : null}
      <Form method="get" role="search" className="row card">
        <label htmlFor="q">Find the incident</label>
        <input id="q" name="q" type="search" defaultValue={q} placeholder="words from its title or summary, or #number" />
        <button type="submit">Search</button>
      </Form>
      {q && !results.length ? <p className="muted">No other incident matches “{q}”.</p> : null}
      {results.length ? (
        <Form method="post" className="card">
          <CsrfInput />
          <fieldset>
            <legend>Incidents matching “{q}”</legend>
            {results.map((r, n) => (
              <label key={r.id} className="row">
                <input type="radio" name="targetId" value={r.id} defaultChecked={n === 0} /> #{r.id} {r.title} <StatusBadge status={r.status} />{" "}
                <small className="muted">{formatUtc(r.startedAt)}</small>
              </label>
            ))}
          </fieldset>
          {alerts.length ? (
            <fieldset>
              <legend>Alerts of #{id}</legend>
              {alerts.map((a) => (
                <label key={a.id} className="row">
                  <input type="checkbox" name="alertIds" value={a.id} /> {a.ruleName} ({a.status}, {formatUtc(a.startsAt)})
                </label>
              ))}
            </fieldset>
          ) : null}
          <div className="row">
            {isDraft ? (
              <button type="submit" name="intent" value="merge">
                Merge this draft into the chosen incident
              </button>
            ) : null}
            {alerts.length ? (
              <button type="submit" name="intent" value="move" className="secondary">
                Move the ticked alerts there
              </button>
            ) : null}
          </div>
          {isDraft ? <p className="hint">Merging moves every alert, timeline entry, model link, action item and comment, then removes the draft; both histories say so.</p> : null}
        </Form>
      ) : null}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Triage · Faultline" }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
