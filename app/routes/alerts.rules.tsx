import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { alertRules } from "~/domain/alert-queries.server";
import { requireUser } from "~/web/auth.server";
import { getDb } from "~/utils/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return { rules: alertRules(getDb()) };
}

export default function AlertRules() {
  const { rules } = useLoaderData<typeof loader>();
  return (
    <>
      <p>
        <Link to="/alerts">← Alerts</Link>
      </p>
      <h1>Alert rules</h1>
      <p className="muted">
        Precision: the share of a rule’s alerts that led to a real incident (linked to one that left draft, or triaged actionable).
        Noisiest first: most alerts that led nowhere.
      </p>
      <table>
        <thead>
          <tr>
            <th>Rule</th>
            <th>Alerts</th>
            <th>Times fired</th>
            <th>Deliveries</th>
            <th>Led to an incident</th>
            <th>Precision</th>
            <th>Alerts that led nowhere</th>
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <tr key={r.rule}>
              <td>
                <Link to={`/alerts?rule=${encodeURIComponent(r.rule)}`}>{r.rule}</Link>
              </td>
              <td>{r.alerts}</td>
              <td>{r.fires}</td>
              <td>{r.deliveries}</td>
              <td>{r.real}</td>
              <td>{`${Math.round(r.precision * 100)}%`}</td>
              <td>{r.nowhere}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Alert rules · Faultline" }];
