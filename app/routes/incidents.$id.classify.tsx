import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { LIFECYCLE_STAGES, TRIGGERS } from "../../db/schema";
import { SeverityBadge } from "~/components/badges";
import { CsrfInput } from "~/components/csrf";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormError } from "~/components/field";
import { SuggestionList } from "~/components/suggestion-list";
import {
  ClassificationError,
  classificationSchema,
  classifyIncident,
  confirmPrimaryClass,
  incidentClassification,
  similarIncidents,
} from "~/domain/classification.server";
import { getIncident } from "~/domain/incidents.server";
import { shownSuggestions, suggestForIncidents } from "~/domain/suggestions.server";
import { classLabels, taxonomyTree } from "~/domain/taxonomy.server";
import { actorOf } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { formatDate } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { fieldErrors } from "~/utils/forms";
import { STAGE_LABELS, TRIGGER_LABELS, familyLabel } from "~/utils/labels";
import { idParam } from "~/utils/params";
import { requireRole } from "~/web/permissions.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, "editor");
  const db = getDb();
  const id = idParam(params.id);
  const row = getIncident(db, id);
  if (!row) throw new Response("Incident not found", { status: 404 });
  const current = incidentClassification(db, id);
  const assigned = new Set([current.primary, ...current.contributing, ...current.factors].flatMap((c) => (c ? [c.id] : [])));
  const visible = (c: { id: string; status: string }) => c.status === "active" || assigned.has(c.id);
  const tree = taxonomyTree(db);
  // "Show similar" lets an editor try a class before saving it.
  const lookup = new URL(request.url).searchParams.get("class") || current.primary?.id || null;
  const suggestions = (await suggestForIncidents(db, [id])).get(id) ?? [];
  return {
    incident: { id, title: row.incident.title, trigger: row.incident.trigger, lifecycleStage: row.incident.lifecycleStage, classStatus: row.incident.classStatus },
    suggestions: shownSuggestions(suggestions, classLabels(db)),
    current: {
      primary: current.primary?.id ?? "",
      contributing: current.contributing.map((c) => c.id),
      factors: current.factors.map((c) => c.id),
    },
    classes: tree.classes.filter(visible).map((c) => ({
      id: c.id,
      name: c.name,
      family: c.family,
      retired: c.status === "retired",
      children: c.children.filter(visible).map((s) => ({ id: s.id, name: s.name, retired: s.status === "retired" })),
    })),
    factors: tree.factors.filter(visible).map((f) => ({ id: f.id, name: f.name })),
    lookup,
    similar: similarIncidents(db, id, lookup),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  const id = idParam(params.id);
  const form = await readForm(request);
  if (form.get("intent") === "confirm") {
    try {
      confirmPrimaryClass(getDb(), id, String(form.get("class") ?? ""), actorOf(user));
    } catch (e) {
      if (e instanceof ClassificationError) return json({ errors: { form: e.message } as Record<string, string>, values: null }, { status: 400 });
      throw e;
    }
    return redirect(`/incidents/${id}`);
  }
  const values = {
    primary: String(form.get("primary") ?? ""),
    contributing: form.getAll("contributing").map(String),
    factors: form.getAll("factors").map(String),
    trigger: String(form.get("trigger") ?? ""),
    lifecycleStage: String(form.get("lifecycleStage") ?? ""),
  };
  const parsed = classificationSchema.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  try {
    classifyIncident(getDb(), id, parsed.data, actorOf(user));
  } catch (e) {
    if (e instanceof ClassificationError) return json({ errors: { [e.field]: e.message }, values }, { status: 400 });
    throw e;
  }
  return redirect(`/incidents/${id}`);
}

