import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { SeverityBadge } from "~/components/badges";
import { Pager } from "~/components/pager";
import { countOpenActionItems, listOpenActionItems } from "~/domain/actions.server";
import { formatCount } from "~/components/charts/format";
import { requireUser } from "~/utils/auth.server";
import { formatDate } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { pageNumber } from "~/utils/forms";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  const url = new URL(request.url);
  const overdueOnly = url.searchParams.get("overdue") === "1";
  const page = pageNumber.parse(url.searchParams.get("page") ?? 1);
  const now = Date.now();
  const db = getDb();
  const { items, hasMore } = listOpenActionItems(db, { overdueOnly, now, page });
  return { items, hasMore, page, overdueOnly, counts: countOpenActionItems(db, now), search: url.search };
}

export default function ActionItems() {
  const { items, hasMore, page, overdueOnly, counts, search } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Action items</h1>
      <p className="row">
        {overdueOnly ? <Link to="/actions">All open ({formatCount(counts.open)})</Link> : <b>All open ({formatCount(counts.open)})</b>}
        {" · "}
        {overdueOnly ? <b>Overdue ({formatCount(counts.overdue)})</b> : <Link to="?overdue=1">Overdue ({formatCount(counts.overdue)})</Link>}
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
        <p className="card">{page > 1 ? "No more items." : overdueOnly ? "Nothing is overdue." : "No open action items."}</p>
      )}
      <Pager page={page} hasMore={hasMore} search={search} labels={["← Due sooner", "Due later →"]} />
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Action items · Faultline" }];
