import { DueCell } from "~/components/due-date";
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { SeverityBadge, StatusBadge } from "~/components/badges";
import { myWork } from "~/domain/assignments.server";
import { requireUser } from "~/web/auth.server";
import { formatUtc } from "~/utils/dates";
import { getDb } from "~/utils/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return myWork(getDb(), user.id);
}

export default function MyWork() {
  const { incidents, reviews, actions } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>My work</h1>
      <section aria-labelledby="my-reviews">
        <h2 id="my-reviews">Reviews asked of me ({reviews.length})</h2>
        {reviews.length ? (
          <ul>
            {reviews.map((r) => (
              <li key={r.incidentId}>
                <Link to={`/incidents/${r.incidentId}#review`}>
                  #{r.incidentId} {r.title}
                </Link>{" "}
                <small className="muted">
                  asked by {r.requestedBy ?? "someone"} {formatUtc(r.requestedAt)}
                </small>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">Nobody is waiting for your review.</p>
        )}
      </section>
      <section aria-labelledby="my-actions">
        <h2 id="my-actions">My action items ({actions.length})</h2>
        {actions.length ? (
          <table>
            <thead>
              <tr>
                <th>Due</th>
                <th>Action</th>
                <th>Kind</th>
                <th>Incident</th>
              </tr>
            </thead>
            <tbody>
              {actions.map((a) => (
                <tr key={a.id}>
                  <DueCell dueAt={a.dueAt} overdue={a.overdue} />
                  <td>{a.title}</td>
                  <td>{a.kind}</td>
                  <td>
                    <Link to={`/incidents/${a.incidentId}#actions`}>
                      #{a.incidentId} {a.incidentTitle}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">
            No open action items are assigned to you. <Link to="/actions">See everyone’s.</Link>
          </p>
        )}
      </section>
      <section aria-labelledby="my-incidents">
        <h2 id="my-incidents">Incidents I own or lead ({incidents.length})</h2>
        {incidents.length ? (
          <table>
            <thead>
              <tr>
                <th>Started</th>
                <th>Incident</th>
                <th>Severity</th>
                <th>Status</th>
                <th>My role</th>
              </tr>
            </thead>
            <tbody>
              {incidents.map((i) => (
                <tr key={i.id}>
                  <td>{formatUtc(i.startedAt)}</td>
                  <td>
                    <Link to={`/incidents/${i.id}`}>
                      #{i.id} {i.title}
                    </Link>
                  </td>
                  <td>
                    <SeverityBadge severity={i.severity} />
                  </td>
                  <td>
                    <StatusBadge status={i.status} />
                  </td>
                  <td>{i.roles}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">
            You own no open incident. Drafts opened by alerts wait in the <Link to="/incidents?status=draft">incident list</Link> for someone to claim them.
          </p>
        )}
      </section>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "My work · Faultline" }];
