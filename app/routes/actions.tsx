import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { SeverityBadge } from "~/components/badges";
import { listOpenActionItems } from "~/domain/actions.server";
import { requireUser } from "~/utils/auth.server";
import { formatDate } from "~/utils/dates";
import { getDb } from "~/utils/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  const overdueOnly = new URL(request.url).searchParams.get("overdue") === "1";
  const items = listOpenActionItems(getDb(), { overdueOnly });
  return { items, overdueOnly, overdueCount: items.filter((i) => i.overdue).length };
}

export default function ActionItems() {
  const { items, overdueOnly, overdueCount } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Action items</h1>
      <p className="row">
        {overdueOnly ? <Link to="/actions">All open</Link> : <b>All open ({items.length})</b>}
        {" · "}
        {overdueOnly ? <b>Overdue ({items.length})</b> : <Link to="?overdue=1">Overdue ({overdueCount})</Link>}
      </p>
      {items.length ? (
        <table>
          <thead>
            <tr>
              <th>Due</th>
              <th>Action</th>
              <th>Kind</th>
              <th>Owner</th>
              <th>Incident</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id}>
                <td className={a.overdue ? "overdue" : undefined}>
                  {formatDate(a.dueAt)}
                  {a.overdue ? " (overdue)" : ""}
                </td>
                <td>{a.title}</td>
                <td>{a.kind}</td>
                <td>{a.owner || "—"}</td>
                <td>
                  <SeverityBadge severity={a.severity} /> <Link to={`/incidents/${a.incidentId}`}>#{a.incidentId} {a.incidentTitle}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="card">{overdueOnly ? "Nothing is overdue." : "No open action items."}</p>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Action items · Faultline" }];
