import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { CsrfInput } from "~/components/csrf";
import { Field, FormError } from "~/components/field";
import { DuplicateModelError, createModel, listModels, modelInputSchema } from "~/domain/models.server";
import type { loader as rootLoader } from "~/root";
import { actorOf, requireUser } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";
import { requireRole } from "~/web/permissions.server";
import { hasRole } from "~/utils/roles";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return { models: listModels(getDb()) };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  const values = formObject(await readForm(request));
  const parsed = modelInputSchema.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  try {
    createModel(getDb(), parsed.data, actorOf(user));
  } catch (e) {
    if (e instanceof DuplicateModelError) return json({ errors: { name: e.message }, values }, { status: 400 });
    throw e;
  }
  return redirect(`/models/${encodeURIComponent(parsed.data.name)}`);
}

export default function Models() {
  const { models } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors as Record<string, string> | undefined;
  const user = useRouteLoaderData<typeof rootLoader>("root")?.user;
  return (
    <>
      <h1>Models</h1>
      {models.length ? (
        <table>
          <thead>
            <tr>
              <th>Model</th>
              <th>Team</th>
              <th>Serving</th>
              <th>Versions</th>
              <th>Incidents</th>
            </tr>
          </thead>
          <tbody>
            {models.map((m) => (
              <tr key={m.id}>
                <td>
                  <Link to={`/models/${encodeURIComponent(m.name)}`}>{m.name}</Link>
                  {m.description ? <div className="muted">{m.description}</div> : null}
                </td>
                <td>{m.team || "—"}</td>
                <td>{m.serving ?? "—"}</td>
                <td>{m.versions}</td>
                <td>{m.incidents}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="card">No models yet. Add one here, register versions from your deploy pipeline, or let alerts with a model label create them.</p>
      )}
      {hasRole(user, "editor") ? (
        <>
          <h2>Add a model</h2>
          <Form method="post" className="card">
            <CsrfInput />
            <FormError error={errors?.form} />
            <div className="grid">
              <Field label="Name" name="name" error={errors?.name} hint="As in alert labels, e.g. fraud-scoring.">
                <input id="name" name="name" required defaultValue={result?.values.name} />
              </Field>
              <Field label="Team" name="team" error={errors?.team}>
                <input id="team" name="team" defaultValue={result?.values.team} />
              </Field>
            </div>
            <Field label="Description" name="description" error={errors?.description}>
              <textarea id="description" name="description" rows={2} defaultValue={result?.values.description} />
            </Field>
            <button type="submit">Add model</button>
          </Form>
        </>
      ) : null}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Models · Faultline" }];
