import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ALERT_TRIAGE } from "../../db/schema";
import { CsrfInput } from "~/components/csrf";
import { Pager } from "~/components/pager";
import { FormError } from "~/components/field";
import { FilterSelect } from "~/components/filters";
import { ALERT_PAGE_SIZE, alertRuleNames, listAlerts, parseAlertFilter } from "~/domain/alert-queries.server";
import { LinkError, linkAlert, setTriage } from "~/domain/alerts.server";
import type { loader as rootLoader } from "~/root";
import { actorOf, requireUser } from "~/web/auth.server";
import { readForm } from "~/utils/csrf.server";
import { formatUtc } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { countLabel, formObject } from "~/utils/forms";
import { linkableIncidents } from "~/domain/drafts.server";
import { COUNT_CAP } from "~/domain/incidents.server";
import { requireRole } from "~/web/permissions.server";
import { hasRole } from "~/utils/roles";
import { SENDERS } from "~/webhooks/types";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  const url = new URL(request.url);
  const filter = parseAlertFilter(url.searchParams);
  const db = getDb();
  const { rows, total } = listAlerts(db, filter);
  return {
    filter,
    rows,
    totalLabel: countLabel(total, COUNT_CAP, "alert"),
    hasMore: filter.page * ALERT_PAGE_SIZE < total,
    rules: alertRuleNames(db),
    incidentChoices: linkableIncidents(db),
    search: url.search,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, "editor");
  const intentSchema = z.discriminatedUnion("intent", [
    z.object({ intent: z.literal("triage"), alertId: z.coerce.number().int().positive(), triage: z.enum(ALERT_TRIAGE) }),
    z.object({
      intent: z.literal("link"),
      alertId: z.coerce.number().int().positive(),
      incidentId: z
        .string()
        .trim()
        // "#12", "12", or a suggestion as offered: "#12 · Its title".
        .regex(/^(#?\d+(\s+·\s.*)?)?$/, "Enter an incident number. Start typing to pick one from the suggestions.")
        .transform((v) => (v ? Number(/\d+/.exec(v)![0]) : null)),
    }),
  ]);
  const form = await readForm(request);
  const values = formObject(form);
  const parsed = intentSchema.safeParse(values);
  if (!parsed.success) return json({ error: parsed.error.issues[0].message, alertId: values.alertId }, { status: 400 });
  const input = parsed.data;
  try {
    if (input.intent === "triage") setTriage(getDb(), input.alertId, input.triage, actorOf(user));
    else linkAlert(getDb(), input.alertId, input.incidentId, actorOf(user));
  } catch (e) {
    if (e instanceof LinkError) return json({ error: e.message, alertId: values.alertId }, { status: 400 });
    throw e;
  }
  const back = new URL(request.url);
  return redirect(`/alerts${back.search}`);
}

export default function Alerts() {
  const { filter, rows, totalLabel, hasMore, rules, search, incidentChoices } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const user = useRouteLoaderData<typeof rootLoader>("root")?.user;
  const canEdit = hasRole(user, "editor");
  return (
    <>
      <div className="spread">
        <h1>Alerts</h1>
        <Link to="/alerts/rules">Alert rules by precision →</Link>
      </div>
      <Form method="get" className="filters card">
        <FilterSelect name="status" label="Status" value={filter.status} any="Any" choices={["firing", "resolved"]} />
        <FilterSelect name="rule" label="Rule" value={filter.rule} any="Any" choices={rules} />
        <FilterSelect name="sender" label="Sender" value={filter.sender} any="Any" choices={SENDERS} />
        <FilterSelect
          name="linked"
          label="Linked to an incident"
          value={filter.linked}
          any="Either"
          choices={[
            ["yes", "Linked"],
            ["no", "Not linked"],
          ]}
        />
        <FilterSelect name="triage" label="Triage" value={filter.triage} any="Any" choices={ALERT_TRIAGE} />
        <div className="row">
          <button type="submit">Filter</button>
          <Link to="/alerts">Clear</Link>
        </div>
      </Form>
      {result?.error ? <FormError error={`Alert ${result.alertId}: ${result.error}`} /> : null}
      <p className="muted">{totalLabel}</p>
      <table>
        <thead>
          <tr>
            <th>Last received</th>
            <th>Rule</th>
            <th>Status</th>
            <th>Model</th>
            <th>Fired / sent</th>
            <th>Incident</th>
            <th>Triage</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.id}>
              <td>{formatUtc(a.lastReceivedAt)}</td>
              <td>
                {a.ruleName} <small className="muted">{a.sender}{a.severity ? ` · ${a.severity}` : ""}</small>
              </td>
              <td>{a.status}</td>
              <td>{a.model ? `${a.model}@${a.modelVersion}` : "—"}</td>
              <td>
                {a.fireCount} / {a.deliveryCount}
              </td>
              <td>
                {a.incidentId ? <Link to={`/incidents/${a.incidentId}`}>#{a.incidentId} {a.incidentTitle}</Link> : "—"}
                {canEdit ? (
                  <Form method="post" className="row">
                    <CsrfInput />
                    <input type="hidden" name="intent" value="link" />
                    <input type="hidden" name="alertId" value={a.id} />
                    <input name="incidentId" size={14} placeholder="#id or title" list="incident-choices" aria-label={`Incident for alert ${a.id}`} defaultValue={a.incidentId ?? ""} />
                    <button type="submit" className="link">
                      {a.incidentId ? "Relink" : "Link"}
                    </button>
                  </Form>
                ) : null}
              </td>
              <td>
                {canEdit ? (
                  <Form method="post" className="row">
                    <CsrfInput />
                    <input type="hidden" name="intent" value="triage" />
                    <input type="hidden" name="alertId" value={a.id} />
                    {ALERT_TRIAGE.map((t) => (
                      <button key={t} type="submit" name="triage" value={t} className={t === a.triage ? undefined : "secondary"} aria-pressed={t === a.triage}>
                        {t}
                      </button>
                    ))}
                  </Form>
                ) : (
                  a.triage
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <datalist id="incident-choices">
        {incidentChoices.map((i) => (
          <option key={i.id} value={`#${i.id} · ${i.title}`} />
        ))}
      </datalist>
      <Pager page={filter.page} hasMore={hasMore} search={search} />
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Alerts · Faultline" }];