export default function Classify() {
  const { incident, current, classes, factors, lookup, similar, suggestions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors as Record<string, string> | undefined;
  const chosen = result?.values ?? { ...current, trigger: incident.trigger ?? "", lifecycleStage: incident.lifecycleStage ?? "" };
  const families = [
    { family: "non-ml", label: "Non-ML causes" },
    { family: "ml", label: "ML-specific causes" },
  ];
  return (
    <>
      <p>
        <Link to={`/incidents/${incident.id}`}>← Back to the incident</Link>
      </p>
      <h1>Classify: {incident.title}</h1>
      <p className="muted">
        One primary class: the deepest class that explains why it broke. Contributing classes and factors made it worse or
        slower to fix. See <Link to="/taxonomy">the taxonomy</Link> for definitions.
      </p>
      <section aria-label="Suggested classes" className="card">
        <h2>Suggested from what the incident says</h2>
        {incident.classStatus === "suggested" ? (
          <p>
            The primary class below was <b>suggested</b> by the classifier and nobody has confirmed it yet: saving the form, or taking a
            suggestion, confirms it.
          </p>
        ) : null}
        <FormError error={result?.values === null ? errors?.form : undefined} />
        <SuggestionList incidentId={incident.id} suggestions={suggestions} />
      </section>
      <div className="two-col">
        <Form method="post" className="card">
          <CsrfInput />
          <FormError error={result?.values ? errors?.form : undefined} />
          <Field label="Primary class (root cause)" name="primary" error={errors?.primary}>
            <select id="primary" name="primary" defaultValue={chosen.primary} required>
              <option value="">Choose…</option>
              {families.map((f) => (
                <optgroup key={f.family} label={f.label}>
                  {classes
                    .filter((c) => c.family === f.family)
                    .flatMap((c) => [
                      <option key={c.id} value={c.id}>
                        {c.name}
                        {c.retired ? " (retired)" : ""}
                      </option>,
                      ...c.children.map((s) => (
                        <option key={s.id} value={s.id}>
                          {"\u00a0\u00a0"}
                          {c.name} › {s.name}
                          {s.retired ? " (retired)" : ""}
                        </option>
                      )),
                    ])}
                </optgroup>
              ))}
            </select>
          </Field>
          <div className="grid">
            <Field label="Trigger" name="trigger" error={errors?.trigger}>
              <select id="trigger" name="trigger" defaultValue={chosen.trigger}>
                <option value="">Not known</option>
                {TRIGGERS.map((t) => (
                  <option key={t} value={t}>
                    {TRIGGER_LABELS[t]}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Lifecycle stage" name="lifecycleStage" error={errors?.lifecycleStage}>
              <select id="lifecycleStage" name="lifecycleStage" defaultValue={chosen.lifecycleStage}>
                <option value="">Not known</option>
                {LIFECYCLE_STAGES.map((s) => (
                  <option key={s} value={s}>
                    {STAGE_LABELS[s]}
                  </option>
                ))}
              </select>
            </Field>
          </div>
          <fieldset>
            <legend>Contributing factors</legend>
            <FormError error={errors?.factors} />
            <ul className="checklist">
              {factors.map((f) => (
                <li key={f.id}>
                  <label>
                    <input type="checkbox" name="factors" value={f.id} defaultChecked={chosen.factors.includes(f.id)} /> {f.name}
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
          <fieldset>
            <legend>Contributing classes</legend>
            <FormError error={errors?.contributing} />
            {classes.map((c) => (
              <details key={c.id} open={[c.id, ...c.children.map((s) => s.id)].some((id) => chosen.contributing.includes(id))}>
                <summary>
                  {c.name} <small className="muted">{familyLabel(c.family)}</small>
                </summary>
                <ul className="checklist">
                  {[{ id: c.id, name: `${c.name} (general)` }, ...c.children].map((s) => (
                    <li key={s.id}>
                      <label>
                        <input type="checkbox" name="contributing" value={s.id} defaultChecked={chosen.contributing.includes(s.id)} /> {s.name}
                      </label>
                    </li>
                  ))}
                </ul>
              </details>
            ))}
          </fieldset>
          <button type="submit">Save classification</button>
        </Form>
        <section>
          <h2>Similar past incidents</h2>
          <Form method="get" className="row">
            <select name="class" defaultValue={lookup ?? ""} aria-label="Class to look up">
              <option value="">By text, team and model only</option>
              {classes.flatMap((c) => [c, ...c.children]).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
            <button type="submit" className="secondary">
              Show similar
            </button>
          </Form>
          {similar.length ? (
            <ul>
              {similar.map((s) => (
                <li key={s.id}>
                  <SeverityBadge severity={s.severity} /> <Link to={`/incidents/${s.id}`}>#{s.id} {s.title}</Link>{" "}
                  <small className="muted">
                    {formatDate(s.startedAt)} · {s.reasons.join(", ")}
                  </small>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">Nothing similar found.</p>
          )}
        </section>
      </div>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Classify · Faultline" }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
