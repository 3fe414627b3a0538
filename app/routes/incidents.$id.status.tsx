import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { INCIDENT_STATUSES, type IncidentStatus } from "../../db/schema";
import { StatusBadge, statusLabel } from "~/components/badges";
import { CsrfInput } from "~/components/csrf";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field } from "~/components/field";
import { loadClosingRules } from "~/domain/closing-rules.server";
import { MILESTONES, getIncident } from "~/domain/incidents.server";
import { TransitionError, canTransition, changeStatus, nextStatuses, statusForm } from "~/domain/lifecycle.server";
import { actorOf } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { formatUtc, toDateTimeInput } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject, text, utcTime } from "~/utils/forms";
import { renderMarkdown } from "~/utils/markdown.server";
import { idParam } from "~/utils/params";
import { requireRole } from "~/web/permissions.server";

function targetOf(value: string | null | undefined, from: IncidentStatus): IncidentStatus | null {
  const to = INCIDENT_STATUSES.find((s) => s === value);
  return to && to !== from && canTransition(from, to) ? to : null;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, "editor");
  const db = getDb();
  const row = getIncident(db, idParam(params.id));
  if (!row) throw new Response("Incident not found", { status: 404 });
  const { incident } = row;
  const to = targetOf(new URL(request.url).searchParams.get("to"), incident.status);
  const form = to ? statusForm(db, incident, to) : null;
  return {
    incident: { id: incident.id, title: incident.title, status: incident.status, severity: incident.severity, startedAt: incident.startedAt },
    choices: nextStatuses(incident.status),
    form: form && {
      to: form.to,
      asked: form.asked.map((a) => ({ ...a, value: toDateTimeInput(a.value) })),
      closing: form.closing,
    },
    guideHtml: to === "closed" ? renderMarkdown(loadClosingRules().guide) : null,
  };
}

const statusChangeSchema = z.object({
  to: z.enum(INCIDENT_STATUSES, { message: "Pick a status." }),
  detectedAt: utcTime,
  mitigatedAt: utcTime,
  resolvedAt: utcTime,
  note: text(2000),
});

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  const id = idParam(params.id);
  const values = formObject(await readForm(request));
  const parsed = statusChangeSchema.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), problems: [], values }, { status: 400 });
  const { to, note } = parsed.data;
  const times = Object.fromEntries(MILESTONES.flatMap((m) => (parsed.data[m] === null ? [] : [[m, parsed.data[m]]])));
  try {
    changeStatus(getDb(), id, to, actorOf(user), { times, note });
  } catch (e) {
    if (!(e instanceof TransitionError)) throw e;
    return json({ errors: e.fieldErrors(), problems: e.problems.map((p) => p.message), values }, { status: 400 });
  }
  return redirect(`/incidents/${id}`);
}

export default function ChangeStatus() {
  const { incident: i, choices, form, guideHtml } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors as Record<string, string> | undefined;
  return (
    <>
      <p>
        <Link to={`/incidents/${i.id}`}>← Back to the incident</Link>
      </p>
      <h1>
        {form ? `Move #${i.id} to ${statusLabel(form.to)}` : `Change the status of #${i.id}`}
      </h1>
      <p className="row">
        <span>
          {i.title} · started {formatUtc(i.startedAt)}
        </span>
        <span>
          now <StatusBadge status={i.status} />
        </span>
      </p>
      {!form ? (
        <nav className="row" aria-label="Change status">
          <span>Move to:</span>
          {choices.map((s) => (
            <Link key={s} to={`?to=${s}`} className="button secondary">
              {statusLabel(s)}
            </Link>
          ))}
        </nav>
      ) : (
        <Form method="post" className="card" aria-label="Status change">
          <CsrfInput />
          <input type="hidden" name="to" value={form.to} />
          {result?.problems.length ? (
            <div className="form-error" role="alert">
              <p style={{ margin: 0 }}>Nothing was changed:</p>
              <ul>
                {result.problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            </div>
          ) : null}
          {form.closing?.length ? (
            <section aria-label="Closing rules">
              <h2 style={{ marginTop: 0 }}>Before closing</h2>
              <ul className="checklist-rules">
                {form.closing.map((c) => (
                  <li key={c.require} className={c.met ? "met" : "unmet"}>
                    <span aria-hidden="true">{c.met ? "✓" : "✗"}</span> {c.label}
                    {c.met ? <span className="visually-hidden"> (done)</span> : (
                      <>
                        {" — "}
                        <Link to={`/incidents/${i.id}/${c.fix.path}`}>{c.fix.text}</Link>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {form.asked.length ? (
            <fieldset className="times">
              <legend>When did it happen? (UTC)</legend>
              <div className="grid">
                {form.asked.map((a) => (
                  <Field
                    key={a.name}
                    label={`${a.label[0].toUpperCase()}${a.label.slice(1)} (UTC)`}
                    name={a.name}
                    error={errors?.[a.name]}
                    hint={
                      a.source.kind === "recorded"
                        ? "As recorded; correct it if it is wrong."
                        : a.source.kind === "timeline"
                          ? `Suggested by the timeline entry at ${formatUtc(a.source.at)}: “${a.source.body.slice(0, 80)}”`
                          : a.source.kind === "now"
                            ? "No timeline entry says when: the current time is filled in. Change it to when it happened."
                            : "Not recorded and no timeline entry says when: enter it."
                    }
                  >
                    <input id={a.name} name={a.name} type="datetime-local" step={1} required defaultValue={result ? result.values[a.name] : a.value} />
                  </Field>
                ))}
              </div>
            </fieldset>
          ) : (
            <p className="muted">No times to confirm for this change.</p>
          )}
          <Field label="Note for the timeline (optional)" name="note" error={errors?.note}>
            <textarea id="note" name="note" rows={2} defaultValue={result ? result.values.note : ""} />
          </Field>
          <button type="submit">Move to {statusLabel(form.to)}</button>
        </Form>
      )}
      {guideHtml ? (
        <details className="guide">
          <summary>Why these rules</summary>
          <article className="prose" dangerouslySetInnerHTML={{ __html: guideHtml }} />
        </details>
      ) : null}
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.form ? `Move #${data.incident.id} to ${statusLabel(data.form.to)} · Faultline` : "Change status · Faultline" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
