import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { TOKEN_SCOPES } from "../../db/schema";
import { CsrfInput } from "~/components/csrf";
import { ActionsHeader } from "~/components/intent-form";
import { Field, FormError } from "~/components/field";
import { SettingsNav } from "~/components/settings-nav";
import { createToken, listTokens, newTokenSchema, revokeToken } from "~/domain/tokens.server";
import { actorOf } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { formatUtc } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { fieldErrors, formObject } from "~/utils/forms";
import { requireRole } from "~/web/permissions.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  return { tokens: listTokens(getDb()), origin: new URL(request.url).origin };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const intentSchema = z.discriminatedUnion("intent", [
    newTokenSchema.extend({ intent: z.literal("create") }),
    z.object({ intent: z.literal("revoke"), tokenId: z.coerce.number().int().positive() }),
  ]);
  const values = formObject(await readForm(request));
  const parsed = intentSchema.safeParse(values);
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error), values, created: null }, { status: 400 });
  const input = parsed.data;
  if (input.intent === "revoke") {
    revokeToken(getDb(), input.tokenId, actorOf(admin));
    return redirect("/settings/tokens");
  }
  // No redirect: the secret is shown in this response only, once.
  const created = createToken(getDb(), input, actorOf(admin));
  return json({ errors: null, values: {}, created: { name: input.name, scope: input.scope, secret: created.secret } });
}

export default function Tokens() {
  const { tokens, origin } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors as Record<string, string> | null | undefined;
  return (
    <>
      <h1>Settings</h1>
      <SettingsNav />
      {result?.created ? (
        <section className="card" aria-label="New token">
          <p>
            Token <b>{result.created.name}</b> ({result.created.scope}). Copy it now: it is shown only once and stored only as a hash.
          </p>
          <p className="secret">{result.created.secret}</p>
          {result.created.scope === "webhook" ? (
            <p className="muted">
              Send alerts to <code>{origin}/api/webhooks/alertmanager</code> (or <code>/grafana</code>, <code>/pagerduty</code>,{" "}
              <code>/generic</code>) with the header <code>Authorization: Bearer {"<token>"}</code>.
            </p>
          ) : null}
        </section>
      ) : null}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Scope</th>
            <th>Created</th>
            <th>Last used</th>
            <ActionsHeader />
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id}>
              <td className={t.revokedAt ? "retired" : undefined}>{t.name}</td>
              <td>{t.scope}</td>
              <td>
                {formatUtc(t.createdAt)} by {t.createdBy ?? "—"}
              </td>
              <td>{formatUtc(t.lastUsedAt)}</td>
              <td>
                {t.revokedAt ? (
                  `revoked ${formatUtc(t.revokedAt)}`
                ) : (
                  <Form method="post">
                    <CsrfInput />
                    <input type="hidden" name="intent" value="revoke" />
                    <button type="submit" name="tokenId" value={t.id} className="danger">
                      Revoke
                    </button>
                  </Form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>New token</h2>
      <Form method="post" className="card">
        <CsrfInput />
        <input type="hidden" name="intent" value="create" />
        <FormError error={errors?.form} />
        <div className="grid">
          <Field label="Name" name="name" error={errors?.name} hint="What will use it, e.g. prod-alertmanager.">
            <input id="name" name="name" required minLength={2} />
          </Field>
          <Field label="Scope" name="scope" error={errors?.scope}>
            <select id="scope" name="scope" defaultValue="webhook">
              {TOKEN_SCOPES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </Field>
        </div>
        <button type="submit">Create token</button>
      </Form>
      <p className="muted">Webhook tokens may only post alerts; API tokens may only use the JSON API.</p>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "API tokens · Faultline" }];
