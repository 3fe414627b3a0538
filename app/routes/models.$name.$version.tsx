import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { SeverityBadge, StatusBadge } from "~/components/badges";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { getVersion, versionIncidents } from "~/domain/models.server";
import { requireUser } from "~/web/auth.server";
import { formatUtc } from "~/utils/dates";
import { getDb } from "~/utils/db.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request);
  const db = getDb();
  const version = getVersion(db, params.name ?? "", params.version ?? "");
  if (!version) throw new Response("No such model version", { status: 404 });
  return { version, incidents: versionIncidents(db, version.id) };
}

export default function VersionPage() {
  const { version: v, incidents } = useLoaderData<typeof loader>();
  return (
    <>
      <p>
        <Link to={`/models/${encodeURIComponent(v.model)}`}>← {v.model}</Link>
      </p>
      <h1>
        {v.model} {v.version} <span className="badge">{v.status.replace("_", " ")}</span>
      </h1>
      <dl className="facts card">
        <dt>Deployed</dt>
        <dd>{formatUtc(v.deployedAt)}</dd>
        <dt>Retired</dt>
        <dd>{formatUtc(v.retiredAt)}</dd>
        <dt>Training data</dt>
        <dd>{v.trainingDataRef || "—"}</dd>
        <dt>Code</dt>
        <dd>{v.codeRef || "—"}</dd>
        <dt>Notes</dt>
        <dd style={{ whiteSpace: "pre-wrap" }}>{v.notes || "—"}</dd>
      </dl>
      <h2>Incidents</h2>
      {incidents.length ? (
        <table>
          <thead>
            <tr>
              <th>Started</th>
              <th>Incident</th>
              <th>Role of this version</th>
              <th>Severity</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {incidents.map((i) => (
              <tr key={`${i.id}-${i.role}`}>
                <td>{formatUtc(i.startedAt)}</td>
                <td>
                  <Link to={`/incidents/${i.id}`}>
                    #{i.id} {i.title}
                  </Link>
                </td>
                <td>{i.role.replaceAll("_", " ")}</td>
                <td>
                  <SeverityBadge severity={i.severity} />
                </td>
                <td>
                  <StatusBadge status={i.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="card">No incidents involve this version.</p>
      )}
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.version.model} ${data.version.version} · Faultline` : "Model version · Faultline" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
