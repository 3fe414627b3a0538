import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { z } from "zod";
import { MODEL_VERSION_STATUSES } from "../../db/schema";
import { ModelTimeline } from "~/components/charts/model-timeline";
import { CsrfInput } from "~/components/csrf";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormError } from "~/components/field";
import { getModel, modelIncidents, registerVersion, updateModel, versionInputSchema, versionsWithStats } from "~/domain/models.server";
import type { loader as rootLoader } from "~/root";
import { actorOf, requireUser } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { formatDate, formatDuration } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject, text } from "~/utils/forms";
import { requireRole } from "~/web/permissions.server";
import { hasRole } from "~/utils/roles";

function modelOr404(name: string | undefined) {
  const model = getModel(getDb(), name ?? "");
  if (!model) throw new Response("No such model", { status: 404 });
  return model;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request);
  const db = getDb();
  const model = modelOr404(params.name);
  const now = Date.now();
  const versions = versionsWithStats(db, model.id, now);
  const incidents = modelIncidents(db, model.id);
  return {
    model: { name: model.name, team: model.team, description: model.description },
    versions,
    timeline: {
      versions: versions
        .filter((v) => v.deployedAt !== null)
        .map((v) => ({ version: v.version, status: v.status, deployedAt: v.deployedAt!, retiredAt: v.retiredAt }))
        .reverse(),
      incidents: incidents.map((i) => ({ id: i.incidentId, title: i.title, startedAt: i.startedAt, version: i.version, family: i.family })),
    },
    now,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  const model = modelOr404(params.name);
  const values = formObject(await readForm(request));
  if (values.intent === "model") {
    const parsed = z.object({ team: text(100), description: text(2000) }).safeParse(values);
    if (!parsed.success) return json({ intent: "model", errors: fieldErrors(parsed.error), values }, { status: 400 });
    updateModel(getDb(), model.id, parsed.data, actorOf(user));
    return redirect(`/models/${encodeURIComponent(model.name)}`);
  }
  const parsed = versionInputSchema.safeParse(values);
  if (!parsed.success) return json({ intent: "version", errors: fieldErrors(parsed.error), values }, { status: 400 });
  registerVersion(getDb(), model.name, parsed.data, actorOf(user));
  return redirect(`/models/${encodeURIComponent(model.name)}`);
}

export default function ModelPage() {
  const { model, versions, timeline, now } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors as Record<string, string> | undefined;
  const user = useRouteLoaderData<typeof rootLoader>("root")?.user;
  const v = result?.intent === "version" ? result.values : undefined;
  return (
    <>
      <p>
        <Link to="/models">← Models</Link>
      </p>
      <h1>{model.name}</h1>
      <p className="muted">
        {model.team ? `Team ${model.team}. ` : ""}
        {model.description}
      </p>
      <section>
        <h2>Versions and incidents over time</h2>
        <ModelTimeline versions={timeline.versions} incidents={timeline.incidents} now={now} label={`${model.name} versions and incidents`} />
        <p className="muted">
          Bars: each version from deploy to retirement. Dots: incidents that involved it —{" "}
          <span style={{ color: "var(--ml)" }}>●</span> ML-specific cause, <span style={{ color: "var(--nonml)" }}>●</span> non-ML cause,{" "}
          <span style={{ color: "#9aa0aa" }}>●</span> not classified.
        </p>
      </section>
      <section>
        <h2>Versions</h2>
        <table>
          <thead>
            <tr>
              <th>Version</th>
              <th>Status</th>
              <th>Deployed</th>
              <th>Retired</th>
              <th>Time serving</th>
              <th>Incidents</th>
              <th>Incidents per 30 days serving</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={`/models/${encodeURIComponent(model.name)}/${encodeURIComponent(r.version)}`}>{r.version}</Link>
                </td>
                <td>{r.status.replace("_", " ")}</td>
                <td>{formatDate(r.deployedAt)}</td>
                <td>{formatDate(r.retiredAt)}</td>
                <td>{formatDuration(r.servingMs)}</td>
                <td>{r.incidents}</td>
                <td>{r.per30Days === null ? "—" : r.per30Days.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {hasRole(user, "editor") ? (
        <div className="two-col">
          <section>
            <h2>Register or update a version</h2>
            <Form method="post" className="card">
              <CsrfInput />
              <input type="hidden" name="intent" value="version" />
              <FormError error={result?.intent === "version" ? errors?.form : undefined} />
              <div className="grid">
                <Field label="Version" name="version" error={v && errors?.version}>
                  <input id="version" name="version" required defaultValue={v?.version} />
                </Field>
                <Field label="Status" name="status" error={v && errors?.status}>
                  <select id="status" name="status" defaultValue={v?.status ?? "serving"}>
                    {MODEL_VERSION_STATUSES.map((s) => (
                      <option key={s} value={s}>
                        {s.replace("_", " ")}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field label="Deployed (UTC)" name="deployedAt" error={v && errors?.deployedAt}>
                  <input id="deployedAt" name="deployedAt" type="datetime-local" step={1} defaultValue={v?.deployedAt} />
                </Field>
                <Field label="Retired (UTC)" name="retiredAt" error={v && errors?.retiredAt}>
                  <input id="retiredAt" name="retiredAt" type="datetime-local" step={1} defaultValue={v?.retiredAt} />
                </Field>
              </div>
              <Field label="Training data" name="trainingDataRef" error={v && errors?.trainingDataRef}>
                <input id="trainingDataRef" name="trainingDataRef" defaultValue={v?.trainingDataRef} placeholder="e.g. s3://features/2026-04-01" />
              </Field>
              <Field label="Code" name="codeRef" error={v && errors?.codeRef}>
                <input id="codeRef" name="codeRef" defaultValue={v?.codeRef} placeholder="e.g. git commit" />
              </Field>
              <Field label="Notes" name="notes" error={v && errors?.notes}>
                <textarea id="notes" name="notes" rows={2} defaultValue={v?.notes} />
              </Field>
              <button type="submit">Save version</button>
              <p className="muted">A version saved as serving retires the version that served before it.</p>
            </Form>
          </section>
          <section>
            <h2>About this model</h2>
            <Form method="post" className="card">
              <CsrfInput />
              <input type="hidden" name="intent" value="model" />
              <Field label="Team" name="team">
                <input id="team" name="team" defaultValue={model.team} />
              </Field>
              <Field label="Description" name="description">
                <textarea id="description" name="description" rows={3} defaultValue={model.description} />
              </Field>
              <button type="submit" className="secondary">
                Save
              </button>
            </Form>
          </section>
        </div>
      ) : null}
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.model.name ?? "Model"} · Faultline` }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
