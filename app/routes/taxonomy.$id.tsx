import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { SeverityBadge, StatusBadge } from "~/components/badges";
import { MonthlyBars } from "~/components/charts/monthly-bars";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FamilyBadge } from "~/components/family-badge";
import { classDefinitions, classIncidents, classTrend, getClass } from "~/domain/taxonomy.server";
import { requireUser } from "~/web/auth.server";
import { formatUtc } from "~/utils/dates";
import { getDb } from "~/utils/db.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request);
  const db = getDb();
  const cls = getClass(db, params.id ?? "");
  if (!cls || cls.kind !== "class") throw new Response("No such failure class", { status: 404 });
  const includeSuggested = new URL(request.url).searchParams.get("suggested") === "include";
  const opts = { suggested: includeSuggested };
  return {
    includeSuggested,
    cls: {
      id: cls.id,
      name: cls.name,
      family: cls.family,
      retired: cls.status === "retired",
      parent: cls.parent && { id: cls.parent.id, name: cls.parent.name },
      children: cls.children.map((c) => ({ id: c.id, name: c.name })),
    },
    html: classDefinitions().get(cls.id) ?? "",
    trend: classTrend(db, cls.id, 12, Date.now(), opts),
    incidents: classIncidents(db, cls.id, 100, opts),
  };
}

export default function FailureClassPage() {
  const { cls, html, trend, incidents, includeSuggested } = useLoaderData<typeof loader>();
  return (
    <>
      <p>
        <Link to="/taxonomy">← Taxonomy</Link>
        {cls.parent ? (
          <>
            {" "}
            › <Link to={`/taxonomy/${cls.parent.id}`}>{cls.parent.name}</Link>
          </>
        ) : null}
      </p>
      <h1>
        {cls.name} <FamilyBadge family={cls.family} /> {cls.retired ? <span className="badge">retired</span> : null}
      </h1>
      <div className="two-col">
        <div className="prose" dangerouslySetInnerHTML={{ __html: html || "<p>This class was removed from the taxonomy; its incidents keep the label.</p>" }} />
        <section>
          <h2 style={{ marginTop: 0 }}>Last 12 months</h2>
          <p className="muted">
            {includeSuggested ? "Confirmed and suggested classifications. " : "Confirmed classifications. "}
            <Link to={includeSuggested ? `/taxonomy/${cls.id}` : `/taxonomy/${cls.id}?suggested=include`}>
              {includeSuggested ? "Confirmed only" : "Include suggested"}
            </Link>
          </p>
          <MonthlyBars data={trend} label={`${cls.name} incidents per month`} />
          <details>
            <summary>Numbers</summary>
            <table>
              <thead>
                <tr>
                  <th>Month</th>
                  <th>Incidents</th>
                </tr>
              </thead>
              <tbody>
                {trend.map((t) => (
                  <tr key={t.month}>
                    <td>{t.month}</td>
                    <td>{t.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
          {cls.children.length ? (
            <>
              <h2>Subclasses</h2>
              <ul>
                {cls.children.map((c) => (
                  <li key={c.id}>
                    <Link to={`/taxonomy/${c.id}`}>{c.name}</Link>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
      </div>
      <h2>Incidents ({incidents.length === 100 ? "latest 100" : incidents.length})</h2>
      {incidents.length ? (
        <table>
          <thead>
            <tr>
              <th>Started</th>
              <th>Title</th>
              <th>Severity</th>
              <th>Status</th>
              <th>Team</th>
            </tr>
          </thead>
          <tbody>
            {incidents.map((i) => (
              <tr key={i.id}>
                <td>{formatUtc(i.startedAt)}</td>
                <td>
                  <Link to={`/incidents/${i.id}`}>{i.title}</Link>
                  {i.classStatus === "suggested" ? <span className="badge">suggested</span> : null}
                </td>
                <td>
                  <SeverityBadge severity={i.severity} />
                </td>
                <td>
                  <StatusBadge status={i.status} />
                </td>
                <td>{i.team}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="card">No incidents of this class yet.</p>
      )}
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.cls.name ?? "Failure class"} · Faultline` }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
