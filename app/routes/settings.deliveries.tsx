import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { CsrfInput } from "~/components/csrf";
import { ActionsHeader } from "~/components/intent-form";
import { FormError } from "~/components/field";
import { SettingsNav } from "~/components/settings-nav";
import { listDeliveries } from "~/domain/alert-queries.server";
import { LinkError, replayDelivery } from "~/domain/alerts.server";
import { actorOf } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { formatUtc } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { formObject } from "~/utils/forms";
import { requireRole } from "~/web/permissions.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  return { deliveries: listDeliveries(getDb(), 200) };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const parsed = z.object({ deliveryId: z.coerce.number().int().positive() }).safeParse(formObject(await readForm(request)));
  if (!parsed.success) return json({ error: "Pick a delivery to replay." }, { status: 400 });
  try {
    replayDelivery(getDb(), parsed.data.deliveryId, actorOf(admin));
  } catch (e) {
    if (e instanceof LinkError) return json({ error: e.message }, { status: 400 });
    throw e;
  }
  return redirect("/settings/deliveries");
}

export default function Deliveries() {
  const { deliveries } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <h1>Settings</h1>
      <SettingsNav />
      <p className="muted">
        Every webhook body is stored as received, before it is parsed. Replaying applies a stored body again; applying is idempotent.
      </p>
      <FormError error={result?.error} />
      <table>
        <thead>
          <tr>
            <th>#</th>
            <th>Received</th>
            <th>Sender</th>
            <th>Outcome</th>
            <th>Alerts</th>
            <th>Size</th>
            <ActionsHeader />
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.id}>
              <td>{d.id}</td>
              <td>{formatUtc(d.receivedAt)}</td>
              <td>{d.sender}</td>
              <td>
                {d.outcome}
                {d.error ? <small className="muted"> · {d.error}</small> : null}
              </td>
              <td>{d.alertCount}</td>
              <td>{d.bytes.toLocaleString("en")} B</td>
              <td>
                <Form method="post">
                  <CsrfInput />
                  <button type="submit" name="deliveryId" value={d.id} className="secondary">
                    Replay
                  </button>
                </Form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Webhook deliveries · Faultline" }];
